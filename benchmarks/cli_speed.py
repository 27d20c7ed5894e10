#!/usr/bin/env python3
"""Wall time of ``nova-vmware-owner show`` and ``list``, cold and warm.

Whole processes against the simulator, in one run: ``show`` and ``list``
with an empty WSDL cache folder (cold: it builds and caches the suds
client), with the cache they left (warm, the target: <= 1 s each), and
``show`` with the cache off (uncached); next to the yardstick
``python -c 'import oslo_vmware.api'`` and to oslo.vmware's own way of
opening a session (download and build the WSDL from the server in the
process, as the command did before the cache).

    python3 benchmarks/cli_speed.py [--repeat N] [--cold N]
"""

import argparse
import os
import statistics
import sys
import tempfile

import _common

TARGET = 1.0
OSLO_SESSION = ('import sys; from oslo_vmware import api; '
                'api.VMwareAPISession(*sys.argv[1:4], 1, 0.5, '
                'port=int(sys.argv[4]), cacert=sys.argv[5], insecure=False,'
                ' connection_timeout=30).logout()')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeat', type=int, default=7,
                        help='warm runs, yardstick runs (median of them)')
    parser.add_argument('--cold', type=int, default=3,
                        help='cold, uncached and oslo.vmware session runs')
    args = parser.parse_args()
    sim = _common.start_simulator(clusters=1, hosts=1, vms=1)
    try:
        with tempfile.TemporaryDirectory() as folder:
            command = [sys.executable, '-c', _common.COMMAND,
                       '--config-file', _common.write_config(sim, folder)]
            show = command + ['show']
            listing = command + ['list']
            caches = [os.path.join(folder, 'cache%d' % n)
                      for n in range(args.cold)]
            list_caches = [os.path.join(folder, 'list-cache%d' % n)
                           for n in range(args.cold)]
            session = [sys.executable, '-c', OSLO_SESSION, sim.host,
                       sim.username, sim.password, str(sim.port),
                       sim.ca_file]
            yardstick = [sys.executable, '-c', 'import oslo_vmware.api']
            times = {name: [] for name in ('cold', 'uncached',
                                           'oslo_session', 'warm',
                                           'list_cold', 'list_warm',
                                           'yardstick')}
            # Alternated, so that a burst of load on the machine hits all
            # of them alike.
            for cache, list_cache in zip(caches, list_caches):
                times['cold'].append(_common.timed(show, cache))
                times['list_cold'].append(_common.timed(listing, list_cache))
                times['uncached'].append(_common.timed(show, ''))
                times['oslo_session'].append(_common.timed(session))
            for _ in range(args.repeat):
                times['warm'].append(_common.timed(show, caches[0]))
                times['list_warm'].append(_common.timed(listing,
                                                        list_caches[0]))
                times['yardstick'].append(_common.timed(yardstick))
    finally:
        sim.cleanUp()
    data = {name: _common.summary(values) for name, values in times.items()}
    warm = max(statistics.median(times['warm']),
               statistics.median(times['list_warm']))
    data.update(target=TARGET, met=warm <= TARGET)
    for name, key in (('warm', 'warm_over_yardstick'),
                      ('list_warm', 'list_warm_over_yardstick')):
        data[key] = round(statistics.median(
            w / y for w, y in zip(times[name], times['yardstick'])), 2)
    for name, label in (('cold', 'show, cold (empty cache)'),
                        ('warm', 'show, warm'),
                        ('uncached', 'show, cache off'),
                        ('list_cold', 'list, cold (empty cache)'),
                        ('list_warm', 'list, warm'),
                        ('oslo_session', "oslo.vmware's own session"),
                        ('yardstick', "python -c 'import oslo_vmware.api'")):
        summary = data[name]
        print('%-36s median %.3f s  (min %.3f, max %.3f, n=%d)'
              % (label, summary['median'], summary['min'], summary['max'],
                 summary['n']))
    print('warm show / yardstick, run by run: median %.2f; warm list / '
          'yardstick: %.2f' % (data['warm_over_yardstick'],
                               data['list_warm_over_yardstick']))
    print('warm show and list <= %.1f s: %s'
          % (TARGET, 'met' if data['met'] else 'NOT MET'))
    _common.result('cli_speed', data)


if __name__ == '__main__':
    main()

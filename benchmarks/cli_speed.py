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
import subprocess
import sys
import tempfile
import time

import _common

TARGET = 1.0
COMMAND = ('import sys; sys.path.insert(0, %r); '
           'from nova.virt.vmwareapi.ownership import cmd; cmd.main()'
           % _common.REPO_ROOT)
OSLO_SESSION = ('import sys; from oslo_vmware import api; '
                'api.VMwareAPISession(*sys.argv[1:4], 1, 0.5, '
                'port=int(sys.argv[4]), cacert=sys.argv[5], insecure=False,'
                ' connection_timeout=30).logout()')


def timed(argv, cache=None):
    """Seconds of one process; fails the benchmark if the process does."""
    env = dict(os.environ)
    if cache is not None:
        env['NOVA_VMWARE_OWNER_WSDL_CACHE'] = cache
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env,
                          timeout=300, stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    if done.returncode:
        sys.exit('%s failed (exit %d):\n%s'
                 % (argv[:3], done.returncode, done.stderr[-3000:]))
    return seconds


def write_config(sim, folder):
    path = os.path.join(folder, 'nova.conf')
    with open(path, 'w') as conf:
        conf.write('[DEFAULT]\nhost = compute-a\n[vmware]\n'
                   'host_ip = %s\nhost_port = %d\nhost_username = %s\n'
                   'host_password = %s\nca_file = %s\ncluster_name = %s\n'
                   % (sim.host, sim.port, sim.username, sim.password,
                      sim.ca_file, _common.CLUSTER))
    return path


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
            config = write_config(sim, folder)
            show = [sys.executable, '-c', COMMAND, '--config-file', config,
                    'show']
            listing = [sys.executable, '-c', COMMAND, '--config-file',
                       config, 'list']
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
                times['cold'].append(timed(show, cache))
                times['list_cold'].append(timed(listing, list_cache))
                times['uncached'].append(timed(show, ''))
                times['oslo_session'].append(timed(session))
            for _ in range(args.repeat):
                times['warm'].append(timed(show, caches[0]))
                times['list_warm'].append(timed(listing, list_caches[0]))
                times['yardstick'].append(timed(yardstick))
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

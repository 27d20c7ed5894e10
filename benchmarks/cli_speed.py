#!/usr/bin/env python3
"""Wall time and peak memory of ``nova-vmware-owner show`` and ``list``.

Whole processes against the simulator, in one run, alternated round by
round with the yardstick ``python -c 'import oslo_vmware.api'`` (so that a
burst of load on the machine hits them alike): ``show`` and ``list``
(their session on the package's reduced VIM client, nothing cached on
disk), and oslo.vmware's own session on vCenter's whole WSDL (downloaded
and parsed, as nova's driver does), for contrast. Each ratio to the
yardstick is taken round by round; the medians are compared with the
targets (issue 24): ``show`` and ``list`` at most 1.2 times the
yardstick, and a peak under 80 MiB.

    python3 benchmarks/cli_speed.py [--repeat N]
"""

import argparse
import statistics
import sys
import tempfile

import _common

RATIO = 1.2
PEAK = 80.0
OSLO_SESSION = ('import sys; from oslo_vmware import api; '
                'api.VMwareAPISession(*sys.argv[1:4], 1, 0.5, '
                'port=int(sys.argv[4]), cacert=sys.argv[5], insecure=False,'
                ' connection_timeout=30).logout()')
NAMES = ('yardstick', 'show', 'list', 'oslo_session')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeat', type=int, default=11,
                        help='rounds (each runs every command once)')
    parser.add_argument('--oslo', type=int, default=3,
                        help="rounds that also run oslo.vmware's session")
    args = parser.parse_args()
    sim = _common.start_simulator(clusters=1, hosts=1, vms=1)
    try:
        with tempfile.TemporaryDirectory() as folder:
            command = [sys.executable, '-c', _common.COMMAND,
                       '--config-file', _common.write_config(sim, folder)]
            argv = {
                'yardstick': [sys.executable, '-c',
                              'import oslo_vmware.api'],
                'show': command + ['show'],
                'list': command + ['list'],
                'oslo_session': [sys.executable, '-c', OSLO_SESSION,
                                 sim.host, sim.username, sim.password,
                                 str(sim.port), sim.ca_file]}
            runs = {name: [] for name in NAMES}
            for name in NAMES[:3]:  # unmeasured: the disk cache warmed
                _common.run_process(argv[name])
            for number in range(args.repeat):
                for name in NAMES:
                    if name != 'oslo_session' or number < args.oslo:
                        runs[name].append(_common.run_process(argv[name]))
    finally:
        sim.cleanUp()
    data = {'target_ratio': RATIO, 'target_peak': PEAK}
    for name in NAMES:
        data[name] = {
            'seconds': _common.summary([r[0] for r in runs[name]]),
            'peak': round(statistics.median(r[1] for r in runs[name]), 1)}
    for name in ('show', 'list'):
        row = data[name]
        row['ratio'] = round(statistics.median(
            r[0] / y[0] for r, y in zip(runs[name], runs['yardstick'])), 2)
        row['met'] = row['ratio'] <= RATIO and row['peak'] < PEAK
    for name, label in (('show', 'show'), ('list', 'list'),
                        ('yardstick', "python -c 'import oslo_vmware.api'"),
                        ('oslo_session', "oslo.vmware's own session")):
        row = data[name]
        print('%-36s median %.3f s (min %.3f, max %.3f, n=%d), peak %.1f '
              'MiB%s' % (label, row['seconds']['median'],
                         row['seconds']['min'], row['seconds']['max'],
                         row['seconds']['n'], row['peak'],
                         ', %.2f x the yardstick (round by round)'
                         % row['ratio'] if 'ratio' in row else ''))
    for name in ('show', 'list'):
        print('%s: <= %.1f x the yardstick and < %d MiB: %s' % (
            name, RATIO, PEAK, 'met' if data[name]['met'] else 'NOT MET'))
    _common.result('cli_speed', data)


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Start-up overhead: nova's VMwareVCDriver vs ours, same simulator, same run.

Construction + ``init_host`` of nova 34's plain driver and of ours (the
guard at the default lease: a restart that takes the released record),
alternated, repeated; medians compared. Runs the drivers under a Python
with nova 34 and this package: ``$NOVA_PYTHON`` when set, else a venv of
its own that it makes (once, about two minutes) in the cache directory
and into which it reinstalls this tree on every run.

    tox -e benchmarks -- --only startup     (or: python benchmarks/startup.py)
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

import _common

TARGET = 0.10
NOVA_REQUIREMENT = 'nova[vmware]==34.0.0'


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeat', type=int, default=7)
    args = parser.parse_args()
    nova_python = os.environ.get('NOVA_PYTHON') or _common.venv_python(
        'bench-nova34', [NOVA_REQUIREMENT])
    sim = _common.start_simulator(clusters=1, hosts=1, vms=2)
    try:
        child = json.dumps(dict(host=sim.host, port=sim.port,
                                username=sim.username,
                                password=sim.password, ca_file=sim.ca_file,
                                repeat=args.repeat))
        done = subprocess.run(
            [nova_python, os.path.join(os.path.dirname(__file__),
                                       '_startup_child.py'), child],
            capture_output=True, text=True, timeout=900,
            cwd='/', stdin=subprocess.DEVNULL)
    finally:
        sim.cleanUp()
    lines = [line for line in done.stdout.splitlines()
             if line.startswith('RESULT ')]
    if done.returncode or not lines:
        sys.exit('the driver run failed (exit %s):\n%s' % (
            done.returncode, done.stderr[-3000:]))
    times = json.loads(lines[-1][len('RESULT '):])
    nova = statistics.median(times['nova'])
    ours = statistics.median(times['ours'])
    overhead = (ours - nova) / nova
    # The difference of two noisy medians can come out negative; the time
    # spent in the guard itself is measured directly as well.
    guard_share = statistics.median(times['ours_guard']) / nova
    data = {'nova': _common.summary(times['nova']),
            'ours': _common.summary(times['ours']),
            'guard_start': _common.summary(times['ours_guard']),
            'added_seconds': round(ours - nova, 4),
            'overhead': round(overhead, 4), 'target': TARGET,
            'guard_share': round(guard_share, 4),
            'met': overhead < TARGET and guard_share < TARGET}
    print('nova driver start  median %.3f s (n=%d)'
          % (nova, len(times['nova'])))
    print('ours               median %.3f s (n=%d)'
          % (ours, len(times['ours'])))
    print('guard.start inside ours: median %.1f ms = %.1f %% of nova\'s '
          'start' % (data['guard_start']['median'] * 1000,
                     guard_share * 100))
    print('added %.1f ms = %.1f %% (target < %d %%: %s)' % (
        (ours - nova) * 1000, overhead * 100, TARGET * 100,
        'met' if data['met'] else 'NOT MET'))
    _common.result('startup', data)


if __name__ == '__main__':
    main()

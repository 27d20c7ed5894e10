#!/usr/bin/env python3
"""Start-up overhead: nova's VMwareVCDriver vs ours, same simulator, same run.

Construction + ``init_host`` of nova 34's plain driver and of ours (the
guard at the default lease: a restart that takes the released record),
each in a fresh process as nova-compute starts it (``_startup_child.py``),
alternated, repeated; medians compared. Ours opens a vCenter session of
its own, whose suds client comes from the on-disk WSDL cache: **warm**
(the cache a previous start left: every restart) and **cold** (an empty
cache folder: the first start after installing, or after a vCenter
upgrade changed its WSDL; the client is built and cached). Besides the
difference of the medians, the parts ours adds are timed inside it:
importing its driver module, opening the session, ``guard.start``.

Runs the drivers under a Python with nova 34 and this package:
``$NOVA_PYTHON`` when set, else a venv of its own that it makes (once,
about two minutes) in the cache directory and into which it reinstalls
this tree on every run.

    tox -e benchmarks -- --only startup     (or: python benchmarks/startup.py)
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

import _common

TARGET = 0.10
CHILD = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                     '_startup_child.py')
PARTS = ('import', 'connect', 'guard_start')


def start(python, sim, driver, cache=None):
    """One driver start in a process of its own; its timings."""
    child = json.dumps(dict(host=sim.host, port=sim.port,
                            username=sim.username, password=sim.password,
                            ca_file=sim.ca_file, driver=driver,
                            cache=cache))
    done = subprocess.run([python, CHILD, child], capture_output=True,
                          text=True, timeout=300, cwd='/',
                          stdin=subprocess.DEVNULL)
    lines = [line for line in done.stdout.splitlines()
             if line.startswith('RESULT ')]
    if done.returncode or not lines:
        sys.exit('the %s driver failed to start (exit %s):\n%s' % (
            driver, done.returncode, done.stderr[-3000:]))
    return json.loads(lines[-1][len('RESULT '):])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeat', type=int, default=7,
                        help='starts of nova\'s and of ours (warm)')
    parser.add_argument('--cold', type=int, default=3,
                        help='starts of ours with an empty WSDL cache')
    args = parser.parse_args()
    python = _common.nova_python()
    runs = {'nova': [], 'warm': [], 'cold': []}
    sim = _common.start_simulator(clusters=1, hosts=1, vms=2)
    try:
        with tempfile.TemporaryDirectory() as folder:
            warm = os.path.join(folder, 'warm')
            # Unmeasured: the first claim, and the cache filled.
            start(python, sim, 'ours', warm)
            # Alternated, so that both see the same machine load.
            for number in range(args.repeat):
                runs['nova'].append(start(python, sim, 'nova'))
                runs['warm'].append(start(python, sim, 'ours', warm))
                if number < args.cold:
                    runs['cold'].append(start(
                        python, sim, 'ours',
                        os.path.join(folder, 'cold%d' % number)))
    finally:
        sim.cleanUp()
    nova = statistics.median(r['start'] for r in runs['nova'])
    data = {'nova': _common.summary([r['start'] for r in runs['nova']]),
            'target': TARGET}
    print('nova driver start     median %.3f s (n=%d)'
          % (nova, len(runs['nova'])))
    for name in ('warm', 'cold'):
        starts = [r['start'] for r in runs[name]]
        parts = {part: _common.summary([r[part] for r in runs[name]])
                 for part in PARTS}
        added_parts = statistics.median(sum(r[part] for part in PARTS)
                                        for r in runs[name])
        ours = statistics.median(starts)
        row = {'start': _common.summary(starts), 'parts': parts,
               'sources': sorted({r['source'] for r in runs[name]}),
               'added': round(ours - nova, 4),
               'overhead': round((ours - nova) / nova, 4),
               'added_parts': round(added_parts, 4),
               'parts_share': round(added_parts / nova, 4)}
        # Met only when both ways of counting say so: the difference of
        # two noisy medians, and the parts timed directly.
        row['met'] = row['overhead'] < TARGET and \
            row['parts_share'] < TARGET
        data[name] = row
        print('ours, %s WSDL cache  median %.3f s (n=%d, client: %s): '
              '%+.1f %%; its parts %.0f ms = %.1f %% of nova\'s start '
              '(import %.0f ms, session %.0f ms, guard.start %.0f ms); '
              'target < %d %%: %s' % (
                  name, ours, len(starts), '/'.join(row['sources']),
                  row['overhead'] * 100, added_parts * 1000,
                  row['parts_share'] * 100,
                  parts['import']['median'] * 1000,
                  parts['connect']['median'] * 1000,
                  parts['guard_start']['median'] * 1000, TARGET * 100,
                  'met' if row['met'] else 'NOT MET'))
    _common.result('startup', data)


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Wall time of ``nova-vmware-owner doctor``, all checks ok.

Whole processes against the simulator (TLS, the default options), next to
``nova-vmware-owner show`` on the same vCenter: doctor connects, reads,
probes the fencing on scratch definitions, renews a scratch lease twice
and counts its events, and removes what it made.

    tox -e benchmarks -- --only doctor

or, in that environment:

    python benchmarks/doctor.py [--repeat N]
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time

import _common


def run(argv):
    """Seconds of one process, and its output."""
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    if done.returncode:
        sys.exit('%s failed (exit %d):\n%s%s' % (
            argv[-1], done.returncode, done.stdout[-3000:],
            done.stderr[-3000:]))
    return seconds, done.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeat', type=int, default=7)
    args = parser.parse_args()
    sim = _common.start_simulator(clusters=1, hosts=1, vms=1)
    times = {'doctor': [], 'show': []}
    try:
        with tempfile.TemporaryDirectory() as folder:
            command = [sys.executable, '-c', _common.COMMAND,
                       '--config-file', _common.write_config(sim, folder)]
            # Alternated: a burst of load hits both alike.
            for _ in range(args.repeat):
                seconds, _ = run(command + ['show'])
                times['show'].append(seconds)
                seconds, _ = run(command + ['doctor'])
                times['doctor'].append(seconds)
            _, out = run(command + ['--format', 'json', 'doctor'])
    finally:
        sim.cleanUp()
    report = json.loads(out)
    data = {name: _common.summary(values) for name, values in times.items()}
    data.update(checks=len(report['checks']), counts=report['counts'],
                over_show=round(data['doctor']['median'] /
                                data['show']['median'], 2))
    for name in ('doctor', 'show'):
        summary = data[name]
        print('%-8s median %.3f s  (min %.3f, max %.3f, n=%d)'
              % (name, summary['median'], summary['min'], summary['max'],
                 summary['n']))
    print('%d checks: %s' % (data['checks'], report['counts']))
    _common.result('doctor', data)


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Fail-over time with holder processes (``holder.py``), short leases.

Three ways the active goes away, each repeated: ``kill -9`` of an active on
another machine (the standby must wait out the lease: target lease + one
poll), ``kill -9`` of an active on the same machine (its pid is gone: dead
at once), and a clean stop (SIGTERM: it writes ``released``; target one
poll). "Another machine" is a UTS namespace with its own host name
(``unshare --uts``, root only); without it that case is skipped. Times run
from the signal (or the ``released`` event) to the standby's ``held``
event, on the shared monotonic clock.

    tox -e benchmarks -- --only failover

or, in that environment:

    python benchmarks/failover.py [--runs N] [--lease S] [--renew S]
"""

import argparse
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time

import _common

HOLDER = [sys.executable, '-m',
          'nova.tests.functional.virt.vmwareapi.ownership.holder']
BOUND = 60
SLACK = 0.5
"""Allowed on top of the targets: the take itself (5 round trips, about
40 ms) and process scheduling on a loaded two-core machine."""


def can_unshare():
    try:
        return subprocess.run(
            ['unshare', '--uts', 'hostname', 'probe'], timeout=10,
            capture_output=True).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


class Process:
    """One holder process; its JSON events in a queue."""

    def __init__(self, sim, attribute, lease, renew, machine=None):
        argv = HOLDER + ['hold', '--port', str(sim.port), '--user',
                         sim.username, '--password', sim.password,
                         '--ca-file', sim.ca_file, '--host', 'compute-a',
                         '--attribute', attribute, '--lease', str(lease),
                         '--renew', str(renew)]
        if machine:
            argv = ['unshare', '--uts', 'sh', '-c',
                    'hostname "$0" && exec "$@"', machine] + argv
        self.stderr = tempfile.TemporaryFile(mode='w+')
        self.process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=self.stderr, text=True, cwd=_common.REPO_ROOT,
            env=dict(os.environ, PYTHONPATH=_common.REPO_ROOT))
        self.events = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.events.put(json.loads(line))
        self.events.put({'event': 'exit'})

    def wait_for(self, name, timeout=BOUND):
        deadline = time.monotonic() + timeout
        while True:
            try:
                event = self.events.get(
                    timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise RuntimeError('no %r event within %s s'
                                   % (name, timeout))
            if event['event'] == name:
                return event
            if event['event'] == 'exit':
                self.stderr.seek(0)
                raise RuntimeError('holder exited before %r:\n%s'
                                   % (name, self.stderr.read()[-2000:]))

    def stop(self, sig=signal.SIGKILL):
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def run_case(sim, case, runs, lease, renew, unique_machines):
    attribute = 'bench.failover.%s' % case
    processes = []
    times = []

    def start(number):
        machine = ('bench-%s-%d' % (case, number)).replace('_', '-') \
            if unique_machines else None
        process = Process(sim, attribute, lease, renew, machine)
        processes.append(process)
        return process
    try:
        active = start(0)
        active.wait_for('held')
        for number in range(1, runs + 1):
            standby = start(number)
            standby.wait_for('connected')
            # Let the standby watch a renewal or two, as in production.
            time.sleep(renew * 1.5)
            if case == 'clean_stop':
                active.process.send_signal(signal.SIGTERM)
                since = active.wait_for('released')['t']
            else:
                since = time.monotonic()
                active.process.send_signal(signal.SIGKILL)
                # Reaped at once, as systemd would: a zombie's pid exists.
                active.process.wait(timeout=BOUND)
            held = standby.wait_for('held')
            times.append(held['t'] - since)
            active.stop()
            active = standby
    finally:
        for process in processes:
            process.stop()
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=10)
    parser.add_argument('--lease', type=int, default=4)
    parser.add_argument('--renew', type=int, default=1)
    args = parser.parse_args()
    poll = max(1.0, min(10.0, args.renew / 2.0))  # guard.standby_poll
    cases = {'kill_other_machine': (True, args.lease + poll),
             'kill_same_machine': (False, poll),
             'clean_stop': (False, poll)}
    separate = can_unshare()
    data = {'lease': args.lease, 'renew': args.renew, 'poll': poll}
    sim = _common.start_simulator(clusters=1, hosts=1, vms=1)
    try:
        for case, (unique, target) in cases.items():
            if unique and not separate:
                print('%-20s skipped: unshare --uts is not available' % case)
                continue
            times = run_case(sim, case, args.runs, args.lease, args.renew,
                             unique)
            row = dict(_common.summary(times), target=target,
                       met=max(times) <= target + SLACK)
            data[case] = row
            print('%-20s median %.2f s, max %.2f s over %d (target <= %.1f '
                  's + slack: %s)'
                  % (case, row['median'], row['max'], row['n'], target,
                     'met' if row['met'] else 'NOT MET'))
    finally:
        sim.cleanUp()
    _common.result('failover', data)


if __name__ == '__main__':
    main()

"""Active/passive HA with separate processes against the simulator.

Each guarding process is ``holder.py``: its own session, guard and lease
keeper, as nova-compute with the guarded driver. Leases are short (4 s,
renewed every second) so the tests run in seconds; every wait is bounded.
"""

import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time

from nova.tests.functional.virt.vmwareapi.ownership import base
from nova.tests.functional.virt.vmwareapi.ownership import simulator
from nova.tests.functional.virt.vmwareapi.ownership import tcpproxy
from nova.virt.vmwareapi.ownership import guard as guard_mod
from nova.virt.vmwareapi.ownership import record as record_mod

LEASE = 4
RENEW = 1
POLL = 1.0          # the standby's poll for these settings
SLACK = 3.0         # process scheduling and vCenter round trips
RACERS = 8
ROUNDS = int(os.environ.get('NOVA_VMWARE_OWNER_RACE_ROUNDS', '50'))

_HOLDER = [sys.executable, '-m',
           'nova.tests.functional.virt.vmwareapi.ownership.holder']
# nova-compute's eventlet mode: everything monkey-patched before any import.
_HOLDER_EVENTLET = [
    sys.executable, '-c',
    'import eventlet; eventlet.monkey_patch(); import sys; '
    'from nova.tests.functional.virt.vmwareapi.ownership import holder; '
    'sys.exit(holder.main(sys.argv[1:]))']


class Holder:
    """One guarding process and the events it printed."""

    def __init__(self, test, mode, host='compute-a', attribute=None,
                 lease=LEASE, renew=RENEW, port=None, eventlet=False,
                 **extra):
        sim = test.simulator
        argv = (_HOLDER_EVENTLET if eventlet else _HOLDER) + [
            mode, '--port', str(port or sim.port), '--user', sim.username,
            '--password', sim.password, '--ca-file', sim.ca_file,
            '--host', host, '--attribute', attribute or test.attribute,
            '--lease', str(lease), '--renew', str(renew)]
        for name, value in extra.items():
            argv += ['--' + name.replace('_', '-'), str(value)]
        self._stderr = tempfile.TemporaryFile(mode='w+')
        self.process = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._stderr, text=True, cwd=base.REPO_ROOT,
            preexec_fn=simulator.die_with_parent)
        self.events = queue.Queue()
        self.seen = []
        threading.Thread(target=self._read, daemon=True).start()
        test.addCleanup(self.kill)

    def _read(self):
        for line in self.process.stdout:
            self.events.put(json.loads(line))
        self.events.put({'event': 'exit'})

    def next_event(self, timeout):
        try:
            event = self.events.get(timeout=timeout)
        except queue.Empty:
            return None
        self.seen.append(event)
        return event

    def wait_for(self, name, timeout):
        """The first event called ``name`` within ``timeout``, or None."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            event = self.next_event(deadline - time.monotonic())
            if event is None or event['event'] == 'exit':
                return None
            if event['event'] == name:
                return event
        return None

    def send(self, line):
        self.process.stdin.write(line + '\n')
        self.process.stdin.flush()

    def kill(self, sig=signal.SIGKILL):
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        for stream in (self.process.stdin, self.process.stdout):
            if stream and not stream.closed:
                stream.close()

    def stderr(self, last=3000):
        """The end of what the process wrote on stderr so far."""
        self._stderr.seek(0)
        return self._stderr.read()[-last:]


class TestFailover(base.SimulatorTestCase):

    def start_active(self):
        active = Holder(self, 'hold')
        held = active.wait_for('held', 60)
        self.assertIsNotNone(held, active.seen)
        return active, held

    def test_standby_takes_over_after_kill_within_lease_and_one_poll(self):
        active, _ = self.start_active()
        standby = Holder(self, 'hold')
        self.assertIsNotNone(standby.wait_for('connected', 60))
        # While the active renews, the standby waits and never writes.
        self.assertIsNone(standby.wait_for('held', LEASE + SLACK))
        killed = time.monotonic()
        active.kill(signal.SIGKILL)
        held = standby.wait_for('held', LEASE + POLL + 2 * SLACK)
        self.assertIsNotNone(held, standby.seen)
        took = held['t'] - killed
        self.assertLess(took, LEASE + POLL + SLACK)
        record = self.make_store().read().record()
        self.assertEqual(held['holder'], record.holder)

    def test_clean_stop_hands_over_within_one_poll(self):
        active, _ = self.start_active()
        standby = Holder(self, 'hold')
        self.assertIsNotNone(standby.wait_for('connected', 60))
        self.assertIsNone(standby.wait_for('held', 2))
        active.kill(signal.SIGTERM)
        self.assertIsNotNone(active.wait_for('released', 10), active.seen)
        released = time.monotonic()
        held = standby.wait_for('held', POLL + 2 * SLACK)
        self.assertIsNotNone(held, standby.seen)
        self.assertLess(held['t'] - released, POLL + SLACK)

    def test_split_brain_second_process_never_writes(self):
        active, held = self.start_active()
        second = Holder(self, 'hold')
        self.assertIsNotNone(second.wait_for('connected', 60))
        store = self.make_store()
        seqs = set()
        deadline = time.monotonic() + 3 * RENEW + 1
        while time.monotonic() < deadline:
            record = store.read().record()
            self.assertEqual(held['holder'], record.holder)
            seqs.add(record.seq)
            self.assertIsNone(second.wait_for('held', 0.3))
        self.assertGreater(len(seqs), 1, 'the active did not renew')

    def test_holder_stops_within_one_renewal_when_the_record_is_taken(self):
        active, held = self.start_active()
        store = self.make_store()
        reading = store.read()
        stolen = reading.record().held_by('elsewhere:1:feed',
                                          guard_mod.utcnow())
        store.write(record_mod.format_record(stolen), reading.field_key)
        taken = time.monotonic()
        lost = active.wait_for('lost', RENEW + SLACK)
        self.assertIsNotNone(lost, active.seen)
        self.assertLess(lost['t'] - taken, RENEW + SLACK)
        active.process.wait(timeout=10)
        self.assertEqual(5, active.process.returncode)
        # It never wrote over the record it lost.
        self.assertEqual(record_mod.format_record(stolen), store.read().raw)


class TestThreadingModes(base.SimulatorTestCase):
    """The lease keeper in both of nova-compute's modes."""

    def assertHoldsRenewsReleases(self, eventlet):
        holder = Holder(self, 'hold', eventlet=eventlet)
        connected = holder.wait_for('connected', 60)
        self.assertIsNotNone(connected, holder.stderr())
        self.assertEqual(eventlet, connected['green_threads'])
        self.assertIsNotNone(holder.wait_for('held', 60), holder.stderr())
        for _ in range(2):
            self.assertIsNotNone(holder.wait_for('renewed', RENEW + SLACK),
                                 holder.stderr())
        holder.kill(signal.SIGTERM)
        self.assertEqual(0, holder.process.returncode, holder.stderr())
        self.assertEqual(record_mod.RELEASED,
                         self.make_store().read().record().state)

    def test_native_threads(self):
        self.assertHoldsRenewsReleases(eventlet=False)

    def test_eventlet_monkey_patched(self):
        self.assertHoldsRenewsReleases(eventlet=True)


class TestRace(base.SimulatorTestCase):

    def test_exactly_one_of_eight_claimers_wins_every_round(self):
        racers = [Holder(self, 'race') for _ in range(RACERS)]
        for racer in racers:
            self.assertIsNotNone(racer.wait_for('connected', 120),
                                 racer.seen)
        for number in range(ROUNDS):
            attribute = '%s.race%d' % (self.attribute, number)
            for racer in racers:
                racer.send(attribute)
            outcomes = []
            for racer in racers:
                event = racer.next_event(60)
                self.assertIsNotNone(event, 'round %d: no answer; stderr: %s'
                                     % (number, racer.stderr()))
                self.assertEqual(attribute, event.get('round'), event)
                outcomes.append(event)
            winners = [e for e in outcomes if e['event'] == 'held']
            self.assertEqual(1, len(winners), 'round %d: %s'
                             % (number, outcomes))
            losers = {e.get('error') for e in outcomes
                      if e['event'] != 'held'}
            self.assertEqual({'ClusterHeldByAnotherProcess'}, losers)
            record = self.make_store(attribute=attribute).read().record()
            self.assertEqual(winners[0]['holder'], record.holder)


class TestOutage(base.SimulatorTestCase):
    """vCenter unreachable for a while, through a proxy that breaks it."""

    def proxy(self):
        proxy = tcpproxy.TCPProxy(self.simulator.port)
        self.addCleanup(proxy.close)
        return proxy

    def test_holder_resumes_after_an_outage_and_no_one_else_holds(self):
        proxy = self.proxy()
        active = Holder(self, 'hold', port=proxy.port)
        held = active.wait_for('held', 60)
        self.assertIsNotNone(held, active.seen)
        standby = Holder(self, 'hold', port=proxy.port)
        self.assertIsNotNone(standby.wait_for('connected', 60))
        proxy.set_mode(tcpproxy.RESET)
        # Longer than the lease: nobody can write, nobody may take over.
        self.assertIsNone(standby.wait_for('held', 2 * LEASE))
        record_during = self.make_store().read().record()
        self.assertEqual(held['holder'], record_during.holder)
        proxy.set_mode(tcpproxy.FORWARD)
        self.assertIsNotNone(active.wait_for('renewed', LEASE + SLACK),
                             active.seen)
        self.assertIsNone(standby.wait_for('held', LEASE + SLACK))
        record = self.make_store().read().record()
        self.assertEqual(held['holder'], record.holder)
        self.assertGreater(record.seq, record_during.seq)

    def test_partitioned_holder_stops_once_it_sees_the_takeover(self):
        proxy = self.proxy()
        active = Holder(self, 'hold', port=proxy.port)
        self.assertIsNotNone(active.wait_for('held', 60), active.seen)
        standby = Holder(self, 'hold')
        self.assertIsNotNone(standby.wait_for('connected', 60))
        proxy.set_mode(tcpproxy.BLACKHOLE)
        held = standby.wait_for('held', LEASE + POLL + 2 * SLACK)
        self.assertIsNotNone(held, standby.seen)
        proxy.set_mode(tcpproxy.FORWARD)
        lost = active.wait_for('lost', 60)
        self.assertIsNotNone(lost, active.seen)
        active.process.wait(timeout=10)
        self.assertEqual(5, active.process.returncode)
        # The new holder keeps renewing; the old one never wrote over it.
        self.assertIsNotNone(standby.wait_for('renewed', RENEW + SLACK))
        self.assertEqual(held['holder'],
                         self.make_store().read().record().holder)

"""Active/passive HA with separate processes against the simulator.

Each guarding process is ``holder.py`` (``processes.Holder``): its own
session, guard and lease keeper, as nova-compute with the guarded driver.
Leases are short (6 s, renewed every 2 s, renew deadline 4 s) so the tests
run in seconds. "Nothing happens" is shown by waiting for the active
holder's renewals, which bound the wait: a standby may only take over
after watching ``lease_duration`` seconds without one.
"""

import signal
import time

import testtools

from nova.virt.vmwareapi.ownership import fencing
from nova.virt.vmwareapi.ownership import liveness
from nova.virt.vmwareapi.ownership import record as record_mod
from support import base
from support import fakes
from support import members
from support import processes
from support import scenarios
from support import tcpproxy

Holder = processes.Holder
LEASE = processes.LEASE
RENEW = processes.RENEW
SETTINGS = fakes.settings(lease_duration=LEASE, renew_interval=RENEW)
POLL = SETTINGS.standby_poll
SLACK = 3.0
"""Process start, scheduling and round trips on a loaded two-core machine,
on top of the computed bounds."""


class HATestCase(base.SimulatorTestCase):

    OWN_SIMULATOR = ("its holders' renewals, timed in seconds, stalled on "
                     "the run's simulator after test_fencing's scenarios")

    def start_active(self, **options):
        active = Holder(self, 'hold', **options)
        held = active.wait_for('held', 60)
        self.assertIsNotNone(held, active.stderr())
        return active, held

    def standby(self, **options):
        """A second process of the host, once it stands by."""
        standby = Holder(self, 'hold', **options)
        self.assertIsNotNone(standby.wait_for('standby', 60),
                             standby.stderr())
        return standby

    def assertStillHolds(self, active, standby, renewals=3):
        """The active renews ``renewals`` times.

        Meanwhile the standby never takes over.
        """
        for _ in range(renewals):
            self.assertIsNotNone(active.wait_for('renewed', RENEW + SLACK),
                                 active.stderr())
        self.assertFalse(standby.has_seen('held'), standby.seen)

    def lease(self):
        """The lease's record, as a raw reader sees it."""
        return base.view_of(self.make_store()).lease


class TestFailover(HATestCase):

    def test_standby_takes_over_after_kill_within_lease_and_one_poll(self):
        active, held = self.start_active()
        standby = self.standby()
        self.assertStillHolds(active, standby)
        killed = time.monotonic()
        active.kill(signal.SIGKILL)
        took = standby.wait_for('held', LEASE + POLL + 2 * SLACK)
        self.assertIsNotNone(took, standby.stderr())
        # Both run on this machine: the standby sees the holder's pid gone
        # at its next poll; from another machine it would watch the lease
        # for LEASE seconds first (benchmarks/failover.py measures both).
        self.assertLess(took['t'] - killed, LEASE + POLL + SLACK)
        lease = self.lease()
        self.assertEqual(took['holder'], lease.holder)
        self.assertNotEqual(held['token'], took['token'])

    def test_clean_stop_hands_over_within_one_poll(self):
        active, _ = self.start_active()
        standby = self.standby()
        self.assertStillHolds(active, standby, renewals=1)
        active.kill(signal.SIGTERM)
        self.assertIsNotNone(active.wait_for('released', 10), active.seen)
        released = time.monotonic()
        took = standby.wait_for('held', POLL + 2 * SLACK)
        self.assertIsNotNone(took, standby.stderr())
        self.assertLess(took['t'] - released, POLL + SLACK)
        self.assertEqual(took['holder'], self.lease().holder)

    def test_second_process_never_writes(self):
        active, held = self.start_active()
        second = self.standby()
        reader = members.RawReader(self.session, self.attribute)
        self.addCleanup(reader.stop)
        # The renewals waited for below happen while the reader reads, not
        # before (while the second process started).
        active.has_seen('renewed')
        self.assertStillHolds(active, second, renewals=4)
        reader.stop()
        leases = [view.lease for _, view in reader.views()
                  if view.lease is not None]
        self.assertEqual({held['holder']}, {lease.holder for lease in leases})
        self.assertEqual({held['token']}, {lease.token for lease in leases})
        self.assertGreater(len({lease.seq for lease in leases}), 2,
                           'readings %d, failed reads %d' % (
                               len(reader.views()), reader.failures))

    def test_holder_stops_at_its_next_renewal_when_its_lease_is_replaced(
            self):
        active, held = self.start_active()
        store = self.make_store()
        view = base.view_of(store)
        taken = fencing.take(store, view, view.record.moved_to(
            'compute-b', fakes.WALL))
        replaced = time.monotonic()
        lost = active.wait_for('lost', RENEW + SLACK)
        self.assertIsNotNone(lost, active.stderr())
        self.assertIn('was replaced by lease %s' % taken.key,
                      lost['message'])
        self.assertLess(lost['t'] - replaced, RENEW + SLACK)
        active.process.wait(timeout=10)
        self.assertEqual(5, active.process.returncode)
        # It wrote nothing over the new record, not even a release.
        view = base.view_of(store)
        self.assertEqual(taken.record, view.lease)
        self.assertEqual(taken.record, view.record)


@testtools.skipUnless(processes.can_have_pid_namespaces(),
                      'needs unshare --pid (root)')
class TestPidNamespaces(HATestCase):
    """Holders that share the machine's host name, not its pids.

    A container's PID namespace (``processes.PidNamespace``), as a
    Kubernetes pod with ``hostNetwork: true`` or a kolla container with
    ``net=host`` has: its holder's pid means nothing outside it, so only
    a holder of the same namespace may judge it gone by its pid (issue
    19: a standby outside took over 0.01 s after connecting).
    """

    def namespace(self):
        return processes.PidNamespace(self)

    def assertRanIn(self, held, namespace):
        """``held``'s holder ran on this machine, in ``namespace``.

        In a namespace, its pid is one that exists nowhere else: outside,
        it is provably not a running process, which a reader must not take
        for the holder's death.
        """
        machine, pid = held['holder'].split(':')[:2]
        self.assertEqual(liveness.this_machine(), machine)
        if namespace is not None:
            self.assertGreaterEqual(int(pid), namespace.first)
            self.assertFalse(liveness.pid_exists(int(pid)))

    def test_a_standby_outside_waits_for_a_holder_in_a_container(self):
        # It waits while the holder renews (longer than a lease), and a
        # lease after the holder was killed.
        pod = self.namespace()
        seen = scenarios.container(scenarios.Scene(
            self.simulator, self.session, self.addCleanup), pod)
        self.assertRanIn({'holder': seen.holder}, pod)
        self.assertEqual((0.0, 0), (seen.overlap, seen.late_writes))
        self.assertGreaterEqual(seen.waited, LEASE - RENEW - SLACK)

    def test_a_holder_in_a_container_waits_for_one_outside(self):
        active, held = self.start_active()
        self.assertRanIn(held, None)
        standby = self.standby(pid_namespace=self.namespace())
        self.assertStillHolds(active, standby, renewals=LEASE // RENEW + 1)

    def test_a_holder_restarted_in_a_new_container_waits_out_the_lease(self):
        active, held = self.start_active(pid_namespace=self.namespace())
        self.assertIsNotNone(active.wait_for('renewed', RENEW + SLACK))
        active.kill(signal.SIGKILL)
        killed = time.monotonic()
        restarted = Holder(self, 'hold', pid_namespace=self.namespace())
        took = restarted.wait_for('held', LEASE + POLL + 2 * SLACK + 10)
        self.assertIsNotNone(took, restarted.stderr())
        self.assertTrue(restarted.has_seen('standby'), restarted.seen)
        self.assertGreaterEqual(took['t'] - killed, LEASE)
        self.assertEqual(took['holder'], self.lease().holder)

    def test_a_crash_in_the_same_container_keeps_the_fast_path(self):
        pod = self.namespace()
        active, held = self.start_active(pid_namespace=pod)
        self.assertIsNotNone(active.wait_for('renewed', RENEW + SLACK))
        active.kill(signal.SIGKILL)
        killed = time.monotonic()
        restarted = Holder(self, 'hold', pid_namespace=pod)
        took = restarted.wait_for('held', LEASE + POLL + 2 * SLACK)
        self.assertIsNotNone(took, restarted.stderr())
        self.assertRanIn(took, pod)
        # Its pid is gone from the namespace both ran in: dead at once,
        # not after a lease (a process start and a poll at most).
        self.assertLess(took['t'] - killed, LEASE - RENEW)
        self.assertEqual(took['holder'], self.lease().holder)


class TestTakeoverObservation(HATestCase):
    """``takeover`` without ``--force`` judges as a standby would.

    Issue 19: ``--observe 1`` evicted a holder renewing every 2 s.
    """

    def takeover(self, lease):
        return self.run_command(
            '--config-file', self.config_file(
                'compute-b', extra='lease_duration = %d\nrenew_interval = '
                '%d\n' % (lease, RENEW if lease else 1)),
            '--format', 'json', 'takeover', '--yes', '--observe', '1')

    def test_a_short_observe_does_not_evict_a_renewing_holder(self):
        active, held = self.start_active()
        # This configuration's lease, or none at all (the record says the
        # holder's own).
        for lease in (LEASE, 0):
            with self.subTest(lease=lease):
                done = self.takeover(lease)
                # Exit 4: the observation (lengthened to the holder's
                # lease, as said) ended at the first renewal it saw, which
                # may come at any time within RENEW of its first reading:
                # how long the command ran proves nothing either way.
                self.assertEqual(4, done.returncode, done.stderr)
                self.assertIn('renewed the ownership record', done.stderr)
                self.assertIn('observing it for %d s' % LEASE, done.stderr)
                self.assertEqual((held['holder'], held['token']),
                                 (self.lease().holder, self.lease().token))
        self.assertFalse(active.has_seen('lost'), active.seen)


class TestThreadingModes(HATestCase):
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
        self.assertEqual(record_mod.RELEASED, self.lease().state)

    def test_native_threads(self):
        self.assertHoldsRenewsReleases(eventlet=False)

    def test_eventlet_monkey_patched(self):
        self.assertHoldsRenewsReleases(eventlet=True)


class TestOutage(HATestCase):
    """vCenter unreachable for a while, through the project's proxy."""

    def proxy(self):
        sim = self.simulator
        proxy = tcpproxy.TCPProxy(sim.port, tls=tcpproxy.TLSFiles(
            sim.ca_file, sim.key_file, sim.ca_file))
        self.addCleanup(proxy.close)
        return proxy

    def test_an_outage_shorter_than_the_deadline_changes_nothing(self):
        proxy = self.proxy()
        active, held = self.start_active(port=proxy.port)
        standby = self.standby(port=proxy.port)
        renewed = active.wait_for('renewed', RENEW + SLACK)
        self.assertIsNotNone(renewed, active.stderr())
        # vCenter out of reach over the next renewal (due RENEW after the
        # last), for less than the deadline leaves after a missed one.
        self.assertIsNone(active.wait_for('lost', RENEW * 0.75))
        proxy.set_mode(tcpproxy.RESET)
        self.assertIsNone(active.wait_for('lost', RENEW * 0.5))
        proxy.set_mode(tcpproxy.FORWARD)
        next_renewal = active.wait_for('renewed', RENEW + SLACK)
        self.assertIsNotNone(next_renewal, active.stderr())
        # The renewal due in the outage failed and was retried.
        self.assertGreater(next_renewal['t'] - renewed['t'], RENEW * 1.2)
        self.assertStillHolds(active, standby)
        self.assertFalse(active.has_seen('lost'), active.seen)
        self.assertEqual(held['token'], self.lease().token)

    def test_an_outage_longer_than_the_deadline_hands_over_without_overlap(
            self):
        proxy = self.proxy()
        active, held = self.start_active(port=proxy.port)
        standby = self.standby(port=proxy.port)
        proxy.set_mode(tcpproxy.RESET)
        lost = active.wait_for('lost', SETTINGS.renew_deadline + SLACK)
        self.assertIsNotNone(lost, active.stderr())
        self.assertIn('no renewal of its lease succeeded', lost['message'])
        # The refused connections are named as such, not as a pause.
        self.assertRegex(lost['message'], r': \d+ attempts? since failed ')
        self.assertNotIn('no attempt was made', lost['message'])
        # Nobody can take over while vCenter is out of reach.
        self.assertFalse(standby.has_seen('held'))
        proxy.set_mode(tcpproxy.FORWARD)
        took = standby.wait_for('held', LEASE + POLL + 2 * SLACK)
        self.assertIsNotNone(took, standby.stderr())
        self.assertLess(lost['t'], took['t'])
        self.assertEqual(took['holder'], self.lease().holder)
        active.process.wait(timeout=10)
        self.assertEqual(5, active.process.returncode)

    def test_a_partitioned_holder_steps_down_before_the_standby_takes_over(
            self):
        proxy = self.proxy()
        active, held = self.start_active(port=proxy.port)
        standby = self.standby()
        proxy.set_mode(tcpproxy.BLACKHOLE)
        took = standby.wait_for('held', LEASE + POLL + 2 * SLACK)
        self.assertIsNotNone(took, standby.stderr())
        lost = active.wait_for('lost', 10)
        self.assertIsNotNone(lost, active.stderr())
        self.assertLess(lost['t'], took['t'])
        proxy.set_mode(tcpproxy.FORWARD)
        # The new holder keeps renewing; the old one never wrote over it.
        self.assertIsNotNone(standby.wait_for('renewed', RENEW + SLACK))
        lease = self.lease()
        self.assertEqual((took['holder'], took['token']),
                         (lease.holder, lease.token))

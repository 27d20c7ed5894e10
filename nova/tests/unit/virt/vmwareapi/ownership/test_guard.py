"""Tests of the guard against an in-memory store, clock and identity."""

import json
import logging

import fixtures
from oslotest import base

from nova.tests.unit.virt.vmwareapi.ownership import fakes
from nova.virt.vmwareapi.ownership import decision
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import guard
from nova.virt.vmwareapi.ownership import record

HOST = 'compute-a'
NODE = '11111111-1111-1111-1111-111111111111'
OTHER_NODE = '22222222-2222-2222-2222-222222222222'
MY_HOLDER = 'test-machine:1:mine0000'


def stored(host=HOST, holder=None, seq=5, node=None, since=None):
    return record.format_record(record.OwnershipRecord(
        host, node=node, holder=holder, seq=seq, since=since))


def live_holder_renews(store):
    """A callback: the other holder writes one renewal."""
    def renew():
        current = record.parse_record(store.raw)
        store.raw = record.format_record(current.renewed(fakes.WALL))
    return renew


class GuardTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.clock = fakes.FakeClock()
        self.identity = fakes.FakeIdentity()
        self.logger = self.useFixture(fixtures.FakeLogger(
            name=guard.__name__, level=logging.INFO))

    def make(self, store, identity='default', **overrides):
        self.store = store
        return guard.OwnershipGuard(
            store, HOST, fakes.settings(**overrides),
            identity=self.identity if identity == 'default' else identity,
            holder=MY_HOLDER, clock=self.clock, sleep=self.clock.sleep,
            now=fakes.wall_now)

    def stored_record(self):
        return record.parse_record(self.store.raw)

    def assertUnchanged(self, raw):
        self.assertEqual(raw, self.store.raw)
        self.assertEqual([], self.store.writes)
        self.assertNotIn('ensure_field', self.store.calls)


class RefusalTestCase(GuardTestCase):

    def test_other_host(self):
        raw = stored('compute-b', since='2026-01-02T03:04:05Z')
        subject = self.make(fakes.FakeStore(raw))
        error = self.assertRaises(exceptions.ClusterOwnedByAnotherHost,
                                  subject.start)
        self.assertEqual('compute-b', error.owner)
        self.assertEqual(HOST, error.this_host)
        self.assertIs(self.store.location, error.location)
        message = str(error)
        for part in ('DC0_C0', fakes.VCENTER, "'compute-b'", "'compute-a'",
                     '2026-01-02T03:04:05Z',
                     'nova-vmware-owner takeover --host compute-a',
                     '[DEFAULT] host = compute-b'):
            self.assertIn(part, message)
        self.assertUnchanged(raw)
        self.assertEqual(['read'], self.store.calls)

    def test_other_host_with_dead_holder(self):
        raw = stored('compute-b', holder=fakes.OTHER_HOLDER)
        subject = self.make(fakes.FakeStore(raw))
        self.clock.advance(10000)
        self.assertRaises(exceptions.ClusterOwnedByAnotherHost, subject.start)
        self.assertUnchanged(raw)

    def test_other_host_pre_assignment(self):
        subject = self.make(fakes.FakeStore('compute-b'))
        self.assertRaises(exceptions.ClusterOwnedByAnotherHost, subject.start)
        self.assertUnchanged('compute-b')

    def test_unreadable_never_overwritten(self):
        for raw in ('{"host": "compute-a"', 'not a host name!',
                    '{"v":9,"host":"compute-a"}', '{"seq":1}'):
            for lease in (180, 0):
                subject = self.make(fakes.FakeStore(raw),
                                    lease_duration=lease, renew_interval=1)
                error = self.assertRaises(exceptions.UnreadableRecord,
                                          subject.start)
                self.assertEqual(raw, error.raw)
                self.assertIs(self.store.location, error.location)
                self.assertIn("'openstack.nova.owner'", str(error))
                self.assertIn('DC0_C0', str(error))
                self.assertUnchanged(raw)
                self.assertEqual(['read'], self.store.calls)

    def test_node_mismatch(self):
        raw = stored(node=NODE)
        self.identity.node = OTHER_NODE
        subject = self.make(fakes.FakeStore(raw))
        error = self.assertRaises(exceptions.NodeIdentityMismatch,
                                  subject.start)
        self.assertEqual(NODE, error.recorded)
        self.assertEqual(OTHER_NODE, error.local)
        self.assertIn(fakes.FakeIdentity.path, str(error))
        self.assertUnchanged(raw)
        self.assertEqual([], self.identity.written)

    def test_live_holder_without_standby_wait(self):
        raw = stored(holder=fakes.OTHER_HOLDER)
        subject = self.make(fakes.FakeStore(raw), standby_wait=False)
        error = self.assertRaises(exceptions.ClusterHeldByAnotherProcess,
                                  subject.start)
        self.assertEqual(fakes.OTHER_HOLDER, error.holder)
        self.assertIsNone(error.waited)
        self.assertIn('standby_wait', str(error))
        self.assertUnchanged(raw)
        self.assertEqual([], self.clock.sleeps)

    def test_standby_timeout(self):
        store = fakes.FakeStore(stored(holder=fakes.OTHER_HOLDER))
        self.clock.on_sleep.append(live_holder_renews(store))
        subject = self.make(store, standby_timeout=30)
        error = self.assertRaises(exceptions.ClusterHeldByAnotherProcess,
                                  subject.start)
        self.assertGreaterEqual(error.waited, 30)
        self.assertLess(error.waited, 40)
        self.assertIn('after waiting 30 seconds', str(error))
        self.assertEqual(fakes.OTHER_HOLDER,
                         self.stored_record().holder)
        self.assertNotIn('create_lock', store.calls)

    def test_standby_timeout_while_holder_silent(self):
        # The holder stopped renewing, but the lease (180 s) outlasts the
        # standby timeout (30 s): refuse without taking over.
        raw = stored(holder=fakes.OTHER_HOLDER)
        subject = self.make(fakes.FakeStore(raw), standby_timeout=30)
        self.assertRaises(exceptions.ClusterHeldByAnotherProcess,
                          subject.start)
        self.assertUnchanged(raw)

    def test_lost_race_decides_again(self):
        # Another host claims the cluster between our read and our lock.
        store = fakes.FakeStore(None)
        real_create_lock = store.create_lock

        def create_lock():
            if store.raw is None:
                store.raw = stored('compute-b', seq=1)
            return real_create_lock()
        store.create_lock = create_lock
        subject = self.make(store)
        self.assertRaises(exceptions.ClusterOwnedByAnotherHost, subject.start)
        self.assertEqual('compute-b', self.stored_record().host)
        self.assertEqual([], store.writes)
        self.assertIsNone(store.lock_key)


class ModeTestCase(GuardTestCase):

    CASES = (None, stored(), stored('compute-b'), '{broken',
             stored(holder=fakes.OTHER_HOLDER), stored(node=OTHER_NODE))

    def test_audit_never_writes_nor_raises(self):
        self.identity.node = NODE
        for raw in self.CASES:
            for wait in (True, False):
                subject = self.make(fakes.FakeStore(raw), mode='audit',
                                    standby_wait=wait)
                self.assertIsNone(subject.start())
                self.assertUnchanged(raw)
                self.assertEqual(['read'], self.store.calls)
                self.assertFalse(subject.release())
                subject.record_node(NODE)
                self.assertUnchanged(raw)
        self.assertEqual([], self.identity.written)
        self.assertIn('would refuse to start', self.logger.output)
        self.assertIn("owned by nova-compute host 'compute-b'",
                      self.logger.output)

    def test_disabled_does_nothing(self):
        for raw in self.CASES:
            subject = self.make(fakes.FakeStore(raw), mode='disabled')
            self.assertIsNone(subject.start())
            self.assertFalse(subject.release())
            subject.record_node(NODE)
            self.assertEqual([], self.store.calls)
        self.assertEqual([], self.identity.written)


class StartTestCase(GuardTestCase):

    def test_claim_when_absent(self):
        self.identity.node = NODE
        subject = self.make(fakes.FakeStore(None, field=False))
        result = subject.start()
        self.assertEqual(['read', 'create_lock', 'read', 'ensure_field',
                          'write', 'remove_lock'], self.store.calls)
        written = self.stored_record()
        self.assertEqual(result, written)
        self.assertEqual(written, subject.record)
        self.assertEqual(HOST, written.host)
        self.assertEqual(MY_HOLDER, written.holder)
        self.assertEqual(record.HELD, written.state)
        self.assertEqual(NODE, written.node)
        self.assertEqual(1, written.seq)
        self.assertEqual('2026-11-25T12:00:00Z', written.since)
        self.assertIsNone(self.store.lock_key)
        self.assertIn('Claimed', self.logger.output)

    def test_claim_when_empty_with_existing_field(self):
        subject = self.make(fakes.FakeStore('  '), identity=None)
        subject.start()
        self.assertNotIn('ensure_field', self.store.calls)
        self.assertEqual(HOST, self.stored_record().host)
        self.assertIsNone(self.stored_record().node)

    def test_claim_without_lease(self):
        subject = self.make(fakes.FakeStore(None), lease_duration=0)
        subject.start()
        written = self.stored_record()
        self.assertEqual(record.RELEASED, written.state)
        self.assertIsNone(written.holder)

    def test_claim_without_node_sync(self):
        self.identity.node = NODE
        subject = self.make(fakes.FakeStore(None), sync_node_identity=False)
        subject.start()
        self.assertIsNone(self.stored_record().node)

    def test_take_released(self):
        subject = self.make(fakes.FakeStore(stored(seq=5, node=NODE)))
        result = subject.start()
        self.assertEqual(6, result.seq)
        self.assertEqual(MY_HOLDER, result.holder)
        self.assertEqual(NODE, result.node)
        self.assertEqual(result, self.stored_record())
        self.assertEqual([NODE], self.identity.written)
        self.assertEqual([], self.clock.sleeps)

    def test_take_pre_assignment(self):
        subject = self.make(fakes.FakeStore('compute-a'))
        subject.start()
        written = json.loads(self.store.raw)
        self.assertEqual(HOST, written['host'])
        self.assertEqual(MY_HOLDER, written['holder'])
        self.assertEqual(1, written['v'])

    def test_take_from_own_holder(self):
        subject = self.make(fakes.FakeStore(stored(holder=MY_HOLDER)))
        self.assertEqual(MY_HOLDER, subject.start().holder)
        self.assertEqual([], self.clock.sleeps)

    def test_standby_then_take_when_holder_stops(self):
        store = fakes.FakeStore(stored(holder=fakes.OTHER_HOLDER, seq=5))
        subject = self.make(store)
        self.assertEqual(10.0, subject.standby_poll)
        result = subject.start()
        self.assertEqual(MY_HOLDER, result.holder)
        self.assertEqual(6, result.seq)
        self.assertEqual(18, len(self.clock.sleeps))
        self.assertEqual(180, sum(self.clock.sleeps))
        self.assertIn('Standing by', self.logger.output)
        self.assertIn(fakes.OTHER_HOLDER, self.logger.output)

    def test_standby_waits_while_holder_renews_then_takes(self):
        store = fakes.FakeStore(stored(holder=fakes.OTHER_HOLDER, seq=5))
        renew = live_holder_renews(store)
        renewals = []

        def renew_for_ten_minutes():
            if self.clock.now - start < 600:
                renew()
                renewals.append(self.clock.now)
        start = self.clock()
        self.clock.on_sleep.append(renew_for_ten_minutes)
        result = self.make(store).start()
        silent_for = self.clock() - renewals[-1]
        self.assertGreaterEqual(renewals[-1] - start, 590)
        self.assertGreaterEqual(silent_for, 180)
        self.assertLess(silent_for, 180 + 10)
        self.assertEqual(MY_HOLDER, result.holder)
        self.assertEqual(5 + len(renewals) + 1, result.seq)

    def test_standby_then_take_when_released(self):
        store = fakes.FakeStore(stored(holder=fakes.OTHER_HOLDER, seq=5))

        def release_after_three_polls():
            if len(self.clock.sleeps) == 3:
                current = record.parse_record(store.raw)
                store.raw = record.format_record(current.released(
                    fakes.WALL))
        self.clock.on_sleep.append(release_after_three_polls)
        result = self.make(store).start()
        self.assertEqual(3, len(self.clock.sleeps))
        self.assertEqual(MY_HOLDER, result.holder)
        self.assertEqual(7, result.seq)

    def test_standby_poll_bounds(self):
        for interval, poll in ((60, 10.0), (10, 5.0), (1, 1.0)):
            subject = self.make(fakes.FakeStore(None), renew_interval=interval)
            self.assertEqual(poll, subject.standby_poll)

    def test_no_lease_record_names_host_one_read(self):
        self.identity.node = NODE
        raw = stored(node=NODE, holder=fakes.OTHER_HOLDER)
        subject = self.make(fakes.FakeStore(raw), lease_duration=0)
        result = subject.start()
        self.assertEqual(['read'], self.store.calls)
        self.assertEqual(record.parse_record(raw), result)
        self.assertUnchanged(raw)

    def test_no_lease_without_identity_one_read(self):
        raw = stored(node=NODE)
        subject = self.make(fakes.FakeStore(raw), identity=None,
                            lease_duration=0)
        subject.start()
        self.assertEqual(['read'], self.store.calls)

    def test_no_lease_restores_identity_without_writing(self):
        raw = stored(node=NODE)
        subject = self.make(fakes.FakeStore(raw), lease_duration=0)
        subject.start()
        self.assertEqual([NODE], self.identity.written)
        self.assertEqual(['read'], self.store.calls)

    def test_no_lease_records_identity(self):
        self.identity.node = NODE
        subject = self.make(fakes.FakeStore(stored(seq=5)),
                            lease_duration=0)
        result = subject.start()
        self.assertEqual(NODE, result.node)
        self.assertEqual(5, result.seq)
        self.assertEqual(NODE, self.stored_record().node)
        self.assertIsNone(self.stored_record().holder)

    def test_identity_restored_on_take(self):
        subject = self.make(fakes.FakeStore(stored(node=NODE)))
        subject.start()
        self.assertEqual([NODE], self.identity.written)
        self.assertIn('Restoring the local compute node identity',
                      self.logger.output)

    def test_identity_restored_after_standby(self):
        store = fakes.FakeStore(stored(node=NODE,
                                       holder=fakes.OTHER_HOLDER))
        self.make(store).start()
        self.assertEqual([NODE], self.identity.written)

    def test_identity_recorded_on_take(self):
        self.identity.node = NODE
        subject = self.make(fakes.FakeStore(stored()))
        subject.start()
        self.assertEqual(NODE, self.stored_record().node)
        self.assertEqual([], self.identity.written)

    def test_identity_equal(self):
        self.identity.node = NODE
        subject = self.make(fakes.FakeStore(stored(node=NODE)))
        subject.start()
        self.assertEqual(NODE, self.stored_record().node)
        self.assertEqual([], self.identity.written)

    def test_sync_off_ignores_identity(self):
        self.identity.node = OTHER_NODE
        subject = self.make(fakes.FakeStore(stored(node=NODE)),
                            sync_node_identity=False)
        subject.start()
        self.assertEqual([], self.identity.written)
        self.assertEqual(NODE, self.stored_record().node)

    def test_assess_writes_nothing(self):
        raw = stored(holder=fakes.OTHER_HOLDER)
        subject = self.make(fakes.FakeStore(raw))
        assessment = subject.assess()
        self.assertIs(decision.Action.STANDBY, assessment.decision.action)
        self.assertIs(decision.Liveness.LIVE, assessment.liveness)
        self.assertIsNone(assessment.error)
        self.assertUnchanged(raw)

    def test_assess_unreadable(self):
        subject = self.make(fakes.FakeStore('{x'))
        assessment = subject.assess()
        self.assertIsNone(assessment.record)
        self.assertIs(self.store.location, assessment.error.location)
        self.assertTrue(assessment.decision.refused)


class LeaseTestCase(GuardTestCase):

    def started(self, **overrides):
        self.identity.node = NODE
        subject = self.make(fakes.FakeStore(None), **overrides)
        subject.start()
        self.store.calls[:] = []
        self.store.writes[:] = []
        return subject

    def test_renew(self):
        subject = self.started()
        before = self.stored_record()
        renewed = subject.renew()
        self.assertEqual(['read', 'write'], self.store.calls)
        self.assertEqual(before.seq + 1, renewed.seq)
        self.assertEqual(renewed, self.stored_record())
        self.assertEqual(renewed, subject.record)
        self.assertEqual(MY_HOLDER, renewed.holder)

    def test_renew_lost_to_other_process(self):
        subject = self.started()
        taken = self.stored_record().held_by(fakes.OTHER_HOLDER, fakes.WALL)
        self.store.raw = raw = record.format_record(taken)
        error = self.assertRaises(exceptions.OwnershipLost, subject.renew)
        self.assertEqual(MY_HOLDER, error.holder)
        self.assertEqual(fakes.OTHER_HOLDER, error.record_holder)
        self.assertEqual(HOST, error.record_host)
        self.assertIn(fakes.OTHER_HOLDER, str(error))
        self.assertUnchanged(raw)
        self.assertEqual(['read'], self.store.calls)

    def test_renew_lost_to_other_host(self):
        subject = self.started()
        moved = self.stored_record().moved_to('compute-b', fakes.WALL)
        self.store.raw = raw = record.format_record(moved)
        error = self.assertRaises(exceptions.OwnershipLost, subject.renew)
        self.assertEqual('compute-b', error.record_host)
        self.assertUnchanged(raw)

    def test_renew_lost_when_cleared_or_unreadable(self):
        for raw in (None, '', '{broken'):
            subject = self.started()
            self.store.raw = raw
            self.assertRaises(exceptions.OwnershipLost, subject.renew)
            self.assertUnchanged(raw)

    def test_renew_lost_when_released_by_force(self):
        subject = self.started()
        released = self.stored_record().released(fakes.WALL)
        self.store.raw = raw = record.format_record(released)
        self.assertRaises(exceptions.OwnershipLost, subject.renew)
        self.assertUnchanged(raw)

    def test_release(self):
        subject = self.started()
        before = self.stored_record()
        self.assertTrue(subject.release())
        after = self.stored_record()
        self.assertEqual(record.RELEASED, after.state)
        self.assertIsNone(after.holder)
        self.assertEqual(HOST, after.host)
        self.assertEqual(NODE, after.node)
        self.assertEqual(before.seq + 1, after.seq)
        self.assertEqual(['read', 'write'], self.store.calls)

    def test_release_when_not_holder(self):
        subject = self.started()
        taken = self.stored_record().held_by(fakes.OTHER_HOLDER, fakes.WALL)
        self.store.raw = raw = record.format_record(taken)
        self.assertFalse(subject.release())
        self.assertUnchanged(raw)
        self.assertIn('Not releasing', self.logger.output)

    def test_release_without_lease(self):
        subject = self.started(lease_duration=0)
        raw = self.store.raw
        self.assertFalse(subject.release())
        self.assertEqual([], self.store.calls)
        self.assertUnchanged(raw)

    def test_released_record_is_taken_by_standby_at_once(self):
        subject = self.started()
        subject.release()
        other = guard.OwnershipGuard(
            self.store, HOST, fakes.settings(), identity=None,
            holder=fakes.OTHER_HOLDER, clock=self.clock,
            sleep=self.clock.sleep, now=fakes.wall_now)
        self.assertEqual(fakes.OTHER_HOLDER, other.start().holder)
        self.assertEqual([], self.clock.sleeps)
        self.assertRaises(exceptions.OwnershipLost, subject.renew)

    def test_record_node(self):
        subject = self.make(fakes.FakeStore(None), identity=None)
        subject.start()
        seq = self.stored_record().seq
        subject.record_node(NODE)
        self.assertEqual(NODE, self.stored_record().node)
        self.assertEqual(seq, self.stored_record().seq)
        self.assertEqual(NODE, subject.record.node)

    def test_record_node_already_there(self):
        subject = self.started()
        subject.record_node(NODE)
        self.assertEqual(['read'], self.store.calls)

    def test_record_node_mismatch(self):
        subject = self.started()
        raw = self.store.raw
        error = self.assertRaises(exceptions.NodeIdentityMismatch,
                                  subject.record_node, OTHER_NODE)
        self.assertEqual(NODE, error.recorded)
        self.assertEqual(OTHER_NODE, error.local)
        self.assertUnchanged(raw)

    def test_record_node_sync_off(self):
        subject = self.started(sync_node_identity=False)
        subject.record_node(OTHER_NODE)
        self.assertEqual([], self.store.calls)

    def test_record_node_lost(self):
        subject = self.started()
        self.store.raw = raw = stored('compute-b')
        self.assertRaises(exceptions.OwnershipLost, subject.record_node,
                          NODE)
        self.assertUnchanged(raw)

"""Tests of claim, takeover and release against an in-memory store."""

import logging

import fixtures
from oslotest import base

from nova.tests.unit.virt.vmwareapi.ownership import fakes
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import lock as lock_mod
from nova.virt.vmwareapi.ownership import operations
from nova.virt.vmwareapi.ownership import record
from nova.virt.vmwareapi.ownership import store

HOST = 'compute-a'
OTHER = 'compute-b'
WHO = 'operator@admin-box'
UNREADABLE = '{"host": 42'


def stored(host=HOST, holder=None, seq=5, transitions=0):
    return record.format_record(record.OwnershipRecord(
        host, holder=holder, seq=seq, transitions=transitions,
        since='2026-01-01T00:00:00Z'))


class AuditedStore(fakes.FakeStore):
    """A FakeStore that records the audit events posted on the cluster.

    :param overwrite_with: values another writer puts right after our
                           writes, one per write (a holder's renewal
                           racing ours); a single value applies to every
                           write
    """

    def __init__(self, raw=None, field=True, overwrite_with=None,
                 event_error=None):
        super().__init__(raw, field)
        self.events = []
        self.overwrite_with = overwrite_with
        self.event_error = event_error

    def write(self, text, field_key):
        super().write(text, field_key)
        late = self.overwrite_with
        if isinstance(late, list):
            late = late.pop(0) if late else None
        if late is not None:
            self.raw = late

    def create_lock(self):
        try:
            return super().create_lock()
        except store.LockHeld as held:
            # Like ClusterStore: the reading that found the lock held.
            raise store.LockHeld(held.key, self.read())

    def post_event(self, message):
        self.calls.append('post_event')
        if self.event_error is not None:
            raise self.event_error
        self.events.append(message)


class OperationsTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.clock = fakes.FakeClock()
        self.logger = self.useFixture(fixtures.FakeLogger(
            name=operations.__name__, level=logging.INFO))

    def make(self, raw=None, **kwargs):
        self.store = AuditedStore(raw, **kwargs)
        self.lock = lock_mod.RecordLock(self.store, clock=self.clock,
                                        sleep=self.clock.sleep)
        return self.store

    def stored_record(self):
        return record.parse_record(self.store.raw)

    def assertNothingWritten(self, raw):
        self.assertEqual(raw, self.store.raw)
        self.assertEqual([], self.store.writes)
        self.assertEqual([], self.store.events)
        self.assertIsNone(self.store.lock_key)


class TestClaim(OperationsTestCase):

    def test_other_host_is_refused_and_nothing_written(self):
        raw = stored(OTHER)
        self.make(raw)
        error = self.assertRaises(
            exceptions.ClusterOwnedByAnotherHost, operations.claim,
            self.store, self.lock, HOST, fakes.WALL, WHO)
        self.assertEqual(OTHER, error.owner)
        self.assertNothingWritten(raw)

    def test_unreadable_is_refused_with_its_location(self):
        self.make(UNREADABLE)
        error = self.assertRaises(exceptions.UnreadableRecord,
                                  operations.claim, self.store, self.lock,
                                  HOST, fakes.WALL, WHO)
        self.assertEqual(fakes.CLUSTER, error.location.cluster)
        self.assertNothingWritten(UNREADABLE)

    def test_overwritten_claim_is_reported(self):
        self.make(overwrite_with=stored(OTHER))
        error = self.assertRaises(exceptions.RecordChanged,
                                  operations.claim, self.store, self.lock,
                                  HOST, fakes.WALL, WHO)
        self.assertTrue(error.written)
        self.assertEqual([], self.store.events)

    def test_unowned_is_claimed_released_and_audited(self):
        self.make(field=False)
        outcome = operations.claim(self.store, self.lock, HOST, fakes.WALL,
                                   WHO)
        self.assertTrue(outcome.changed)
        self.assertIsNone(outcome.before)
        claimed = self.stored_record()
        self.assertEqual(outcome.after, claimed)
        self.assertEqual(HOST, claimed.host)
        self.assertEqual(record.RELEASED, claimed.state)
        self.assertIn('ensure_field', self.store.calls)
        self.assertEqual(1, len(self.store.events))
        for part in (fakes.CLUSTER, '(none) -> compute-a', WHO):
            self.assertIn(part, self.store.events[0])
        self.assertIn(self.store.events[0], self.logger.output)
        self.assertIsNone(self.store.lock_key)

    def test_already_owned_by_that_host_changes_nothing(self):
        raw = stored(HOST, holder=fakes.OTHER_HOLDER)
        self.make(raw)
        outcome = operations.claim(self.store, self.lock, HOST, fakes.WALL)
        self.assertFalse(outcome.changed)
        self.assertNothingWritten(raw)


class TestPlanTakeover(OperationsTestCase):

    def plan(self, raw, host=OTHER, force=False):
        return operations.plan_takeover(self.make(raw).read(), host,
                                        fakes.WALL, fakes.location(), force)

    def test_unreadable_needs_force(self):
        self.assertRaises(exceptions.UnreadableRecord, self.plan,
                          UNREADABLE)

    def test_unreadable_is_replaced_with_force(self):
        plan = self.plan(UNREADABLE, force=True)
        self.assertTrue(plan.changes)
        self.assertFalse(plan.observe)
        self.assertIsNone(plan.before)
        self.assertEqual(OTHER, plan.after.host)
        self.assertEqual(record.RELEASED, plan.after.state)
        self.assertEqual(1, plan.after.transitions)

    def test_unowned_is_claimed(self):
        plan = self.plan(None)
        self.assertTrue(plan.changes)
        self.assertFalse(plan.observe)
        self.assertEqual(OTHER, plan.after.host)
        self.assertFalse(plan.renames)

    def test_same_host_without_holder_is_a_no_op(self):
        plan = self.plan(stored(OTHER))
        self.assertFalse(plan.changes)

    def test_same_host_with_holder_is_observed_then_released(self):
        plan = self.plan(stored(OTHER, holder=fakes.OTHER_HOLDER))
        self.assertTrue(plan.changes)
        self.assertTrue(plan.observe)
        self.assertEqual(OTHER, plan.after.host)
        self.assertFalse(plan.after.is_held)
        self.assertFalse(plan.renames)

    def test_other_host_released_moves_without_observing(self):
        plan = self.plan(stored(HOST, transitions=2))
        self.assertFalse(plan.observe)
        self.assertTrue(plan.renames)
        self.assertEqual(OTHER, plan.after.host)
        self.assertEqual(HOST, plan.after.previous)
        self.assertEqual(3, plan.after.transitions)
        self.assertEqual(6, plan.after.seq)
        self.assertEqual(record.RELEASED, plan.after.state)

    def test_other_host_held_is_observed_unless_forced(self):
        raw = stored(HOST, holder=fakes.OTHER_HOLDER)
        self.assertTrue(self.plan(raw).observe)
        forced = self.plan(raw, force=True)
        self.assertFalse(forced.observe)
        self.assertTrue(forced.forced)


class TestPlanRelease(OperationsTestCase):

    def plan(self, raw, force=False):
        return operations.plan_release(self.make(raw).read(), HOST,
                                       fakes.location(), force)

    def test_other_host_needs_force(self):
        error = self.assertRaises(exceptions.NotTheOwner, self.plan,
                                  stored(OTHER))
        self.assertIsInstance(error, exceptions.ClusterOwnedByAnotherHost)
        self.assertIn('--force', str(error))
        self.assertIsNone(self.plan(stored(OTHER), force=True).after)

    def test_unreadable_needs_force(self):
        self.assertRaises(exceptions.UnreadableRecord, self.plan,
                          UNREADABLE)
        plan = self.plan(UNREADABLE, force=True)
        self.assertTrue(plan.changes)
        self.assertEqual('', plan.after_raw)

    def test_unowned_is_a_no_op(self):
        self.assertFalse(self.plan(None).changes)
        self.assertFalse(self.plan('  ').changes)

    def test_own_record_is_cleared(self):
        plan = self.plan(stored(HOST))
        self.assertTrue(plan.changes)
        self.assertFalse(plan.observe)
        self.assertEqual('', plan.after_raw)

    def test_held_record_is_observed_unless_forced(self):
        raw = stored(HOST, holder=fakes.OTHER_HOLDER)
        self.assertTrue(self.plan(raw).observe)
        self.assertFalse(self.plan(raw, force=True).observe)


def renewal(store):
    """A callback: the holder in the store writes one renewal."""
    def renew():
        current = record.parse_record(store.raw)
        store.raw = record.format_record(current.renewed(fakes.WALL))
    return renew


class TestObserve(OperationsTestCase):

    def observe(self, raw, seconds=10, pid_exists=lambda pid: True):
        self.make(raw)
        self.plan = operations.plan_takeover(self.store.read(), OTHER,
                                             fakes.WALL, fakes.location())
        self.ticks = []
        return operations.observe(self.store, self.plan, seconds,
                                  clock=self.clock, sleep=self.clock.sleep,
                                  on_tick=self.ticks.append,
                                  machine='this-machine',
                                  pid_exists=pid_exists)

    def test_renewing_holder_is_alive(self):
        self.clock.on_sleep.append(lambda: self.clock.now >= 1003 and
                                   renewal(self.store)())
        error = self.assertRaises(
            exceptions.HolderIsAlive, self.observe,
            stored(HOST, holder=fakes.OTHER_HOLDER))
        self.assertEqual(fakes.OTHER_HOLDER, error.holder)
        self.assertEqual(3, error.observed_seconds)
        self.assertIn('--force', str(error))

    def test_other_change_is_reported(self):
        def release():
            self.store.raw = stored(HOST, seq=6)
        self.clock.on_sleep.append(release)
        self.assertRaises(exceptions.RecordChanged, self.observe,
                          stored(HOST, holder=fakes.OTHER_HOLDER))

    def test_silent_holder_is_dead_after_the_window(self):
        observed = self.observe(stored(HOST, holder=fakes.OTHER_HOLDER), 10)
        self.assertEqual(10, observed)
        self.assertEqual(10, sum(self.clock.sleeps))
        self.assertEqual(10, self.store.calls.count('read') - 1)
        self.assertEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], self.ticks)
        self.assertEqual([], self.store.writes)

    def test_fractional_window_is_bounded(self):
        observed = self.observe(stored(HOST, holder=fakes.OTHER_HOLDER), 2.5)
        self.assertEqual(2.5, observed)
        self.assertEqual([1.0, 1.0, 0.5], self.clock.sleeps)

    def test_local_holder_with_dead_pid_is_dead_at_once(self):
        holder = 'this-machine:4242:abcd0123'
        observed = self.observe(stored(HOST, holder=holder),
                                pid_exists=lambda pid: False)
        self.assertEqual(0, observed)
        self.assertEqual([], self.clock.sleeps)

    def test_nothing_to_observe_without_holder(self):
        self.assertEqual(0, self.observe(stored(HOST)))
        self.assertEqual(['read'], self.store.calls)


class TestApply(OperationsTestCase):

    def apply(self, plan):
        return operations.apply(self.store, self.lock, plan, WHO,
                                sleep=self.clock.sleep, clock=self.clock)

    def test_late_renewal_of_evicted_holder_is_rewritten(self):
        held = stored(HOST, holder=fakes.OTHER_HOLDER)
        renewal = stored(HOST, holder=fakes.OTHER_HOLDER, seq=6)
        plan = self.plan_takeover(held, force=True,
                                  overwrite_with=[renewal])
        self.assertTrue(self.apply(plan).changed)
        self.assertEqual(2, len(self.store.writes))
        self.assertEqual(plan.after, self.stored_record())
        self.assertEqual(1, len(self.store.events))

    def test_evicted_holder_that_keeps_renewing_wins(self):
        held = stored(HOST, holder=fakes.OTHER_HOLDER)
        plan = self.plan_takeover(held, force=True, overwrite_with=stored(
            HOST, holder=fakes.OTHER_HOLDER, seq=6))
        error = self.assertRaises(exceptions.RecordChanged, self.apply,
                                  plan)
        self.assertTrue(error.written)
        self.assertEqual(1 + operations.EVICTION_RETRIES,
                         len(self.store.writes))
        self.assertEqual([], self.store.events)

    def test_forced_change_is_rebased_on_a_renewal_since_the_plan(self):
        plan = self.plan_takeover(stored(HOST, holder=fakes.OTHER_HOLDER),
                                  force=True)
        self.store.raw = stored(HOST, holder=fakes.OTHER_HOLDER, seq=9)
        outcome = self.apply(plan)
        self.assertTrue(outcome.changed)
        self.assertEqual(9, outcome.before.seq)
        after = self.stored_record()
        self.assertEqual(outcome.after, after)
        self.assertEqual(10, after.seq)
        self.assertEqual(OTHER, after.host)

    def test_unforced_change_is_not_rebased(self):
        plan = self.plan_takeover(stored(HOST, holder=fakes.OTHER_HOLDER))
        renewed = stored(HOST, holder=fakes.OTHER_HOLDER, seq=9)
        self.store.raw = renewed
        self.assertRaises(exceptions.RecordChanged, self.apply, plan)
        self.assertNothingWritten(renewed)

    def test_waiting_loser_stops_when_the_record_changes(self):
        plan = self.plan_takeover(stored(HOST))
        self.store.lock_key = 999        # another takeover holds the lock

        def winner_writes():
            self.store.raw = stored('compute-c', seq=6)
        self.clock.on_sleep.append(winner_writes)
        error = self.assertRaises(exceptions.RecordChanged, self.apply, plan)
        self.assertEqual(stored('compute-c', seq=6), error.found)
        self.assertEqual([], self.store.writes)
        self.assertEqual(999, self.store.lock_key)

    def test_other_writer_is_not_overwritten_when_forced(self):
        held = stored(HOST, holder=fakes.OTHER_HOLDER)
        plan = self.plan_takeover(held, force=True,
                                  overwrite_with=[stored('compute-c')])
        self.assertRaises(exceptions.RecordChanged, self.apply, plan)
        self.assertEqual(1, len(self.store.writes))

    def plan_takeover(self, raw, host=OTHER, force=False, **kwargs):
        self.make(raw, **kwargs)
        return operations.plan_takeover(self.store.read(), host, fakes.WALL,
                                        fakes.location(), force)

    def test_record_changed_since_the_plan_is_not_written(self):
        plan = self.plan_takeover(stored(HOST))
        changed = stored(HOST, seq=9)
        self.store.raw = changed
        error = self.assertRaises(exceptions.RecordChanged, operations.apply,
                                  self.store, self.lock, plan, WHO)
        self.assertFalse(error.written)
        self.assertNothingWritten(changed)

    def test_overwritten_write_is_reported(self):
        winner = stored('compute-c', seq=7)
        plan = self.plan_takeover(stored(HOST), overwrite_with=winner)
        error = self.assertRaises(exceptions.RecordChanged, operations.apply,
                                  self.store, self.lock, plan, WHO)
        self.assertTrue(error.written)
        self.assertIn('another process won', str(error))
        self.assertEqual([], self.store.events)
        self.assertIsNone(self.store.lock_key)

    def test_takeover_is_written_released_and_audited(self):
        plan = self.plan_takeover(stored(HOST, holder=fakes.OTHER_HOLDER),
                                  force=True)
        outcome = self.apply(plan)
        self.assertTrue(outcome.changed)
        after = self.stored_record()
        self.assertEqual(plan.after, after)
        self.assertEqual(OTHER, after.host)
        self.assertEqual(HOST, after.previous)
        self.assertEqual(record.RELEASED, after.state)
        # Watched for the settle window: reads at 0, 0.5, 1, 1.5 and 2 s.
        self.assertEqual(
            ['create_lock', 'read', 'write'] + ['read'] * 5 +
            ['remove_lock', 'post_event'], self.store.calls[1:])
        self.assertEqual(operations.EVICTION_SETTLE, sum(self.clock.sleeps))
        event = self.store.events[0]
        for part in ('took over', 'compute-a -> compute-b', WHO, 'forced'):
            self.assertIn(part, event)

    def test_unreadable_replacement_is_noted(self):
        plan = self.plan_takeover(UNREADABLE, force=True)
        operations.apply(self.store, self.lock, plan, WHO)
        self.assertEqual(OTHER, self.stored_record().host)
        self.assertIn('replaced an unreadable value', self.store.events[0])

    def test_release_clears_the_value(self):
        self.make(stored(HOST))
        plan = operations.plan_release(self.store.read(), HOST,
                                       fakes.location())
        outcome = operations.apply(self.store, self.lock, plan, WHO)
        self.assertTrue(outcome.changed)
        self.assertEqual('', self.store.raw)
        self.assertIsNone(self.stored_record())
        self.assertIn('released', self.store.events[0])
        self.assertIn('compute-a -> (none)', self.store.events[0])

    def test_no_op_writes_nothing(self):
        raw = stored(OTHER)
        plan = self.plan_takeover(raw)
        outcome = operations.apply(self.store, self.lock, plan, WHO)
        self.assertFalse(outcome.changed)
        self.assertNothingWritten(raw)

    def test_failed_event_is_logged_not_raised(self):
        plan = self.plan_takeover(stored(HOST), event_error=(
            exceptions.MissingPrivilege('Global.LogEvent', 'LogUserEvent')))
        outcome = operations.apply(self.store, self.lock, plan, WHO)
        self.assertTrue(outcome.changed)
        self.assertIn('Could not post the audit event', self.logger.output)
        self.assertIn('Global.LogEvent', self.logger.output)

    def test_actor_names_user_and_machine(self):
        self.assertRegex(operations.actor(), r'^[^@]+@.+$')

"""The one write path, against the in-memory store and its hooks.

``hooks[(method, n)]`` lets another process act right before our n-th
call of ``method``: at each step of a change. Every test reads back what
the store holds; the return values alone prove nothing.
"""

import logging

import fixtures
from oslotest import base

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import fencing
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import view
from support import fakes

Mirror = view.Mirror
HOST = fakes.HOST
MINE = 'this-machine:100:mine0000'
THEIRS = fakes.OTHER_HOLDER


def held(holder=MINE, host=HOST, seq=1):
    return record_mod.OwnershipRecord(host, holder=holder, seq=seq,
                                      since='2026-11-25T12:00:00Z')


class FencingTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.store = fakes.FakeStore()
        self.other = self.store.twin()
        self.clock = fakes.FakeClock()
        self.logger = self.useFixture(fixtures.FakeLogger(
            name=fencing.__name__, level=logging.INFO))
        self.winner = None

    def other_takes(self, record=None):
        """A hook: another process reads, waits out a change, takes."""
        def act():
            seen = fencing.settle(self.other, self.clock, abandoned_after=0)
            self.winner = fencing.take(
                self.other, seen, record or held(THEIRS)).record
        return act

    def assertOnlyTheWinner(self):
        current = self.store.view()
        self.assertEqual(self.winner, current.record)
        self.assertEqual(self.winner.token, current.token)
        self.assertIs(Mirror.CURRENT, current.mirror)
        self.assertFalse([text for text in
                          self.store.vcenter.values.values()
                          if MINE in text])

    def assertHolds(self, record, mirror=Mirror.CURRENT):
        current = self.store.view()
        self.assertEqual(record, current.record)
        self.assertEqual(record.token, current.token)
        self.assertIs(mirror, current.mirror)


class TakeRaceTestCase(FencingTestCase):
    """Of two processes changing one reading, exactly one wins."""

    def setUp(self):
        super().setUp()
        self.before = self.store.put(held(THEIRS, seq=4))
        self.seen = self.store.view()

    def test_another_process_changes_it_before_our_removal(self):
        self.store.hooks[('remove_lease', 1)] = self.other_takes()
        error = self.assertRaises(exceptions.RecordChanged, fencing.take,
                                  self.store, self.seen, held())
        self.assertIn('replaced lease %d first' % self.before.token,
                      str(error))
        self.assertEqual(['remove_lease'], self.store.calls)
        self.assertOnlyTheWinner()

    def test_another_process_creates_between_our_removal_and_creation(self):
        self.store.hooks[('create_lease', 1)] = self.other_takes()
        error = self.assertRaises(exceptions.RecordChanged, fencing.take,
                                  self.store, self.seen, held())
        self.assertIn('created a new lease first', str(error))
        self.assertEqual(['remove_lease', 'create_lease'], self.store.calls)
        self.assertOnlyTheWinner()

    def test_another_process_revokes_between_our_creation_and_write(self):
        self.store.hooks[('write_lease', 1)] = self.other_takes()
        error = self.assertRaises(exceptions.RecordChanged, fencing.take,
                                  self.store, self.seen, held())
        self.assertIn('before this change was written', str(error))
        self.assertEqual(['remove_lease', 'create_lease', 'write_lease'],
                         self.store.calls)
        self.assertOnlyTheWinner()

    def test_a_claim_of_an_unowned_cluster_loses_to_an_earlier_one(self):
        store = fakes.FakeStore()
        self.store, self.other = store, store.twin()
        store.hooks[('create_lease', 1)] = self.other_takes()
        self.assertRaises(exceptions.RecordChanged, fencing.take, store,
                          store.view(), held())
        self.assertOnlyTheWinner()

    def test_a_pending_reading_is_not_changed(self):
        self.store.start_change()
        self.assertRaises(exceptions.RecordChanged, fencing.take,
                          self.store, self.store.view(), held())
        self.assertEqual([], self.store.calls)

    def test_a_paused_writer_loses_its_abandoned_lease(self):
        # This process stalls right after creating its lease; another one
        # finds the lease without a value, waits ABANDONED_AFTER seconds of
        # its own clock, breaks it and takes over. The stalled write then
        # arrives and is refused by vCenter.
        removed_at = []
        self.other.hooks[('remove_lease', 1)] = \
            lambda: removed_at.append(self.clock.now())

        def stalled():
            seen = fencing.settle(self.other, self.clock)
            self.winner = fencing.take(self.other, seen,
                                       held(THEIRS)).record
        self.store.hooks[('write_lease', 1)] = stalled
        start = self.clock.now()
        self.assertRaises(exceptions.RecordChanged, fencing.take,
                          self.store, self.seen, held())
        self.assertGreaterEqual(removed_at[0] - start,
                                fencing.ABANDONED_AFTER)
        self.assertIn('Clearing an abandoned change', self.logger.output)
        self.assertOnlyTheWinner()

    def test_a_late_copy_does_not_count(self):
        # Stalled between its lease and its copy, this process is deposed;
        # its copy lands afterwards, under its revoked token.
        self.store.hooks[('write_attribute', 1)] = self.other_takes()
        late = fencing.take(self.store, self.seen, held())
        current = self.store.view()
        self.assertEqual(self.winner, current.record)
        self.assertIs(Mirror.STALE, current.mirror)
        self.assertEqual(late.key, record_mod.parse_record(
            current.reading.attribute_raw).token)
        self.assertRaises(exceptions.OwnershipLost, late.write,
                          late.record.renewed(fakes.WALL))
        self.assertEqual(self.winner, self.store.view().record)


class TakeTestCase(FencingTestCase):

    def test_first_claim(self):
        tenure = fencing.take(self.store, self.store.view(), held())
        self.assertEqual(['create_lease', 'write_lease', 'ensure_attribute',
                          'write_attribute'], self.store.calls)
        self.assertEqual(held().with_token(tenure.key), tenure.record)
        self.assertFalse(tenure.closed)
        self.assertHolds(tenure.record)

    def test_change_of_a_leased_record(self):
        before = self.store.put(held(THEIRS, seq=4))
        tenure = fencing.take(self.store, self.store.view(), held(seq=5))
        self.assertEqual(['remove_lease', 'create_lease', 'write_lease',
                          'write_attribute'], self.store.calls)
        self.assertNotEqual(before.token, tenure.key)
        self.assertHolds(tenure.record)
        self.assertRaises(exceptions.DefinitionGone,
                          self.store.write_lease, before.token, 'late')

    def test_change_of_a_hand_typed_record(self):
        self.store.type_by_hand(HOST)
        tenure = fencing.take(self.store, self.store.view(), held())
        self.assertNotIn('remove_lease', self.store.calls)
        self.assertHolds(tenure.record)

    def test_change_of_an_unreadable_lease(self):
        self.store.type_by_hand('{broken', name=self.store.lease_name)
        seen = self.store.view()
        self.assertIsNotNone(seen.error)
        tenure = fencing.take(self.store, seen, held())
        self.assertHolds(tenure.record)


class TenureTestCase(FencingTestCase):

    def setUp(self):
        super().setUp()
        self.tenure = fencing.take(self.store, self.store.view(), held())
        self.store.calls[:] = []

    def test_write_after_a_takeover_is_refused(self):
        theirs = self.store.put(held(THEIRS, seq=9))
        error = self.assertRaises(exceptions.OwnershipLost,
                                  self.tenure.write,
                                  self.tenure.record.renewed(fakes.WALL))
        self.assertIn('revoked it', str(error))
        self.assertEqual(MINE, error.holder)
        self.assertEqual(['write_lease'], self.store.calls)
        self.assertHolds(theirs)

    def test_write_after_the_lease_was_removed_by_hand(self):
        self.store.remove_definition(self.store.lease_name)
        self.assertRaises(exceptions.OwnershipLost, self.tenure.write,
                          self.tenure.record.renewed(fakes.WALL))
        self.assertIsNone(self.store.view().token)

    def test_nothing_is_written_after_close(self):
        before = self.tenure.record
        self.tenure.close()
        error = self.assertRaises(exceptions.OwnershipLost,
                                  self.tenure.write, before.renewed(
                                      fakes.WALL))
        self.assertIn('stepped down', str(error))
        self.assertEqual([], self.store.calls)
        self.assertTrue(self.tenure.closed)
        self.assertHolds(before)

    def test_renewal_writes_the_lease_alone(self):
        written = self.tenure.write(self.tenure.record.renewed(fakes.WALL),
                                    copy=False)
        self.assertEqual(['write_lease'], self.store.calls)
        self.assertEqual(2, written.seq)
        self.assertEqual(self.tenure.key, written.token)
        self.assertIs(written, self.tenure.record)
        current = self.store.view()
        self.assertEqual(written, current.lease)
        self.assertEqual(1, record_mod.parse_record(
            current.reading.attribute_raw).seq)
        self.assertIs(Mirror.CURRENT, current.mirror)

    def write_copy(self):
        """A renewal that copies, decided on what is read now."""
        return self.tenure.write(self.tenure.record.renewed(fakes.WALL),
                                 self.store.view())

    def test_a_cleared_copy_is_repaired(self):
        self.store.type_by_hand('')
        self.assertIs(Mirror.CLEARED, self.store.view().mirror)
        self.assertHolds(self.write_copy())

    def test_a_stale_copy_is_repaired(self):
        self.store.type_by_hand(record_mod.format_record(
            held(THEIRS, seq=80).with_token(self.tenure.key - 1)))
        self.assertIs(Mirror.STALE, self.store.view().mirror)
        self.assertHolds(self.write_copy())

    def test_a_removed_definition_is_recreated(self):
        key = self.store.view().reading.attribute_key
        self.store.remove_definition(self.store.attribute_name)
        self.assertIs(Mirror.CLEARED, self.store.view().mirror)
        self.assertHolds(self.write_copy())
        self.assertIn('ensure_attribute', self.store.calls)
        self.assertNotEqual(key, self.store.view().reading.attribute_key)

    def test_a_definition_removed_since_the_reading_is_recreated(self):
        seen = self.store.view()
        self.store.remove_definition(self.store.attribute_name)
        written = self.tenure.write(self.tenure.record.renewed(fakes.WALL),
                                    seen)
        self.assertEqual(['write_lease', 'write_attribute',
                          'ensure_attribute', 'write_attribute'],
                         self.store.calls)
        self.assertIn('creating it again', self.logger.output)
        self.assertHolds(written)


class ClearTestCase(FencingTestCase):

    def test_a_pending_reading_is_not_cleared(self):
        before = self.store.put(held(THEIRS))
        self.store.start_change()
        self.assertRaises(exceptions.RecordChanged, fencing.clear,
                          self.store, self.store.view())
        self.assertEqual([], self.store.calls)
        self.assertEqual(record_mod.format_record(before),
                         self.store.view().reading.attribute_raw)

    def test_a_record_changed_since_the_reading_is_not_cleared(self):
        self.store.put(held(THEIRS))
        seen = self.store.view()
        theirs = self.store.put(held(THEIRS, seq=2))
        self.assertRaises(exceptions.RecordChanged, fencing.clear,
                          self.store, seen)
        self.assertHolds(theirs)

    def test_clear(self):
        self.store.put(held(THEIRS))
        fencing.clear(self.store, self.store.view())
        self.assertEqual(['remove_lease', 'write_attribute'],
                         self.store.calls)
        current = self.store.view()
        self.assertTrue(current.unowned)
        self.assertIsNone(current.token)
        self.assertEqual('', current.reading.attribute_raw)

    def test_clear_a_hand_typed_value(self):
        self.store.type_by_hand(HOST)
        fencing.clear(self.store, self.store.view())
        self.assertEqual(['write_attribute'], self.store.calls)
        self.assertTrue(self.store.view().unowned)

    def test_clear_without_the_attribute_definition(self):
        self.store.put(held(THEIRS))
        self.store.remove_definition(self.store.attribute_name)
        fencing.clear(self.store, self.store.view())
        self.assertTrue(self.store.view().unowned)

    def test_clear_an_attribute_removed_since_the_reading(self):
        self.store.put(held(THEIRS))
        seen = self.store.view()
        self.store.remove_definition(self.store.attribute_name)
        fencing.clear(self.store, seen)
        self.assertTrue(self.store.view().unowned)


class SettleTestCase(FencingTestCase):

    def setUp(self):
        super().setUp()
        self.before = self.store.put(held(THEIRS))
        self.waits = []

    def settle(self, **kwargs):
        return fencing.settle(self.store, self.clock,
                              on_wait=lambda: self.waits.append(
                                  self.clock.now()), **kwargs)

    def test_gives_up_on_a_change_that_keeps_going(self):
        # Another process starts a new change each time we look: none of
        # them is abandoned, and this one cannot wait forever.
        self.store.start_change()
        self.clock.on_sleep.append(self.store.start_change)
        start = self.clock.now()
        error = self.assertRaises(exceptions.RecordBusy, self.settle,
                                  abandoned_after=5, timeout=20)
        self.assertGreaterEqual(error.waited, 20)
        self.assertLess(self.clock.now() - start, 20 + 1)
        self.assertIn(self.store.lease_name, str(error))
        self.assertNotIn('remove_lease', self.store.calls)
        self.assertEqual(1, len(self.waits))

    def test_does_not_break_a_change_before_it_is_abandoned(self):
        token = self.store.start_change()
        self.assertRaises(exceptions.RecordBusy, self.settle,
                          abandoned_after=60, timeout=59)
        self.assertNotIn('remove_lease', self.store.calls)
        self.assertEqual(token, self.store.view().token)
        self.assertTrue(self.store.view().pending)

    def test_breaks_an_abandoned_change(self):
        token = self.store.start_change()
        removed_at = []
        self.store.hooks[('remove_lease', 1)] = \
            lambda: removed_at.append(self.clock.now())
        start = self.clock.now()
        result = self.settle()
        self.assertGreaterEqual(removed_at[0] - start,
                                fencing.ABANDONED_AFTER)
        self.assertLess(removed_at[0] - start, fencing.ABANDONED_AFTER +
                        1.5 * fencing.SETTLE_POLL + 1e-9)
        self.assertFalse(result.pending)
        self.assertIsNone(result.token)
        self.assertIsNone(self.store.view().token)
        # What the attribute held stays: the change never happened.
        self.assertEqual(self.before, result.record)
        self.assertIn('key %d' % token, self.logger.output)
        self.assertEqual(1, len(self.waits))

    def test_the_watch_starts_again_for_each_new_change(self):
        self.store.start_change()
        replaced = []

        def replace_once():
            if self.clock.now() - self.clock.start > 20 and not replaced:
                replaced.append(self.store.start_change())
        self.clock.on_sleep.append(replace_once)
        removed_at = []
        self.store.hooks[('remove_lease', 1)] = \
            lambda: removed_at.append(self.clock.now())
        self.settle(abandoned_after=30, timeout=300)
        self.assertGreaterEqual(removed_at[0] - self.clock.start, 20 + 30)

    def test_waits_out_a_change_that_completes(self):
        self.store.start_change()
        self.store.hooks[('read', 3)] = lambda: self.store.put(held(THEIRS,
                                                                    seq=2))
        result = self.settle()
        self.assertEqual(held(THEIRS, seq=2), result.record.with_token(None))
        self.assertNotIn('remove_lease', self.store.calls)
        self.assertEqual(['read'] * 3, self.store.calls)
        self.assertEqual(1, len(self.waits))

    def test_a_change_cleared_by_someone_else_meanwhile(self):
        token = self.store.start_change()

        def cleared_first():
            self.other.remove_lease(token)
        self.store.hooks[('remove_lease', 1)] = cleared_first
        result = self.settle(abandoned_after=1)
        self.assertFalse(result.pending)
        self.assertIn('remove_lease', self.store.calls)

    def test_no_change_in_progress(self):
        result = self.settle()
        self.assertEqual(self.before, result.record)
        self.assertEqual(['read'], self.store.calls)
        self.assertEqual([], self.clock.slept)
        self.assertEqual([], self.waits)

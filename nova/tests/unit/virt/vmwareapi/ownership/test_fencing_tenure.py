"""The one write path while held: tenure, clearing and settling.

A write after a takeover, a removal by hand or close is refused, a
renewal writes the lease alone and repairs copies; a clear refuses a
reading that is pending or changed; settling waits out, gives up on or
breaks a change in progress. In-memory store and hooks, as
``test_fencing``.
"""

from nova.tests.unit.virt.vmwareapi.ownership import test_fencing
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import fencing
from nova.virt.vmwareapi.ownership import record as record_mod
from support import fakes

held = test_fencing.held
THEIRS = test_fencing.THEIRS
Mirror = test_fencing.Mirror


class TenureTestCase(test_fencing.FencingTestCase):

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
        self.assertEqual(test_fencing.MINE, error.holder)
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


class ClearTestCase(test_fencing.FencingTestCase):

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
        self.assertEqual(['require', 'remove_lease', 'write_attribute'],
                         self.store.calls)
        current = self.store.view()
        self.assertTrue(current.unowned)
        self.assertIsNone(current.token)
        self.assertEqual('', current.reading.attribute_raw)

    def test_clear_a_hand_typed_value(self):
        self.store.type_by_hand(test_fencing.HOST)
        fencing.clear(self.store, self.store.view())
        self.assertEqual(['require', 'write_attribute'], self.store.calls)
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


class SettleTestCase(test_fencing.FencingTestCase):

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

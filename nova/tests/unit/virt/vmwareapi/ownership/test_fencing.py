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
        self.assertEqual(['require', 'remove_lease'], self.store.calls)
        self.assertOnlyTheWinner()

    def test_another_process_creates_between_our_removal_and_creation(self):
        self.store.hooks[('create_lease', 1)] = self.other_takes()
        error = self.assertRaises(exceptions.RecordChanged, fencing.take,
                                  self.store, self.seen, held())
        self.assertIn('created a new lease first', str(error))
        self.assertEqual(['require', 'remove_lease', 'create_lease'],
                         self.store.calls)
        self.assertOnlyTheWinner()

    def test_another_process_revokes_between_our_creation_and_write(self):
        self.store.hooks[('write_lease', 1)] = self.other_takes()
        error = self.assertRaises(exceptions.RecordChanged, fencing.take,
                                  self.store, self.seen, held())
        self.assertIn('before this change was written', str(error))
        self.assertEqual(['require', 'remove_lease', 'create_lease',
                          'write_lease'], self.store.calls)
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
        self.assertEqual(['require', 'create_lease', 'write_lease',
                          'ensure_attribute', 'write_attribute'],
                         self.store.calls)
        self.assertEqual(held().with_token(tenure.key), tenure.record)
        self.assertFalse(tenure.closed)
        self.assertHolds(tenure.record)

    def test_change_of_a_leased_record(self):
        before = self.store.put(held(THEIRS, seq=4))
        tenure = fencing.take(self.store, self.store.view(), held(seq=5))
        self.assertEqual(['require', 'remove_lease', 'create_lease',
                          'write_lease', 'write_attribute'], self.store.calls)
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

"""Writes whose outcome is unknown (issue 19): ``unconfirmed``, through
``fencing``'s write path, against the in-memory store.

A write whose answer never came (a timeout, a lost answer, a re-login:
``WriteUnconfirmed``) is never sent again and never counted blind: the
write path reads again and decides from what vCenter holds. Landed: it
counts. Not landed, the lease still as this writer left it: a failed
write. Anything else (the key gone, another holder's record under it, even
under the same key handed out again by a restored vCenter): not ours. No
reading: the outcome stays unknown (``ChangeOutcomeUnknown``).
"""

import logging

import fixtures
from oslotest import base

from nova.tests.unit.virt.vmwareapi.ownership import test_fencing
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import fencing
from nova.virt.vmwareapi.ownership import guard as guard_mod
from nova.virt.vmwareapi.ownership import unconfirmed
from nova.virt.vmwareapi.ownership import view
from support import fakes

HOST = fakes.HOST
MINE = test_fencing.MINE
THEIRS = fakes.OTHER_HOLDER
held = test_fencing.held


def unreachable():
    raise exceptions.VCenterError('vCenter is down')


class UnconfirmedTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.store = fakes.FakeStore()
        self.logger = self.useFixture(fixtures.FakeLogger(
            name=unconfirmed.__name__, level=logging.INFO))

    def not_carried_out(self, method, nth=1, meanwhile=None):
        """The ``nth`` call of ``method`` never reaches vCenter.

        Its answer is lost all the same; ``meanwhile`` acts before.
        """
        def act():
            if meanwhile is not None:
                meanwhile()
            fakes.unconfirmed(method)
        self.store.hooks[(method, nth)] = act


class RenewalTestCase(UnconfirmedTestCase):
    """A holder's write through its own lease."""

    def setUp(self):
        super().setUp()
        self.tenure = fencing.take(self.store, self.store.view(), held())
        self.before = self.store.view()
        self.store.calls[:] = []

    def renew(self):
        current = self.store.view()
        return self.tenure.write(current.lease.renewed(fakes.WALL), current,
                                 copy=False)

    def test_landed_without_an_answer_counts(self):
        self.store.lost_answers.add(('write_lease', 1))
        renewed = self.renew()
        self.assertEqual(renewed, self.store.view().lease)
        self.assertEqual(2, renewed.seq)
        self.assertEqual(['write_lease', 'read'], self.store.calls)
        self.assertIn('landed although vCenter did not confirm it',
                      self.logger.output)

    def test_not_landed_is_a_failed_write_never_repeated(self):
        # Issue 19: a NotAuthenticated answer made it count as done.
        self.not_carried_out('write_lease')
        self.assertRaises(exceptions.WriteUnconfirmed, self.renew)
        self.assertEqual(['write_lease', 'read'], self.store.calls)
        self.assertEqual(self.before.lease, self.store.view().lease)
        self.assertFalse(self.tenure.closed)
        self.assertEqual(2, self.renew().seq, 'the next renewal works')

    def test_taken_over_meanwhile_is_lost(self):
        other = self.store.twin()
        self.not_carried_out('write_lease', meanwhile=lambda: fencing.take(
            other, other.view(), held(THEIRS, seq=2)))
        error = self.assertRaises(exceptions.OwnershipLost, self.renew)
        self.assertIn('did not confirm the write through lease %d'
                      % self.tenure.key, str(error))
        self.assertIn('gone', str(error))
        self.assertEqual(THEIRS, self.store.view().lease.holder)

    def test_the_same_key_handed_out_again_is_not_ours(self):
        # A vCenter restored from a backup (or vcsim restarted) handed the
        # key of this lease to a new holder: a stale writer deposes itself,
        # never the new holder.
        theirs = held(THEIRS, seq=1)
        self.not_carried_out('write_lease', meanwhile=lambda: self.store
                             .restore(theirs, self.tenure.key))
        error = self.assertRaises(exceptions.OwnershipLost, self.renew)
        self.assertIn('naming holder %s' % THEIRS, str(error))
        current = self.store.view()
        self.assertEqual((self.tenure.key, THEIRS),
                         (current.token, current.lease.holder))

    def test_no_reading_leaves_it_unknown(self):
        self.not_carried_out('write_lease')
        self.store.hooks[('read', 1)] = unreachable
        error = self.assertRaises(exceptions.ChangeOutcomeUnknown,
                                  self.renew)
        self.assertIsInstance(error, exceptions.VCenterError)
        for part in ('may or may not have landed', 'no answer (timed out)',
                     'vCenter is down', 'nova-vmware-owner show'):
            self.assertIn(part, str(error))

    def test_lost_copy_answer_still_counts(self):
        self.store.lost_answers.add(('write_attribute', 1))
        current = self.store.view()
        written = self.tenure.write(current.lease.renewed(fakes.WALL),
                                    current)
        self.assertEqual(written, self.store.view().lease)
        self.assertIsInstance(self.tenure.copy_error,
                              exceptions.WriteUnconfirmed)


class TakeTestCase(UnconfirmedTestCase):
    """A change through a new lease (claim, takeover, a standby's take)."""

    def take(self, record=None):
        return fencing.take(self.store, self.store.view(),
                            record or held(None))

    def test_landed_without_an_answer_counts(self):
        self.store.lost_answers.add(('write_lease', 1))
        tenure = self.take()
        current = self.store.view()
        self.assertEqual((tenure.key, tenure.record),
                         (current.token, current.record))
        self.assertIs(view.Mirror.CURRENT, current.mirror)

    def test_not_landed_withdraws_its_lease(self):
        # Issue 19: "claim" printed Claimed with the record empty.
        self.not_carried_out('write_lease')
        error = self.assertRaises(exceptions.RecordChanged, self.take)
        self.assertIn('did not confirm the write through lease 0',
                      str(error))
        self.assertIn('withdrawn', str(error))
        current = self.store.view()
        self.assertTrue(current.unowned)
        self.assertIsNone(current.token, 'its empty lease was revoked')
        self.assertEqual(['require', 'create_lease', 'write_lease', 'read',
                          'remove_lease'], self.store.calls)

    def test_the_same_key_handed_out_again_is_left_alone(self):
        # Created key 0 on a vCenter that then restarted and gave key 0 to
        # another writer: its lease is not ours to revoke.
        theirs = held(THEIRS, seq=1)
        self.not_carried_out('write_lease', meanwhile=lambda: self.store
                             .restore(theirs, 0))
        self.assertRaises(exceptions.RecordChanged, self.take)
        current = self.store.view()
        self.assertEqual((0, THEIRS), (current.token, current.lease.holder))
        self.assertNotIn('remove_lease', self.store.calls)

    def test_no_reading_leaves_it_unknown(self):
        self.not_carried_out('write_lease')
        self.store.hooks[('read', 1)] = unreachable
        error = self.assertRaises(exceptions.ChangeOutcomeUnknown, self.take)
        self.assertIn('may or may not have landed', str(error))


class RevokeOrCreateTestCase(UnconfirmedTestCase):
    """The revocation or creation of a lease vCenter did not confirm.

    The change is decided again from a fresh reading.
    """

    def test_a_revocation_without_its_answer(self):
        self.store.put(held(THEIRS))
        self.store.lost_answers.add(('remove_lease', 1))
        error = self.assertRaises(exceptions.RecordChanged, fencing.take,
                                  self.store, self.store.view(), held())
        self.assertIn('did not confirm the revocation of lease 0',
                      str(error))
        self.assertIn('deciding again', str(error))
        self.assertEqual(['require', 'remove_lease', 'read'],
                         self.store.calls)

    def test_a_creation_without_its_answer_is_revoked(self):
        self.store.lost_answers.add(('create_lease', 1))
        error = self.assertRaises(exceptions.RecordChanged, fencing.take,
                                  self.store, self.store.view(), held())
        self.assertIn('lease 0, left without a value, was revoked',
                      str(error))
        self.assertIsNone(self.store.view().token)

    def test_no_reading_leaves_it_unknown(self):
        self.store.lost_answers.add(('create_lease', 1))
        self.store.hooks[('read', 1)] = unreachable
        error = self.assertRaises(exceptions.ChangeOutcomeUnknown,
                                  fencing.take, self.store,
                                  self.store.view(), held())
        self.assertIn('the creation of a lease', str(error))

    def test_a_starting_guard_decides_again_and_claims(self):
        self.store.lost_answers.add(('create_lease', 1))
        guard = guard_mod.OwnershipGuard(self.store, HOST, fakes.settings(),
                                         holder=MINE,
                                         clock=fakes.FakeClock())
        record = guard.start()
        current = self.store.view()
        self.assertEqual((MINE, 1, guard.tenure.key),
                         (current.lease.holder, current.token, record.token))

"""The guard after its start: renewal, the node, release, step-down.

Without a lease a start is one round trip and nothing is renewed; with
one, renewal notices every way the lease can be lost and repairs copies
of this host's own record; the node is recorded, a release and a
step-down write nothing after them, and a missing privilege is refused
before the first write. In-memory store, as ``test_guard``.
"""

from nova.tests.unit.virt.vmwareapi.ownership import test_guard
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import guard
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import refusals
from support import fakes

NODE = test_guard.NODE
released = test_guard.released
held = test_guard.held


class NoLeaseTestCase(test_guard.GuardTestCase):
    """``lease_duration = 0``: the record is a plain owner tag."""

    def test_start_as_the_owner_is_one_round_trip(self):
        self.identity.node = NODE
        for before in (released(node=NODE), held(node=NODE)):
            with self.subTest(before=before):
                self.store.put(before)
                self.store.calls[:] = []
                result = self.make(lease_duration=0).start()
                self.assertEqual(['read'], self.store.calls)
                self.assertEqual(before.with_token(result.token), result)

    def test_restores_the_node_without_writing(self):
        self.store.put(released(node=NODE))
        self.make(lease_duration=0).start()
        self.assertEqual([NODE], self.identity.written)
        self.assertEqual(['read'], self.store.calls)

    def test_records_the_node(self):
        self.identity.node = NODE
        self.store.put(released(seq=5))
        result = self.make(lease_duration=0).start()
        self.assertEqual((NODE, 6, None), (result.node, result.seq,
                                           result.holder))
        self.assertEqual(result, self.current().record)

    def test_release_and_renew_do_nothing(self):
        subject = self.make(lease_duration=0)
        subject.start()
        self.store.calls[:] = []
        self.assertFalse(subject.release())
        self.assertRaises(exceptions.OwnershipLost, subject.renew)
        self.assertEqual([], self.store.calls)


class RenewTestCase(test_guard.GuardTestCase):

    def setUp(self):
        super().setUp()
        self.subject = self.started()
        self.mine = self.current().record

    def assertLost(self, *words):
        before = self.current()
        error = self.assertRaises(exceptions.OwnershipLost,
                                  self.subject.renew)
        for word in words:
            self.assertIn(word, str(error))
        self.assertEqual(test_guard.MINE, error.holder)
        self.assertEqual(['read'], self.store.calls)
        self.assertUnchanged(before)
        self.assertTrue(self.subject.tenure.closed)
        # Once lost, nothing more is read or written.
        self.store.calls[:] = []
        self.assertRaises(exceptions.OwnershipLost, self.subject.renew)
        self.assertEqual([], self.store.calls)

    def test_lost_to_a_takeover(self):
        self.store.put(held())
        self.assertLost('replaced by lease')

    def test_lost_to_a_rotation_of_the_lease(self):
        # The same record under a new lease: someone else changed it.
        self.store.put(self.mine)
        self.assertLost('replaced by lease')

    def test_lost_when_the_lease_was_removed(self):
        self.store.remove_definition(self.store.lease_name)
        self.assertLost('is gone')

    def test_lost_when_edited_to_another_host(self):
        self.store.type_by_hand(fakes.OTHER_HOST)
        self.assertLost('names host compute-b')
        self.assertEqual(fakes.OTHER_HOST,
                         self.current().reading.attribute_raw)

    def test_lost_when_unreadable(self):
        self.store.type_by_hand('{broken')
        self.assertLost('unreadable')

    def test_lost_when_the_lease_became_unreadable(self):
        self.store.type_by_hand('[]', name=self.store.lease_name)
        self.assertLost('unreadable')

    def test_renewal(self):
        renewed = self.subject.renew()
        self.assertEqual(['read', 'write_lease'], self.store.calls)
        self.assertEqual(self.mine.seq + 1, renewed.seq)
        self.assertEqual(renewed, self.current().lease)
        self.assertIs(renewed, self.subject.tenure.record)
        self.assertNotIn('into it again', self.logger.output)

    def assertRepaired(self, words):
        renewed = self.subject.renew()
        self.assertEqual(['read', 'write_lease'], self.store.calls[:2])
        self.assertHeldByMe(renewed)
        self.assertIn(words, self.logger.output)

    def test_repairs_a_cleared_copy(self):
        self.store.type_by_hand('')
        self.assertRepaired('was cleared')
        self.assertEqual(3, len(self.store.calls))

    def test_repairs_a_stale_copy(self):
        self.store.type_by_hand(record_mod.format_record(held(
            host=fakes.OTHER_HOST, seq=99).with_token(self.mine.token - 1)))
        self.assertRepaired('written under a revoked lease')

    def test_recreates_a_removed_attribute(self):
        self.store.remove_definition(self.store.attribute_name)
        self.assertRepaired('its definition removed')
        self.assertIn('ensure_attribute', self.store.calls)

    def test_repairs_a_hand_edit_of_the_same_host(self):
        self.store.type_by_hand(fakes.HOST)
        self.assertRepaired('edited by hand to name this same host')


class RecordNodeTestCase(test_guard.GuardTestCase):

    def test_mismatch(self):
        subject = self.started()
        before = self.current()
        error = self.assertRaises(refusals.NodeIdentityMismatch,
                                  subject.record_node, test_guard.OTHER_NODE)
        self.assertEqual((NODE, test_guard.OTHER_NODE),
                         (error.recorded, error.local))
        self.assertUnchanged(before)

    def test_lost(self):
        subject = self.started()
        self.store.type_by_hand(fakes.OTHER_HOST)
        before = self.current()
        self.assertRaises(exceptions.OwnershipLost, subject.record_node,
                          NODE)
        self.assertUnchanged(before)

    def test_lost_without_lease(self):
        subject = self.make(lease_duration=0)
        subject.start()
        self.store.put(released(fakes.OTHER_HOST))
        self.assertRaises(exceptions.OwnershipLost, subject.record_node,
                          NODE)

    def test_records_the_node(self):
        subject = self.make(identity=False)
        subject.start()
        seq = self.current().record.seq
        self.store.calls[:] = []
        subject.record_node(NODE)
        now = self.current().record
        self.assertEqual((NODE, seq + 1), (now.node, now.seq))
        self.assertEqual(now, subject.tenure.record)
        self.assertHeldByMe(now)
        self.assertEqual(['read', 'write_lease', 'write_attribute'],
                         self.store.calls)

    def test_records_the_node_without_lease(self):
        subject = self.make(identity=False, lease_duration=0)
        subject.start()
        subject.record_node(NODE)
        now = self.current().record
        self.assertEqual((NODE, record_mod.RELEASED), (now.node, now.state))
        self.assertIsNone(subject.tenure)

    def test_already_recorded(self):
        subject = self.started()
        subject.record_node(NODE)
        self.assertEqual(['read'], self.store.calls)

    def test_sync_off(self):
        subject = self.started(sync_node_identity=False)
        subject.record_node(test_guard.OTHER_NODE)
        self.assertEqual([], self.store.calls)


class ReleaseTestCase(test_guard.GuardTestCase):

    def test_not_after_losing(self):
        subject = self.started()
        theirs = self.store.put(held())
        self.assertFalse(subject.release())
        self.assertEqual(['read'], self.store.calls)
        self.assertEqual(theirs, self.current().record)
        self.assertIn('Not releasing', self.logger.output)
        self.store.calls[:] = []
        self.assertFalse(subject.release())
        self.assertEqual([], self.store.calls)

    def test_release(self):
        subject = self.started()
        before = self.current().record
        self.assertTrue(subject.release())
        after = self.current().record
        self.assertEqual((fakes.HOST, NODE, None, record_mod.RELEASED),
                         (after.host, after.node, after.holder, after.state))
        self.assertEqual(before.seq + 1, after.seq)
        self.assertEqual(['read', 'write_lease', 'write_attribute'],
                         self.store.calls)
        self.assertTrue(subject.tenure.closed)
        self.store.calls[:] = []
        self.assertRaises(exceptions.OwnershipLost, subject.renew)
        self.assertFalse(subject.release())
        self.assertEqual([], self.store.calls)

    def test_a_standby_takes_a_released_record_at_once(self):
        subject = self.started()
        subject.release()
        other = guard.OwnershipGuard(self.store.twin(), fakes.HOST,
                                     fakes.settings(),
                                     holder=fakes.OTHER_HOLDER,
                                     clock=self.clock)
        self.assertEqual(fakes.OTHER_HOLDER, other.start().holder)
        self.assertEqual([], self.clock.slept)


class StepDownTestCase(test_guard.GuardTestCase):

    def test_writes_nothing_after(self):
        subject = self.started()
        before = self.current()
        subject.step_down()
        self.assertRaises(exceptions.OwnershipLost, subject.renew)
        self.assertFalse(subject.release())
        self.assertRaises(exceptions.OwnershipLost, subject.tenure.write,
                          before.record.renewed(fakes.WALL))
        self.assertEqual([], self.store.calls)
        self.assertUnchanged(before)

    def test_without_tenure(self):
        subject = self.make()
        subject.step_down()
        self.assertIsNone(subject.tenure)


class PrivilegeTestCase(test_guard.GuardTestCase):
    """A start that would write, refused for a missing privilege."""

    def test_a_claim_is_refused_before_writing(self):
        self.store.withheld = {'Global.ManageCustomFields'}
        error = self.assertRaises(exceptions.MissingPrivilege,
                                  self.make().start)
        self.assertEqual(['read', 'require'], self.store.calls)
        self.assertEqual({}, self.store.vcenter.definitions)
        self.assertIn('Global.ManageCustomFields on the root folder',
                      str(error))
        self.assertIn('nova-compute of host %s' % fakes.HOST, str(error))

    def test_taking_a_released_lease_is_refused_before_revoking_it(self):
        before = self.store.put(released())
        self.store.withheld = {'Global.SetCustomField'}
        self.assertRaises(exceptions.MissingPrivilege, self.make().start)
        self.assertEqual(before, self.current().record)
        self.assertEqual(before.token, self.current().token)

    def test_a_steady_start_without_a_lease_checks_nothing(self):
        # Nothing to write: one round trip, as before.
        self.store.put(released())
        self.store.withheld = {'Global.SetCustomField',
                               'Global.ManageCustomFields'}
        self.make(identity=False, lease_duration=0).start()
        self.assertEqual(['read'], self.store.calls)

    def test_require_privileges(self):
        subject = self.make()
        subject.require_privileges()
        self.store.withheld = {'Global.SetCustomField', 'Global.LogEvent'}
        error = self.assertRaises(exceptions.MissingPrivilege,
                                  subject.require_privileges)
        # The guard posts no event: LogEvent is not its business.
        self.assertEqual(('Global.SetCustomField', ()),
                         (error.privilege, error.also))
        self.assertEqual(['require', 'require'], self.store.calls)

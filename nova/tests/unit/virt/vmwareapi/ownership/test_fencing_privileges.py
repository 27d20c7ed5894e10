"""The one write path: missing privileges, and key 0.

A change the user may not make is refused before its first write (the
store's ``require``), so no lease is revoked that could not be replaced;
and a key of 0, the first one the simulator hands out, is a key like any
other. In-memory store, as ``test_fencing``.
"""

from nova.tests.unit.virt.vmwareapi.ownership import test_fencing
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import fencing
from nova.virt.vmwareapi.ownership import privileges
from support import fakes

HOST = fakes.HOST
THEIRS = test_fencing.THEIRS
held = test_fencing.held
FencingTestCase = test_fencing.FencingTestCase


class PrivilegeTestCase(FencingTestCase):
    """A change the user may not make is refused before its first write."""

    def refused(self, call, *args, **kwargs):
        before = (dict(self.store.vcenter.definitions),
                  dict(self.store.vcenter.values))
        error = self.assertRaises(exceptions.MissingPrivilege, call,
                                  *args, **kwargs)
        self.assertEqual(['require'], self.store.calls)
        self.assertEqual(before, (self.store.vcenter.definitions,
                                  self.store.vcenter.values))
        self.assertTrue(error.checked)
        self.assertEqual(fakes.FakeStore.USERNAME, error.username)
        return error

    def test_take_names_each_privilege_lacking(self):
        theirs = self.store.put(held(THEIRS))
        for withheld in (['Global.ManageCustomFields'],
                         ['Global.SetCustomField'],
                         ['Global.ManageCustomFields',
                          'Global.SetCustomField']):
            with self.subTest(withheld=withheld):
                self.store.withheld = set(withheld)
                self.store.calls[:] = []
                error = self.refused(fencing.take, self.store,
                                     self.store.view(), held(),
                                     operation='claim')
                self.assertEqual(withheld, [error.privilege] + [
                    p for p, _ in error.also])
                self.assertIn('which claim needs; nothing was written',
                              str(error))
                self.assertHolds(theirs)

    def test_the_entity_is_named(self):
        self.store.withheld = {'Global.ManageCustomFields',
                               'Global.SetCustomField'}
        error = self.refused(fencing.take, self.store, self.store.view(),
                             held())
        self.assertIn("Global.ManageCustomFields on the root folder "
                      "(group-d1) and Global.SetCustomField on cluster "
                      "'DC0_C0' (domain-c7)", str(error))

    def test_clear_is_refused_before_writing(self):
        theirs = self.store.put(held(THEIRS))
        self.store.withheld = {'Global.SetCustomField'}
        self.refused(fencing.clear, self.store, self.store.view())
        self.assertHolds(theirs)

    def test_a_change_needs_what_its_caller_says(self):
        self.store.withheld = {'Global.LogEvent'}
        fencing.take(self.store, self.store.view(), held())
        self.store.calls[:] = []
        self.refused(fencing.take, self.store, self.store.view(),
                     held(seq=2), needed=(privileges.LOG_EVENT,))

    def test_a_write_refused_despite_the_check_leaves_no_empty_lease(self):
        # The check answers "granted", vCenter refuses the write: the new
        # lease is removed again, not left without a value.
        self.store.withheld = {'Global.SetCustomField'}
        self.store.check_withheld = set()
        error = self.assertRaises(exceptions.MissingPrivilege, fencing.take,
                                  self.store, self.store.view(), held())
        self.assertFalse(error.checked)
        self.assertEqual(['require', 'create_lease', 'write_lease',
                          'remove_lease'], self.store.calls)
        self.assertEqual({}, self.store.vcenter.definitions)
        self.assertTrue(self.store.view().unowned)

    def test_a_refused_copy_keeps_the_written_lease(self):
        # The lease was written: the change counts, its copy is repaired
        # by the next holder.
        self.store.check_withheld = set()
        self.store.hooks[('ensure_attribute', 1)] = lambda: \
            self.store.withheld.add('Global.ManageCustomFields')
        tenure = fencing.take(self.store, self.store.view(), held())
        # Landed: reported as made, the failed copy kept on the tenure.
        self.assertIsInstance(tenure.copy_error, exceptions.MissingPrivilege)
        self.assertEqual(HOST, self.store.view().record.host)
        self.assertNotIn('remove_lease', self.store.calls)


class KeyZeroTestCase(FencingTestCase):
    """vCenter's simulator hands out key 0 first: key 0 is a key."""

    def test_a_lease_of_key_zero_is_taken_renewed_and_revoked(self):
        tenure = fencing.take(self.store, self.store.view(), held())
        self.assertEqual(0, tenure.key)
        self.assertEqual(0, self.store.view().token)
        self.assertEqual(2, tenure.write(
            tenure.record.renewed(fakes.WALL), copy=False).seq)
        theirs = fencing.take(self.other, self.store.view(),
                              held(THEIRS, seq=3))
        self.assertNotEqual(0, theirs.key)
        self.assertRaises(exceptions.OwnershipLost, tenure.write,
                          tenure.record.renewed(fakes.WALL))
        self.assertHolds(theirs.record)

    def test_a_lease_of_key_zero_is_cleared(self):
        fencing.take(self.store, self.store.view(), held())
        fencing.clear(self.store, self.store.view())
        self.assertIn('remove_lease', self.store.calls)
        self.assertTrue(self.store.view().unowned)

    def test_an_abandoned_lease_of_key_zero_is_cleared(self):
        self.assertEqual(0, self.store.start_change())
        fencing.settle(self.store, self.clock)
        self.assertIsNone(self.store.view().token)

"""The real store against the simulator: the store contract, and reads.

``StoreContract`` is the suite the in-memory store of the unit tests runs
too, so the fake cannot drift from what vCenter (here: the simulator)
does: once on the faithful simulator, once on vcsim's native faults.
"""

from oslo_vmware import vim_util

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import privileges
from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors
from nova.virt.vmwareapi.ownership.vsphere import store as store_mod
from nova.virt.vmwareapi.ownership.vsphere import vcenter
from support import base
from support import sharing
from support import store_contract


class TestClusterStoreContract(store_contract.StoreContract,
                               base.SimulatorTestCase):

    def make_store(self, attribute=None):
        return super().make_store(attribute=attribute)

    def make_other_store(self, store):
        return super().make_store(cluster='DC0_C1',
                                  attribute=store.attribute_name)

    def type_by_hand(self, store, text):
        self.write_raw(store, text)

    def remove_definition(self, store, name):
        super().remove_definition(store, name)


class TestClusterStoreContractNativeFaults(TestClusterStoreContract):
    """The contract once more on govmomi's own answer to a removed key.

    vcsim natively answers ``NotFound`` where vCenter documents
    ``InvalidArgument`` (``--native-faults``, tools/vcsim/README.rst): the
    store makes ``DefinitionGone`` of either. The other tests run on the
    faithful simulator.
    """

    SIMULATOR_OPTIONS = dict(TestClusterStoreContract.SIMULATOR_OPTIONS,
                             native_faults=True)
    GONE_FAULT = 'NotFound'


class TestClusterStore(base.SimulatorTestCase):

    def test_a_read_is_one_round_trip(self):
        store = self.make_store()
        trips = self.round_trips()
        store.read()
        self.assertEqual(['RetrievePropertiesEx'], trips.methods)

    def test_a_deleted_cluster_is_not_found(self):
        store = self.make_store()
        gone = store_mod.VCenterStore(
            self.session, vim_util.get_moref('domain-c999',
                                             vcenter.CLUSTER_TYPE),
            store.attribute_name, store.location)
        self.assertRaises(vsphere_errors.ClusterNotFound, gone.read)


class TestRestrictedUser(sharing.RestrictedSessionMixin,
                         base.SimulatorTestCase):
    """The store of a user lacking the record's privileges, for real."""

    SIMULATOR_OPTIONS = dict(base.SimulatorTestCase.SIMULATOR_OPTIONS,
                             restricted=True)

    def test_require_names_each_privilege_the_user_and_the_object(self):
        store = self.make_store(self.restricted)
        trips = self.round_trips(self.restricted)
        error = self.assertRaises(exceptions.MissingPrivilege, store.require,
                                  privileges.AUDITED_CHANGE, 'claim')
        self.assertEqual(['HasPrivilegeOnEntities'], trips.methods)
        root = vcenter.service_content(self.session).rootFolder.value
        cluster = store.location.cluster_moref
        self.assertEqual(
            [('Global.ManageCustomFields', 'the root folder (%s)' % root),
             ('Global.SetCustomField', "cluster 'DC0_C0' (%s)" % cluster),
             ('Global.LogEvent', "cluster 'DC0_C0' (%s)" % cluster)],
            [(error.privilege, error.entity)] + list(error.also))
        self.assertEqual(self.simulator.restricted_username, error.username)
        self.assertTrue(error.checked)
        self.assertIsNone(store.read().attribute_key)
        # What the user holds passes.
        store.require((privileges.READ,), 'show')

    def test_a_refused_call_names_the_object(self):
        store = self.make_store(self.restricted)
        for call, args, privilege, where in (
                (store.create_lease, (), 'Global.ManageCustomFields',
                 'the root folder'),
                (store.post_event, ('x',), 'Global.LogEvent',
                 "cluster 'DC0_C0'")):
            with self.subTest(privilege=privilege):
                error = self.assertRaises(exceptions.MissingPrivilege, call,
                                          *args)
                self.assertEqual(privilege, error.privilege)
                self.assertTrue(error.entity.startswith(where), error.entity)
                self.assertFalse(error.checked)
        self.assertIsNone(store.read().lease_key)

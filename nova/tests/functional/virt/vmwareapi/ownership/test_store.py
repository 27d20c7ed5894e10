"""The real store against the simulator: the store contract, and reads.

``StoreContract`` is the suite the in-memory store of the unit tests runs
too, so the fake cannot drift from what vCenter (here: the simulator)
does.
"""

from oslo_vmware import vim_util

from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors
from nova.virt.vmwareapi.ownership.vsphere import store as store_mod
from nova.virt.vmwareapi.ownership.vsphere import vcenter
from support import base
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

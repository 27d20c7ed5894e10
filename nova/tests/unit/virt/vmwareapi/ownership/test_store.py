"""The store's interface: its contract, against the in-memory store.

The same contract runs against the vCenter store on the simulator in the
functional tier (``functional/.../test_store.py``).
"""

from oslotest import base

from support import fakes
from support import store_contract


class TestFakeStoreContract(store_contract.StoreContract,
                            base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.vcenter = fakes.FakeVCenter()

    def make_store(self, attribute=None):
        return fakes.FakeStore(self.vcenter,
                               attribute=attribute or fakes.ATTRIBUTE)

    def make_other_store(self, store):
        return fakes.FakeStore(self.vcenter, attribute=store.attribute_name,
                               moref='domain-c9')

    def type_by_hand(self, store, text):
        store.type_by_hand(text)

    def remove_definition(self, store, name):
        store.remove_definition(name)

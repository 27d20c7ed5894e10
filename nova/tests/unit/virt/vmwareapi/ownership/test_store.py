"""The store: the contract against the in-memory store, and reading_of.

The same contract runs against the real store on the simulator in the
functional tier (``functional/.../test_store.py``).
"""

import types

from oslotest import base

from nova.tests.unit.virt.vmwareapi.ownership import fakes
from nova.tests.unit.virt.vmwareapi.ownership import store_contract
from nova.virt.vmwareapi.ownership.vsphere import store as store_mod


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


def _definition(name, key):
    return types.SimpleNamespace(name=name, key=key)


def _value(key, value):
    return types.SimpleNamespace(key=key, value=value)


class TestReadingOf(base.BaseTestCase):
    """How the raw properties of one read become a Reading."""

    LEASE = 'openstack.nova.owner.lease.domain-c7'

    def reading(self, values, definitions):
        keys = store_mod.field_keys(types.SimpleNamespace(
            CustomFieldDef=definitions))
        return store_mod.reading_of(
            types.SimpleNamespace(CustomFieldValue=values), keys,
            fakes.ATTRIBUTE, self.LEASE)

    def test_both_places_and_their_keys(self):
        reading = self.reading(
            [_value(1, 'attribute'), _value(7, 'lease'), _value(9, 'x')],
            [_definition(fakes.ATTRIBUTE, 1), _definition(self.LEASE, 7),
             _definition('openstack.nova.owner.lease.domain-c9', 9)])
        self.assertEqual(('attribute', 1, 7, 'lease'),
                         (reading.attribute_raw, reading.attribute_key,
                          reading.lease_key, reading.lease_raw))

    def test_a_value_whose_definition_is_gone_is_ignored(self):
        reading = self.reading([_value(7, 'orphan')],
                               [_definition(fakes.ATTRIBUTE, 1)])
        self.assertEqual((None, 1, None, None),
                         (reading.attribute_raw, reading.attribute_key,
                          reading.lease_key, reading.lease_raw))

    def test_no_values_and_no_definitions(self):
        reading = store_mod.reading_of(None, store_mod.field_keys(None),
                                       fakes.ATTRIBUTE, self.LEASE)
        self.assertEqual((None, None, None, None),
                         (reading.attribute_raw, reading.attribute_key,
                          reading.lease_key, reading.lease_raw))

"""The vCenter store's reading of a cluster's properties (``reading_of``).

Its calls on vCenter run the store contract against the simulator
(functional ``test_store``).
"""

import types

from oslotest import base

from nova.virt.vmwareapi.ownership.vsphere import store as store_mod
from support import fakes
from support import messages


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

    def test_values_and_names_become_plain_text(self):
        # suds hands out Text, whose repr() is the raw text: every value
        # leaves the boundary as a plain str.
        text = messages.vim_text
        reading = self.reading(
            [_value(1, text('{"host":"a"}')), _value(7, text('lease'))],
            [_definition(text(fakes.ATTRIBUTE), 1),
             _definition(text(self.LEASE), 7)])
        self.assertEqual((1, 7), (reading.attribute_key, reading.lease_key))
        for value in (reading.attribute_raw, reading.lease_raw):
            self.assertIs(str, type(value))
        keys = store_mod.field_keys(types.SimpleNamespace(
            CustomFieldDef=[_definition(text('a'), 1)]))
        self.assertEqual([str], [type(name) for name in keys])

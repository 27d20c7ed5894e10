"""The store's contract: one suite, run against every store.

The interface is ``store.ClusterStore``. ``vsphere.store.VCenterStore``
on the vCenter simulator (functional tier) and ``fakes.FakeStore`` (unit
tier) both run ``StoreContract``: the fake cannot drift from vCenter's
behaviour that the fencing relies on.

A test class mixes it in and provides:

- ``make_store(attribute=None)``: a store of one cluster, with an
  attribute name of its own unless given;
- ``make_other_store(store)``: a store of *another* cluster with the same
  attribute name;
- ``type_by_hand(store, text)``: set the attribute's value as a vSphere
  admin would (creating its definition when missing);
- ``remove_definition(store, name)``: remove a custom attribute by name,
  as a vSphere admin would.
"""

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import store as store_mod
from nova.virt.vmwareapi.ownership import view as view_mod


class StoreContract:
    """What ``fencing`` relies on, checked against a store."""

    def test_implements_the_interface(self):
        self.assertIsInstance(self.make_store(), store_mod.ClusterStore)

    def test_a_cluster_never_tagged_reads_empty(self):
        reading = self.make_store().read()
        self.assertEqual((None, None, None, None),
                         (reading.attribute_raw, reading.attribute_key,
                          reading.lease_key, reading.lease_raw))

    def test_the_lease_name_names_the_cluster(self):
        store = self.make_store()
        self.assertTrue(store.lease_name.startswith(
            store.attribute_name + '.lease.'))
        self.assertEqual(store.lease_name, view_mod.lease_name(
            store.attribute_name, store.location.cluster_moref))

    def test_lease_is_created_once(self):
        store = self.make_store()
        key = store.create_lease()
        self.assertRaises(exceptions.DuplicateName, store.create_lease)
        self.assertEqual(key, store.read().lease_key)

    def test_lease_is_removed_once_by_key(self):
        store = self.make_store()
        key = store.create_lease()
        store.remove_lease(key)
        self.assertRaises(exceptions.DefinitionGone, store.remove_lease, key)
        self.assertIsNone(store.read().lease_key)

    def test_a_new_lease_gets_a_new_key(self):
        store = self.make_store()
        first = store.create_lease()
        store.remove_lease(first)
        second = store.create_lease()
        self.assertNotEqual(first, second)
        self.assertRaises(exceptions.DefinitionGone, store.remove_lease, first)

    def test_lease_value_reads_back(self):
        store = self.make_store()
        key = store.create_lease()
        self.assertIsNone(store.read().lease_raw)
        store.write_lease(key, '{"host":"compute-a"}')
        store.write_lease(key, '{"host":"compute-b"}')
        self.assertEqual('{"host":"compute-b"}', store.read().lease_raw)

    def test_write_through_a_removed_lease_is_refused(self):
        store = self.make_store()
        key = store.create_lease()
        store.write_lease(key, 'first')
        store.remove_lease(key)
        self.assertRaises(exceptions.DefinitionGone, store.write_lease,
                          key, 'late')
        reading = store.read()
        self.assertEqual((None, None), (reading.lease_key,
                                        reading.lease_raw))

    def test_write_through_a_lease_replaced_since_is_refused(self):
        store = self.make_store()
        old = store.create_lease()
        store.remove_lease(old)
        new = store.create_lease()
        store.write_lease(new, 'current')
        self.assertRaises(exceptions.DefinitionGone, store.write_lease,
                          old, 'late')
        self.assertEqual('current', store.read().lease_raw)

    def test_removing_the_lease_removes_its_value(self):
        store = self.make_store()
        key = store.create_lease()
        store.write_lease(key, 'value')
        store.remove_lease(key)
        key = store.create_lease()
        self.assertIsNone(store.read().lease_raw)

    def test_attribute_definition_is_created_once_and_reused(self):
        store = self.make_store()
        key = store.ensure_attribute()
        self.assertEqual(key, store.ensure_attribute())
        self.assertEqual(key, store.read().attribute_key)

    def test_attribute_round_trips_unicode_and_long_values(self):
        store = self.make_store()
        key = store.ensure_attribute()
        text = '{"host":"compute-a","note":"caf\u00e9 \u2603"}' + \
            ' ' * 70000
        store.write_attribute(key, text)
        self.assertEqual(text, store.read().attribute_raw)

    def test_clearing_the_attribute_reads_as_no_value(self):
        store = self.make_store()
        key = store.ensure_attribute()
        store.write_attribute(key, 'compute-a')
        store.write_attribute(key, '')
        self.assertFalse(store.read().attribute_raw)

    def test_write_through_a_removed_attribute_is_refused(self):
        store = self.make_store()
        key = store.ensure_attribute()
        store.write_attribute(key, 'compute-a')
        self.remove_definition(store, store.attribute_name)
        self.assertRaises(exceptions.DefinitionGone, store.write_attribute,
                          key, 'late')
        self.assertNotEqual(key, store.ensure_attribute())

    def test_a_value_typed_by_hand_is_read(self):
        store = self.make_store()
        self.type_by_hand(store, 'compute-a')
        self.assertEqual('compute-a', store.read().attribute_raw)

    def test_clusters_keep_values_and_leases_of_their_own(self):
        store = self.make_store()
        other = self.make_other_store(store)
        self.assertNotEqual(store.lease_name, other.lease_name)
        key = store.ensure_attribute()
        store.write_attribute(key, 'compute-a')
        lease = store.create_lease()
        store.write_lease(lease, 'lease-a')
        other_lease = other.create_lease()
        self.assertNotEqual(lease, other_lease)
        reading = other.read()
        self.assertEqual(key, reading.attribute_key)
        self.assertEqual((None, other_lease, None),
                         (reading.attribute_raw, reading.lease_key,
                          reading.lease_raw))

    def test_audit_events_can_be_posted(self):
        self.make_store().post_event('nova-vmware-owner: test event')

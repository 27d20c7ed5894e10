"""Every row of the decision table, through the guard, on the simulator.

What a raw reader sees is checked too: the lease (a custom field
definition of the cluster's own, whose key is the token) holds the
record, and the attribute holds a copy carrying that token.
"""

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import guard as guard_mod
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import refusals
from nova.virt.vmwareapi.ownership import view as view_mod
from support import base
from support import fakes

NODE_A = fakes.NODE_A
NODE_B = fakes.NODE_B


class TestGuard(base.SimulatorTestCase):

    def guard(self, host, clock=None, identity=None, **overrides):
        return guard_mod.OwnershipGuard(
            self.make_store(), host,
            base.settings(attribute_name=self.attribute, **overrides),
            identity=identity, clock=clock or base.FakeClock())

    def reading(self):
        return self.make_store().read()

    def snapshot(self):
        """Everything a raw reader sees of this test's record."""
        reading = self.reading()
        return (reading.attribute_raw, reading.attribute_key,
                reading.lease_key, reading.lease_raw)

    def view(self):
        return base.view_of(self.make_store())

    def assertWrittenUnder(self, key, record):
        """Lease ``key`` holds ``record``; the attribute a copy of it."""
        reading = self.reading()
        self.assertEqual(key, reading.lease_key)
        self.assertEqual(record_mod.format_record(record), reading.lease_raw)
        self.assertEqual(reading.lease_raw, reading.attribute_raw)
        self.assertEqual(key, record.token)

    # Refusals first: nothing is written.

    def test_other_host_is_refused_and_record_kept(self):
        self.guard('compute-a').start()
        before = self.snapshot()
        error = self.assertRaises(refusals.ClusterOwnedByAnotherHost,
                                  self.guard('compute-b').start)
        self.assertEqual('compute-a', error.owner)
        message = str(error)
        for part in (base.CLUSTER, self.simulator.url, 'compute-a',
                     'compute-b', 'nova-vmware-owner takeover'):
            with self.subTest(part=part):
                self.assertIn(part, message)
        self.assertEqual(before, self.snapshot())

    def test_other_host_is_refused_even_when_released_long_ago(self):
        first = self.guard('compute-a')
        first.start()
        self.assertTrue(first.release())
        before = self.snapshot()
        self.assertRaises(refusals.ClusterOwnedByAnotherHost,
                          self.guard('compute-b', lease_duration=0).start)
        self.assertEqual(before, self.snapshot())

    def test_unreadable_record_is_refused_and_never_overwritten(self):
        garbled = '{"host": "compute-a", oops'
        self.write_raw(self.make_store(), garbled)
        before = self.snapshot()
        error = self.assertRaises(refusals.UnreadableRecord,
                                  self.guard('compute-a').start)
        self.assertIn(garbled, str(error))
        self.assertEqual(before, self.snapshot())
        self.assertIsNone(before[2], 'no lease was created')

    def test_live_holder_refuses_without_standby_wait(self):
        active = self.guard('compute-a')
        active.start()
        before = self.snapshot()
        error = self.assertRaises(
            refusals.ClusterHeldByAnotherProcess,
            self.guard('compute-a', standby_wait=False).start)
        self.assertEqual(active.holder, error.holder)
        self.assertEqual(before, self.snapshot())

    def test_standby_timeout_refuses(self):
        self.guard('compute-a').start()
        before = self.snapshot()
        clock = base.FakeClock()
        error = self.assertRaises(
            refusals.ClusterHeldByAnotherProcess,
            self.guard('compute-a', clock=clock, standby_timeout=20).start)
        self.assertGreaterEqual(error.waited, 20)
        # It gave up at the first poll past the timeout, by its own clock.
        self.assertLess(error.waited, 20 + clock.slept[-1] + 1)
        self.assertEqual(before, self.snapshot())

    def test_node_identity_mismatch_is_refused(self):
        self.guard('compute-a', identity=base.FakeIdentity(NODE_A),
                   lease_duration=0).start()
        before = self.snapshot()
        error = self.assertRaises(
            refusals.NodeIdentityMismatch,
            self.guard('compute-a', identity=base.FakeIdentity(NODE_B)).start)
        self.assertEqual((NODE_A, NODE_B), (error.recorded, error.local))
        self.assertEqual(before, self.snapshot())

    # Claims and takes.

    def test_absent_record_is_claimed_through_a_lease(self):
        guard = self.guard('compute-a', identity=base.FakeIdentity(NODE_A))
        record = guard.start()
        self.assertWrittenUnder(guard.tenure.key, record)
        self.assertEqual('compute-a', record.host)
        self.assertEqual(NODE_A, record.node)
        self.assertEqual(guard.holder, record.holder)
        self.assertTrue(record.is_held)
        view = self.view()
        self.assertEqual(record, view.record)
        self.assertIs(view_mod.Mirror.CURRENT, view.mirror)

    def test_released_record_of_this_host_is_taken_with_a_new_lease(self):
        first = self.guard('compute-a')
        first.start()
        old_key = first.tenure.key
        self.assertTrue(first.release())
        second = self.guard('compute-a')
        record = second.start()
        self.assertEqual(second.holder, record.holder)
        self.assertNotEqual(old_key, second.tenure.key)
        self.assertWrittenUnder(second.tenure.key, record)
        # The first holder's lease is revoked: it can write nothing more.
        self.assertRaises(exceptions.OwnershipLost, first.renew)

    def test_hand_typed_host_name_is_a_pre_assignment(self):
        self.write_raw(self.make_store(), 'compute-a')
        self.assertRaises(refusals.ClusterOwnedByAnotherHost,
                          self.guard('compute-b').start)
        self.assertEqual('compute-a', self.reading().attribute_raw)
        guard = self.guard('compute-a')
        record = guard.start()
        self.assertEqual('compute-a', record.host)
        self.assertTrue(record.is_held)
        self.assertWrittenUnder(guard.tenure.key, record)

    def test_standby_takes_over_once_the_holder_stops_renewing(self):
        # The same lease on both (a standby waits the holder's own lease
        # when it is the longer: test_faults, unit test_liveness).
        active = self.guard('compute-a', lease_duration=30, renew_interval=10)
        active.start()
        revoked = active.tenure.key
        clock = base.FakeClock()
        standby = self.guard('compute-a', clock=clock, lease_duration=30,
                             renew_interval=10)
        record = standby.start()
        self.assertEqual(standby.holder, record.holder)
        # It waited at least the lease, by its own clock, and not much more.
        self.assertGreaterEqual(sum(clock.slept), 30)
        self.assertLessEqual(sum(clock.slept),
                             30 + standby.settings.standby_poll)
        self.assertWrittenUnder(standby.tenure.key, record)
        self.assertNotEqual(revoked, standby.tenure.key)
        # The old holder finds its lease revoked and writes nothing.
        before = self.snapshot()
        self.assertRaises(exceptions.OwnershipLost, active.renew)
        self.assertEqual(before, self.snapshot())

    def test_node_identity_restored_on_a_passive_node(self):
        self.guard('compute-a', identity=base.FakeIdentity(NODE_A)).start()
        passive = base.FakeIdentity(None)
        self.guard('compute-a', identity=passive, lease_duration=0).start()
        self.assertEqual([NODE_A], passive.written)

    # A holder's life: renewals, repairs, release.

    def test_renewal_writes_only_the_lease(self):
        guard = self.guard('compute-a')
        first = guard.start()
        trips = self.round_trips()
        renewed = guard.renew()
        self.assertEqual(['RetrievePropertiesEx', 'SetField'], trips.methods)
        self.assertEqual(first.seq + 1, renewed.seq)
        reading = self.reading()
        self.assertEqual(record_mod.format_record(renewed), reading.lease_raw)
        # The attribute keeps the copy of the last change.
        self.assertEqual(record_mod.format_record(first),
                         reading.attribute_raw)
        view = base.view_of(self.make_store())
        self.assertEqual(renewed, view.record)
        self.assertEqual(renewed.seq, view.holder_record.seq)
        self.assertIs(view_mod.Mirror.CURRENT, view.mirror)

    def test_renewal_repairs_a_removed_attribute(self):
        guard = self.guard('compute-a')
        guard.start()
        store = self.make_store()
        # A vSphere admin removes the attribute (and so every value of it).
        self.remove_definition(store, store.attribute_name)
        self.assertIs(view_mod.Mirror.CLEARED, self.view().mirror)
        renewed = guard.renew()
        self.assertWrittenUnder(guard.tenure.key, renewed)
        self.assertIs(view_mod.Mirror.CURRENT, self.view().mirror)

    def test_renewal_repairs_a_cleared_attribute(self):
        guard = self.guard('compute-a')
        guard.start()
        self.write_raw(self.make_store(), '')
        self.assertIs(view_mod.Mirror.CLEARED, self.view().mirror)
        renewed = guard.renew()
        self.assertWrittenUnder(guard.tenure.key, renewed)

    def test_holder_whose_lease_was_removed_is_lost(self):
        guard = self.guard('compute-a')
        guard.start()
        store = self.make_store()
        self.remove_definition(store, store.lease_name)
        error = self.assertRaises(exceptions.OwnershipLost, guard.renew)
        self.assertIn('is gone', str(error))
        # It stepped down: nothing more is written, not even a release.
        before = self.snapshot()
        self.assertFalse(guard.release())
        self.assertEqual(before, self.snapshot())

    def test_release_marks_released_and_keeps_the_owner(self):
        guard = self.guard('compute-a')
        guard.start()
        self.assertTrue(guard.release())
        record = self.view().record
        self.assertEqual(record_mod.RELEASED, record.state)
        self.assertEqual('compute-a', record.host)
        self.assertIsNone(record.holder)
        self.assertWrittenUnder(guard.tenure.key, record)
        self.assertRaises(exceptions.OwnershipLost, guard.renew)

"""Every row of the decision table, through the guard, on the simulator."""

from nova.tests.functional.virt.vmwareapi.ownership import base
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import guard as guard_mod
from nova.virt.vmwareapi.ownership import record as record_mod

NODE_A = '11111111-2222-3333-4444-555555555555'
NODE_B = '99999999-8888-7777-6666-555555555555'


class FakeIdentity:
    """The local compute_id file (nova's, in the nova tests)."""

    def __init__(self, node=None):
        self.node = node
        self.path = '/var/lib/nova/compute_id'

    def read(self):
        return self.node

    def write(self, node):
        self.node = node


class TestGuard(base.SimulatorTestCase):

    def guard(self, host, clock=None, identity=None, **overrides):
        clock = clock or base.FakeClock()
        return guard_mod.OwnershipGuard(
            self.make_store(), host, base.settings(**overrides),
            identity=identity, clock=clock, sleep=clock.sleep)

    def test_absent_record_is_claimed(self):
        record = self.guard('compute-a', identity=FakeIdentity(NODE_A)).start()
        stored = self.make_store().read().record()
        self.assertEqual(record, stored)
        self.assertEqual('compute-a', stored.host)
        self.assertEqual(NODE_A, stored.node)
        self.assertTrue(stored.is_held)

    def test_other_host_is_refused_and_record_kept(self):
        self.guard('compute-a').start()
        before = self.make_store().read().raw
        error = self.assertRaises(exceptions.ClusterOwnedByAnotherHost,
                                  self.guard('compute-b').start)
        self.assertEqual('compute-a', error.owner)
        message = str(error)
        for part in (base.CLUSTER, self.simulator.url, 'compute-a',
                     'compute-b', 'nova-vmware-owner takeover'):
            self.assertIn(part, message)
        self.assertEqual(before, self.make_store().read().raw)

    def test_other_host_is_refused_even_when_released_long_ago(self):
        first = self.guard('compute-a')
        first.start()
        first.release()
        self.assertRaises(exceptions.ClusterOwnedByAnotherHost,
                          self.guard('compute-b', lease_duration=0).start)

    def test_released_record_of_this_host_is_taken(self):
        first = self.guard('compute-a')
        first.start()
        self.assertTrue(first.release())
        second = self.guard('compute-a')
        record = second.start()
        self.assertEqual(second.holder, record.holder)
        self.assertEqual(second.holder,
                         self.make_store().read().record().holder)

    def test_hand_typed_host_name_is_a_pre_assignment(self):
        self.write_raw(self.make_store(), 'compute-a')
        self.assertRaises(exceptions.ClusterOwnedByAnotherHost,
                          self.guard('compute-b').start)
        record = self.guard('compute-a').start()
        self.assertEqual('compute-a', record.host)
        self.assertTrue(record.is_held)

    def test_live_holder_refuses_without_standby_wait(self):
        active = self.guard('compute-a')
        active.start()
        error = self.assertRaises(
            exceptions.ClusterHeldByAnotherProcess,
            self.guard('compute-a', standby_wait=False).start)
        self.assertEqual(active.holder, error.holder)

    def test_standby_takes_over_once_the_holder_stops_renewing(self):
        active = self.guard('compute-a')
        active.start()
        clock = base.FakeClock()
        standby = self.guard('compute-a', clock=clock, lease_duration=30,
                             renew_interval=10)
        record = standby.start()
        self.assertEqual(standby.holder, record.holder)
        # It waited at least the lease, by its own clock, and not much more.
        self.assertGreaterEqual(sum(clock.slept), 30)
        self.assertLessEqual(sum(clock.slept), 30 + standby.standby_poll)
        self.assertRaises(exceptions.OwnershipLost, active.renew)

    def test_standby_timeout_refuses(self):
        self.guard('compute-a').start()
        error = self.assertRaises(
            exceptions.ClusterHeldByAnotherProcess,
            self.guard('compute-a', standby_timeout=20).start)
        self.assertGreaterEqual(error.waited, 20)

    def test_unreadable_record_is_refused_and_never_overwritten(self):
        store = self.make_store()
        garbled = '{"host": "compute-a", oops'
        self.write_raw(store, garbled)
        error = self.assertRaises(exceptions.UnreadableRecord,
                                  self.guard('compute-a').start)
        self.assertIn(garbled, str(error))
        self.assertEqual(garbled, store.read().raw)

    def test_audit_mode_writes_nothing(self):
        self.assertIsNone(self.guard('compute-a', mode='audit').start())
        self.assertIsNone(self.make_store().read().raw)

    def test_node_identity_restored_on_a_passive_node(self):
        self.guard('compute-a', identity=FakeIdentity(NODE_A)).start()
        passive = FakeIdentity(None)
        self.guard('compute-a', identity=passive, lease_duration=0).start()
        self.assertEqual(NODE_A, passive.node)

    def test_node_identity_mismatch_is_refused(self):
        self.guard('compute-a', identity=FakeIdentity(NODE_A),
                   lease_duration=0).start()
        error = self.assertRaises(
            exceptions.NodeIdentityMismatch,
            self.guard('compute-a', identity=FakeIdentity(NODE_B)).start)
        self.assertEqual((NODE_A, NODE_B), (error.recorded, error.local))

    def test_renew_increases_seq_and_release_marks_released(self):
        guard = self.guard('compute-a')
        first = guard.start()
        renewed = guard.renew()
        self.assertEqual(first.seq + 1, renewed.seq)
        self.assertTrue(guard.release())
        stored = self.make_store().read().record()
        self.assertEqual(record_mod.RELEASED, stored.state)
        self.assertEqual('compute-a', stored.host)

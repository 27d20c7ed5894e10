"""The guard: start, renew, release, against the in-memory store.

Another process of the cluster acts through the store's uncounted helpers
(``put``, ``renew``, ``type_by_hand``) or through hooks at an exact call;
time passes on the fake clock only.
"""

import logging

import fixtures
from oslotest import base

from nova.virt.vmwareapi.ownership import decision
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import guard
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import refusals
from nova.virt.vmwareapi.ownership import view
from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors
from support import fakes
from support import messages

Mirror = view.Mirror
HOST = fakes.HOST
OTHER = fakes.OTHER_HOST
MINE = 'this-machine:100:mine0000'
THEIRS = fakes.OTHER_HOLDER
NODE = fakes.NODE_A
OTHER_NODE = fakes.NODE_B


def held(holder=THEIRS, host=HOST, node=None, seq=5):
    return record_mod.OwnershipRecord(host, node=node, holder=holder,
                                      seq=seq, since='2026-01-02T03:04:05Z')


def released(host=HOST, node=None, seq=5):
    return held(None, host, node, seq)


def unreachable():
    raise vsphere_errors.VCenterUnreachable(
        endpoint=fakes.VCENTER, reason='Connection refused')


class GuardTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.store = fakes.FakeStore()
        self.clock = fakes.FakeClock()
        self.identity = fakes.FakeIdentity()
        self.logger = self.useFixture(fixtures.FakeLogger(
            level=logging.INFO))

    def make(self, identity=True, **overrides):
        return guard.OwnershipGuard(
            self.store, HOST, fakes.settings(**overrides),
            identity=self.identity if identity else None, holder=MINE,
            clock=self.clock)

    def started(self, **overrides):
        """A guard holding the cluster (claimed with node NODE)."""
        self.identity.node = NODE
        subject = self.make(**overrides)
        subject.start()
        self.store.calls[:] = []
        return subject

    def current(self):
        return self.store.view()

    def assertUnchanged(self, before):
        """Nothing was written since ``before`` (a view) was taken."""
        after = self.current()
        self.assertEqual((before.reading.attribute_raw, before.token,
                          before.reading.lease_raw),
                         (after.reading.attribute_raw, after.token,
                          after.reading.lease_raw))
        for call in ('remove_lease', 'create_lease', 'write_lease',
                     'write_attribute', 'ensure_attribute'):
            self.assertNotIn(call, self.store.calls)

    def assertHeldByMe(self, result):
        now = self.current()
        self.assertEqual(result, now.record)
        self.assertEqual(MINE, now.lease.holder)
        self.assertEqual(now.token, result.token)
        self.assertIs(Mirror.CURRENT, now.mirror)


class RefusalTestCase(GuardTestCase):
    """Start refuses, and writes nothing."""

    def test_another_host(self):
        # However long it has been silent.
        for raw_owner in (OTHER, held(host=OTHER)):
            with self.subTest(raw_owner=raw_owner):
                self.store = fakes.FakeStore()
                if isinstance(raw_owner, str):
                    self.store.type_by_hand(raw_owner)
                else:
                    self.store.put(raw_owner)
                before = self.current()
                self.clock.advance(100000)
                error = self.assertRaises(refusals.ClusterOwnedByAnotherHost,
                                          self.make().start)
                self.assertEqual((OTHER, HOST), (error.owner, error.this_host))
                self.assertIs(self.store.location, error.location)
                self.assertIn('nova-vmware-owner takeover --host compute-a',
                              str(error))
                self.assertEqual(['read'], self.store.calls)
                self.assertUnchanged(before)

    def test_another_host_says_since_when(self):
        self.store.put(held(host=OTHER))
        error = self.assertRaises(refusals.ClusterOwnedByAnotherHost,
                                  self.make().start)
        self.assertEqual('2026-01-02T03:04:05Z', error.since)

    def test_unreadable_attribute(self):
        for lease in (180, 0):
            with self.subTest(lease=lease):
                self.store = fakes.FakeStore()
                self.store.type_by_hand('{"host": "compute-a"')
                before = self.current()
                error = self.assertRaises(
                    refusals.UnreadableRecord,
                    self.make(lease_duration=lease, renew_interval=1).start)
                self.assertEqual('{"host": "compute-a"', error.raw)
                self.assertIs(self.store.location, error.location)
                self.assertEqual(['read'], self.store.calls)
                self.assertUnchanged(before)

    def test_unreadable_lease(self):
        self.store.put(held())
        self.store.type_by_hand('{"v":9,"host":"compute-a"}',
                                name=self.store.lease_name)
        before = self.current()
        error = self.assertRaises(refusals.UnreadableRecord,
                                  self.make().start)
        self.assertIn('newer', error.reason)
        self.assertUnchanged(before)

    def test_node_mismatch(self):
        self.store.put(released(node=NODE))
        before = self.current()
        self.identity.node = OTHER_NODE
        error = self.assertRaises(refusals.NodeIdentityMismatch,
                                  self.make().start)
        self.assertEqual((NODE, OTHER_NODE), (error.recorded, error.local))
        self.assertEqual(fakes.FakeIdentity.path, error.path)
        self.assertUnchanged(before)
        self.assertEqual([], self.identity.written)

    def test_live_holder_without_standby_wait(self):
        self.store.put(held())
        before = self.current()
        error = self.assertRaises(refusals.ClusterHeldByAnotherProcess,
                                  self.make(standby_wait=False).start)
        self.assertEqual(THEIRS, error.holder)
        self.assertIsNone(error.waited)
        self.assertUnchanged(before)
        self.assertEqual([], self.clock.slept)

    def test_values_from_vcenter_are_escaped_in_the_refusal(self):
        # What nova-compute logs when it refuses (issue 19): a holder or a
        # raw value as vCenter hands it over forges no line.
        forged = messages.vim_text(messages.FORGED)
        self.store.put(held(holder=messages.FORGED))
        error = self.assertRaises(refusals.ClusterHeldByAnotherProcess,
                                  self.make(standby_wait=False).start)
        self.assertTrue(str(error).isprintable(), str(error))
        self.store.type_by_hand(forged, name=self.store.lease_name)
        error = self.assertRaises(refusals.UnreadableRecord,
                                  self.make().start)
        self.assertTrue(str(error).isprintable(), str(error))
        self.assertIn('\\u2028', str(error))

    def test_standby_timeout_while_the_holder_renews(self):
        self.store.put(held())
        self.clock.on_sleep.append(self.store.renew)
        error = self.assertRaises(refusals.ClusterHeldByAnotherProcess,
                                  self.make(standby_timeout=30).start)
        self.assertGreaterEqual(error.waited, 30)
        self.assertLess(error.waited, 30 + 10)
        self.assertEqual(THEIRS, self.current().lease.holder)
        self.assertNotIn('create_lease', self.store.calls)

    def test_standby_timeout_before_the_lease_expires(self):
        self.store.put(held())
        before = self.current()
        self.assertRaises(refusals.ClusterHeldByAnotherProcess,
                          self.make(standby_timeout=30).start)
        self.assertUnchanged(before)

    def test_vcenter_error_before_waiting(self):
        self.store.hooks[('read', 1)] = unreachable
        self.assertRaises(vsphere_errors.VCenterUnreachable, self.make().start)

    def test_a_lost_race_is_decided_again(self):
        # Another host claims the cluster between our reading and our
        # claim: the next reading refuses.
        winner = []
        self.store.hooks[('create_lease', 1)] = lambda: winner.append(
            self.store.put(released(OTHER)))
        self.assertRaises(refusals.ClusterOwnedByAnotherHost,
                          self.make().start)
        self.assertEqual(winner[0], self.current().record)
        self.assertIn('Deciding again', self.logger.output)
        self.assertEqual(['read', 'require', 'create_lease', 'read'],
                         self.store.calls)


class CloudTestCase(GuardTestCase):
    """Clouds sharing the vCenter: the owner is (cloud, host)."""

    def test_a_namesake_of_another_cloud_is_refused(self):
        # compute-a of cloud west must never run on compute-a of east's
        # cluster: not as a standby of its live holder, not after its
        # holder stopped renewing, not on a released record.
        for record in (held(), released(), held(node=NODE)):
            record = record_mod.OwnershipRecord(
                **dict(vars(record), cloud='east', extra=None))
            for wait in (True, False):
                with self.subTest(record=record, standby_wait=wait):
                    self.store = fakes.FakeStore()
                    self.store.put(record)
                    before = self.current()
                    self.clock.advance(100000)
                    error = self.assertRaises(
                        refusals.ClusterOwnedByAnotherCloud,
                        self.make(cloud='west', standby_wait=wait).start)
                    self.assertIsInstance(
                        error, refusals.ClusterOwnedByAnotherHost)
                    self.assertEqual((HOST, 'east', HOST, 'west'),
                                     (error.owner, error.owner_cloud,
                                      error.this_host, error.this_cloud))
                    self.assertIn("host 'compute-a' of cloud 'east'",
                                  str(error))
                    self.assertIn("host 'compute-a' of cloud 'west'",
                                  str(error))
                    self.assertIn('takeover --host compute-a', str(error))
                    self.assertEqual(['read'], self.store.calls)
                    self.assertUnchanged(before)
                    self.assertIsNone(self.identity.node)

    def test_the_default_cloud_and_a_named_one_are_apart(self):
        self.store.put(released())
        error = self.assertRaises(refusals.ClusterOwnedByAnotherCloud,
                                  self.make(cloud='east').start)
        self.assertIn('of the default cloud', str(error))
        self.assertIn('[vmware_ownership] cloud empty', str(error))
        self.store = fakes.FakeStore()
        self.store.put(record_mod.OwnershipRecord(HOST, cloud='east'))
        error = self.assertRaises(refusals.ClusterOwnedByAnotherCloud,
                                  self.make().start)
        self.assertIn('[vmware_ownership] cloud = east', str(error))

    def test_claims_and_takes_with_its_cloud(self):
        subject = self.make(cloud='east')
        self.assertEqual('east', subject.start().cloud)
        self.assertEqual('east', self.current().record.cloud)
        subject.release()
        self.assertEqual('east', self.make(cloud='east').start().cloud)

    def test_a_holder_loses_to_a_namesake_of_another_cloud(self):
        subject = self.started(cloud='east')
        self.store.type_by_hand(HOST)  # a bare name: no cloud, a no-op
        subject.renew()
        self.store.type_by_hand('{"host":"compute-a","cloud":"west"}')
        self.store.calls[:] = []
        error = self.assertRaises(exceptions.OwnershipLost, subject.renew)
        self.assertIn("names host compute-a of cloud 'west'", str(error))


class StartTestCase(GuardTestCase):

    def test_first_claim(self):
        self.identity.node = NODE
        subject = self.make()
        result = subject.start()
        self.assertEqual(['read', 'require', 'create_lease', 'write_lease',
                          'ensure_attribute', 'write_attribute'],
                         self.store.calls)
        self.assertLessEqual(len(self.store.calls), 6)  # how-it-works.rst
        self.assertEqual((HOST, MINE, NODE, 1, '2026-11-25T12:00:00Z'),
                         (result.host, result.holder, result.node,
                          result.seq, result.since))
        self.assertHeldByMe(result)
        self.assertEqual(subject.tenure.key, result.token)
        self.assertEqual(self.clock.start, subject.taken_at)
        self.assertIn('Claimed', self.logger.output)
        # Its own lease, for whoever judges it (issue 19).
        self.assertEqual(180, result.lease_duration)
        self.assertEqual(180, subject.renew().lease_duration)

    def test_claim_of_an_emptied_attribute(self):
        self.store.type_by_hand('  ')
        result = self.make(identity=False).start()
        self.assertNotIn('ensure_attribute', self.store.calls)
        self.assertIsNone(result.node)
        self.assertHeldByMe(result)

    def test_claim_without_lease(self):
        subject = self.make(lease_duration=0)
        result = subject.start()
        self.assertEqual(record_mod.RELEASED, result.state)
        self.assertIsNone(subject.tenure)
        self.assertEqual(result, self.current().record)

    def test_claim_without_node_sync(self):
        self.identity.node = NODE
        self.assertIsNone(self.make(sync_node_identity=False).start().node)

    def test_take_a_released_record(self):
        self.store.put(released(node=NODE))
        result = self.make().start()
        self.assertEqual((MINE, NODE, 6), (result.holder, result.node,
                                           result.seq))
        self.assertHeldByMe(result)
        self.assertEqual([NODE], self.identity.written)
        self.assertIn('Restoring the local compute node identity',
                      self.logger.output)
        self.assertEqual([], self.clock.slept)

    def test_take_a_pre_assignment(self):
        self.store.type_by_hand(HOST)
        result = self.make().start()
        self.assertEqual(MINE, result.holder)
        self.assertHeldByMe(result)

    def test_take_from_this_very_process(self):
        self.store.put(held(MINE))
        self.assertEqual(MINE, self.make().start().holder)
        self.assertEqual([], self.clock.slept)

    def test_records_the_local_node(self):
        self.identity.node = NODE
        self.store.put(released())
        self.assertEqual(NODE, self.make().start().node)
        self.assertEqual(NODE, self.current().record.node)
        self.assertEqual([], self.identity.written)

    def test_sync_off_ignores_the_node(self):
        self.identity.node = OTHER_NODE
        self.store.put(released(node=NODE))
        self.make(sync_node_identity=False).start()
        self.assertEqual([], self.identity.written)
        self.assertEqual(NODE, self.current().record.node)

    def test_assess_writes_nothing(self):
        self.store.put(held())
        before = self.current()
        assessment = self.make().assess()
        self.assertIs(decision.Action.STANDBY, assessment.decision.action)
        self.assertIs(decision.Liveness.LIVE, assessment.liveness)
        self.assertEqual(['read'], self.store.calls)
        self.assertUnchanged(before)

"""Operator changes: plan, observe and apply, against the in-memory store."""

import getpass
import logging
from unittest import mock

import fixtures
from oslotest import base

from nova.virt.vmwareapi.ownership import decision
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import liveness
from nova.virt.vmwareapi.ownership import operations
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import refusals
from support import fakes

Change = decision.Change
Verdict = decision.Verdict
HOST = fakes.HOST
OTHER = fakes.OTHER_HOST
THEIRS = fakes.OTHER_HOLDER
WHO = 'operator@admin-box'
UNREADABLE = '{"host": 42'


rec = fakes.record


class OperationsTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.store = fakes.FakeStore()
        self.clock = fakes.FakeClock()
        self.logger = self.useFixture(fixtures.FakeLogger(
            name=operations.__name__, level=logging.INFO))

    def plan(self, change, target=HOST, force=False, cloud=None):
        return operations.plan(change, self.store.view(), target,
                               fakes.WALL, self.store.location, force,
                               cloud=cloud)


class PlanRefusedTestCase(OperationsTestCase):
    """Refusals first; a refused plan is raised, never returned."""

    def test_claim_of_another_hosts_cluster(self):
        self.store.put(rec(OTHER))
        error = self.assertRaises(refusals.ClusterOwnedByAnotherHost,
                                  self.plan, Change.CLAIM)
        self.assertEqual((OTHER, HOST, '2026-11-25T12:00:00Z'),
                         (error.owner, error.this_host, error.since))
        self.assertIs(self.store.location, error.location)

    def test_unreadable_without_force(self):
        self.store.type_by_hand(UNREADABLE)
        for change, force in ((Change.CLAIM, False), (Change.CLAIM, True),
                              (Change.TAKEOVER, False),
                              (Change.RELEASE, False)):
            with self.subTest(change=change, force=force):
                error = self.assertRaises(refusals.UnreadableRecord,
                                          self.plan, change, force=force)
                self.assertEqual(UNREADABLE, error.raw)
                self.assertIs(self.store.location, error.location)

    def test_release_by_another_host(self):
        self.store.put(rec(OTHER))
        error = self.assertRaises(refusals.NotTheOwner, self.plan,
                                  Change.RELEASE)
        self.assertEqual((OTHER, HOST), (error.owner, error.this_host))
        self.assertNotIn('cloud', str(error))

    def test_claim_of_a_namesakes_cluster_in_another_cloud(self):
        self.store.put(rec(HOST, cloud='east'))
        error = self.assertRaises(refusals.ClusterOwnedByAnotherCloud,
                                  self.plan, Change.CLAIM, cloud='west')
        self.assertEqual((HOST, 'east', HOST, 'west'),
                         (error.owner, error.owner_cloud, error.this_host,
                          error.this_cloud))

    def test_release_by_a_namesake_in_another_cloud(self):
        self.store.put(rec(HOST))
        error = self.assertRaises(refusals.NotTheOwner, self.plan,
                                  Change.RELEASE, cloud='east')
        self.assertIn("host 'compute-a' of the default cloud, not by this "
                      "host 'compute-a' of cloud 'east' ([DEFAULT] host, "
                      "[vmware_ownership] cloud)", str(error))


class PlanTestCase(OperationsTestCase):
    """One test per row of ``decide_change`` that is not a refusal."""

    def assertPlan(self, plan, verdict, after, observe=False, holder=None):
        self.assertIs(verdict, plan.verdict)
        self.assertEqual(after, plan.after)
        self.assertEqual(verdict is not Verdict.NOTHING_TO_DO, plan.changes)
        self.assertEqual(observe, plan.observe)
        self.assertEqual(holder, plan.holder)
        self.assertEqual([], self.store.calls)

    def claimed(self, transitions=0):
        return record_mod.OwnershipRecord.claimed(HOST, fakes.WALL,
                                                  transitions=transitions)

    def test_claim_unowned(self):
        plan = self.plan(Change.CLAIM)
        self.assertPlan(plan, Verdict.WRITE, self.claimed())
        self.assertEqual(record_mod.RELEASED, plan.after.state)
        self.assertIsNone(plan.before)

    def test_claim_of_the_targets_cluster(self):
        before = self.store.put(rec(holder=THEIRS))
        self.assertPlan(self.plan(Change.CLAIM), Verdict.NOTHING_TO_DO,
                        before, holder=THEIRS)

    def test_takeover_unowned(self):
        self.assertPlan(self.plan(Change.TAKEOVER), Verdict.WRITE,
                        self.claimed())

    def test_takeover_of_the_targets_released_cluster(self):
        before = self.store.put(rec())
        self.assertPlan(self.plan(Change.TAKEOVER), Verdict.NOTHING_TO_DO,
                        before)

    def test_takeover_of_a_held_cluster(self):
        for host in (HOST, OTHER):
            with self.subTest(host=host):
                before = self.store.put(rec(host, holder=THEIRS))
                after = before.moved_to(HOST, fakes.WALL)
                self.assertPlan(self.plan(Change.TAKEOVER),
                                Verdict.OBSERVE_THEN_WRITE, after,
                                observe=True, holder=THEIRS)
                plan = self.plan(Change.TAKEOVER, force=True)
                self.assertPlan(plan, Verdict.WRITE, after, holder=THEIRS)
                self.assertTrue(plan.forced)
                self.assertEqual(record_mod.RELEASED, after.state)

    def test_takeover_of_another_hosts_cluster(self):
        before = self.store.put(rec(OTHER, node=fakes.NODE_B,
                                    transitions=2))
        plan = self.plan(Change.TAKEOVER)
        self.assertPlan(plan, Verdict.WRITE, before.moved_to(HOST,
                                                             fakes.WALL))
        self.assertEqual((HOST, OTHER, 3, None),
                         (plan.after.host, plan.after.previous,
                          plan.after.transitions, plan.after.node))
        self.assertEqual(before, plan.before)

    def test_forced_takeover_of_an_unreadable_value(self):
        self.store.type_by_hand(UNREADABLE)
        self.assertPlan(self.plan(Change.TAKEOVER, force=True),
                        Verdict.WRITE, self.claimed(transitions=1))

    def test_release_unowned(self):
        self.assertPlan(self.plan(Change.RELEASE), Verdict.NOTHING_TO_DO,
                        None)

    def test_release(self):
        self.store.put(rec())
        self.assertPlan(self.plan(Change.RELEASE), Verdict.WRITE, None)

    def test_release_of_a_held_cluster(self):
        self.store.put(rec(holder=THEIRS))
        self.assertPlan(self.plan(Change.RELEASE),
                        Verdict.OBSERVE_THEN_WRITE, None, observe=True,
                        holder=THEIRS)
        self.assertPlan(self.plan(Change.RELEASE, force=True),
                        Verdict.WRITE, None, holder=THEIRS)

    def test_forced_release_of_another_hosts_or_unreadable_cluster(self):
        self.store.put(rec(OTHER))
        self.assertPlan(self.plan(Change.RELEASE, force=True),
                        Verdict.WRITE, None)
        self.store.type_by_hand(UNREADABLE)
        self.assertPlan(self.plan(Change.RELEASE, force=True),
                        Verdict.WRITE, None)

    def test_the_holder_is_the_leases(self):
        # A hand edit naming another host does not hide the live holder.
        self.store.put(rec(holder=THEIRS))
        self.store.type_by_hand(OTHER)
        plan = self.plan(Change.TAKEOVER)
        self.assertEqual(OTHER, plan.before.host)
        self.assertEqual(THEIRS, plan.holder)
        self.assertTrue(plan.observe)


class ObserveTestCase(OperationsTestCase):

    def setUp(self):
        super().setUp()
        self.store.put(rec(OTHER, holder=THEIRS))
        self.ticks = []

    def observe(self, seconds=60, **kwargs):
        plan = self.plan(Change.TAKEOVER)
        return operations.observe(self.store, plan, seconds, self.clock,
                                  on_tick=self.ticks.append, **kwargs)

    def after_polls(self, n, action):
        def act():
            if len(self.clock.slept) == n:
                action()
        self.clock.on_sleep.append(act)

    def test_a_renewing_holder_is_alive(self):
        self.after_polls(3, self.store.renew)
        error = self.assertRaises(refusals.HolderIsAlive, self.observe)
        self.assertEqual(THEIRS, error.holder)
        self.assertEqual(3, error.observed_seconds)
        self.assertEqual(3, len(self.clock.slept))

    def test_a_takeover_meanwhile_is_a_changed_record(self):
        self.after_polls(2, lambda: self.store.put(rec(OTHER,
                                                       holder=THEIRS)))
        error = self.assertRaises(exceptions.RecordChanged, self.observe)
        self.assertIn(THEIRS, str(error))

    def test_a_release_meanwhile_is_a_changed_record(self):
        self.after_polls(2, lambda: self.store.put(rec(OTHER)))
        self.assertRaises(exceptions.RecordChanged, self.observe)

    def test_a_silent_holder_is_dead_after_the_window(self):
        observed, last = self.observe(60)
        self.assertEqual(60, observed)
        self.assertEqual([1.0] * 60, self.clock.slept)
        self.assertEqual(60, self.ticks[0])
        self.assertEqual(1, self.ticks[-1])
        self.assertEqual(THEIRS, last.holder_record.holder)
        self.assertEqual(['read'] * 60, self.store.calls)

    def test_a_fractional_window(self):
        observed, _ = self.observe(2.5)
        self.assertEqual([1.0, 1.0, 0.5], self.clock.slept)
        self.assertEqual(2.5, observed)

    def test_a_local_holder_whose_pid_is_gone_is_dead_at_once(self):
        here = liveness.Place('admin-box', '0a1b2c3d', '4026531836')
        self.store.put(rec(OTHER, holder=liveness.new_holder_id(
            pid=4242, place=here)))
        observed, _ = self.observe(place=here, pid_exists=lambda pid: False)
        self.assertEqual(0, observed)
        self.assertEqual([], self.clock.slept)

    def test_a_holder_of_another_pid_namespace_is_observed(self):
        # Same host name, its pid means nothing here (issue 19).
        here = liveness.Place('admin-box', '0a1b2c3d', '4026531836')
        pod = liveness.Place('admin-box', '0a1b2c3d', '4026532175')
        self.store.put(rec(OTHER, holder=liveness.new_holder_id(
            pid=4242, place=pod)))
        observed, _ = self.observe(place=here, pid_exists=lambda pid: False)
        self.assertEqual(60, observed)

    def test_nothing_to_observe(self):
        self.store.put(rec(OTHER))
        plan = self.plan(Change.TAKEOVER)
        self.assertEqual((0.0, plan.view), operations.observe(
            self.store, plan, 60, self.clock))
        self.assertEqual([], self.store.calls)


class ActorTestCase(base.BaseTestCase):

    def test_user_at_machine(self):
        self.assertEqual('%s@%s' % (getpass.getuser(),
                                    liveness.this_machine()),
                         operations.actor())

    def test_unknown_user(self):
        with mock.patch.object(getpass, 'getuser', autospec=True,
                               side_effect=KeyError('uid')):
            self.assertEqual('unknown@%s' % liveness.this_machine(),
                             operations.actor())

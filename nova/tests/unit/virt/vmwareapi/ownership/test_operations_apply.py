"""Applying an operator's plan: what is written, audited and reported.

``apply`` writes nothing for a record changed since the plan, needs
each change's audit event, writes the cloud, and reports (not raises)
what fails after the change landed. In-memory store, as
``test_operations``.
"""

import dataclasses

from nova.tests.unit.virt.vmwareapi.ownership import test_operations
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import operations
from nova.virt.vmwareapi.ownership import record as record_mod
from support import fakes

rec = test_operations.rec
OTHER = test_operations.OTHER
Change = test_operations.Change


class ApplyTestCase(test_operations.OperationsTestCase):

    def apply(self, plan, **kwargs):
        return operations.apply(self.store, plan, who=test_operations.WHO,
                                **kwargs)

    def assertAudited(self, *parts):
        self.assertEqual(1, len(self.store.events))
        for part in parts:
            self.assertIn(part, self.store.events[0])
        self.assertIn(self.store.events[0], self.logger.output)

    def test_a_change_since_the_plan_is_not_written(self):
        self.store.put(rec(OTHER))
        plan = self.plan(Change.TAKEOVER)
        theirs = self.store.put(rec(OTHER, holder=fakes.OTHER_HOLDER, seq=6))
        self.assertRaises(exceptions.RecordChanged, self.apply, plan)
        self.assertEqual(theirs, self.store.view().record)
        self.assertEqual([], self.store.events)

    def test_a_release_since_changed_is_not_cleared(self):
        self.store.put(rec())
        plan = self.plan(Change.RELEASE)
        theirs = self.store.put(rec(holder=fakes.OTHER_HOLDER, seq=6))
        self.assertRaises(exceptions.RecordChanged, self.apply, plan)
        self.assertEqual(theirs, self.store.view().record)

    def test_nothing_to_do_writes_nothing(self):
        self.store.put(rec())
        plan = self.plan(Change.CLAIM)
        outcome = self.apply(plan)
        self.assertFalse(outcome.changed)
        self.assertEqual(plan.after, outcome.after)
        self.assertEqual([], self.store.calls)
        self.assertEqual([], self.store.events)

    def test_claim(self):
        outcome = self.apply(self.plan(Change.CLAIM))
        self.assertTrue(outcome.changed)
        now = self.store.view()
        self.assertEqual(outcome.after, now.record)
        self.assertEqual((fakes.HOST, record_mod.RELEASED),
                         (now.record.host, now.record.state))
        self.assertEqual(now.token, outcome.after.token)
        self.assertAudited(fakes.CLUSTER, 'claimed',
                           'owner (none) -> compute-a', test_operations.WHO)

    def test_forced_takeover(self):
        self.store.put(rec(OTHER, holder=fakes.OTHER_HOLDER))
        outcome = self.apply(self.plan(Change.TAKEOVER, force=True),
                             observed=0.0)
        now = self.store.view()
        self.assertEqual(outcome.after, now.record)
        self.assertEqual((fakes.HOST, None, OTHER),
                         (now.record.host, now.record.holder,
                          now.record.previous))
        self.assertAudited('took over', 'owner compute-b -> compute-a',
                           'forced', 'evicted holder %s' % fakes.OTHER_HOLDER)

    def test_claim_and_takeover_write_the_cloud(self):
        outcome = self.apply(self.plan(Change.CLAIM, cloud='east'))
        self.assertEqual('east', self.store.view().record.cloud)
        self.assertEqual('east', outcome.after.cloud)
        self.assertAudited('owner (none) -> compute-a (cloud east)')
        self.store.events[:] = []
        outcome = self.apply(self.plan(Change.TAKEOVER, cloud='west'))
        now = self.store.view().record
        self.assertEqual(('compute-a', 'west', 1, fakes.HOST),
                         (now.host, now.cloud, now.transitions,
                          now.previous))
        self.assertAudited('owner compute-a (cloud east) -> compute-a '
                           '(cloud west)')

    def test_takeover_after_observation(self):
        self.store.put(rec(OTHER, holder=fakes.OTHER_HOLDER))
        plan = self.plan(Change.TAKEOVER)
        observed, last = operations.observe(self.store, plan, 5, self.clock)
        outcome = self.apply(plan, view=last, observed=observed)
        self.assertEqual(5, outcome.observed)
        self.assertEqual(outcome.after, self.store.view().record)
        self.assertNotIn('evicted', self.store.events[0])

    def test_replacing_an_unreadable_value_is_noted(self):
        self.store.type_by_hand(test_operations.UNREADABLE)
        self.apply(self.plan(Change.TAKEOVER, force=True))
        self.assertAudited('owner (none) -> compute-a',
                           'replaced an unreadable value')
        self.assertEqual(fakes.HOST, self.store.view().record.host)

    def test_release(self):
        self.store.put(rec())
        outcome = self.apply(self.plan(Change.RELEASE))
        self.assertIsNone(outcome.after)
        self.assertTrue(self.store.view().unowned)
        self.assertIsNone(self.store.view().token)
        self.assertAudited('released', 'owner compute-a -> (none)')

    def test_each_change_needs_its_audit_event_and_writes_nothing_without(
            self):
        for change, setup in ((Change.CLAIM, None),
                              (Change.TAKEOVER, rec(OTHER)),
                              (Change.RELEASE, rec())):
            with self.subTest(change=change):
                self.store = fakes.FakeStore(withheld={'Global.LogEvent'})
                if setup is not None:
                    self.store.put(setup)
                before = (dict(self.store.vcenter.definitions),
                          dict(self.store.vcenter.values))
                plan = self.plan(change, force=True)
                error = self.assertRaises(exceptions.MissingPrivilege,
                                          self.apply, plan)
                self.assertIn('which %s needs; nothing was written'
                              % change.value, str(error))
                self.assertEqual(before, (self.store.vcenter.definitions,
                                          self.store.vcenter.values))
                self.assertEqual([], self.store.events)
                self.assertRaises(exceptions.MissingPrivilege,
                                  operations.require_privileges,
                                  self.store, plan)

    def test_nothing_to_do_needs_no_privilege(self):
        self.store.put(rec())
        self.store.withheld = {'Global.SetCustomField'}
        plan = self.plan(Change.CLAIM)
        operations.require_privileges(self.store, plan)
        self.assertFalse(self.apply(plan).changed)
        self.assertNotIn('require', self.store.calls)

    def test_a_failed_event_is_logged_not_raised(self):
        def fail():
            raise exceptions.MissingPrivilege(
                privilege='Global.LogEvent', operation='LogUserEvent')
        self.store.hooks[('post_event', 1)] = fail
        outcome = self.apply(self.plan(Change.CLAIM))
        self.assertTrue(outcome.changed)
        self.assertEqual(outcome.after, self.store.view().record)
        self.assertIn('Could not post the audit event', self.logger.output)
        self.assertIn('Global.LogEvent', self.logger.output)

    def test_what_fails_after_the_change_landed_is_reported_not_raised(
            self):
        # Issue 19: the path broken right after the write through the new
        # lease: exit 2 "Cannot reach vCenter", no audit line, though
        # ownership had moved.
        self.store.put(rec(OTHER, holder=fakes.OTHER_HOLDER))
        self.store.hooks[('write_attribute', 1)] = fakes.unconfirmed
        self.store.hooks[('post_event', 1)] = fakes.unconfirmed
        outcome = self.apply(self.plan(Change.TAKEOVER, force=True))
        self.assertTrue(outcome.changed)
        now = self.store.view()
        self.assertEqual((outcome.after, fakes.HOST),
                         (now.record, now.record.host))
        self.assertIsInstance(outcome.copy_error, exceptions.WriteUnconfirmed)
        self.assertIsInstance(outcome.event_error,
                              exceptions.WriteUnconfirmed)
        self.assertIn('took over %s: owner compute-b -> compute-a'
                      % fakes.CLUSTER, self.logger.output)
        self.assertIn('the copy into the attribute failed',
                      self.logger.output)

    def test_a_landed_change_without_failures(self):
        outcome = self.apply(self.plan(Change.CLAIM))
        self.assertEqual((None, None), (outcome.copy_error,
                                        outcome.event_error))

    def test_the_audit_escapes_the_cluster_name(self):
        self.store.location = dataclasses.replace(self.store.location,
                                                  cluster='DC0\n\u202eC0')
        self.apply(self.plan(Change.CLAIM))
        self.assertNotIn('\n', self.store.events[0])
        self.assertNotIn('\u202e', self.store.events[0])
        self.assertIn('DC0\\n\\u202eC0', self.store.events[0])

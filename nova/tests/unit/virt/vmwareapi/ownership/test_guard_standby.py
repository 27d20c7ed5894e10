"""The guard's stand-by: waiting for a live holder, taking what expired.

A stand-by polls until the holder's lease expires by local observation
or is released, outlives a vCenter outage, and does not take a record
that vanished for free. In-memory store, as ``test_guard``.
"""

from nova.tests.unit.virt.vmwareapi.ownership import test_guard
from nova.virt.vmwareapi.ownership import decision
from nova.virt.vmwareapi.ownership import refusals
from support import fakes

NODE = test_guard.NODE
MINE = test_guard.MINE


class StandbyTestCase(test_guard.GuardTestCase):
    """Another live process of this host holds the cluster."""

    def setUp(self):
        super().setUp()
        self.store.put(test_guard.held(node=NODE))

    def test_takes_once_the_lease_expired_by_observation(self):
        result = self.make().start()
        # standby_poll is 10 s; 180 s of watching without a renewal.
        self.assertEqual([10.0] * 18, self.clock.slept)
        self.assertEqual(MINE, result.holder)
        self.assertEqual(6, result.seq)
        self.assertHeldByMe(result)
        self.assertEqual([NODE], self.identity.written)
        self.assertIn('Standing by', self.logger.output)
        self.assertIn(fakes.OTHER_HOLDER, self.logger.output)

    def test_waits_while_the_holder_renews(self):
        renewals = []

        def renew_for_ten_minutes():
            if self.clock.now() - self.clock.start < 600:
                self.store.renew()
                renewals.append(self.clock.now())
        self.clock.on_sleep.append(renew_for_ten_minutes)
        result = self.make().start()
        silent_for = self.clock.now() - renewals[-1]
        self.assertGreaterEqual(silent_for, 180)
        self.assertLess(silent_for, 180 + 10)
        self.assertEqual(MINE, result.holder)
        self.assertEqual(5 + len(renewals) + 1, result.seq)

    def test_takes_within_one_poll_of_a_release(self):
        def release_after_three_polls():
            if len(self.clock.slept) == 3:
                self.store.put(test_guard.released(node=NODE, seq=6))
        self.clock.on_sleep.append(release_after_three_polls)
        result = self.make().start()
        self.assertEqual(3, len(self.clock.slept))
        self.assertEqual(MINE, result.holder)

    def test_outlives_a_vcenter_outage(self):
        # Reads 2 to 10 fail. Time without a reading is not time watched:
        # the silent holder gets a full lease once vCenter answers again.
        for n in range(2, 11):
            self.store.hooks[('read', n)] = test_guard.unreachable
        result = self.make().start()
        self.assertEqual(100 + 180, sum(self.clock.slept))
        self.assertEqual(MINE, result.holder)
        self.assertIn('cannot read the record', self.logger.output)

    def test_logs_the_wait_once_a_minute(self):
        self.make().start()
        self.assertEqual(3, self.logger.output.count('Standing by'))

    def vanish_after(self, polls, renewals=0):
        """Both definitions deleted after ``polls`` polls.

        By an admin, or a vCenter that came back empty; the holder renews
        on each poll before that, ``renewals`` times.
        """
        def act():
            done = len(self.clock.slept)
            if done <= renewals:
                self.store.renew()
            if done == polls:
                self.store.remove_definition(self.store.lease_name)
                self.store.remove_definition(self.store.attribute_name)
        self.clock.on_sleep.append(act)

    def test_a_record_that_vanishes_is_not_taken_for_free(self):
        # Issue 19: the standby claimed at its next poll while the holder
        # ran on until its next renewal. It waits a whole lease from the
        # last renewal it saw, then claims.
        self.vanish_after(polls=5, renewals=3)
        result = self.make().start()
        self.assertEqual(30 + 180, sum(self.clock.slept))
        self.assertEqual(MINE, result.holder)
        self.assertEqual(1, result.seq, 'a claim of an unowned cluster')
        self.assertIn('is held by %s' % fakes.OTHER_HOLDER, self.logger.output)

    def test_a_vanished_record_without_standby_wait_is_refused(self):
        subject = self.make(standby_wait=False)
        subject.assess()
        self.store.remove_definition(self.store.lease_name)
        self.store.remove_definition(self.store.attribute_name)
        assessment = subject.assess()
        self.assertIs(decision.Action.REFUSE_HELD,
                      assessment.decision.action)
        error = subject.refusal(assessment)
        self.assertIsInstance(error, refusals.ClusterHeldByAnotherProcess)
        self.assertEqual(fakes.OTHER_HOLDER, error.holder)
        self.assertEqual(['read', 'read'], self.store.calls)

    def test_an_outage_does_not_forget_the_holder_of_a_vanished_record(
            self):
        # Reads 3 to 10 fail, and the record is gone when vCenter answers
        # again (a vCenter restored empty): a full lease from then on.
        for n in range(3, 11):
            self.store.hooks[('read', n)] = test_guard.unreachable
        self.vanish_after(polls=4)
        result = self.make().start()
        self.assertEqual(100 + 180, sum(self.clock.slept))
        self.assertEqual(MINE, result.holder)

    def test_a_record_released_then_removed_is_taken_within_a_poll(self):
        # A clean stop, then a release command: nothing to wait for.
        def release_then_remove():
            if len(self.clock.slept) == 2:
                self.store.put(test_guard.released(node=NODE, seq=6))
            if len(self.clock.slept) == 3:
                self.store.remove_definition(self.store.lease_name)
                self.store.remove_definition(self.store.attribute_name)
        self.clock.on_sleep.append(release_then_remove)
        self.assertEqual(MINE, self.make().start().holder)
        self.assertEqual(2, len(self.clock.slept))

"""The lease keeper: renewals and the renew deadline, on the fake clock.

The loops' logic is driven through ``renew_once`` and ``check_deadline``;
the threads themselves are started by two tests whose every wait is
bounded.
"""

import dataclasses
import logging
import threading

import fixtures
from oslotest import base

from nova.virt.vmwareapi.ownership import clock as clock_mod
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import guard as guard_mod
from nova.virt.vmwareapi.ownership import lease
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors
from support import fakes
from support import messages

MINE = 'this-machine:100:mine0000'
DEADLINE = 120  # fakes.settings(): (60 + 180) / 2
THREAD_NAMES = ('ownership-lease', 'ownership-deadline')
BOUND = 10.0
"""Real seconds any wait on a thread may take before the test fails."""


def unreachable():
    raise vsphere_errors.VCenterUnreachable(
        endpoint=fakes.VCENTER, reason='Connection refused')


def broken():
    raise RuntimeError('a bug')


class LeaseTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.logger = self.useFixture(fixtures.FakeLogger(
            level=logging.INFO, format='%(levelname)s [%(name)s] %(message)s'))
        self.store = fakes.FakeStore()
        self.settings = fakes.settings()
        self.assertEqual(DEADLINE, self.settings.renew_deadline)
        self.lost = []
        self.lost_event = threading.Event()
        self.start(fakes.FakeClock())

    def start(self, clock, last_renewal=None):
        self.clock = clock
        self.guard = guard_mod.OwnershipGuard(
            self.store, fakes.HOST, self.settings, holder=MINE, clock=clock)
        self.guard.start()
        self.store.calls[:] = []
        self.keeper = lease.LeaseKeeper(self.guard, self.settings,
                                        self.on_lost, clock=clock,
                                        last_renewal=last_renewal)

    def on_lost(self, error):
        self.lost.append(error)
        self.lost_event.set()

    def assertSteppedDown(self, *words):
        self.assertEqual(1, len(self.lost))
        error = self.lost[0]
        self.assertIsInstance(error, exceptions.OwnershipLost)
        self.assertIs(error, self.keeper.lost)
        for word in words:
            self.assertIn(word, str(error))
        self.assertIn('CRITICAL [%s]' % lease.__name__, self.logger.output)
        self.assertTrue(self.guard.tenure.closed)
        # The end is final: no renewal, no second call of on_lost.
        writes = self.store.calls.count('write_lease')
        self.assertFalse(self.keeper.renew_once())
        self.assertTrue(self.keeper.check_deadline())
        self.assertEqual(writes, self.store.calls.count('write_lease'))
        self.assertEqual(1, len(self.lost))


class DeadlineTestCase(LeaseTestCase):

    def test_steps_down_when_the_deadline_has_passed(self):
        self.clock.advance(DEADLINE - 0.001)
        self.assertFalse(self.keeper.check_deadline())
        self.assertEqual([], self.lost)
        self.assertFalse(self.guard.tenure.closed)
        self.clock.advance(0.001)
        self.assertTrue(self.keeper.check_deadline())
        # No attempt at all within renew_deadline: only a paused or starved
        # process misses renew_interval that far.
        self.assertSteppedDown(
            "renew_deadline = 120): no attempt was made since; this process "
            "was paused or starved of CPU: look at its CPU limit (throttling) "
            "and at the machine's load; a standby may take over")
        self.assertNotIn('late', str(self.lost[0]))

    def test_a_late_check_says_so(self):
        # The deadline thread ran 3.3 s after its time (a paused process).
        self.clock.advance(DEADLINE + 3.3)
        self.assertTrue(self.keeper.check_deadline())
        self.assertSteppedDown(
            'succeeded for 123.3 seconds',
            '; this check itself ran 3.3 seconds late; this process was '
            'paused or starved of CPU: look at')
        # The hint is given once.
        self.assertEqual(1, str(self.lost[0]).count('starved'))

    def test_counted_from_the_start_of_the_last_successful_renewal(self):
        self.clock.advance(50)
        started = self.clock.now()
        # vCenter takes 30 s to answer the renewal's read.
        self.store.hooks[('read', 1)] = lambda: self.clock.advance(30)
        self.assertTrue(self.keeper.renew_once())
        self.assertEqual(started, self.keeper.last_renewal)
        self.clock.advance(started + DEADLINE - self.clock.now() - 0.001)
        self.assertFalse(self.keeper.check_deadline())
        self.clock.advance(0.001)
        self.assertTrue(self.keeper.check_deadline())
        self.assertSteppedDown()

    def test_an_earlier_success_does_not_move_it_back(self):
        # Renewal A starts at +10 and is slow; renewal B starts at +20 and
        # succeeds while A waits. A's success then counts from B's start.
        self.clock.advance(10)

        def b_meanwhile():
            self.clock.advance(10)
            self.assertTrue(self.keeper.renew_once())
        self.store.hooks[('read', 1)] = b_meanwhile
        self.assertTrue(self.keeper.renew_once())
        self.assertEqual(self.clock.start + 20, self.keeper.last_renewal)
        self.assertEqual(2, self.keeper.renewals)

    def test_failed_renewals_do_not_move_it(self):
        for n in (1, 2):
            with self.subTest(n=n):
                self.clock.advance(60)
                self.store.hooks[('read', n)] = unreachable
                self.assertTrue(self.keeper.renew_once())
        self.assertEqual(self.clock.start, self.keeper.last_renewal)
        self.assertTrue(self.keeper.check_deadline())
        self.assertSteppedDown(
            ': 2 attempts since failed (the WARNING lines "Could not renew '
            'the ownership lease" before this one say why); a standby')

    def test_steps_down_while_a_renewal_hangs(self):
        # The deadline passes while the renewal waits for vCenter: the
        # holder steps down, and the renewal, once answered, writes nothing.
        def hang():
            self.clock.advance(DEADLINE + 0.5)
            self.assertTrue(self.keeper.check_deadline())
        self.store.hooks[('read', 1)] = hang
        self.assertFalse(self.keeper.renew_once())
        self.assertNotIn('write_lease', self.store.calls)
        self.assertSteppedDown(
            'the attempt started 120.5 seconds ago has not returned (vCenter '
            'slow or silent, or this process starved of CPU)')
        self.assertNotIn('failed', str(self.lost[0]))
        self.assertNotIn('look at', str(self.lost[0]))
        self.assertIsNone(self.keeper.renewing_since)

    def test_failed_then_hanging_names_both(self):
        self.clock.advance(60)
        self.store.hooks[('read', 1)] = unreachable
        self.assertTrue(self.keeper.renew_once())

        def hang():
            self.clock.advance(60)
            self.assertTrue(self.keeper.check_deadline())
        self.store.hooks[('read', 2)] = hang
        self.assertFalse(self.keeper.renew_once())
        self.assertSteppedDown(
            ': 1 attempt since failed (',
            '; the attempt started 60.0 seconds ago has not returned')

    def test_the_first_deadline_counts_from_the_take(self):
        self.start(self.clock, last_renewal=self.clock.now() - 100)
        self.clock.advance(DEADLINE - 100)
        self.assertTrue(self.keeper.check_deadline())
        self.assertSteppedDown()

    def test_stopped(self):
        self.keeper.stop()
        self.clock.advance(DEADLINE * 2)
        self.assertTrue(self.keeper.check_deadline())
        self.assertEqual([], self.lost)
        self.assertFalse(self.guard.tenure.closed)


class RenewOnceTestCase(LeaseTestCase):

    def test_lost(self):
        self.store.put(record_mod.OwnershipRecord(
            fakes.HOST, holder=fakes.OTHER_HOLDER, seq=9))
        self.assertFalse(self.keeper.renew_once())
        self.assertSteppedDown('replaced by lease')
        self.assertEqual(fakes.OTHER_HOLDER, self.store.view().lease.holder)

    def test_its_log_lines_escape_what_vcenter_holds(self):
        # A fault's text or a holder as vCenter hands it over forges no
        # log line (issue 19).
        forged = messages.vim_text(messages.FORGED)

        def fault():
            raise exceptions.VCenterFault(operation='SetField',
                                          fault=forged, detail=forged)
        self.store.hooks[('write_lease', 1)] = fault
        self.assertTrue(self.keeper.renew_once())
        lease = self.store.view().lease
        self.store.vcenter.set(self.store.moref, lease.token,
                               record_mod.format_record(dataclasses.replace(
                                   lease, holder=messages.FORGED)))
        self.assertFalse(self.keeper.renew_once())
        self.assertSteppedDown('names holder')
        lines = self.logger.output.splitlines()
        self.assertEqual(3, len(lines), self.logger.output)
        for line in lines:
            self.assertTrue(line.isprintable(), line)

    def test_other_errors_are_counted_and_retried(self):
        self.store.hooks[('read', 1)] = unreachable
        self.assertTrue(self.keeper.renew_once())
        self.assertEqual(1, self.keeper.failures)
        self.assertIn('attempt 1 failed', self.logger.output)
        self.assertIn('Connection refused', self.logger.output)
        # An expected failure is one line; a bug gets its traceback.
        self.assertNotIn('Traceback', self.logger.output)
        self.store.hooks[('read', 2)] = broken
        self.assertTrue(self.keeper.renew_once())
        self.assertEqual(2, self.keeper.failures)
        self.assertIn('Traceback', self.logger.output)
        self.assertIn('RuntimeError: a bug', self.logger.output)
        self.assertEqual([], self.lost)
        self.assertEqual(0, self.keeper.renewals)
        self.assertEqual([], [c for c in self.store.calls if c != 'read'])

    def test_a_missing_privilege_is_logged_by_name_the_deadline_decides(self):
        self.store.withheld.add('Global.SetCustomField')
        for attempt in (1, 2):
            self.assertTrue(self.keeper.renew_once())
            self.assertEqual(attempt, self.keeper.failures)
        self.assertIn("user 'svc-nova' lacks the privilege "
                      "Global.SetCustomField on cluster 'DC0_C0'",
                      self.logger.output)
        self.assertNotIn('Traceback', self.logger.output)
        self.assertEqual([], self.lost)
        self.clock.advance(DEADLINE)
        self.assertTrue(self.keeper.check_deadline())
        self.assertSteppedDown('2 attempts since failed')

    def test_success_after_failures(self):
        self.store.hooks[('read', 1)] = unreachable
        self.keeper.renew_once()
        self.assertTrue(self.keeper.renew_once())
        self.assertEqual((0, 1), (self.keeper.failures,
                                  self.keeper.renewals))
        self.assertIn('again after 1 failed attempts', self.logger.output)
        self.assertEqual(2, self.store.view().lease.seq)

    def test_a_failure_after_stop_ends_the_loop(self):
        self.keeper.stop()
        self.store.hooks[('read', 1)] = unreachable
        self.assertFalse(self.keeper.renew_once())
        self.assertEqual([], self.lost)


class ThreadTestCase(LeaseTestCase):

    def threads(self):
        return [thread for thread in threading.enumerate()
                if thread.name in THREAD_NAMES]

    def test_stop_ends_both_threads_at_once(self):
        # The real clock: the threads wait on the stop event, not on time.
        self.start(clock_mod.Clock())
        self.assertEqual([], self.threads())
        self.keeper.start()
        self.assertEqual(2, len(self.threads()))
        self.keeper.stop(timeout=BOUND)
        self.assertEqual([], self.threads())
        self.assertEqual((0, []), (self.keeper.renewals, self.lost))

    def test_both_threads_end_when_the_lease_is_lost(self):
        self.store.put(record_mod.OwnershipRecord(
            fakes.HOST, holder=fakes.OTHER_HOLDER, seq=9))
        self.addCleanup(self.keeper.stop, BOUND)
        self.keeper.start()
        self.assertTrue(self.lost_event.wait(BOUND))
        self.keeper.stop(timeout=BOUND)
        self.assertEqual([], self.threads())
        self.assertEqual(1, len(self.lost))
        self.assertIsInstance(self.lost[0], exceptions.OwnershipLost)
        self.assertTrue(self.guard.tenure.closed)
        self.assertNotIn('write_lease', self.store.calls)


class GoneByTestCase(LeaseTestCase):
    """By when a holder that stepped down must have exited."""

    def on_lost(self, error):
        # Set before the process is asked to stop.
        self.assertIsNotNone(self.keeper.gone_by)
        super().on_lost(error)

    def test_grace_is_half_of_what_the_deadline_leaves_of_the_lease(self):
        for times, expected in (((180, 60, 120), 30), ((6, 2, 4), 1),
                                ((100, 10, 90), 5)):
            with self.subTest(times=times):
                lease_duration, interval, deadline = times
                self.assertEqual(expected, lease.grace(fakes.settings(
                    lease_duration=lease_duration, renew_interval=interval,
                    renew_deadline=deadline)))

    def test_on_time_half_way_between_deadline_and_expiry(self):
        self.assertIsNone(self.keeper.gone_by)
        self.clock.advance(DEADLINE)
        self.assertTrue(self.keeper.check_deadline())
        self.assertSteppedDown()
        # Step-down at +120, a standby at +180 at the earliest.
        self.assertEqual(self.clock.start + 150, self.keeper.gone_by)

    def test_a_late_step_down_gets_less(self):
        self.clock.advance(DEADLINE + 20)
        self.assertTrue(self.keeper.check_deadline())
        self.assertEqual(self.clock.start + 150, self.keeper.gone_by)
        self.assertEqual(10, self.keeper.gone_by - self.clock.now())

    def test_a_paused_process_resumed_after_expiry_has_none(self):
        self.clock.advance(DEADLINE + 100)
        self.assertTrue(self.keeper.check_deadline())
        self.assertLess(self.keeper.gone_by, self.clock.now())

    def test_a_lease_found_lost_gets_the_grace_from_then(self):
        # A forced takeover, found at the renewal 60 s after the last one.
        self.clock.advance(60)
        self.store.put(record_mod.OwnershipRecord(
            fakes.HOST, holder=fakes.OTHER_HOLDER, seq=9))
        self.assertFalse(self.keeper.renew_once())
        self.assertSteppedDown('replaced by lease')
        self.assertEqual(self.clock.now() + 30, self.keeper.gone_by)

    def test_counted_from_the_last_successful_renewal(self):
        self.clock.advance(60)
        self.assertTrue(self.keeper.renew_once())
        self.clock.advance(DEADLINE + 20)
        self.assertTrue(self.keeper.check_deadline())
        self.assertEqual(self.clock.start + 60 + 150, self.keeper.gone_by)

    def test_stopped_is_not_a_step_down(self):
        self.keeper.stop()
        self.clock.advance(DEADLINE * 2)
        self.assertTrue(self.keeper.check_deadline())
        self.assertIsNone(self.keeper.gone_by)


class RetryTestCase(LeaseTestCase):
    """A failed renewal is tried again sooner than the next interval."""

    def test_retry_interval_is_a_third_of_what_the_deadline_leaves(self):
        self.assertEqual(20, lease.retry_interval(fakes.settings()))
        self.assertEqual(lease.MIN_RETRY_INTERVAL, lease.retry_interval(
            fakes.settings(lease_duration=2, renew_interval=1,
                           renew_deadline=1.1)))
        self.assertEqual(1, lease.retry_interval(
            fakes.settings(lease_duration=100, renew_interval=1,
                           renew_deadline=90)))

    def test_failed_renewals_are_retried_before_the_deadline(self):
        attempts = []
        outcomes = [None, unreachable, unreachable, None, None]

        def renew():
            attempts.append(self.clock.now() - self.clock.start)
            outcome = outcomes.pop(0) if outcomes else None
            if outcome is not None:
                outcome()
            if not outcomes:
                self.keeper.stop()

        self.useFixture(fixtures.MockPatchObject(
            self.guard, 'renew', side_effect=renew))
        self.keeper.renew_loop()
        # Every 60 s while it works; 20 s after a failure.
        self.assertEqual([60, 120, 140, 160, 220], attempts)
        self.assertEqual([], self.lost)

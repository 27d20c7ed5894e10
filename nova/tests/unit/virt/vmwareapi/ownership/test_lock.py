"""Tests of the record lock against an in-memory store and a fake clock."""

import logging

import fixtures
from oslotest import base

from nova.tests.unit.virt.vmwareapi.ownership import fakes
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import lock
from nova.virt.vmwareapi.ownership import store

CRASHED_KEY = 555


class TimedStore(fakes.FakeStore):
    """A FakeStore that notes when each lock key was removed."""

    def __init__(self, clock):
        super().__init__()
        self.clock = clock
        self.removed = []

    def remove_lock(self, key):
        self.removed.append((key, self.clock()))
        return super().remove_lock(key)


class FlakyStore(TimedStore):
    """``create_lock`` raises ``LockHeld(None)`` the first times."""

    def __init__(self, clock, failures):
        super().__init__(clock)
        self.failures = failures

    def create_lock(self):
        if self.failures:
            self.failures -= 1
            self.calls.append('create_lock')
            raise store.LockHeld(None)
        return super().create_lock()


class FailingRemoveStore(TimedStore):
    """``remove_lock`` raises ``error``."""

    def __init__(self, clock, error):
        super().__init__(clock)
        self.error = error

    def remove_lock(self, key):
        self.calls.append('remove_lock')
        raise self.error


class LockTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.clock = fakes.FakeClock()
        self.store = TimedStore(self.clock)
        self.logger = self.useFixture(fixtures.FakeLogger(
            name=lock.__name__, level=logging.WARNING))

    def make(self, stale_after=30.0, timeout=90.0, target=None):
        return lock.RecordLock(target or self.store, stale_after=stale_after,
                               timeout=timeout, poll=0.25, clock=self.clock,
                               sleep=self.clock.sleep)

    def test_timeout(self):
        self.store.lock_key = CRASHED_KEY
        error = self.assertRaises(exceptions.LockTimeout,
                                  self.make(stale_after=60, timeout=20)
                                  .acquire)
        self.assertGreaterEqual(error.waited, 20)
        self.assertLess(error.waited, 21)
        self.assertIs(self.store.location, error.location)
        self.assertIn('DC0_C0', str(error))
        self.assertEqual(CRASHED_KEY, self.store.lock_key)
        self.assertEqual([], self.store.removed)

    def test_second_taker_waits_while_held(self):
        first = self.make()
        key = first.acquire()
        self.assertRaises(exceptions.LockTimeout,
                          self.make(stale_after=60, timeout=5).acquire)
        self.assertEqual(key, self.store.lock_key)
        self.assertEqual([], self.store.removed)

    def test_first_create_wins(self):
        key = self.make().acquire()
        self.assertEqual(self.store.lock_key, key)
        self.assertEqual(['create_lock'], self.store.calls)
        self.assertEqual([], self.clock.sleeps)

    def test_held_lock_waited_for_then_acquired(self):
        self.store.lock_key = 300

        def release_after_three_sleeps():
            if len(self.clock.sleeps) == 3:
                self.store.lock_key = None
        self.clock.on_sleep.append(release_after_three_sleeps)
        key = self.make().acquire()
        self.assertEqual(3, len(self.clock.sleeps))
        self.assertNotEqual(300, key)
        self.assertEqual(key, self.store.lock_key)
        self.assertEqual([], self.store.removed)
        for pause in self.clock.sleeps:
            self.assertTrue(0.125 <= pause <= 0.375, pause)

    def test_stale_key_broken_after_stale_after(self):
        self.store.lock_key = CRASHED_KEY
        start = self.clock()
        key = self.make(stale_after=30).acquire()
        self.assertEqual(1, len(self.store.removed))
        removed_key, when = self.store.removed[0]
        self.assertEqual(CRASHED_KEY, removed_key)
        self.assertGreaterEqual(when - start, 30)
        self.assertLess(when - start, 31)
        self.assertEqual(key, self.store.lock_key)
        self.assertNotEqual(CRASHED_KEY, key)
        self.assertIn('Breaking the ownership lock', self.logger.output)

    def test_changing_key_is_not_broken(self):
        self.store.lock_key = 300

        def someone_else_relocks():
            self.store.lock_key += 1
        self.clock.on_sleep.append(someone_else_relocks)
        self.assertRaises(exceptions.LockTimeout,
                          self.make(stale_after=5, timeout=60).acquire)
        self.assertEqual([], self.store.removed)

    def test_lock_vanishing_between_create_and_read(self):
        # create_lock found the lock held, but it was released before its
        # read: LockHeld(None). The next attempt takes it.
        flaky = FlakyStore(self.clock, failures=1)
        key = self.make(target=flaky).acquire()
        self.assertEqual(key, flaky.lock_key)
        self.assertEqual(['create_lock', 'create_lock'], flaky.calls)

    def test_two_breakers(self):
        # Both breakers watched the crashed key for stale_after. The first
        # breaks it and takes a new lock just before the second tries to
        # remove the crashed key: that removal fails (the key is gone) and
        # the second must not get the lock.
        self.store.lock_key = CRASHED_KEY
        first = self.make(stale_after=30)
        taken = []

        class SecondView:
            location = self.store.location
            lock_name = self.store.lock_name

            def create_lock(inner):
                return self.store.create_lock()

            def remove_lock(inner, key):
                if not taken:
                    taken.append(first.acquire())
                return self.store.remove_lock(key)

        second = self.make(stale_after=30, timeout=45, target=SecondView())
        self.assertRaises(exceptions.LockTimeout, second.acquire)
        self.assertEqual(1, len(taken))
        self.assertEqual(taken[0], self.store.lock_key)
        self.assertEqual([CRASHED_KEY, CRASHED_KEY],
                         [key for key, _ in self.store.removed])

    def test_release_removes_key(self):
        subject = self.make()
        key = subject.acquire()
        subject.release(key)
        self.assertIsNone(self.store.lock_key)

    def test_release_of_broken_lock_warns(self):
        subject = self.make()
        key = subject.acquire()
        self.store.lock_key = key + 1
        subject.release(key)
        self.assertEqual(key + 1, self.store.lock_key)
        self.assertIn('broken by another process', self.logger.output)

    def test_release_never_raises(self):
        for error in (exceptions.VCenterUnreachable('vc', 'refused'),
                      exceptions.VCenterFault('RemoveCustomFieldDef',
                                              ['SystemError'], 'boom'),
                      exceptions.MissingPrivilege('Global.ManageCustomFields',
                                                  'RemoveCustomFieldDef')):
            failing = FailingRemoveStore(self.clock, error)
            self.make(target=failing).release(7)
            self.assertEqual(['remove_lock'], failing.calls)
        self.assertIn('Could not release', self.logger.output)

    def test_held_releases_on_error(self):
        subject = self.make()

        def block():
            with subject.held() as key:
                self.assertEqual(key, self.store.lock_key)
                raise ValueError('in the block')
        self.assertRaises(ValueError, block)
        self.assertIsNone(self.store.lock_key)

    def test_held(self):
        with self.make().held() as key:
            self.assertEqual(key, self.store.lock_key)
        self.assertIsNone(self.store.lock_key)
        self.assertEqual(['create_lock', 'remove_lock'], self.store.calls)

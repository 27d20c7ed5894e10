"""The one time source, and the fake clock that stands in for it."""

import datetime
import threading
import time
from unittest import mock

from oslotest import base

from nova.virt.vmwareapi.ownership import clock
from support import fakes


class ClockTestCase(base.BaseTestCase):
    """The system clock; nothing here waits for time to pass."""

    def test_now_is_the_monotonic_clock(self):
        # Not the wall clock: liveness and deadlines must not jump with it.
        with mock.patch.object(time, 'monotonic', autospec=True,
                               return_value=42.5):
            self.assertEqual(42.5, clock.SYSTEM.now())

    def test_wait_returns_at_once_when_set(self):
        event = threading.Event()
        event.set()
        self.assertTrue(clock.SYSTEM.wait(event, 3600))

    def test_wait_times_out_unset(self):
        self.assertFalse(clock.SYSTEM.wait(threading.Event(), 0))

    def test_sleep_sleeps_the_seconds_given(self):
        with mock.patch.object(time, 'sleep', autospec=True) as sleep:
            clock.SYSTEM.sleep(2.5)
        sleep.assert_called_once_with(2.5)

    def test_utcnow_is_aware_utc(self):
        now = clock.SYSTEM.utcnow()
        self.assertEqual(datetime.timedelta(0), now.utcoffset())

    def test_wait_waits_on_the_event_for_the_seconds_given(self):
        event = mock.create_autospec(threading.Event, instance=True)
        event.wait.return_value = False
        self.assertFalse(clock.SYSTEM.wait(event, 7))
        event.wait.assert_called_once_with(7)


class FakeClockTestCase(base.BaseTestCase):
    """The tests' clock keeps the contract of ``clock.Clock``."""

    def setUp(self):
        super().setUp()
        self.clock = fakes.FakeClock(limit=100)

    def test_is_a_clock(self):
        self.assertIsInstance(self.clock, clock.Clock)

    def test_sleep_advances_and_calls_back(self):
        seen = []
        self.clock.on_sleep.append(lambda: seen.append(self.clock.now()))
        self.clock.sleep(2.5)
        self.assertEqual(self.clock.start + 2.5, self.clock.now())
        self.assertEqual([self.clock.start + 2.5], seen)
        self.assertEqual([2.5], self.clock.slept)

    def test_wait(self):
        event = threading.Event()
        self.assertFalse(self.clock.wait(event, 10))
        self.assertEqual(self.clock.start + 10, self.clock.now())
        event.set()
        self.assertTrue(self.clock.wait(event, 10))
        self.assertEqual(self.clock.start + 10, self.clock.now())

    def test_an_endless_wait_fails(self):
        self.assertRaises(AssertionError, self.clock.sleep, 101)

    def test_utcnow_follows_the_monotonic_clock(self):
        self.clock.advance(90)
        self.assertEqual(fakes.WALL + datetime.timedelta(seconds=90),
                         self.clock.utcnow())

"""The one time source, and the fake clock that stands in for it."""

import datetime
import threading

from oslotest import base

from nova.tests.unit.virt.vmwareapi.ownership import fakes
from nova.virt.vmwareapi.ownership import clock


class ClockTestCase(base.BaseTestCase):
    """The system clock; nothing here waits for time to pass."""

    def test_monotonic(self):
        first = clock.SYSTEM.now()
        self.assertLessEqual(first, clock.SYSTEM.now())

    def test_wait_returns_at_once_when_set(self):
        event = threading.Event()
        event.set()
        self.assertTrue(clock.SYSTEM.wait(event, 3600))

    def test_wait_times_out_unset(self):
        self.assertFalse(clock.SYSTEM.wait(threading.Event(), 0))

    def test_sleep(self):
        self.assertIsNone(clock.SYSTEM.sleep(0))

    def test_utcnow_is_aware_utc(self):
        now = clock.SYSTEM.utcnow()
        self.assertEqual(datetime.timedelta(0), now.utcoffset())

    def test_system_is_a_clock(self):
        self.assertIsInstance(clock.SYSTEM, clock.Clock)


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

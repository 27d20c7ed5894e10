"""The hard exit after a step-down, on the fake clock.

The watchdog's body runs on fake threads that run when started (or never:
a logging lock held forever) and exits into a list; two tests run it for
real in a process of its own, with native threads and under eventlet,
while its main thread never yields.
"""

import logging
import subprocess
import sys
import threading
from unittest import mock

import fixtures
from oslotest import base

from nova.virt.vmwareapi.ownership import watchdog
import support
from support import fakes

BOUND = 60.0
"""Real seconds a process of the real-thread tests may take."""


class FakeThreads:
    """A ``threading`` module whose threads run at ``start``.

    They run in the caller, except those named in ``stuck``: they never
    run.
    """

    Lock = threading.Lock
    Event = threading.Event

    def __init__(self, stuck=()):
        self.stuck = set(stuck)
        self.started = []

    def Thread(self, target, args=(), name=None, daemon=None):  # noqa: N802
        threads = self

        class Thread:
            def start(self):
                threads.started.append((name, daemon))
                if name not in threads.stuck:
                    target(*args)
        return Thread()


class ExitWatchdogTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.logger = self.useFixture(fixtures.FakeLogger(
            level=logging.INFO, format='%(levelname)s %(message)s'))
        self.clock = fakes.FakeClock()
        self.exits = []
        self.flushed = []

    def watchdog(self, **kwargs):
        kwargs.setdefault('threads', FakeThreads())
        return watchdog.ExitWatchdog(
            clock=self.clock, hard_exit=self.exits.append,
            flush=lambda: self.flushed.append(self.clock.now()), **kwargs)

    def test_exits_by_the_given_time_with_its_own_status(self):
        at = self.clock.now() + 10
        self.watchdog().arm(at, 'losing the ownership of the cluster')
        self.assertEqual([watchdog.EXIT_STEPPED_DOWN], self.exits)
        self.assertEqual(75, watchdog.EXIT_STEPPED_DOWN)
        # Its last words are written before the time, and flushed.
        self.assertLessEqual(self.clock.now(), at)
        self.assertEqual([at - watchdog.LAST_WORDS], self.flushed)
        self.assertIn(
            'CRITICAL nova-compute has not stopped 9.8 seconds after losing '
            'the ownership of the cluster: exiting now with status 75 '
            '(os._exit), so that it is gone before a standby may take over',
            self.logger.output)

    def test_a_time_already_past_exits_at_once(self):
        # A paused process resumes after the lease could have expired.
        self.watchdog().arm(self.clock.now() - 5, 'its step-down')
        self.assertEqual([watchdog.EXIT_STEPPED_DOWN], self.exits)
        self.assertEqual([], self.clock.slept)

    def test_a_log_that_blocks_does_not_hold_the_exit(self):
        threads = FakeThreads(stuck={'ownership-last-words'})
        at = self.clock.now() + 10
        self.watchdog(threads=threads).arm(at, 'its step-down')
        self.assertEqual([watchdog.EXIT_STEPPED_DOWN], self.exits)
        self.assertEqual(at, self.clock.now())
        self.assertEqual([], self.flushed)

    def test_disarmed_while_it_waits_it_does_not_exit(self):
        dog = self.watchdog()
        self.clock.on_sleep.append(dog.disarm)
        dog.arm(self.clock.now() + 10, 'stopping without releasing')
        self.assertEqual([], self.exits)
        self.assertEqual('', self.logger.output)

    def test_disarmed_before_its_time_came_it_does_not_exit(self):
        threads = FakeThreads(stuck={'ownership-hard-exit'})
        dog = self.watchdog(threads=threads)
        dog.arm(self.clock.now() - 1, 'stopping without releasing')
        dog.disarm()
        dog.run(dog.at, 'stopping without releasing', self.clock.now())
        self.assertEqual([], self.exits)

    def test_its_threads_are_daemons_and_armed_once(self):
        threads = FakeThreads(stuck={'ownership-hard-exit'})
        dog = self.watchdog(threads=threads)
        dog.arm(self.clock.now() + 10, 'its step-down')
        dog.arm(self.clock.now() + 1, 'its step-down, again')
        self.assertEqual([('ownership-hard-exit', True)], threads.started)
        self.assertEqual(self.clock.now() + 10, dog.at)

    def test_os_threads_where_eventlet_patched_threading(self):
        patched = mock.Mock(spec=['is_monkey_patched', 'original'])
        patched.is_monkey_patched.return_value = True
        with mock.patch.dict(sys.modules, {'eventlet.patcher': patched}):
            self.assertIs(patched.original.return_value,
                          watchdog.os_threading())
        patched.is_monkey_patched.assert_called_once_with('thread')
        patched.original.assert_called_once_with('threading')
        patched.is_monkey_patched.return_value = False
        with mock.patch.dict(sys.modules, {'eventlet.patcher': patched}):
            self.assertIs(threading, watchdog.os_threading())
        with mock.patch.dict(sys.modules, {'eventlet.patcher': None}):
            self.assertIs(threading, watchdog.os_threading())


# A process whose main thread never yields after arming the watchdog: a
# busy loop (under eventlet, no green thread runs meanwhile) with SIGTERM
# ignored. Only an OS thread of the watchdog can end it.
_STUCK = '''
import sys
if sys.argv[1] == 'eventlet':
    import eventlet
    eventlet.monkey_patch()
import logging, signal, time
logging.basicConfig(stream=sys.stderr, format='%(levelname)s %(message)s')
signal.signal(signal.SIGTERM, signal.SIG_IGN)
from nova.virt.vmwareapi.ownership import watchdog
threads = watchdog.os_threading()
print(threads.__name__, threads.Thread is not __import__('threading').Thread,
      flush=True)
watchdog.ExitWatchdog().arm(time.monotonic() + 0.5, 'a test')
while True:
    pass
'''


class RealThreadTestCase(base.BaseTestCase):

    def run_stuck(self, mode):
        return subprocess.run(
            [sys.executable, '-c', _STUCK, mode], cwd=support.REPO_ROOT,
            capture_output=True, text=True, timeout=BOUND)

    def test_ends_a_process_whose_threads_never_yield(self):
        for mode, original in (('native', False), ('eventlet', True)):
            with self.subTest(mode=mode):
                done = self.run_stuck(mode)
                self.assertEqual(watchdog.EXIT_STEPPED_DOWN, done.returncode,
                                 done.stderr[-2000:])
                self.assertEqual('threading %s' % original,
                                 done.stdout.strip())
                self.assertIn('CRITICAL nova-compute has not stopped',
                              done.stderr)
                self.assertIn('after a test: exiting now with status 75',
                              done.stderr)

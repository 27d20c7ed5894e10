"""The hard exit of a process that must be gone by a given time.

A nova-compute that stepped down (``lease``) is asked to stop as an
operator would ask it, with SIGTERM, and is given until the lease keeper's
``gone_by`` to do so. nova's stop can block on the very thing that made
it step down (in-progress tasks waiting for a vCenter that does not
answer, nova 33's fixed wait before ``cleanup_host``) while its other
threads keep calling vCenter. ``ExitWatchdog`` ends the process at that
time with ``os._exit`` and ``EXIT_STEPPED_DOWN``, whatever the rest of it
is doing.

Its thread is an OS thread even where eventlet monkey-patched
``threading`` (nova-compute 31 to 33): a green thread runs only when the
others yield, and a hung stop need not yield. It depends neither on the
main thread nor on signal handlers (oslo.service owns SIGTERM and
SIGALRM). Its last log line is written by a thread of its own that it
waits for only briefly, since a logging lock held by a stuck thread must
not hold the exit.
"""

import logging
import os
import sys
import threading

from nova.virt.vmwareapi.ownership import clock as clock_mod

LOG = logging.getLogger(__name__)

EXIT_STEPPED_DOWN = 75
"""The exit status of the hard exit: sysexits' ``EX_TEMPFAIL`` ("try
again later"). A restarted nova-compute comes back as a standby."""

LAST_WORDS = 0.25
"""Seconds the hard exit waits for its log line to be written."""


def os_threading():
    """The ``threading`` module whose threads are OS threads.

    eventlet's original module where eventlet monkey-patched threads,
    the module itself otherwise.
    """
    patcher = sys.modules.get('eventlet.patcher')
    if patcher is not None and patcher.is_monkey_patched('thread'):
        return patcher.original('threading')
    return threading


def flush_logging():
    """Flush every logging handler, and the standard streams."""
    loggers = [logging.getLogger()] + [
        logger for logger in list(logging.Logger.manager.loggerDict.values())
        if isinstance(logger, logging.Logger)]
    for logger in loggers:
        for handler in list(logger.handlers):
            try:
                handler.flush()
            except Exception:  # noqa: BLE001 - exiting anyway
                pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - exiting anyway
            pass


class ExitWatchdog:
    """Exits this process at a given time unless it has ended before.

    :param clock: a ``clock.Clock``; its ``wait`` on an event of
                  ``threads`` waits for real
    :param hard_exit: ends the process with a status (``os._exit``)
    :param threads: the ``threading`` module of its threads (default:
                    ``os_threading()``)
    :param flush: flushes the logs (``flush_logging``)
    :ivar at: the monotonic time it exits at, once armed
    """

    def __init__(self, clock=clock_mod.SYSTEM, hard_exit=os._exit,
                 threads=None, flush=flush_logging):
        self._clock = clock
        self._hard_exit = hard_exit
        self._threads = threads or os_threading()
        self._flush = flush
        self._lock = self._threads.Lock()
        self._disarmed = self._threads.Event()
        self.at = None

    def arm(self, at, why):
        """Exit at monotonic time ``at``; once (a second call is ignored).

        :param at: when, on the clock's monotonic time
        :param why: what the process is stopping for, completing "has
                    not stopped N seconds after ..."
        """
        with self._lock:
            if self.at is not None:
                return
            self.at = at
        self._threads.Thread(target=self.run,
                             args=(at, why, self._clock.now()),
                             name='ownership-hard-exit', daemon=True).start()

    def disarm(self):
        """Do not exit after all (the reason went away)."""
        self._disarmed.set()

    def run(self, at, why, armed):
        """The watchdog thread: wait for ``at``, say why, exit."""
        left = at - LAST_WORDS - self._clock.now()
        if left > 0 and self._clock.wait(self._disarmed, left):
            return
        if self._disarmed.is_set():
            return
        self._last_words(
            'nova-compute has not stopped %.1f seconds after %s: exiting '
            'now with status %d (os._exit), so that it is gone before a '
            'standby may take over; whatever its stop was waiting for is '
            'abandoned. Restarted, it waits as a standby.'
            % (self._clock.now() - armed, why, EXIT_STEPPED_DOWN))
        self._hard_exit(EXIT_STEPPED_DOWN)

    def _last_words(self, message):
        written = self._threads.Event()

        def write():
            try:
                LOG.critical('%s', message)
                self._flush()
            finally:
                written.set()
        self._threads.Thread(target=write, name='ownership-last-words',
                             daemon=True).start()
        self._clock.wait(written, LAST_WORDS)

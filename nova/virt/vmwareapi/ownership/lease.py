"""Keeping the lease: the holder's renewals and its renew deadline.

``LeaseKeeper`` runs two threads (plain ``threading``: native threads in
nova-compute 34, green threads where eventlet monkey-patched them):

- renewals: ``guard.renew`` every ``renew_interval`` seconds. A failed
  renewal (vCenter unreachable or slow) is logged and tried again sooner,
  every ``retry_interval`` (a third of the time between ``renew_interval``
  and ``renew_deadline``), so that a passing fault costs no step down; one
  that finds the cluster taken away ends the lease.
- the deadline: when no renewal has succeeded for ``renew_deadline``
  seconds of this process's monotonic clock, counted from the *start* of
  the last successful one, the holder steps down, even while a renewal
  hangs on a silent vCenter. ``renew_deadline`` < ``lease_duration``, so
  it has stopped before any standby may judge it dead, and a write of it
  still under way is refused by vCenter once a standby took over
  (``fencing``).

Either way the end is the same: log CRITICAL, write nothing more, call
``on_lost`` (nova-compute: stop the service).
"""

import logging
import threading

from nova.virt.vmwareapi.ownership import clock as clock_mod
from nova.virt.vmwareapi.ownership import exceptions

LOG = logging.getLogger(__name__)


class LeaseKeeper:
    """Renews a guard's lease until stopped, lost, or past its deadline.

    :param guard: an ``OwnershipGuard`` holding the cluster (its tenure)
    :param settings: an ``opts.Settings`` (``renew_interval``,
                     ``renew_deadline``)
    :param on_lost: called once with the ``OwnershipLost`` error
    :param clock: a ``clock.Clock``
    :param last_renewal: monotonic time the take started (the first
                         deadline is counted from it); default: now
    """

    def __init__(self, guard, settings, on_lost, clock=clock_mod.SYSTEM,
                 last_renewal=None):
        self._guard = guard
        self.interval = settings.renew_interval
        self.deadline = settings.renew_deadline
        self.retry_interval = retry_interval(settings)
        self._on_lost = on_lost
        self._clock = clock
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = []
        self.last_renewal = clock.now() if last_renewal is None \
            else last_renewal
        self.renewals = 0
        self.failures = 0
        self.lost = None
        # Monotonic start of the renewal under way, None between renewals.
        self.renewing_since = None

    def start(self):
        """Start the renewal and deadline threads (daemons)."""
        for name, target in (('ownership-lease', self.renew_loop),
                             ('ownership-deadline', self._deadline_loop)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout=None):
        """Stop renewing; wait up to ``timeout`` seconds for the threads."""
        self._stop.set()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout)

    def renew_loop(self):
        """The renewal thread's body: renew until stopped or ended."""
        delay = self.interval
        while not self._clock.wait(self._stop, delay):
            if not self.renew_once():
                return
            delay = self.retry_interval if self.failures else self.interval

    def _deadline_loop(self):
        while not self.check_deadline():
            left = self.last_renewal + self.deadline - self._clock.now()
            if self._clock.wait(self._stop, max(left, 0.0)):
                return

    def renew_once(self):
        """One renewal. Returns False when the lease has ended."""
        started = self._clock.now()
        self.renewing_since = started
        try:
            self._guard.renew()
        except exceptions.OwnershipLost as exc:
            self._lose(exc)
            return False
        except Exception as exc:  # noqa: BLE001
            # Whatever went wrong, this thread must not die: the deadline
            # decides when trying again is no longer safe.
            self.failures += 1
            LOG.warning('Could not renew the ownership lease of %s (attempt '
                        '%d failed, retrying in %g seconds; stepping down '
                        '%g seconds after the last successful renewal): %s',
                        self._guard.location, self.failures,
                        self.retry_interval, self.deadline, exc,
                        exc_info=not isinstance(exc,
                                                exceptions.OwnershipError))
            return not self._stop.is_set()
        finally:
            self.renewing_since = None
        with self._lock:
            if self.lost is not None:
                return False
            self.last_renewal = max(self.last_renewal, started)
        if self.failures:
            LOG.info('Renewed the ownership lease of %s again after %d '
                     'failed attempts.', self._guard.location, self.failures)
        self.failures = 0
        self.renewals += 1
        return True

    def check_deadline(self):
        """Step down if the deadline has passed. True when ended."""
        if self._stop.is_set():
            return True
        now = self._clock.now()
        waited = now - self.last_renewal
        if waited < self.deadline:
            return False
        self._lose(exceptions.OwnershipLost(
            location=self._guard.location, holder=self._guard.holder,
            what=deadline_reason(waited, self.deadline, self.failures,
                                 self.renewing_since, now)))
        return True

    def _lose(self, error):
        with self._lock:
            if self.lost is not None:
                return
            self.lost = error
        self._guard.step_down()
        self._stop.set()
        LOG.critical('%s', error)
        self._on_lost(error)


LATE_NOTICE = 1.0
"""Seconds past the deadline from which the step-down says it ran late."""


def deadline_reason(waited, deadline, failures, renewing_since, now):
    """Why a holder steps down at its renew deadline, from what it saw.

    Names what this process can tell apart: attempts that failed (their
    WARNING lines say why), an attempt still waiting for an answer, or no
    attempt at all; and whether this check itself ran late, which only a
    paused or CPU-starved process does.

    :param waited: seconds since the start of the last successful renewal
    :param failures: failed attempts since then
    :param renewing_since: monotonic start of the renewal under way, or None
    :param now: the monotonic time of the check
    """
    causes = []
    if failures:
        causes.append('%d attempt%s since failed (the WARNING lines "Could '
                      'not renew the ownership lease" before this one say '
                      'why)' % (failures, '' if failures == 1 else 's'))
    if renewing_since is not None:
        causes.append('the attempt started %.1f seconds ago has not returned '
                      '(vCenter slow or silent, or this process starved of '
                      'CPU)' % (now - renewing_since))
    starved = not causes
    if starved:
        causes.append('no attempt was made since')
    late = waited - deadline
    if late >= LATE_NOTICE:
        causes.append('this check itself ran %.1f seconds late' % late)
        starved = True
    if starved:
        causes.append("this process was paused or starved of CPU: look at "
                      "its CPU limit (throttling) and at the machine's load")
    return ('no renewal of its lease succeeded for %.1f seconds (counted from '
            'the start of the last successful one; [vmware_ownership] '
            'renew_deadline = %g): %s; a standby may take over once '
            'lease_duration has passed'
            % (waited, deadline, '; '.join(causes)))


MIN_RETRY_INTERVAL = 0.2
"""Seconds, the shortest wait between two attempts of a failed renewal."""


def retry_interval(settings):
    """Seconds between the attempts of a failed renewal.

    A third of what ``renew_deadline`` leaves after ``renew_interval`` (20 s
    with the defaults), so that a renewal that failed once is tried a few
    more times before the deadline, not once at the deadline itself.
    """
    return max(MIN_RETRY_INTERVAL,
               min(settings.renew_interval,
                   (settings.renew_deadline - settings.renew_interval) / 3.0))

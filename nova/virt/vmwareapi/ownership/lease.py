"""Keeping the lease: the holder's periodic renewal.

``LeaseKeeper`` runs ``guard.renew`` every ``renew_interval`` seconds in a
thread of its own. Plain ``threading`` works in both of nova-compute's
modes: natively, and as a green thread where eventlet monkey-patched it.

- vCenter unreachable: log, keep trying at the same interval. The guard
  re-reads before every write, so after a reconnect it finds out whether
  someone else took the cluster meanwhile.
- Ownership lost (the record names another holder): log CRITICAL, never
  write, and call ``on_lost`` (nova-compute: stop the service).
"""

import logging
import threading

from nova.virt.vmwareapi.ownership import exceptions

LOG = logging.getLogger(__name__)


class LeaseKeeper:
    """Renews a guard's lease until stopped or lost.

    :param guard: an ``OwnershipGuard`` that holds the cluster
    :param interval: seconds between renewals
    :param on_lost: called once, with the ``OwnershipLost`` error, when the
                    cluster was taken away
    :param wait: ``wait(event, seconds)``; the default is ``event.wait``
                 (injectable so tests drive time)
    """

    def __init__(self, guard, interval, on_lost, wait=None):
        self._guard = guard
        self.interval = interval
        self._on_lost = on_lost
        self._wait = wait or (lambda event, seconds: event.wait(seconds))
        self._stop = threading.Event()
        self._thread = None
        self.renewals = 0
        self.failures = 0
        self.lost = None

    def start(self):
        """Start renewing in a daemon thread."""
        self._thread = threading.Thread(target=self.run,
                                        name='ownership-lease', daemon=True)
        self._thread.start()

    def stop(self, timeout=None):
        """Stop renewing; wait up to ``timeout`` seconds for the thread."""
        self._stop.set()
        if self._thread is not None and \
                self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def stopped(self):
        return self._stop.is_set()

    def run(self):
        """The renewal loop (the thread's body)."""
        while not self._wait(self._stop, self.interval):
            if not self.renew_once():
                return

    def renew_once(self):
        """One renewal. Returns False when the loop must end."""
        try:
            self._guard.renew()
        except exceptions.OwnershipLost as exc:
            self.lost = exc
            self._stop.set()
            LOG.critical('%s', exc)
            self._on_lost(exc)
            return False
        except Exception as exc:  # noqa: BLE001
            # Whatever went wrong, this thread must not die: a holder that
            # silently stops renewing is taken over while still running.
            self.failures += 1
            LOG.warning('Could not renew the ownership lease of %s (attempt '
                        '%d failed, retrying in %s seconds): %s',
                        self._guard.location, self.failures, self.interval,
                        exc, exc_info=not isinstance(
                            exc, exceptions.OwnershipError))
            return True
        if self.failures:
            LOG.info('Renewed the ownership lease of %s again after %d '
                     'failed attempts.', self._guard.location, self.failures)
        self.failures = 0
        self.renewals += 1
        return True

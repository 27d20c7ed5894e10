"""The record lock: mutual exclusion for read-modify-write of a record.

vSphere's ``SetField`` has no compare-and-swap, so every claim and takeover
happens inside this lock. Its atomic step is the creation of a custom field
definition (``store.create_lock``): of N concurrent creators exactly one
succeeds, the others get ``DuplicateName``.

A lock left by a crashed process is broken once this process has watched
the *same* lock key for ``stale_after`` seconds of its own monotonic clock.
Breaking removes that key; removal of a key that is already gone fails, and
a new lock gets a new key, so two breakers cannot both remove a live lock
and then both hold it: after breaking, each competes to create it again.
"""

import contextlib
import logging
import random
import time

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import store as store_mod

LOG = logging.getLogger(__name__)


class RecordLock:
    """The lock of one cluster's record.

    :param store: a ``ClusterStore``
    :param stale_after: seconds a lock key may be seen unchanged before it
                        is considered abandoned; a live holder keeps it for
                        well under a second
    :param timeout: seconds to wait for the lock before ``LockTimeout``
    :param poll: mean seconds between attempts (jittered to break lockstep)
    :param clock: monotonic clock; ``sleep``: its sleep (both injectable)
    :param on_wait: called once per ``acquire`` when the lock is found
                    held by another process (e.g. to tell an operator why
                    the command waits)
    """

    def __init__(self, store, stale_after=30.0, timeout=90.0, poll=0.25,
                 clock=time.monotonic, sleep=time.sleep, on_wait=None):
        self._store = store
        self.stale_after = stale_after
        self.timeout = timeout
        self.poll = poll
        self._clock = clock
        self._sleep = sleep
        self._on_wait = on_wait

    def acquire(self, still_wanted=None):
        """Take the lock.

        :param still_wanted: called with the store's ``Reading`` each time
                             the lock is found held; when it returns False
                             the wait ends (the record changed, so the
                             caller's plan is moot: a claimer that lost the
                             race learns it without queueing for the lock)
        :returns: the key of the lock definition, for ``release``; ``None``
                  when ``still_wanted`` ended the wait
        :raises: LockTimeout, VCenterError
        """
        start = self._clock()
        seen_key = seen_since = None
        waited = False
        while True:
            try:
                return self._store.create_lock()
            except store_mod.LockHeld as held:
                if still_wanted is not None and held.reading is not None \
                        and not still_wanted(held.reading):
                    LOG.debug('Stopped waiting for the lock of %s: the '
                              'record changed.', self._store.location)
                    return None
                if not waited and self._on_wait is not None:
                    self._on_wait()
                waited = True
                now = self._clock()
                if held.key is not None and held.key == seen_key and \
                        now - seen_since >= self.stale_after:
                    LOG.warning('Breaking the ownership lock %s (key %s) of '
                                '%s: unchanged for %d seconds, its holder '
                                'is presumed dead.', self._store.lock_name,
                                held.key, self._store.location,
                                now - seen_since)
                    self._store.remove_lock(held.key)
                    seen_key = None
                    continue
                if held.key != seen_key:
                    seen_key, seen_since = held.key, now
                if now - start >= self.timeout:
                    raise exceptions.LockTimeout(self._store.location,
                                                 now - start)
                self._sleep(self.poll * random.uniform(0.5, 1.5))

    def release(self, key):
        """Release the lock taken as ``key``; never raises.

        A failure leaves the lock to be broken as stale by the next taker.
        """
        try:
            if not self._store.remove_lock(key):
                LOG.warning('The ownership lock of %s was broken by another '
                            'process while held by this one.',
                            self._store.location)
        except exceptions.OwnershipError as exc:
            LOG.warning('Could not release the ownership lock of %s: %s. '
                        'Another process will break it after %d seconds.',
                        self._store.location, exc, self.stale_after)

    @contextlib.contextmanager
    def held(self, still_wanted=None):
        """Context manager holding the lock for its block.

        Yields the lock key, or ``None`` (lock not taken) when
        ``still_wanted`` ended the wait; see ``acquire``.
        """
        key = self.acquire(still_wanted)
        try:
            yield key
        finally:
            if key is not None:
                self.release(key)

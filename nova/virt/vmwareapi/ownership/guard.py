"""The guard: applies the decision to a cluster through the store.

``OwnershipGuard.start`` is what nova-compute runs at start: read the record,
decide, then claim, take, stand by or refuse. ``renew`` and ``release`` keep
and give back the lease. The CLI's read-only commands use ``assess``.
"""

import datetime
import logging
import time

from nova.virt.vmwareapi.ownership import decision as decision_mod
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import liveness
from nova.virt.vmwareapi.ownership import lock as lock_mod
from nova.virt.vmwareapi.ownership import opts
from nova.virt.vmwareapi.ownership import record as record_mod

LOG = logging.getLogger(__name__)

Action = decision_mod.Action
Identity = decision_mod.Identity

STANDBY_LOG_EVERY = 60.0
"""Seconds between two 'still waiting' log lines of a standby."""


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


class Assessment:
    """One reading of the cluster and what it means for this host.

    :ivar reading: the store's ``Reading``
    :ivar record: the parsed record (``None`` if absent or unreadable)
    :ivar error: the ``UnreadableRecord`` error, or ``None``
    :ivar liveness: a ``decision.Liveness`` of the holder
    :ivar decision: the ``decision.Decision``
    """

    def __init__(self, reading, record, error, liveness, decision):
        self.reading = reading
        self.record = record
        self.error = error
        self.liveness = liveness
        self.decision = decision


class OwnershipGuard:
    """Guards one cluster for one nova-compute host.

    :param store: a ``store.ClusterStore`` of the cluster
    :param this_host: nova's ``[DEFAULT] host``
    :param settings: the ``[vmware_ownership]`` option group (or an object
                     with the same attributes)
    :param identity: the local compute node identity, an object with
                     ``read()`` and ``write(uuid)``; ``None`` to leave it
    :param holder: this process's holder identity (generated if omitted)
    :param lock: a ``lock.RecordLock`` (made from ``store`` if omitted)
    :param clock: monotonic clock; ``sleep``: its sleep; ``now``: wall
                  clock for the record's informational timestamps
    """

    def __init__(self, store, this_host, settings, identity=None,
                 holder=None, lock=None, clock=time.monotonic,
                 sleep=time.sleep, now=utcnow):
        self._store = store
        self.this_host = this_host
        self._settings = settings
        self._identity = identity
        self.holder = holder or liveness.new_holder_id()
        self.lock = lock or lock_mod.RecordLock(store, clock=clock,
                                                sleep=sleep)
        self._watch = liveness.HolderWatch(self.holder,
                                           settings.lease_duration, clock)
        self._clock = clock
        self._sleep = sleep
        self._now = now
        self.record = None

    @property
    def location(self):
        return self._store.location

    @property
    def _leased(self):
        return self._settings.lease_duration > 0

    def _local_node(self):
        return self._identity.read() if self._identity else None

    def assess(self):
        """Read the cluster once and decide; writes nothing.

        :returns: an ``Assessment``
        :raises: VCenterError
        """
        reading = self._store.read()
        try:
            record = reading.record()
        except exceptions.UnreadableRecord as exc:
            error = exc.at(self.location)
            return Assessment(reading, None, error, decision_mod.Liveness.NONE,
                              decision_mod.decide(None, self.this_host,
                                                  unreadable=True))
        alive = self._watch.observe(record)
        return Assessment(reading, record, None, alive, decision_mod.decide(
            record, self.this_host, alive, self._local_node(),
            self._settings.sync_node_identity))

    def start(self):
        """Make this process the cluster's holder, or refuse.

        Waits as a standby while another live process of this host holds
        the cluster (``standby_wait``), up to ``standby_timeout``.

        :returns: the record now on the cluster (``None`` in audit or
                  disabled mode)
        :raises: OwnershipRefused subclasses, VCenterError, LockTimeout
        """
        mode = self._settings.mode
        if mode == opts.MODE_DISABLED:
            return None
        waiting_since = last_log = None
        while True:
            if waiting_since is None:
                assessment = self.assess()
            else:
                assessment = self._assess_as_standby()
                if assessment is None:
                    self._sleep(self.standby_poll)
                    continue
            chosen = assessment.decision
            if chosen.refused or chosen.action is Action.STANDBY and \
                    not self._settings.standby_wait:
                error = self.refusal(assessment)
                if mode == opts.MODE_AUDIT:
                    LOG.warning('Ownership audit: in enforce mode this '
                                'service would refuse to start: %s', error)
                    return None
                raise error
            if chosen.action is Action.STANDBY:
                if mode == opts.MODE_AUDIT:
                    LOG.warning('Ownership audit: %s is held by %s; in '
                                'enforce mode this service would wait.',
                                self.location, chosen.record.holder)
                    return None
                now = self._clock()
                if waiting_since is None:
                    waiting_since = now
                waited = now - waiting_since
                timeout = self._settings.standby_timeout
                if timeout and waited >= timeout:
                    raise exceptions.ClusterHeldByAnotherProcess(
                        self.location, chosen.record.holder, self.this_host,
                        waited)
                if last_log is None or now - last_log >= STANDBY_LOG_EVERY:
                    last_log = now
                    LOG.info('Standing by: %s is held by %s (watched %d of '
                             '%d seconds without a renewal); waiting for it '
                             'to be released or to expire.', self.location,
                             chosen.record.holder, self._watch.watched_for(),
                             self._settings.lease_duration)
                self._sleep(self.standby_poll)
                continue
            if mode == opts.MODE_AUDIT:
                LOG.info('Ownership audit: %s; in enforce mode this service '
                         'would %s it.', chosen.reason, chosen.action.value)
                return None
            if not self._needs_write(chosen):
                self.record = assessment.record
                self._restore_identity(chosen, assessment.record)
                return self.record
            written = self._write_under_lock(assessment.reading.raw)
            if written is not None:
                return written

    def _assess_as_standby(self):
        """``assess`` for a waiting standby, which outlives vCenter outages.

        Time without a successful read does not count as watching the
        holder: after an outage the holder gets a full lease to renew.
        """
        try:
            return self.assess()
        except exceptions.VCenterError as exc:
            self._watch.forget()
            LOG.warning('Standing by for %s: cannot read the record (%s); '
                        'retrying in %d seconds.', self.location, exc,
                        self.standby_poll)
            return None

    @property
    def standby_poll(self):
        """Seconds between two reads of a waiting standby."""
        return max(1.0, min(10.0, self._settings.renew_interval / 2.0))

    def _needs_write(self, chosen):
        return (chosen.action is Action.CLAIM or self._leased or
                chosen.identity is Identity.RECORD)

    def _write_under_lock(self, decided_on):
        """Re-read under the lock and write if the decision still allows.

        :param decided_on: the raw value the decision was made on; if it
                           changes while waiting for the lock, stop waiting
        :returns: the written record, or ``None`` when the decision changed
                  (someone else got there first: decide again)
        """
        with self.lock.held(lambda reading: reading.raw == decided_on) \
                as key:
            if key is None:
                return None
            assessment = self.assess()
            chosen = assessment.decision
            if chosen.action not in (Action.CLAIM, Action.TAKE):
                return None
            holder = self.holder if self._leased else None
            now = self._now()
            node = self._local_node() if self._settings.sync_node_identity \
                else None
            if chosen.action is Action.CLAIM:
                new = record_mod.OwnershipRecord.claimed(
                    self.this_host, now, node=node, holder=holder)
            elif holder:
                new = assessment.record.held_by(holder, now, node=node)
            else:
                new = assessment.record.with_node(node or
                                                  assessment.record.node)
            key = assessment.reading.field_key
            if key is None:
                key = self._store.ensure_field()
            self._store.write(record_mod.format_record(new), key)
        LOG.info('%s %s for host %s (holder %s).',
                 'Claimed' if chosen.action is Action.CLAIM else 'Took',
                 self.location, self.this_host, holder or 'none: no lease')
        self.record = new
        self._restore_identity(chosen, new)
        return new

    def _restore_identity(self, chosen, record):
        if chosen.identity is Identity.RESTORE and self._identity:
            LOG.info('Restoring the local compute node identity %s from the '
                     'ownership record of %s.', record.node, self.location)
            self._identity.write(record.node)

    def refusal(self, assessment):
        """The exception nova-compute raises for a refusing assessment."""
        chosen = assessment.decision
        record = assessment.record
        if chosen.action is Action.REFUSE_UNREADABLE:
            return assessment.error
        if chosen.action is Action.REFUSE_OTHER_HOST:
            return exceptions.ClusterOwnedByAnotherHost(
                self.location, record.host, self.this_host, record.since)
        if chosen.action is Action.REFUSE_NODE_MISMATCH:
            return exceptions.NodeIdentityMismatch(
                self.location, record.node, self._local_node(),
                getattr(self._identity, 'path', None))
        return exceptions.ClusterHeldByAnotherProcess(
            self.location, record.holder, self.this_host)

    def _read_own(self):
        """Read the record and check that it still names this holder.

        :raises: OwnershipLost
        """
        reading = self._store.read()
        try:
            record = reading.record()
        except exceptions.UnreadableRecord as exc:
            raise exceptions.OwnershipLost(self.location, self.holder,
                                           None, 'unreadable: %s'
                                           % exc.reason)
        if record is None or record.host != self.this_host or \
                (self._leased and record.holder != self.holder):
            raise exceptions.OwnershipLost(
                self.location, self.holder,
                record.host if record else None,
                record.holder if record else None)
        return reading, record

    def renew(self):
        """Renew the lease: one read, one write.

        :returns: the renewed record
        :raises: OwnershipLost when the record no longer names this holder
                 (it is never overwritten then); VCenterError
        """
        reading, record = self._read_own()
        new = record.renewed(self._now())
        self._store.write(record_mod.format_record(new), reading.field_key)
        self.record = new
        return new

    def record_node(self, node):
        """Put the compute node identity into the record if it lacks it.

        :raises: OwnershipLost, VCenterError
        """
        if not self._settings.sync_node_identity or \
                self._settings.mode != opts.MODE_ENFORCE:
            return
        reading, record = self._read_own()
        if record.node == node:
            return
        if record.node:
            raise exceptions.NodeIdentityMismatch(self.location, record.node,
                                                  node)
        new = record.with_node(node)
        self._store.write(record_mod.format_record(new), reading.field_key)
        self.record = new

    def release(self):
        """Mark the record released if this process holds it.

        :returns: True when released, False when not held by this process
        :raises: VCenterError
        """
        if not self._leased or self._settings.mode != opts.MODE_ENFORCE:
            return False
        try:
            reading, record = self._read_own()
        except exceptions.OwnershipLost as exc:
            LOG.warning('Not releasing: %s', exc)
            return False
        new = record.released(self._now())
        self._store.write(record_mod.format_record(new), reading.field_key)
        self.record = new
        LOG.info('Released %s (host %s stays the owner).', self.location,
                 self.this_host)
        return True

"""The guard: a nova-compute host's side of the cluster's record.

``OwnershipGuard.start`` is what nova-compute runs at start: read the record,
decide (``decision.decide``), then claim, take, stand by or refuse. A holder
then keeps the cluster with ``renew`` and gives it back with ``release``;
every write goes through ``fencing``. The guard always enforces: the
operating mode (audit, disabled) is the driver's business.
"""

import logging

from nova.virt.vmwareapi.ownership import clock as clock_mod
from nova.virt.vmwareapi.ownership import decision as decision_mod
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import fencing
from nova.virt.vmwareapi.ownership import liveness
from nova.virt.vmwareapi.ownership import privileges
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import refusals
from nova.virt.vmwareapi.ownership import text as text_mod
from nova.virt.vmwareapi.ownership import view as view_mod

LOG = logging.getLogger(__name__)

Action = decision_mod.Action
Identity = decision_mod.Identity

STANDBY_LOG_EVERY = 60.0
"""Seconds between two 'still waiting' log lines of a standby."""

_MIRROR_TEXT = {
    view_mod.Mirror.STALE: 'held a copy written under a revoked lease (a '
                           'late write of a deposed process)',
    view_mod.Mirror.CLEARED: 'was cleared, or its definition removed (by a '
                             'vSphere admin?)',
    view_mod.Mirror.EDITED: 'was edited by hand to name this same host',
}


class OwnershipGuard:
    """Guards one cluster for one nova-compute host.

    :param store: the cluster's ``store.ClusterStore``
    :param this_host: nova's ``[DEFAULT] host``
    :param settings: an ``opts.Settings``
    :param identity: the local compute node identity, an object with
                     ``read()``, ``write(uuid)`` and ``path``; ``None`` to
                     leave it alone
    :param holder: this process's holder identity (generated if omitted)
    :param clock: a ``clock.Clock``
    :param abandoned_after: see ``fencing.settle``
    :ivar tenure: the ``fencing.Tenure`` while this process holds the lease
    """

    def __init__(self, store, this_host, settings, identity=None,
                 holder=None, clock=clock_mod.SYSTEM,
                 abandoned_after=fencing.ABANDONED_AFTER):
        self._store = store
        self.this_host = this_host
        self.settings = settings
        self._identity = identity
        self.holder = holder or liveness.new_holder_id()
        self._watch = liveness.HolderWatch(self.holder,
                                           settings.lease_duration, clock.now)
        self._clock = clock
        self._abandoned_after = abandoned_after
        self.tenure = None
        self.taken_at = None

    @property
    def location(self):
        return self._store.location

    @property
    def _operation(self):
        return 'nova-compute of host %s (its claim or lease)' % self.this_host

    def require_privileges(self):
        """Check that vCenter's user may claim, take and renew the lease.

        One round trip; writes nothing.

        :raises: MissingPrivilege naming each privilege lacking;
                 VCenterError
        """
        self._store.require(privileges.CHANGE, self._operation)

    def _local_node(self):
        return self._identity.read() if self._identity else None

    def read(self):
        """Read the cluster, waiting out another process's change."""
        return fencing.settle(self._store, self._clock,
                              self._abandoned_after)

    def assess(self, view=None):
        """Decide from ``view`` (read now if not given); writes nothing.

        :returns: an ``Assessment``
        :raises: VCenterError
        """
        if view is None:
            view = view_mod.interpret(self._store.read(), self.location)
        return decision_mod.assess(view, self.this_host, self._watch,
                                   self._local_node(),
                                   self.settings.sync_node_identity,
                                   self.settings.standby_wait,
                                   self.settings.cloud)

    def start(self):
        """Make this process the cluster's holder, or refuse.

        Waits as a standby while another live process of this host holds
        the cluster (``standby_wait``), up to ``standby_timeout``.

        :returns: the record that now counts
        :raises: OwnershipRefused subclasses, VCenterError, RecordBusy
        """
        waiting_since = last_log = None
        while True:
            try:
                assessment = self.assess(self.read())
            except exceptions.VCenterError as exc:
                if waiting_since is None:
                    raise
                # A standby outlives vCenter outages. Time without a
                # reading is not time watched: the holder gets a full
                # lease once vCenter answers again, even if its record
                # is gone by then.
                self._watch.forget()
                LOG.warning('Standing by for %s: cannot read the record '
                            '(%s); retrying in %d seconds.', self.location,
                            exc, self.settings.standby_poll)
                self._clock.sleep(self.settings.standby_poll)
                continue
            chosen = assessment.decision
            if chosen.refused:
                raise self.refusal(assessment)
            if chosen.action is Action.STANDBY:
                now = self._clock.now()
                if waiting_since is None:
                    waiting_since = now
                waited = now - waiting_since
                timeout = self.settings.standby_timeout
                holder = assessment.holder
                if timeout and waited >= timeout:
                    raise refusals.ClusterHeldByAnotherProcess(
                        location=self.location, holder=holder,
                        this_host=self.this_host, waited=waited)
                if last_log is None or now - last_log >= STANDBY_LOG_EVERY:
                    last_log = now
                    LOG.info('Standing by: %s is held by %s (watched %d of '
                             '%d seconds without a renewal); waiting for it '
                             'to be released or to expire.', self.location,
                             text_mod.printable(holder),
                             self._watch.watched_for(),
                             self.settings.lease_duration)
                self._clock.sleep(self.settings.standby_poll)
                continue
            try:
                return self._apply(chosen, assessment.view)
            except exceptions.RecordChanged as exc:
                LOG.info('Deciding again: %s', exc)

    def _apply(self, chosen, view):
        """Write what ``chosen`` needs, then restore the node identity."""
        if chosen.action is Action.CLAIM or self.settings.leased or \
                chosen.identity is Identity.RECORD:
            holder = self.holder if self.settings.leased else None
            self.taken_at = self._clock.now()
            tenure = fencing.take(self._store, view,
                                  self._next_record(chosen, view, holder),
                                  operation=self._operation)
            self.tenure = tenure if holder else None
            record = tenure.record
            LOG.info('%s %s for host %s (holder %s, lease key %s).',
                     'Claimed' if chosen.action is Action.CLAIM else 'Took',
                     self.location, self.this_host,
                     holder or 'none: lease_duration is 0', tenure.key)
        else:
            record = view.record
        if chosen.identity is Identity.RESTORE and self._identity:
            LOG.info('Restoring the local compute node identity %s from the '
                     'ownership record of %s.',
                     text_mod.printable(record.node), self.location)
            self._identity.write(record.node)
        return record

    def _next_record(self, chosen, view, holder):
        now = self._clock.utcnow()
        node = self._local_node() if self.settings.sync_node_identity \
            else None
        if chosen.action is Action.CLAIM:
            return record_mod.OwnershipRecord.claimed(
                self.this_host, now, node=node, holder=holder,
                cloud=self.settings.cloud,
                lease_duration=self.settings.lease_duration
                if holder else None)
        if holder:
            return view.record.held_by(
                holder, now, node=node,
                lease_duration=self.settings.lease_duration)
        return view.record.with_node(node or view.record.node)

    def refusal(self, assessment):
        """The exception nova-compute raises for a refusing assessment."""
        chosen = assessment.decision
        record = assessment.view.record
        if chosen.action is Action.REFUSE_UNREADABLE:
            return assessment.view.error
        if chosen.action in (Action.REFUSE_OTHER_HOST,
                             Action.REFUSE_OTHER_CLOUD):
            return refusals.owned_elsewhere(self.location, record,
                                            self.this_host,
                                            self.settings.cloud)
        if chosen.action is Action.REFUSE_NODE_MISMATCH:
            return refusals.NodeIdentityMismatch(
                location=self.location, recorded=record.node,
                local=self._local_node(),
                path=getattr(self._identity, 'path', None))
        return refusals.ClusterHeldByAnotherProcess(
            location=self.location, holder=assessment.holder,
            this_host=self.this_host)

    def _read_held(self):
        """Read the cluster; raise ``OwnershipLost`` unless still held."""
        if self.tenure is None or self.tenure.closed:
            raise exceptions.OwnershipLost(location=self.location,
                                           holder=self.holder,
                                           what='this process holds no lease')
        view = view_mod.interpret(self._store.read(), self.location)
        reason = decision_mod.lost_reason(view, self.tenure.key, self.holder,
                                          self.this_host, self.settings.cloud)
        if reason is not None:
            self.tenure.close()
            raise exceptions.OwnershipLost(location=self.location,
                                           holder=self.holder, what=reason)
        if view.mirror.needs_repair:
            LOG.warning('The attribute %r of %s %s; writing the current '
                        'record into it again.', self._store.attribute_name,
                        self.location, _MIRROR_TEXT[view.mirror])
        return view

    def renew(self):
        """Renew the lease: one read, one write through the lease.

        :returns: the renewed record
        :raises: OwnershipLost when this process may no longer act on the
                 cluster (it writes nothing then); VCenterError
        """
        view = self._read_held()
        # From what the lease holds: a renewal that landed although its
        # answer was lost still counts, so seq keeps increasing.
        return self.tenure.write(view.lease.renewed(self._clock.utcnow()),
                                 view, copy=view.mirror.needs_repair)

    def record_node(self, node):
        """Put the compute node identity into the record if it lacks it.

        :raises: NodeIdentityMismatch, OwnershipLost, RecordChanged,
                 VCenterError
        """
        if not self.settings.sync_node_identity:
            return
        if self.tenure is not None:
            view = self._read_held()
        else:
            view = self.read()
        record = view.record
        if record is None or not record.owned_by(self.this_host,
                                                 self.settings.cloud):
            raise exceptions.OwnershipLost(
                location=self.location, holder=self.holder,
                what='the record no longer names host %s' % self.this_host)
        if record.node == node:
            return
        if record.node:
            raise refusals.NodeIdentityMismatch(
                location=self.location, recorded=record.node, local=node)
        if self.tenure is not None:
            self.tenure.write(record.with_node(node), view)
        else:
            fencing.take(self._store, view, record.with_node(node),
                         operation=self._operation)
        LOG.info('Recorded compute node %s in the ownership record of %s.',
                 node, self.location)

    def release(self):
        """Mark the record released if this process holds it.

        :returns: True when released, False when not held by this process
        :raises: VCenterError
        """
        if self.tenure is None or self.tenure.closed:
            return False
        try:
            view = self._read_held()
        except exceptions.OwnershipLost as exc:
            LOG.warning('Not releasing: %s', exc)
            return False
        self.tenure.write(self.tenure.record.released(self._clock.utcnow()),
                          view)
        self.tenure.close()
        LOG.info('Released %s (host %s stays the owner).', self.location,
                 self.this_host)
        return True

    def step_down(self):
        """Write nothing more (the renew deadline passed)."""
        if self.tenure is not None:
            self.tenure.close()

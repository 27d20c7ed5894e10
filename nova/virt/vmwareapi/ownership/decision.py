"""The decisions: what a nova-compute host, a holder and an operator may do.

Pure functions of what was read and observed; no I/O, no configuration.
Three tables live here and nowhere else:

- ``decide``: what a starting nova-compute does with a cluster
  (``assess``: what one reading means for a host);
- ``lost_reason``: when a running holder must step down;
- ``decide_change``: what ``claim``, ``takeover`` and ``release`` may do.

``decide`` implements the table of :doc:`how-it-works` (doc/source):

=======================================  ================================
record on the cluster                    action
=======================================  ================================
absent or empty                          CLAIM
absent, but a live holder was watched    STANDBY (``standby_wait``), else
until then                               REFUSE_HELD
names this host, released or no live     TAKE
holder (or the holder is this process)
names this host, another live holder     STANDBY (``standby_wait``), else
                                         REFUSE_HELD
names this host and another compute     REFUSE_NODE_MISMATCH
node than the local one
names a host of another cloud (the same  REFUSE_OTHER_CLOUD
name or not)
names another host                       REFUSE_OTHER_HOST
unreadable                               REFUSE_UNREADABLE
=======================================  ================================

"This host" is the pair (cloud, host): ``[vmware_ownership] cloud`` and
nova's ``[DEFAULT] host`` (``record.OwnershipRecord.owned_by``). A record
of another cloud is refused before anything else is looked at, so a host
never stands by for, takes or renews the record of its namesake in
another cloud sharing the vCenter.

and, when ``sync_node_identity`` is on, the node identity next to it. The
guard applies the table at start, and the driver's audit mode logs what it
would do: both from the same row.
"""

import dataclasses
import enum

from nova.virt.vmwareapi.ownership import text as text_mod


class Liveness(enum.Enum):
    """What is known of the process named in a record's ``holder``."""

    NONE = 'none'
    """No holder: the record is released, or it never had one."""
    MINE = 'mine'
    """The holder is this very process."""
    DEAD = 'dead'
    """Judged dead: stale lease, pid gone, or liveness turned off."""
    LIVE = 'live'
    """Possibly alive: renewing, or not yet watched long enough."""


class Action(enum.Enum):
    CLAIM = 'claim'
    TAKE = 'take'
    STANDBY = 'standby'
    REFUSE_HELD = 'refuse-held'
    REFUSE_OTHER_HOST = 'refuse-other-host'
    REFUSE_OTHER_CLOUD = 'refuse-other-cloud'
    REFUSE_UNREADABLE = 'refuse-unreadable'
    REFUSE_NODE_MISMATCH = 'refuse-node-mismatch'


class Identity(enum.Enum):
    NONE = 'none'
    """Nothing to do for the compute node identity."""
    RESTORE = 'restore'
    """Write the record's node as the local ``compute_id``."""
    RECORD = 'record'
    """Put the local ``compute_id`` into the record."""


REFUSALS = frozenset([Action.REFUSE_HELD, Action.REFUSE_OTHER_HOST,
                      Action.REFUSE_OTHER_CLOUD, Action.REFUSE_UNREADABLE,
                      Action.REFUSE_NODE_MISMATCH])


@dataclasses.dataclass(frozen=True)
class Decision:
    """The outcome of ``decide``.

    :ivar action: an ``Action``
    :ivar identity: an ``Identity``
    :ivar record: the record decided on (``None`` if absent or unreadable)
    :ivar reason: a short text for logs
    """

    action: Action
    identity: Identity
    record: object
    reason: str

    @property
    def refused(self):
        return self.action in REFUSALS

    def __repr__(self):
        return 'Decision(%s, %s, %r)' % (self.action.value,
                                         self.identity.value, self.reason)


def _identity(record_node, local_node, sync):
    if not sync:
        return Identity.NONE
    if record_node and not local_node:
        return Identity.RESTORE
    if local_node and not record_node:
        return Identity.RECORD
    return Identity.NONE


def decide(record, this_host, liveness=Liveness.NONE, local_node=None,
           sync_node_identity=True, unreadable=False, standby_wait=True,
           cloud=None):
    """Decide what ``this_host`` may do with the cluster.

    :param record: the parsed ``OwnershipRecord``, ``None`` when absent
    :param this_host: nova's ``[DEFAULT] host`` of this service
    :param liveness: a ``Liveness`` of the record's holder; for an absent
                     record, of the holder watched until it vanished
    :param local_node: the local ``compute_id`` (``None`` if none yet)
    :param sync_node_identity: whether node identity is kept in the record
    :param unreadable: True when the stored value could not be parsed
    :param standby_wait: whether to wait for another live holder of this
                         host (``[vmware_ownership] standby_wait``)
    :param cloud: this host's cloud (``[vmware_ownership] cloud``; ``None``:
                  the default cloud)
    :returns: a ``Decision``
    """
    if unreadable:
        return Decision(Action.REFUSE_UNREADABLE, Identity.NONE, None,
                        'the record is unreadable')
    if record is None:
        identity = _identity(None, local_node, sync_node_identity)
        if liveness is Liveness.LIVE:
            # Deleted by an admin, or lost by a vCenter restored empty,
            # while its holder may still run: wait out its lease.
            vanished = 'the record vanished while its holder was alive'
            if standby_wait:
                return Decision(Action.STANDBY, identity, None, vanished)
            return Decision(Action.REFUSE_HELD, Identity.NONE, None,
                            vanished + ' and standby_wait is off')
        return Decision(Action.CLAIM, identity, None,
                        'the cluster is unowned')
    if record.cloud != (cloud or None):
        return Decision(Action.REFUSE_OTHER_CLOUD, Identity.NONE, record,
                        'the cluster is owned by host %s of %s'
                        % (record.host, text_mod.cloud_text(record.cloud)))
    if record.host != this_host:
        return Decision(Action.REFUSE_OTHER_HOST, Identity.NONE, record,
                        'the cluster is owned by host %s' % record.host)
    if (sync_node_identity and record.node and local_node and
            record.node != local_node):
        return Decision(Action.REFUSE_NODE_MISMATCH, Identity.NONE, record,
                        'record node %s differs from local node %s'
                        % (record.node, local_node))
    identity = _identity(record.node, local_node, sync_node_identity)
    if liveness is Liveness.LIVE:
        holder = text_mod.printable(record.holder)
        if standby_wait:
            return Decision(Action.STANDBY, identity, record,
                            'holder %s is alive' % holder)
        return Decision(Action.REFUSE_HELD, Identity.NONE, record,
                        'holder %s is alive and standby_wait is off' % holder)
    return Decision(Action.TAKE, identity, record,
                    'owned by this host, holder %s' % liveness.value)


@dataclasses.dataclass(frozen=True)
class Assessment:
    """One reading of the cluster and what it means for this host.

    :ivar view: the ``view.View``
    :ivar liveness: a ``decision.Liveness`` of the holder
    :ivar decision: the ``decision.Decision``
    :ivar holder: the holder judged alive (``LIVE`` only): the record's,
                  or the one watched until the record vanished
    """

    view: object
    liveness: Liveness
    decision: Decision
    holder: str = None


def assess(view, this_host, watch, local_node=None, sync_node_identity=True,
           standby_wait=True, cloud=None):
    """What ``view`` means for ``this_host``; writes nothing.

    :param view: a ``view.View``
    :param watch: the ``liveness.HolderWatch`` that judges the holder
    :param local_node: the local ``compute_id`` (``None`` if none)
    :param sync_node_identity, standby_wait, cloud: as for ``decide``
    :returns: an ``Assessment``
    """
    if view.error is not None:
        return Assessment(view, Liveness.NONE,
                          decide(None, this_host, unreadable=True))
    alive = watch.observe(view.holder_record)
    return Assessment(view, alive, decide(
        view.record, this_host, alive, local_node, sync_node_identity,
        standby_wait=standby_wait, cloud=cloud),
        watch.watched_holder if alive is Liveness.LIVE else None)


def node_elsewhere(nodes, node_name, this_host):
    """The cluster's compute node when only another host has it.

    What a starting nova-compute checks against nova's records: ``None``
    when this host has a node of that name or nobody has.

    :param nodes: nova's compute nodes named ``node_name``
                  (``nova_records.Node``)
    """
    named = [node for node in nodes if node.hypervisor_hostname == node_name]
    if any(node.host == this_host for node in named):
        return None
    return named[0] if named else None


def lost_reason(view, token, holder, this_host, cloud=None):
    """Why a holder may no longer act on the cluster, or ``None``.

    :param view: the ``view.View`` just read
    :param token: the key of the lease this holder writes through
    :param holder: this holder's identity
    :param this_host: nova's ``[DEFAULT] host``
    :param cloud: its cloud (``None``: the default cloud)
    :returns: a sentence for the log, or ``None`` while it holds
    """
    if view.error is not None:
        return 'the record became unreadable (%s)' % view.error.reason
    if view.token != token:
        if view.token is None:
            return ('its lease (key %s) is gone: removed by another process '
                    'or by a vSphere admin' % token)
        return ('its lease (key %s) was replaced by lease %s: another '
                'process took the cluster over' % (token, view.token))
    if view.record is None:
        return 'the record was cleared'
    if not view.record.owned_by(this_host, cloud):
        return 'the record now names host %s%s' % (
            view.record.host, '' if view.record.cloud == (cloud or None)
            else ' of %s' % text_mod.cloud_text(view.record.cloud))
    lease = view.lease
    if lease is None or lease.holder != holder:
        return 'the lease now names holder %s' % text_mod.printable(
            lease.holder if lease is not None else None)
    return None


class Change(enum.Enum):
    """An operator's change of ownership."""

    CLAIM = 'claim'
    TAKEOVER = 'takeover'
    RELEASE = 'release'


class Verdict(enum.Enum):
    """What an operator's change may do."""

    NOTHING_TO_DO = 'nothing-to-do'
    WRITE = 'write'
    OBSERVE_THEN_WRITE = 'observe-then-write'
    """A holder is named: write only once it is judged dead."""
    REFUSE_OTHER_HOST = 'refuse-other-host'
    REFUSE_OTHER_CLOUD = 'refuse-other-cloud'
    REFUSE_UNREADABLE = 'refuse-unreadable'
    REFUSE_NOT_OWNER = 'refuse-not-owner'


def decide_change(change, record, target_host, unreadable=False,
                  force=False, held=None, cloud=None):
    """What an operator's ``claim``, ``takeover`` or ``release`` may do.

    The target is the pair (``cloud``, ``target_host``): a host of the same
    name in another cloud is "another host".

    ===========  ===============  ===============================
    change       record           verdict
    ===========  ===============  ===============================
    any          unreadable       refuse (write with ``--force``,
                                  not for ``claim``)
    claim        unowned          write
    claim        target's         nothing to do
    claim        another cloud's  refuse: other cloud
    claim        another host's   refuse: other host
    takeover     unowned          write
    takeover     target's, no     nothing to do
                 holder
    takeover     with a holder    observe, then write (write with
                                  ``--force``)
    takeover     otherwise        write
    release      unowned          nothing to do
    release      another host's   refuse: not the owner (write with
                 (or cloud's)     ``--force``)
    release      with a holder    observe, then write (write with
                                  ``--force``)
    release      otherwise        write
    ===========  ===============  ===============================

    :param change: a ``Change``
    :param record: the record that counts (``None``: unowned/unreadable)
    :param target_host: the host to claim or take over for; for release,
                        the host running the command
    :param unreadable: True when the record cannot be read
    :param force: ``--force`` was given
    :param cloud: the target's cloud (``None``: the default cloud)
    :param held: whether a process holds the cluster ("with a holder");
                 default ``record.is_held``. A view's holder is its
                 lease's (``view.View.holder_record``): an admin's edit
                 of the attribute does not hide a live holder.
    :returns: a ``Verdict``
    """
    if unreadable:
        return Verdict.WRITE if force and change is not Change.CLAIM \
            else Verdict.REFUSE_UNREADABLE
    if record is None:
        return Verdict.NOTHING_TO_DO if change is Change.RELEASE \
            else Verdict.WRITE
    target = record.owned_by(target_host, cloud)
    if change is Change.CLAIM:
        if target:
            return Verdict.NOTHING_TO_DO
        return Verdict.REFUSE_OTHER_CLOUD if record.cloud != (cloud or None) \
            else Verdict.REFUSE_OTHER_HOST
    if held is None:
        held = record.is_held
    if change is Change.TAKEOVER and target and not held:
        return Verdict.NOTHING_TO_DO
    if change is Change.RELEASE and not target and not force:
        return Verdict.REFUSE_NOT_OWNER
    if held and not force:
        return Verdict.OBSERVE_THEN_WRITE
    return Verdict.WRITE

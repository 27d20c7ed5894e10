"""The decision at start: what a nova-compute host may do with a cluster.

A pure function of what was read and observed; no I/O, no configuration.
It implements the table of the design (section 4):

=======================================  ================================
record on the cluster                    action
=======================================  ================================
absent or empty                          CLAIM
names this host, released or no live     TAKE
holder (or the holder is this process)
names this host, another live holder     STANDBY
names another host                       REFUSE_OTHER_HOST
unreadable                               REFUSE_UNREADABLE
=======================================  ================================

and, when ``sync_node_identity`` is on, the node identity next to it.
"""

import enum


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
    REFUSE_OTHER_HOST = 'refuse-other-host'
    REFUSE_UNREADABLE = 'refuse-unreadable'
    REFUSE_NODE_MISMATCH = 'refuse-node-mismatch'


class Identity(enum.Enum):
    NONE = 'none'
    """Nothing to do for the compute node identity."""
    RESTORE = 'restore'
    """Write the record's node as the local ``compute_id``."""
    RECORD = 'record'
    """Put the local ``compute_id`` into the record."""


REFUSALS = frozenset([Action.REFUSE_OTHER_HOST, Action.REFUSE_UNREADABLE,
                      Action.REFUSE_NODE_MISMATCH])


class Decision:
    """The outcome of ``decide``.

    :ivar action: an ``Action``
    :ivar identity: an ``Identity``
    :ivar record: the record decided on (``None`` if absent or unreadable)
    :ivar reason: a short text for logs
    """

    __slots__ = ('action', 'identity', 'record', 'reason')

    def __init__(self, action, identity, record, reason):
        self.action = action
        self.identity = identity
        self.record = record
        self.reason = reason

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
           sync_node_identity=True, unreadable=False):
    """Decide what ``this_host`` may do with the cluster.

    :param record: the parsed ``OwnershipRecord``, ``None`` when absent
    :param this_host: nova's ``[DEFAULT] host`` of this service
    :param liveness: a ``Liveness`` of the record's holder
    :param local_node: the local ``compute_id`` (``None`` if none yet)
    :param sync_node_identity: whether node identity is kept in the record
    :param unreadable: True when the stored value could not be parsed
    :returns: a ``Decision``
    """
    if unreadable:
        return Decision(Action.REFUSE_UNREADABLE, Identity.NONE, None,
                        'the record is unreadable')
    if record is None:
        return Decision(Action.CLAIM,
                        _identity(None, local_node, sync_node_identity),
                        None, 'the cluster is unowned')
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
        return Decision(Action.STANDBY, identity, record,
                        'holder %s is alive' % record.holder)
    return Decision(Action.TAKE, identity, record,
                    'owned by this host, holder %s' % liveness.value)

"""nova's records as plain values: what ``novadb`` reads, and changes.

``novadb`` reads nova's databases through nova's objects into these values
(it is the only place that imports nova's objects); the pure code that
reasons about them (``rehome.plan``, ``fleet``, the driver's start check)
works on the values alone, so it is tested without nova.
"""

import dataclasses
import datetime

AGGREGATE = 'aggregate'
HOST_MAPPING = 'host_mapping'
INSTANCE = 'instance'
SERVICE = 'service'
COMPUTE_NODE = 'compute_node'
OWNERSHIP = 'ownership'

NOVA_KINDS = (AGGREGATE, HOST_MAPPING, INSTANCE, SERVICE, COMPUTE_NODE)
"""Kinds of change written to nova's databases (``OWNERSHIP`` is vCenter's).
"""


@dataclasses.dataclass(frozen=True)
class Service:
    """A nova-compute service."""

    id: int
    host: str
    forced_down: bool
    last_seen_up: datetime.datetime
    created_at: datetime.datetime
    disabled: bool
    disabled_reason: str


@dataclasses.dataclass(frozen=True)
class Node:
    """A compute node; a VMware cluster's is named by ``node_name``.

    ``rehome``, ``list --nova`` and the driver's start check read them.
    """

    id: int
    uuid: str
    host: str
    hypervisor_hostname: str
    service_id: int


@dataclasses.dataclass(frozen=True)
class Instance:
    """An instance (not deleted) and its task in progress, if any."""

    uuid: str
    host: str
    node: str
    task_state: str


@dataclasses.dataclass(frozen=True)
class Migration:
    """An unfinished migration."""

    id: int
    instance_uuid: str
    migration_type: str
    status: str


@dataclasses.dataclass(frozen=True)
class HostMapping:
    """A host's mapping to its cell."""

    host: str
    cell: str


@dataclasses.dataclass(frozen=True)
class Aggregate:
    """A host aggregate and its hosts (a tuple)."""

    id: int
    name: str
    hosts: tuple


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """What nova (and vCenter) hold about hosts ``old`` and ``new``.

    :ivar services: ``Service`` values of both hosts' nova-compute
    :ivar nodes: ``Node`` values of both hosts
    :ivar instances: ``Instance`` values (not deleted) of both hosts
    :ivar migrations: unfinished ``Migration`` values of both hosts
    :ivar host_mappings: ``HostMapping`` values of both hosts
    :ivar aggregates: ``Aggregate`` values holding either host
    :ivar node_name: the cluster's node name from vCenter; ``None`` when
                     ``[vmware]`` is not configured
    :ivar ownership: the cluster's ``rehome.plan.Ownership``; ``None``
                     when not read
    :ivar now: aware UTC time of the reading (default: now)
    :ivar service_down_time: nova's ``service_down_time``, seconds

    The sequences are kept as tuples, whatever they are given as.
    """

    old: str
    new: str
    services: tuple = ()
    nodes: tuple = ()
    instances: tuple = ()
    migrations: tuple = ()
    host_mappings: tuple = ()
    aggregates: tuple = ()
    node_name: str = None
    ownership: object = None
    now: datetime.datetime = None
    service_down_time: int = 60

    def __post_init__(self):
        for name in ('services', 'nodes', 'instances', 'migrations',
                     'host_mappings', 'aggregates'):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if self.now is None:
            object.__setattr__(
                self, 'now', datetime.datetime.now(datetime.timezone.utc))


@dataclasses.dataclass(frozen=True)
class NovaRecords:
    """What nova holds for ``list --nova``.

    :ivar nodes: every compute node, a ``Node``
    :ivar service_hosts: the hosts of every nova-compute service
    """

    nodes: tuple
    service_hosts: frozenset


def node_name(cluster_moref, vcenter_uuid):
    """The ``hypervisor_hostname`` nova gives a cluster's compute node."""
    return '%s.%s' % (cluster_moref, vcenter_uuid)


@dataclasses.dataclass(frozen=True)
class Change:
    """One record to change: ``fields`` is a tuple of ``(name, old, new)``.

    A host mapping change ``('host', OLD, None)`` deletes OLD's mapping
    (NEW is already mapped to the same cell).
    """

    kind: str
    ident: object
    fields: tuple


def _value(value):
    if isinstance(value, tuple):
        return '[%s]' % ', '.join(value)
    return 'none' if value is None else str(value)


def describe(change):
    """One line for the operator: ``kind ident: field old -> new``."""
    fields = ', '.join(
        '%s %s -> %s' % (name, _value(old),
                         _value(new) if new is not None or name != 'host'
                         else '(deleted)')
        for name, old, new in change.fields)
    return '%s %s: %s' % (change.kind.replace('_', ' '), change.ident,
                          fields)


def to_dict(change):
    """The JSON form of a change."""
    return {'kind': change.kind, 'id': str(change.ident),
            'fields': [{'name': name,
                        'old': list(old) if isinstance(old, tuple) else old,
                        'new': list(new) if isinstance(new, tuple) else new}
                       for name, old, new in change.fields]}

"""nova's records as plain values: what ``novadb`` reads, and changes.

``novadb`` reads nova's databases through nova's objects into these values
(it is the only place that imports nova's objects); the pure code that
reasons about them (``rehome.plan``, ``fleet``, the driver's start check)
works on the values alone, so it is tested without nova.
"""

import collections
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

Service = collections.namedtuple(
    'Service', 'id host forced_down last_seen_up created_at disabled '
    'disabled_reason')
Node = collections.namedtuple('Node',
                              'id uuid host hypervisor_hostname service_id')
Instance = collections.namedtuple('Instance', 'uuid host node task_state')
Migration = collections.namedtuple(
    'Migration', 'id instance_uuid migration_type status')
HostMapping = collections.namedtuple('HostMapping', 'host cell')
Aggregate = collections.namedtuple('Aggregate', 'id name hosts')


class Snapshot:
    """What nova (and vCenter) hold about hosts ``old`` and ``new``.

    :param services: ``Service`` values of both hosts' nova-compute
    :param nodes: ``Node`` values of both hosts
    :param instances: ``Instance`` values (not deleted) of both hosts
    :param migrations: unfinished ``Migration`` values of both hosts
    :param host_mappings: ``HostMapping`` values of both hosts
    :param aggregates: ``Aggregate`` values holding either host
    :param node_name: the cluster's node name from vCenter; ``None`` when
                      ``[vmware]`` is not configured
    :param ownership: the cluster's ``rehome.plan.Ownership``; ``None``
                      when not read
    :param now: aware UTC time of the reading
    :param service_down_time: nova's ``service_down_time``, seconds
    """

    def __init__(self, old, new, services=(), nodes=(), instances=(),
                 migrations=(), host_mappings=(), aggregates=(),
                 node_name=None, ownership=None, now=None,
                 service_down_time=60):
        self.old = old
        self.new = new
        self.services = tuple(services)
        self.nodes = tuple(nodes)
        self.instances = tuple(instances)
        self.migrations = tuple(migrations)
        self.host_mappings = tuple(host_mappings)
        self.aggregates = tuple(aggregates)
        self.node_name = node_name
        self.ownership = ownership
        self.now = now or datetime.datetime.now(datetime.timezone.utc)
        self.service_down_time = service_down_time


NovaNode = collections.namedtuple('NovaNode',
                                  'uuid host hypervisor_hostname')
"""One of nova's compute nodes, as ``list --nova`` reads it."""

NovaRecords = collections.namedtuple('NovaRecords', 'nodes service_hosts')
"""What nova holds for ``list --nova``: every ``NovaNode`` and the hosts of
every nova-compute service."""


def node_name(cluster_moref, vcenter_uuid):
    """The ``hypervisor_hostname`` nova gives a cluster's compute node."""
    return '%s.%s' % (cluster_moref, vcenter_uuid)


Change = collections.namedtuple('Change', 'kind ident fields')
"""One record to change: ``fields`` is a tuple of ``(name, old, new)``.

A host mapping change ``('host', OLD, None)`` deletes OLD's mapping (NEW
is already mapped to the same cell).
"""


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

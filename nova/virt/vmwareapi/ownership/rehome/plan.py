"""Re-homing a cluster's nova records: what must change, from plain values.

``rehome --from OLD --to NEW`` gives the nova records of one VMware cluster
the host name NEW: the compute node, its instances, OLD's nova-compute
service (renamed, so NEW starts as a known service), the cell host mapping
and the host aggregate membership. The compute node uuid, its placement
resource provider and the allocations stay as they are.

This module decides, with no I/O: which compute node is the cluster's, which
precondition fails, and the list of changes. The reader of nova's records
(``novadb.rehome``) builds a ``nova_records.Snapshot`` of plain values;
``plan`` turns it into a ``Plan``.

A half-done move is recognised because every record is found under either
name: the cluster's node by its name under OLD or NEW, its service by the
node's ``service_id`` (renamed or not). A snapshot where everything already
names NEW gives a plan without changes: a no-op.
"""

import dataclasses
import datetime

from nova.virt.vmwareapi.ownership import nova_records
from nova.virt.vmwareapi.ownership.rehome import exceptions

Change = nova_records.Change


@dataclasses.dataclass(frozen=True)
class Ownership:
    """The cluster's ownership record, as ``rehome`` checks it.

    :ivar location: the cluster, a ``location.Location``
    :ivar host: the host it names, ``None`` when unowned
    :ivar node: the compute node it names, if any
    """

    location: object
    host: str = None
    node: str = None


@dataclasses.dataclass(frozen=True)
class Plan:
    """The changes of one re-home, in the order they are applied.

    :ivar node: the cluster's ``nova_records.Node``; ``service``: its
               ``nova_records.Service``
    :ivar changes: ``nova_records.Change`` values (a tuple); empty when
                   everything names NEW
    :ivar notes: what the operator should know (chosen node, manual
                 steps), a tuple
    """

    old: str
    new: str
    node: nova_records.Node
    service: nova_records.Service
    changes: tuple = ()
    notes: tuple = ()

    @property
    def nova_changes(self):
        return tuple(c for c in self.changes
                     if c.kind in nova_records.NOVA_KINDS)

    def count(self, kind):
        return sum(1 for change in self.changes if change.kind == kind)


def _utc(moment):
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=datetime.timezone.utc)


def service_is_down(service, now, service_down_time):
    """nova's rule (its database servicegroup driver) for a down service.

    Forced down, or no report (``last_seen_up``, else ``created_at``) for
    more than ``service_down_time`` seconds.
    """
    if service.forced_down:
        return True
    last = _utc(service.last_seen_up or service.created_at)
    if last is None:
        return True
    elapsed = abs((_utc(now) - last).total_seconds())
    return elapsed > service_down_time


def _cluster_node(snapshot):
    """The cluster's ``Node`` and a note on how it was chosen."""
    old, new = snapshot.old, snapshot.new
    both = [n for n in snapshot.nodes if n.host in (old, new)]
    if snapshot.node_name is not None:
        named = [n for n in both if n.hypervisor_hostname ==
                 snapshot.node_name]
        if not named:
            if not any(n.host == old for n in both) and not any(
                    s.host == old for s in snapshot.services):
                raise exceptions.SourceHostNotFound(host=old, new_host=new)
            raise exceptions.ClusterNodeNotFound(
                node_name=snapshot.node_name, host=old, new_host=new,
                found=tuple('%s (%s)' % (n.hypervisor_hostname, n.host)
                            for n in both))
        # Under OLD first: NEW's own node of that name is NEW in use.
        named.sort(key=lambda n: n.host != old)
        return named[0], None
    on_old = [n for n in both if n.host == old]
    if len(on_old) == 1:
        return on_old[0], (
            'Host %s has one compute node and [vmware] is not configured: '
            'moving it (%s) without checking vCenter.'
            % (old, on_old[0].hypervisor_hostname))
    if len(on_old) > 1:
        raise exceptions.SeveralComputeNodes(
            host=old, nodes=tuple(n.hypervisor_hostname for n in on_old))
    # Nothing left under OLD: a finished (or nearly finished) move has the
    # node under NEW with OLD's renamed service.
    on_new = [n for n in both if n.host == new]
    services = {s.id: s for s in snapshot.services}
    moved = [n for n in on_new if n.service_id in services and
             services[n.service_id].host == new]
    if len(moved) == 1 and not any(s.host == old
                                   for s in snapshot.services):
        return moved[0], (
            'Host %s has no compute node left and [vmware] is not '
            'configured: taking %s of host %s as the moved node.'
            % (old, moved[0].hypervisor_hostname, new))
    raise exceptions.SourceHostNotFound(host=old, new_host=new)


def _cluster_service(snapshot, node):
    services = {s.id: s for s in snapshot.services}
    if node.service_id in services:
        return services[node.service_id]
    for service in snapshot.services:
        if service.host == node.host:
            return service
    raise exceptions.SourceHostNotFound(host=snapshot.old,
                                        new_host=snapshot.new)


def _refuse_structure(snapshot, node, service):
    """Refusals that do not depend on time: NEW in use, other nodes."""
    old, new = snapshot.old, snapshot.new
    in_use = ['nova-compute service %s' % s.id for s in snapshot.services
              if s.host == new and s.id != service.id]
    in_use += ['compute node %s (%s)' % (n.uuid, n.hypervisor_hostname)
               for n in snapshot.nodes
               if n.host == new and n.uuid != node.uuid]
    mappings = {m.host: m for m in snapshot.host_mappings}
    if old in mappings and new in mappings and \
            mappings[old].cell != mappings[new].cell:
        in_use.append('host mapping to cell %s (%s is in cell %s)'
                      % (mappings[new].cell, old, mappings[old].cell))
    if in_use:
        raise exceptions.TargetHostInUse(host=new, records=tuple(in_use))
    others = sorted(
        {n.hypervisor_hostname for n in snapshot.nodes
         if n.host == old and n.uuid != node.uuid} |
        {i.node for i in snapshot.instances
         if i.host == old and i.node not in (None, node.hypervisor_hostname)})
    if others:
        raise exceptions.SeveralComputeNodes(
            host=old, nodes=(node.hypervisor_hostname, *others),
            node_name=snapshot.node_name)


def _cluster_instances(snapshot, node):
    return [i for i in snapshot.instances
            if i.node == node.hypervisor_hostname or
            (i.node is None and i.host == snapshot.old)]


def _changes(snapshot, node, service):
    old, new = snapshot.old, snapshot.new
    changes = []
    for aggregate in sorted(snapshot.aggregates, key=lambda a: a.id):
        if old not in aggregate.hosts:
            continue
        hosts = [h for h in aggregate.hosts if h != old]
        if new not in hosts:
            hosts.append(new)
        changes.append(Change(
            nova_records.AGGREGATE, '%s (%s)' % (aggregate.id,
                                                 aggregate.name),
            (('hosts', tuple(aggregate.hosts), tuple(hosts)),)))
    mapped = {m.host for m in snapshot.host_mappings}
    if old in mapped:
        changes.append(Change(nova_records.HOST_MAPPING, old, (
            ('host', old, None if new in mapped else new),)))
    for instance in sorted(_cluster_instances(snapshot, node),
                           key=lambda i: i.uuid):
        if instance.host == old:
            changes.append(Change(nova_records.INSTANCE, instance.uuid,
                                  (('host', old, new),)))
    fields = []
    if service.host != new:
        fields.append(('host', service.host, new))
    if service.forced_down and node.host != new:
        # The flag marked OLD's process dead; NEW must report up. Once the
        # node is under NEW the move is done and the flag is the admin's.
        fields.append(('forced_down', True, False))
    if fields:
        changes.append(Change(nova_records.SERVICE, service.id,
                              tuple(fields)))
    fields = []
    if node.host != new:
        fields.append(('host', node.host, new))
    if node.service_id != service.id:
        fields.append(('service_id', node.service_id, service.id))
    if fields:
        changes.append(Change(nova_records.COMPUTE_NODE, node.uuid,
                              tuple(fields)))
    ownership = snapshot.ownership
    if ownership is not None and ownership.host == new and \
            ownership.node is None:
        changes.append(Change(nova_records.OWNERSHIP, str(ownership.location),
                              (('node', None, node.uuid),)))
    return changes


def _refuse_preconditions(snapshot, node, service, nova_changes):
    """Refuse what is in the way of the changes.

    :param nova_changes: False when only the ownership record is left to
                         change: nova's records are moved already, and
                         OLD's liveness or tasks no longer matter
    """
    old = snapshot.old
    new = snapshot.new
    ownership = snapshot.ownership
    if ownership is not None and ownership.host is not None and (
            ownership.host != new or
            ownership.node not in (None, node.uuid)):
        raise exceptions.RecordNotForTarget(
            location=ownership.location, record_host=ownership.host,
            new_host=new, record_node=ownership.node, node=node.uuid)
    if not nova_changes:
        return
    if not service_is_down(service, snapshot.now,
                           snapshot.service_down_time):
        raise exceptions.SourceServiceUp(
            host=service.host, last_seen_up=service.last_seen_up,
            service_down_time=snapshot.service_down_time)
    busy = [(i.uuid, i.task_state) for i in _cluster_instances(snapshot, node)
            if i.task_state]
    if busy:
        raise exceptions.InstancesBusy(host=old, tasks=tuple(sorted(busy)))
    if snapshot.migrations:
        raise exceptions.MigrationsInProgress(host=old, migrations=tuple(
            (m.id, m.instance_uuid, m.migration_type, m.status)
            for m in sorted(snapshot.migrations, key=lambda m: m.id)))


def plan(snapshot):
    """Decide the re-home of ``snapshot.old``'s cluster to ``snapshot.new``.

    :returns: a ``Plan``; without changes when everything names NEW
    :raises: a ``RehomeRefused`` subclass naming what is in the way
    """
    node, note = _cluster_node(snapshot)
    service = _cluster_service(snapshot, node)
    _refuse_structure(snapshot, node, service)
    changes = _changes(snapshot, node, service)
    notes = [note] if note else []
    if not changes:
        return Plan(snapshot.old, snapshot.new, node, service, (),
                    tuple(notes))
    _refuse_preconditions(snapshot, node, service,
                          any(c.kind in nova_records.NOVA_KINDS
                              for c in changes))
    if snapshot.ownership is not None and snapshot.ownership.host is None:
        notes.append(
            '%s is unowned, so the record cannot hand the compute node '
            'identity to %s: before starting it, write %s into its '
            '<state_path>/compute_id, or claim the cluster for %s first.'
            % (snapshot.ownership.location, snapshot.new, node.uuid,
               snapshot.new))
    elif snapshot.ownership is None:
        notes.append(
            'Without [vmware] options the ownership record was not checked '
            'and cannot hand the compute node identity to %s: before '
            'starting it, write %s into its <state_path>/compute_id (or run '
            'rehome again with the cluster\'s [vmware] options).'
            % (snapshot.new, node.uuid))
    if service.disabled:
        notes.append(
            'The service is disabled (%s) and stays so under %s: enable it '
            'with "openstack compute service set --enable %s nova-compute" '
            'once %s runs.' % (service.disabled_reason or 'no reason',
                               snapshot.new, snapshot.new, snapshot.new))
    return Plan(snapshot.old, snapshot.new, node, service, tuple(changes),
                tuple(notes))

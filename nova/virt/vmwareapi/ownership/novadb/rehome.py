"""The nova side of ``rehome``: nova's records read and moved by its objects.

Imported only where nova is installed (the ``rehome`` command).
Everything goes through nova's objects and its database API's
transactions, never SQL of our own; what is read becomes plain values
(``nova_records``) that ``rehome.plan`` decides on.

Writing: the records of the cell database (instances, the service, the
compute node) are changed in one transaction of that database, and within
it, before it commits, the API database's (aggregates, host mapping) in one
transaction of their own. Inside the cell transaction the records are read
again and planned again: if the plan differs from the one the operator saw,
or a save finds a record changed (an instance got a task meanwhile), both
transactions roll back and ``NovaRecordsChanged`` (exit 5) says that
nothing was written. Only a failure between the two commits leaves a
half-done move, which the next run recognises and completes.
"""

import dataclasses

from oslo_db import exception as db_exception

from nova.db.api import api as api_db_api
from nova.db.main import api as main_db_api
from nova import exception as nova_exception
from nova import objects

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import nova_records
from nova.virt.vmwareapi.ownership.novadb import database
from nova.virt.vmwareapi.ownership.novadb import exceptions as nova_errors
from nova.virt.vmwareapi.ownership.novadb import nodes as compute_nodes

_CHANGED = (nova_exception.UnexpectedTaskStateError,
            nova_exception.InstanceNotFound,
            nova_exception.ObjectActionError,
            nova_exception.AggregateHostExists,
            nova_exception.AggregateHostNotFound,
            nova_exception.HostMappingNotFound,
            nova_exception.ComputeHostNotFound,
            nova_exception.ServiceNotFound,
            db_exception.DBDuplicateEntry)
"""What a save raises when its record changed since it was read."""


@dataclasses.dataclass(frozen=True)
class Records:
    """One reading of nova's records about two hosts.

    :ivar snapshot: the plain-value ``nova_records.Snapshot``
    :ivar objects: the nova objects read, by ``(kind, id)`` as in the
                   plan's changes
    """

    snapshot: nova_records.Snapshot
    objects: dict


def _service(service):
    return nova_records.Service(service.id, service.host,
                                service.forced_down, service.last_seen_up,
                                service.created_at, service.disabled,
                                service.disabled_reason)


def check_databases(ctxt, host):
    """One cheap read of each database, to name the one that fails.

    :raises: NovaDatabaseUnavailable
    """
    with database.database_errors('[database] connection'):
        objects.Service.get_by_host_and_binary(ctxt, host, database.BINARY)
    with database.database_errors('[api_database] connection'):
        database.or_none(objects.HostMapping.get_by_host, ctxt, host)


def read(ctxt, old, new, node_name=None, ownership=None, now=None,
         service_down_time=60):
    """Read what nova holds about hosts ``old`` and ``new``.

    :param ctxt: an admin ``RequestContext`` (targeted at the cell, or
                 untargeted: ``[database] connection``)
    :param node_name: the cluster's node name, when known from vCenter
    :param ownership: the cluster's ``rehome.plan.Ownership``, when read
    :returns: ``Records``
    """
    found = {}
    services, nodes, instances, mappings, aggregates = [], [], [], [], {}
    for host in (old, new):
        service = objects.Service.get_by_host_and_binary(ctxt, host,
                                                         database.BINARY)
        if service is not None:
            services.append(_service(service))
            found[(nova_records.SERVICE, service.id)] = service
        for node in database.or_none(
                objects.ComputeNodeList.get_all_by_host, ctxt, host) or ():
            nodes.append(compute_nodes.value(node))
            found[(nova_records.COMPUTE_NODE, node.uuid)] = node
        for instance in objects.InstanceList.get_by_host(ctxt, host):
            instances.append(nova_records.Instance(
                instance.uuid, instance.host, instance.node,
                instance.task_state))
            found[(nova_records.INSTANCE, instance.uuid)] = instance
        mapping = database.or_none(objects.HostMapping.get_by_host, ctxt,
                                   host)
        if mapping is not None:
            mappings.append(nova_records.HostMapping(
                host, mapping.cell_mapping.uuid))
            found[(nova_records.HOST_MAPPING, host)] = mapping
        for aggregate in objects.AggregateList.get_by_host(ctxt, host):
            aggregates[aggregate.id] = aggregate
    for aggregate in aggregates.values():
        found[(nova_records.AGGREGATE, '%s (%s)' % (
            aggregate.id, aggregate.name))] = aggregate
    names = {n.hypervisor_hostname for n in nodes}
    if node_name:
        names.add(node_name)
    migrations = {}
    for host in (old, new):
        for name in sorted(names):
            for migration in objects.MigrationList.\
                    get_in_progress_by_host_and_node(ctxt, host, name):
                migrations[migration.id] = nova_records.Migration(
                    migration.id, migration.instance_uuid,
                    migration.migration_type, migration.status)
    snapshot = nova_records.Snapshot(
        old, new, services, nodes, instances, migrations.values(), mappings,
        [nova_records.Aggregate(a.id, a.name, tuple(a.hosts or ()))
         for a in aggregates.values()],
        node_name=node_name, ownership=ownership, now=now,
        service_down_time=service_down_time)
    return Records(snapshot, found)


def _set(obj, fields):
    for name, _old, new in fields:
        setattr(obj, name, new)


def _save_instance(obj, change):
    _set(obj, change.fields)
    # A task started since the reading fails the save (compare-and-swap
    # on task_state in nova's database API).
    obj.save(expected_task_state=[None])


def _save(obj, change):
    _set(obj, change.fields)
    obj.save()


def _move_aggregate(obj, change):
    ((_name, before, after),) = change.fields
    for host in after:
        if host not in before:
            obj.add_host(host)
    for host in before:
        if host not in after:
            obj.delete_host(host)


def _move_host_mapping(obj, change):
    ((_name, _old, new),) = change.fields
    if new is None:
        obj.destroy()
    else:
        obj.host = new
        obj.save()


_APPLY = {
    nova_records.INSTANCE: _save_instance,
    nova_records.SERVICE: _save,
    nova_records.COMPUTE_NODE: _save,
    nova_records.AGGREGATE: _move_aggregate,
    nova_records.HOST_MAPPING: _move_host_mapping,
}

_API_KINDS = (nova_records.AGGREGATE, nova_records.HOST_MAPPING)


def _apply(records, changes):
    for change in changes:
        obj = records.objects.get((change.kind, change.ident))
        if obj is None:
            raise nova_errors.NovaRecordsChanged(
                what='%s %s is gone' % (change.kind, change.ident))
        try:
            _APPLY[change.kind](obj, change)
        except _CHANGED as exc:
            raise nova_errors.NovaRecordsChanged(
                what='%s: %s' % (nova_records.describe(change), exc))


def _difference(decided, found):
    decided = set(decided)
    found = set(found)
    lines = ['now also %s' % nova_records.describe(c)
             for c in sorted(found - decided, key=str)]
    lines += ['no longer %s' % nova_records.describe(c)
              for c in sorted(decided - found, key=str)]
    return '; '.join(lines[:5]) + ('; ...' if len(lines) > 5 else '')


def move(ctxt, plan, read_again, replan):
    """Write ``plan``'s nova changes, if the records still call for them.

    :param plan: the ``rehome.plan.Plan`` the operator confirmed
    :param read_again: returns fresh ``Records`` (``read`` with the same
                       arguments); called inside the cell transaction
    :param replan: plans again from the fresh ``Records.snapshot``
                   (``rehome.plan.plan``): returns a plan, or raises a
                   refusal (an ``OwnershipRefused``)
    :returns: the ``Records`` the changes were made on
    :raises: NovaRecordsChanged, nothing written: the records differ from
             the plan's (a refusal found now counts as such a change), or
             a save found its record changed
    """
    with main_db_api.get_context_manager(ctxt).writer.using(ctxt):
        records = read_again()
        try:
            again = replan(records.snapshot)
        except exceptions.OwnershipRefused as exc:
            raise nova_errors.NovaRecordsChanged(what=str(exc))
        if again.nova_changes != plan.nova_changes:
            raise nova_errors.NovaRecordsChanged(
                what=_difference(plan.nova_changes, again.nova_changes))
        _apply(records, [c for c in again.nova_changes
                         if c.kind not in _API_KINDS])
        api_changes = [c for c in again.nova_changes if c.kind in _API_KINDS]
        if api_changes:
            # Commits before the cell transaction: both or, on any error
            # before this point, neither.
            with api_db_api.context_manager.writer.using(ctxt):
                _apply(records, api_changes)
    return records

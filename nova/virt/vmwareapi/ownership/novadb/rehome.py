"""The nova side of ``rehome``: nova's records read and moved by its objects.

Imported only where nova is installed (the ``rehome`` command and the
driver). Everything goes through nova's objects and its database API's
transactions, never SQL of our own.

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

import contextlib
import logging

from oslo_db import exception as db_exception
from sqlalchemy import exc as sa_exc

from nova import config as nova_config
from nova import context as nova_context
from nova.db.api import api as api_db_api
from nova.db.main import api as main_db_api
from nova import exception as nova_exception
from nova import objects

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import rehome
from nova.virt.vmwareapi.ownership import rehome_exceptions

LOG = logging.getLogger(__name__)

BINARY = 'nova-compute'

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


class Records:
    """One reading of nova's records about two hosts.

    :ivar snapshot: the plain-value ``rehome.Snapshot``
    :ivar objects: the nova objects read, by ``(kind, id)`` as in the
                   plan's changes
    """

    def __init__(self, snapshot, found):
        self.snapshot = snapshot
        self.objects = found


_MISSING = (nova_exception.NotFound, nova_exception.HostMappingNotFound)


def _or_none(call, *args):
    try:
        return call(*args)
    except _MISSING:
        return None


def _service(service):
    return rehome.Service(service.id, service.host, service.forced_down,
                          service.last_seen_up, service.created_at,
                          service.disabled, service.disabled_reason)


def read(ctxt, old, new, node_name=None, ownership=None, now=None,
         service_down_time=60):
    """Read what nova holds about hosts ``old`` and ``new``.

    :param ctxt: an admin ``RequestContext`` (targeted at the cell, or
                 untargeted: ``[database] connection``)
    :param node_name: the cluster's node name, when known from vCenter
    :param ownership: the cluster's ``rehome.Ownership``, when read
    :returns: ``Records``
    """
    found = {}
    services, nodes, instances, mappings, aggregates = [], [], [], [], {}
    for host in (old, new):
        service = objects.Service.get_by_host_and_binary(ctxt, host, BINARY)
        if service is not None:
            services.append(_service(service))
            found[(rehome.SERVICE, service.id)] = service
        for node in _or_none(objects.ComputeNodeList.get_all_by_host,
                             ctxt, host) or ():
            nodes.append(rehome.Node(node.id, node.uuid, node.host,
                                     node.hypervisor_hostname,
                                     node.service_id))
            found[(rehome.COMPUTE_NODE, node.uuid)] = node
        for instance in objects.InstanceList.get_by_host(ctxt, host):
            instances.append(rehome.Instance(instance.uuid, instance.host,
                                             instance.node,
                                             instance.task_state))
            found[(rehome.INSTANCE, instance.uuid)] = instance
        mapping = _or_none(objects.HostMapping.get_by_host, ctxt, host)
        if mapping is not None:
            mappings.append(rehome.HostMapping(
                host, mapping.cell_mapping.uuid))
            found[(rehome.HOST_MAPPING, host)] = mapping
        for aggregate in objects.AggregateList.get_by_host(ctxt, host):
            aggregates[aggregate.id] = aggregate
    for aggregate in aggregates.values():
        found[(rehome.AGGREGATE, '%s (%s)' % (aggregate.id,
                                              aggregate.name))] = aggregate
    names = {n.hypervisor_hostname for n in nodes}
    if node_name:
        names.add(node_name)
    migrations = {}
    for host in (old, new):
        for name in sorted(names):
            for migration in objects.MigrationList.\
                    get_in_progress_by_host_and_node(ctxt, host, name):
                migrations[migration.id] = rehome.Migration(
                    migration.id, migration.instance_uuid,
                    migration.migration_type, migration.status)
    snapshot = rehome.Snapshot(
        old, new, services, nodes, instances, migrations.values(), mappings,
        [rehome.Aggregate(a.id, a.name, tuple(a.hosts or ()))
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
    rehome.INSTANCE: _save_instance,
    rehome.SERVICE: _save,
    rehome.COMPUTE_NODE: _save,
    rehome.AGGREGATE: _move_aggregate,
    rehome.HOST_MAPPING: _move_host_mapping,
}

_API_KINDS = (rehome.AGGREGATE, rehome.HOST_MAPPING)


def _apply(records, changes):
    for change in changes:
        obj = records.objects.get((change.kind, change.ident))
        if obj is None:
            raise rehome_exceptions.NovaRecordsChanged(
                '%s %s is gone' % (change.kind, change.ident))
        try:
            _APPLY[change.kind](obj, change)
        except _CHANGED as exc:
            raise rehome_exceptions.NovaRecordsChanged(
                '%s: %s' % (rehome.describe(change), exc))


def _difference(decided, found):
    decided = set(decided)
    found = set(found)
    lines = ['now also %s' % rehome.describe(c)
             for c in sorted(found - decided, key=str)]
    lines += ['no longer %s' % rehome.describe(c)
              for c in sorted(decided - found, key=str)]
    return '; '.join(lines[:5]) + ('; ...' if len(lines) > 5 else '')


def move(ctxt, plan, read_again):
    """Write ``plan``'s nova changes, if the records still call for them.

    :param plan: the ``rehome.Plan`` the operator confirmed
    :param read_again: returns fresh ``Records`` (``read`` with the same
                       arguments); called inside the cell transaction
    :returns: the ``Records`` the changes were made on
    :raises: NovaRecordsChanged, nothing written: the records differ from
             the plan's (a refusal found now counts as such a change), or
             a save found its record changed
    """
    with main_db_api.get_context_manager(ctxt).writer.using(ctxt):
        records = read_again()
        try:
            again = rehome.plan(records.snapshot)
        except rehome_exceptions.RehomeRefused as exc:
            raise rehome_exceptions.NovaRecordsChanged(str(exc))
        if again.nova_changes != plan.nova_changes:
            raise rehome_exceptions.NovaRecordsChanged(
                _difference(plan.nova_changes, again.nova_changes))
        _apply(records, [c for c in again.nova_changes
                         if c.kind not in _API_KINDS])
        api_changes = [c for c in again.nova_changes if c.kind in _API_KINDS]
        if api_changes:
            # Commits before the cell transaction: both or, on any error
            # before this point, neither.
            with api_db_api.context_manager.writer.using(ctxt):
                _apply(records, api_changes)
    return records


@contextlib.contextmanager
def database_errors(option):
    """Translate a database that cannot be used into our error.

    :param option: the option naming that database, for the message
    :raises: NovaDatabaseUnavailable
    """
    try:
        yield
    except db_exception.DBDuplicateEntry:
        raise
    except (db_exception.DBError, sa_exc.SQLAlchemyError,
            ImportError) as exc:
        # The first line only: the rest is SQL, and a URL may carry a
        # password.
        cause = getattr(exc, 'inner_exception', None) or exc
        reason = '%s: %s' % (type(cause).__name__,
                             (str(cause).splitlines() or [''])[0][:300])
        raise rehome_exceptions.NovaDatabaseUnavailable(
            option, reason) from None


def configure(config_files, config_dirs):
    """Read nova's configuration as nova-manage does, for the command.

    :returns: ``(admin context, service_down_time)``
    :raises: NovaDatabaseUnavailable when a database option is not set
    """
    argv = ['nova-vmware-owner']
    for path in config_files:
        argv += ['--config-file', path]
    for path in config_dirs:
        argv += ['--config-dir', path]
    nova_config.parse_args(argv, default_config_files=[])
    conf = nova_config.CONF
    for group in ('database', 'api_database'):
        if not getattr(conf, group).connection:
            raise rehome_exceptions.NovaDatabaseUnavailable(
                '[%s] connection' % group, 'the option is not set')
    objects.register_all()
    return nova_context.get_admin_context(), conf.service_down_time


def check_databases(ctxt, host):
    """One cheap read of each database, to name the one that fails.

    :raises: NovaDatabaseUnavailable
    """
    with database_errors('[database] connection'):
        objects.Service.get_by_host_and_binary(ctxt, host, BINARY)
    with database_errors('[api_database] connection'):
        _or_none(objects.HostMapping.get_by_host, ctxt, host)


def refuse_if_node_elsewhere(guard, host, node_name):
    """At nova-compute start: refuse when another host has the cluster.

    After ``takeover --host NEW`` and before ``rehome``, the cluster's
    compute node and instances still belong to the old host in nova; nova
    would refuse NEW with a generic message (or let it create a second
    compute node). Called from ``init_host`` after the guard took the
    cluster; on refusal the guard's lease is released first.

    :param guard: the started ``guard.OwnershipGuard``
    :raises: ClusterNodeOnAnotherHost
    """
    ctxt = nova_context.get_admin_context()
    nodes = [rehome.Node(n.id, n.uuid, n.host, n.hypervisor_hostname,
                         n.service_id)
             for n in objects.ComputeNodeList.get_by_hypervisor(ctxt,
                                                                node_name)]
    found = rehome.node_elsewhere(nodes, node_name, host)
    if found is None:
        return
    error = rehome_exceptions.ClusterNodeOnAnotherHost(
        node_name, found.uuid, found.host, host)
    try:
        guard.release()
    except exceptions.OwnershipError as exc:
        LOG.warning('Could not release %s before refusing: %s',
                    guard.location, exc)
    raise error

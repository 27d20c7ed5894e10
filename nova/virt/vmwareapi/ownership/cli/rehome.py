"""The ``rehome`` command: move a cluster's nova records to a new host name.

``nova-vmware-owner rehome --from OLD --to NEW [--dry-run] [--yes]`` runs
where nova-manage runs: it reads nova's ``[database]`` and
``[api_database]`` from the same ``--config-file``/``--config-dir``. When
``[vmware]`` is configured too it finds the cluster in vCenter, to name its
compute node (``<cluster moref>.<vCenter instanceUuid>``), to check that the
ownership record names NEW (or nobody), and to hand the compute node
identity to NEW through the record (``node``), which NEW's guarded driver
restores as its ``compute_id``.

Steps, each one recognised as done by the next run: nova's records (see
``novadb.rehome``), then the record's ``node``, then the audit.
"""

from nova.virt.vmwareapi.ownership.cli import console as console_mod
from nova.virt.vmwareapi.ownership.cli import context
from nova.virt.vmwareapi.ownership.cli import render
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import fencing
from nova.virt.vmwareapi.ownership import location as location_mod
from nova.virt.vmwareapi.ownership import nova_records
from nova.virt.vmwareapi.ownership import operations
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import refusals
from nova.virt.vmwareapi.ownership.rehome import plan as plan_mod

NAME = 'rehome'

HELP = ('Move the nova records of the cluster of host OLD (compute node, '
        'instances, nova-compute service, host mapping, aggregates) to host '
        'NEW, through nova\'s objects, after a "takeover --host NEW". Needs '
        'nova (the [nova] extra) and nova-manage\'s database options. OLD '
        'must be stopped and marked down. Asks for confirmation unless '
        '--yes; --dry-run prints every change and writes nothing.')


def arguments(parser):
    """Add ``rehome``'s arguments to its parser."""
    parser.add_argument('--from', dest='from_host', required=True,
                        metavar='OLD', help='The host whose nova records '
                        'move (its nova-compute must be stopped).')
    parser.add_argument('--to', dest='to_host', required=True,
                        metavar='NEW', help='The new host name; nova must '
                        'have no service or compute node of it.')
    parser.add_argument('--dry-run', dest='dry_run', action='store_true',
                        help='Print every record that would change; write '
                             'nothing.')
    parser.add_argument('--yes', '-y', action='store_true',
                        help='Do not ask for confirmation (needed without '
                             'a terminal).')


def _hosts(conf):
    """``--from`` and ``--to``, checked before anything is opened."""
    args = conf.command
    for option, host in (('--from', args.from_host), ('--to', args.to_host)):
        if not record_mod.is_host_name(host):
            raise exceptions.ConfigurationError(
                options=(option,),
                problem='%r is not a host name' % (host,))
    if args.from_host == args.to_host:
        raise exceptions.ConfigurationError(
            options=('--from', '--to'), problem='they name the same host')
    return args.from_host, args.to_host


def open_context(conf):
    """``rehome``'s context: nova's databases, and vCenter if configured.

    nova's databases first (one cheap read of each; the hosts were
    checked before, ``_hosts``), then, when ``[vmware] host_ip`` is set,
    the cluster in vCenter.

    :raises: ConfigurationError (NovaNotInstalled,
             NovaDatabaseUnavailable), VCenterError
    """
    old = conf.command.from_host

    def nova():
        databases = context.NovaDatabases.open(conf, NAME, NAME)
        databases.records.check_databases(databases.context, old)
        return databases

    if conf.vmware.host_ip:
        return context.Context.connect(conf, nova=nova)
    return context.Context(conf, nova=nova())


def _ownership(ctx):
    """The cluster's ``plan.Ownership`` (raises when unreadable)."""
    view = ctx.view()
    if view.error is not None:
        raise view.error
    record = view.record
    if record is not None and record.cloud != ctx.settings.cloud:
        # Another cloud's record: this cloud's nova does not manage it.
        raise refusals.owned_elsewhere(ctx.location, record,
                                       ctx.conf.command.to_host,
                                       ctx.settings.cloud)
    return plan_mod.Ownership(ctx.location,
                              record.host if record else None,
                              record.node if record else None)


def _record_node(ctx, new, node):
    """Put ``node`` into the record naming ``new``, through ``fencing``.

    :raises: RecordChanged when the record no longer names ``new`` with no
             or this node, or another process changed it meanwhile;
             VCenterError
    """
    view = ctx.settled_view()
    record = view.record
    if record is None or not record.owned_by(new, ctx.settings.cloud) or \
            record.node not in (None, node):
        raise exceptions.RecordChanged(
            location=ctx.location, what='it no longer names host %s with '
            'compute node %s or none' % (new, node))
    if record.node != node:
        fencing.take(ctx.store, view, record.with_node(node))


class _LogOnly:
    """The audit's target without vCenter: the log line only."""

    def __init__(self, name):
        self.location = location_mod.Location(name, 'nova')

    def post_event(self, message):
        pass


def _summary(plan):
    counts = ['%d %s(s)' % (plan.count(kind), kind.replace('_', ' '))
              for kind in (nova_records.INSTANCE, nova_records.AGGREGATE)
              if plan.count(kind)]
    return 'compute node %s%s' % (plan.node.uuid,
                                  ', ' + ', '.join(counts) if counts else '')


def rehome(ctx, console=None):
    """Plan, confirm and apply one re-home.

    :returns: ``(state, text)``: the JSON object and the text to print
    :raises: RehomeRefused subclasses, NovaRecordsChanged,
             ConfirmationRequired, VCenterError, RecordChanged
    """
    args = ctx.conf.command
    old, new = args.from_host, args.to_host
    nova = ctx.nova
    node_name = ownership = None
    if ctx.store is not None:
        node_name = nova_records.node_name(ctx.location.cluster_moref,
                                           ctx.vcenter_uuid)
        ownership = _ownership(ctx)

    def read():
        return nova.records.read(nova.context, old, new, node_name,
                                 ownership,
                                 service_down_time=nova.service_down_time)

    plan = plan_mod.plan(read().snapshot)
    lines = [nova_records.describe(change) for change in plan.changes]
    state = {'action': NAME, 'from': old, 'to': new,
             'node': plan.node.hypervisor_hostname,
             'node_uuid': plan.node.uuid, 'service_id': plan.service.id,
             'changes': [nova_records.to_dict(c) for c in plan.changes],
             'changed': False, 'dry_run': bool(args.dry_run),
             'notes': list(plan.notes)}
    notes = ''.join('\n\n' + note for note in plan.notes)
    if not plan.changes:
        return state, ('Nothing to do: the nova records of %s (compute node '
                       '%s) already name host %s.%s'
                       % (plan.node.hypervisor_hostname, plan.node.uuid,
                          new, notes))
    listing = '\n'.join('  ' + line for line in lines)
    if args.dry_run:
        return state, ('Dry run, nothing written. rehome would change %d '
                       'record(s):\n%s%s' % (len(lines), listing, notes))
    console = console or console_mod.Console()
    console.confirm(NAME, 'About to move these records from host %s to '
                    'host %s:\n%s' % (old, new, listing),
                    expected=new, assume_yes=args.yes)
    nova.records.move(nova.context, plan, read, plan_mod.plan)
    if plan.count(nova_records.OWNERSHIP):
        _record_node(ctx, new, plan.node.uuid)
    target = ctx.store if ctx.store is not None else _LogOnly(
        plan.node.hypervisor_hostname)
    state['changed'] = True
    state['audit'] = operations.audit(target, 're-homed the nova records '
                                      'of', old, new,
                                      operations.actor(), _summary(plan))
    return state, ('Moved %d record(s) from host %s to host %s:\n%s\n\nStart '
                   'nova-compute as %s now.%s'
                   % (len(lines), old, new, listing, new, notes))


def run(ctx, fmt):
    """The handler of ``rehome``."""
    state, text = rehome(ctx)
    render.emit(state, fmt, text)
    return 0


COMMAND = context.Command(NAME, HELP, run, arguments, open_context,
                          check=_hosts)

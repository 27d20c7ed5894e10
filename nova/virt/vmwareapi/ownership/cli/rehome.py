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
``rehome_nova``), then the record's ``node``, then the audit.
"""

import importlib

from nova.virt.vmwareapi.ownership import console as console_mod
from nova.virt.vmwareapi.ownership import disagreement
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import fencing
from nova.virt.vmwareapi.ownership import operations
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import rehome
from nova.virt.vmwareapi.ownership import rehome_exceptions

COMMAND = 'rehome'

HELP = ('Move the nova records of the cluster of host OLD (compute node, '
        'instances, nova-compute service, host mapping, aggregates) to host '
        'NEW, through nova\'s objects, after a "takeover --host NEW". Needs '
        'nova (the [nova] extra) and nova-manage\'s database options. OLD '
        'must be stopped and marked down. Asks for confirmation unless '
        '--yes; --dry-run prints every change and writes nothing.')


def add_parser(subparsers):
    """Add ``rehome`` to the command's sub-parsers."""
    parser = subparsers.add_parser(COMMAND, help=HELP, description=HELP)
    parser.add_argument('--format', dest='command_format',
                        choices=['text', 'json'], default=None,
                        help='Output format (overrides the global one).')
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


def _hosts(args):
    for option, host in (('--from', args.from_host), ('--to', args.to_host)):
        if not record_mod.is_host_name(host):
            raise exceptions.ConfigurationError(
                [option], '%r is not a host name' % (host,))
    if args.from_host == args.to_host:
        raise exceptions.ConfigurationError(
            ['--from', '--to'], 'they name the same host')
    return args.from_host, args.to_host


def load_nova(module='rehome_nova', command=COMMAND):
    """Import one of this package's modules that import nova.

    Imported when needed, not at the top: the other commands run without
    nova, and importing it costs seconds.

    :param module: the module's name in this package
    :param command: the command that needs it, for the message
    :raises: NovaNotInstalled
    """
    try:
        return importlib.import_module('%s.%s' % (__package__, module))
    except ImportError as exc:
        raise rehome_exceptions.NovaNotInstalled(str(exc), command)


class RehomeContext:
    """What ``rehome`` works with: nova's database, and vCenter if set.

    :param conf: the command's parsed options
    :param connect_vcenter: makes the other commands' context (vCenter
                            session, cluster, store) from ``conf``; used
                            when ``[vmware] host_ip`` is set
    """

    def __init__(self, conf, connect_vcenter):
        self.conf = conf
        self.old, self.new = _hosts(conf.command)
        self.nova = load_nova()
        self.ctxt, self.service_down_time = self.nova.configure(
            conf.config_file or (), conf.config_dir or ())
        self.nova.check_databases(self.ctxt, self.old)
        self.vcenter = (connect_vcenter(conf) if conf.vmware.host_ip
                        else None)

    def close(self):
        if self.vcenter is not None:
            self.vcenter.close()


def _ownership(vcenter):
    """The cluster's ``rehome.Ownership`` (raises when unreadable)."""
    view = vcenter.view()
    if view.error is not None:
        raise view.error
    record = view.record
    return rehome.Ownership(vcenter.location,
                            record.host if record else None,
                            record.node if record else None)


def _record_node(vcenter, new, node):
    """Put ``node`` into the record naming ``new``, through ``fencing``.

    :raises: RecordChanged when the record no longer names ``new`` with no
             or this node, or another process changed it meanwhile;
             VCenterError
    """
    view = vcenter.settled_view()
    record = view.record
    if record is None or record.host != new or \
            record.node not in (None, node):
        raise exceptions.RecordChanged(
            vcenter.location, 'it no longer names host %s with compute node '
            '%s or none' % (new, node))
    if record.node != node:
        fencing.take(vcenter.store, view, record.with_node(node))


class _LogOnly:
    """The audit's target without vCenter: the log line only."""

    def __init__(self, name):
        self.location = exceptions.Location(name, 'nova')

    def post_event(self, message):
        pass


def _summary(plan):
    counts = ['%d %s(s)' % (plan.count(kind), kind.replace('_', ' '))
              for kind in (rehome.INSTANCE, rehome.AGGREGATE)
              if plan.count(kind)]
    return 'compute node %s%s' % (plan.node.uuid,
                                  ', ' + ', '.join(counts) if counts else '')


def run(ctx, console=None):
    """Plan, confirm and apply one re-home.

    :returns: ``(state, text)``: the JSON object and the text to print
    :raises: RehomeRefused subclasses, NovaRecordsChanged,
             ConfirmationRequired, VCenterError, RecordChanged
    """
    args = ctx.conf.command
    vcenter = ctx.vcenter
    node_name = ownership = None
    if vcenter is not None:
        node_name = disagreement.node_name(vcenter.location.cluster_moref,
                                           vcenter.vcenter_uuid)
        ownership = _ownership(vcenter)

    def read():
        return ctx.nova.read(ctx.ctxt, ctx.old, ctx.new, node_name,
                             ownership,
                             service_down_time=ctx.service_down_time)

    plan = rehome.plan(read().snapshot)
    lines = [rehome.describe(change) for change in plan.changes]
    state = {'action': COMMAND, 'from': ctx.old, 'to': ctx.new,
             'node': plan.node.hypervisor_hostname,
             'node_uuid': plan.node.uuid, 'service_id': plan.service.id,
             'changes': [rehome.to_dict(c) for c in plan.changes],
             'changed': False, 'dry_run': bool(args.dry_run),
             'notes': list(plan.notes)}
    notes = ''.join('\n\n' + note for note in plan.notes)
    if not plan.changes:
        return state, ('Nothing to do: the nova records of %s (compute node '
                       '%s) already name host %s.%s'
                       % (plan.node.hypervisor_hostname, plan.node.uuid,
                          ctx.new, notes))
    listing = '\n'.join('  ' + line for line in lines)
    if args.dry_run:
        return state, ('Dry run, nothing written. rehome would change %d '
                       'record(s):\n%s%s' % (len(lines), listing, notes))
    console = console or console_mod.Console()
    console.confirm(COMMAND, 'About to move these records from host %s to '
                    'host %s:\n%s' % (ctx.old, ctx.new, listing),
                    expected=ctx.new, assume_yes=args.yes)
    ctx.nova.move(ctx.ctxt, plan, read)
    if plan.count(rehome.OWNERSHIP):
        _record_node(vcenter, ctx.new, plan.node.uuid)
    target = vcenter.store if vcenter else _LogOnly(
        plan.node.hypervisor_hostname)
    state['changed'] = True
    state['audit'] = operations.audit(target, 're-homed the nova records '
                                      'of', ctx.old, ctx.new,
                                      operations.actor(), _summary(plan))
    return state, ('Moved %d record(s) from host %s to host %s:\n%s\n\nStart '
                   'nova-compute as %s now.%s'
                   % (len(lines), ctx.old, ctx.new, listing, ctx.new, notes))

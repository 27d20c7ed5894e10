"""The ``list`` command: the vCenter's clusters, and where nova disagrees.

``nova-vmware-owner list [--nova] [--format text|json|prometheus]`` reads
the vCenter of ``[vmware]`` (no ``cluster_name`` needed) in a constant
number of round trips (``vsphere.fleet.read``). With ``--nova`` it also
reads nova's compute nodes and nova-compute services (``novadb.fleet``,
loaded and configured as ``rehome`` loads nova) and flags each
disagreement (``fleet.disagreement``); the command then exits 3
(``main``) once it has printed them.
"""

from nova.virt.vmwareapi.ownership.cli import context
from nova.virt.vmwareapi.ownership.cli import render
from nova.virt.vmwareapi.ownership.fleet import join
from nova.virt.vmwareapi.ownership.fleet import report
from nova.virt.vmwareapi.ownership import liveness
from nova.virt.vmwareapi.ownership.vsphere import fleet as vsphere_fleet

NAME = 'list'

HELP = ('List every cluster of the vCenter of [vmware] with its owner host, '
        'state, holder and the verdict for this host (no cluster_name '
        'needed). With --nova, also read nova\'s compute nodes (needs nova '
        'and nova-manage\'s database options, as rehome) and flag each '
        'cluster where nova and the ownership records disagree, with its '
        'fix. Exits 0 when nothing disagrees, 3 when something does.')


def arguments(parser):
    """Add ``list``'s arguments to its parser."""
    parser.add_argument('--nova', action='store_true',
                        help='Join nova\'s compute nodes and services '
                             '(from [database] and [api_database]) and '
                             'flag where they disagree with vCenter.')


def open_context(conf):
    """``list``'s context: the vCenter, and nova's databases if asked.

    :raises: ConfigurationError (NovaNotInstalled,
             NovaDatabaseUnavailable), VCenterError
    """
    def nova():
        return context.NovaDatabases.open(conf, 'fleet', 'list --nova')

    return context.Context.connect(
        conf, cluster=False, nova=nova if conf.command.nova else None)


def read(ctx):
    """One reading of the vCenter (3 round trips) and of nova.

    :returns: a ``join.Fleet``
    """
    watch = liveness.HolderWatch(liveness.new_holder_id(),
                                 ctx.settings.lease_duration, ctx.clock.now)
    attribute = ctx.settings.attribute_name
    clusters = vsphere_fleet.read(ctx.session, attribute,
                                  str(ctx.session.endpoint))
    read_at = ctx.clock.utcnow()
    nova = ctx.nova.records.read(ctx.nova.context) if ctx.nova else None
    return join.Fleet(clusters, ctx.vcenter_uuid, attribute, ctx.this_host,
                      watch, read_at, nova, ctx.settings.cloud)


def output(document, fmt):
    """``list``'s output of ``document`` in format ``fmt``."""
    if fmt == 'json':
        return render.to_json(document)
    if fmt == 'prometheus':
        # Imported here: the library takes a quarter of a second.
        from nova.virt.vmwareapi.ownership.fleet import metrics
        return metrics.render(document).rstrip('\n')
    return report.text(document)


def listing(ctx, fmt):
    """Read, join and render the fleet.

    :returns: ``(output, NovaDisagrees or None)``: the error is raised by
              the caller once the output is printed
    :raises: VCenterError, NovaDatabaseUnavailable
    """
    found = read(ctx)
    states = found.states()
    return (output(found.document(states), fmt),
            join.disagreements(states))


def run(ctx, fmt):
    """The handler of ``list``: print the listing.

    :raises: NovaDisagrees once it is printed, when nova disagrees
    """
    text, disagrees = listing(ctx, fmt)
    print(text)
    if disagrees is not None:
        raise disagrees
    return 0


COMMAND = context.Command(
    NAME, HELP, run, arguments, open_context,
    formats=('text', 'json', 'prometheus'),
    format_help='Output format (overrides the global one); prometheus: the '
                'metrics in the Prometheus text format, for a textfile '
                'collector.')

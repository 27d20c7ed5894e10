"""The ``list`` command: the vCenter's clusters, and where nova disagrees.

``nova-vmware-owner list [--nova] [--datacenter D] [--folder F] [--cluster
C] [--format text|json|prometheus]`` reads the vCenter of ``[vmware]`` (no
``cluster_name`` needed) in a constant number of round trips
(``vsphere.fleet.read``), filters or not (``fleet.scope`` says what each
filter matches). ``--serve HOST:PORT`` serves the same as Prometheus
metrics over HTTP until stopped (``serve``). With ``--nova`` it also
reads nova's compute nodes and nova-compute services (``novadb.fleet``,
loaded and configured as ``rehome`` loads nova) and flags each
disagreement (``fleet.disagreement``); the command then exits 3
(``main``) once it has printed them.
"""

from nova.virt.vmwareapi.ownership.cli import context
from nova.virt.vmwareapi.ownership.cli import render
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership.fleet import join
from nova.virt.vmwareapi.ownership.fleet import report
from nova.virt.vmwareapi.ownership.fleet import scope as scope_mod
from nova.virt.vmwareapi.ownership import liveness
from nova.virt.vmwareapi.ownership.vsphere import fleet as vsphere_fleet

NAME = 'list'

SERVE_INTERVAL = 60
"""Seconds between two readings of ``list --serve`` by default."""

HELP = ('List every cluster of the vCenter of [vmware] (or those the '
        'filters choose) with its owner host, state, holder and the verdict '
        'for this host (no cluster_name needed). With --nova, also read '
        'nova\'s compute nodes (needs nova and nova-manage\'s database '
        'options, as rehome) and flag each cluster where nova and the '
        'ownership records disagree, with its fix. Exits 0 when nothing '
        'disagrees, 3 when something does, 2 when no cluster matches the '
        'filters. With --serve HOST:PORT, serve the same as Prometheus '
        'metrics on http://HOST:PORT/metrics, read every --interval '
        'seconds, until SIGTERM or SIGINT (exit 0).')


def arguments(parser):
    """Add ``list``'s arguments to its parser."""
    parser.add_argument('--nova', action='store_true',
                        help='Join nova\'s compute nodes and services '
                             '(from [database] and [api_database]) and '
                             'flag where they disagree with vCenter.')
    parser.add_argument('--datacenter', action='append', default=[],
                        metavar='D',
                        help='Only the clusters of datacenter D (by name; '
                             'repeat for several).')
    parser.add_argument('--folder', action='append', default=[],
                        metavar='F',
                        help='Only the clusters below a folder named F, at '
                             'any depth (a name of the cluster\'s inventory '
                             'path; "A/B": folder B right inside A; repeat '
                             'for several).')
    parser.add_argument('--cluster', action='append', default=[],
                        metavar='C',
                        help='Only the cluster named C, or whose managed '
                             'object id is C (domain-c7); repeat for '
                             'several.')
    parser.add_argument('--serve', metavar='HOST:PORT', default=None,
                        help='Serve the metrics over HTTP on HOST:PORT '
                             '(/metrics; [::]:PORT for IPv6, port 0 takes a '
                             'free one) until SIGTERM or SIGINT, instead of '
                             'printing them once; --format is ignored.')
    parser.add_argument('--interval', type=float, default=None,
                        metavar='S',
                        help='With --serve: seconds between two readings '
                             'of vCenter (default %d, at least 1); a reading '
                             'that takes longer is abandoned.'
                             % SERVE_INTERVAL)


def open_context(conf):
    """``list``'s context: the vCenter, and nova's databases if asked.

    :raises: ConfigurationError (NovaNotInstalled,
             NovaDatabaseUnavailable), VCenterError
    """
    def nova():
        return context.NovaDatabases.open(conf, 'fleet', 'list --nova')

    args = conf.command
    if args.serve is None and args.interval is not None:
        raise exceptions.ConfigurationError(
            options=('--interval',), problem='is for --serve only')
    if args.interval is not None and args.interval < 1:
        raise exceptions.ConfigurationError(
            options=('--interval',), problem='must be at least 1 second, '
            'not %s' % args.interval)
    return context.Context.connect(
        conf, cluster=False, nova=nova if args.nova else None,
        login=args.serve is None)


def scope_of(args):
    """The ``scope.Scope`` of ``list``'s filters (none without ``args``)."""
    return scope_mod.Scope(getattr(args, 'datacenter', ()),
                           getattr(args, 'folder', ()),
                           getattr(args, 'cluster', ()))


def read(ctx):
    """One reading of the vCenter (3 round trips) and of nova.

    :returns: a ``join.Fleet`` of the clusters the filters choose
    """
    watch = liveness.HolderWatch(liveness.new_holder_id(),
                                 ctx.settings.lease_duration, ctx.clock.now)
    attribute = ctx.settings.attribute_name
    scope = scope_of(getattr(ctx.conf, 'command', None))
    clusters = vsphere_fleet.read(ctx.session, attribute,
                                  str(ctx.session.endpoint))
    read_at = ctx.clock.utcnow()
    nova = ctx.nova.records.read(ctx.nova.context) if ctx.nova else None
    return join.Fleet(tuple(scope.select(clusters)), ctx.vcenter_uuid,
                      attribute, ctx.this_host, watch, read_at, nova,
                      ctx.settings.cloud, scope, len(clusters))


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
    :raises: VCenterError, NovaDatabaseUnavailable, NoClusterMatches
    """
    found = read(ctx)
    nothing = join.no_match(found)
    if nothing is not None:
        raise nothing
    states = found.states()
    return (output(found.document(states), fmt),
            join.disagreements(states))


def run(ctx, fmt):
    """The handler of ``list``: print the listing, or serve it.

    :raises: NovaDisagrees once it is printed, when nova disagrees
    """
    args = ctx.conf.command
    if args.serve is not None:
        # Imported here: it imports prometheus_client (a quarter second).
        from nova.virt.vmwareapi.ownership.cli import serve
        return serve.serve(ctx, args.serve, args.interval or SERVE_INTERVAL)
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

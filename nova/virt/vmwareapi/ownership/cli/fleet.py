"""The ``list`` command: the vCenter's clusters, and where nova disagrees.

``nova-vmware-owner list [--nova] [--format text|json|prometheus]`` reads
the vCenter of ``[vmware]`` (no ``cluster_name`` needed) in a constant
number of round trips (``fleet.read``). With ``--nova`` it also reads
nova's compute nodes and nova-compute services (``fleet_nova``, loaded
and configured as ``rehome`` loads nova: ``rehome_cli.load_nova``) and
flags each disagreement (``disagreement``); the command then exits 3
(``cli``) once it has printed them.
"""

import dataclasses
import functools

from nova.virt.vmwareapi.ownership import clock as clock_mod
from nova.virt.vmwareapi.ownership import fleet
from nova.virt.vmwareapi.ownership import fleet_report
from nova.virt.vmwareapi.ownership import liveness
from nova.virt.vmwareapi.ownership import opts
from nova.virt.vmwareapi.ownership import rehome_cli
from nova.virt.vmwareapi.ownership import report
from nova.virt.vmwareapi.ownership import vcenter
from nova.virt.vmwareapi.ownership import vmware_opts

COMMAND = 'list'
FORMATS = ('text', 'json', 'prometheus')

HELP = ('List every cluster of the vCenter of [vmware] with its owner host, '
        'state, holder and the verdict for this host (no cluster_name '
        'needed). With --nova, also read nova\'s compute nodes (needs nova '
        'and nova-manage\'s database options, as rehome) and flag each '
        'cluster where nova and the ownership records disagree, with its '
        'fix. Exits 0 when nothing disagrees, 3 when something does.')


def add_parser(subparsers):
    """Add ``list`` to the command's sub-parsers."""
    parser = subparsers.add_parser(COMMAND, help=HELP, description=HELP)
    parser.add_argument('--format', dest='command_format', choices=FORMATS,
                        default=None,
                        help='Output format (overrides the global one); '
                             'prometheus: the metrics in the Prometheus '
                             'text format, for a textfile collector.')
    parser.add_argument('--nova', action='store_true',
                        help='Join nova\'s compute nodes and services '
                             '(from [database] and [api_database]) and '
                             'flag where they disagree with vCenter.')


@dataclasses.dataclass
class FleetContext:
    """What ``list`` works with: the vCenter, and nova's records if asked.

    :ivar conf: the command's parsed options (``host``, ``command``)
    :ivar settings: the validated ``opts.Settings``
    :ivar session: a connected ``vcenter.Session``
    :ivar read_nova: reads nova's records (``fleet.NovaRecords``), or
                     ``None`` without ``--nova``
    :ivar clock: a ``clock.Clock``
    """

    conf: object
    settings: opts.Settings
    session: vcenter.Session
    read_nova: object = None
    clock: clock_mod.Clock = clock_mod.SYSTEM

    @classmethod
    def connect(cls, conf, clock=clock_mod.SYSTEM):
        """Validate the options, set nova up if asked, log in to vCenter.

        :raises: ConfigurationError (NovaNotInstalled,
                 NovaDatabaseUnavailable), VCenterError
        """
        settings = opts.settings(conf.vmware_ownership)
        endpoint = vmware_opts.endpoint(conf)
        read_nova = None
        if conf.command.nova:
            nova = rehome_cli.load_nova('fleet_nova', 'list --nova')
            ctxt = nova.connect(conf.config_file or (),
                                conf.config_dir or ())
            read_nova = functools.partial(nova.read, ctxt)
        session = vcenter.connect(endpoint, conf.timeout)
        return cls(conf, settings, session, read_nova, clock)

    def read(self):
        """One reading of the vCenter (3 round trips) and of nova.

        :returns: a ``fleet.Fleet``
        """
        watch = liveness.HolderWatch(liveness.new_holder_id(),
                                     self.settings.lease_duration,
                                     self.clock.now)
        attribute = self.settings.attribute_name
        clusters = fleet.read(self.session, attribute,
                              str(self.session.endpoint))
        read_at = self.clock.utcnow()
        nova = self.read_nova() if self.read_nova else None
        return fleet.Fleet(clusters, vcenter.vcenter_uuid(self.session),
                           attribute, self.conf.host, watch, read_at, nova)

    def close(self):
        try:
            self.session.logout()
        except Exception:  # noqa: BLE001 - logout is best effort at exit
            pass


def render(document, fmt):
    """``list``'s output of ``document`` in format ``fmt``."""
    if fmt == 'json':
        return report.to_json(document)
    if fmt == 'prometheus':
        # Imported here: the library takes a quarter of a second.
        from nova.virt.vmwareapi.ownership import metrics
        return metrics.render(document).rstrip('\n')
    return fleet_report.text(document)


def run(ctx, fmt):
    """Read, join and render the fleet.

    :param ctx: a ``FleetContext`` (or anything with its ``read``)
    :returns: ``(output, NovaDisagrees or None)``: the error is raised by
              the caller once the output is printed
    :raises: VCenterError, NovaDatabaseUnavailable
    """
    found = ctx.read()
    states = found.states()
    return (render(found.document(states), fmt),
            fleet.disagreements(states))

"""The operator command ``nova-vmware-owner``: arguments and exit codes.

Reads the same configuration files as nova-compute. The exit codes, and
the one table that maps our exceptions to them (``_EXIT_FOR``):

=====  ===============================================================
0      done; or, for ``check``, this host may run against the cluster
1      unexpected error (a bug: the traceback is logged)
2      usage, configuration or connection error
3      refused: the cluster is owned by another host; for ``list
       --nova``: nova and the ownership records disagree
4      refused: needs ``--force`` or confirmation (live holder,
       unreadable record, no ``--yes`` without a terminal), or a
       precondition of ``rehome`` fails
5      conflict: the record (or, for ``rehome``, nova's records) changed
       while the command ran: a lost race; nothing of this command was
       written, run it again
=====  ===============================================================
"""

import logging
import os
import sys
import traceback

from oslo_config import cfg

from nova.virt.vmwareapi.ownership import clock as clock_mod
from nova.virt.vmwareapi.ownership import commands
from nova.virt.vmwareapi.ownership import disagreement
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import fencing
from nova.virt.vmwareapi.ownership import fleet_cli
from nova.virt.vmwareapi.ownership import guard as guard_mod
from nova.virt.vmwareapi.ownership import liveness
from nova.virt.vmwareapi.ownership import operations
from nova.virt.vmwareapi.ownership import opts
from nova.virt.vmwareapi.ownership import rehome_cli
from nova.virt.vmwareapi.ownership import rehome_exceptions
from nova.virt.vmwareapi.ownership import report
from nova.virt.vmwareapi.ownership import store as store_mod
from nova.virt.vmwareapi.ownership import vcenter
from nova.virt.vmwareapi.ownership import view as view_mod
from nova.virt.vmwareapi.ownership import vmware_opts

LOG = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_OTHER_HOST = 3
EXIT_DISAGREES = 3
EXIT_NEEDS_FORCE = 4
EXIT_CONFLICT = 5

# The first matching class decides; order from specific to general.
_EXIT_FOR = (
    (exceptions.ClusterOwnedByAnotherHost, EXIT_OTHER_HOST),
    (exceptions.NotTheOwner, EXIT_OTHER_HOST),
    (disagreement.NovaDisagrees, EXIT_DISAGREES),
    (exceptions.OwnershipRefused, EXIT_NEEDS_FORCE),
    (exceptions.RecordChanged, EXIT_CONFLICT),
    (rehome_exceptions.NovaRecordsChanged, EXIT_CONFLICT),
    (exceptions.RecordBusy, EXIT_CONFLICT),
    (exceptions.ConfigurationError, EXIT_USAGE),
    (exceptions.VCenterError, EXIT_USAGE),
    (exceptions.OwnershipError, EXIT_ERROR),
)

_COMMANDS = {
    'show': 'Print the cluster, its ownership record (parsed and raw) and '
            'the verdict for this host. Exits 0 whenever it could read.',
    'check': 'Read-only. Exit 0 when this host may run against the cluster '
             '(unowned or owned by this host), 3 when another host owns it, '
             '4 when the record is unreadable.',
    'claim': 'Claim an unowned cluster for this host (or --host), e.g. '
             'before its first start. The record is left released, so that '
             "host's nova-compute starts at once. Exits 0 when claimed or "
             'already owned by that host, 3 when another host owns it, 4 '
             'when the record is unreadable.',
    'takeover': 'Move the ownership to this host (or --host). Without '
                '--force it first observes the record for lease_duration '
                '(or --observe) seconds and refuses (exit 4) if its holder '
                'renews. Asks for confirmation unless --yes.',
    'release': 'Clear the ownership (decommissioning): the cluster becomes '
               'unowned. Only on the owning host unless --force; a live '
               'holder needs --force. Asks for confirmation unless --yes.',
}


def _add_command_parsers(subparsers):
    for name, text in _COMMANDS.items():
        parser = subparsers.add_parser(name, help=text, description=text)
        parser.add_argument('--format', dest='command_format',
                            choices=['text', 'json'], default=None,
                            help='Output format (overrides the global one).')
        if name in ('claim', 'takeover'):
            parser.add_argument('--host', dest='target_host', default=None,
                                help='Host to %s for (default: [DEFAULT] '
                                     'host).' % name)
        if name in ('takeover', 'release'):
            parser.add_argument('--force', action='store_true',
                                help='Skip the observation of a live '
                                     'holder; replace an unreadable record'
                                     '%s.' % (' or clear the ownership of '
                                              'another host'
                                              if name == 'release' else ''))
            parser.add_argument('--yes', '-y', action='store_true',
                                help='Do not ask for confirmation (needed '
                                     'without a terminal).')
        if name == 'takeover':
            parser.add_argument('--dry-run', dest='dry_run',
                                action='store_true',
                                help='Print what would change; write '
                                     'nothing.')
            parser.add_argument('--observe', type=float, default=None,
                                metavar='S',
                                help='Seconds to observe a holder before '
                                     'taking over (default: '
                                     '[vmware_ownership] lease_duration).')
    rehome_cli.add_parser(subparsers)
    fleet_cli.add_parser(subparsers)


_cli_opts = [
    cfg.StrOpt('format', choices=['text', 'json'], default='text',
               help='Output format.'),
    cfg.FloatOpt('timeout', default=20.0, min=1.0,
                 help='Seconds to wait for each vCenter connection and '
                      'answer.'),
    cfg.SubCommandOpt('command', title='Commands',
                      handler=_add_command_parsers,
                      help='Run "nova-vmware-owner COMMAND --help".'),
]


def _make_conf():
    conf = cfg.ConfigOpts()
    conf.register_cli_opts(_cli_opts)
    vmware_opts.register_nova_opts(conf)
    opts.register_opts(conf)
    return conf


class Context:
    """What the cluster commands work with: config, store, clock.

    ``connect`` builds one from the configuration; the constructor takes
    the store as it is (tests give it an in-memory one).

    :param conf: the parsed configuration (``host``, ``command``)
    :param settings: the validated ``opts.Settings``
    :param store: the cluster's store; its ``location`` names the cluster
    :param vcenter_uuid: the vCenter's instance UUID, for the output
    :param session: the ``vcenter.Session`` to log out of at the end
    :param clock: a ``clock.Clock``
    """

    def __init__(self, conf, settings, store, vcenter_uuid=None,
                 session=None, clock=clock_mod.SYSTEM):
        self.conf = conf
        self.settings = settings
        self.store = store
        self.location = store.location
        self.vcenter_uuid = vcenter_uuid
        self.session = session
        self.clock = clock
        self.this_host = conf.host
        self._watch = liveness.HolderWatch(
            liveness.new_holder_id(), settings.lease_duration, clock.now)

    @classmethod
    def connect(cls, conf, clock=clock_mod.SYSTEM):
        """Validate the options, log in to vCenter, find the cluster.

        :raises: ConfigurationError, VCenterError
        """
        settings = opts.settings(conf.vmware_ownership)
        endpoint = vmware_opts.endpoint(conf)
        cluster_name = vmware_opts.cluster_name(conf)
        session = vcenter.connect(endpoint, conf.timeout)
        cluster_ref = vcenter.find_cluster(session, cluster_name)
        location = exceptions.Location(
            cluster_name, str(endpoint),
            cluster_moref=vcenter.moref_value(cluster_ref),
            attribute=settings.attribute_name)
        store = store_mod.ClusterStore(session, cluster_ref,
                                       settings.attribute_name, location)
        return cls(conf, settings, store, vcenter.vcenter_uuid(session),
                   session, clock)

    def now(self):
        return self.clock.utcnow()

    def view(self):
        """One reading of the cluster (1 round trip)."""
        return view_mod.interpret(self.store.read(), self.location)

    def settled_view(self, on_wait=None):
        """A reading with no change in progress (see ``fencing.settle``)."""
        return fencing.settle(self.store, self.clock, on_wait=on_wait)

    def state(self, view):
        """``show``'s JSON object of ``view`` for this host."""
        assessment = guard_mod.assess(view, self.this_host, self._watch,
                                      sync_node_identity=False)
        return report.state_dict(view, assessment.liveness, self.this_host,
                                 self.location, self.vcenter_uuid,
                                 self.store.lease_name)

    def close(self):
        if self.session is None:
            return
        try:
            self.session.logout()
        except Exception:  # noqa: BLE001 - logout is best effort at exit
            pass


_CONTEXTS = {
    rehome_cli.COMMAND: lambda conf: rehome_cli.RehomeContext(
        conf, Context.connect),
    fleet_cli.COMMAND: lambda conf: fleet_cli.FleetContext.connect(conf),
}
"""How the commands without a cluster of their own make their context."""


DEBUG_VARIABLE = 'NOVA_VMWARE_OWNER_DEBUG'
"""Set to 1 to also print the traceback of an unexpected error."""


def exit_code_for(error):
    """The documented exit code of one of our exceptions."""
    for kind, code in _EXIT_FOR:
        if isinstance(error, kind):
            return code
    return EXIT_ERROR


def _fail(message, code):
    sys.stderr.write('nova-vmware-owner: %s\n' % message)
    return code


def _log_audit_lines():
    """Show the audit line of every change (who, from where) on stderr."""
    audit_log = logging.getLogger(operations.__name__)
    audit_log.setLevel(logging.INFO)
    audit_log.propagate = False
    if not audit_log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter('%(message)s'))
        audit_log.addHandler(handler)


def error_log_path():
    """Where the traceback of an unexpected error is written."""
    return os.path.join(os.environ.get('XDG_CACHE_HOME') or
                        os.path.expanduser('~/.cache'),
                        'nova-vmware-owner', 'nova-vmware-owner.log')


def main(argv=None):
    """Entry point of the console script; returns the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    # Libraries log their own retries; the operator sees our one paragraph.
    logging.basicConfig(level=logging.CRITICAL, stream=sys.stderr)
    _log_audit_lines()
    conf = _make_conf()
    try:
        conf(argv, project='nova', prog='nova-vmware-owner',
             description='Show, check and move the ownership of the vCenter '
                         'cluster of a nova-compute host.')
    except cfg.ConfigFilesNotFoundError as exc:
        return _fail('configuration file not found: %s' % exc, EXIT_USAGE)
    except cfg.Error as exc:
        return _fail('configuration error: %s' % exc, EXIT_USAGE)
    except SystemExit as exc:
        # argparse exits on --help (0) and on usage errors (2) after
        # printing; return the code like every other outcome.
        return EXIT_USAGE if exc.code else EXIT_OK
    fmt = conf.command.command_format or conf.format
    ctx = None
    try:
        ctx = _CONTEXTS.get(conf.command.name, Context.connect)(conf)
        return commands.HANDLERS[conf.command.name](ctx, fmt)
    except exceptions.OwnershipError as exc:
        return _fail(str(exc), exit_code_for(exc))
    except cfg.Error as exc:
        return _fail('configuration error: %s' % exc, EXIT_USAGE)
    except KeyboardInterrupt:
        return _fail('interrupted', EXIT_ERROR)
    except Exception as exc:  # noqa: BLE001 - mapped to exit 1, see docstring
        return _unexpected(exc)
    finally:
        if ctx is not None:
            ctx.close()


def _unexpected(error):
    """Exit 1 with one paragraph; the traceback goes to a log file."""
    path = error_log_path()
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        handler = logging.FileHandler(path)
    except OSError:
        handler, path = None, None
    if handler is not None:
        handler.setFormatter(logging.Formatter(
            '%(asctime)s %(levelname)s %(name)s %(message)s'))
        LOG.addHandler(handler)
        LOG.setLevel(logging.ERROR)
        LOG.propagate = False
        LOG.exception('Unexpected error')
        LOG.removeHandler(handler)
        handler.close()
    if os.environ.get(DEBUG_VARIABLE) == '1':
        traceback.print_exc()
    return _fail('unexpected error: %s: %s. This is a bug: please report it '
                 'with the traceback%s.'
                 % (type(error).__name__, exceptions.printable(error),
                    ' logged in %s' % path if path else
                    ' printed when the same command runs with %s=1'
                    % DEBUG_VARIABLE), EXIT_ERROR)

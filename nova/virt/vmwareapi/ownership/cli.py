"""The operator command ``nova-vmware-owner``.

Reads the same configuration files as nova-compute. Return codes:

=====  ===============================================================
0      done; or, for ``check``, this host may run against the cluster
1      unexpected error
2      usage, configuration or connection error
3      refused: the cluster is owned by another host
4      refused: needs ``--force`` or confirmation (live holder,
       unreadable record, no ``--yes`` without a terminal), or a
       precondition of ``rehome`` fails
5      conflict: nova's records changed while ``rehome`` ran; nothing
       of that run was written
=====  ===============================================================
"""

import logging
import os
import sys
import traceback

from oslo_config import cfg

from nova.virt.vmwareapi.ownership import commands
from nova.virt.vmwareapi.ownership import connection
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import guard as guard_mod
from nova.virt.vmwareapi.ownership import operations
from nova.virt.vmwareapi.ownership import opts
from nova.virt.vmwareapi.ownership import rehome_cli
from nova.virt.vmwareapi.ownership import report
from nova.virt.vmwareapi.ownership import store as store_mod
from nova.virt.vmwareapi.ownership import vmware_opts

EXIT_OK = commands.EXIT_OK
EXIT_ERROR = commands.EXIT_ERROR
EXIT_USAGE = commands.EXIT_USAGE
EXIT_OTHER_HOST = commands.EXIT_OTHER_HOST
EXIT_NEEDS_FORCE = commands.EXIT_NEEDS_FORCE
EXIT_CONFLICT = commands.EXIT_CONFLICT

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


_cli_opts = [
    cfg.StrOpt('format', choices=['text', 'json'], default='text',
               help='Output format.'),
    cfg.FloatOpt('timeout', default=20.0, min=1.0,
                 help='Seconds to wait for each vCenter connection.'),
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


def _required(conf, group, name):
    value = getattr(getattr(conf, group), name)
    if value in (None, ''):
        raise exceptions.ConfigurationError(
            ['[%s] %s' % (group, name)],
            'must be set in the configuration file (the same file '
            'nova-compute reads; pass it with --config-file)')
    return value


class Context:
    """What every command works with: config, session, store, guard."""

    def __init__(self, conf):
        self.conf = conf
        opts.validate(conf.vmware_ownership)
        vm = conf.vmware
        self.this_host = conf.host
        self.endpoint = connection.Endpoint(
            _required(conf, 'vmware', 'host_ip'), vm.host_port,
            _required(conf, 'vmware', 'host_username'),
            _required(conf, 'vmware', 'host_password'),
            ca_file=vm.ca_file, insecure=vm.insecure)
        self.cluster_name = _required(conf, 'vmware', 'cluster_name')
        self.session = connection.connect(self.endpoint,
                                          timeout=conf.timeout)
        self.vcenter_uuid = connection.vcenter_uuid(self.session)
        cluster_ref = connection.find_cluster(self.session,
                                              self.cluster_name,
                                              self.endpoint)
        self.location = exceptions.Location(
            self.cluster_name, str(self.endpoint),
            cluster_moref=cluster_ref.value,
            attribute=conf.vmware_ownership.attribute_name)
        self.store = store_mod.ClusterStore(
            self.session, cluster_ref,
            conf.vmware_ownership.attribute_name, self.location)
        self.guard = guard_mod.OwnershipGuard(self.store, self.this_host,
                                              conf.vmware_ownership)

    def state(self):
        return self.describe(self.guard.assess())

    def describe(self, assessment):
        return report.state_dict(assessment, self.this_host, self.location,
                                 self.vcenter_uuid)

    def close(self):
        try:
            self.session.logout()
        except Exception:  # noqa: BLE001 - logout is best effort at exit
            pass


DEBUG_VARIABLE = 'NOVA_VMWARE_OWNER_DEBUG'
"""Set to 1 to get the traceback of an unexpected error."""

_EXIT_FOR = [
    (exceptions.NovaRecordsChanged, EXIT_CONFLICT),
    (exceptions.ClusterOwnedByAnotherHost, EXIT_OTHER_HOST),
    (exceptions.OwnershipRefused, EXIT_NEEDS_FORCE),
    (exceptions.ConfigurationError, EXIT_USAGE),
    (exceptions.VCenterError, EXIT_USAGE),
    (exceptions.OwnershipError, EXIT_ERROR),
]


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
        ctx = (rehome_cli.RehomeContext(conf, Context)
               if conf.command.name == rehome_cli.COMMAND else Context(conf))
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
    """Exit 1 with one line; the traceback only when asked for."""
    if os.environ.get(DEBUG_VARIABLE) == '1':
        traceback.print_exc()
    return _fail('unexpected error: %s: %s. This is a bug: please report it '
                 'with the output of the same command run with %s=1.'
                 % (type(error).__name__, error, DEBUG_VARIABLE), EXIT_ERROR)

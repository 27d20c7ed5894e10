"""The operator command ``nova-vmware-owner``: arguments and exit codes.

Reads the same configuration files as nova-compute, builds a parser for
each command from its declaration (``COMMANDS``), opens the command's
context, runs its handler and closes the context. Errors are one
paragraph on stderr; the unexpected ones log their traceback to a file.
The exit codes, and the one table that maps our exceptions to them
(``_EXIT_FOR``):

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

from nova.virt.vmwareapi.ownership.cli import cluster
from nova.virt.vmwareapi.ownership.cli import fleet
from nova.virt.vmwareapi.ownership.cli import rehome
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership.fleet import disagreement
from nova.virt.vmwareapi.ownership.novadb import exceptions as nova_errors
from nova.virt.vmwareapi.ownership import operations
from nova.virt.vmwareapi.ownership import opts
from nova.virt.vmwareapi.ownership import text as text_mod
from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors
from nova.virt.vmwareapi.ownership.vsphere import vmware_opts

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
    (nova_errors.NovaRecordsChanged, EXIT_CONFLICT),
    (exceptions.RecordBusy, EXIT_CONFLICT),
    (exceptions.ConfigurationError, EXIT_USAGE),
    # An answer this client cannot read is no bug here and changes
    # nothing: a vCenter error, naming the vCenter and what it sent.
    (vsphere_errors.AnswerNotUnderstood, EXIT_USAGE),
    (exceptions.VCenterError, EXIT_USAGE),
    (exceptions.OwnershipError, EXIT_ERROR),
)

COMMANDS = cluster.COMMANDS + (rehome.COMMAND, fleet.COMMAND)
"""Every command, declared beside its handler."""

_BY_NAME = {command.name: command for command in COMMANDS}


def _add_command_parsers(subparsers):
    for command in COMMANDS:
        parser = subparsers.add_parser(command.name, help=command.help,
                                       description=command.help)
        parser.add_argument('--format', dest='command_format',
                            choices=command.formats, default=None,
                            help=command.format_help)
        command.arguments(parser)


_cli_opts = [
    cfg.StrOpt('format', choices=['text', 'json'], default='text',
               help='Output format.'),
    cfg.FloatOpt('timeout', default=20.0, min=1.0,
                 help='Seconds each vCenter request may take, from '
                      'connecting to the last byte of the answer (logging '
                      'in: twice that). A command ends within the bound '
                      'its reference gives (login, then this for each '
                      'request it sends).'),
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
    command = _BY_NAME[conf.command.name]
    ctx = None
    try:
        ctx = command.open(conf)
        return command.run(ctx, fmt)
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
                 % (type(error).__name__, text_mod.printable(error),
                    ' logged in %s' % path if path else
                    ' printed when the same command runs with %s=1'
                    % DEBUG_VARIABLE), EXIT_ERROR)

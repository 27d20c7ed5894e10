"""The operator command ``nova-vmware-owner``: arguments and exit codes.

Reads the same configuration files as nova-compute, builds a parser for
each command from its declaration (``COMMANDS``), checks everything that
needs no network (every option's value, the output format, the command's
own arguments) and sets up logging (``logs``), then opens the command's
context, runs its handler and closes the context. Errors are one
paragraph on stderr; the unexpected ones log their traceback to the log
file (``logs.unexpected``).
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
       precondition of ``rehome`` fails; for ``doctor``: a check failed
5      conflict: the record (or, for ``rehome``, nova's records) changed
       while the command ran: a lost race; nothing of this command was
       written, run it again
=====  ===============================================================
"""

import glob
from importlib import metadata
import os
import re
import sys

from oslo_config import cfg

from nova.virt.vmwareapi.ownership.cli import cluster
from nova.virt.vmwareapi.ownership.cli import doctor
from nova.virt.vmwareapi.ownership.cli import fleet
from nova.virt.vmwareapi.ownership.cli import logs
from nova.virt.vmwareapi.ownership.cli import rehome
from nova.virt.vmwareapi.ownership.doctor import checks as doctor_checks
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership.fleet import disagreement
from nova.virt.vmwareapi.ownership.novadb import exceptions as nova_errors
from nova.virt.vmwareapi.ownership import opts
from nova.virt.vmwareapi.ownership import refusals
from nova.virt.vmwareapi.ownership import text as text_mod
from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors
from nova.virt.vmwareapi.ownership.vsphere import vmware_opts

PROG = 'nova-vmware-owner'
DISTRIBUTION = 'nova-vmware-owner'

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_OTHER_HOST = 3
EXIT_DISAGREES = 3
EXIT_NEEDS_FORCE = 4
EXIT_CHECK_FAILED = 4
EXIT_CONFLICT = 5

# The first matching class decides; order from specific to general.
_EXIT_FOR = (
    (refusals.ClusterOwnedByAnotherHost, EXIT_OTHER_HOST),
    (refusals.NotTheOwner, EXIT_OTHER_HOST),
    (disagreement.NovaDisagrees, EXIT_DISAGREES),
    (doctor_checks.ChecksFailed, EXIT_CHECK_FAILED),
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

COMMANDS = cluster.COMMANDS + (rehome.COMMAND, fleet.COMMAND,
                               doctor.COMMAND)
"""Every command, declared beside its handler."""

_BY_NAME = {command.name: command for command in COMMANDS}

FORMATS = tuple(sorted({fmt for command in COMMANDS
                        for fmt in command.formats},
                       key=('text', 'json', 'prometheus').index))
"""Every output format of every command."""

DEBUG_VARIABLE = logs.DEBUG_VARIABLE


def _add_command_parsers(subparsers):
    for command in COMMANDS:
        parser = subparsers.add_parser(command.name, help=command.help,
                                       description=command.help)
        parser.add_argument('--format', dest='command_format',
                            metavar='{%s}' % ','.join(command.formats),
                            default=None, help=command.format_help)
        command.arguments(parser)


_cli_opts = [
    # Checked against the command's formats once it is known (_format).
    cfg.StrOpt('format', default='text', metavar='{%s}' % ','.join(FORMATS),
               help='Output format: text or json for every command, '
                    'prometheus for list too (default: text). Every command '
                    'also takes --format after its name.'),
    cfg.FloatOpt('timeout', default=20.0, min=1.0,
                 help='Seconds each vCenter request may take, from '
                      'connecting to the last byte of the answer (logging '
                      'in: twice that). A command ends within the bound '
                      'its reference gives (login, then this for each '
                      'request it sends).'),
    cfg.StrOpt('cluster-moref', metavar='MOREF',
               help='The managed object id of the cluster (domain-c7) '
                    'instead of [vmware] cluster_name: for a cluster name '
                    'that several datacenters use. Without it the command '
                    'acts on the first cluster of that name in the order '
                    "nova's VMware driver finds it, as nova-compute does."),
    cfg.SubCommandOpt('command', title='Commands',
                      handler=_add_command_parsers,
                      help='Run "nova-vmware-owner COMMAND --help".'),
]


def _make_conf():
    conf = cfg.ConfigOpts()
    # oslo.config offers --shell_completion, whose templates its wheel
    # lacks (it ends in a traceback): not offered here.
    conf.unregister_opt(cfg.StrOpt('shell_completion'))
    conf.register_cli_opts(_cli_opts)
    logs.register(conf)
    vmware_opts.register_nova_opts(conf)
    opts.register_opts(conf)
    return conf


def version():
    """The installed distribution's version (``unknown`` from a tree)."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return 'unknown (not installed)'


def exit_code_for(error):
    """The documented exit code of one of our exceptions."""
    for kind, code in _EXIT_FOR:
        if isinstance(error, kind):
            return code
    return EXIT_ERROR


def _fail(message, code):
    sys.stderr.write('%s: %s\n' % (PROG, message))
    return code


def error_log_path():
    """Where the traceback of an unexpected error goes without a log file.
    """
    return logs.cache_log_path()


_CHOICES = re.compile(r'^Valid values are \[(.*)\], but found .*$', re.S)


def _files(conf):
    """The configuration files read, in oslo.config's order."""
    files = list(conf.config_file or ())
    for directory in conf.config_dir or ():
        files += sorted(glob.glob(os.path.join(directory, '*.conf')))
    return files


def _where_set(conf, group, name):
    """The text the operator wrote for an option, and where.

    oslo.config does not say where an invalid value came from: the last
    file that sets it (later files win), else the environment.
    """
    section = group or 'DEFAULT'
    for path in reversed(_files(conf)):
        sections = {}
        try:
            cfg.ConfigParser(path, sections).parse()
        except (OSError, cfg.ParseError):
            continue
        values = sections.get(section, {}).get(name)
        if values:
            return values[-1], path
    variable = 'OS_%s__%s' % (section.upper(), name.upper())
    if variable in os.environ:
        return os.environ[variable], 'the environment variable %s' % variable
    return None, 'the configuration'


def _bad_value(conf, group, name, error):
    """The one-paragraph error of an option whose value is invalid."""
    raw, where = _where_set(conf, group, name)
    reason = str(error).split(' is not valid: ', 1)[-1]
    choices = _CHOICES.match(reason)
    value = '%r ' % (raw,) if raw is not None else ''
    if choices:
        problem = '%sin %s is not one of its values: %s' % (
            value, where, choices.group(1))
    else:
        problem = '%sin %s is not valid: %s' % (value, where, reason)
    return exceptions.ConfigurationError(
        options=('[%s] %s' % (group or 'DEFAULT', name),),
        problem=text_mod.printable(problem.rstrip('.')))


def check_values(conf):
    """Read every option once: a bad value is named before anything runs.

    oslo.config converts a value when it is first read, which for most
    options would be after connecting to vCenter.

    :raises: ConfigurationError naming the group, option, value, its
             allowed values and the file
    """
    for key in list(conf):
        try:
            value = conf[key]
        except cfg.ConfigFileValueError as exc:
            raise _bad_value(conf, None, key, exc)
        if not isinstance(value, cfg.ConfigOpts.GroupAttr):
            continue
        for name in list(value):
            try:
                value[name]
            except cfg.ConfigFileValueError as exc:
                raise _bad_value(conf, key, name, exc)


def _format(conf, command):
    fmt = conf.command.command_format or conf.format
    if fmt not in command.formats:
        raise exceptions.ConfigurationError(
            options=('--format',), problem='%s prints %s, not %r' % (
                command.name, ' or '.join(command.formats), fmt))
    return fmt


def main(argv=None):
    """Entry point of the console script; returns the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ['--shell_completion']:
        # oslo.config answers it before parsing, whatever is registered.
        return _fail('unrecognized arguments: --shell_completion (no shell '
                     'completion script is offered; see --help)',
                     EXIT_USAGE)
    conf = _make_conf()
    try:
        conf(argv, project='nova', prog=PROG, version=version(),
             description='Show, check and move the ownership of the vCenter '
                         'cluster of a nova-compute host.')
    except cfg.ConfigFilesNotFoundError as exc:
        return _fail('configuration file not found: %s' % exc, EXIT_USAGE)
    except cfg.Error as exc:
        return _fail('configuration error: %s' % exc, EXIT_USAGE)
    except SystemExit as exc:
        # argparse exits on --help and --version (0) and on usage errors
        # (2) after printing; return the code like every other outcome.
        return EXIT_USAGE if exc.code else EXIT_OK
    command = _BY_NAME[conf.command.name]
    try:
        check_values(conf)
        logs.setup(conf, version())
        fmt = _format(conf, command)
        command.check(conf)
    except exceptions.ConfigurationError as exc:
        return _fail(str(exc), EXIT_USAGE)
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
    path = logs.unexpected(error)
    return _fail('unexpected error: %s: %s. This is a bug: please report it '
                 'with the traceback%s.'
                 % (type(error).__name__, text_mod.printable(error),
                    ' logged in %s' % path if path else
                    ' printed when the same command runs with %s=1'
                    % DEBUG_VARIABLE), EXIT_ERROR)

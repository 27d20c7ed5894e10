"""Where the command's log lines go: oslo.log, as nova-manage has it.

``register`` adds oslo.log's options, as nova-manage does: on the command
line ``--debug``, ``--log-file``, ``--log-dir``, ``--use-syslog``,
``--use-journal``, ``--log-config-append`` and the rest, and the same
options of ``[DEFAULT]`` in the configuration files, so that the command
logs where nova's services of that machine log (``log_dir`` gives
``<log_dir>/nova-vmware-owner.log``).

``setup`` configures oslo.log from them and then the console, which is
the command's own: its result on stdout, the audit line of every change
and the one-paragraph errors on stderr. Log lines reach the console only
with ``--debug`` and no other destination; libraries' retries and
warnings go to the configured destinations, never to the console.

``unexpected`` logs the traceback of an unexpected error (exit 1) to the
configured log file, or, without one, to a file in the user's cache.
"""

import logging
import os
import sys
import traceback

from oslo_log import log

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import operations

PROJECT = 'nova'
"""oslo.log's project: the configuration is nova's."""

LOG = logging.getLogger(__name__)

DEBUG_VARIABLE = 'NOVA_VMWARE_OWNER_DEBUG'
"""Set to 1 to also print the traceback of an unexpected error."""

_AUDIT = operations.__name__


def register(conf):
    """Register oslo.log's options on ``conf`` (before it is parsed)."""
    log.register_options(conf)


def _destinations(conf):
    """The configured destinations of log lines (not the console)."""
    return [name for name, on in (
        ('log_config_append', conf.log_config_append),
        ('log_file', conf.log_file or conf.log_dir),
        ('use_syslog', conf.use_syslog),
        ('use_journal', conf.use_journal)) if on]


class _NotAudit(logging.Filter):
    def filter(self, record):
        return not record.name.startswith(_AUDIT)


def setup(conf, version):
    """Configure oslo.log from ``conf``, then the console.

    :param version: the package's version, for oslo.log's formats
    :raises: ConfigurationError naming the logging option at fault (a
             log file or directory that cannot be written, a bad logging
             configuration file, an unknown syslog facility)
    """
    # The console belongs to the command: [DEFAULT] use_stderr of
    # nova.conf would put every log line between its output.
    conf.set_override('use_stderr', False)
    try:
        log.setup(conf, PROJECT, version=version)
    except (OSError, ValueError, TypeError, RuntimeError,
            log.LogConfigError) as exc:
        raise exceptions.ConfigurationError(
            options=tuple('[DEFAULT] %s' % name
                          for name in _destinations(conf)) or
            ('[DEFAULT] log_file',),
            problem='cannot log there: %s' % exc)
    root = logging.getLogger()
    for handler in list(root.handlers):
        # Without a destination oslo.log logs to stdout, where the
        # command prints its result.
        if not isinstance(handler, logging.FileHandler) and \
                getattr(handler, 'stream', None) is sys.stdout:
            root.removeHandler(handler)
    if conf.debug and not _destinations(conf):
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(logging.Formatter(
            '%(levelname)s %(name)s: %(message)s'))
        console.addFilter(_NotAudit())
        root.addHandler(console)
    # Python prints what reaches a logger without handlers on stderr.
    root.addHandler(logging.NullHandler())
    _audit_on_the_console()


def _audit_on_the_console():
    """The audit line of every change (who, from where) also on stderr."""
    audit_log = logging.getLogger(_AUDIT)
    audit_log.setLevel(logging.INFO)
    for handler in list(audit_log.handlers):
        audit_log.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter('%(message)s'))
    audit_log.addHandler(handler)


def log_files():
    """The files the configured handlers write to."""
    return [handler.baseFilename for handler in logging.getLogger().handlers
            if isinstance(handler, logging.FileHandler)]


def cache_log_path():
    """Where a traceback goes when no log file is configured."""
    return os.path.join(os.environ.get('XDG_CACHE_HOME') or
                        os.path.expanduser('~/.cache'),
                        'nova-vmware-owner', 'nova-vmware-owner.log')


def unexpected(error):
    """Log the traceback of ``error``; say where it went.

    To the configured log destinations; without a log file, also to
    ``cache_log_path``. Call it from the ``except`` block.

    :returns: the file holding the traceback, or ``None``
    """
    files = log_files()
    handler = None
    if not files:
        path = cache_log_path()
        try:
            os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
            handler = logging.FileHandler(path)
        except OSError:
            path = None
        else:
            handler.setFormatter(logging.Formatter(
                '%(asctime)s %(levelname)s %(name)s %(message)s'))
            LOG.addHandler(handler)
        files = [path] if path else []
    try:
        LOG.error('Unexpected error: %s', type(error).__name__,
                  exc_info=error)
    finally:
        if handler is not None:
            LOG.removeHandler(handler)
            handler.close()
    if os.environ.get(DEBUG_VARIABLE) == '1':
        traceback.print_exception(type(error), error, error.__traceback__)
    return files[0] if files else None

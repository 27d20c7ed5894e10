"""nova's databases, configured and used as nova-manage uses them.

The commands that read nova's records (``rehome``, ``list --nova``) read
the same ``--config-file``/``--config-dir`` as nova-manage, with its
``[database]`` and ``[api_database]`` options. A database that is not set,
not reachable or not synced becomes ``NovaDatabaseUnavailable``, naming the
option, never the connection URL (it may hold a password).
"""

import contextlib

from oslo_db import exception as db_exception
from sqlalchemy import exc as sa_exc

from nova import config as nova_config
from nova import context as nova_context
from nova import exception as nova_exception
from nova import objects

from nova.virt.vmwareapi.ownership.novadb import exceptions

BINARY = 'nova-compute'

_MISSING = (nova_exception.NotFound, nova_exception.HostMappingNotFound)


def or_none(call, *args):
    """``call(*args)``, or ``None`` when nova finds no such record."""
    try:
        return call(*args)
    except _MISSING:
        return None


@contextlib.contextmanager
def database_errors(option):
    """Translate a database that cannot be used into our error.

    :param option: the option naming that database, for the message
    :raises: NovaDatabaseUnavailable
    """
    try:
        yield
    except db_exception.DBDuplicateEntry:
        raise
    except (db_exception.DBError, sa_exc.SQLAlchemyError,
            ImportError) as exc:
        # The first line only: the rest is SQL, and a URL may carry a
        # password.
        cause = getattr(exc, 'inner_exception', None) or exc
        reason = '%s: %s' % (type(cause).__name__,
                             (str(cause).splitlines() or [''])[0][:300])
        raise exceptions.NovaDatabaseUnavailable(
            option=option, reason=reason) from None


def configure(config_files, config_dirs):
    """Read nova's configuration as nova-manage does, for the command.

    :returns: ``(admin context, service_down_time)``
    :raises: NovaDatabaseUnavailable when a database option is not set
    """
    argv = ['nova-vmware-owner']
    for path in config_files:
        argv += ['--config-file', path]
    for path in config_dirs:
        argv += ['--config-dir', path]
    nova_config.parse_args(argv, default_config_files=[])
    conf = nova_config.CONF
    for group in ('database', 'api_database'):
        if not getattr(conf, group).connection:
            raise exceptions.NovaDatabaseUnavailable(
                option='[%s] connection' % group,
                reason='the option is not set')
    objects.register_all()
    return nova_context.get_admin_context(), conf.service_down_time

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
from nova.db.api import api as api_db_api
from nova.db.main import api as main_db_api
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


def check(config_files, config_dirs):
    """Whether each of nova's databases that is configured can be used.

    Reads nova's configuration as nova-manage does; tries each database
    once (nova's own connection test would retry ``[database]
    max_retries`` times, 10 seconds apart), with one query through nova's
    objects.

    :returns: ``[(option, NovaDatabaseUnavailable or None)]`` for each
              option that is set
    """
    conf = _parse(config_files, config_dirs, configure_db=False)
    for group in ('database', 'api_database'):
        conf.set_override('max_retries', 0, group)
    main_db_api.configure(conf)
    api_db_api.configure(conf)
    objects.register_all()
    ctxt = nova_context.get_admin_context()
    queries = (
        ('api_database', lambda: objects.CellMappingList.get_all(ctxt)),
        ('database', lambda: objects.Service.get_minimum_version(
            ctxt, BINARY)))
    results = []
    for group, query in queries:
        if not getattr(conf, group).connection:
            continue
        option = '[%s] connection' % group
        try:
            with database_errors(option):
                query()
        except exceptions.NovaDatabaseUnavailable as exc:
            results.append((option, exc))
        else:
            results.append((option, None))
    return results


def _parse(config_files, config_dirs, **kwargs):
    argv = ['nova-vmware-owner']
    for path in config_files:
        argv += ['--config-file', path]
    for path in config_dirs:
        argv += ['--config-dir', path]
    nova_config.parse_args(argv, default_config_files=[], **kwargs)
    return nova_config.CONF


def configure(config_files, config_dirs):
    """Read nova's configuration as nova-manage does, for the command.

    :returns: ``(admin context, service_down_time)``
    :raises: NovaDatabaseUnavailable when a database option is not set
    """
    conf = _parse(config_files, config_dirs)
    for group in ('database', 'api_database'):
        if not getattr(conf, group).connection:
            raise exceptions.NovaDatabaseUnavailable(
                option='[%s] connection' % group,
                reason='the option is not set')
    objects.register_all()
    return nova_context.get_admin_context(), conf.service_down_time

"""nova-compute's start of the guarded driver, in a process of its own.

    python -m support.nova_compute --config-file nova.conf

What a nova-compute process does with its driver before it serves, with
the nova release installed: ``nova.cmd.compute`` imported first, which
sets the thread mode as that release's nova-compute does by default
(eventlet's green threads up to nova 33, native threads from nova 34;
``OS_NOVA_DISABLE_EVENTLET_PATCHING`` overrides it, so tests leave it
out); nova's configuration read from ``--config-file``; the driver loaded
by nova's ``load_compute_driver``, as ``ComputeManager`` loads it; its
``init_host`` (which claims, stands by or refuses), then the node query
(``get_nodenames_by_uuid``). SIGTERM ends it as nova's service stop ends,
with ``cleanup_host``. There is no nova database or conductor here: nova
has no compute node of the cluster under another host (nova's harness
tests that check, ``test_service``). nova's VIM client is unpickled from
the tests' cache rather than parsed (``harness.unpickled_vim_clients``).
It reports on stdout, one JSON object a line
(``nova_processes.NovaComputeStart`` reads them)::

    {"event": "starting", "nova": "31.3.1", "threads": "eventlet"}
    {"event": "standby"}  (once, when the guard begins to wait)
    {"event": "started", "node": "<uuid>", "nodename": "...",
     "holder": "..."}
    {"event": "refused", "error": "ClusterOwnedByAnotherHost",
     "message": "..."}  (then exit 1)
    {"event": "lost", "message": "..."}  (the driver stops the service)
    {"event": "stopped"}  (after cleanup_host; exit 0)
"""

# First, as in nova-compute: this import sets the thread mode.
import nova.cmd.compute  # noqa: F401,I100,I202

import json  # noqa: I100
import logging
import signal
import sys
import threading
import time
from unittest import mock

from oslo_log import log as oslo_log

import nova.conf
from nova import config
from nova import exception
from nova import objects
from nova import version
from nova.virt import driver as virt_driver

CONF = nova.conf.CONF

_LOGGED = {'Standing by:': 'standby',
           'Stopping nova-compute (SIGTERM)': 'lost'}
"""The guard's and the driver's log lines that are events here."""


def report(event, **data):
    data['event'] = event
    data['t'] = time.monotonic()
    sys.stdout.write(json.dumps(data) + '\n')
    sys.stdout.flush()


def threads():
    """How this process runs its threads, in ``nova_releases``' words."""
    patcher = sys.modules.get('eventlet.patcher')
    if patcher and patcher.is_monkey_patched('thread'):
        return 'eventlet'
    return 'native threads'


class _Events(logging.Handler):
    """Reports the events the guard and the driver only log (once each)."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.reported = set()

    def emit(self, record):
        message = record.getMessage()
        for start, event in _LOGGED.items():
            if message.startswith(start) and event not in self.reported:
                self.reported.add(event)
                report(event, message=message)


def main(argv=None):
    argv = sys.argv if argv is None else argv
    config.parse_args(argv, default_config_files=[], configure_db=False)
    # stdout carries the events: nova's log goes to stderr.
    CONF.set_override('use_stderr', True)
    oslo_log.setup(CONF, 'nova')
    # Imported once the configuration is read: importing nova's VMware
    # session binds [vmware] options into its defaults.
    from support import harness
    harness.unpickled_vim_clients()
    objects.register_all()
    report('starting', nova=version.version_string(), threads=threads())
    logging.getLogger('nova.virt.vmwareapi.ownership').addHandler(_Events())
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    # Patched by name once the configuration is read: importing nova's
    # VMware session binds [vmware] options into its defaults.
    with mock.patch('nova.virt.vmwareapi.ownership.novadb.nodes.'
                    'by_hypervisor', return_value=[]):
        try:
            driver = virt_driver.load_compute_driver(None,
                                                     CONF.compute_driver)
            driver.init_host(CONF.host)
        except exception.InvalidConfiguration as exc:
            report('refused', error=type(exc).__name__,
                   message=exc.format_message())
            return 1
        ((node, nodename),) = driver.get_nodenames_by_uuid().items()
        guard = getattr(driver, 'ownership', None)
        report('started', node=node, nodename=nodename,
               holder=guard.holder if guard else None)
        while not stopping.wait(0.2):
            pass
        driver.cleanup_host(CONF.host)
    report('stopped')
    return 0


if __name__ == '__main__':
    sys.exit(main())

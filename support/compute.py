"""nova-compute with the guarded driver, in a process of its own.

Run as ``python -m support.compute --config-file nova.conf``: the
installed nova's own ``nova-compute`` start (its ``nova.cmd.compute``:
the monkey-patching of that release, nova's configuration and logging,
``nova.service.Service`` for nova-compute, oslo.service's launcher and
its signal handling, the ComputeManager's ``init_host``, then its
periodic tasks) with what nova-compute gets from elsewhere made in
this process:

- the database: a sqlite file made by nova's own migrations
  (``--migrate`` makes it and exits), which the compute reads and
  writes directly, as the computes of nova's own functional tests do (a
  conductor in the same process cannot serve an indirection API that is
  set for the whole process);
- a conductor service on the fake message transport (``fake:/``);
- nova's VIM client, unpickled from the tests' cache rather than parsed
  (``harness.unpickled_vim_clients``, as in nova's in-process harness);
- placement, served over HTTP on a free loopback port from a thread
  (placement's own test fixture makes its database), with the
  ``admin_token`` authentication nova's report client needs without
  keystone.

It reports on stdout, one JSON object a line, with the monotonic time
``t`` of the moment it saw it (the clock the processes of one machine
share)::

    {"event": "standby"}      the guard waits for another holder
    {"event": "held"}         the guard took the lease
    {"event": "started"}      nova's service is up (periodic tasks run)
    {"event": "stepped_down", "message": "..."}   the lease was lost

nova-compute's own logging goes to stderr.
"""

import argparse
import inspect
import json
import logging as std_logging
import os
import sys
import threading
import time

# First, as nova-compute does: the monkey-patching of this nova release
# (eventlet for nova 31 to 33 unless OS_NOVA_DISABLE_EVENTLET_PATCHING=1).
from nova.cmd import compute as nova_compute  # noqa: I100

from oslo_log import log as logging  # noqa: E402

from nova.compute import rpcapi as compute_rpcapi  # noqa: E402
from nova.conductor import rpcapi as conductor_rpcapi  # noqa: E402
from nova import config  # noqa: E402
from nova.db import migration  # noqa: E402
from nova import objects  # noqa: E402
from nova import service  # noqa: E402

CONF = nova_compute.CONF

_EVENTS = (
    ('nova.virt.vmwareapi.ownership.guard', 'Standing by:', 'standby'),
    ('nova.virt.vmwareapi.ownership.guard', 'Claimed ', 'held'),
    ('nova.virt.vmwareapi.ownership.guard', 'Took ', 'held'),
    ('nova.virt.vmwareapi.ownership.lease', 'Lost the ownership',
     'stepped_down'),
)


def report(event, **data):
    data['event'] = event
    data['t'] = time.monotonic()
    sys.stdout.write(json.dumps(data) + '\n')
    sys.stdout.flush()


class _Reporter(std_logging.Handler):
    """Reports the guard's and the lease keeper's log lines as events."""

    def emit(self, record):
        message = record.getMessage()
        for name, start, event in _EVENTS:
            if record.name == name and message.startswith(start):
                report(event, message=message)


def start_placement(directory):
    """Serve placement on a free loopback port; returns its URL.

    Its database is a sqlite file in ``directory``.
    """
    # Imported once eventlet patched what it patches (socketserver picks
    # its selector when imported).
    import socketserver
    from wsgiref import simple_server

    from placement import deploy
    from placement.tests.functional.fixtures import placement

    class Placement(placement.PlacementFixture):
        def _configure_placement(self, conf_fixture):
            conf_fixture.config(
                group='placement_database',
                connection='sqlite:///%s' % os.path.join(
                    directory, 'placement.sqlite'))

    class Server(socketserver.ThreadingMixIn, simple_server.WSGIServer):
        daemon_threads = True

    class Quiet(simple_server.WSGIRequestHandler):
        def log_message(self, *args):
            pass

    fixture = Placement(use_intercept=False)
    fixture.setUp()
    server = simple_server.make_server(
        '127.0.0.1', 0, deploy.loadapp(fixture.conf_fixture.conf),
        server_class=Server, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return 'http://127.0.0.1:%d' % server.server_port


def placement_config(directory, url):
    """A configuration file pointing nova's report client at ``url``."""
    path = os.path.join(directory, 'placement.conf')
    with open(path, 'w') as f:
        f.write('[placement]\nauth_type = admin_token\nendpoint = %s\n'
                'token = admin\n' % url)
    return path


def _serve(server):
    """``service.serve`` and ``service.wait``, as nova-compute calls them.

    nova 32 and later: one worker, no fork.
    """
    if 'no_fork' in inspect.signature(service.serve).parameters:
        service.serve(server, workers=1, no_fork=True)
    else:
        service.serve(server)
    service.wait()


def _started(start):
    def started(self):
        start(self)
        if self.binary == 'nova-compute':
            report('started')
    return started


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument('--config-file', required=True,
                        help="nova's configuration; placement's database "
                             'and configuration go beside it')
    parser.add_argument('--migrate', action='store_true',
                        help="make nova's database and exit")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    nova_argv = ['nova-compute', '--config-file', args.config_file]
    if not args.migrate:
        directory = os.path.dirname(os.path.abspath(args.config_file))
        nova_argv += ['--config-file', placement_config(
            directory, start_placement(directory))]
    config.parse_args(nova_argv)
    logging.setup(CONF, 'nova')
    reporter = _Reporter(std_logging.INFO)
    for name in {name for name, _, _ in _EVENTS}:
        std_logging.getLogger(name).addHandler(reporter)
    objects.register_all()
    if args.migrate:
        migration.db_sync(database='main')
        return 0
    # Imported once the configuration is read: importing nova's VMware
    # session binds [vmware] options into its defaults.
    from support import harness
    harness.unpickled_vim_clients()
    nova_compute.gmr_opts.set_defaults(CONF)
    nova_compute.os_vif.initialize()
    conductor = service.Service.create(binary='nova-conductor',
                                       topic=conductor_rpcapi.RPC_TOPIC)
    conductor.start()
    service.Service.start = _started(service.Service.start)
    topics = {'topic': compute_rpcapi.RPC_TOPIC}
    if hasattr(compute_rpcapi, 'RPC_TOPIC_ALT'):
        topics['topic_alt'] = compute_rpcapi.RPC_TOPIC_ALT
    _serve(service.Service.create(binary='nova-compute', **topics))
    return 0


if __name__ == '__main__':
    sys.exit(main())

"""``list --serve HOST:PORT``: ``list``'s metrics over HTTP, for Prometheus.

The exporter reads the vCenter (and nova's databases with ``--nova``)
every ``--interval`` seconds, as ``list`` does (``fleet.read``, its
filters included), and serves ``/metrics`` with ``prometheus_client``
until SIGTERM or SIGINT (exit 0). A scrape never waits for vCenter: it
gets the last good reading and the exporter's own series
(``fleet.readings``, ``fleet.metrics``) while the next reading runs.

- One vCenter session is kept from reading to reading; one that cannot
  reach vCenter is dropped and the next reading logs in again (an expired
  session logs in again by itself: ``vsphere.vcenter``).
- Each reading is bounded: one that has not ended within the interval (at
  least ``--timeout``, which bounds each request: a login must fit) is
  abandoned (``reason="timeout"``), its session with it. Its thread ends
  on its own, every request being bounded by ``--timeout``; no other
  reading starts while it runs.
- A failed reading is logged, counted (``nova_vmware_owner_up`` 0,
  ``reading_errors_total``), and the last good one is still served.
"""

import dataclasses
import logging
import signal
import socket
import socketserver
import sys
import threading
from wsgiref import simple_server

from prometheus_client import exposition

from nova.virt.vmwareapi.ownership.cli import fleet as fleet_cli
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership.fleet import join
from nova.virt.vmwareapi.ownership.fleet import metrics
from nova.virt.vmwareapi.ownership.fleet import readings
from nova.virt.vmwareapi.ownership.novadb import exceptions as nova_errors
from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors
from nova.virt.vmwareapi.ownership.vsphere import faults
from nova.virt.vmwareapi.ownership.vsphere import vcenter
from nova.virt.vmwareapi.ownership.vsphere import vmware_opts

LOG = logging.getLogger(__name__)

# A session that cannot reach vCenter, or whose login failed, is dropped;
# after any other fault (a privilege, an object gone) it is still good.
_DROP_SESSION = (vsphere_errors.VCenterUnreachable,
                 vsphere_errors.VCenterLoginFailed)


def parse_address(text):
    """``(host, port)`` of ``--serve``'s ``HOST:PORT``.

    ``[::1]:9180`` for an IPv6 address; ``:9180`` (no host) listens on
    every IPv4 address; port 0 takes a free port.

    :raises: ConfigurationError naming ``--serve``
    """
    host, sep, port = (text or '').rpartition(':')
    if host.startswith('[') and host.endswith(']'):
        host = host[1:-1]
    if not sep or not port.isdigit() or int(port) > 65535 or \
            '[' in host or ']' in host:
        raise exceptions.ConfigurationError(
            options=('--serve',), problem='%r is not HOST:PORT (e.g. '
            '0.0.0.0:9180, [::]:9180)' % (text,))
    return host or '0.0.0.0', int(port)


class _Server(socketserver.ThreadingMixIn, simple_server.WSGIServer):
    """One thread per scrape; none outlives the exporter."""

    daemon_threads = True


class _QuietHandler(simple_server.WSGIRequestHandler):
    """No line per scrape on stderr."""

    def log_message(self, format, *args):
        pass


def listen(host, port, registry):
    """Serve ``registry`` on ``host``:``port`` from a thread of its own.

    :returns: the server (``server_address`` is where it listens;
              ``shutdown()`` stops it)
    :raises: ConfigurationError naming ``--serve`` when it cannot listen
    """
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                    flags=socket.AI_PASSIVE)[0][0]
        server_class = type('Server', (_Server,), {'address_family': family})
        server = simple_server.make_server(
            host, port, exposition.make_wsgi_app(registry), server_class,
            handler_class=_QuietHandler)
    except OSError as exc:
        raise exceptions.ConfigurationError(
            options=('--serve',), problem='cannot listen on %s:%d: %s'
            % (host, port, faults.summarize_error(exc)))
    threading.Thread(target=server.serve_forever, daemon=True,
                     name='metrics-http').start()
    return server


def _start(target):
    thread = threading.Thread(target=target, daemon=True, name='reading')
    thread.start()
    return thread


@dataclasses.dataclass
class _Attempt:
    """One reading, as its thread leaves it."""

    done: threading.Event = dataclasses.field(
        default_factory=threading.Event)
    abandoned: bool = False
    fleet: object = None
    document: dict = None
    reason: str = None
    error: Exception = None


class Exporter:
    """Reads the vCenter every ``interval`` and keeps what it read.

    :param ctx: ``list``'s ``context.Context`` (options, settings, nova's
                databases, clock), logged in to nothing
    :param interval: seconds between the starts of two readings
    :param bound: seconds a reading may take (default: the interval, at
                  least ``--timeout``)
    :param connect: how to log in (``vcenter.connect``'s signature)
    :param start: runs a reading's function in a thread of its own and
                  returns the thread (tests run it inline)
    :ivar readings: the ``fleet.readings.Readings``
    """

    def __init__(self, ctx, interval, bound=None, connect=vcenter.connect,
                 start=_start):
        self._ctx = ctx
        self._clock = ctx.clock
        self._interval = interval
        self.bound = bound or max(interval, ctx.conf.timeout)
        self._connect = connect
        self._start = start
        self.readings = readings.Readings(ctx.settings.lease_duration,
                                          interval)
        self._lock = threading.Lock()
        self._session = None
        self._running = None
        self._stopping = threading.Event()
        self._wake = threading.Event()

    def status(self):
        """The ``readings.Status`` now, for a scrape."""
        return self.readings.status(self._clock.now())

    def stop(self):
        """Stop at once (from a signal handler)."""
        self._stopping.set()
        self._wake.set()

    def run(self):
        """Read every interval until ``stop``."""
        while not self._stopping.is_set():
            started = self._clock.now()
            self.read_once()
            self._wait_until(started + self._interval)

    def _wait_until(self, deadline, done=None):
        """Wait until ``done`` is set, ``stop``, or the deadline.

        :returns: True when ``done`` was set
        """
        while True:
            if done is not None and done.is_set():
                return True
            left = deadline - self._clock.now()
            if self._stopping.is_set() or left <= 0:
                return False
            self._wake.clear()
            if (done is None or not done.is_set()) and \
                    not self._stopping.is_set():
                self._clock.wait(self._wake, left)

    def read_once(self):
        """One reading, within its bound; recorded in ``readings``."""
        started = self._clock.now()
        if self._running is not None and self._running.is_alive():
            self.readings.failed('timeout', started, started)
            LOG.warning('The previous reading of vCenter has not ended yet '
                        '(each request waits up to %d s); not starting '
                        'another.', self._ctx.conf.timeout)
            return
        attempt = _Attempt()
        self._running = self._start(lambda: self._read(attempt))
        ended = self._wait_until(started + self.bound, attempt.done)
        now = self._clock.now()
        with self._lock:
            if not ended:
                # Its thread logs its session out when it ends.
                attempt.abandoned = True
                self._session = None
        if not ended and self._stopping.is_set():
            return
        if not ended:
            self.readings.failed('timeout', started, now)
            LOG.warning('No reading of vCenter within %s s: serving the last '
                        'good one; the next reading logs in again.',
                        self.bound)
            return
        if attempt.error is not None:
            self.readings.failed(attempt.reason, started, now)
            LOG.warning('Reading failed (%s): %s; serving the last good '
                        'reading.', attempt.reason, attempt.error)
            return
        nothing = join.no_match(attempt.fleet)
        if nothing is not None:
            LOG.warning('%s', nothing)
        self.readings.succeeded(attempt.document, attempt.fleet.clusters,
                                started, now)

    def _read(self, attempt):
        """A reading's thread: log in if needed, read, keep the session."""
        session = None
        try:
            with self._lock:
                session = self._session
            if session is None:
                session = self._connect(vmware_opts.endpoint(self._ctx.conf),
                                        self._ctx.conf.timeout)
            found = fleet_cli.read(dataclasses.replace(
                self._ctx, session=session,
                vcenter_uuid=vcenter.vcenter_uuid(session)))
            attempt.document = found.document(found.states())
            attempt.fleet = found
        except exceptions.OwnershipError as exc:
            attempt.error = exc
            attempt.reason = 'nova' if isinstance(
                exc, nova_errors.NovaDatabaseUnavailable) else 'vcenter'
            if isinstance(exc, _DROP_SESSION):
                session = None
        except Exception as exc:  # noqa: BLE001 - the exporter goes on
            LOG.exception('Unexpected error in a reading')
            attempt.error, attempt.reason = exc, 'error'
        with self._lock:
            abandoned = attempt.abandoned
            if not abandoned:
                self._session = session
        if abandoned and session is not None:
            _logout(session)
        attempt.done.set()
        self._wake.set()

    def close(self):
        """Log out, unless a reading still runs (it would hold us up)."""
        running = self._running is not None and self._running.is_alive()
        with self._lock:
            session, self._session = self._session, None
        if session is not None and not running:
            _logout(session)


def _logout(session):
    try:
        session.logout()
    except Exception:  # noqa: BLE001 - best effort, as Context.close
        pass


def _log_to_stderr():
    """The exporter's warnings go to stderr, one line each."""
    if not LOG.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(
            '%(asctime)s %(levelname)s %(message)s'))
        LOG.addHandler(handler)
    LOG.setLevel(logging.INFO)
    LOG.propagate = False


def serve(ctx, address, interval):
    """Serve the metrics until SIGTERM or SIGINT.

    :param address: ``--serve``'s ``HOST:PORT``
    :returns: 0
    :raises: ConfigurationError (cannot listen)
    """
    host, port = parse_address(address)
    exporter = Exporter(ctx, interval)
    server = listen(host, port, metrics.registry(
        metrics.ExporterCollector(exporter.status)))
    _log_to_stderr()
    bound_host, bound_port = server.server_address[:2]
    print('Serving the metrics of vCenter %s on http://%s:%d/metrics, a '
          'reading every %s s.' % (
              vmware_opts.endpoint(ctx.conf),
              '[%s]' % bound_host if ':' in bound_host else bound_host,
              bound_port, interval), flush=True)
    handlers = {sig: signal.signal(sig, lambda *_: exporter.stop())
                for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        exporter.run()
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        server.shutdown()
        server.server_close()
        exporter.close()
    LOG.info('Stopped serving metrics.')
    return 0

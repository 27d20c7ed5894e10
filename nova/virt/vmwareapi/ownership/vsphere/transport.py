"""The HTTP transport of our vCenter sessions: a total deadline per request.

oslo.vmware's ``RequestsTransport`` gives each request a timeout, which
bounds connecting and each read of the socket, not the request: a server
that sends one byte every few seconds (of the status line, the headers or
the body) keeps a request going for hours. ``Transport`` is that
transport with a deadline on the whole request, from connecting to the
last byte of the answer: a watchdog (a ``threading.Timer`` per request)
shuts the request's socket down when the time is up, which ends any read
or write blocked on it, in whichever thread, and the request fails with
``DeadlinePassed`` (a ``requests`` timeout, so oslo.vmware and the fault
table take it as one). No thread is left blocked: the request's own
thread sees its socket closed, the watchdog's ends with the request.

The socket is found through the connection classes of the transport's
own connection pools: a new connection hands the watch a duplicate of its
socket before the TLS handshake (which then ends at the deadline too), a
kept-alive one its TLS socket before the request is written. Only
requests sent through a ``Transport`` are watched; ``within`` narrows the
deadline of every request a thread sends for a while (the login's
attempts share one).

Not covered: name resolution (``getaddrinfo`` blocks without a socket to
shut down; use an address or a resolver with its own timeout) and SOCKS
proxies (their connections are urllib3's own).
"""

import contextlib
import http.client
import socket
import threading
import time

from oslo_vmware import service
import requests
from requests import adapters
from urllib3 import connection
from urllib3 import connectionpool

_local = threading.local()
"""This thread's request under way (``watch``) and narrowed deadline
(``until``, monotonic)."""


class DeadlinePassed(requests.exceptions.Timeout):
    """A request did not complete within its deadline."""


@contextlib.contextmanager
def within(seconds):
    """Every request this thread sends in the block ends ``seconds`` from
    now at the latest (each still within its own deadline).
    """
    before = getattr(_local, 'until', None)
    until = time.monotonic() + seconds
    _local.until = until if before is None else min(before, until)
    try:
        yield
    finally:
        _local.until = before


class _Watch:
    """Shuts the sockets of one request down at its deadline."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.expired = False
        self._done = False
        self._sockets = []
        self._owned = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def attach(self, sock, duplicate=False):
        """Shut ``sock`` down at the deadline (a duplicate of it, closed
        with the watch, if the connection will replace it: TLS).
        """
        if duplicate:
            sock = sock.dup()
            self._owned.append(sock)
        with self._lock:
            self._sockets.append(sock)
            if not self.expired:
                return
        _shut(sock)

    def _expire(self):
        # Under the lock: once the request is done, its connection may
        # carry the next request, which this must never end.
        with self._lock:
            if self._done:
                return
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def __enter__(self):
        self._previous = getattr(_local, 'watch', None)
        _local.watch = self
        self._timer.start()
        return self

    def __exit__(self, *exc_info):
        with self._lock:
            self._done = True
        self._timer.cancel()
        _local.watch = self._previous
        for sock in self._owned:
            sock.close()


def _shut(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # closed or never connected: nothing left to end


def _attach(sock, duplicate=False):
    watch = getattr(_local, 'watch', None)
    if watch is not None and sock is not None:
        watch.attach(sock, duplicate)


class _Watched:
    """Hands the connection's socket to the thread's watch."""

    def _new_conn(self):
        sock = super()._new_conn()
        _attach(sock, duplicate=True)
        return sock

    def request(self, *args, **kwargs):
        _attach(self.sock)
        return super().request(*args, **kwargs)


class _HTTPConnection(_Watched, connection.HTTPConnection):
    pass


class _HTTPSConnection(_Watched, connection.HTTPSConnection):
    pass


class _HTTPConnectionPool(connectionpool.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSConnectionPool(connectionpool.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOLS = {'http': _HTTPConnectionPool, 'https': _HTTPSConnectionPool}


class _Adapter(adapters.HTTPAdapter):
    """requests' adapter, on connection pools of watched connections."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, *args, **kwargs):
        manager = super().proxy_manager_for(*args, **kwargs)
        manager.pool_classes_by_scheme = _POOLS
        return manager


BACKSTOP = 1.0
"""Seconds the timeouts of each connect and read exceed the deadline: the
deadline decides (one reason, whatever the server did), they remain in
case its watchdog could not run."""


class Transport(service.RequestsTransport):
    """oslo.vmware's transport, each request within ``timeout`` seconds.

    :param timeout: seconds for the whole of each request (connecting,
                    sending, every byte of the answer)
    :param cacert: CA bundle; ``insecure``: skip verification (only
                   without ``cacert``), as oslo.vmware's
    """

    def __init__(self, timeout, cacert=None, insecure=True, pool_maxsize=10):
        super().__init__(cacert=cacert, insecure=insecure,
                         pool_maxsize=pool_maxsize,
                         connection_timeout=timeout + BACKSTOP)
        self.timeout = timeout
        adapter = _Adapter(pool_connections=pool_maxsize,
                           pool_maxsize=pool_maxsize)
        for prefix in ('http://', 'https://'):
            self.session.mount(prefix, adapter)

    def open(self, request):
        # oslo.vmware downloads a WSDL without any timeout (a local file,
        # the reduced WSDL, needs none).
        if not request.url.startswith(('http://', 'https://')):
            return super().open(request)
        return self._watched(super().open, request)

    def send(self, request):
        return self._watched(super().send, request)

    def _watched(self, method, request):
        seconds = self.timeout
        until = getattr(_local, 'until', None)
        if until is not None:
            seconds = min(seconds, until - time.monotonic())
            if seconds <= 0:
                raise DeadlinePassed(
                    'no time left for a request to %s' % request.url)
        late = DeadlinePassed('no complete answer within %g s'
                              % round(seconds, 1))
        with _Watch(seconds) as watch:
            try:
                answer = method(request)
            except (requests.RequestException, OSError,
                    http.client.HTTPException) as exc:
                if watch.expired:
                    raise late from exc
                raise
        if watch.expired:
            # Cut short, an answer may look whole: headers that end early,
            # a body without its length read to the end.
            raise late
        return answer

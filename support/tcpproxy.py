"""A loopback proxy that breaks the path to the simulator on purpose.

Put between a client and the simulator (``127.0.0.1:proxy.port``) to make
the bad timings the simulator cannot produce by itself:

- ``FORWARD``: pass everything (the default);
- ``BLACKHOLE``: keep connections open but drop every byte both ways, and
  answer nothing on new ones (a partition, or a hung vCenter);
- ``RESET``: close every connection with RST and refuse new ones;
- ``DELAY_ANSWERS``: pass requests at once, deliver each answer ``delay``
  seconds after it came (a slow or overloaded vCenter: requests are
  carried out on time, their answers arrive late);
- ``STALL_ANSWERS``: pass requests at once, hold every answer until the
  mode changes, then deliver them all (late);
- ``MUTE``: pass requests at once, drop every answer (the request is
  carried out, the client never learns it was);
- ``TRICKLE_ANSWERS`` (``trickle``): pass requests at once, deliver the
  answers (to one vSphere method, or all) a few bytes at a time, each
  chunk ``every`` seconds after the last: status line, headers and body
  (a vCenter or a middlebox that drips, each read well inside a client's
  read timeout).

With ``tls`` (the simulator's certificate, key and CA) it terminates TLS on
both sides, so clients still verify the certificate while the proxy reads
the SOAP requests. That makes request-aware faults possible:

- ``hold_requests(method)``: from the next request of that vSphere method
  on, hold every request (the client times out and moves on);
  ``release_requests()`` delivers them to vCenter late, even from clients
  that have gone, and records vCenter's answer (``events``);
- ``on_answer(method, callback)``: run ``callback()`` before the first byte
  of the answer to the next such request reaches the client (to SIGSTOP the
  client at an exact step of its work);
- ``on_request(method, callback, nth=1)``: run ``callback()`` when the
  ``nth`` next such request arrives, before it is passed on (to switch
  faults at an exact step: e.g. delay the answer of a renewal's write, not
  of its read; a black hole switched on then swallows that request too).

``events`` is what happened, in order: ``Event(t, kind, method, fault)``
with ``t`` on the monotonic clock (shared by the processes of one machine).
Only loopback addresses are used. ``close`` stops everything.
"""

import collections
import re
import select
import socket
import ssl
import struct
import threading
import time

FORWARD = 'forward'
BLACKHOLE = 'blackhole'
RESET = 'reset'
DELAY_ANSWERS = 'delay-answers'
STALL_ANSWERS = 'stall-answers'
MUTE = 'mute'
TRICKLE_ANSWERS = 'trickle-answers'

Event = collections.namedtuple('Event', 't kind method fault')
"""``kind``: request, held, delivered-late, answer, late-answer (the answer
to a request delivered late, or one that came after its client left);
``fault``: the vSphere fault of an answer, if any."""

TLSFiles = collections.namedtuple('TLSFiles', 'cert key ca')

_METHOD = re.compile(rb'<(?:[\w-]+:)?Body[^>]*>\s*<(?:[\w-]+:)?(\w+)')
_FAULT = re.compile(rb'<(?:[\w-]+:)?Fault>.*?<detail>\s*<(?:[\w-]+:)?(\w+?)'
                    rb'(?:Fault)?[ >]', re.S)
_END = b'</soapenv:envelope>'
_SEND_TIMEOUT = 10.0
_IDLE = 0.05
_LINGER = 10.0
"""Seconds a connection whose client has gone stays open to carry held
requests and their answers."""


class TCPProxy:
    """A threaded proxy from ``127.0.0.1:port`` to ``target_port``."""

    def __init__(self, target_port, target_host='127.0.0.1', tls=None):
        self.target = (target_host, target_port)
        self.mode = FORWARD
        self.delay = 0.0
        self.drip = (1, 1.0, None)
        self.events = []
        self._tls = tls
        self._hold_from = None
        self._holding = False
        self._release = 0
        self._answer_hooks = {}
        self._request_hooks = {}
        self._lock = threading.Lock()
        self._sockets = []
        self._closed = threading.Event()
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(('127.0.0.1', 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        if tls:
            self._server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._server_ctx.load_cert_chain(tls.cert, tls.key)
            self._client_ctx = ssl.create_default_context(cafile=tls.ca)
        threading.Thread(target=self._accept, daemon=True).start()

    # Switching faults.

    def set_mode(self, mode, delay=0.0):
        """Switch the fault mode; ``RESET`` also kills open connections."""
        self.delay = delay
        self.mode = mode
        if mode == RESET:
            with self._lock:
                sockets, self._sockets = self._sockets, []
            for sock in sockets:
                _abort(sock)

    def trickle(self, size=1, every=1.0, method=None):
        """Deliver answers ``size`` bytes every ``every`` seconds.

        :param method: only the answers to this vSphere method (the others
                       pass at once); ``None``: every answer
        """
        self.drip = (size, every, method)
        self.set_mode(TRICKLE_ANSWERS)

    def hold_requests(self, method=None):
        """Hold every request from the next one of ``method`` on.

        :param method: a vSphere method name; ``None``: from now on
        """
        with self._lock:
            if method is None:
                self._holding = True
            else:
                self._hold_from = method

    def release_requests(self):
        """Deliver the held requests late and stop holding."""
        with self._lock:
            self._holding = False
            self._hold_from = None
            self._release += 1

    def on_answer(self, method, callback):
        """Run ``callback()`` before the answer to ``method`` is passed on."""
        with self._lock:
            self._answer_hooks[method] = callback

    def on_request(self, method, callback, nth=1):
        """Run ``callback()`` at the ``nth`` next request of ``method``."""
        with self._lock:
            self._request_hooks[method] = [nth, callback]

    def events_of(self, kind, method=None):
        return [e for e in list(self.events) if e.kind == kind and
                (method is None or e.method == method)]

    def close(self):
        self._closed.set()
        self.set_mode(RESET)
        self._listener.close()

    # The plumbing.

    def _record(self, kind, method, fault=None):
        self.events.append(Event(time.monotonic(), kind, method, fault))

    def _track(self, sock):
        with self._lock:
            self._sockets.append(sock)

    def _accept(self):
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.mode == RESET:
                _abort(client)
                continue
            self._track(client)
            threading.Thread(target=self._serve, args=(client,),
                             daemon=True).start()

    def _serve(self, client):
        upstream = None
        try:
            # A black hole answers nothing, not even the TLS handshake.
            while self.mode == BLACKHOLE and not self._closed.is_set():
                time.sleep(_IDLE)
            upstream = socket.create_connection(self.target, timeout=5)
            self._track(upstream)
            if self._tls:
                client.settimeout(10)
                client = self._server_ctx.wrap_socket(client,
                                                      server_side=True)
                upstream = self._client_ctx.wrap_socket(
                    upstream, server_hostname=self.target[0])
                self._track(client)
                self._track(upstream)
            client.settimeout(_SEND_TIMEOUT)
            upstream.settimeout(_SEND_TIMEOUT)
            _Connection(self, client, upstream).pump()
        except (OSError, ValueError, ssl.SSLError):
            pass
        finally:
            for sock in (client, upstream):
                if sock is not None:
                    try:
                        sock.close()
                    except OSError:
                        pass


class _Connection:
    """One proxied connection.

    A single thread moves both directions, so a TLS socket is never read
    and written by two threads at once.
    """

    def __init__(self, proxy, client, upstream):
        self.proxy = proxy
        self.client = client
        self.upstream = upstream
        self.client_open = True
        self.request = b''
        self.method = None
        self.answering = True
        self.answered = b''
        self.held = []                    # [method, bytes] per request
        self.late_answers = 0             # answers owed to late requests
        self.out = collections.deque()    # (due time or None, bytes)
        self.release_seen = proxy._release
        self.gone_at = None
        self.dripped_until = 0.0          # due time of the last chunk

    def pump(self):
        proxy = self.proxy
        while not proxy._closed.is_set():
            watched = [self.upstream] + ([self.client]
                                         if self.client_open else [])
            ready = [s for s in watched if _pending(s)]
            if not ready:
                ready, _, _ = select.select(watched, [], [], _IDLE)
            for sock in ready:
                # Readable is not a whole TLS record: wait briefly for it.
                sock.settimeout(_IDLE)
                try:
                    data = sock.recv(65536)
                except (socket.timeout, ssl.SSLWantReadError):
                    continue
                finally:
                    sock.settimeout(_SEND_TIMEOUT)
                if sock is self.upstream:
                    if not data:
                        return
                    self.from_server(data)
                elif data:
                    self.from_client(data)
                else:
                    self.client_open = False
                    self.gone_at = time.monotonic()
            self.deliver()
            if not self.client_open and not self.held and \
                    time.monotonic() - self.gone_at > _LINGER:
                return

    def from_client(self, data):
        proxy = self.proxy
        if proxy.mode == BLACKHOLE:
            return
        new_request = self.answering
        if new_request:
            self.answering, self.request, self.answered = False, b'', b''
            self.method = None
        self.request += data
        if self.method is None:
            found = _METHOD.search(self.request)
            if found:
                self.method = found.group(1).decode()
                proxy._record('request', self.method)
                hook = None
                with proxy._lock:
                    waiting = proxy._request_hooks.get(self.method)
                    if waiting is not None:
                        waiting[0] -= 1
                        if not waiting[0]:
                            hook = proxy._request_hooks.pop(self.method)[1]
                if hook is not None:
                    hook()
                    if proxy.mode == BLACKHOLE:
                        return
        with proxy._lock:
            if proxy._hold_from is not None and \
                    proxy._hold_from == self.method:
                proxy._holding, proxy._hold_from = True, None
            holding = proxy._holding
        # A held request starts an entry; its later chunks join it.
        if holding and (new_request or not self.held):
            proxy._record('held', self.method)
            self.held.append([self.method, data])
        elif self.held:
            self.held[-1][0] = self.held[-1][0] or self.method
            self.held[-1][1] += data
        else:
            self.upstream.sendall(data)

    def from_server(self, data):
        proxy = self.proxy
        if not self.answering:
            self.answering = True
            with proxy._lock:
                hook = proxy._answer_hooks.pop(self.method, None)
            if hook is not None:
                hook()
        if self.answered is not None:
            self.answered += data
            if _END in self.answered.lower():
                found = _FAULT.search(self.answered)
                late = self.late_answers > 0 or not self.client_open
                self.late_answers = max(0, self.late_answers - 1)
                proxy._record('late-answer' if late else 'answer',
                              self.method,
                              found.group(1).decode() if found else None)
                # More answers to follow only for requests delivered late.
                self.answered = b'' if self.late_answers else None
        if not self.client_open or proxy.mode in (BLACKHOLE, MUTE):
            return
        size, every, method = proxy.drip
        if proxy.mode == TRICKLE_ANSWERS and method in (None, self.method):
            for start in range(0, len(data), size):
                self.dripped_until = every + max(self.dripped_until,
                                                 time.monotonic())
                self.out.append((self.dripped_until,
                                 data[start:start + size]))
        elif proxy.mode == DELAY_ANSWERS:
            self.out.append((time.monotonic() + proxy.delay, data))
        elif proxy.mode == STALL_ANSWERS:
            self.out.append((None, data))
        else:
            self.out.append((0.0, data))

    def deliver(self):
        proxy = self.proxy
        if self.held and proxy._release != self.release_seen and \
                not proxy._holding:
            self.release_seen = proxy._release
            for method, data in self.held:
                proxy._record('delivered-late', method)
                self.upstream.sendall(data)
                self.late_answers += 1
            self.held = []
        stalled = proxy.mode == STALL_ANSWERS
        now = time.monotonic()
        while self.out and self.client_open:
            due, data = self.out[0]
            if due is None and stalled or due is not None and due > now:
                break
            self.out.popleft()
            self.client.sendall(data)


def _pending(sock):
    return isinstance(sock, ssl.SSLSocket) and sock.pending() > 0


def _abort(sock):
    """Close with RST instead of FIN, as a crashed peer would."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                        struct.pack('ii', 1, 0))
        sock.close()
    except OSError:
        pass

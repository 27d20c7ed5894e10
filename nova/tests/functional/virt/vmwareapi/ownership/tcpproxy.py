"""A loopback TCP proxy that can break the path to the simulator.

Put between a client and the simulator (``127.0.0.1:proxy.port``) to
inject faults the simulator cannot produce by itself:

- ``forward``: pass bytes both ways (the default);
- ``blackhole``: keep connections open but drop every byte, and accept new
  connections without answering (a partition or a hung vCenter);
- ``reset``: close every connection at once and refuse new ones with RST;
- ``latency``: delay each chunk by ``delay`` seconds;
- ``mute``: pass requests to the server but drop its answers (the request
  is carried out, the client never learns it was).

Only loopback addresses are used. ``close`` stops everything.
"""

import select
import socket
import struct
import threading
import time

FORWARD = 'forward'
BLACKHOLE = 'blackhole'
RESET = 'reset'
LATENCY = 'latency'
MUTE = 'mute'


class TCPProxy:
    """A threaded TCP proxy from ``127.0.0.1:port`` to ``target_port``."""

    def __init__(self, target_port, target_host='127.0.0.1'):
        self.target = (target_host, target_port)
        self.mode = FORWARD
        self.delay = 0.0
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(('127.0.0.1', 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._pairs = []
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def set_mode(self, mode, delay=0.0):
        """Switch the fault mode; ``reset`` also kills open connections."""
        self.mode = mode
        self.delay = delay
        if mode == RESET:
            with self._lock:
                pairs, self._pairs = self._pairs, []
            for pair in pairs:
                for sock in pair:
                    _abort(sock)

    def close(self):
        self._closed.set()
        self.set_mode(RESET)
        self._listener.close()

    def _accept(self):
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.mode == RESET:
                _abort(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _abort(client)
                continue
            with self._lock:
                self._pairs.append((client, upstream))
                self.connections += 1
            threading.Thread(target=self._pump, args=(client, upstream),
                             daemon=True).start()

    def _pump(self, client, upstream):
        peers = {client: upstream, upstream: client}
        try:
            while not self._closed.is_set():
                readable, _, _ = select.select(list(peers), [], [], 0.2)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if self.mode == BLACKHOLE or \
                            self.mode == MUTE and sock is upstream:
                        continue
                    if self.mode == LATENCY and self.delay:
                        time.sleep(self.delay)
                    peers[sock].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            for sock in peers:
                sock.close()
            with self._lock:
                if (client, upstream) in self._pairs:
                    self._pairs.remove((client, upstream))


def _abort(sock):
    """Close with RST instead of FIN, as a crashed peer would."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                        struct.pack('ii', 1, 0))
        sock.close()
    except OSError:
        pass

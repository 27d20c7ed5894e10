"""The transport's total deadline, against a loopback server that drips.

The server answers the way vCenter or the path to it can misbehave: the
status line, the headers or the body one byte at a time (each byte well
inside the read timeout, so only a deadline on the whole request ends
it), or nothing at all. It stops dripping after ``GIVE_UP`` seconds, so a
transport without the deadline fails these tests instead of hanging them.
"""

import socket
import threading
import time

import fixtures
from oslotest import base
from suds import transport as suds_transport

from nova.virt.vmwareapi.ownership.vsphere import transport
from support import faults
from support import wait

TIMEOUT = 0.6
"""Seconds of each request of the transports under test."""

DRIP = 0.1
"""Seconds between two bytes of a dripping answer (< TIMEOUT)."""

GIVE_UP = 20.0
"""Seconds after which the server stops dripping (a failing test ends)."""

BOUND = 10.0
"""What a request may take here at most (a loaded machine included)."""

ANSWER = (b'HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n'
          b'Content-Length: 12\r\n\r\n<ok>yes</ok>')


class DrippingServer(fixtures.Fixture):
    """A loopback HTTP server answering each request as told.

    :param ways: for the 1st, 2nd, ... request of a connection, one of
                 ``answer``, ``silent``, ``status``, ``headers``, ``body``
                 (that part dripped, what comes before it at once)
    """

    def __init__(self, *ways):
        super().__init__()
        self.ways = ways

    def _setUp(self):
        self.stop = threading.Event()
        self.addCleanup(self.stop.set)
        listener = socket.create_server(('127.0.0.1', 0))
        self.addCleanup(listener.close)
        self.url = 'http://127.0.0.1:%d/sdk' % listener.getsockname()[1]
        threading.Thread(target=self._accept, args=(listener,),
                         daemon=True).start()

    def _accept(self, listener):
        while not self.stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,),
                             daemon=True).start()

    def _serve(self, conn):
        with conn:
            for way in self.ways:
                if not _read_request(conn):
                    return
                head, dripped = {
                    'answer': (ANSWER, b''),
                    'silent': (b'', b''),
                    'status': (b'', ANSWER),
                    'headers': (ANSWER[:17], ANSWER[17:]),
                    'body': (ANSWER[:-12], ANSWER[-12:]),
                }[way]
                try:
                    conn.sendall(head)
                    for byte in dripped:
                        if self.stop.wait(DRIP):
                            return
                        conn.sendall(bytes([byte]))
                except OSError:
                    return
                if way == 'silent':
                    self.stop.wait(GIVE_UP)
            self.stop.wait(GIVE_UP)


def _read_request(conn):
    data = b''
    while b'\r\n\r\n' not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return False
        data += chunk
    head, body = data.split(b'\r\n\r\n', 1)
    length = [int(line.split(b':')[1]) for line in head.split(b'\r\n')
              if line.lower().startswith(b'content-length')]
    while length and len(body) < length[0]:
        body += conn.recv(4096)
    return True


class DeadlineTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.threads = set(threading.enumerate())

    def send(self, url, sent_by=None):
        sent_by = sent_by or transport.Transport(TIMEOUT)
        started = time.monotonic()
        try:
            return sent_by.send(suds_transport.Request(url, b'<x/>'))
        finally:
            self.took = time.monotonic() - started

    def assertEndsInTime(self, *ways):
        server = self.useFixture(DrippingServer(*ways))
        self.assertRaises(transport.DeadlinePassed, self.send, server.url)
        self.assertLess(self.took, BOUND)
        self.assertNoThreadLeft()

    def assertNoThreadLeft(self):
        # The watchdog's thread ends with the request.
        self.assertTrue(wait.wait_until(
            lambda: not [t for t in threading.enumerate()
                         if t not in self.threads and
                         isinstance(t, threading.Timer)], BOUND))

    def test_an_answer_in_time(self):
        server = self.useFixture(DrippingServer('answer'))
        reply = self.send(server.url, transport.Transport(BOUND))
        self.assertEqual((200, b'<ok>yes</ok>'), (reply.code, reply.message))
        self.assertNoThreadLeft()

    def test_a_dripped_status_line(self):
        self.assertEndsInTime('status')

    def test_dripped_headers(self):
        self.assertEndsInTime('headers')

    def test_a_dripped_body(self):
        self.assertEndsInTime('body')

    def test_a_silent_server(self):
        self.assertEndsInTime('silent')

    def test_silent_after_the_tls_handshake(self):
        # Each read may take BOUND; the request is out of time first.
        silent = self.useFixture(faults.SilentEndpoint(tls=True))
        sent_by = transport.Transport(BOUND, cacert=silent.ca_file)
        server = type('Server', (), {
            'url': 'https://127.0.0.1:%d/sdk' % silent.port})
        with transport.within(TIMEOUT):
            self.assertRaises(transport.DeadlinePassed, self.send,
                              server.url, sent_by)
        self.assertLess(self.took, BOUND)
        self.assertEqual(1, silent.connections)

    def test_a_kept_alive_connection(self):
        # The second request goes over the first one's connection.
        server = self.useFixture(DrippingServer('answer', 'body'))
        sent_by = transport.Transport(BOUND)
        self.assertEqual(200, self.send(server.url, sent_by).code)
        with transport.within(TIMEOUT):
            self.assertRaises(transport.DeadlinePassed, self.send,
                              server.url, sent_by)
        self.assertLess(self.took, BOUND)

    def test_the_reason(self):
        server = self.useFixture(DrippingServer('body'))
        error = self.assertRaises(transport.DeadlinePassed, self.send,
                                  server.url)
        self.assertEqual('no complete answer within 0.6 s', str(error))

    def test_within_narrows_the_deadline(self):
        server = self.useFixture(DrippingServer('body'))
        sent_by = transport.Transport(BOUND * 10)
        with transport.within(TIMEOUT):
            self.assertRaises(transport.DeadlinePassed, self.send,
                              server.url, sent_by)
        self.assertLess(self.took, BOUND)
        with transport.within(0):
            error = self.assertRaises(transport.DeadlinePassed, self.send,
                                      server.url, sent_by)
        self.assertIn('no time left', str(error))

    def test_only_the_late_request_is_ended(self):
        # Two threads share a transport: one request's deadline ends its
        # own connection, not the other's, still within its time.
        slow = self.useFixture(DrippingServer('body'))
        steady = self.useFixture(DrippingServer('body'))
        sent_by = transport.Transport(BOUND)
        replies = []

        def in_time():
            replies.append(self.send(steady.url, sent_by))
        thread = threading.Thread(target=in_time)
        thread.start()
        with transport.within(TIMEOUT / 2):
            self.assertRaises(transport.DeadlinePassed, self.send,
                              slow.url, sent_by)
        thread.join(BOUND * 2)
        self.assertEqual([b'<ok>yes</ok>'], [r.message for r in replies])

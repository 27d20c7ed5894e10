"""Helpers of the fault injection tests (``test_faults*.py``).

- ``CallHook`` acts just before the n-th request of a given vSphere method
  that a session sends (break the proxy, restart the simulator, or answer
  in vCenter's place with a fault the simulator cannot produce), so a
  fault lands at an exact step of a claim or a renewal instead of at a
  random moment. It works at the session's HTTP transport
  (``base.RoundTrips``): everything above it, suds, oslo.vmware's fault
  parsing and ``vcenter``'s fault table, runs as against a real vCenter.
- ``SilentEndpoint``: a port that accepts connections and never answers
  (a hung vCenter), with or without a TLS handshake first;
  ``closed_port``: one that refuses them.
- ``report_time`` appends the measured time to a defined outcome to the
  file named by ``$NOVA_VMWARE_OWNER_FAULT_REPORT`` (JSON lines), which is
  how ``doc/source/faults.rst`` got its numbers. Times are reported, never
  asserted beyond generous bounds.
"""

import json
import os
import socket
import ssl
import threading
from xml.sax import saxutils

import fixtures
from suds import transport

from nova.virt.vmwareapi.ownership import guard as guard_mod
from support import base
from support import simulator

REPORT_ENV = 'NOVA_VMWARE_OWNER_FAULT_REPORT'

TIMEOUT = 2.0
"""Seconds of each TCP connect and HTTP answer of the sessions under test:
short, so a black-holed call fails fast."""

ABANDONED_AFTER = 2.0
"""Seconds after which the tests' guards clear a lease left without a value
(30 s by default): a claim interrupted between creating its lease and
writing through it leaves one."""

_FAULT = '''<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/"
 xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
 xmlns:xsd="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode>
<faultstring>%(message)s</faultstring><detail>
<%(name)sFault xmlns="urn:vim25" xsi:type="%(name)s">%(details)s
</%(name)sFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>'''


def closed_port():
    """A loopback port nothing listens on (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def report_time(test, seconds, outcome):
    """Record ``seconds`` to ``outcome`` of ``test`` for the docs."""
    path = os.environ.get(REPORT_ENV)
    if not path:
        return
    with open(path, 'a') as out:
        out.write(json.dumps({'test': test.id().rsplit('.', 2)[-2:],
                              'seconds': round(seconds, 3),
                              'outcome': outcome}) + '\n')


def connect(simulator, port=None):
    """A session as the guarded driver's: every request bounded."""
    return simulator.session(timeout=TIMEOUT, port=port)


def make_guard(store, host='compute-a', lease=4, renew=1,
               standby_wait=False, **settings):
    """A guard with a real clock that clears abandoned leases quickly."""
    return guard_mod.OwnershipGuard(
        store, host, base.settings(attribute_name=store.attribute_name,
                                   lease_duration=lease,
                                   renew_interval=renew,
                                   standby_wait=standby_wait, **settings),
        abandoned_after=ABANDONED_AFTER)


def fault_reply(name, message, **details):
    """vCenter's answer with the fault ``name`` (HTTP 500, a SOAP fault).

    :param details: the fault's properties (``privilegeId=...``)
    """
    escape = saxutils.escape
    fields = ''.join('<%s>%s</%s>' % (key, escape(value), key)
                     for key, value in details.items())
    body = _FAULT % {'name': name, 'message': escape(message),
                     'details': fields}
    return transport.Reply(500, {'Content-Type': 'text/xml; charset=utf-8'},
                           body.encode())


def not_authenticated():
    """vCenter's ``NotAuthenticated``: the session is not logged in.

    Or no longer, as far as vCenter says.
    """
    return fault_reply('NotAuthenticated', 'The session is not '
                       'authenticated.', privilegeId='System.View')


def no_permission(privilege=None):
    """vCenter's ``NoPermission`` fault, naming ``privilege`` if given."""
    details = {'privilegeId': privilege} if privilege else {}
    return fault_reply('NoPermission', 'Permission to perform this '
                       'operation was denied.', **details)


class CallHook:
    """Acts before chosen requests of a session (at its HTTP transport).

    :param test: the test case (the hook is removed at its clean-up)
    :param session: the ``session.Session`` whose requests are watched
    :ivar calls: the vSphere methods requested so far, in order
    """

    def __init__(self, test, session):
        self._actions = {}
        self._always = {}
        self._trips = base.RoundTrips(session, before=self._before)
        self.calls = self._trips.methods
        test.addCleanup(self.stop)

    def _before(self, method):
        action = self._actions.pop((method, self.calls.count(method)), None)
        if action is None:
            action = self._always.get(method)
        return action() if action is not None else None

    def stop(self):
        """Give the session its own transport back (idempotent)."""
        self._trips.stop()

    def _at(self, method, nth, action):
        if nth is None:
            nth = self.calls.count(method) + 1
        self._actions[(method, nth)] = action

    def before(self, method, action, nth=None):
        """Run ``action()`` before the ``nth`` request of ``method``.

        The request is sent afterwards (unless ``action`` raises, as the
        transport would: ``requests.ConnectionError``, ...).

        :param nth: 1 for the first request; default: the next one
        """
        def act():
            action()
        self._at(method, nth, act)

    def answer(self, method, reply, nth=None):
        """Answer the ``nth`` request of ``method`` in vCenter's place.

        The request is not sent; ``reply`` is what the client receives.
        """
        self._at(method, nth, lambda: reply)

    def answer_every(self, method, reply):
        """Answer every request of ``method`` so, until ``answer_none``."""
        self._always[method] = lambda: reply

    def answer_none(self, method):
        """Send the requests of ``method`` again (see ``answer_every``)."""
        self._always.pop(method, None)


class SilentEndpoint(fixtures.Fixture):
    """A loopback port that accepts connections and never answers.

    A hung vCenter, or a firewall that lets the handshake through and
    drops the rest. With ``tls`` it completes the TLS handshake (with a
    certificate the client trusts) before falling silent.

    :ivar port: the port
    :ivar ca_file: the certificate to trust (``tls`` only)
    :ivar connections: connections accepted so far
    """

    def __init__(self, tls=False):
        super().__init__()
        self.tls = tls
        self.ca_file = None

    def _setUp(self):
        context = None
        if self.tls:
            self.ca_file, key = simulator.make_self_signed_cert(
                self.useFixture(fixtures.TempDir()).path, name='silent')
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self.ca_file, key)
        self._closed = threading.Event()
        self._open = []
        self.connections = 0
        listener = socket.socket()
        listener.bind(('127.0.0.1', 0))
        listener.listen(16)
        listener.settimeout(0.2)
        self.port = listener.getsockname()[1]
        thread = threading.Thread(target=self._accept,
                                  args=(listener, context), daemon=True)
        thread.start()
        self.addCleanup(thread.join, 10)
        self.addCleanup(self._closed.set)

    def _accept(self, listener, context):
        with listener:
            while not self._closed.is_set():
                try:
                    conn, _ = listener.accept()
                except socket.timeout:
                    continue
                self.connections += 1
                if context is not None:
                    conn.settimeout(10)
                    try:
                        conn = context.wrap_socket(conn, server_side=True)
                    except OSError:
                        conn.close()
                        continue
                self._open.append(conn)
        for conn in self._open:
            conn.close()

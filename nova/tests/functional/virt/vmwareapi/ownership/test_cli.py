"""``nova-vmware-owner show`` and ``check`` as subprocesses."""

import json
import os
import socket
import ssl
import threading
import time

import fixtures

from nova.tests.functional.virt.vmwareapi.ownership import base
from nova.tests.functional.virt.vmwareapi.ownership import simulator
from nova.virt.vmwareapi.ownership import connection
from nova.virt.vmwareapi.ownership import guard as guard_mod

JSON_KEYS = {'cluster', 'cluster_moref', 'vcenter_uuid', 'attribute',
             'this_host', 'owner_host', 'verdict', 'record', 'raw'}

ERROR_BOUND = 30
"""Seconds within which a connection problem must be reported."""


class CommandTestCase(base.SimulatorTestCase):

    def command(self, host, *args, **conf):
        return self.run_command('--config-file',
                                self.config_file(host, **conf), *args)

    def assertConnectionError(self, out, started, *fragments):
        self.assertEqual(2, out.returncode, out.stdout + out.stderr)
        self.assertLess(time.monotonic() - started, ERROR_BOUND)
        self.assertNotIn('Traceback', out.stderr)
        self.assertEqual(1, len(out.stderr.strip().splitlines()),
                         out.stderr)
        for fragment in fragments:
            self.assertIn(fragment, out.stderr)
        self.assertNotIn(self.simulator.password, out.stderr)


class TestShowCheck(CommandTestCase):

    def claim(self, host):
        guard_mod.OwnershipGuard(self.make_store(), host,
                                 base.settings()).start()

    def assertVerdict(self, verdict, check_exit, host='compute-a'):
        for name in ('show', 'check'):
            out = self.command(host, '--format', 'json', name)
            expected = 0 if name == 'show' else check_exit
            self.assertEqual(expected, out.returncode, out.stderr)
            state = json.loads(out.stdout)
            self.assertLessEqual(JSON_KEYS, set(state))
            self.assertEqual(verdict, state['verdict'])
            self.assertEqual(base.CLUSTER, state['cluster'])
            self.assertEqual(self.attribute, state['attribute'])
            self.assertEqual(host, state['this_host'])
            self.assertNotIn(self.simulator.password, out.stdout + out.stderr)
        return state

    def test_unowned(self):
        state = self.assertVerdict('unowned', 0)
        self.assertIsNone(state['owner_host'])
        self.assertIsNone(state['record'])

    def test_owned_by_this_host(self):
        self.claim('compute-a')
        state = self.assertVerdict('owned-by-this-host', 0)
        self.assertEqual('compute-a', state['owner_host'])
        self.assertEqual('held', state['record']['state'])
        self.assertEqual(
            connection.find_cluster(self.session, base.CLUSTER).value,
            state['cluster_moref'])
        self.assertEqual(
            self.session.vim.service_content.about.instanceUuid,
            state['vcenter_uuid'])

    def test_owned_by_other_host(self):
        self.claim('compute-b')
        state = self.assertVerdict('owned-by-other-host', 3)
        self.assertEqual('compute-b', state['owner_host'])

    def test_unreadable(self):
        self.write_raw(self.make_store(), 'not a host name!')
        state = self.assertVerdict('unreadable', 4)
        self.assertEqual('not a host name!', state['raw'])
        self.assertIsNone(state['record'])
        self.assertEqual('not a host name!', self.make_store().read().raw)

    def test_text_output_names_owner_and_verdict(self):
        self.claim('compute-b')
        out = self.command('compute-a', 'show')
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertIn('compute-b', out.stdout)
        self.assertIn('must not run', out.stdout)
        out = self.command('compute-a', 'check')
        self.assertEqual(3, out.returncode)
        self.assertIn('owned by host compute-b', out.stdout)

    def test_wrong_password(self):
        started = time.monotonic()
        out = self.command('compute-a', 'show', password='wrong-password')
        self.assertConnectionError(out, started, 'rejected the login',
                                   'host_password')

    def test_closed_port(self):
        with socket.socket() as sock:
            sock.bind(('127.0.0.1', 0))
            port = sock.getsockname()[1]
        started = time.monotonic()
        out = self.command('compute-a', 'show', port=port)
        self.assertConnectionError(out, started, 'Cannot reach vCenter',
                                   'Connection refused')

    def test_untrusted_certificate(self):
        other_ca, _ = simulator.make_self_signed_cert(
            self.useFixture(fixtures.TempDir()).path, name='other')
        started = time.monotonic()
        out = self.command('compute-a', 'show', ca_file=other_ca)
        self.assertConnectionError(out, started, 'certificate verify failed',
                                   'ca_file')

    def test_unknown_cluster(self):
        started = time.monotonic()
        out = self.command('compute-a', 'check', cluster='no-such-cluster')
        self.assertConnectionError(out, started, "'no-such-cluster'",
                                   'cluster_name')

    def test_missing_option_is_named(self):
        path = self.config_file('compute-a')
        with open(path) as conf:
            text = conf.read().replace('host_ip = 127.0.0.1\n', '')
        with open(path, 'w') as conf:
            conf.write(text)
        out = self.run_command('--config-file', path, 'show')
        self.assertEqual(2, out.returncode)
        self.assertIn('[vmware] host_ip', out.stderr)

    def test_missing_config_file(self):
        out = self.run_command('--config-file',
                               os.path.join('/nonexistent', 'nova.conf'),
                               'show')
        self.assertEqual(2, out.returncode)
        self.assertIn('/nonexistent/nova.conf', out.stderr)


class SilentListener:
    """A loopback server that accepts connections and never answers.

    :param tls: (certificate file, key file): complete the TLS handshake
                first, then say nothing
    """

    def __init__(self, test, tls=None):
        self.connections = self.handshakes = 0
        self._held = []
        self._stop = threading.Event()
        self._socket = socket.create_server(('127.0.0.1', 0))
        self._socket.settimeout(0.2)
        self.port = self._socket.getsockname()[1]
        self._tls = None
        if tls:
            self._tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._tls.load_cert_chain(*tls)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        test.addCleanup(self.close)

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self._socket.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self._held.append(conn)
            self.connections += 1
            if self._tls:
                conn.settimeout(10)
                try:
                    self._held.append(self._tls.wrap_socket(
                        conn, server_side=True))
                    self.handshakes += 1
                except OSError:
                    continue

    def close(self):
        self._stop.set()
        self._thread.join(10)
        for conn in self._held + [self._socket]:
            conn.close()


class TestSilentVCenter(CommandTestCase):
    """A vCenter that accepts connections and then never answers: exit 2,
    naming the endpoint, at the default timeout (the WSDL download used
    to wait for minutes).
    """

    SIMULATOR_OPTIONS = {'clusters': 1}

    def assertSilenceReported(self, listener, **conf):
        started = time.monotonic()
        out = self.command('compute-a', 'show', port=listener.port, **conf)
        self.assertConnectionError(
            out, started, 'https://127.0.0.1:%d' % listener.port,
            'timed out')

    def test_tcp_accepted_never_answered(self):
        listener = SilentListener(self)
        self.assertSilenceReported(listener)
        self.assertGreaterEqual(listener.connections, 1)

    def test_tls_handshake_then_silence(self):
        cert = simulator.make_self_signed_cert(
            self.useFixture(fixtures.TempDir()).path, name='silent')
        listener = SilentListener(self, tls=cert)
        self.assertSilenceReported(listener, ca_file=cert[0])
        self.assertGreaterEqual(listener.handshakes, 1)

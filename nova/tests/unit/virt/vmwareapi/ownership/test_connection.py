"""Tests of connecting to vCenter and finding the cluster.

Network tests only ever use 127.0.0.1, on a port bound and closed just
before, so nothing listens there.
"""

import logging
import socket
import time
import types
from unittest import mock

import fixtures
from oslo_vmware import api
from oslo_vmware import exceptions as vexc
from oslotest import base
import requests

from nova.virt.vmwareapi.ownership import connection
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import store
from nova.virt.vmwareapi.ownership import wsdl_cache

NS = types.SimpleNamespace
PASSWORD = 's3cret-Pa55'


def closed_port():
    """A TCP port of 127.0.0.1 on which nothing listens."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]
    finally:
        sock.close()


def endpoint(port=443, **kwargs):
    return connection.Endpoint('127.0.0.1', port, 'admin', PASSWORD,
                               **kwargs)


class EndpointTestCase(base.BaseTestCase):

    def test_str_never_shows_password(self):
        self.assertEqual('https://127.0.0.1:443', str(endpoint()))
        self.assertNotIn(PASSWORD, str(endpoint()))
        self.assertNotIn(PASSWORD, repr(endpoint()))
        self.assertEqual('http://127.0.0.1:80',
                         str(endpoint(80, scheme='http')))

    def test_insecure_ignored_with_ca_file(self):
        self.assertFalse(endpoint(ca_file='/ca.pem', insecure=True).insecure)
        self.assertTrue(endpoint(insecure=True).insecure)
        self.assertFalse(endpoint().insecure)


class ConnectTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        # oslo.service logs each failed login attempt with a traceback.
        self.useFixture(fixtures.FakeLogger(level=logging.CRITICAL))

    def test_closed_port_fails_fast(self):
        for scheme in ('https', 'http'):
            target = endpoint(closed_port(), scheme=scheme)
            start = time.monotonic()
            error = self.assertRaises(exceptions.VCenterUnreachable,
                                      connection.connect, target,
                                      timeout=5)
            self.assertLess(time.monotonic() - start, 10)
            self.assertIn('Connection refused', error.reason)
            self.assertIn(str(target), str(error))
            self.assertNotIn(PASSWORD, str(error))
            self.assertNotIn('\n', str(error))

    def connect_failing(self, error):
        with mock.patch.object(wsdl_cache, 'open_session',
                               autospec=True) as session:
            session.side_effect = error
            return self.assertRaises(exceptions.VCenterError,
                                     connection.connect, endpoint())

    def test_tls_failure(self):
        error = self.connect_failing(requests.exceptions.SSLError(
            '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: '
            'unable to get local issuer certificate (_ssl.c:1006)'))
        self.assertIsInstance(error, exceptions.VCenterUnreachable)
        self.assertIn('TLS verification failed', error.reason)
        self.assertIn('unable to get local issuer certificate', error.reason)

    def test_request_error(self):
        error = self.connect_failing(requests.exceptions.ConnectTimeout(
            'Connect timed out'))
        self.assertIsInstance(error, exceptions.VCenterUnreachable)
        self.assertEqual('connection timed out', error.reason)

    def test_vim_connection_error(self):
        error = self.connect_failing(vexc.VimConnectionException(
            'requests error', OSError('[Errno 113] No route to host')))
        self.assertIsInstance(error, exceptions.VCenterUnreachable)
        self.assertEqual('[Errno 113] No route to host', error.reason)

    def test_invalid_login(self):
        error = self.connect_failing(vexc.VimFaultException(
            ['InvalidLogin'], 'Cannot complete login'))
        self.assertIsInstance(error, exceptions.VCenterLoginFailed)
        self.assertEqual('admin', error.username)
        self.assertNotIn(PASSWORD, str(error))

    def test_other_login_fault(self):
        error = self.connect_failing(vexc.VimFaultException(
            ['SystemError'], 'boom'))
        self.assertIsInstance(error, exceptions.VCenterFault)

    def test_other_vim_error(self):
        error = self.connect_failing(vexc.VimException('odd', 'cause'))
        self.assertIsInstance(error, exceptions.VCenterUnreachable)

    def test_session_arguments(self):
        target = endpoint(8443, ca_file='/ca.pem', scheme='https')

        def open_session(new_session, where, timeout):
            self.assertEqual((target, 7), (where, timeout))
            return new_session(wsdl_loc='file:///wsdl',
                               create_session=False)
        with mock.patch.object(connection, 'BoundedSession',
                               autospec=True) as session, \
                mock.patch.object(wsdl_cache, 'open_session',
                                  side_effect=open_session):
            result = connection.connect(target, timeout=7)
        self.assertIs(session.return_value, result)
        session.assert_called_once_with(
            '127.0.0.1', 'admin', PASSWORD, 1, 0.5, scheme='https',
            port=8443, cacert='/ca.pem', insecure=False,
            connection_timeout=7, wsdl_loc='file:///wsdl',
            create_session=False)

    def test_bounded_session_is_a_session(self):
        self.assertTrue(issubclass(connection.BoundedSession,
                                   api.VMwareAPISession))
        self.assertLessEqual(connection.LOGIN_ATTEMPTS, 3)

    def test_login_gives_up_after_the_bound_on_every_outage(self):
        session = connection.BoundedSession(
            '127.0.0.1', 'admin', PASSWORD, 1, 0.5, create_session=False)
        login = mock.Mock(side_effect=vexc.VimConnectionException('down'))
        self.useFixture(fixtures.MonkeyPatch(
            'nova.virt.vmwareapi.ownership.connection._login_once', login))
        sleep = self.useFixture(fixtures.MockPatch(
            'nova.virt.vmwareapi.ownership.connection.time.sleep')).mock
        # A second outage gets the same attempts as the first one.
        for outage in (1, 2):
            self.assertRaises(vexc.VimConnectionException,
                              session._create_session)
            self.assertEqual(outage * connection.LOGIN_ATTEMPTS,
                             login.call_count)
        self.assertEqual(2 * (connection.LOGIN_ATTEMPTS - 1),
                         sleep.call_count)

    def test_login_retries_until_it_succeeds(self):
        session = connection.BoundedSession(
            '127.0.0.1', 'admin', PASSWORD, 1, 0.5, create_session=False)
        login = mock.Mock(side_effect=[vexc.VimConnectionException('down'),
                                       None])
        self.useFixture(fixtures.MonkeyPatch(
            'nova.virt.vmwareapi.ownership.connection._login_once', login))
        self.useFixture(fixtures.MockPatch(
            'nova.virt.vmwareapi.ownership.connection.time.sleep'))
        session._create_session()
        self.assertEqual(2, login.call_count)


class ClusterTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.session = mock.create_autospec(api.VMwareAPISession,
                                            instance=True)
        self.vim = mock.Mock(spec=['client', 'service_content',
                                   'ContinueRetrievePropertiesEx',
                                   'CancelRetrievePropertiesEx'])
        self.vim.client = NS(factory=NS(create=lambda kind: NS(kind=kind)))
        self.vim.service_content = NS(
            viewManager='vm', rootFolder='root', propertyCollector='pc',
            about=NS(instanceUuid='uuid-1'))
        self.session.vim = self.vim
        self.pages = []
        self.destroyed = []

    def invoke(self, vim, method, *args, **kwargs):
        if method == 'CreateContainerView':
            self.assertEqual([store.CLUSTER_TYPE], kwargs['type'])
            return 'view-1'
        if method == 'RetrievePropertiesEx':
            return self.pages.pop(0)
        if method == 'DestroyView':
            self.destroyed.append(args[0])
            return None
        raise AssertionError(method)

    def page(self, *names, token=None):
        objects = [NS(obj='domain-c%d' % i, propSet=[NS(name='name',
                                                        val=name)])
                   for i, name in enumerate(names)]
        page = NS(objects=objects)
        if token:
            page.token = token
        return page

    def find(self, name='DC0_C1'):
        self.session.invoke_api.side_effect = self.invoke
        return connection.find_cluster(self.session, name, endpoint())

    def test_not_found(self):
        self.pages = [self.page('DC0_C0', 'DC0_C2')]
        error = self.assertRaises(exceptions.ClusterNotFound, self.find)
        self.assertEqual(0, error.found)
        self.assertEqual('DC0_C1', error.cluster)
        self.assertEqual(str(endpoint()), error.vcenter)
        self.assertEqual(['view-1'], self.destroyed)

    def test_no_clusters_at_all(self):
        self.pages = [[]]
        self.assertRaises(exceptions.ClusterNotFound, self.find)
        self.assertEqual(['view-1'], self.destroyed)

    def test_ambiguous(self):
        self.pages = [self.page('DC0_C1', 'DC0_C1')]
        error = self.assertRaises(exceptions.ClusterNotFound, self.find)
        self.assertEqual(2, error.found)
        self.assertIn('unique', str(error))

    def test_fault_still_destroys_view(self):
        def invoke(vim, method, *args, **kwargs):
            if method == 'RetrievePropertiesEx':
                raise vexc.VimConnectionException('down')
            return self.invoke(vim, method, *args, **kwargs)
        self.session.invoke_api.side_effect = invoke
        self.assertRaises(exceptions.VCenterUnreachable,
                          connection.find_cluster, self.session, 'DC0_C1')
        self.assertEqual(['view-1'], self.destroyed)

    def test_no_permission_for_view(self):
        self.session.invoke_api.side_effect = vexc.NoPermissionException('x')
        self.assertRaises(exceptions.MissingPrivilege,
                          connection.find_cluster, self.session, 'DC0_C1')

    def test_found(self):
        self.pages = [self.page('DC0_C0', 'DC0_C1', 'DC0_C10')]
        self.assertEqual('domain-c1', self.find())
        self.assertEqual(['view-1'], self.destroyed)

    def test_found_on_second_page(self):
        self.pages = [self.page('DC0_C0', token='t1')]
        self.vim.ContinueRetrievePropertiesEx.return_value = self.page(
            'DC0_C9', 'DC0_C1')
        self.assertEqual('domain-c1', self.find())
        self.vim.ContinueRetrievePropertiesEx.assert_called_once_with(
            'pc', token='t1')

    def test_vcenter_uuid(self):
        self.assertEqual('uuid-1', connection.vcenter_uuid(self.session))

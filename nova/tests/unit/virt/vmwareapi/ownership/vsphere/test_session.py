"""A session to vCenter: its client, its transport, its bounded login.

oslo.vmware's login is replaced by a mock where the tests count attempts;
the client is the package's, built from the reduced WSDL (nothing is
sent).
"""

import types
from unittest import mock

import fixtures
from oslo_vmware import api
from oslo_vmware import exceptions as vexc
from oslotest import base
import requests

from nova.virt.vmwareapi.ownership.vsphere import session as session_mod
from nova.virt.vmwareapi.ownership.vsphere import transport
from nova.virt.vmwareapi.ownership.vsphere import vcenter
from nova.virt.vmwareapi.ownership.vsphere.wsdl import reduced
from support import fakes

PASSWORD = 's3cret-Pa55'
ENDPOINT = vcenter.Endpoint('vc.example.test', 443, 'admin', PASSWORD)
REFUSED = vexc.VimConnectionException('down', requests.ConnectionError(
    '[Errno 111] Connection refused'))
OUT_OF_TIME = vexc.VimConnectionException('slow', transport.DeadlinePassed(
    'no complete answer within 5 s'))


class ClientTestCase(base.BaseTestCase):

    def test_reduced_checked_and_bounded(self):
        endpoint = vcenter.Endpoint('vc', 8443, 'admin', PASSWORD,
                                    ca_file='/ca.pem')
        session = session_mod.Session(endpoint, 7)
        vim = session.vim
        self.assertIs(vim, session.vim)
        self.assertEqual(reduced.WSDL_URL, vim.wsdl_url)
        self.assertEqual('https://vc:8443/sdk', vim.soap_url)
        self.assertEqual(1, sum(isinstance(p, reduced.TypeCheck)
                                for p in vim.client.options.plugins))
        sent_by = vim.client.options.transport
        self.assertIsInstance(sent_by, transport.Transport)
        self.assertEqual((7, '/ca.pem'), (sent_by.timeout, sent_by.verify))
        # The cookie of the session is the transport's.
        self.assertIs(sent_by.cookiejar, vim.client.cookiejar)

    def test_session_arguments(self):
        endpoint = vcenter.Endpoint('vc', 8443, 'admin', PASSWORD,
                                    ca_file='/ca.pem', insecure=True)
        with mock.patch.object(api.VMwareAPISession, '__init__',
                               autospec=True, return_value=None) as init:
            session = session_mod.Session(endpoint, 7)
        init.assert_called_once_with(
            session, 'vc', 'admin', PASSWORD, 0, 0.5, scheme='https',
            port=8443, cacert='/ca.pem', insecure=False,
            pool_size=session_mod.POOL_SIZE, connection_timeout=7,
            wsdl_loc=reduced.WSDL_URL, create_session=False)


class LoginTestCase(base.BaseTestCase):
    """The bounded login, on a fake clock."""

    def setUp(self):
        super().setUp()
        self.login = self.useFixture(fixtures.MockPatchObject(
            session_mod.Session, '_login_once', autospec=True)).mock
        self.clock = fakes.FakeClock()
        self.session = session_mod.Session(ENDPOINT, 5, clock=self.clock)

    def test_gives_up_after_the_attempts_on_every_outage(self):
        self.login.side_effect = REFUSED
        for outage in (1, 2):
            with self.subTest(outage=outage):
                self.assertRaises(vexc.VimConnectionException,
                                  self.session.log_in)
                self.assertEqual(outage * session_mod.LOGIN_ATTEMPTS,
                                 self.login.call_count)
        self.assertEqual([session_mod.LOGIN_RETRY_DELAY] * 2 *
                         (session_mod.LOGIN_ATTEMPTS - 1), self.clock.slept)

    def test_retries_until_it_succeeds(self):
        self.login.side_effect = [REFUSED, None]
        self.session.log_in()
        self.assertEqual(2, self.login.call_count)
        self.assertEqual([session_mod.LOGIN_RETRY_DELAY], self.clock.slept)

    def test_a_request_out_of_time_is_not_asked_again(self):
        self.login.side_effect = OUT_OF_TIME
        self.assertRaises(vexc.VimConnectionException, self.session.log_in)
        self.assertEqual(1, self.login.call_count)
        self.assertEqual([], self.clock.slept)

    def test_attempts_end_within_the_logins_time(self):
        # Each attempt is refused after 4 of the 10 seconds (2 requests of
        # 5 s) the login may take: a third would not fit.
        def refused_late(session):
            self.clock.advance(4)
            raise REFUSED
        self.login.side_effect = refused_late
        self.assertRaises(vexc.VimConnectionException, self.session.log_in)
        self.assertEqual(2, self.login.call_count)
        self.assertLessEqual(self.clock.now() - self.clock.start,
                             session_mod.LOGIN_REQUESTS * 5)

    def test_other_faults_are_not_retried(self):
        self.login.side_effect = vexc.VimFaultException(['InvalidLogin'],
                                                        'incorrect')
        self.assertRaises(vexc.VimFaultException, self.session.log_in)
        self.assertEqual(1, self.login.call_count)
        self.assertEqual([], self.clock.slept)

    def test_login_again_says_whether_it_did(self):
        def log_in(session, key):
            session._session_id = key
        self.login.side_effect = lambda s: log_in(s, 'first')
        self.session.log_in()
        self.assertFalse(self.session.login_again())
        self.login.side_effect = lambda s: log_in(s, 'second')
        self.assertTrue(self.session.login_again())


class LoginOnceTestCase(base.BaseTestCase):
    """One login attempt, without oslo.vmware's endless retry."""

    def setUp(self):
        super().setUp()
        self.session = session_mod.Session(ENDPOINT, 5)
        self.vim = mock.Mock(spec=['service_content', 'Login',
                                   'SessionIsActive'])
        self.useFixture(fixtures.MockPatchObject(
            session_mod.Session, 'vim', new_callable=mock.PropertyMock,
            return_value=self.vim))

    def test_logs_in_once_and_does_not_retry(self):
        # A retry (after oslo.service's 10 s) would meet the second answer.
        self.vim.Login.side_effect = [vexc.VimConnectionException('down'),
                                      AssertionError('retried')]
        self.assertRaises(vexc.VimConnectionException,
                          session_mod.Session._login_once, self.session)
        self.assertEqual(1, self.vim.Login.call_count)

    def test_logs_in_with_the_endpoints_credentials(self):
        self.vim.Login.return_value = types.SimpleNamespace(
            key='session-1', userName='admin')
        session_mod.Session._login_once(self.session)
        self.vim.Login.assert_called_once_with(
            self.vim.service_content.sessionManager, userName='admin',
            password=PASSWORD, locale='en')
        # vCenter's spelling of the user, which SessionIsActive needs.
        self.assertEqual(('session-1', 'admin'), (
            self.session.key, self.session._session_username))

    def test_an_active_session_is_kept(self):
        self.vim.Login.return_value = types.SimpleNamespace(
            key='session-1', userName='ADMIN')
        session_mod.Session._login_once(self.session)
        self.vim.SessionIsActive.return_value = True
        session_mod.Session._login_once(self.session)
        self.assertEqual(1, self.vim.Login.call_count)
        self.vim.SessionIsActive.assert_called_once_with(
            self.vim.service_content.sessionManager, sessionID='session-1',
            userName='ADMIN')

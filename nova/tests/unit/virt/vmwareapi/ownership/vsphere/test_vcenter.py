"""The vCenter boundary: connecting, calls, the endpoint.

The fault table is ``test_faults``', the session's client and login
``test_session``'s. What needs vCenter's answers (finding a cluster,
collecting properties) is tested against the simulator in the
functional tier.
"""

import types
from unittest import mock

import fixtures
from oslo_vmware import exceptions as vexc
from oslotest import base
import requests

from nova.virt.vmwareapi.ownership import clock as clock_mod
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors
from nova.virt.vmwareapi.ownership.vsphere import session as session_mod
from nova.virt.vmwareapi.ownership.vsphere import vcenter

PASSWORD = 's3cret-Pa55'
SILENT = requests.exceptions.ReadTimeout(
    "HTTPSConnectionPool(host='vc.example.test', port=443): Read timed "
    "out. (read timeout=20)")
ENDPOINT = vcenter.Endpoint('vc.example.test', 443, 'admin', PASSWORD)


class EndpointTestCase(base.BaseTestCase):

    def test_never_shows_the_password(self):
        self.assertEqual('https://vc.example.test:443', str(ENDPOINT))
        self.assertNotIn(PASSWORD, repr(ENDPOINT))
        self.assertEqual('http://127.0.0.1:8989', str(vcenter.Endpoint(
            '127.0.0.1', 8989, 'u', PASSWORD, scheme='http')))

    def test_shown_as_oslo_vmware_addresses_it(self):
        # An empty [vmware] host_port: oslo.vmware leaves the port out.
        self.assertEqual('https://vc', str(vcenter.Endpoint(
            'vc', None, 'u', PASSWORD)))
        self.assertEqual('https://[fd00::5]:443', str(vcenter.Endpoint(
            'fd00::5', 443, 'u', PASSWORD)))

    def test_insecure_is_ignored_with_a_ca_file(self):
        def endpoint(**kwargs):
            return vcenter.Endpoint('vc', 443, 'u', 'p', **kwargs)
        self.assertFalse(endpoint(ca_file='/ca.pem', insecure=True).insecure)
        self.assertTrue(endpoint(insecure=True).insecure)
        self.assertFalse(endpoint().insecure)


class ConnectTestCase(base.BaseTestCase):
    """A login's outcome, translated."""

    def setUp(self):
        super().setUp()
        self.login = self.useFixture(fixtures.MockPatchObject(
            session_mod.Session, '_login_once', autospec=True)).mock
        self.sleep = self.useFixture(fixtures.MockPatchObject(
            clock_mod.SYSTEM, 'sleep', autospec=True)).mock

    def test_logged_in(self):
        session = vcenter.connect(ENDPOINT, 5)
        self.assertIsInstance(session, session_mod.Session)
        self.assertEqual((ENDPOINT, 5), (session.endpoint, session.timeout))
        self.login.assert_called_once_with(session)

    def test_unreachable(self):
        self.login.side_effect = vexc.VimConnectionException(
            'down', requests.ConnectionError(
                '[Errno 111] Connection refused'))
        error = self.assertRaises(vsphere_errors.VCenterUnreachable,
                                  vcenter.connect, ENDPOINT, 5)
        self.assertEqual('[Errno 111] Connection refused', error.reason)
        self.assertEqual(session_mod.LOGIN_ATTEMPTS, self.login.call_count)

    def test_login_refused(self):
        self.login.side_effect = vexc.VimFaultException(['InvalidLogin'],
                                                        'incorrect')
        error = self.assertRaises(vsphere_errors.VCenterLoginFailed,
                                  vcenter.connect, ENDPOINT, 5)
        self.assertEqual((ENDPOINT, 'admin'), (error.endpoint,
                                               error.username))


class InvokeTestCase(base.BaseTestCase):
    """Calls go to the method directly; an expired session logs in again.

    Only a read is then repeated.
    """

    EXPIRED = (vexc.VimFaultException(['NotAuthenticated'], 'x'),
               vexc.NotAuthenticatedException('x'))
    WRITES = ('SetField', 'AddCustomFieldDef', 'RemoveCustomFieldDef',
              'LogUserEvent', 'RenameCustomFieldDef')

    def setUp(self):
        super().setUp()
        self.session = mock.create_autospec(session_mod.Session, instance=True)
        self.session.endpoint = ENDPOINT
        self.session.vim = mock.Mock(spec=['SetField', 'DestroyView'] +
                                     list(self.WRITES))
        self.set_field = self.session.vim.SetField

    def invoke(self, method='SetField'):
        return vcenter.invoke(self.session, method, 'fields',
                              entity='domain-c7', key=101, value='x')

    def test_faults_are_translated(self):
        self.set_field.side_effect = vexc.VimFaultException(
            ['InvalidArgument'], 'A specified parameter was not correct')
        error = self.assertRaises(vsphere_errors.InvalidArgument,
                                  self.invoke)
        self.assertEqual('SetField', error.operation)
        self.assertFalse(self.session.invoke_api.called)

    def test_a_call(self):
        self.set_field.return_value = 'done'
        self.assertEqual('done', self.invoke())
        self.set_field.assert_called_once_with('fields', entity='domain-c7',
                                               key=101, value='x')
        self.assertFalse(self.session.invoke_api.called)

    def test_a_read_in_an_expired_session_is_repeated_once(self):
        read = self.session.vim.DestroyView
        for expired in self.EXPIRED:
            with self.subTest(expired=expired):
                read.reset_mock()
                self.session.login_again.reset_mock()
                read.side_effect = [expired, 'done']
                self.session.login_again.return_value = True
                self.assertEqual('done', self.invoke('DestroyView'))
                self.assertEqual(2, read.call_count)
                self.session.login_again.assert_called_once_with()
                self.assertFalse(self.session.invoke_api.called)

    def test_an_empty_answer_of_an_active_session_is_empty(self):
        # oslo.vmware reads an empty RetrievePropertiesEx answer as
        # NotAuthenticated.
        read = self.session.vim.DestroyView
        read.side_effect = vexc.VimFaultException(['NotAuthenticated'], 'x')
        self.session.login_again.return_value = False
        self.assertEqual([], self.invoke('DestroyView'))
        self.assertEqual(1, read.call_count)

    def test_a_write_is_never_repeated_after_a_new_login(self):
        # Issue 19: a paused holder's write, repeated after the new login,
        # landed in the lease a restarted vCenter had given a new holder
        # under the same key.
        for method in self.WRITES:
            for expired in self.EXPIRED:
                with self.subTest(method=method, expired=expired):
                    write = getattr(self.session.vim, method)
                    write.reset_mock()
                    self.session.login_again.reset_mock()
                    write.side_effect = [expired, AssertionError('again')]
                    self.session.login_again.return_value = True
                    error = self.assertRaises(exceptions.WriteUnconfirmed,
                                              self.invoke, method)
                    self.assertEqual(1, write.call_count)
                    self.session.login_again.assert_called_once_with()
                    self.assertEqual(method, error.operation)
                    self.assertIn('logged in again', str(error))

    def test_a_write_in_an_active_session_is_not_taken_for_done(self):
        # Issue 19: the NotAuthenticated answer of a SetField came back as
        # [] and counted as a renewal that never landed.
        self.set_field.side_effect = vexc.VimFaultException(
            ['NotAuthenticated'], 'x')
        self.session.login_again.return_value = False
        error = self.assertRaises(exceptions.WriteUnconfirmed, self.invoke)
        self.assertEqual(1, self.set_field.call_count)
        self.assertIn('session is still active', str(error))

    def test_a_write_without_its_answer_is_unconfirmed(self):
        for lost in (SILENT, vexc.VimConnectionException('lost', SILENT),
                     requests.exceptions.ConnectionError(
                         'Connection aborted: RemoteDisconnected')):
            with self.subTest(lost=lost):
                self.set_field.side_effect = lost
                error = self.assertRaises(exceptions.WriteUnconfirmed,
                                          self.invoke)
                self.assertEqual(str(ENDPOINT), str(error.endpoint))
                self.assertIn('did not confirm SetField', str(error))

    def test_a_read_without_its_answer_is_unreachable(self):
        self.session.vim.DestroyView.side_effect = SILENT
        self.assertRaises(vsphere_errors.VCenterUnreachable, self.invoke,
                          'DestroyView')


class HelpersTestCase(base.BaseTestCase):

    def test_array(self):
        self.assertEqual([], vcenter.array(None, 'CustomFieldDef'))
        self.assertEqual([], vcenter.array(types.SimpleNamespace(),
                                           'CustomFieldDef'))
        self.assertEqual([1, 2], vcenter.array(types.SimpleNamespace(
            CustomFieldDef=(1, 2)), 'CustomFieldDef'))

    def test_moref_value(self):
        self.assertEqual('domain-c7', vcenter.moref_value(
            types.SimpleNamespace(value='domain-c7')))

    def test_vcenter_uuid_is_read_at_login(self):
        content = types.SimpleNamespace(about=types.SimpleNamespace(
            instanceUuid='vc-uuid-1'))
        session = types.SimpleNamespace(vim=types.SimpleNamespace(
            service_content=content))
        self.assertIs(content, vcenter.service_content(session))
        self.assertEqual('vc-uuid-1', vcenter.vcenter_uuid(session))
        content.about = types.SimpleNamespace()
        self.assertIsNone(vcenter.vcenter_uuid(session))

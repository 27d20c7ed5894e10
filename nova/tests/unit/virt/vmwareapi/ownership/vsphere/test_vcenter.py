"""The vCenter boundary: the fault table, the bounded login, the endpoint.

oslo.vmware's exceptions are built here as oslo.vmware raises them. What
needs vCenter's answers (finding a cluster, collecting properties) is
tested against the simulator in the functional tier.
"""

import types
from unittest import mock

import fixtures
from oslo_vmware import api
from oslo_vmware import exceptions as vexc
from oslotest import base
import requests

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors
from nova.virt.vmwareapi.ownership.vsphere import vcenter
from nova.virt.vmwareapi.ownership.vsphere.wsdl import cache as wsdl_cache

PASSWORD = 's3cret-Pa55'
ENDPOINT = vcenter.Endpoint('vc.example.test', 443, 'admin', PASSWORD)
REFUSED = requests.exceptions.ConnectionError(
    "HTTPSConnectionPool(host='vc.example.test', port=443): Max retries "
    "exceeded with url: /sdk (Caused by NewConnectionError('<urllib3."
    "connection.HTTPSConnection object at 0x7f00>: Failed to establish a "
    "new connection: [Errno 111] Connection refused'))")
UNTRUSTED = requests.exceptions.SSLError(
    "HTTPSConnectionPool(host='vc.example.test', port=443): Max retries "
    "exceeded with url: /sdk/vimService.wsdl (Caused by SSLError("
    "SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] "
    "certificate verify failed: self-signed certificate (_ssl.c:1006)')))")
SILENT = requests.exceptions.ReadTimeout(
    "HTTPSConnectionPool(host='vc.example.test', port=443): Read timed "
    "out. (read timeout=20)")


def translate(error, operation='SetField'):
    """What ``translated`` makes of ``error``; ``None`` if it passes."""
    try:
        with vcenter.translated(operation, ENDPOINT, 'admin'):
            raise error
    except exceptions.OwnershipError as exc:
        return exc


class FaultTableTestCase(base.BaseTestCase):
    """One vSphere fault after the other, through the one table."""

    def assertTranslated(self, error, kind, operation='SetField'):
        result = translate(error, operation)
        self.assertIs(kind, type(result))
        self.assertNotIn(PASSWORD, str(result))
        self.assertNotIn('\n', str(result))
        return result

    def test_connection_refused(self):
        for error in (REFUSED, vexc.VimConnectionException(
                'Connection to the server failed', REFUSED)):
            with self.subTest(error=error):
                result = self.assertTranslated(
                    error, vsphere_errors.VCenterUnreachable,
                    'RetrievePropertiesEx')
                self.assertEqual('[Errno 111] Connection refused',
                                 result.reason)
                self.assertIn(str(ENDPOINT), str(result))

    def test_tls_verification(self):
        result = self.assertTranslated(UNTRUSTED,
                                       vsphere_errors.VCenterUnreachable)
        self.assertEqual('TLS verification failed (certificate verify '
                         'failed: self-signed certificate)', result.reason)
        self.assertIn('[vmware] ca_file', str(result))

    def test_no_answer(self):
        result = self.assertTranslated(SILENT,
                                       vsphere_errors.VCenterUnreachable,
                                       'Login')
        self.assertEqual('no answer (timed out)', result.reason)

    def test_session_overload(self):
        result = self.assertTranslated(
            vexc.VimSessionOverLoadException('overloaded', None),
            vsphere_errors.VCenterUnreachable, 'RetrievePropertiesEx')
        self.assertEqual('overloaded', result.reason)

    def test_no_answer_to_a_write_leaves_it_unconfirmed(self):
        # It may have been carried out (issue 19).
        for error in (SILENT, REFUSED, vexc.VimSessionOverLoadException(
                'overloaded', None)):
            with self.subTest(error=error):
                result = self.assertTranslated(error,
                                               exceptions.WriteUnconfirmed)
                self.assertEqual(('SetField', ENDPOINT),
                                 (result.operation, result.endpoint))

    def test_invalid_login(self):
        result = self.assertTranslated(vexc.VimFaultException(
            ['InvalidLogin'], 'Cannot complete login due to an incorrect '
            'user name or password.'), vsphere_errors.VCenterLoginFailed,
            'Login')
        self.assertEqual((ENDPOINT, 'admin'), (result.endpoint,
                                               result.username))

    def test_no_permission_names_the_privilege(self):
        for error in (
                vexc.VimFaultException(
                    ['NoPermission'], 'Permission to perform this '
                    'operation was denied.', details={
                        'privilegeId': 'Global.SetCustomField',
                        'object': 'group-d1'}),
                vexc.NoPermissionException(
                    'Permission to perform this operation was denied.',
                    details={'privilegeId': 'Global.SetCustomField'})):
            with self.subTest(error=error):
                result = self.assertTranslated(error,
                                               vsphere_errors.MissingPrivilege)
                self.assertEqual(
                    ('Global.SetCustomField', 'SetField', 'admin'),
                    (result.privilege, result.operation, result.username))

    def test_no_permission_without_details(self):
        for operation, privilege in (
                ('AddCustomFieldDef', 'Global.ManageCustomFields'),
                ('RemoveCustomFieldDef', 'Global.ManageCustomFields'),
                ('LogUserEvent', 'Global.LogEvent'),
                ('RetrievePropertiesEx', 'System.Read'),
                ('CreateContainerView', 'unknown')):
            with self.subTest(operation=operation, privilege=privilege):
                result = self.assertTranslated(
                    vexc.VimFaultException(['NoPermission'], 'denied'),
                    vsphere_errors.MissingPrivilege, operation)
                self.assertEqual(privilege, result.privilege, operation)

    def test_faults_of_the_protocol(self):
        for name, oslo_class, kind in (
                ('DuplicateName', vexc.DuplicateName,
                 exceptions.DuplicateName),
                ('NotFound', None, vsphere_errors.NotFound),
                ('InvalidArgument', None, vsphere_errors.InvalidArgument),
                ('ManagedObjectNotFound',
                 vexc.ManagedObjectNotFoundException,
                 vsphere_errors.ManagedObjectNotFound)):
            with self.subTest(name=name, oslo_class=oslo_class, kind=kind):
                message = 'vCenter says %s.' % name
                result = self.assertTranslated(
                    vexc.VimFaultException([name], message), kind)
                self.assertEqual(('SetField', name), (result.operation,
                                                      result.fault))
                self.assertIn(message, str(result))
                if oslo_class is not None:
                    # What oslo.vmware's invoke_api raises for the same fault.
                    raised = vexc.VimFaultException([name], message)
                    result = self.assertTranslated(
                        oslo_class(str(raised), details=raised.details), kind)
                    self.assertEqual(name, result.fault)
                    self.assertIn(message, str(result))

    def test_any_other_fault(self):
        result = self.assertTranslated(
            vexc.VimFaultException(['SystemError', 'RuntimeFault'], 'boom'),
            exceptions.VCenterFault)
        self.assertEqual('SystemError', result.fault)
        self.assertIn('boom', str(result))
        result = self.assertTranslated(
            vexc.VimFaultException([], 'odd'), exceptions.VCenterFault)
        self.assertEqual('VimFaultException', result.fault)
        result = self.assertTranslated(
            vexc.VimException('odd', ValueError('the cause')),
            exceptions.VCenterFault)
        self.assertIn('the cause', str(result))

    def test_ours_pass_unchanged(self):
        error = vsphere_errors.ClusterNotFound(
            cluster='DC0_C9', vcenter=str(ENDPOINT))
        self.assertIs(error, translate(error))

    def test_others_are_not_ours_to_translate(self):
        self.assertRaises(ValueError, translate, ValueError('a bug'))


class SummarizeErrorTestCase(base.BaseTestCase):

    def test_summaries(self):
        for error, summary in (
                (REFUSED, '[Errno 111] Connection refused'),
                (UNTRUSTED, 'certificate verify failed: self-signed '
                            'certificate'),
                (SILENT, 'no answer (timed out)'),
                (OSError('[Errno -2] Name or service not known'),
                 '[Errno -2] Name or service not known'),
                (ValueError('first line\nsecond line'), 'first line'),
                (ValueError(''), 'ValueError'),
                ('[SSL: WRONG_VERSION_NUMBER] wrong version number',
                 'wrong version number')):
            with self.subTest(error=error, summary=summary):
                self.assertEqual(summary, vcenter.summarize_error(error))


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


class LoginTestCase(base.BaseTestCase):
    """The bounded login."""

    def setUp(self):
        super().setUp()
        self.login = self.useFixture(fixtures.MockPatchObject(
            vcenter.Session, '_login_once', autospec=True)).mock
        self.sleep = self.useFixture(fixtures.MockPatchObject(
            vcenter.time, 'sleep', autospec=True)).mock
        # The client, as the WSDL cache hands it over (test_wsdl_cache).
        self.useFixture(fixtures.MockPatchObject(
            wsdl_cache.WsdlCache, 'vim', autospec=True,
            return_value=mock.Mock(wsdl_url='file:///c/vimService.wsdl')))

    def test_gives_up_after_the_bound_on_every_outage(self):
        self.login.side_effect = vexc.VimConnectionException('down', REFUSED)
        for outage in (1, 2):
            with self.subTest(outage=outage):
                error = self.assertRaises(vsphere_errors.VCenterUnreachable,
                                          vcenter.connect, ENDPOINT, 5)
                self.assertEqual('[Errno 111] Connection refused',
                                 error.reason)
                self.assertEqual(outage * vcenter.LOGIN_ATTEMPTS,
                                 self.login.call_count)
        self.assertEqual([mock.call(vcenter.LOGIN_RETRY_DELAY)] *
                         2 * (vcenter.LOGIN_ATTEMPTS - 1),
                         self.sleep.call_args_list)

    def test_retries_until_it_succeeds(self):
        self.login.side_effect = [vexc.VimConnectionException('down'), None]
        session = vcenter.connect(ENDPOINT, 5)
        self.assertIsInstance(session, vcenter.Session)
        self.assertIs(ENDPOINT, session.endpoint)
        self.assertEqual(2, self.login.call_count)
        self.assertEqual(1, self.sleep.call_count)

    def test_other_faults_are_not_retried(self):
        self.login.side_effect = vexc.VimFaultException(['InvalidLogin'],
                                                        'incorrect')
        self.assertRaises(vsphere_errors.VCenterLoginFailed, vcenter.connect,
                          ENDPOINT, 5)
        self.assertEqual(1, self.login.call_count)
        self.assertFalse(self.sleep.called)

    def test_session_arguments(self):
        endpoint = vcenter.Endpoint('vc', 8443, 'admin', PASSWORD,
                                    ca_file='/ca.pem', insecure=True)
        with mock.patch.object(api.VMwareAPISession, '__init__',
                               autospec=True, return_value=None) as init:
            session = vcenter.Session(endpoint, 7,
                                      wsdl_loc='file:///vim.wsdl',
                                      create_session=False)
        init.assert_called_once_with(
            session, 'vc', 'admin', PASSWORD, 0, 0.5, scheme='https',
            port=8443, cacert='/ca.pem', insecure=False,
            connection_timeout=7, wsdl_loc='file:///vim.wsdl',
            create_session=False)


class LoginOncePinTestCase(base.BaseTestCase):
    """The private detail of oslo.vmware the bounded login relies on.

    ``VMwareAPISession._create_session`` is oslo.service's endless retry
    around the locked login; ``__wrapped__`` must be the login alone.
    """

    def setUp(self):
        super().setUp()
        with mock.patch.object(vcenter.Session, '_login_once',
                               autospec=True):
            self.session = vcenter.Session(ENDPOINT, 5)
        self.vim = mock.Mock(spec=['service_content', 'Login'])
        self.useFixture(fixtures.MockPatchObject(
            api.VMwareAPISession, 'vim', new_callable=mock.PropertyMock,
            return_value=self.vim))

    def test_is_the_wrapped_login(self):
        self.assertIs(api.VMwareAPISession._create_session.__wrapped__,
                      vcenter.Session._login_once)
        self.assertIsNot(api.VMwareAPISession._create_session,
                         vcenter.Session._login_once)

    def test_logs_in_once_and_does_not_retry(self):
        # A retry (after oslo.service's 10 s) would meet the second answer.
        self.vim.Login.side_effect = [vexc.VimConnectionException('down'),
                                      AssertionError('retried')]
        self.assertRaises(vexc.VimConnectionException,
                          vcenter.Session._login_once, self.session)
        self.assertEqual(1, self.vim.Login.call_count)

    def test_logs_in_with_the_endpoints_credentials(self):
        self.vim.Login.return_value = types.SimpleNamespace(
            key='session-1', userName='admin')
        vcenter.Session._login_once(self.session)
        self.vim.Login.assert_called_once_with(
            self.vim.service_content.sessionManager, userName='admin',
            password=PASSWORD, locale='en')


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
        self.session = mock.create_autospec(vcenter.Session, instance=True)
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

"""The one fault table: every error of a call, translated into ours.

oslo.vmware's exceptions are built here as oslo.vmware raises them, and
fed through the real client (the reduced one, as the package's sessions
build it) with vCenter's answers given at its transport: a fault of any
name, and an answer naming a type the client lacks.
"""

from oslo_vmware import exceptions as vexc
from oslo_vmware import vim_util
from oslotest import base
import requests
from suds import transport as suds_transport

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors
from nova.virt.vmwareapi.ownership.vsphere import faults
from nova.virt.vmwareapi.ownership.vsphere import session as session_mod
from nova.virt.vmwareapi.ownership.vsphere import transport
from nova.virt.vmwareapi.ownership.vsphere import vcenter
from nova.virt.vmwareapi.ownership.vsphere.wsdl import reduced
from support import faults as fault_helpers
from support import vim_answers

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
        with faults.translated(operation, ENDPOINT, 'admin'):
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
                                               exceptions.MissingPrivilege)
                self.assertEqual(
                    ('Global.SetCustomField', 'SetField', 'admin'),
                    (result.privilege, result.operation, result.username))
                # The object vCenter checked it on, when it says.
                self.assertIn(result.entity, ('group-d1', None))
                self.assertFalse(result.checked)

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
                    exceptions.MissingPrivilege, operation)
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

    def test_no_complete_answer_in_time(self):
        passed = transport.DeadlinePassed('no complete answer within 20 s')
        for error in (passed, vexc.VimConnectionException('x', passed)):
            with self.subTest(error=error):
                # A read; a write's outcome is unknown (WriteUnconfirmed).
                result = self.assertTranslated(
                    error, vsphere_errors.VCenterUnreachable,
                    'RetrievePropertiesEx')
                self.assertEqual('no complete answer within 20 s',
                                 result.reason)
                result = self.assertTranslated(
                    error, exceptions.WriteUnconfirmed, 'SetField')
                self.assertEqual('no complete answer within 20 s',
                                 result.reason)

    def test_an_answer_not_understood(self):
        result = self.assertTranslated(vexc.VimException(
            'Exception in RetrievePropertiesEx.', reduced.NotUnderstood(
                'type CustomFieldFancyValue', 'a/b')),
            vsphere_errors.AnswerNotUnderstood, 'RetrievePropertiesEx')
        self.assertEqual(
            'vCenter at https://vc.example.test:443 answered '
            'RetrievePropertiesEx with type CustomFieldFancyValue (at a/b), '
            "which nova-vmware-owner's VIM client does not know (it speaks "
            'the vSphere API 6.5): nothing of that answer was used. Report '
            'it with the vCenter version and this message.', str(result))

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
                self.assertEqual(summary, faults.summarize_error(error))


class RealClientTestCase(base.BaseTestCase):
    """vCenter's answers through the package's client and the table.

    The session is the package's (reduced WSDL, type check, bounded
    transport); the answers are given at its transport, so suds,
    oslo.vmware's fault parsing and the table run as against vCenter.
    """

    def setUp(self):
        super().setUp()
        self.session = session_mod.Session(ENDPOINT, 5)
        self.answers = fault_helpers.CallHook(self, self.session)
        self.fields = vim_util.get_moref('CustomFieldsManager',
                                         'CustomFieldsManager')

    def log_in(self):
        """What ``vcenter.connect`` does, on this test's session."""
        with faults.translated('Login', ENDPOINT, ENDPOINT.username):
            self.session.log_in()

    def set_field(self):
        return vcenter.invoke(self.session, 'SetField', self.fields,
                              entity=vim_util.get_moref(
                                  'domain-c7', 'ClusterComputeResource'),
                              key=101, value='x')

    def test_a_fault_of_any_name_reaches_the_table(self):
        # The reduced schemas declare 64 faults; vCenter may answer with
        # any of vSphere's (FileNotFound is not among the 64), or one a
        # newer vCenter invents: each is named, never read as success.
        for name, kind in (
                ('DuplicateName', exceptions.DuplicateName),
                ('InvalidArgument', vsphere_errors.InvalidArgument),
                ('FileNotFound', exceptions.VCenterFault),
                ('FancyNewFault', exceptions.VCenterFault)):
            with self.subTest(fault=name):
                self.answers.answer('SetField', fault_helpers.fault_reply(
                    name, 'vCenter says no'))
                error = self.assertRaises(exceptions.VCenterFault,
                                          self.set_field)
                self.assertIs(kind, type(error))
                self.assertEqual(('SetField', name),
                                 (error.operation, error.fault))

    def test_no_permission_names_its_privilege(self):
        self.answers.answer('SetField', fault_helpers.no_permission(
            'Global.SetCustomField'))
        error = self.assertRaises(exceptions.MissingPrivilege,
                                  self.set_field)
        self.assertEqual('Global.SetCustomField', error.privilege)

    def test_a_server_that_is_no_vcenter(self):
        self.answers.answer('RetrieveServiceContent', suds_transport.Reply(
            200, {'Content-Type': 'text/html'}, b'<html>Welcome</html>'))
        error = self.assertRaises(vsphere_errors.VCenterUnreachable,
                                  self.log_in)
        self.assertEqual('the server there does not answer as vCenter does '
                         '(its answer to Login is no SOAP document)',
                         error.reason)

    def test_an_answer_of_an_unknown_type_is_refused_by_name(self):
        self.answers.answer('RetrievePropertiesEx', vim_answers.reply(
            vim_answers.values(kind='CustomFieldFancyValue')))
        self.answers.answer('RetrieveServiceContent', vim_answers.reply(
            vim_answers.SERVICE_CONTENT))
        cluster = vim_util.get_moref('domain-c7', 'ClusterComputeResource')
        error = self.assertRaises(
            vsphere_errors.AnswerNotUnderstood, vcenter.collect,
            self.session, [(cluster, vcenter.CLUSTER_TYPE, ['customValue'])])
        self.assertEqual(
            ('RetrievePropertiesEx', 'type CustomFieldFancyValue',
             'RetrievePropertiesExResponse/returnval/objects/propSet/val/'
             'CustomFieldValue', ENDPOINT, '6.5'),
            (error.operation, error.unknown, error.path, error.endpoint,
             error.api_version))
        self.assertEqual(['RetrieveServiceContent', 'RetrievePropertiesEx'],
                         self.answers.calls)

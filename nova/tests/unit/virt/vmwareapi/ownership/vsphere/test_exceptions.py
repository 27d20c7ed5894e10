"""vCenter's errors: each names what fixes it."""

from oslotest import base

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors
from support import messages


class HierarchyTestCase(messages.MessageAssertions, base.BaseTestCase):

    def test_vcenter_errors(self):
        self.assertKinds((vsphere_errors.VCenterUnreachable,
                          vsphere_errors.VCenterLoginFailed,
                          vsphere_errors.MissingPrivilege,
                          vsphere_errors.ClusterNotFound),
                         exceptions.VCenterError)
        self.assertKinds((vsphere_errors.ManagedObjectNotFound,),
                         exceptions.VCenterFault)


class MessageTestCase(messages.MessageAssertions, base.BaseTestCase):

    def test_vcenter_unreachable(self):
        error = vsphere_errors.VCenterUnreachable(
            endpoint='https://127.0.0.1:9', reason='Connection refused')
        self.assertSays(error, 'https://127.0.0.1:9', 'Connection refused',
                        '[vmware] host_ip', 'ca_file')
        self.assertEqual('Connection refused', error.reason)

    def test_login_failed(self):
        error = vsphere_errors.VCenterLoginFailed(
            endpoint='https://vc:443', username='admin')
        self.assertSays(error, 'https://vc:443', "'admin'",
                        '[vmware] host_username', 'host_password')

    def test_missing_privilege(self):
        error = vsphere_errors.MissingPrivilege(
            privilege='Global.SetCustomField', operation='SetField',
            username='nova')
        self.assertSays(error, 'Global.SetCustomField', 'SetField',
                        "user 'nova'", 'Global.ManageCustomFields')
        self.assertEqual('Global.SetCustomField', error.privilege)
        self.assertIn('[vmware] host_username', str(
            vsphere_errors.MissingPrivilege(
                privilege='System.Read', operation='Read')))

    def test_cluster_not_found(self):
        error = vsphere_errors.ClusterNotFound(
            cluster='DC0_C9', vcenter='https://vc:443')
        self.assertSays(error, "'DC0_C9'", 'https://vc:443', 'no such',
                        '[vmware] cluster_name')
        self.assertEqual(0, error.found)
        several = vsphere_errors.ClusterNotFound(
            cluster='DC0_C0', vcenter='vc', found=2)
        self.assertSays(several, '2 clusters', 'unique')

    def test_every_message_is_one_printable_line(self):
        hostile = 'v' + messages.HOSTILE
        for error in (
                vsphere_errors.VCenterUnreachable(
                    endpoint='https://vc:443', reason=hostile),
                vsphere_errors.MissingPrivilege(
                    privilege=hostile, operation='X', username='admin')):
            with self.subTest(error=type(error).__name__):
                self.assertTrue(str(error).isprintable(), repr(str(error)))

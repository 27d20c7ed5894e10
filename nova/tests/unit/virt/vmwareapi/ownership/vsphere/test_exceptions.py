"""vCenter's errors: each names what fixes it."""

from oslotest import base

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors
from support import messages


class HierarchyTestCase(messages.MessageAssertions, base.BaseTestCase):

    def test_vcenter_errors(self):
        self.assertKinds((vsphere_errors.VCenterUnreachable,
                          vsphere_errors.VCenterLoginFailed,
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

    def test_cluster_not_found(self):
        error = vsphere_errors.ClusterNotFound(
            cluster='DC0_C9', vcenter='https://vc:443')
        self.assertSays(error, "'DC0_C9'", 'https://vc:443', 'no such',
                        '[vmware] cluster_name')
        by_moref = vsphere_errors.ClusterNotFound(
            cluster='domain-c99', vcenter='vc', by_moref=True)
        self.assertSays(by_moref, "'domain-c99'", 'managed object id',
                        '--cluster-moref')

    def test_every_message_is_one_printable_line(self):
        hostile = 'v' + messages.HOSTILE
        for error in (
                vsphere_errors.VCenterUnreachable(
                    endpoint='https://vc:443', reason=hostile),):
            with self.subTest(error=type(error).__name__):
                self.assertTrue(str(error).isprintable(), repr(str(error)))

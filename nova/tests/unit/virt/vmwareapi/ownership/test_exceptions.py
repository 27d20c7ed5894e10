"""Tests of the exceptions: each carries its data and says it."""

import importlib.util
import sys
import types
from unittest import mock

from oslotest import base

from nova.virt.vmwareapi.ownership import exceptions

LOCATION = exceptions.Location('DC0_C0', 'https://vc.example.test:443',
                               cluster_moref='domain-c7',
                               attribute='openstack.nova.owner')
REFUSALS = (exceptions.UnreadableRecord, exceptions.ClusterOwnedByAnotherHost,
            exceptions.NodeIdentityMismatch,
            exceptions.ClusterHeldByAnotherProcess)
NOT_REFUSALS = (exceptions.ConfigurationError, exceptions.VCenterError,
                exceptions.VCenterUnreachable, exceptions.VCenterLoginFailed,
                exceptions.MissingPrivilege, exceptions.ClusterNotFound,
                exceptions.VCenterFault, exceptions.OwnershipLost,
                exceptions.LockTimeout)


class HierarchyTestCase(base.BaseTestCase):

    def test_refusals(self):
        for kind in REFUSALS:
            self.assertTrue(issubclass(kind, exceptions.OwnershipRefused),
                            kind)
            self.assertTrue(issubclass(kind, exceptions.OwnershipError))

    def test_not_refusals(self):
        for kind in NOT_REFUSALS:
            self.assertFalse(issubclass(kind, exceptions.OwnershipRefused),
                             kind)
            self.assertTrue(issubclass(kind, exceptions.OwnershipError))

    def test_vcenter_errors(self):
        for kind in (exceptions.VCenterUnreachable,
                     exceptions.VCenterLoginFailed,
                     exceptions.MissingPrivilege, exceptions.ClusterNotFound,
                     exceptions.VCenterFault):
            self.assertTrue(issubclass(kind, exceptions.VCenterError), kind)

    def test_refusal_is_nova_invalid_configuration_when_nova_present(self):
        class NovaException(Exception):
            msg_fmt = 'An unknown exception occurred.'

            def __init__(self, message=None, **kwargs):
                self.kwargs = kwargs
                super().__init__(message or self.msg_fmt % kwargs)

        class InvalidConfiguration(NovaException):
            msg_fmt = 'Configuration is Invalid.'

        fake_nova = types.ModuleType('nova.exception')
        fake_nova.InvalidConfiguration = InvalidConfiguration
        spec = importlib.util.spec_from_file_location(
            'ownership_exceptions_with_nova', exceptions.__file__)
        module = importlib.util.module_from_spec(spec)
        with mock.patch.dict(sys.modules, {'nova.exception': fake_nova}):
            spec.loader.exec_module(module)
        error = module.ClusterOwnedByAnotherHost(LOCATION, 'compute-b',
                                                 'compute-a')
        self.assertIsInstance(error, InvalidConfiguration)
        self.assertIsInstance(error, module.OwnershipRefused)
        self.assertIn('compute-b', str(error))
        self.assertFalse(issubclass(module.OwnershipLost,
                                    InvalidConfiguration))


class MessageTestCase(base.BaseTestCase):

    def assertSays(self, error, *parts):
        for part in parts:
            self.assertIn(part, str(error))
        self.assertEqual(str(error), error.message)
        self.assertNotIn('\n', str(error))

    def test_location(self):
        self.assertEqual("cluster 'DC0_C0' (domain-c7) on vCenter "
                         "https://vc.example.test:443", str(LOCATION))
        self.assertIn('openstack.nova.owner', repr(LOCATION))
        self.assertIn('?', str(exceptions.Location('c', 'vc')))

    def test_shorten(self):
        self.assertEqual('None', exceptions.shorten(None))
        self.assertEqual("'abc'", exceptions.shorten('abc'))
        long_text = 'x' * 70000
        short = exceptions.shorten(long_text)
        self.assertTrue(short.startswith("'" + 'x' * 200 + "...'"))
        self.assertIn('(70000 characters)', short)
        self.assertLess(len(short), 260)
        self.assertEqual("'a\\nb'", exceptions.shorten('a\nb'))

    def test_configuration_error(self):
        error = exceptions.ConfigurationError(
            ['[vmware_ownership] a', '[vmware_ownership] b'], 'bad mix')
        self.assertSays(error, '[vmware_ownership] a, [vmware_ownership] b',
                        'bad mix')
        self.assertEqual(('[vmware_ownership] a', '[vmware_ownership] b'),
                         error.options)

    def test_vcenter_unreachable(self):
        error = exceptions.VCenterUnreachable('https://127.0.0.1:9',
                                              'Connection refused')
        self.assertSays(error, 'https://127.0.0.1:9', 'Connection refused',
                        '[vmware] host_ip', 'ca_file')
        self.assertEqual('Connection refused', error.reason)

    def test_login_failed(self):
        error = exceptions.VCenterLoginFailed('https://vc:443', 'admin')
        self.assertSays(error, 'https://vc:443', "'admin'",
                        '[vmware] host_username', 'host_password')

    def test_missing_privilege(self):
        error = exceptions.MissingPrivilege('Global.SetCustomField',
                                            'SetField', 'nova', 'detail x')
        self.assertSays(error, 'Global.SetCustomField', 'SetField',
                        "'nova'", 'detail x')
        self.assertEqual('Global.SetCustomField', error.privilege)

    def test_cluster_not_found(self):
        error = exceptions.ClusterNotFound('DC0_C9', 'https://vc:443')
        self.assertSays(error, "'DC0_C9'", 'https://vc:443', 'no such',
                        '[vmware] cluster_name')
        self.assertEqual(0, error.found)
        several = exceptions.ClusterNotFound('DC0_C0', 'vc', found=2)
        self.assertSays(several, '2 clusters', 'unique')

    def test_vcenter_fault(self):
        error = exceptions.VCenterFault('SetField', ['SystemError'], 'boom')
        self.assertSays(error, 'SetField', 'SystemError', 'boom')

    def test_unreadable(self):
        error = exceptions.UnreadableRecord('{bad', 'invalid JSON')
        self.assertSays(error, "'{bad'", 'invalid JSON',
                        'nova-vmware-owner takeover --force')
        self.assertIsNone(error.location)
        located = error.at(LOCATION)
        self.assertIsNot(error, located)
        self.assertEqual('{bad', located.raw)
        self.assertEqual('invalid JSON', located.reason)
        self.assertIs(LOCATION, located.location)
        self.assertSays(located, 'DC0_C0', 'https://vc.example.test:443',
                        "'openstack.nova.owner'")

    def test_unreadable_long_raw_truncated(self):
        raw = '{' + 'z' * 70000
        error = exceptions.UnreadableRecord(raw, 'invalid JSON', LOCATION)
        self.assertEqual(raw, error.raw)
        self.assertIn('(70001 characters)', str(error))
        self.assertLess(len(str(error)), 1000)

    def test_owned_by_another_host(self):
        error = exceptions.ClusterOwnedByAnotherHost(
            LOCATION, 'compute-b', 'compute-a', '2026-11-25T12:00:00Z')
        self.assertSays(error, 'DC0_C0', 'https://vc.example.test:443',
                        "'compute-b'", "'compute-a'",
                        '2026-11-25T12:00:00Z',
                        '[DEFAULT] host = compute-b',
                        'nova-vmware-owner takeover --host compute-a')
        self.assertEqual('compute-b', error.owner)
        self.assertEqual('compute-a', error.this_host)
        self.assertIs(LOCATION, error.location)
        self.assertIn('unknown time', str(exceptions.ClusterOwnedByAnotherHost(
            LOCATION, 'compute-b', 'compute-a')))

    def test_node_identity_mismatch(self):
        error = exceptions.NodeIdentityMismatch(LOCATION, 'uuid-r', 'uuid-l',
                                                '/var/lib/nova/compute_id')
        self.assertSays(error, 'DC0_C0', 'uuid-r', 'uuid-l',
                        '/var/lib/nova/compute_id',
                        'nova-vmware-owner release')

    def test_held_by_another_process(self):
        error = exceptions.ClusterHeldByAnotherProcess(
            LOCATION, 'm:1:ab', 'compute-a', waited=30.5)
        self.assertSays(error, 'DC0_C0', 'm:1:ab', "'compute-a'",
                        'after waiting 30 seconds', 'standby_wait',
                        'standby_timeout')
        self.assertEqual(30.5, error.waited)
        self.assertNotIn('waiting', str(exceptions.ClusterHeldByAnotherProcess(
            LOCATION, 'm:1:ab', 'compute-a')).split(':')[0])

    def test_ownership_lost(self):
        error = exceptions.OwnershipLost(LOCATION, 'm:1:me', 'compute-b',
                                         'm:2:them')
        self.assertSays(error, 'DC0_C0', 'm:1:me', "'compute-b'", 'm:2:them')

    def test_lock_timeout(self):
        error = exceptions.LockTimeout(LOCATION, 90.2)
        self.assertSays(error, 'DC0_C0', '90 seconds')
        self.assertEqual(90.2, error.waited)

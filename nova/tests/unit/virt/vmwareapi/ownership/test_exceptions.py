"""Tests of the core's exceptions: each carries its data and says it."""

import importlib.util
import inspect
import sys
import types
from unittest import mock

from oslotest import base

from nova.virt.vmwareapi import ownership
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import location as location_mod
from nova.virt.vmwareapi.ownership import refusals
from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors
from support import messages

LOCATION = location_mod.Location('DC0_C0', 'https://vc.example.test:443',
                                 cluster_moref='domain-c7',
                                 attribute='openstack.nova.owner')
REFUSALS = (refusals.UnreadableRecord, refusals.ClusterOwnedByAnotherHost,
            refusals.NotTheOwner, refusals.NodeIdentityMismatch,
            refusals.ClusterHeldByAnotherProcess, refusals.HolderIsAlive,
            refusals.ConfirmationRequired)
NOT_REFUSALS = (exceptions.ConfigurationError, exceptions.VCenterError,
                vsphere_errors.VCenterUnreachable,
                vsphere_errors.VCenterLoginFailed,
                exceptions.MissingPrivilege,
                vsphere_errors.ClusterNotFound,
                exceptions.VCenterFault, exceptions.DuplicateName,
                exceptions.DefinitionGone, vsphere_errors.NotFound,
                vsphere_errors.InvalidArgument,
                vsphere_errors.ManagedObjectNotFound, exceptions.OwnershipLost,
                exceptions.RecordChanged, exceptions.RecordBusy)


class HierarchyTestCase(messages.MessageAssertions, base.BaseTestCase):

    def test_refusals(self):
        for kind in REFUSALS:
            with self.subTest(kind=kind):
                self.assertTrue(issubclass(kind, exceptions.OwnershipRefused),
                                kind)
                self.assertTrue(issubclass(kind, exceptions.OwnershipError))

    def test_not_refusals(self):
        for kind in NOT_REFUSALS:
            with self.subTest(kind=kind):
                self.assertFalse(issubclass(kind, exceptions.OwnershipRefused),
                                 kind)
                self.assertTrue(issubclass(kind, exceptions.OwnershipError))

    def test_faults_of_the_protocol(self):
        self.assertKinds((exceptions.DuplicateName, exceptions.DefinitionGone,
                          vsphere_errors.NotFound,
                          vsphere_errors.InvalidArgument,
                          vsphere_errors.ManagedObjectNotFound),
                         exceptions.VCenterFault)

    def test_not_the_owner_is_not_owned_by_another_host(self):
        # A handler catching one must not catch the other.
        self.assertFalse(issubclass(refusals.NotTheOwner,
                                    refusals.ClusterOwnedByAnotherHost))
        self.assertFalse(issubclass(refusals.ClusterOwnedByAnotherHost,
                                    refusals.NotTheOwner))

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
        # The refusals derive from that module's OwnershipRefused.
        refusals_spec = importlib.util.spec_from_file_location(
            'ownership_refusals_with_nova', refusals.__file__)
        refusals_module = importlib.util.module_from_spec(refusals_spec)
        # ``from ... import exceptions`` reads the package's attribute.
        with mock.patch.object(ownership, 'exceptions', module):
            refusals_spec.loader.exec_module(refusals_module)
        error = refusals_module.ClusterOwnedByAnotherHost(
            location=LOCATION, owner='compute-b', this_host='compute-a')
        self.assertIsInstance(error, InvalidConfiguration)
        self.assertIsInstance(error, module.OwnershipRefused)
        self.assertIn('compute-b', str(error))
        for name in ('OwnershipLost', 'RecordChanged', 'RecordBusy',
                     'VCenterError'):
            with self.subTest(name=name):
                self.assertFalse(issubclass(getattr(module, name),
                                            InvalidConfiguration), name)
        self.assertTrue(issubclass(module.ConfigurationError,
                                   InvalidConfiguration))

    def test_without_nova_the_base_is_exception(self):
        self.assertEqual(importlib.util.find_spec('nova.exception')
                         is not None,
                         exceptions._RefusalBase is not Exception)


class DefinitionTestCase(base.BaseTestCase):
    """The one way to define an error: ``msg_fmt`` and keyword fields."""

    class Sample(exceptions.OwnershipError):
        """An error of the test."""

        msg_fmt = 'Host %(host)r of %(location)s%(late)s.'
        waited = None

        def computed(self):
            return {'late': ' after %d s' % self.waited
                    if self.waited else ''}

    def test_keyword_fields_become_attributes_and_fill_the_message(self):
        error = self.Sample(host='a', location=LOCATION, waited=3.5)
        self.assertEqual(('a', LOCATION, 3.5),
                         (error.host, error.location, error.waited))
        self.assertEqual("Host 'a' of %s after 3 s." % LOCATION, str(error))
        self.assertEqual(str(error), error.message)

    def test_a_class_attribute_is_the_default_of_a_field(self):
        error = self.Sample(host='a', location=LOCATION)
        self.assertIsNone(error.waited)
        self.assertEqual("Host 'a' of %s." % LOCATION, str(error))

    def test_a_missing_field_is_a_bug_not_a_message(self):
        self.assertRaises(AttributeError, self.Sample, host='a')

    def test_a_whole_message_replaces_the_format(self):
        error = exceptions.OwnershipRefused('as it is')
        self.assertEqual('as it is', str(error))

    def test_every_error_is_defined_so(self):
        # No error class but the root writes an __init__ of its own.
        for module in (exceptions, vsphere_errors):
            for name, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, exceptions.OwnershipError) and \
                        cls is not exceptions.OwnershipError:
                    with self.subTest(error=name):
                        self.assertNotIn('__init__', vars(cls))


class MessageTestCase(messages.MessageAssertions, base.BaseTestCase):

    def test_configuration_error(self):
        error = exceptions.ConfigurationError(
            options=('[vmware_ownership] a', '[vmware_ownership] b'),
            problem='bad mix')
        self.assertSays(error, '[vmware_ownership] a, [vmware_ownership] b',
                        'bad mix')
        self.assertEqual(('[vmware_ownership] a', '[vmware_ownership] b'),
                         error.options)

    def test_vcenter_fault(self):
        error = exceptions.VCenterFault(
            operation='SetField', fault=['SystemError'], detail='boom')
        self.assertSays(error, 'SetField', 'SystemError', 'boom')
        self.assertEqual('vCenter failed SetField with InvalidArgument.',
                         str(vsphere_errors.InvalidArgument(
                             operation='SetField', fault='InvalidArgument')))
        self.assertIn('unnamed fault', str(exceptions.VCenterFault(
            operation='X', fault=[])))
        self.assertSays(exceptions.VCenterFault(
            operation='X', fault='Y', detail='a\nb'), 'a\\nb')

    def test_unreadable(self):
        error = refusals.UnreadableRecord(raw='{bad', reason='invalid JSON')
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
        error = refusals.UnreadableRecord(
            raw=raw, reason='invalid JSON', location=LOCATION)
        self.assertEqual(raw, error.raw)
        self.assertIn('(70001 characters)', str(error))
        self.assertLess(len(str(error)), 1000)

    def test_owned_by_another_host(self):
        error = refusals.ClusterOwnedByAnotherHost(
            location=LOCATION, owner='compute-b', this_host='compute-a',
            since='2026-11-25T12:00:00Z')
        self.assertSays(error, 'DC0_C0', 'https://vc.example.test:443',
                        "'compute-b'", "'compute-a'",
                        '2026-11-25T12:00:00Z',
                        '[DEFAULT] host = compute-b',
                        'nova-vmware-owner takeover --host compute-a')
        self.assertEqual('compute-b', error.owner)
        self.assertEqual('compute-a', error.this_host)
        self.assertIs(LOCATION, error.location)
        self.assertIn('unknown time', str(refusals.ClusterOwnedByAnotherHost(
            location=LOCATION, owner='compute-b', this_host='compute-a')))

    def test_node_identity_mismatch(self):
        error = refusals.NodeIdentityMismatch(
            location=LOCATION, recorded='uuid-r', local='uuid-l',
            path='/var/lib/nova/compute_id')
        self.assertSays(error, 'DC0_C0', 'uuid-r', 'uuid-l',
                        '/var/lib/nova/compute_id',
                        'nova-vmware-owner release')

    def test_held_by_another_process(self):
        error = refusals.ClusterHeldByAnotherProcess(
            location=LOCATION, holder='m:1:ab', this_host='compute-a',
            waited=30.5)
        self.assertSays(error, 'DC0_C0', 'm:1:ab', "'compute-a'",
                        'after waiting 30 seconds', 'standby_wait',
                        'standby_timeout')
        self.assertEqual(30.5, error.waited)
        unwaited = refusals.ClusterHeldByAnotherProcess(
            location=LOCATION, holder='m:1:ab', this_host='compute-a')
        self.assertNotIn('waiting', str(unwaited).split(':')[0])

    def test_ownership_lost(self):
        error = exceptions.OwnershipLost(location=LOCATION, holder='m:1:me',
                                         what='the record now names host b')
        self.assertSays(error, 'DC0_C0', 'm:1:me',
                        'the record now names host b', 'writes nothing more')
        self.assertEqual(('m:1:me', 'the record now names host b'),
                         (error.holder, error.what))

    def test_ownership_lost_escapes_what_it_read(self):
        error = exceptions.OwnershipLost(
            location=LOCATION, holder='m:1:me',
            what='holder m:2:x' + messages.HOSTILE)
        self.assertSays(error, 'holder m:2:x\\n')
        self.assertTrue(str(error).isprintable())

    def test_record_changed(self):
        error = exceptions.RecordChanged(
            location=LOCATION, what='another process won')
        self.assertSays(error, 'DC0_C0', 'another process won',
                        'Nothing of this command was written',
                        'nova-vmware-owner show')
        self.assertEqual('another process won', error.what)

    def test_record_busy(self):
        error = exceptions.RecordBusy(
            location=LOCATION, waited=90.2,
            lease_attribute='x.lease.domain-c7')
        self.assertSays(error, 'DC0_C0', '90 seconds',
                        "'x.lease.domain-c7'", 'Run the command again')
        self.assertEqual(90.2, error.waited)

    def test_not_the_owner(self):
        error = refusals.NotTheOwner(
            location=LOCATION, owner='compute-b', this_host='compute-a')
        self.assertSays(error, 'DC0_C0', "'compute-b'", "'compute-a'",
                        '--force')

    def test_holder_is_alive(self):
        error = refusals.HolderIsAlive(
            location=LOCATION, holder='m:1:a\n', observed_seconds=12.7)
        self.assertSays(error, 'm:1:a\\n', 'within 12 seconds', '--force')

    def test_confirmation_required(self):
        error = refusals.ConfirmationRequired(
            command='takeover', reason='no terminal')
        self.assertSays(error, 'no terminal', 'nova-vmware-owner takeover',
                        '--yes')

    def test_missing_privilege_refused_by_vcenter(self):
        error = exceptions.MissingPrivilege(
            privilege='Global.SetCustomField', operation='SetField',
            username='nova', entity="cluster 'DC0_C0' (domain-c7)")
        self.assertSays(error, "user 'nova' lacks the privilege "
                        "Global.SetCustomField on cluster 'DC0_C0' "
                        "(domain-c7), so vCenter refused SetField",
                        'Grant it to the role of that user',
                        'nova-vmware-owner doctor',
                        'System.Read, Global.ManageCustomFields, '
                        'Global.SetCustomField, Global.LogEvent')
        self.assertNotIn('nothing was written', str(error))
        self.assertEqual('Global.SetCustomField', error.privilege)
        self.assertIn('the user of [vmware] host_username', str(
            exceptions.MissingPrivilege(
                privilege='System.Read', operation='Read')))

    def test_missing_privileges_found_before_writing(self):
        error = exceptions.MissingPrivilege(
            privilege='Global.ManageCustomFields',
            entity='the root folder (group-d1)', operation='claim',
            username='nova', checked=True,
            also=(('Global.LogEvent', "cluster 'DC0_C0' (domain-c7)"),))
        self.assertSays(error, 'the privileges Global.ManageCustomFields on '
                        'the root folder (group-d1) and Global.LogEvent on '
                        "cluster 'DC0_C0' (domain-c7), which claim needs; "
                        'nothing was written', 'Grant them')

    def test_every_message_is_one_printable_line(self):
        # What comes from vCenter, as it comes. Host names are validated
        # (record.is_host_name), the endpoint and user are configured.
        hostile = 'v' + messages.HOSTILE
        location = location_mod.Location(hostile, hostile, hostile, hostile)
        for error in (
                refusals.UnreadableRecord(
                    raw=hostile, reason=hostile, location=location),
                refusals.ClusterOwnedByAnotherHost(
                    location=location, owner='compute-b',
                    this_host='compute-a', since=hostile),
                refusals.NotTheOwner(
                    location=location, owner='compute-b',
                    this_host='compute-a'),
                refusals.NodeIdentityMismatch(
                    location=location, recorded=hostile, local=hostile),
                refusals.ClusterHeldByAnotherProcess(
                    location=location, holder=hostile, this_host=hostile,
                    waited=3),
                refusals.HolderIsAlive(
                    location=location, holder=hostile, observed_seconds=3),
                exceptions.RecordChanged(location=location, what='x'),
                exceptions.RecordBusy(
                    location=location, waited=3, lease_attribute=hostile),
                exceptions.OwnershipLost(
                    location=location, holder=hostile, what=hostile),
                exceptions.VCenterFault(
                    operation='X', fault=hostile, detail=hostile),
                exceptions.MissingPrivilege(
                    privilege=hostile, operation='X', username='admin',
                    entity=hostile, also=((hostile, hostile),))):
            with self.subTest(error=type(error).__name__):
                self.assertTrue(str(error).isprintable(), repr(str(error)))

    def test_values_as_vcenter_hands_them_over(self):
        # suds' Text, whose repr() is the raw text (issue 19).
        forged = messages.vim_text(messages.FORGED)
        location = location_mod.Location(forged, 'vc', forged, 'a')
        for error in (
                refusals.UnreadableRecord(raw=forged, reason='bad',
                                          location=location),
                refusals.ClusterHeldByAnotherProcess(
                    location=location, holder=forged, this_host='compute-a'),
                exceptions.OwnershipLost(location=location, holder='m:1:a',
                                         what='holder %s' % forged),
                exceptions.RecordChanged(location=location,
                                         what='holder %s' % forged),
                refusals.HolderIsAlive(location=location, holder=forged,
                                       observed_seconds=3)):
            with self.subTest(error=type(error).__name__):
                self.assertTrue(str(error).isprintable(), repr(str(error)))

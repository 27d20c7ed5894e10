"""Tests of the vCenter store with a mocked oslo.vmware session.

The calls and their vCenter behaviour are exercised against the simulator
by the functional tests; these tests pin the fault translation and the
parsing of PropertyCollector results, which the simulator cannot provoke
at will.
"""

import types
from unittest import mock

from oslo_vmware import api
from oslo_vmware import exceptions as vexc
from oslo_vmware import vim_util
from oslotest import base

from nova.tests.unit.virt.vmwareapi.ownership import fakes
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import store

NS = types.SimpleNamespace
LOCK_NAME = store.lock_name(fakes.ATTRIBUTE, fakes.MOREF)
RAW = '{"v":1,"host":"compute-a","seq":3}'


def field_defs(*pairs):
    return NS(CustomFieldDef=[NS(key=key, name=name) for key, name in pairs])


def values(*pairs):
    return NS(CustomFieldValue=[NS(key=key, value=value)
                                for key, value in pairs])


def result(name='DC0_C0', custom=None, fields=None):
    """A RetrievePropertiesEx result for the cluster and the manager."""
    cluster_props = []
    if name is not None:
        cluster_props.append(NS(name='name', val=name))
    if custom is not None:
        cluster_props.append(NS(name='customValue', val=custom))
    objects = []
    if cluster_props:
        objects.append(NS(obj=fakes.MOREF, propSet=cluster_props))
    if fields is not None:
        objects.append(NS(obj='cfm', propSet=[NS(name='field', val=fields)]))
    return NS(objects=objects)


def fault(*names, details=None):
    return vexc.VimFaultException(list(names), 'fault %s' % (names,),
                                  details=details)


class StoreTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.session = mock.create_autospec(api.VMwareAPISession,
                                            instance=True)
        self.vim = NS(
            client=NS(factory=NS(create=lambda kind: NS(kind=kind))),
            service_content=NS(customFieldsManager='cfm',
                               propertyCollector='pc', eventManager='em'))
        self.session.vim = self.vim
        self.cluster = vim_util.get_moref(fakes.MOREF, store.CLUSTER_TYPE)
        self.store = store.ClusterStore(self.session, self.cluster,
                                        fakes.ATTRIBUTE, fakes.location())

    def answer(self, *outcomes):
        """invoke_api returns or raises each outcome in turn."""
        self.session.invoke_api.side_effect = list(outcomes)

    def methods(self):
        return [c.args[1] for c in self.session.invoke_api.call_args_list]


class FaultTranslationTestCase(StoreTestCase):
    """Failures first: every oslo.vmware fault becomes one of ours."""

    def test_no_permission_exception_on_add(self):
        self.answer(vexc.NoPermissionException('denied'))
        error = self.assertRaises(exceptions.MissingPrivilege,
                                  self.store.ensure_field)
        self.assertEqual('Global.ManageCustomFields', error.privilege)
        self.assertIn('Global.ManageCustomFields', str(error))
        self.assertIn('AddCustomFieldDef', str(error))

    def test_no_permission_fault_on_set_field(self):
        self.answer(fault('NoPermission'))
        error = self.assertRaises(exceptions.MissingPrivilege,
                                  self.store.write, RAW, 101)
        self.assertEqual('Global.SetCustomField', error.privilege)
        self.assertIn('Global.SetCustomField', str(error))

    def test_no_permission_on_remove_and_lock(self):
        self.answer(vexc.NoPermissionException('denied'),
                    fault('NoPermission'))
        error = self.assertRaises(exceptions.MissingPrivilege,
                                  self.store.remove_lock, 7)
        self.assertIn('Global.ManageCustomFields', str(error))
        error = self.assertRaises(exceptions.MissingPrivilege,
                                  self.store.create_lock)
        self.assertIn('Global.ManageCustomFields', str(error))

    def test_privilege_named_by_vcenter_wins(self):
        self.answer(vexc.NoPermissionException(
            'denied', details={'privilegeId': 'Global.Special'}))
        error = self.assertRaises(exceptions.MissingPrivilege,
                                  self.store.write, RAW, 101)
        self.assertEqual('Global.Special', error.privilege)

    def test_connection_error(self):
        self.answer(vexc.VimConnectionException(
            'requests error', ConnectionRefusedError(111, 'refused')))
        error = self.assertRaises(exceptions.VCenterUnreachable,
                                  self.store.read)
        self.assertEqual(fakes.VCENTER, error.endpoint)
        self.assertIn('refused', error.reason)

    def test_session_overload(self):
        self.answer(vexc.VimSessionOverLoadException('busy'))
        self.assertRaises(exceptions.VCenterUnreachable, self.store.write,
                          RAW, 101)

    def test_connection_error_on_lock_calls(self):
        self.answer(vexc.VimConnectionException('down'),
                    vexc.VimConnectionException('down'))
        self.assertRaises(exceptions.VCenterUnreachable,
                          self.store.create_lock)
        self.assertRaises(exceptions.VCenterUnreachable,
                          self.store.remove_lock, 7)

    def test_other_fault(self):
        self.answer(fault('SystemError'))
        error = self.assertRaises(exceptions.VCenterFault, self.store.write,
                                  RAW, 101)
        self.assertEqual('SetField', error.operation)
        self.assertEqual(['SystemError'], error.fault)
        self.assertNotIsInstance(error, exceptions.OwnershipRefused)

    def test_other_vim_exception(self):
        self.answer(vexc.InvalidPropertyException('bad'))
        error = self.assertRaises(exceptions.VCenterFault,
                                  self.store.post_event, 'hello')
        self.assertEqual('InvalidPropertyException', error.fault)

    def test_invalid_login(self):
        self.answer(fault('InvalidLogin'))
        self.assertRaises(exceptions.VCenterLoginFailed, self.store.read)

    def test_other_fault_on_remove(self):
        self.answer(fault('SystemError'))
        self.assertRaises(exceptions.VCenterFault, self.store.remove_lock, 7)

    def test_other_fault_on_add(self):
        self.answer(fault('InvalidArgument'))
        self.assertRaises(exceptions.VCenterFault, self.store.ensure_field)

    def test_ours_pass_through(self):
        error = exceptions.ClusterNotFound('c', 'vc')

        def block():
            with store.translated_faults('SetField'):
                raise error
        self.assertIs(error, self.assertRaises(exceptions.ClusterNotFound,
                                               block))

    def test_unrelated_errors_untouched(self):
        def block():
            with store.translated_faults('SetField'):
                raise KeyError('x')
        self.assertRaises(KeyError, block)

    def test_endpoint_defaults(self):
        def block():
            with store.translated_faults('SetField'):
                raise vexc.VimConnectionException('down')
        error = self.assertRaises(exceptions.VCenterUnreachable, block)
        self.assertEqual('vCenter', error.endpoint)


class ReadTestCase(StoreTestCase):

    def test_missing_cluster_empty_answer(self):
        # oslo.vmware returns [] for an empty RetrievePropertiesEx answer.
        self.answer([])
        error = self.assertRaises(exceptions.ClusterNotFound, self.store.read)
        self.assertEqual('DC0_C0', error.cluster)
        self.assertEqual(fakes.VCENTER, error.vcenter)

    def test_missing_cluster_only_manager_answers(self):
        self.answer(result(name=None, fields=field_defs(
            (101, fakes.ATTRIBUTE))))
        self.assertRaises(exceptions.ClusterNotFound, self.store.read)

    def test_missing_cluster_object_not_found(self):
        self.answer(vexc.ManagedObjectNotFoundException('gone'))
        self.assertRaises(exceptions.ClusterNotFound, self.store.read)

    def test_read_one_round_trip(self):
        self.answer(result(custom=values((101, RAW)),
                           fields=field_defs((101, fakes.ATTRIBUTE))))
        self.store.read()
        self.session.invoke_api.assert_called_once_with(
            self.vim, 'RetrievePropertiesEx', 'pc', specSet=mock.ANY,
            options=mock.ANY)
        spec = self.session.invoke_api.call_args.kwargs['specSet'][0]
        self.assertEqual([self.cluster, 'cfm'],
                         [o.obj for o in spec.objectSet])
        self.assertEqual([['name', 'customValue'], ['field']],
                         [p.pathSet for p in spec.propSet])
        for object_spec in spec.objectSet:
            self.assertEqual([], object_spec.selectSet)

    def test_read_value(self):
        self.answer(result(
            custom=values((5, 'other value'), (101, RAW)),
            fields=field_defs((5, 'other'), (101, fakes.ATTRIBUTE))))
        reading = self.store.read()
        self.assertEqual(RAW, reading.raw)
        self.assertEqual(101, reading.field_key)
        self.assertIsNone(reading.lock_key)
        self.assertEqual('DC0_C0', reading.cluster_name)
        self.assertEqual('compute-a', reading.record().host)
        self.assertIn('101', repr(reading))

    def test_read_lock_key(self):
        self.answer(result(fields=field_defs(
            (101, fakes.ATTRIBUTE), (102, LOCK_NAME),
            (103, store.lock_name(fakes.ATTRIBUTE, 'domain-c99')))))
        reading = self.store.read()
        self.assertEqual(102, reading.lock_key)
        self.assertEqual(101, reading.field_key)
        self.assertIsNone(reading.raw)

    def test_read_no_definitions(self):
        self.answer(result(custom=values((101, RAW))))
        reading = self.store.read()
        self.assertIsNone(reading.field_key)
        self.assertIsNone(reading.lock_key)
        self.assertIsNone(reading.raw)
        self.assertIsNone(reading.record())

    def test_read_field_without_value(self):
        self.answer(result(custom=values((5, 'x')),
                           fields=field_defs((101, fakes.ATTRIBUTE))))
        reading = self.store.read()
        self.assertEqual(101, reading.field_key)
        self.assertIsNone(reading.raw)

    def test_read_value_without_value_attribute(self):
        self.answer(result(custom=NS(CustomFieldValue=[NS(key=101)]),
                           fields=field_defs((101, fakes.ATTRIBUTE))))
        self.assertIsNone(self.store.read().raw)

    def test_read_empty_arrays(self):
        self.answer(result(custom=NS(), fields=NS()))
        reading = self.store.read()
        self.assertIsNone(reading.field_key)
        self.assertIsNone(reading.raw)

    def test_read_unreadable_value(self):
        self.answer(result(custom=values((101, '{broken')),
                           fields=field_defs((101, fakes.ATTRIBUTE))))
        reading = self.store.read()
        self.assertEqual('{broken', reading.raw)
        self.assertRaises(exceptions.UnreadableRecord, reading.record)


class WriteTestCase(StoreTestCase):

    def test_write(self):
        self.answer(None)
        self.store.write(RAW, 101)
        self.session.invoke_api.assert_called_once_with(
            self.vim, 'SetField', 'cfm', entity=self.cluster, key=101,
            value=RAW)

    def test_post_event(self):
        self.answer(None)
        self.store.post_event('Claimed by compute-a')
        self.session.invoke_api.assert_called_once_with(
            self.vim, 'LogUserEvent', 'em', entity=self.cluster,
            msg='Claimed by compute-a')


class DefinitionTestCase(StoreTestCase):

    def test_lock_name(self):
        self.assertEqual('openstack.nova.owner.lock.domain-c7', LOCK_NAME)
        self.assertEqual(LOCK_NAME, self.store.lock_name)

    def test_ensure_field_creates(self):
        self.answer(NS(key=101, name=fakes.ATTRIBUTE))
        self.assertEqual(101, self.store.ensure_field())
        self.session.invoke_api.assert_called_once_with(
            self.vim, 'AddCustomFieldDef', 'cfm', name=fakes.ATTRIBUTE,
            moType='ClusterComputeResource')

    def test_ensure_field_exists(self):
        for duplicate in (vexc.DuplicateName('exists'),
                          fault('DuplicateName')):
            self.session.invoke_api.reset_mock()
            self.answer(duplicate, result(fields=field_defs(
                (101, fakes.ATTRIBUTE))))
            self.assertEqual(101, self.store.ensure_field())
            self.assertEqual(['AddCustomFieldDef', 'RetrievePropertiesEx'],
                             self.methods())

    def test_create_lock(self):
        self.answer(NS(key=102, name=LOCK_NAME))
        self.assertEqual(102, self.store.create_lock())
        self.session.invoke_api.assert_called_once_with(
            self.vim, 'AddCustomFieldDef', 'cfm', name=LOCK_NAME,
            moType='ClusterComputeResource')

    def test_create_lock_held(self):
        for duplicate in (vexc.DuplicateName('exists'),
                          fault('DuplicateName')):
            self.answer(duplicate, result(fields=field_defs(
                (101, fakes.ATTRIBUTE), (102, LOCK_NAME))))
            error = self.assertRaises(store.LockHeld, self.store.create_lock)
            self.assertEqual(102, error.key)

    def test_create_lock_held_then_gone(self):
        self.answer(vexc.DuplicateName('exists'),
                    result(fields=field_defs((101, fakes.ATTRIBUTE))))
        error = self.assertRaises(store.LockHeld, self.store.create_lock)
        self.assertIsNone(error.key)

    def test_remove_lock(self):
        self.answer(None)
        self.assertTrue(self.store.remove_lock(102))
        self.session.invoke_api.assert_called_once_with(
            self.vim, 'RemoveCustomFieldDef', 'cfm', key=102)

    def test_remove_lock_gone(self):
        for gone in (fault('NotFound'), fault('InvalidArgument')):
            self.answer(gone)
            self.assertFalse(self.store.remove_lock(102))


class SummarizeErrorTestCase(base.BaseTestCase):

    def test_errno(self):
        text = ("HTTPSConnectionPool(host='127.0.0.1', port=9): Max retries "
                "exceeded with url: /sdk (Caused by NewConnectionError('<x>: "
                "Failed to establish a new connection: [Errno 111] "
                "Connection refused'))")
        self.assertEqual('[Errno 111] Connection refused',
                         store.summarize_error(Exception(text)))

    def test_negative_errno(self):
        text = "Failed to resolve 'vc' ([Errno -2] Name or service not known)"
        self.assertEqual('[Errno -2] Name or service not known',
                         store.summarize_error(Exception(text)))

    def test_ssl(self):
        text = ("HTTPSConnectionPool(host='127.0.0.1', port=9): (Caused by "
                "SSLError(SSLCertVerificationError(1, '[SSL: "
                "CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-"
                "signed certificate (_ssl.c:1006)')))")
        self.assertEqual('certificate verify failed: self-signed certificate',
                         store.summarize_error(Exception(text)))

    def test_timeout(self):
        self.assertEqual('connection timed out', store.summarize_error(
            Exception('Read Timed Out. (read timeout=10)')))

    def test_plain(self):
        self.assertEqual('first', store.summarize_error(
            Exception('first\nsecond')))
        self.assertEqual('ValueError', store.summarize_error(ValueError()))


class TranslatedConnectionErrorTestCase(base.BaseTestCase):

    def test_connection_error_is_summarized(self):
        cause = Exception(
            "HTTPSConnectionPool(host='vc', port=443): Max retries exceeded "
            "with url: /sdk (Caused by NewConnectionError('<conn>: Failed "
            "to establish a new connection: [Errno 111] Connection "
            "refused'))")

        def fail():
            with store.translated_faults('SetField', 'https://vc:443'):
                raise vexc.VimConnectionException('requests error', cause)

        error = self.assertRaises(exceptions.VCenterUnreachable, fail)
        self.assertEqual('[Errno 111] Connection refused', error.reason)

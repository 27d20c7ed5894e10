"""Functional tests of the vCenter simulator test bed itself (tools/vcsim).

Each test proves that one of the test bed's fixes to vcsim is needed: it
fails when that fix is removed. Which test covers which fix
(tools/vcsim/README.rst explains each fix):

=====================================  =====================================
fix                                    tests
=====================================  =====================================
1 VIM WSDL served at /sdk              test_wsdl_files_are_served,
                                       test_session_needs_no_wsdl_location
                                       (and every SimulatorTestCase:
                                       its session loads the served WSDL)
2 TraversalSpec only on its type       TestRecursiveTraversal
3 SetField replaces the value          test_set_field_twice_keeps_one_value
4 ExtensionManager methods             test_find_extension_unknown_key,
                                       test_register_and_find_extension,
                                       test_nova_extension_registration
5 zone-less xsd:dateTime accepted      test_zoneless_timestamp_is_accepted,
                                       test_nova_extension_registration
6 keyed property paths                 test_keyed_extra_config_path,
                                       test_keyed_path_to_missing_key
7 EventManager.LogUserEvent            test_log_user_event_on_cluster,
                                       test_latest_event_is_the_logged_event
7b EventManager.latestEvent set        test_latest_event_is_the_logged_event
8 VMFS datastores                      test_datastores_are_vmfs
9 integral decimals ("1024.0")         test_integral_decimal_is_accepted,
                                       test_fractional_integer_is_refused
10 dcPath=ha-datacenter uploads        test_upload_with_ha_datacenter_path
11 CopyVirtualDisk, no destDatacenter  test_copy_disk_without_dest_datacenter
launcher: one user/password pair       test_wrong_password_is_refused,
                                       test_wrong_username_is_refused
launcher: TLS with the fixture's CA    test_tls_verified_with_generated_ca,
                                       test_tls_rejected_with_wrong_ca
launcher: --url-file, clean SIGTERM    TestLauncher
=====================================  =====================================

The custom-field tests check vcsim behaviour the product's store relies on
(doc/source/how-it-works.rst) that needed no fix: DuplicateName, read-back
of ``field``, ``availableField`` and ``customValue``. Fixes 12-17 (vCenter's
faults, events and privileges) are tested in ``test_simulator_vcenter.py``,
fixes 8-11 (what nova needs to boot a server) in
``test_simulator_nova_boot.py``.

Calls that could crash the simulator without a fix are made on the
``Vim`` object directly, so a failure is reported at once; calls whose
faults matter go through ``vcenter``, as the product makes them.
"""

import dataclasses

import requests
import testtools

from oslo_vmware import api
from oslo_vmware import vim_util

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors
from nova.virt.vmwareapi.ownership.vsphere import vcenter
from support import raw_vcenter
from support import sharing
from support import simulator

unique = raw_vcenter.unique

WSDL_FILES = ('vimService.wsdl', 'vim.wsdl', 'vim-messagetypes.xsd',
              'vim-types.xsd', 'core-types.xsd', 'query-types.xsd',
              'reflect-types.xsd')


class TestLauncher(testtools.TestCase):
    """The simulator's launcher (main.go): the URL file and a clean stop."""

    def test_url_file_and_clean_sigterm(self):
        sim = self.useFixture(simulator.VCenterSimulator(vms=0))
        self.assertRegex(sim.url, r'^https://127\.0\.0\.1:\d+/sdk$')
        self.assertEqual('127.0.0.1', sim.host)
        self.assertTrue(sim.is_running())
        self.assertEqual(0, sim.stop())
        self.assertFalse(sim.is_running())


class TestRecursiveTraversal(testtools.TestCase):
    """Fix 2: oslo.vmware's recursive TraversalSpec does not kill vcsim.

    Its own simulator: without the fix the simulator dies.
    """

    def test_get_objects_finds_clusters(self):
        sim = self.useFixture(simulator.VCenterSimulator(clusters=2,
                                                         hosts=2, vms=2))
        # nova's session: the whole VIM client.
        session = sim.full_session()
        # What nova's vm_util.get_cluster_ref_by_name does.
        result = vim_util.get_objects(session.vim, 'ClusterComputeResource',
                                      100, ['name'])
        names = sorted(o.propSet[0].val for o in result.objects)
        self.assertEqual(['DC0_C0', 'DC0_C1'], names)
        result = vim_util.get_objects(session.vim, 'VirtualMachine', 100,
                                      ['name'])
        self.assertEqual(4, len(result.objects))
        self.assertTrue(sim.is_running(), sim.log())


class TestSimulator(sharing.SharedSimulatorMixin, testtools.TestCase):

    SIMULATOR_OPTIONS = sharing.RUN_OPTIONS
    OWN_SIMULATOR = 'test_latest_event_is_the_logged_event reads latestEvent'
    # The simulator's fixes, tested as nova calls them: methods and types
    # the package's reduced client does not have.
    FULL_SESSION = True

    @property
    def vim(self):
        return self.session.vim

    @property
    def content(self):
        return self.vim.service_content

    def cluster(self, name='DC0_C0'):
        ref = self.vim.FindByInventoryPath(self.content.searchIndex,
                                           inventoryPath='DC0/host/' + name)
        self.assertIsNotNone(ref, 'no cluster %s' % name)
        return ref

    def vm(self, name='DC0_C0_RP0_VM0'):
        ref = self.vim.FindByInventoryPath(self.content.searchIndex,
                                           inventoryPath='DC0/vm/' + name)
        self.assertIsNotNone(ref, 'no VM %s' % name)
        return ref

    def add_field(self, name=None):
        return self.vim.AddCustomFieldDef(
            self.content.customFieldsManager, name=name or unique('field'),
            moType='ClusterComputeResource')

    # Fix 1: the VIM WSDL.

    def test_wsdl_files_are_served(self):
        for name in WSDL_FILES:
            with self.subTest(name=name):
                resp = requests.get('%s/%s' % (self.simulator.url, name),
                                    verify=self.simulator.ca_file, timeout=30)
                self.assertEqual(200, resp.status_code, name)
                self.assertIn(b'<?xml', resp.content[:100], name)

    def test_session_needs_no_wsdl_location(self):
        # oslo.vmware's own session, as nova makes it: no wsdl_loc, so its
        # client loads the WSDL from the simulator, as from a vCenter.
        sim = self.simulator
        session = api.VMwareAPISession(
            sim.host, sim.username, sim.password, 1, 0.1, port=sim.port,
            cacert=sim.ca_file, insecure=False, connection_timeout=30)
        self.addCleanup(session.logout)
        self.assertEqual(sim.url + '/vimService.wsdl', session.vim.wsdl_url)
        self.assertEqual('VirtualCenter',
                         session.vim.service_content.about.apiType)
        self.assertTrue(session.is_current_session_active())

    # Launcher: credentials and TLS.

    def endpoint(self, **changes):
        """The simulator's endpoint with some of its values changed."""
        return dataclasses.replace(self.simulator.endpoint(), **changes)

    def test_wrong_password_is_refused(self):
        # vcenter translates the simulator's InvalidLogin fault.
        self.assertRaises(
            vsphere_errors.VCenterLoginFailed, vcenter.connect,
            self.endpoint(password='not-' + self.simulator.password), 30)

    def test_wrong_username_is_refused(self):
        self.assertRaises(vsphere_errors.VCenterLoginFailed, vcenter.connect,
                          self.endpoint(username='someone-else'), 30)

    def test_tls_verified_with_generated_ca(self):
        self.assertTrue(self.simulator.url.startswith('https://'))
        resp = requests.head(self.simulator.url + '/vimService.wsdl',
                             verify=self.simulator.ca_file, timeout=30)
        self.assertEqual(200, resp.status_code)

    def test_tls_rejected_with_wrong_ca(self):
        tmp = self.useFixture(simulator.fixtures.TempDir()).path
        wrong_ca, _ = simulator.make_self_signed_cert(tmp, 'other')
        # The WSDL may already be in oslo.vmware's process-wide cache, so
        # the first request is either the WSDL fetch or the login.
        e = self.assertRaises(vsphere_errors.VCenterUnreachable,
                              vcenter.connect,
                              self.endpoint(ca_file=wrong_ca), 30)
        self.assertIn('certificate verify failed', str(e))

    # Fix 2 (on the shared simulator as well: nova's exact call).

    def test_get_cluster_by_name_with_recursive_traversal(self):
        result = vim_util.get_objects(self.vim, 'ClusterComputeResource',
                                      100, ['name'])
        by_name = {o.propSet[0].val: o.obj for o in result.objects}
        self.assertEqual(self.cluster('DC0_C1').value,
                         by_name['DC0_C1'].value)

    # Custom fields (doc/source/how-it-works.rst); fix 3.

    def test_add_custom_field_def_with_existing_name(self):
        field = self.add_field()
        # vcenter's fault table names the fault: the simulator's answer
        # carries an empty fault string.
        self.assertRaises(exceptions.DuplicateName, vcenter.invoke,
                          self.session, 'AddCustomFieldDef',
                          self.content.customFieldsManager, name=field.name,
                          moType='ClusterComputeResource')

    def test_field_definitions_read_back(self):
        field = self.add_field()
        defs = vim_util.get_object_property(
            self.vim, self.content.customFieldsManager, 'field')
        mine = [d for d in defs.CustomFieldDef if d.key == field.key]
        self.assertEqual(1, len(mine))
        self.assertEqual(field.name, mine[0].name)
        self.assertEqual('ClusterComputeResource', mine[0].managedObjectType)
        available = vim_util.get_object_property(self.vim, self.cluster(),
                                                 'availableField')
        self.assertIn(field.key, [d.key for d in available.CustomFieldDef])

    def test_set_field_twice_keeps_one_value(self):
        cfm = self.content.customFieldsManager
        cluster = self.cluster('DC0_C1')
        field = self.add_field()
        self.vim.SetField(cfm, entity=cluster, key=field.key, value='first')
        self.vim.SetField(cfm, entity=cluster, key=field.key,
                          value='second \u2603')
        values = vim_util.get_object_property(self.vim, cluster,
                                              'customValue')
        mine = [v.value for v in values.CustomFieldValue
                if v.key == field.key]
        self.assertEqual(['second \u2603'], mine)

    # Fix 4: ExtensionManager; fix 5: zone-less timestamps.

    def test_find_extension_unknown_key(self):
        self.assertIsNone(vim_util.find_extension(self.vim, unique('ext')))

    def test_register_and_find_extension(self):
        key = unique('org.example')
        ext = self.vim.client.factory.create('ns0:Extension')
        ext.key = key
        ext.version = '1.0'
        desc = self.vim.client.factory.create('ns0:Description')
        desc.label = 'label'
        desc.summary = 'summary'
        ext.description = desc
        # With a zone, so this test does not depend on fix 5.
        ext.lastHeartbeatTime = '2026-01-02T03:04:05Z'
        self.vim.RegisterExtension(self.content.extensionManager,
                                   extension=ext)
        found = vim_util.find_extension(self.vim, key)
        self.assertEqual(key, found.key)
        self.assertEqual('1.0', found.version)

    def test_nova_extension_registration(self):
        # What nova's VMwareVCDriver does at start; oslo.vmware sends a
        # zone-less lastHeartbeatTime.
        key = unique('org.openstack.compute')
        self.assertIsNone(vim_util.find_extension(self.vim, key))
        vim_util.register_extension(self.vim, key, 'instance')
        found = vim_util.find_extension(self.vim, key)
        self.assertEqual(key, found.key)
        self.assertEqual('instance', found.managedEntityInfo[0].type)

    def test_zoneless_timestamp_is_accepted(self):
        # QueryEvents does not need fix 4; the decoder sees the timestamp.
        factory = self.vim.client.factory
        spec = factory.create('ns0:EventFilterSpec')
        spec.time = factory.create('ns0:EventFilterSpecByTime')
        spec.time.beginTime = '2020-01-02T03:04:05'
        events = self.vim.QueryEvents(self.content.eventManager, filter=spec)
        self.assertIsNotNone(events)

    # Fix 6: keyed property paths.

    def test_keyed_extra_config_path(self):
        vm = self.vm()
        key = unique('nvp.vm-uuid')
        spec = self.vim.client.factory.create('ns0:VirtualMachineConfigSpec')
        opt = self.vim.client.factory.create('ns0:OptionValue')
        opt.key = key
        opt.value = 'e8b1e3c6-0000-4000-8000-000000000001'
        spec.extraConfig = [opt]
        task = self.vim.ReconfigVM_Task(vm, spec=spec)
        self.session.wait_for_task(task)
        value = vim_util.get_object_property(
            self.vim, vm, 'config.extraConfig["%s"]' % key)
        self.assertEqual(key, value.key)
        self.assertEqual('e8b1e3c6-0000-4000-8000-000000000001', value.value)

    def test_keyed_path_to_missing_key(self):
        # Like vCenter: a key that is not there is an absent property
        # (nova's list_instances relies on it), not InvalidProperty.
        result = self.vim.RetrievePropertiesEx(
            self.content.propertyCollector,
            specSet=[self._filter_spec(self.vm(),
                                       'config.extraConfig["nvp.absent"]')],
            options=self.vim.client.factory.create('ns0:RetrieveOptions'))
        obj = result.objects[0]
        self.assertFalse(getattr(obj, 'missingSet', None))
        self.assertFalse(getattr(obj, 'propSet', None))

    def _filter_spec(self, moref, path):
        factory = self.vim.client.factory
        prop = vim_util.build_property_spec(factory, moref._type, [path])
        obj = vim_util.build_object_spec(factory, moref, [])
        return vim_util.build_property_filter_spec(factory, [prop], [obj])

    # Fix 7: LogUserEvent.

    def test_log_user_event_on_cluster(self):
        cluster = self.cluster('DC0_C1')
        msg = unique('ownership of DC0_C1 moved from a to b')
        self.vim.LogUserEvent(self.content.eventManager, entity=cluster,
                              msg=msg)

        factory = self.vim.client.factory
        spec = factory.create('ns0:EventFilterSpec')
        spec.entity = factory.create('ns0:EventFilterSpecByEntity')
        spec.entity.entity = cluster
        spec.entity.recursion = 'self'
        spec.eventTypeId = ['GeneralUserEvent']
        events = self.vim.QueryEvents(self.content.eventManager, filter=spec)
        mine = [e for e in events if e.message == msg]
        self.assertEqual(1, len(mine), events)
        event = mine[0]
        self.assertEqual(self.simulator.username, event.userName)
        self.assertEqual(cluster.value, event.entity.entity.value)
        self.assertEqual('DC0_C1', event.computeResource.name)
        self.assertIn(msg, event.fullFormattedMessage)

    def test_latest_event_is_the_logged_event(self):
        msg = unique('latest')
        self.vim.LogUserEvent(self.content.eventManager,
                              entity=self.cluster(), msg=msg)
        latest = vim_util.get_object_property(
            self.vim, self.content.eventManager, 'latestEvent')
        self.assertEqual('GeneralUserEvent', latest.__class__.__name__)
        self.assertEqual(msg, latest.message)

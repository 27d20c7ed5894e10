"""The simulator answers as vCenter does: faults, events, privileges.

Functional tests of the test bed's fixes 12-15 and of its run options
(tools/vcsim/README.rst), each failing without its patch. They assert what
a raw reader of the vSphere API sees: the fault's name and details, the
events ``QueryEvents`` and ``EventManager.latestEvent`` return, the answers
of ``AuthorizationManager``.

=====================================  =====================================
fix or run option                      tests
=====================================  =====================================
12 unknown key: InvalidArgument        TestCustomFieldFaults
   --native-faults                     TestNativeFaults
13 custom field events                 TestCustomFieldEvents
14 --reuse-removed-keys                TestReuseRemovedKeys
   --accept-stale-setfield             TestAcceptStaleSetField
15 restricted user, NoPermission,      TestPrivileges, TestWithholdOne
   privilege queries
16 false elements of arrays sent       TestPrivileges (the privilege queries)
17 cluster into a host sub-folder      TestDatacenters
--datacenters; Rename_Task             TestDatacenters
option checks                          TestRunOptions
=====================================  =====================================
"""

import subprocess

import testtools

from oslo_vmware import exceptions as vexc
from oslo_vmware import vim_util

from nova.tests.functional.virt.vmwareapi.ownership import simulator
from nova.tests.functional.virt.vmwareapi.ownership.test_simulator import \
    unique
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import vcenter

CLUSTER_TYPE = 'ClusterComputeResource'
WITHHELD = ('Global.ManageCustomFields', 'Global.SetCustomField',
            'Global.LogEvent')


class VCenterCase(simulator.SharedSimulatorMixin, testtools.TestCase):
    """Raw calls to a shared simulator, and what they leave behind."""

    SIMULATOR_OPTIONS = {'clusters': 1, 'hosts': 1, 'vms': 0}

    def vim(self, session=None):
        return (session or self.session).vim

    @property
    def content(self):
        return self.session.vim.service_content

    @property
    def cfm(self):
        return self.content.customFieldsManager

    def cluster(self, path='DC0/host/DC0_C0'):
        ref = self.vim().FindByInventoryPath(self.content.searchIndex,
                                             inventoryPath=path)
        self.assertIsNotNone(ref, 'no cluster at %s' % path)
        return ref

    def add_field(self, session=None, name=None):
        return vcenter.invoke(session or self.session, 'AddCustomFieldDef',
                              self.cfm, name=name or unique('field'),
                              moType=CLUSTER_TYPE)

    def fault(self, call, *args, **kwargs):
        """The fault a raw call raises: (its name, its details)."""
        e = self.assertRaises(vexc.VimFaultException, call, *args, **kwargs)
        return e.fault_list[0], e.details

    def field_keys(self):
        defs = vim_util.get_object_property(self.vim(), self.cfm, 'field')
        return [d.key for d in vcenter.array(defs, 'CustomFieldDef')]

    def values(self, entity):
        values = vim_util.get_object_property(self.vim(), entity,
                                              'customValue')
        return {v.key: v.value
                for v in vcenter.array(values, 'CustomFieldValue')}

    def latest_event(self):
        return vim_util.get_object_property(self.vim(),
                                            self.content.eventManager,
                                            'latestEvent')

    def events_after(self, event, entity=None):
        """Events posted after ``event``, oldest first.

        As ``QueryEvents`` answers with an entity filter on ``entity``
        (default: the root folder and everything below it).
        """
        factory = self.vim().client.factory
        spec = factory.create('ns0:EventFilterSpec')
        spec.entity = factory.create('ns0:EventFilterSpecByEntity')
        spec.entity.entity = entity or self.content.rootFolder
        spec.entity.recursion = 'self' if entity else 'all'
        spec.maxCount = 1000
        found = self.vim().QueryEvents(self.content.eventManager,
                                       filter=spec) or []
        return sorted((e for e in found if e.key > event.key),
                      key=lambda e: e.key)

    def assert_posts(self, kinds, operation, *args, **kwargs):
        """``operation`` posts exactly these events; returns them."""
        before = self.latest_event()
        operation(*args, **kwargs)
        events = self.events_after(before)
        self.assertEqual(list(kinds), [type(e).__name__ for e in events])
        # latestEvent is the last of them (or still the one before).
        self.assertEqual((events or [before])[-1].key,
                         self.latest_event().key)
        return events


class TestCustomFieldFaults(VCenterCase):
    """Fix 12: vCenter's faults for a key that does not exist."""

    def test_remove_unknown_key_is_invalid_argument(self):
        field = self.add_field()
        vcenter.invoke(self.session, 'RemoveCustomFieldDef', self.cfm,
                       key=field.key)
        self.assertEqual(
            ('InvalidArgument', {'invalidProperty': 'key'}),
            self.fault(self.vim().RemoveCustomFieldDef, self.cfm,
                       key=field.key))
        # Through the product's boundary: its InvalidArgument.
        self.assertRaises(exceptions.InvalidArgument, vcenter.invoke,
                          self.session, 'RemoveCustomFieldDef', self.cfm,
                          key=field.key)

    def test_rename_unknown_key_is_invalid_argument(self):
        self.assertEqual(
            'InvalidArgument',
            self.fault(self.vim().RenameCustomFieldDef, self.cfm,
                       key=max(self.field_keys(), default=0) + 1000,
                       name=unique('renamed'))[0])

    def test_rename_onto_existing_name_is_duplicate_name(self):
        first, second = self.add_field(), self.add_field()
        self.assertRaises(exceptions.DuplicateName, vcenter.invoke,
                          self.session, 'RenameCustomFieldDef', self.cfm,
                          key=second.key, name=first.name)

    def test_set_field_through_removed_key_is_refused(self):
        cluster = self.cluster()
        field = self.add_field()
        vcenter.invoke(self.session, 'SetField', self.cfm, entity=cluster,
                       key=field.key, value='before')
        vcenter.invoke(self.session, 'RemoveCustomFieldDef', self.cfm,
                       key=field.key)
        self.assertNotIn(field.key, self.values(cluster))
        self.assertEqual(
            'InvalidArgument',
            self.fault(self.vim().SetField, self.cfm, entity=cluster,
                       key=field.key, value='late')[0])
        self.assertNotIn(field.key, self.values(cluster))

    def test_removed_key_is_not_handed_out_again(self):
        removed = self.add_field()
        vcenter.invoke(self.session, 'RemoveCustomFieldDef', self.cfm,
                       key=removed.key)
        self.assertGreater(self.add_field().key, removed.key)


class TestNativeFaults(VCenterCase):
    """--native-faults: vcsim's NotFound, for the store contract suite."""

    SIMULATOR_OPTIONS = dict(VCenterCase.SIMULATOR_OPTIONS,
                             native_faults=True)

    def test_unknown_key_is_not_found(self):
        field = self.add_field()
        vcenter.invoke(self.session, 'RemoveCustomFieldDef', self.cfm,
                       key=field.key)
        for method, kwargs in (('RemoveCustomFieldDef', {}),
                               ('RenameCustomFieldDef', {'name': 'x'})):
            with self.subTest(method=method):
                self.assertEqual('NotFound', self.fault(
                    getattr(self.vim(), method), self.cfm, key=field.key,
                    **kwargs)[0])


class TestCustomFieldEvents(VCenterCase):
    """Fix 13: one event per change, as vCenter posts them.

    Each test counts the events one call posts (the numbers behind "events
    per renewal" in benchmarks/README.md).
    """

    def test_add_custom_field_def_posts_one_event(self):
        name = unique('added')
        (event,) = self.assert_posts(['CustomFieldDefAddedEvent'],
                                     self.add_field, name=name)
        field = [d for d in vcenter.array(vim_util.get_object_property(
            self.vim(), self.cfm, 'field'), 'CustomFieldDef')
            if d.name == name][0]
        self.assertEqual((field.key, name), (event.fieldKey, event.name))
        self.assertEqual(self.simulator.username, event.userName)
        self.assertIn(name, event.fullFormattedMessage)
        # About the vCenter, not the cluster.
        self.assertEqual([], self.events_after(event, self.cluster()))

    def test_set_field_posts_one_event_on_the_entity(self):
        cluster = self.cluster()
        field = self.add_field()
        before = self.latest_event()
        set_field = vcenter.invoke
        (first,) = self.assert_posts(
            ['CustomFieldValueChangedEvent'], set_field, self.session,
            'SetField', self.cfm, entity=cluster, key=field.key, value='v1')
        (second,) = self.assert_posts(
            ['CustomFieldValueChangedEvent'], set_field, self.session,
            'SetField', self.cfm, entity=cluster, key=field.key, value='v2')
        self.assertEqual((cluster.value, 'DC0_C0'),
                         (second.entity.entity.value, second.entity.name))
        self.assertEqual((field.key, field.name, 'v2'),
                         (second.fieldKey, second.name, second.value))
        self.assertIsNone(getattr(first, 'prevState', None))
        self.assertEqual('v1', second.prevState)
        self.assertEqual('DC0_C0', second.computeResource.name)
        self.assertEqual('DC0', second.datacenter.name)
        self.assertEqual(self.simulator.username, second.userName)
        self.assertIn('v2', second.fullFormattedMessage)
        # An entity filter on the cluster finds both.
        self.assertEqual([first.key, second.key], [
            e.key for e in self.events_after(before, cluster)])

    def test_remove_custom_field_def_posts_one_event(self):
        cluster = self.cluster()
        field = self.add_field()
        vcenter.invoke(self.session, 'SetField', self.cfm, entity=cluster,
                       key=field.key, value='deleted with the definition')
        (event,) = self.assert_posts(
            ['CustomFieldDefRemovedEvent'], vcenter.invoke, self.session,
            'RemoveCustomFieldDef', self.cfm, key=field.key)
        self.assertEqual((field.key, field.name), (event.fieldKey, event.name))

    def test_rename_custom_field_def_posts_one_event(self):
        field = self.add_field()
        new_name = unique('renamed')
        (event,) = self.assert_posts(
            ['CustomFieldDefRenamedEvent'], vcenter.invoke, self.session,
            'RenameCustomFieldDef', self.cfm, key=field.key, name=new_name)
        self.assertEqual((field.key, field.name, new_name),
                         (event.fieldKey, event.name, event.newName))

    def test_log_user_event_posts_one_event(self):
        self.assert_posts(['GeneralUserEvent'], vcenter.invoke, self.session,
                          'LogUserEvent', self.content.eventManager,
                          entity=self.cluster(), msg=unique('audit'))

    def test_refused_calls_post_nothing(self):
        field = self.add_field()
        vcenter.invoke(self.session, 'RemoveCustomFieldDef', self.cfm,
                       key=field.key)
        for name, call, kwargs in (
                ('SetField', self.vim().SetField,
                 {'entity': self.cluster(), 'value': 'x'}),
                ('RemoveCustomFieldDef', self.vim().RemoveCustomFieldDef,
                 {})):
            with self.subTest(call=name):
                self.assert_posts([], self.assertRaises,
                                  vexc.VimFaultException, call, self.cfm,
                                  key=field.key, **kwargs)


class TestReuseRemovedKeys(VCenterCase):
    """--reuse-removed-keys: a removed key is handed out again."""

    SIMULATOR_OPTIONS = dict(VCenterCase.SIMULATOR_OPTIONS,
                             reuse_removed_keys=True)

    def test_removed_key_comes_back(self):
        first, second = self.add_field(), self.add_field()
        vcenter.invoke(self.session, 'RemoveCustomFieldDef', self.cfm,
                       key=first.key)
        self.assertEqual(first.key, self.add_field().key)
        self.assertNotEqual(first.key, second.key)


class TestAcceptStaleSetField(VCenterCase):
    """--accept-stale-setfield: a write through a removed key "succeeds"."""

    SIMULATOR_OPTIONS = dict(VCenterCase.SIMULATOR_OPTIONS,
                             accept_stale_setfield=True)

    def test_stale_write_succeeds_and_writes_nothing(self):
        cluster = self.cluster()
        field = self.add_field()
        vcenter.invoke(self.session, 'RemoveCustomFieldDef', self.cfm,
                       key=field.key)
        self.assert_posts([], vcenter.invoke, self.session, 'SetField',
                          self.cfm, entity=cluster, key=field.key,
                          value='late')
        self.assertNotIn(field.key, self.values(cluster))


class TestPrivileges(VCenterCase):
    """Fix 15: the restricted user, its NoPermission, privilege queries."""

    SIMULATOR_OPTIONS = dict(VCenterCase.SIMULATOR_OPTIONS, restricted=True)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.restricted = cls.simulator.session(restricted=True)

    @classmethod
    def tearDownClass(cls):
        cls.restricted.logout()
        super().tearDownClass()

    def refusals(self):
        """(call, its arguments, the privilege, the object checked)."""
        cluster, root = self.cluster(), self.content.rootFolder
        field = self.add_field()
        events = self.content.eventManager
        return [
            ('AddCustomFieldDef', self.cfm,
             {'name': unique('field'), 'moType': CLUSTER_TYPE},
             'Global.ManageCustomFields', root),
            ('RenameCustomFieldDef', self.cfm,
             {'key': field.key, 'name': unique('renamed')},
             'Global.ManageCustomFields', root),
            ('SetField', self.cfm,
             {'entity': cluster, 'key': field.key, 'value': 'x'},
             'Global.SetCustomField', cluster),
            ('LogUserEvent', events, {'entity': cluster, 'msg': 'x'},
             'Global.LogEvent', cluster),
            ('RemoveCustomFieldDef', self.cfm, {'key': field.key},
             'Global.ManageCustomFields', root),
        ]

    def test_restricted_user_gets_no_permission_naming_the_privilege(self):
        for method, this, kwargs, privilege, on in self.refusals():
            with self.subTest(method=method):
                call = getattr(self.vim(self.restricted), method)
                fields, values = self.field_keys(), self.values(on)
                name, details = self.fault(call, this, **kwargs)
                self.assertEqual('NoPermission', name)
                self.assertEqual({'privilegeId': privilege,
                                  'object': on.value},
                                 {k: str(v) for k, v in details.items()})
                # Nothing changed.
                self.assertEqual(fields, self.field_keys())
                self.assertEqual(values, self.values(on))

    def test_refused_call_posts_no_event(self):
        (method, this, kwargs, _, _) = self.refusals()[2]  # SetField
        self.assert_posts([], self.assertRaises, vexc.VimFaultException,
                          getattr(self.vim(self.restricted), method), this,
                          **kwargs)

    def test_product_boundary_names_the_privilege(self):
        e = self.assertRaises(exceptions.MissingPrivilege, self.add_field,
                              self.restricted)
        self.assertEqual('Global.ManageCustomFields', e.privilege)

    def test_main_user_is_not_refused(self):
        for method, this, kwargs, _, _ in self.refusals():
            with self.subTest(method=method):
                vcenter.invoke(self.session, method, this, **kwargs)

    def test_restricted_user_reads(self):
        cluster = self.cluster()
        self.assertEqual('DC0_C0', vim_util.get_object_property(
            self.vim(self.restricted), cluster, 'name'))

    def test_wrong_restricted_password_is_refused(self):
        endpoint = self.simulator.endpoint(restricted=True)
        endpoint.password = 'not-' + endpoint.password
        self.assertRaises(exceptions.VCenterLoginFailed, vcenter.connect,
                          endpoint, 30)

    def granted(self, answer):
        return {(p.entity.value, a.privId): a.isGranted
                for p in answer for a in p.privAvailability}

    def test_has_privilege_on_entities_for_each_session(self):
        am = self.content.authorizationManager
        cluster, root = self.cluster(), self.content.rootFolder
        asked = list(WITHHELD) + ['System.Read', 'Global.Licenses']
        for session, lacks in ((self.session, ()),
                               (self.restricted, WITHHELD)):
            with self.subTest(user=session.endpoint.username):
                answer = self.granted(self.vim().HasPrivilegeOnEntities(
                    am, entity=[cluster, root],
                    sessionId=session._session_id, privId=asked))
                self.assertEqual(
                    {(e.value, p): p not in lacks
                     for e in (cluster, root) for p in asked}, answer)
                self.assertEqual(
                    [p not in lacks for p in asked],
                    self.vim().HasPrivilegeOnEntity(
                        am, entity=cluster, sessionId=session._session_id,
                        privId=asked))

    def test_unknown_session_holds_nothing(self):
        answer = self.vim().HasPrivilegeOnEntity(
            self.content.authorizationManager, entity=self.cluster(),
            sessionId='no-such-session', privId=['System.Read'])
        self.assertEqual([False], answer)

    def test_user_privileges_for_each_user(self):
        am = self.content.authorizationManager
        cluster = self.cluster()
        sim = self.simulator
        for user, lacks in ((sim.username, ()),
                            (sim.restricted_username, WITHHELD),
                            ('nobody', None)):
            with self.subTest(user=user):
                (held,) = self.vim().FetchUserPrivilegeOnEntities(
                    am, entities=[cluster], userName=user)
                held = set(getattr(held, 'privileges', None) or ())
                answer = self.granted(self.vim().HasUserPrivilegeOnEntities(
                    am, entities=[cluster], userName=user,
                    privId=list(WITHHELD) + ['System.Read']))
                if lacks is None:  # cannot log in: holds nothing
                    self.assertEqual(set(), held)
                    self.assertFalse(any(answer.values()))
                    continue
                self.assertIn('System.Read', held)
                self.assertTrue(answer[cluster.value, 'System.Read'])
                for privilege in WITHHELD:
                    self.assertEqual(privilege not in lacks,
                                     privilege in held, privilege)
                    self.assertEqual(privilege not in lacks,
                                     answer[cluster.value, privilege])

    def test_role_and_permission_are_visible(self):
        am = self.content.authorizationManager
        permissions = self.vim().RetrieveEntityPermissions(
            am, entity=self.cluster(), inherited=True)
        (mine,) = [p for p in permissions
                   if p.principal == self.simulator.restricted_username]
        self.assertTrue(mine.propagate)
        roles = vim_util.get_object_property(self.vim(), am, 'roleList')
        (role,) = [r for r in roles.AuthorizationRole
                   if r.roleId == mine.roleId]
        self.assertFalse(set(WITHHELD) & set(role.privilege))


class TestWithholdOne(VCenterCase):
    """--withheld-privileges: a restricted user lacking one privilege."""

    SIMULATOR_OPTIONS = dict(VCenterCase.SIMULATOR_OPTIONS, restricted=True,
                             withheld_privileges=['Global.SetCustomField'])

    def test_only_the_withheld_privilege_is_refused(self):
        restricted = self.simulator.session(restricted=True)
        self.addCleanup(restricted.logout)
        cluster = self.cluster()
        field = self.add_field(restricted)
        vcenter.invoke(restricted, 'LogUserEvent', self.content.eventManager,
                       entity=cluster, msg=unique('audit'))
        name, details = self.fault(self.vim(restricted).SetField, self.cfm,
                                   entity=cluster, key=field.key, value='x')
        self.assertEqual(('NoPermission', 'Global.SetCustomField'),
                         (name, str(details['privilegeId'])))


class TestDatacenters(VCenterCase):
    """--datacenters; one cluster name in two datacenters; sub-folders."""

    SIMULATOR_OPTIONS = dict(VCenterCase.SIMULATOR_OPTIONS, datacenters=2)

    def wait(self, task):
        return self.session.wait_for_task(task)

    def test_clusters_in_each_datacenter(self):
        result = vim_util.get_objects(self.vim(), CLUSTER_TYPE, 100,
                                      ['name'])
        self.assertEqual(['DC0_C0', 'DC1_C0'],
                         sorted(o.propSet[0].val for o in result.objects))
        self.cluster('DC1/host/DC1_C0')

    def test_same_cluster_name_in_two_datacenters(self):
        self.wait(self.vim().Rename_Task(self.cluster('DC1/host/DC1_C0'),
                                         newName='DC0_C0'))
        self.addCleanup(lambda: self.wait(self.vim().Rename_Task(
            self.cluster('DC1/host/DC0_C0'), newName='DC1_C0')))
        self.assertNotEqual(self.cluster('DC0/host/DC0_C0').value,
                            self.cluster('DC1/host/DC0_C0').value)

    def test_cluster_moves_into_a_host_sub_folder(self):
        dc = self.vim().FindByInventoryPath(self.content.searchIndex,
                                            inventoryPath='DC0')
        host_folder = vim_util.get_object_property(self.vim(), dc,
                                                   'hostFolder')
        folder = self.vim().CreateFolder(host_folder, name=unique('folder'))
        cluster = self.cluster('DC0/host/DC0_C0')
        self.wait(self.vim().MoveIntoFolder_Task(folder, list=[cluster]))
        self.addCleanup(lambda: self.wait(self.vim().MoveIntoFolder_Task(
            host_folder, list=[cluster])))
        name = vim_util.get_object_property(self.vim(), folder, 'name')
        self.assertEqual(cluster.value,
                         self.cluster('DC0/host/%s/DC0_C0' % name).value)


class TestRunOptions(testtools.TestCase):
    """The launcher refuses what it cannot model, before serving."""

    def run_simulator(self, *args):
        binary = subprocess.run(
            [simulator.os.path.join(simulator.VCSIM_DIR, 'build'),
             '--print-binary'], capture_output=True, text=True, check=True,
            timeout=600).stdout.strip()
        return subprocess.run([binary] + list(args), capture_output=True,
                              text=True, timeout=30)

    def test_refused(self):
        for args, says in (
                (['--withheld-privileges', 'System.Read',
                  '--restricted-username', 'r', '--restricted-password',
                  'p'], 'System.Read'),
                (['--withheld-privileges', 'Global.NoSuch'],
                 'Global.NoSuch'),
                (['--restricted-username', 'r'], '--restricted-password'),
                (['--username', 'u', '--password', 'p',
                  '--restricted-username', 'u', '--restricted-password',
                  'q'], 'must differ')):
            with self.subTest(args=args):
                done = self.run_simulator(*args)
                self.assertEqual(2, done.returncode, done.stderr)
                self.assertIn(says, done.stderr)

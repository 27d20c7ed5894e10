"""The simulator answers as vCenter does: privileges, inventory, options.

Functional tests of the test bed's fixes 15-17 and of its run options
(tools/vcsim/README.rst), each failing without its patch. They assert what
a raw reader of the vSphere API sees: ``NoPermission`` and its details, the
answers of ``AuthorizationManager``, the inventory.

=====================================  =====================================
fix or run option                      tests
=====================================  =====================================
15 restricted user, NoPermission,      TestPrivileges, TestWithholdOne
   privilege queries
16 false elements of arrays sent       TestPrivileges (the privilege queries)
17 cluster into a host sub-folder      TestDatacenters
--datacenters; Rename_Task             TestDatacenters
option checks                          TestRunOptions
=====================================  =====================================
"""

import dataclasses
import subprocess

from oslo_vmware import exceptions as vexc
from oslo_vmware import vim_util
import testtools

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors
from nova.virt.vmwareapi.ownership.vsphere import vcenter
from support import raw_vcenter
from support import sharing
from support import simulator

CLUSTER_TYPE = raw_vcenter.CLUSTER_TYPE
WITHHELD = ('Global.ManageCustomFields', 'Global.SetCustomField',
            'Global.LogEvent')
unique = raw_vcenter.unique
VCenterCase = raw_vcenter.RawVCenterTestCase


class TestPrivileges(sharing.RestrictedSessionMixin, VCenterCase):
    """Fix 15: the restricted user, its NoPermission, privilege queries."""

    SIMULATOR_OPTIONS = dict(VCenterCase.SIMULATOR_OPTIONS, restricted=True)

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
        endpoint = dataclasses.replace(endpoint,
                                       password='not-' + endpoint.password)
        self.assertRaises(vsphere_errors.VCenterLoginFailed, vcenter.connect,
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
        return subprocess.run([simulator.binary()] + list(args),
                              capture_output=True, text=True, timeout=30)

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

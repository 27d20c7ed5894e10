"""The simulator answers as vCenter does: custom field faults and events.

Functional tests of the test bed's fixes 12-14 and of its run options
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
=====================================  =====================================
"""

from oslo_vmware import exceptions as vexc
from oslo_vmware import vim_util

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors
from nova.virt.vmwareapi.ownership.vsphere import vcenter
from support import raw_vcenter

unique = raw_vcenter.unique
VCenterCase = raw_vcenter.RawVCenterTestCase


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
        self.assertRaises(vsphere_errors.InvalidArgument, vcenter.invoke,
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

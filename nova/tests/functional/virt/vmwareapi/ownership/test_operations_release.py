"""The release command and the dry run, against the simulator.

A dry run creates no field definition and shows before and after; a
release needs ``--force`` for another host's, an unreadable or a
renewing holder's record, and clears what this host owns. Helpers as
``test_operations``.
"""

from nova.tests.functional.virt.vmwareapi.ownership import test_operations
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership.vsphere import vcenter

THIS = test_operations.THIS
OTHER = test_operations.OTHER


class TestDryRun(test_operations.OperationsTestCase):

    def fields(self):
        """Every custom field definition: a dry run creates none."""
        manager = vcenter.service_content(self.session).customFieldsManager
        (_, props), = vcenter.collect(
            self.session, [(manager, 'CustomFieldsManager', ['field'])])
        return sorted((d.key, d.name) for d in
                      vcenter.array(props.get('field'), 'CustomFieldDef'))

    def assertDryRun(self, *args, host=THIS):
        before, fields, key = self.raw(), self.fields(), self.event_key()
        state = self.json_command(host, 'takeover', '--dry-run', *args)
        self.assertTrue(state['dry_run'])
        self.assertFalse(state['changed'])
        self.assertEqual(before, self.raw())
        self.assertEqual(before[0], state['raw'])
        self.assertEqual(fields, self.fields())
        self.assertEqual(key, self.event_key())
        return state

    def test_unowned_creates_no_field_definition(self):
        state = self.assertDryRun()
        names = [name for _, name in self.fields()]
        self.assertNotIn(self.attribute, names)
        self.assertNotIn(self.store.lease_name, names)
        self.assertEqual(THIS, state['after']['host'])
        self.assertEqual('unowned', state['verdict'])

    def test_owned_by_another_host(self):
        self.given_owned_by(OTHER)
        state = self.assertDryRun()
        self.assertEqual(OTHER, state['before']['host'])
        self.assertEqual(THIS, state['after']['host'])
        self.assertEqual(OTHER, state['after']['previous'])
        self.assertTrue(state['next_steps'])

    def test_unreadable_with_force(self):
        self.given_unreadable()
        state = self.assertDryRun('--force')
        self.assertEqual(THIS, state['after']['host'])

    def test_text_shows_before_and_after(self):
        self.given_owned_by(OTHER)
        before = self.raw()
        out = self.command(THIS, 'takeover', '--dry-run')
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertIn('nothing written', out.stdout)
        self.assertIn('owner %s -> %s' % (OTHER, THIS), out.stdout)
        self.assertEqual(before, self.raw())


class TestRelease(test_operations.OperationsTestCase):

    def release(self, *args, expect=0, host=THIS, extra=''):
        self.key, self.before = self.event_key(), self.raw()
        return self.json_command(host, 'release', '--yes', *args,
                                 expect=expect, extra=extra)

    def assertReleased(self, state, before_host):
        self.assertTrue(state['changed'])
        self.assertEqual('release', state['action'])
        self.assertIsNone(state['after'])
        self.assertEqual('unowned', state['verdict'])
        # The lease is removed and the attribute cleared.
        attribute, _, token, lease = self.raw()
        self.assertIn(attribute, ('', None))
        self.assertEqual((None, None), (token, lease))
        self.assertAudited(self.key, 'released', before_host, '(none)')
        show = self.json_command(THIS, 'show')
        self.assertEqual('unowned', show['verdict'])

    def test_without_yes_and_terminal_writes_nothing(self):
        self.given_owned_by(THIS)
        self.key, before = self.event_key(), self.raw()
        out = self.command(THIS, 'release')
        self.assertEqual(4, out.returncode, out.stderr)
        self.assertUnchanged(before, self.key)

    def test_owned_by_another_host_needs_force(self):
        self.given_owned_by(OTHER)
        self.release(expect=3)
        self.assertIn('--force', self.out.stderr)
        self.assertUnchanged(self.before, self.key)
        self.assertReleased(self.release('--force'), OTHER)

    def test_unreadable_needs_force(self):
        self.given_unreadable()
        self.release(expect=4)
        self.assertUnchanged(self.before, self.key)
        self.assertReleased(self.release('--force'), '(none)')

    def test_live_holder_renewing_needs_force(self):
        holder = self.given_live_holder(THIS)
        self.key = self.event_key()
        state = self.json_command(THIS, 'release', '--yes', expect=4,
                                  extra=test_operations.LIVE_LEASE)
        self.assertIn('renewed', state['error'])
        self.assertEqual(self.key, self.event_key())
        self.assertEqual(holder.token, self.view().token)
        state = self.json_command(THIS, 'release', '--yes', '--force',
                                  extra=test_operations.LIVE_LEASE)
        self.assertIsInstance(holder.wait_lost(), exceptions.OwnershipLost)
        self.assertReleased(state, THIS)

    def test_unowned_is_a_no_op(self):
        state = self.release()
        self.assertFalse(state['changed'])
        self.assertUnchanged(self.before, self.key)

    def test_owned_by_this_host_with_dead_holder(self):
        self.given_owned_by_this_host()
        self.assertReleased(self.release(), THIS)

    def test_released_record_is_cleared(self):
        self.given_released()
        self.assertReleased(self.release(), THIS)

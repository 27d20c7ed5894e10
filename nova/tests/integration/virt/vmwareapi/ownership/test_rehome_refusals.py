"""``rehome`` refusals, lost races and interrupted runs, in nova's harness.

Each refusal leaves every record as it was; an interrupted run writes
nothing or leaves a state the next run recognises and completes. A write
that fails in the middle of the move is ``test_rehome_command``'s: in this
harness under eventlet a cell database is one connection shared by every
transaction of the process, which cannot show a rollback.
"""

import fixtures

from nova import objects

from nova.virt.vmwareapi.ownership.cli import rehome as rehome_cli
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership.novadb import exceptions as nova_errors
from nova.virt.vmwareapi.ownership import refusals
from nova.virt.vmwareapi.ownership.rehome import exceptions as rehome_errors
from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors
from support import rehoming
from support import service

OLD = rehoming.OLD
NEW = rehoming.NEW
DONE = {'services': [NEW], 'compute_nodes': [NEW], 'host_mappings': [NEW]}


class TestRefusals(rehoming.TakenOverTestCase):

    def instance(self):
        return objects.Instance.get_by_uuid(self.ctxt, self.servers[0]['id'])

    def assert_refused(self, kind, **kwargs):
        error = self.assertRaises(kind, self.rehome, **kwargs)
        self.assertIsInstance(error, exceptions.OwnershipRefused)
        self.assertEqual(self.before, self.records())
        self.assertIsNone(self.record().node)
        return error

    def test_source_service_up(self):
        (svc,) = self.services(OLD)
        self.admin_api.put_service_force_down(svc['id'], False)
        self.before = self.records()
        error = self.assert_refused(rehome_errors.SourceServiceUp)
        self.assertIn('openstack compute service set --down host-a '
                      'nova-compute', str(error))

    def test_instance_with_a_task(self):
        instance = self.instance()
        instance.task_state = 'powering-off'
        instance.save()
        self.before = self.records()
        error = self.assert_refused(rehome_errors.InstancesBusy)
        self.assertEqual(((instance.uuid, 'powering-off'),), error.tasks)

    def test_unfinished_migration(self):
        node = objects.ComputeNode.get_by_nodename(self.ctxt, self.node_name)
        objects.Migration(
            self.ctxt, source_compute=OLD, dest_compute=OLD,
            source_node=self.node_name, dest_node=self.node_name,
            dest_compute_id=node.id,
            instance_uuid=self.servers[0]['id'], status='migrating',
            migration_type='migration').create()
        error = self.assert_refused(rehome_errors.MigrationsInProgress)
        self.assertEqual(1, len(error.migrations))
        self.assertIn('migrating', str(error))

    def test_new_host_has_a_service(self):
        objects.Service(self.ctxt, host=NEW, binary='nova-compute',
                        topic='compute').create()
        self.before = self.records()
        error = self.assert_refused(rehome_errors.TargetHostInUse)
        self.assertIn('nova-compute service', str(error))

    def test_record_still_names_the_old_host(self):
        self.takeover(OLD)
        error = self.assert_refused(rehome_errors.RecordNotForTarget)
        self.assertIn('nova-vmware-owner takeover --host host-b', str(error))

    def test_unknown_source_host(self):
        self.assert_refused(rehome_errors.SourceHostNotFound, old='host-x')

    def test_no_confirmation_without_a_terminal(self):
        error = self.assertRaises(refusals.ConfirmationRequired,
                                  self.rehome, yes=False)
        self.assertIn('--yes', str(error))
        self.assertEqual(self.before, self.records())

    def test_dry_run_lists_every_change_and_writes_nothing(self):
        state, text = self.rehome(dry_run=True, yes=False)
        self.assertFalse(state['changed'])
        self.assertIn('Dry run, nothing written', text)
        for line in ('host mapping host-a: host host-a -> host-b',
                     'instance %s: host host-a -> host-b'
                     % self.servers[0]['id'],
                     'host host-a -> host-b, forced_down True -> False',
                     'compute node %s: host host-a -> host-b'
                     % state['node_uuid'],
                     'node none -> %s' % state['node_uuid']):
            self.assertIn(line, text)
        self.assertEqual(self.before, self.records())
        self.assertIsNone(self.record().node)


class TestInterrupted(rehoming.TakenOverTestCase):

    SERVERS = 2

    def test_concurrent_task_is_a_conflict(self):
        def user_stops_a_server():
            instance = objects.Instance.get_by_uuid(self.ctxt,
                                                    self.servers[1]['id'])
            instance.task_state = 'powering-off'
            instance.save()

        error = self.assertRaises(
            nova_errors.NovaRecordsChanged, self.rehome,
            console=rehoming.NoTerminal(on_confirm=user_stops_a_server))
        self.assertIn(self.servers[1]['id'], str(error))
        self.assertIn('Nothing of this run was written', str(error))
        after = self.records()
        self.assertEqual(self.before['instances'], after['instances'])
        self.assertEqual(self.before['services'], after['services'])

    def test_vcenter_step_failing_is_completed_by_a_second_run(self):
        unreachable = vsphere_errors.VCenterUnreachable(
            endpoint='https://vc', reason='timed out')
        with fixtures.MockPatchObject(rehome_cli, '_record_node',
                                      side_effect=unreachable):
            self.assertRaises(vsphere_errors.VCenterUnreachable, self.rehome)
        self.assertEqual(DONE, self.db_hosts())
        self.assertIsNone(self.record().node)

        state, text = self.rehome()
        self.assertEqual(['ownership'], [c['kind'] for c in state['changes']])
        self.assertEqual(state['node_uuid'], self.record().node)
        self.start_compute(NEW)
        self.assertEqual([(NEW, self.node_name, 'up')], self.hypervisors())

    def test_half_done_move_is_completed(self):
        # What a run killed between the API and cell commits leaves (or an
        # operator who began by hand): mapping, aggregates and one
        # instance moved, the service renamed, the compute node not.
        mapping = objects.HostMapping.get_by_host(self.ctxt, OLD)
        mapping.host = NEW
        mapping.save()
        instance = objects.Instance.get_by_uuid(self.ctxt,
                                                self.servers[0]['id'])
        instance.host = NEW
        instance.save()
        svc = objects.Service.get_by_host_and_binary(self.ctxt, OLD,
                                                     'nova-compute')
        svc.host = NEW
        svc.save()
        # Half done, host-b is still refused with the command to finish.
        self.assertRaises(refusals.ClusterNodeOnAnotherHost,
                          self.start_compute, NEW)

        state, text = self.rehome(dry_run=True)
        kinds = sorted(c['kind'] for c in state['changes'])
        self.assertEqual(['compute_node', 'instance', 'ownership',
                          'service'], kinds)
        self.assertIn('service %s: forced_down True -> False' % svc.id, text)
        self.rehome()
        self.assertEqual(DONE, self.db_hosts())
        self.start_compute(NEW)
        (svc,) = self.services(NEW)
        self.assertEqual('up', svc['state'])
        for server in self.servers:
            self.assertEqual(NEW, self.api.get_server(
                server['id'])['OS-EXT-SRV-ATTR:host'])


class TestAuditMode(rehoming.RehomeTestCase):

    def test_audit_mode_logs_and_starts_before_rehome(self):
        self.flags(group='vmware_ownership', mode='audit')
        self.start_compute(OLD, driver=service.OWNERSHIP_DRIVER)
        self.stop_and_mark_down()
        self.start_compute(NEW)
        self.assertIn('in enforce mode this service would refuse to start',
                      self.stdlog.logger.output)
        self.assertIn('rehome --from host-a --to host-b',
                      self.stdlog.logger.output)

"""Tests of the re-home planning with plain values (no nova needed).

On the sample records of ``support.sample_rehome``.
"""

import datetime

from oslotest import base

from nova.virt.vmwareapi.ownership import nova_records
from nova.virt.vmwareapi.ownership.rehome import exceptions as rehome_errors
from nova.virt.vmwareapi.ownership.rehome import plan as plan_mod
from support import sample_rehome as samples

OLD, NEW = samples.OLD, samples.NEW
NODE, NODE_UUID = samples.NODE, samples.NODE_UUID
NOW, LOCATION = samples.NOW, samples.LOCATION
service, node, instance = samples.service, samples.node, samples.instance
snapshot = samples.snapshot


def kinds(plan):
    return [change.kind for change in plan.changes]


class PlanTestCase(base.BaseTestCase):

    # Refusals first.

    def test_unknown_source_host(self):
        error = self.assertRaises(
            rehome_errors.SourceHostNotFound, plan_mod.plan,
            snapshot(services=[], nodes=[], instances=[]))
        self.assertEqual((OLD, NEW), (error.host, error.new_host))

    def test_cluster_node_under_neither_host(self):
        error = self.assertRaises(
            rehome_errors.ClusterNodeNotFound, plan_mod.plan,
            snapshot(nodes=[node(name='domain-c9.5a6e')]))
        self.assertEqual(('domain-c9.5a6e (compute-a)',), error.found)

    def test_several_nodes_with_the_cluster_known(self):
        error = self.assertRaises(
            rehome_errors.SeveralComputeNodes, plan_mod.plan,
            snapshot(nodes=[node(), node(uuid='u2', name='domain-c9.x',
                                         id=8)]))
        self.assertEqual((NODE, 'domain-c9.x'), error.nodes)
        self.assertIn('leave the others without a service', str(error))

    def test_several_nodes_without_vmware(self):
        error = self.assertRaises(
            rehome_errors.SeveralComputeNodes, plan_mod.plan,
            snapshot(node_name=None, ownership=None,
                     nodes=[node(), node(uuid='u2', name='n2', id=8)]))
        self.assertIn('cannot tell which one', str(error))

    def test_instances_on_another_node(self):
        error = self.assertRaises(
            rehome_errors.SeveralComputeNodes, plan_mod.plan,
            snapshot(instances=[instance(1), instance(2, name='gone')]))
        self.assertEqual((NODE, 'gone'), error.nodes)

    def test_new_host_has_its_own_service(self):
        error = self.assertRaises(
            rehome_errors.TargetHostInUse, plan_mod.plan,
            snapshot(services=[service(), service(NEW, id=2)]))
        self.assertEqual(('nova-compute service 2',), error.records)

    def test_new_host_has_its_own_node_of_the_cluster(self):
        # nova alone let NEW register a second node of the same cluster.
        error = self.assertRaises(
            rehome_errors.TargetHostInUse, plan_mod.plan,
            snapshot(nodes=[node(NEW, uuid='u2', service_id=2, id=8),
                            node()]))
        self.assertIn('compute node u2', error.records[0])

    def test_new_host_mapped_to_another_cell(self):
        error = self.assertRaises(
            rehome_errors.TargetHostInUse, plan_mod.plan,
            snapshot(host_mappings=[nova_records.HostMapping(OLD, 'cell1'),
                                    nova_records.HostMapping(NEW, 'cell2')]))
        self.assertIn('host mapping to cell cell2', str(error))

    def test_record_names_another_host(self):
        error = self.assertRaises(
            rehome_errors.RecordNotForTarget, plan_mod.plan,
            snapshot(ownership=plan_mod.Ownership(LOCATION, OLD, None)))
        self.assertIn('takeover --host %s' % NEW, str(error))

    def test_record_names_another_node(self):
        error = self.assertRaises(
            rehome_errors.RecordNotForTarget, plan_mod.plan,
            snapshot(ownership=plan_mod.Ownership(LOCATION, NEW, 'other')))
        self.assertIn('names compute node other', str(error))

    def test_source_service_up(self):
        recent = NOW - datetime.timedelta(seconds=30)
        error = self.assertRaises(
            rehome_errors.SourceServiceUp, plan_mod.plan,
            snapshot(services=[service(forced_down=False,
                                       last_seen_up=recent)]))
        self.assertEqual(60, error.service_down_time)
        self.assertIn('service set --down %s nova-compute' % OLD, str(error))

    def test_instances_with_a_task(self):
        error = self.assertRaises(
            rehome_errors.InstancesBusy, plan_mod.plan,
            snapshot(instances=[instance(1, task_state='spawning'),
                                instance(2)]))
        self.assertEqual((('uuid-1', 'spawning'),), error.tasks)

    def test_unfinished_migration(self):
        error = self.assertRaises(
            rehome_errors.MigrationsInProgress, plan_mod.plan,
            snapshot(migrations=[nova_records.Migration(4, 'uuid-1', 'resize',
                                                        'finished')]))
        self.assertEqual(((4, 'uuid-1', 'resize', 'finished'),),
                         error.migrations)

    # Plans.

    def test_full_move(self):
        plan = plan_mod.plan(snapshot())
        self.assertEqual([nova_records.AGGREGATE, nova_records.HOST_MAPPING,
                          nova_records.INSTANCE, nova_records.INSTANCE,
                          nova_records.SERVICE,
                          nova_records.COMPUTE_NODE, nova_records.OWNERSHIP],
                         kinds(plan))
        self.assertEqual(
            ['aggregate 3 (az1): hosts [compute-a] -> [compute-b]',
             'host mapping compute-a: host compute-a -> compute-b',
             'instance uuid-1: host compute-a -> compute-b',
             'instance uuid-2: host compute-a -> compute-b',
             'service 1: host compute-a -> compute-b, forced_down True -> '
             'False',
             'compute node %s: host compute-a -> compute-b' % NODE_UUID,
             'ownership %s: node none -> %s' % (LOCATION, NODE_UUID)],
            [nova_records.describe(c) for c in plan.changes])
        self.assertEqual(6, len(plan.nova_changes))

    def test_service_down_by_silence(self):
        plan = plan_mod.plan(snapshot(services=[service(forced_down=False)]))
        (change,) = [c for c in plan.changes if c.kind == nova_records.SERVICE]
        self.assertEqual((('host', OLD, NEW),), change.fields)

    def test_aggregate_already_holding_both(self):
        plan = plan_mod.plan(snapshot(
            aggregates=[nova_records.Aggregate(3, 'az1', (OLD, NEW))]))
        self.assertEqual(('hosts', (OLD, NEW), (NEW,)),
                         plan.changes[0].fields[0])

    def test_new_host_already_mapped_to_the_same_cell(self):
        plan = plan_mod.plan(snapshot(
            host_mappings=[nova_records.HostMapping(OLD, 'cell1'),
                           nova_records.HostMapping(NEW, 'cell1')]))
        (change,) = [c for c in plan.changes
                     if c.kind == nova_records.HOST_MAPPING]
        self.assertEqual((('host', OLD, None),), change.fields)
        self.assertIn('(deleted)', nova_records.describe(change))

    def test_instance_without_node_moves_with_the_host(self):
        plan = plan_mod.plan(snapshot(instances=[instance(1, name=None)]))
        self.assertEqual(1, plan.count(nova_records.INSTANCE))

    def test_half_done_move_is_recognised(self):
        # Service renamed (flag still set), one instance and the mapping
        # moved; the node and the other instance not.
        plan = plan_mod.plan(snapshot(
            services=[service(NEW)],
            instances=[instance(1, NEW), instance(2)],
            host_mappings=[nova_records.HostMapping(NEW, 'cell1')],
            aggregates=[nova_records.Aggregate(3, 'az1', (NEW,))]))
        self.assertEqual([nova_records.INSTANCE, nova_records.SERVICE,
                          nova_records.COMPUTE_NODE, nova_records.OWNERSHIP],
                         kinds(plan))
        self.assertEqual('instance uuid-2: host compute-a -> compute-b',
                         nova_records.describe(plan.changes[0]))
        self.assertEqual((('forced_down', True, False),),
                         plan.changes[1].fields)

    def test_everything_moved_is_a_no_op(self):
        moved = snapshot(
            services=[service(NEW, forced_down=False, last_seen_up=NOW)],
            nodes=[node(NEW)], instances=[instance(1, NEW)],
            host_mappings=[nova_records.HostMapping(NEW, 'cell1')],
            aggregates=[nova_records.Aggregate(3, 'az1', (NEW,))],
            ownership=plan_mod.Ownership(LOCATION, NEW, NODE_UUID))
        plan = plan_mod.plan(moved)
        self.assertEqual((), plan.changes)
        self.assertEqual(NODE_UUID, plan.node.uuid)

    def test_no_op_leaves_a_later_forced_down_alone(self):
        moved = snapshot(services=[service(NEW)], nodes=[node(NEW)],
                         instances=[], host_mappings=[], aggregates=[],
                         ownership=plan_mod.Ownership(LOCATION, NEW,
                                                      NODE_UUID))
        self.assertEqual((), plan_mod.plan(moved).changes)

    def test_only_the_record_left_needs_no_liveness(self):
        # nova's part done, NEW's service not forced down and recent.
        moved = snapshot(
            services=[service(NEW, forced_down=False, last_seen_up=NOW)],
            nodes=[node(NEW)], instances=[instance(1, NEW, 'spawning')],
            host_mappings=[], aggregates=[])
        self.assertEqual([nova_records.OWNERSHIP], kinds(plan_mod.plan(moved)))

    def test_without_vmware_the_only_node_is_moved(self):
        plan = plan_mod.plan(snapshot(node_name=None, ownership=None))
        self.assertNotIn(nova_records.OWNERSHIP, kinds(plan))
        self.assertIn('[vmware] is not configured', plan.notes[0])
        self.assertIn('compute_id', plan.notes[1])

    def test_without_vmware_a_finished_move_is_found_under_new(self):
        moved = snapshot(services=[service(NEW)], nodes=[node(NEW)],
                         instances=[], host_mappings=[], aggregates=[],
                         node_name=None, ownership=None)
        plan = plan_mod.plan(moved)
        self.assertEqual((), plan.changes)
        self.assertIn('no compute node left', plan.notes[0])

    def test_unowned_cluster_gets_a_note(self):
        plan = plan_mod.plan(snapshot(
            ownership=plan_mod.Ownership(LOCATION, None, None)))
        self.assertNotIn(nova_records.OWNERSHIP, kinds(plan))
        self.assertIn('is unowned', plan.notes[0])

    def test_disabled_service_gets_a_note(self):
        plan = plan_mod.plan(snapshot(services=[service(disabled=True)]))
        self.assertIn('--enable %s' % NEW, plan.notes[-1])

    def test_node_without_service_id_uses_the_host(self):
        plan = plan_mod.plan(snapshot(nodes=[node(service_id=None)]))
        (change,) = [c for c in plan.changes
                     if c.kind == nova_records.COMPUTE_NODE]
        self.assertIn(('service_id', None, 1), change.fields)

    def test_json_form(self):
        plan = plan_mod.plan(snapshot())
        self.assertEqual(
            {'kind': 'aggregate', 'id': '3 (az1)',
             'fields': [{'name': 'hosts', 'old': [OLD], 'new': [NEW]}]},
            nova_records.to_dict(plan.changes[0]))


class ServiceIsDownTestCase(base.BaseTestCase):

    def test_forced_down(self):
        self.assertTrue(plan_mod.service_is_down(
            service(last_seen_up=NOW), NOW, 60))

    def test_silent_longer_than_down_time(self):
        self.assertTrue(plan_mod.service_is_down(
            service(forced_down=False,
                    last_seen_up=NOW - datetime.timedelta(seconds=61)),
            NOW, 60))

    def test_reported_within_down_time(self):
        self.assertFalse(plan_mod.service_is_down(
            service(forced_down=False,
                    last_seen_up=NOW - datetime.timedelta(seconds=59)),
            NOW, 60))

    def test_naive_times_are_utc_and_created_at_counts(self):
        never = nova_records.Service(1, OLD, False, None,
                                     NOW.replace(tzinfo=None), False, None)
        self.assertFalse(plan_mod.service_is_down(never, NOW, 60))

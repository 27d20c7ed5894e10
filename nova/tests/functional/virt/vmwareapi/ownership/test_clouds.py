"""Two clouds sharing one vCenter, each with a host ``compute-1``.

Cloud ``east`` sets ``[vmware_ownership] cloud = east``; the other keeps
the default cloud. Both use the same attribute, so each sees the other's
records: the guard refuses the other cloud's ``compute-1`` whatever the
state of the record, the commands refuse to claim or release it, and
``list`` shows the other cloud's clusters as ``other-cloud`` and exits 0.
(The join with nova's records of each cloud is unit-tested on the same
arrangement: ``fleet.test_join``.)
"""

import json

from prometheus_client import parser

from nova.virt.vmwareapi.ownership import clock as clock_mod
from nova.virt.vmwareapi.ownership import fencing
from nova.virt.vmwareapi.ownership import guard as guard_mod
from nova.virt.vmwareapi.ownership import operations
from nova.virt.vmwareapi.ownership import refusals
from support import base

HOST = 'compute-1'
EAST = 'east'


class TestTwoClouds(base.SimulatorTestCase):

    SIMULATOR_OPTIONS = {'clusters': 3}

    def guard(self, cloud, cluster=base.CLUSTER, **overrides):
        return guard_mod.OwnershipGuard(
            self.make_store(cluster=cluster), HOST,
            base.settings(attribute_name=self.attribute, cloud=cloud,
                          **overrides), clock=base.FakeClock())

    def snapshot(self, cluster=base.CLUSTER):
        reading = self.make_store(cluster=cluster).read()
        return (reading.attribute_raw, reading.lease_key, reading.lease_raw)

    def claim(self, cluster, host, cloud):
        store = self.make_store(cluster=cluster)
        operations.apply(store, operations.plan(
            operations.Change.CLAIM, fencing.settle(store), host,
            clock_mod.SYSTEM.utcnow(), store.location, cloud=cloud))

    def command(self, cloud, *args, cluster=base.CLUSTER):
        extra = 'cloud = %s\n' % cloud if cloud else ''
        return self.run_command(
            '--config-file', self.config_file(HOST, cluster=cluster,
                                              extra=extra), *args)

    def test_the_guard_refuses_the_other_clouds_namesake(self):
        east = self.guard(EAST)
        east.start()
        self.assertEqual(EAST, base.view_of(self.make_store()).record.cloud)
        for state in ('held', 'released'):
            if state == 'released':
                self.assertTrue(east.release())
            before = self.snapshot()
            for wait in (True, False):
                with self.subTest(state=state, standby_wait=wait):
                    error = self.assertRaises(
                        refusals.ClusterOwnedByAnotherCloud,
                        self.guard(None, standby_wait=wait).start)
                    self.assertIn("host 'compute-1' of cloud 'east'",
                                  str(error))
                    self.assertIn("host 'compute-1' of the default cloud",
                                  str(error))
                    self.assertEqual(before, self.snapshot())

    def test_and_the_other_way_round(self):
        self.guard(None, cluster='DC0_C1').start()
        before = self.snapshot('DC0_C1')
        error = self.assertRaises(refusals.ClusterOwnedByAnotherCloud,
                                  self.guard(EAST, cluster='DC0_C1').start)
        self.assertIn('[vmware_ownership] cloud empty', str(error))
        self.assertEqual(before, self.snapshot('DC0_C1'))
        # Its own cloud's compute-1 takes it as usual.
        self.assertIsNone(self.guard(None, cluster='DC0_C1').start().cloud)

    def test_the_commands_refuse_the_other_clouds_cluster(self):
        self.claim(base.CLUSTER, HOST, EAST)
        before = self.snapshot()
        for args, code in ((('check',), 3), (('claim',), 3),
                           (('release', '--yes'), 3)):
            with self.subTest(args=args):
                out = self.command(None, *args)
                self.assertEqual(code, out.returncode, out.stderr)
                self.assertIn("cloud 'east'", out.stderr)
                self.assertNotIn('Traceback', out.stderr)
        self.assertEqual(before, self.snapshot())
        out = self.command(None, '--format', 'json', 'show')
        self.assertEqual(0, out.returncode, out.stderr)
        state = json.loads(out.stdout)
        self.assertEqual(('owned-by-other-host', HOST, EAST, None),
                         (state['verdict'], state['owner_host'],
                          state['owner_cloud'], state['this_cloud']))
        out = self.command(EAST, 'check')
        self.assertEqual(0, out.returncode, out.stderr)

    def test_list_from_each_cloud(self):
        self.claim('DC0_C0', HOST, EAST)
        self.claim('DC0_C1', HOST, None)
        self.claim('DC0_C2', 'compute-2', None)
        for cloud, states in (
                (EAST, ['released', 'other-cloud', 'other-cloud']),
                (None, ['other-cloud', 'released', 'released'])):
            with self.subTest(cloud=cloud):
                out = self.command(cloud, '--format', 'json', 'list')
                self.assertEqual(0, out.returncode, out.stderr)
                document = json.loads(out.stdout)
                self.assertEqual(cloud, document['cloud'])
                self.assertEqual(states, [c['state']
                                          for c in document['clusters']])
                out = self.command(cloud, 'list', '--format', 'prometheus')
                self.assertEqual(0, out.returncode, out.stderr)
                (info,) = [f for f in parser.text_string_to_metric_families(
                    out.stdout) if f.name == 'nova_vmware_owner_cluster_info']
                self.assertEqual(
                    {('DC0_C0', HOST, EAST), ('DC0_C1', HOST, ''),
                     ('DC0_C2', 'compute-2', '')},
                    {(s.labels['cluster'], s.labels['owner_host'],
                      s.labels['owner_cloud']) for s in info.samples})

"""``nova-vmware-owner list`` against a simulator of 45 clusters.

The clusters are put in every state the records know, through the real
write paths: claimed (``operations``), held live (a guard holding it),
released by its holder, cleared, unreadable (typed by hand), a change in
progress (a lease definition without a value), and unowned. The command
runs as a subprocess; the round trips of a reading are counted on a
session of this process.
"""

import collections
import json
import socket
import types

from prometheus_client import parser

from nova.virt.vmwareapi.ownership.cli import context
from nova.virt.vmwareapi.ownership.cli import fleet as fleet_cli
from nova.virt.vmwareapi.ownership import clock as clock_mod
from nova.virt.vmwareapi.ownership import fencing
from nova.virt.vmwareapi.ownership import guard as guard_mod
from nova.virt.vmwareapi.ownership import operations
from nova.virt.vmwareapi.ownership.vsphere import vcenter
from support import base
from support import raw_vcenter
from support import sharing

CLUSTERS = 45
THIS = 'compute-a'
OTHER = 'compute-b'
UNREADABLE = 'not a host name!'
READ_TRIPS = ['CreateContainerView', 'RetrievePropertiesEx', 'DestroyView']
"""A reading of the whole vCenter, whatever its size."""

# cluster -> (state, owner, verdict for THIS, holder?, change in progress?)
EXPECTED = {
    'DC0_C0': ('released', THIS, 'owned-by-this-host', False, False),
    'DC0_C1': ('released', OTHER, 'owned-by-other-host', False, False),
    'DC0_C2': ('held', THIS, 'owned-by-this-host', True, False),
    'DC0_C3': ('released', OTHER, 'owned-by-other-host', False, False),
    'DC0_C4': ('unreadable', None, 'unreadable', False, False),
    'DC0_C5': ('unowned', None, 'unowned', False, True),
    'DC0_C6': ('unowned', None, 'unowned', False, False),
}
UNOWNED = ('unowned', None, 'unowned', False, False)
JSON_KEYS = {'cluster', 'cluster_moref', 'vcenter_uuid', 'attribute',
             'this_host', 'owner_host', 'verdict', 'record', 'raw'}
"""The keys of ``show``'s object (doc/source/cli/index.rst)."""


def fleet_context(session, attribute, host=THIS, **filters):
    """The command's context on ``session``, without nova."""
    command = types.SimpleNamespace(**dict(
        dict(datacenter=[], folder=[], cluster=[]), **filters))
    return context.Context(types.SimpleNamespace(host=host, command=command),
                           base.settings(attribute_name=attribute),
                           vcenter_uuid=vcenter.vcenter_uuid(session),
                           session=session)


class ListTestCase(base.SimulatorTestCase):

    SIMULATOR_OPTIONS = {'clusters': CLUSTERS}

    def setUp(self):
        super().setUp()
        self.change('DC0_C0', operations.Change.CLAIM, THIS)
        self.change('DC0_C1', operations.Change.CLAIM, OTHER)
        guard_mod.OwnershipGuard(self.make_store(cluster='DC0_C2'), THIS,
                                 base.settings()).start()
        released = guard_mod.OwnershipGuard(
            self.make_store(cluster='DC0_C3'), OTHER, base.settings())
        released.start()
        released.release()
        self.write_raw(self.make_store(cluster='DC0_C4'), UNREADABLE)
        self.make_store(cluster='DC0_C5').create_lease()
        self.change('DC0_C6', operations.Change.CLAIM, THIS)
        self.change('DC0_C6', operations.Change.RELEASE, THIS)

    def change(self, cluster, change, host):
        store = self.make_store(cluster=cluster)
        plan = operations.plan(change, fencing.settle(store), host,
                               clock_mod.SYSTEM.utcnow(), store.location)
        operations.apply(store, plan)

    def command(self, *args, cluster=base.CLUSTER):
        return self.run_command(
            '--config-file', self.config_file(THIS, cluster=cluster),
            'list', *args)

    def assertRows(self, clusters):
        self.assertEqual(CLUSTERS, len(clusters))
        names = [c['cluster'] for c in clusters]
        self.assertEqual(sorted(names), names)
        for state in clusters:
            self.assertEqual(
                EXPECTED.get(state['cluster'], UNOWNED),
                (state['state'], state['owner_host'], state['verdict'],
                 state['holder'] is not None, state['change_in_progress']),
                state['cluster'])

    def test_reads_every_cluster_in_three_round_trips(self):
        trips = self.round_trips()
        found = fleet_cli.read(fleet_context(self.session, self.attribute))
        self.assertEqual(READ_TRIPS, trips.methods)
        states = found.states()
        self.assertRows(states)
        by_name = {s['cluster']: s for s in states}
        self.assertEqual(UNREADABLE, by_name['DC0_C4']['raw'])
        self.assertIsNotNone(by_name['DC0_C5']['lease']['token'])
        self.assertEqual('live', by_name['DC0_C2']['holder_liveness'])
        self.assertEqual(self.make_store(cluster='DC0_C2').location
                         .cluster_moref, by_name['DC0_C2']['cluster_moref'])

    def test_round_trips_do_not_grow_with_the_clusters(self):
        # The run's simulator, or one like it.
        small = self.useFixture(sharing.for_class(sharing.RUN_OPTIONS))
        session = small.session()
        self.addCleanup(session.logout)
        counted = {}
        for name, each in (('small', session), ('large', self.session)):
            trips = self.round_trips(each)
            clusters = fleet_cli.read(
                fleet_context(each, self.attribute)).clusters
            counted[name] = (len(clusters), trips.methods)
        self.assertEqual({'small': (sharing.RUN_OPTIONS['clusters'],
                                    READ_TRIPS),
                          'large': (CLUSTERS, READ_TRIPS)}, counted)

    def test_json_of_the_command(self):
        # No cluster_name is needed: the configured one need not exist.
        out = self.command('--format', 'json', cluster='no-such-cluster')
        self.assertEqual(0, out.returncode, out.stderr)
        document = json.loads(out.stdout)
        self.assertEqual(self.session.vim.service_content.about.instanceUuid,
                         document['vcenter_uuid'])
        self.assertFalse(document['nova'])
        self.assertRows(document['clusters'])
        for state in document['clusters']:
            self.assertLessEqual(JSON_KEYS, set(state))
            self.assertNotIn('disagreements', state)
        self.assertNotIn(self.simulator.password, out.stdout + out.stderr)

    def test_text_of_the_command(self):
        out = self.command()
        self.assertEqual(0, out.returncode, out.stderr)
        rows = {line.split()[0]: line.split() for line in
                out.stdout.splitlines()[3:3 + CLUSTERS]}
        self.assertEqual(CLUSTERS, len(rows))
        self.assertEqual('in-progress', rows['DC0_C5'][-1])
        self.assertEqual(['DC0', 'compute-a', 'held'],
                         [rows['DC0_C2'][1]] + rows['DC0_C2'][3:5])
        self.assertIn('%d cluster(s): 1 held, 3 released, 40 unowned, '
                      '1 unreadable; 1 with a holder; 1 with a change in '
                      'progress.' % CLUSTERS, out.stdout)
        self.assertIn('Changes in progress', out.stdout)

    def test_prometheus_of_the_command(self):
        out = self.command('--format', 'prometheus')
        self.assertEqual(0, out.returncode, out.stderr)
        families = {f.name: f for f in
                    parser.text_string_to_metric_families(out.stdout)}
        info = families['nova_vmware_owner_cluster_info']
        self.assertEqual('gauge', info.type)
        self.assertEqual(CLUSTERS, len(info.samples))
        by_name = {s.labels['cluster']: s.labels for s in info.samples}
        self.assertEqual(('held', THIS), (by_name['DC0_C2']['state'],
                                          by_name['DC0_C2']['owner_host']))
        self.assertIn('nova_vmware_owner_reading_timestamp_seconds',
                      families)
        self.assertNotIn('nova_vmware_owner_disagreements', families)

    def test_nova_needs_nova_and_its_databases(self):
        # This environment has no nova (the nova tier runs the rest); with
        # nova the configuration lacks [database]: exit 2 either way.
        out = self.command('--nova')
        self.assertEqual(2, out.returncode, out.stderr)
        self.assertNotIn('Traceback', out.stderr)
        self.assertTrue('list --nova needs nova' in out.stderr or
                        '[database] connection' in out.stderr, out.stderr)

    def test_unreachable_vcenter(self):
        with socket.socket() as sock:
            sock.bind(('127.0.0.1', 0))
            port = sock.getsockname()[1]
        out = self.run_command('--config-file',
                               self.config_file(THIS, port=port), 'list')
        self.assertEqual(2, out.returncode, out.stderr)
        self.assertIn('Cannot reach vCenter', out.stderr)
        self.assertEqual('', out.stdout)


class FilterTestCase(base.SimulatorTestCase):
    """``--datacenter``, ``--folder``, ``--cluster`` on two datacenters.

    The inventory, arranged as a vSphere admin would (one cluster name in
    both datacenters)::

        DC0/host/DC0_C0
        DC0/host/Prod/DC0_C1
        DC0/host/Prod/Team1/DC0_C2
        DC1/host/DC1_C0
        DC1/host/Prod/DC1_C1
        DC1/host/DC0_C0           (DC1_C2 renamed)
    """

    # Arranges the inventory past the product's list of calls
    # (raw_vcenter: FindByInventoryPath, Rename_Task, MoveIntoFolder_Task).
    FULL_SESSION = True
    SIMULATOR_OPTIONS = {'datacenters': 2, 'clusters': 3}
    PATHS = {'DC0_C0': '/DC0/host/DC0_C0',
             'DC0_C1': '/DC0/host/Prod/DC0_C1',
             'DC0_C2': '/DC0/host/Prod/Team1/DC0_C2',
             'DC1_C0': '/DC1/host/DC1_C0',
             'DC1_C1': '/DC1/host/Prod/DC1_C1',
             'DC1_C2': '/DC1/host/DC0_C0'}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        raw_vcenter.move_into_folder(cls.session, 'DC0/host/DC0_C1',
                                     ['Prod'])
        raw_vcenter.move_into_folder(cls.session, 'DC0/host/DC0_C2',
                                     ['Prod', 'Team1'])
        raw_vcenter.move_into_folder(cls.session, 'DC1/host/DC1_C1',
                                     ['Prod'])
        raw_vcenter.rename(cls.session, 'DC1/host/DC1_C2', 'DC0_C0')

    def read(self, **filters):
        """``(paths chosen, round trips)`` of one in-process reading."""
        trips = self.round_trips()
        found = fleet_cli.read(fleet_context(self.session, self.attribute,
                                             **filters))
        return ([s['path'] for s in found.states()], trips.methods)

    def test_each_cluster_with_its_datacenter_and_path(self):
        found = fleet_cli.read(fleet_context(self.session, self.attribute))
        self.assertEqual(sorted(self.PATHS.values()),
                         sorted(s['path'] for s in found.states()))
        self.assertEqual({'DC0': 3, 'DC1': 3}, collections.Counter(
            s['datacenter'] for s in found.states()))

    def test_filters_in_the_same_three_round_trips(self):
        p = self.PATHS
        for filters, expected in (
                ({}, sorted(p.values())),
                (dict(datacenter=['DC1']),
                 [p['DC1_C2'], p['DC1_C0'], p['DC1_C1']]),
                (dict(folder=['Prod']),
                 [p['DC0_C1'], p['DC0_C2'], p['DC1_C1']]),
                (dict(folder=['Prod/Team1']), [p['DC0_C2']]),
                (dict(folder=['/DC1/host/Prod']), [p['DC1_C1']]),
                (dict(cluster=['DC0_C0']), [p['DC0_C0'], p['DC1_C2']]),
                (dict(cluster=['DC0_C0'], datacenter=['DC1']),
                 [p['DC1_C2']]),
                (dict(folder=['Team1', 'DC1']),
                 [p['DC0_C2'], p['DC1_C2'], p['DC1_C0'], p['DC1_C1']])):
            with self.subTest(filters=filters):
                paths, trips = self.read(**filters)
                self.assertEqual(sorted(expected), sorted(paths))
                self.assertEqual(READ_TRIPS, trips)
        # --cluster also takes the managed object id: one of two names.
        moref = base.make_store(self.session, self.attribute,
                                'DC1_C1').location.cluster_moref
        self.assertEqual([p['DC1_C1']], self.read(cluster=[moref])[0])

    def test_the_command(self):
        config = self.config_file(THIS)
        out = self.run_command('--config-file', config, 'list', '--format',
                               'json', '--folder', 'Prod', '--datacenter',
                               'DC0')
        self.assertEqual(0, out.returncode, out.stderr)
        document = json.loads(out.stdout)
        self.assertEqual([self.PATHS['DC0_C1'], self.PATHS['DC0_C2']],
                         [c['path'] for c in document['clusters']])
        self.assertEqual(['Prod'], document['scope']['folders'])
        out = self.run_command('--config-file', config, 'list', '--folder',
                               'prod')
        self.assertEqual(2, out.returncode, out.stderr)
        self.assertIn('No cluster of the vCenter matches --folder prod (the '
                      'vCenter has 6 cluster(s))', out.stderr)
        self.assertEqual('', out.stdout)

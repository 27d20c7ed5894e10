"""``nova-vmware-owner list`` against a simulator of 45 clusters.

The clusters are put in every state the records know, through the real
write paths: claimed (``operations``), held live (a guard holding it),
released by its holder, cleared, unreadable (typed by hand), a change in
progress (a lease definition without a value), and unowned. The command
runs as a subprocess; the round trips of a reading are counted on a
session of this process.
"""

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


def fleet_context(session, attribute, host=THIS):
    """The command's context on ``session``, without nova."""
    return context.Context(types.SimpleNamespace(host=host),
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
                 state['holder'] is not None, state['locked']),
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
        self.assertEqual(['compute-a', 'held'], rows['DC0_C2'][2:4])
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

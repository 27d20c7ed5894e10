"""``list --nova`` against nova's own records (``tox -e nova``).

``ListNovaTestCase`` produces each disagreement for real in nova's
in-process harness (real nova-compute services, nova's plain driver or
ours, on the simulator) and runs the command's body (``cli.fleet.listing``,
with ``novadb.fleet`` reading the harness's databases, which a subprocess
could not reach). ``ListCommandTestCase`` runs the console script as an
operator does, on SQLite databases made by nova's migrations
(``benchmarks/_novadb.py``).
"""

import json
import os
import subprocess
import sys
import types
import uuid

import fixtures
import testtools

from nova import context as nova_context
from nova import objects

from nova.virt.vmwareapi.ownership.cli import context
from nova.virt.vmwareapi.ownership.cli import fleet as fleet_cli
from nova.virt.vmwareapi.ownership.cli import main as cli
from nova.virt.vmwareapi.ownership import clock as clock_mod
from nova.virt.vmwareapi.ownership import fencing
from nova.virt.vmwareapi.ownership.fleet import disagreement as dis
from nova.virt.vmwareapi.ownership import location as location_mod
from nova.virt.vmwareapi.ownership import nova_records
from nova.virt.vmwareapi.ownership.novadb import fleet as fleet_nova
from nova.virt.vmwareapi.ownership import opts
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership.vsphere import clusters
from nova.virt.vmwareapi.ownership.vsphere import store as store_mod
from nova.virt.vmwareapi.ownership.vsphere import vcenter
import support
from support import harness
from support import service
from support import simulator

CONF = service.CONF
NOVADB = os.path.join(support.REPO_ROOT, 'benchmarks', '_novadb.py')
COMMAND = os.path.join(sys.prefix, 'bin', 'nova-vmware-owner')
TIMEOUT = 120
"""Seconds any one process may take (a hang fails the test)."""


def cluster_store(session, attribute, cluster=harness.CLUSTER):
    ref = clusters.find_cluster(session, cluster)
    location = location_mod.Location(cluster, str(session.endpoint),
                                     cluster_moref=ref.value,
                                     attribute=attribute)
    return store_mod.VCenterStore(session, ref, attribute, location)


def claim(store, host, node=None, cloud=None):
    """Claim the cluster for ``host`` through ``fencing``.

    :param node: the record's node; ``cloud``: the record's cloud
    """
    fencing.take(store, fencing.settle(store),
                 record_mod.OwnershipRecord.claimed(
                     host, clock_mod.SYSTEM.utcnow(), node=node,
                     cloud=cloud))


class ListNovaTestCase(service.ServiceTestCase):

    def setUp(self):
        super().setUp()
        self.attribute = CONF.vmware_ownership.attribute_name
        self.store = cluster_store(self.vcenter, self.attribute)

    def listing(self, this_host='host-a'):
        """Run ``list --nova``: ``(JSON document, text, exit code)``."""
        ctx = context.Context(
            types.SimpleNamespace(host=this_host),
            opts.settings(CONF.vmware_ownership),
            vcenter_uuid=vcenter.vcenter_uuid(self.vcenter),
            session=self.vcenter,
            nova=context.NovaDatabases(fleet_nova,
                                       nova_context.get_admin_context()))
        document, error = fleet_cli.listing(ctx, 'json')
        text, _ = fleet_cli.listing(ctx, 'text')
        return (json.loads(document), text,
                cli.exit_code_for(error) if error else cli.EXIT_OK)

    def only_cluster(self, document):
        (state,) = document['clusters']
        self.assertEqual(harness.CLUSTER, state['cluster'])
        return state

    def node_uuid(self, host):
        (node,) = [n for n in self.nodes() if n.host == host]
        return node.uuid

    def nodes(self):
        with nova_context.target_cell(nova_context.get_admin_context(),
                                      self.cell_mappings['cell1']) as cell:
            return objects.ComputeNodeList.get_all(cell)

    def test_consistent_fleet_exits_0(self):
        self.start_compute('host-a')
        document, text, code = self.listing()
        state = self.only_cluster(document)
        self.assertEqual(cli.EXIT_OK, code)
        self.assertEqual(([], ['host-a'], 'host-a'),
                         (state['disagreements'], state['nova_hosts'],
                          state['owner_host']))
        self.assertEqual(self.node_uuid('host-a'), state['record']['node'])
        self.assertIn('nova and the ownership records agree.', text)

    def test_two_hosts_on_one_cluster_with_novas_driver(self):
        self.start_compute('host-a', driver=service.NOVA_DRIVER)
        self.start_compute('host-b', driver=service.NOVA_DRIVER)
        document, text, code = self.listing()
        state = self.only_cluster(document)
        self.assertEqual(cli.EXIT_DISAGREES, code)
        self.assertEqual(['host-a', 'host-b'], state['nova_hosts'])
        self.assertEqual([dis.TWO_NOVA_HOSTS, dis.NO_RECORD],
                         state['disagreements'])
        self.assertIn('%s (%s): two-nova-hosts: nova manages the cluster as '
                      'host host-a and host-b' % (harness.CLUSTER,
                                                  state['cluster_moref']),
                      text)
        self.assertIn('no-record:', text)

    def test_cluster_without_a_record_then_a_foreign_node(self):
        self.start_compute('host-a', driver=service.NOVA_DRIVER)
        document, text, code = self.listing()
        self.assertEqual([dis.NO_RECORD],
                         self.only_cluster(document)['disagreements'])
        self.assertEqual(cli.EXIT_DISAGREES, code)
        self.assertIn('nova-vmware-owner --config-file <its nova.conf> '
                      'claim', text)

        claim(self.store, 'host-a', node=str(uuid.uuid4()))
        document, text, code = self.listing()
        state = self.only_cluster(document)
        self.assertEqual([dis.NODE_DIFFERS], state['disagreements'])
        self.assertIn(self.node_uuid('host-a'), state['fixes'][
            dis.NODE_DIFFERS])
        self.assertEqual(cli.EXIT_DISAGREES, code)

    def test_host_renamed_in_novas_records(self):
        self.start_compute('host-a')
        self.computes.pop('host-a').stop()
        # Someone renamed host-a's service and compute node in nova's
        # database (a rehome without the takeover).
        ctxt = nova_context.get_admin_context()
        with nova_context.target_cell(ctxt,
                                      self.cell_mappings['cell1']) as cell:
            svc = objects.Service.get_by_host_and_binary(
                cell, 'host-a', 'nova-compute')
            svc.host = 'host-b'
            svc.save()
            for node in objects.ComputeNodeList.get_all_by_host(cell,
                                                                'host-a'):
                node.host = 'host-b'
                node.save()
        document, text, code = self.listing()
        state = self.only_cluster(document)
        self.assertEqual(cli.EXIT_DISAGREES, code)
        self.assertEqual([dis.NOVA_HOST_DIFFERS, dis.UNKNOWN_OWNER],
                         state['disagreements'])
        self.assertIn('rehome --from host-b --to host-a', text)
        self.assertIn('takeover --host host-b', text)

    def test_owned_by_a_host_nova_does_not_know(self):
        claim(self.store, 'host-z')
        document, text, code = self.listing()
        self.assertEqual([dis.UNKNOWN_OWNER],
                         self.only_cluster(document)['disagreements'])
        self.assertEqual(cli.EXIT_DISAGREES, code)
        self.assertIn('names host host-z, which has no nova-compute service',
                      text)


class ListCommandTestCase(testtools.TestCase):
    """The console script with nova's databases in SQLite files.

    The databases are made by the release's own migrations and filled
    through its objects (``benchmarks/_novadb.py``).
    """

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.simulator = self.useFixture(simulator.VCenterSimulator(
            clusters=len(dis.CODES)))

    def vmware_config(self):
        """nova-compute's part of the configuration: ``[vmware]``."""
        path = os.path.join(self.dir, 'vmware.conf')
        sim = self.simulator
        with open(path, 'w') as f:
            f.write('[DEFAULT]\nhost = host-a\n[vmware]\nhost_ip = %s\n'
                    'host_port = %d\nhost_username = %s\nhost_password = %s\n'
                    'ca_file = %s\n' % (sim.host, sim.port, sim.username,
                                        sim.password, sim.ca_file))
        return path

    def command(self, *args):
        return subprocess.run(
            [COMMAND] + list(args), stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=TIMEOUT,
            env=dict(os.environ, NOVA_VMWARE_OWNER_DEBUG='0'))

    def test_missing_database_options_exit_2(self):
        out = self.command('--config-file', self.vmware_config(), 'list',
                           '--nova')
        self.assertEqual(2, out.returncode, out.stderr)
        self.assertNotIn('Traceback', out.stderr)
        self.assertIn('[database] connection: the option is not set',
                      out.stderr)
        self.assertEqual('', out.stdout)

    def first_cluster(self, out):
        """The state of DC0_C0 in ``list --format json``'s output."""
        (state,) = [state for state in json.loads(out.stdout)['clusters']
                    if state['cluster'] == harness.CLUSTER]
        return state

    def test_disagreement_exits_3_and_agreement_0(self):
        nova_conf = subprocess.run(
            [sys.executable, NOVADB, self.dir, '--instances', '0'],
            check=True, capture_output=True, text=True,
            timeout=TIMEOUT).stdout.strip()
        args = ('--config-file', nova_conf, '--config-file',
                self.vmware_config(), 'list', '--nova', '--format', 'json')
        out = self.command(*args)
        self.assertEqual(0, out.returncode, out.stderr)
        state = self.first_cluster(out)
        self.assertEqual(([], []), (state['disagreements'],
                                    state['nova_hosts']))

        session = self.simulator.session()
        self.addCleanup(session.logout)
        claim(cluster_store(session, opts.Settings.attribute_name), 'host-z')
        out = self.command(*args)
        self.assertEqual(3, out.returncode, out.stderr)
        state = self.first_cluster(out)
        self.assertEqual([dis.UNKNOWN_OWNER], state['disagreements'])
        self.assertIn('disagree on 1 of %d cluster(s) (unknown-owner: 1)'
                      % len(dis.CODES), out.stderr)

    def test_each_disagreement(self):
        session = self.simulator.session()
        self.addCleanup(session.logout)
        vcenter_uuid = vcenter.vcenter_uuid(session)
        stores, names = {}, {}
        for number, code in enumerate(dis.CODES):
            store = cluster_store(session, opts.Settings.attribute_name,
                                  'DC0_C%d' % number)
            stores[code] = store
            names[code] = nova_records.node_name(
                store.location.cluster_moref, vcenter_uuid)
        nodes = [('host-a', names[dis.TWO_NOVA_HOSTS]),
                 ('host-b', names[dis.TWO_NOVA_HOSTS]),
                 ('host-b', names[dis.NOVA_HOST_DIFFERS]),
                 ('host-c', names[dis.NO_RECORD]),
                 ('host-d', names[dis.NODE_DIFFERS]),
                 ('host-e', names[dis.RECORD_UNREADABLE]),
                 ('host-f', names[dis.OWNED_BY_OTHER_CLOUD])]
        nova_conf = subprocess.run(
            [sys.executable, NOVADB, self.dir] +
            ['--node=%s=%s' % node for node in nodes],
            check=True, capture_output=True, text=True,
            timeout=TIMEOUT).stdout.strip()
        claim(stores[dis.TWO_NOVA_HOSTS], 'host-a')
        claim(stores[dis.NOVA_HOST_DIFFERS], 'host-a')
        claim(stores[dis.UNKNOWN_OWNER], 'host-z')
        # This cloud (the default) runs host-f on it; another cloud owns it.
        claim(stores[dis.OWNED_BY_OTHER_CLOUD], 'host-f', cloud='west')
        claim(stores[dis.NODE_DIFFERS], 'host-d', node=str(uuid.uuid4()))
        unreadable = stores[dis.RECORD_UNREADABLE]
        unreadable.write_attribute(unreadable.ensure_attribute(),
                                   '{"v": 1, "host": ')

        out = self.command('--config-file', nova_conf, '--config-file',
                           self.vmware_config(), 'list', '--nova',
                           '--format', 'json')
        self.assertEqual(3, out.returncode, out.stderr)
        found = {state['cluster']: state['disagreements']
                 for state in json.loads(out.stdout)['clusters']}
        self.assertEqual({'DC0_C%d' % number: [code]
                          for number, code in enumerate(dis.CODES)}, found)

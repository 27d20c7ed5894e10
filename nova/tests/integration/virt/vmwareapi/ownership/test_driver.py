"""The guarded driver as nova-compute drives it, against the simulator.

Real nova 34 code throughout: the driver is constructed as
``nova.virt.driver.load_compute_driver`` does (``virtapi`` only) and gets
``init_host``, ``get_nodenames_by_uuid`` and ``cleanup_host`` in nova's
order (nova34-research.md, section 1). Only the service around it is
missing; ``test_service`` has that.
"""

import logging
import os
from unittest import mock

import fixtures
from oslo_config import fixture as config_fixture
import testtools

from nova import config as nova_config
from nova import exception as nova_exception
from nova import rpc
from nova.virt import node as nova_node

from nova.tests.functional.virt.vmwareapi.ownership import simulator
from nova.tests.integration.virt.vmwareapi.ownership import harness
from nova.virt.vmwareapi.ownership import connection
from nova.virt.vmwareapi.ownership import driver as ownership_driver
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import rehome_nova
from nova.virt.vmwareapi.ownership import store as store_mod

CONF = harness.CONF


class DriverTestCase(simulator.SharedSimulatorMixin, testtools.TestCase):
    """One simulator per class; each test its own attribute name."""

    SIMULATOR_OPTIONS = {'clusters': 2, 'hosts': 1, 'vms': 1}

    def setUp(self):
        super().setUp()
        self.conf = self.useFixture(config_fixture.Config(CONF))
        # As nova-compute reads its config; the driver (nova's VCState)
        # needs an RPC transport, without a broker.
        config_file = os.path.join(self.useFixture(fixtures.TempDir()).path,
                                   'nova.conf')
        with open(config_file, 'w') as f:
            f.write('[DEFAULT]\ntransport_url = fake:/\n')
        nova_config.parse_args(['nova-compute', '--config-file', config_file],
                               default_config_files=[], configure_db=False,
                               init_rpc=False)
        harness.register_ownership_opts()
        rpc.init(CONF)
        self.addCleanup(rpc.cleanup)
        self.conf.config(group='vmware', **harness.vmware_flags(
            self.simulator))
        self.conf.config(group='vmware_ownership',
                         attribute_name='test.owner.' + self.getUniqueString(),
                         lease_duration=30, renew_interval=10)
        self.useFixture(harness.SessionDefaults())
        # nova caches the node uuid per process; each test is a fresh one.
        self.useFixture(fixtures.MonkeyPatch(
            'nova.virt.node.LOCAL_NODE_UUID', None))
        # No nova database or conductor here; test_rehome runs that check
        # inside nova's harness.
        self.useFixture(fixtures.MockPatchObject(
            rehome_nova, 'refuse_if_node_elsewhere', autospec=True))
        self.logs = self.useFixture(fixtures.FakeLogger(
            name='nova.virt.vmwareapi.ownership', level=logging.INFO))

    def start(self, host, state_path=None, stop=True, **ownership):
        """Construct and ``init_host`` a driver as nova-compute ``host``.

        :param state_path: nova's state_path (its ``compute_id`` lives
                           there); a new empty directory if omitted
        :param stop: ``cleanup_host`` at the end of the test
        :returns: the driver
        """
        self.conf.config(host=host, state_path=state_path or
                         self.useFixture(fixtures.TempDir()).path)
        if ownership:
            self.conf.config(group='vmware_ownership', **ownership)
        nova_node.LOCAL_NODE_UUID = None
        driver = ownership_driver.VMwareVCDriver(None)
        driver.init_host(host)
        if stop:
            self.addCleanup(driver.cleanup_host, host)
        return driver

    def node_of(self, driver):
        """What nova-compute does next: its node uuid, created if missing."""
        (uuid, nodename), = driver.get_nodenames_by_uuid().items()
        return uuid, nodename

    def record(self):
        """The ownership record on the cluster, read with our own session."""
        attribute = CONF.vmware_ownership.attribute_name
        cluster = connection.find_cluster(self.session, harness.CLUSTER)
        location = exceptions.Location(harness.CLUSTER, self.simulator.url,
                                       cluster_moref=cluster.value,
                                       attribute=attribute)
        store = store_mod.ClusterStore(self.session, cluster, attribute,
                                       location)
        return store.read().record()


class TestRefusal(DriverTestCase):

    def test_second_host_is_refused_with_the_fix(self):
        self.start('host-a')
        self.conf.config(host='host-b')
        driver = ownership_driver.VMwareVCDriver(None)
        self.addCleanup(driver.cleanup_host, 'host-b')
        error = self.assertRaises(exceptions.ClusterOwnedByAnotherHost,
                                  driver.init_host, 'host-b')
        self.assertIsInstance(error, nova_exception.InvalidConfiguration)
        message = error.format_message()
        for part in ("cluster 'DC0_C0'",
                     'vCenter https://127.0.0.1:%d' % self.simulator.port,
                     "owned by nova-compute host 'host-a'",
                     "runs as host 'host-b'",
                     '[DEFAULT] host = host-a',
                     'nova-vmware-owner takeover --host host-b'):
            self.assertIn(part, message)
        self.assertEqual('host-a', error.owner)
        self.assertEqual('host-b', error.this_host)
        record = self.record()
        self.assertEqual('host-a', record.host)
        self.assertIn('(claimed %s)' % record.since, message)

    def test_audit_mode_starts_and_logs_the_refusal(self):
        self.start('host-a')
        driver = self.start('host-b', mode='audit')
        self.assertIsNone(driver.ownership.record)
        self.assertIn('Ownership audit: in enforce mode this service would '
                      'refuse to start: Refusing to manage cluster '
                      "'DC0_C0'", self.logs.output)
        self.assertIn("owned by nova-compute host 'host-a'",
                      self.logs.output)
        # Audit writes nothing: host-a still owns the cluster.
        record = self.record()
        self.assertEqual('host-a', record.host)


class TestClaimAndRestart(DriverTestCase):

    def test_first_host_claims(self):
        self.assertIsNone(self.record())
        driver = self.start('host-a')
        self.assertEqual('host-a', driver.ownership.record.host)
        self.assertTrue(driver.ownership.record.is_held)
        node, nodename = self.node_of(driver)
        # nova's node name: <cluster moref>.<vCenter instance uuid>
        cluster = connection.find_cluster(self.session, harness.CLUSTER)
        self.assertTrue(nodename.startswith(cluster.value + '.'))
        record = self.record()
        self.assertEqual('host-a', record.host)
        self.assertEqual(node, record.node)

    def test_node_is_recorded_at_the_next_call_after_a_vcenter_error(self):
        driver = self.start('host-a')
        real = driver.ownership.record_node
        with mock.patch.object(
                driver.ownership, 'record_node', autospec=True,
                side_effect=exceptions.VCenterUnreachable('vc', 'down')):
            node, _ = self.node_of(driver)
        self.assertIsNone(self.record().node)
        with mock.patch.object(driver.ownership, 'record_node',
                               autospec=True, side_effect=real) as retried:
            self.node_of(driver)
            self.node_of(driver)
        self.assertEqual(node, self.record().node)
        self.assertEqual(1, retried.call_count)

    def test_cleanup_host_releases(self):
        driver = self.start('host-a', stop=False)
        self.node_of(driver)
        driver.cleanup_host('host-a')
        record = self.record()
        self.assertEqual('host-a', record.host)
        self.assertEqual('released', record.state)

    def test_same_host_restarts(self):
        state_path = self.useFixture(fixtures.TempDir()).path
        first = self.start('host-a', state_path=state_path, stop=False)
        node, nodename = self.node_of(first)
        first.cleanup_host('host-a')

        second = self.start('host-a', state_path=state_path)
        self.assertEqual((node, nodename), self.node_of(second))
        record = self.record()
        self.assertEqual('host-a', record.host)
        self.assertEqual(second.ownership.holder, record.holder)
        self.assertEqual(0, record.transitions or 0)


class TestPassiveNode(DriverTestCase):

    def test_passive_node_gets_the_active_node_identity(self):
        active_state = self.useFixture(fixtures.TempDir()).path
        active = self.start('host-a', state_path=active_state, stop=False)
        node, nodename = self.node_of(active)
        # Fail-over: the active stops, the passive (identical config, its
        # own empty state_path, no compute_id) starts.
        active.cleanup_host('host-a')

        passive_state = self.useFixture(fixtures.TempDir()).path
        self.assertFalse(os.listdir(passive_state))
        passive = self.start('host-a', state_path=passive_state)
        with open(os.path.join(passive_state, 'compute_id')) as f:
            self.assertEqual(node, f.read().strip())
        self.assertEqual((node, nodename), self.node_of(passive))
        self.assertEqual(node, nova_node.LOCAL_NODE_UUID)
        self.assertEqual(node, self.record().node)

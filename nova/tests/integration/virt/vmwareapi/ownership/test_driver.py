"""The guarded driver as nova-compute drives it, against the simulator.

Real nova 34 code throughout: the driver is constructed as
``nova.virt.driver.load_compute_driver`` does (``virtapi`` only) and gets
``init_host``, ``get_nodenames_by_uuid`` and ``cleanup_host`` in nova's
order. Only the service around it is missing; ``test_service`` has that.
What the driver wrote is read back raw, with the test's own session.
"""

import logging
import os

import fixtures
from oslo_config import fixture as config_fixture
import requests
import testtools

from nova import config as nova_config
from nova import exception as nova_exception
from nova import rpc
from nova import version as nova_version
from nova.virt import node as nova_node

from nova.virt.vmwareapi.ownership import driver as ownership_driver
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import nova_releases
from nova.virt.vmwareapi.ownership.novadb import nodes as nova_nodes
from nova.virt.vmwareapi.ownership import refusals
from nova.virt.vmwareapi.ownership.vsphere import clusters
from nova.virt.vmwareapi.ownership.vsphere import vcenter
from support import base
from support import faults
from support import harness
from support import sharing
from support import vim_cache

CONF = harness.CONF

QUIET_HOLDER = {'lease_duration': 600, 'renew_interval': 300}
"""Lease options of a holder that does not renew while a test runs.

A test that proves another driver wrote nothing compares the record
before and after; a renewal of the holder in between (every 10 s with
``harness.LEASE``, and a driver's start takes longer than that on a
loaded 2-CPU machine) would be a write of the holder's, not of the driver
under test.
"""


class DriverTestCase(sharing.SharedSimulatorMixin, testtools.TestCase):
    """The run's simulator; each test its own attribute name."""

    SIMULATOR_OPTIONS = sharing.RUN_OPTIONS

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
                         **harness.LEASE)
        self.useFixture(harness.SessionDefaults())
        self.useFixture(harness.PickledVimClient(vim_cache.directory()))
        # nova caches the node uuid per process; each test is a fresh one.
        self.useFixture(fixtures.MonkeyPatch(
            'nova.virt.node.LOCAL_NODE_UUID', None))
        # No nova database or conductor here: nova has no compute node of
        # the cluster under another host. test_rehome runs that check
        # inside nova's harness.
        self.useFixture(fixtures.MockPatchObject(
            nova_nodes, 'by_hypervisor', autospec=True, return_value=[]))
        self.logs = self.useFixture(fixtures.FakeLogger(
            name='nova.virt.vmwareapi.ownership', level=logging.INFO))
        self.ends = self.useFixture(harness.ProcessEnds())

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

    def store(self):
        """The cluster's store, through the test's own session."""
        return base.make_store(self.session,
                               CONF.vmware_ownership.attribute_name,
                               harness.CLUSTER)

    def raw(self):
        """Everything a raw reader sees of the record."""
        reading = self.store().read()
        return (reading.attribute_raw, reading.attribute_key,
                reading.lease_key, reading.lease_raw)

    def record(self):
        """The ownership record that counts."""
        return base.view_of(self.store()).record

    def guard_session(self):
        """Spy on the session the next driver opens for its guard.

        :returns: a list that gets the ``session.Session`` and the
                  timeout it was opened with
        """
        opened = []
        connect = vcenter.connect

        def spy(endpoint, timeout, *args, **kwargs):
            session = connect(endpoint, timeout, *args, **kwargs)
            opened.append((session, timeout))
            return session
        self.useFixture(fixtures.MockPatchObject(
            vcenter, 'connect', autospec=True, side_effect=spy))
        return opened


class TestRefusal(DriverTestCase):

    def test_second_host_is_refused_with_the_fix(self):
        self.start('host-a')
        self.conf.config(host='host-b')
        driver = ownership_driver.VMwareVCDriver(None)
        self.addCleanup(driver.cleanup_host, 'host-b')
        error = self.assertRaises(refusals.ClusterOwnedByAnotherHost,
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

    def test_invalid_renew_deadline_fails_at_construction(self):
        # lease_duration 30, renew_interval 10: the deadline must be above
        # 10 and at most 27 (90 % of the lease).
        self.conf.config(group='vmware_ownership', lease_duration=30,
                         renew_interval=10)
        for deadline in (5, 10, 28, 30, 40):
            self.conf.config(group='vmware_ownership',
                             renew_deadline=deadline)
            error = self.assertRaises(exceptions.ConfigurationError,
                                      ownership_driver.VMwareVCDriver, None)
            self.assertIsInstance(error, nova_exception.InvalidConfiguration)
            message = error.format_message()
            for option in ('[vmware_ownership] renew_deadline',
                           '[vmware_ownership] renew_interval',
                           '[vmware_ownership] lease_duration'):
                self.assertIn(option, message, deadline)

    def test_renew_interval_above_half_the_lease_fails_at_construction(self):
        self.conf.config(group='vmware_ownership', lease_duration=30,
                         renew_interval=16)
        error = self.assertRaises(exceptions.ConfigurationError,
                                  ownership_driver.VMwareVCDriver, None)
        self.assertIn('[vmware_ownership] renew_interval',
                      error.format_message())
        self.assertIn('[vmware_ownership] lease_duration',
                      error.format_message())


class TestModes(DriverTestCase):

    def test_audit_mode_starts_and_logs_the_refusal(self):
        self.start('host-a', **QUIET_HOLDER)
        before = self.raw()
        driver = self.start('host-b', mode='audit')
        self.assertIsNone(driver.ownership)
        self.assertIn('Ownership audit: in enforce mode this service would '
                      'refuse to start: Refusing to manage cluster '
                      "'DC0_C0'", self.logs.output)
        self.assertIn("owned by nova-compute host 'host-a'",
                      self.logs.output)
        # Audit writes nothing, not even the node identity later.
        self.node_of(driver)
        driver.cleanup_host('host-b')
        self.assertEqual(before, self.raw())

    def test_audit_mode_on_an_unowned_cluster_writes_nothing(self):
        driver = self.start('host-a', mode='audit', stop=False)
        self.assertIsNone(driver.ownership)
        self.assertIn('Ownership audit: the cluster is unowned; in enforce '
                      'mode this service would claim it', self.logs.output)
        self.node_of(driver)
        driver.cleanup_host('host-a')
        # Not even a custom field definition.
        self.assertEqual((None, None, None, None), self.raw())

    def test_disabled_mode_opens_no_session_and_writes_nothing(self):
        opened = self.guard_session()
        self.start('host-a', **QUIET_HOLDER)
        before = self.raw()
        driver = self.start('host-b', mode='disabled', stop=False)
        self.assertIsNone(driver.ownership)
        self.assertEqual(1, len(opened), 'only host-a opened a session')
        self.assertIn('Cluster ownership is disabled', self.logs.output)
        self.node_of(driver)
        driver.cleanup_host('host-b')
        self.assertEqual(before, self.raw())


class TestMissingPrivileges(DriverTestCase):
    """nova's vCenter user lacks the record's privileges (fix 15)."""

    SIMULATOR_OPTIONS = dict(DriverTestCase.SIMULATOR_OPTIONS,
                             restricted=True)

    def setUp(self):
        super().setUp()
        self.conf.config(group='vmware',
                         host_username=self.simulator.restricted_username,
                         host_password=self.simulator.restricted_password)
        self.useFixture(harness.SessionDefaults())
        self.cluster = "cluster 'DC0_C0' (%s)" % clusters.find_cluster(
            self.session, harness.CLUSTER).value

    def test_enforce_refuses_to_start_naming_them(self):
        self.conf.config(host='host-a')
        driver = ownership_driver.VMwareVCDriver(None)
        self.addCleanup(driver.cleanup_host, 'host-a')
        error = self.assertRaises(exceptions.MissingPrivilege,
                                  driver.init_host, 'host-a')
        message = str(error)
        for part in ("user %r" % self.simulator.restricted_username,
                     'Global.ManageCustomFields on the root folder',
                     'Global.SetCustomField on %s' % self.cluster,
                     'which nova-compute of host host-a',
                     'nothing was written'):
            self.assertIn(part, message)
        self.assertEqual((None, None, None, None), self.raw())

    def test_audit_logs_what_enforce_would_lack_and_starts(self):
        driver = self.start('host-a', mode='audit', stop=False)
        self.assertIsNone(driver.ownership)
        warnings = [line for line in self.logs.output.splitlines()
                    if 'could neither claim' in line]
        self.assertEqual(1, len(warnings), self.logs.output)
        self.assertIn('Ownership audit: in enforce mode this service could '
                      "neither claim cluster 'DC0_C0'", warnings[0])
        self.assertIn('Global.ManageCustomFields on the root folder',
                      warnings[0])
        self.assertIn('Global.SetCustomField on %s' % self.cluster,
                      warnings[0])
        driver.cleanup_host('host-a')
        self.assertEqual((None, None, None, None), self.raw())


class TestClaimAndRestart(DriverTestCase):

    def test_first_host_claims_through_a_session_of_its_own(self):
        self.assertEqual((None, None, None, None), self.raw())
        opened = self.guard_session()
        driver = self.start('host-a')
        tenure = driver.ownership.tenure
        self.assertEqual('host-a', tenure.record.host)
        self.assertTrue(tenure.record.is_held)
        # Its own session, every request bounded to fit the deadline.
        (session, timeout), = opened
        self.assertEqual(driver.ownership_settings.request_timeout, timeout)
        node, nodename = self.node_of(driver)
        # nova's node name: <cluster moref>.<vCenter instance uuid>
        cluster = clusters.find_cluster(self.session, harness.CLUSTER)
        self.assertTrue(nodename.startswith(cluster.value + '.'))
        record = self.record()
        self.assertEqual('host-a', record.host)
        self.assertEqual(node, record.node)
        # In the lease, copied to the attribute under its key.
        attribute, _, token, lease = self.raw()
        self.assertEqual(tenure.key, token)
        self.assertEqual(lease, attribute)

    def test_node_is_recorded_at_the_next_call_after_a_vcenter_error(self):
        opened = self.guard_session()
        # No renewal during the test: the hook counts every request.
        driver = self.start('host-a', lease_duration=600, renew_interval=300)
        (session, _), = opened
        hook = faults.CallHook(self, session)

        def refuse():
            raise requests.exceptions.ConnectionError(
                '[Errno 111] Connection refused')
        hook.before('SetField', refuse)
        node, _ = self.node_of(driver)
        self.assertIsNone(self.record().node)
        self.assertIn('Could not record compute node', self.logs.output)
        self.node_of(driver)
        self.assertEqual(node, self.record().node)
        # Recorded once: the next call asks vCenter nothing.
        requests_so_far = len(hook.calls)
        self.node_of(driver)
        self.assertEqual(requests_so_far, len(hook.calls))

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


class TestNovaRelease(DriverTestCase):

    def test_refused_before_the_supported_range_before_connecting(self):
        opened = self.guard_session()
        self.useFixture(fixtures.MockPatchObject(
            nova_version, 'version_string', return_value='29.4.0'))
        error = self.assertRaises(exceptions.UnsupportedNovaRelease,
                                  ownership_driver.VMwareVCDriver, None)
        self.assertIsInstance(error, nova_exception.InvalidConfiguration)
        for part in ('nova 29.4.0 (OpenStack 2024.1)',
                     'It supports %s' % nova_releases.supported_range(),
                     'compute_driver = vmwareapi.VMwareVCDriver'):
            self.assertIn(part, error.format_message())
        self.assertEqual([], opened)
        self.assertEqual((None, None, None, None), self.raw())

    def test_warns_where_the_stop_outlasts_the_lease(self):
        # harness.LEASE: a grace of 120 - (10 + 120) / 2 = 55 s.
        release = nova_releases.of(nova_version.version_string())
        self.start('host-a', stop=False).cleanup_host('host-a')
        warning = 'Set [DEFAULT] manager_shutdown_timeout = 55 or lower'
        self.assertEqual(release.stop_sleeps, warning in self.logs.output)
        if release.stop_sleeps:
            # nova 33's default is 160; lowered, no warning.
            self.conf.config(manager_shutdown_timeout=55)
            self.logs = self.useFixture(fixtures.FakeLogger(
                name='nova.virt.vmwareapi.ownership', level=logging.INFO))
            self.start('host-a')
            self.assertNotIn('manager_shutdown_timeout', self.logs.output)

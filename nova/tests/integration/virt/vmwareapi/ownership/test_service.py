"""Real nova-compute services with the guarded driver (nova's harness).

Each case where nova 34 alone lets a second host ``host-b`` onto the
cluster of ``host-a``, or refuses it late and without a fix, runs twice:
``TestNovaAlone`` with nova's plain ``VMwareVCDriver`` asserts that
baseline as it is; ``TestOwnershipDriver`` with ours asserts that host-b
is refused in ``init_host``, before nova writes anything of it to its
database, with a message naming the owner and the fix.
"""

import json
import os
import shutil

import fixtures

from nova import exception as nova_exception

from nova.virt.vmwareapi.ownership import refusals
from support import service


class TestNovaAlone(service.ServiceTestCase):
    """The baseline: nova 34 with its plain VMware driver."""

    compute_driver = service.NOVA_DRIVER

    def start(self, host):
        return self.start_compute(host, driver=service.NOVA_DRIVER)

    def test_host_b_starts_beside_host_a(self):
        self.start('host-a')
        self.start('host-b')
        (host_a, name_a, _), (host_b, name_b, _) = self.hypervisors()
        self.assertEqual(('host-a', 'host-b'), (host_a, host_b))
        self.assertEqual(['host-a', 'host-b'],
                         self.db_hosts()['compute_nodes'])
        # The cluster appears twice; placement refuses host-b's provider.
        self.assertEqual(name_a, name_b)
        self.assertEqual([name_a], [p['name'] for p in self.providers()])
        self.assertIn('Conflicting resource provider name',
                      self.stdlog.logger.output)
        for host in ('host-a', 'host-b'):
            (svc,) = self.services(host)
            self.assertEqual('up', svc['state'])

    def test_host_b_refused_only_once_servers_exist(self):
        self.start('host-a')
        self.boot_server()
        error = self.assertRaises(nova_exception.InvalidConfiguration,
                                  self.start, 'host-b')
        self.assertIn('My hypervisor has existing instances, but I appear '
                      'to be a new service', error.format_message())
        self.assertEqual([], self.services('host-b'))

    def test_host_b_with_the_node_identity_of_host_a(self):
        self.start('host-a')
        copy_node_identity(self.state_paths['host-a'], self)
        error = self.assertRaises(nova_exception.InvalidConfiguration,
                                  self.start_compute, 'host-b',
                                  service.NOVA_DRIVER,
                                  self.state_paths['host-b'])
        self.assertIn("has host 'host-a' but my host is 'host-b'",
                      error.format_message())

    def test_host_b_registered_early_restarts_beside_host_a(self):
        self.start('host-a')
        self.start('host-b')
        server = self.boot_server()
        self.assertEqual('host-a', server['OS-EXT-SRV-ATTR:host'])
        self.restart_compute('host-b', driver=service.NOVA_DRIVER)
        (svc,) = self.services('host-b')
        self.assertEqual('up', svc['state'])
        self.assertEqual(['host-a', 'host-b'],
                         [h[0] for h in self.hypervisors()])


class TestOwnershipDriver(service.ServiceTestCase):
    """The same cases with the guarded driver."""

    def assert_refused(self, host='host-b', state_path=None):
        before = self.raw_record()
        error = self.assertRaises(refusals.ClusterOwnedByAnotherHost,
                                  self.start_compute, host,
                                  service.OWNERSHIP_DRIVER, state_path)
        # The refusal wrote nothing: host-a's lease (which host-a may
        # have renewed meanwhile) and the attribute's copy stand.
        after = self.raw_record()
        self.assertEqual(before[:3], after[:3])
        self.assertIsNotNone(before[2])
        self.assertEqual(json.loads(before[3])['holder'],
                         json.loads(after[3])['holder'])
        self.assertIsInstance(error, nova_exception.InvalidConfiguration)
        self.assertEqual(('host-a', host), (error.owner, error.this_host))
        message = error.format_message()
        self.assertIn("cluster 'DC0_C0'", message)
        self.assertIn('[DEFAULT] host = host-a', message)
        self.assertIn('nova-vmware-owner takeover --host %s' % host, message)
        return error

    def assert_nothing_of_host_b(self):
        self.assertEqual({'services': ['host-a'], 'compute_nodes': ['host-a'],
                          'host_mappings': ['host-a']}, self.db_hosts())
        self.assertEqual([], self.services('host-b'))
        self.assertEqual(['host-a'], [h[0] for h in self.hypervisors()])
        self.assertEqual(1, len(self.providers()))

    def assert_still_active(self, server):
        server = self.api.get_server(server['id'])
        self.assertEqual('ACTIVE', server['status'])
        self.assertEqual('host-a', server['OS-EXT-SRV-ATTR:host'])
        self.assertEqual('poweredOn', self.vm_power_state(server))
        self.assertEqual([], self.lost)

    def test_host_b_refused_before_any_server(self):
        self.start_compute('host-a')
        self.assert_refused()
        self.assert_nothing_of_host_b()
        (svc,) = self.services('host-a')
        self.assertEqual('up', svc['state'])

    def test_server_stays_active_when_host_b_is_refused(self):
        self.start_compute('host-a')
        server = self.boot_server()
        self.assertEqual('host-a', server['OS-EXT-SRV-ATTR:host'])
        self.assertEqual('poweredOn', self.vm_power_state(server))
        self.assert_refused()
        self.assert_nothing_of_host_b()
        self.assert_still_active(server)

    def test_host_b_with_the_node_identity_of_host_a(self):
        self.start_compute('host-a')
        copy_node_identity(self.state_paths['host-a'], self)
        self.assert_refused(state_path=self.state_paths['host-b'])
        self.assert_nothing_of_host_b()

    def test_host_b_registered_before_the_guard_is_refused(self):
        # host-b joined while it ran nova's plain driver (before the guard
        # was rolled out); its next start with the guard is refused.
        self.start_compute('host-a')
        self.start_compute('host-b', driver=service.NOVA_DRIVER)
        server = self.boot_server()
        self.computes.pop('host-b').stop()
        self.assert_refused()
        self.assert_still_active(server)

    def test_host_a_restarts(self):
        self.start_compute('host-a')
        server = self.boot_server()
        self.restart_compute('host-a')
        (svc,) = self.services('host-a')
        self.assertEqual('up', svc['state'])
        self.assertEqual(['host-a'], [h[0] for h in self.hypervisors()])
        self.assert_still_active(server)


def copy_node_identity(state_path, test):
    """Give host-b a copy of host-a's ``compute_id`` (a cloned machine)."""
    target = test.useFixture(fixtures.TempDir()).path
    shutil.copy(os.path.join(state_path, 'compute_id'), target)
    test.state_paths['host-b'] = target

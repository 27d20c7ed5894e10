"""The passive node of a pair, started as a real nova-compute service.

The order of nova-compute's start differs between nova releases: from nova
30 (2024.2) on, ``ComputeManager.init_host`` calls the driver's
``init_host`` before its own node identity checks
(``_ensure_existing_node_identity``, ``_sanity_check_new_host``); nova 29
calls them first. The guarded driver restores the passive node's
``compute_id`` in its ``init_host``, so it relies on the newer order: a
passive node (the same ``[DEFAULT] host`` as the active one, its own
``state_path`` without ``compute_id``) starts here through nova's own
service start, where ``test_driver`` calls the driver directly.
"""

import os

import fixtures

from nova import exception as nova_exception

from support import service


def node_identity(state_path):
    with open(os.path.join(state_path, 'compute_id')) as f:
        return f.read().strip()


class PassiveTestCase(service.ServiceTestCase):

    def fail_over(self, driver):
        """host-a starts and stops; its passive node starts."""
        self.start_compute('host-a', driver=driver)
        active = self.state_paths['host-a']
        self.computes.pop('host-a').stop()
        passive = self.useFixture(fixtures.TempDir()).path
        return active, passive


class TestNovaAlone(PassiveTestCase):
    """The baseline: nova's plain driver refuses the passive node."""

    compute_driver = service.NOVA_DRIVER

    def test_passive_node_is_refused(self):
        _active, passive = self.fail_over(service.NOVA_DRIVER)
        error = self.assertRaises(nova_exception.InvalidConfiguration,
                                  self.start_compute, 'host-a',
                                  service.NOVA_DRIVER, passive)
        self.assertIn('No local node identity found',
                      error.format_message())


class TestOwnershipDriver(PassiveTestCase):

    def test_passive_node_starts_with_the_active_node_identity(self):
        active, passive = self.fail_over(service.OWNERSHIP_DRIVER)
        self.start_compute('host-a', state_path=passive)
        self.assertEqual(node_identity(active), node_identity(passive))
        (svc,) = self.services('host-a')
        self.assertEqual('up', svc['state'])
        self.assertEqual(['host-a'], [h[0] for h in self.hypervisors()])
        self.assertEqual({'services': ['host-a'], 'compute_nodes': ['host-a'],
                          'host_mappings': ['host-a']}, self.db_hosts())
        self.assertEqual([], self.lost)

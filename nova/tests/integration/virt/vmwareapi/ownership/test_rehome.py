"""``rehome`` end to end in nova's harness: a cluster gets a new host name.

host-a boots servers on the cluster; the operator stops host-a, marks it
down, runs ``takeover --host host-b`` and ``rehome --from host-a --to
host-b``, and starts host-b with the guarded driver. ``TestNovaAlone``
shows what nova 34 does with the same move and no re-home.
"""

import os

from nova import exception as nova_exception
from nova.tests.functional.api import client as api_client

from nova.virt.vmwareapi.ownership import refusals
from support import rehoming
from support import service

OLD = rehoming.OLD
NEW = rehoming.NEW


class TestRehome(rehoming.RehomeTestCase):

    def test_cluster_moves_to_host_b_with_its_servers(self):
        self.start_compute(OLD)
        aggregate = self.admin_api.post_aggregate(
            {'aggregate': {'name': 'vmware', 'availability_zone': 'az1'}})
        self.admin_api.add_host_to_aggregate(aggregate['id'], OLD)
        servers = [self.boot() for _ in range(2)]
        (provider,) = self.providers()
        allocations = {s['id']: self._get_allocations_by_server_uuid(s['id'])
                       for s in servers}
        vms = {s['id']: self.vm_power_state(s) for s in servers}
        self.assertEqual({'poweredOn'}, set(vms.values()))
        self.stop_and_mark_down()
        self.takeover()

        state, text = self.rehome()

        self.assertTrue(state['changed'])
        self.assertIn('Moved 7 record(s) from host host-a to host host-b',
                      text)
        self.assertEqual(self.node_name, state['node'])
        self.assertEqual(state['node_uuid'], self.record().node)
        self.start_compute(NEW)
        self.assertEqual([], self.lost)
        # host-b restored nova's node identity from the record.
        with open(os.path.join(self.state_paths[NEW], 'compute_id')) as f:
            self.assertEqual(state['node_uuid'], f.read().strip())
        for server in servers:
            server = self.api.get_server(server['id'])
            self.assertEqual(NEW, server['OS-EXT-SRV-ATTR:host'])
            self.assertEqual('az1', server['OS-EXT-AZ:availability_zone'])
        self.assertEqual([(NEW, self.node_name, 'up')], self.hypervisors())
        self.assertEqual([], self.services(OLD))
        (svc,) = self.services(NEW)
        self.assertEqual(('up', False), (svc['state'], svc['forced_down']))
        self.assertEqual([provider], self.providers())
        self.assertEqual(
            allocations, {s['id']: self._get_allocations_by_server_uuid(
                s['id']) for s in servers})
        self.assertEqual([NEW], self.admin_api.api_get(
            '/os-aggregates/%s' % aggregate['id']).body['aggregate']['hosts'])
        self.assertEqual({'services': [NEW], 'compute_nodes': [NEW],
                          'host_mappings': [NEW]}, self.db_hosts())
        # host-b drives the VMs: no VM was deleted or recreated.
        stopped = self.power(servers[0], 'os-stop', 'SHUTOFF')
        self.assertEqual('poweredOff', self.vm_power_state(stopped))
        self.assertEqual('poweredOn', self.vm_power_state(servers[1]))
        started = self.power(stopped, 'os-start', 'ACTIVE')
        self.assertEqual('poweredOn', self.vm_power_state(started))

        again, text = self.rehome()

        self.assertFalse(again['changed'])
        self.assertEqual([], again['changes'])
        self.assertIn('Nothing to do', text)

    def test_host_b_started_before_rehome_is_told_to_run_it(self):
        servers = self.move(servers=1)
        before = self.records()

        error = self.assertRaises(refusals.ClusterNodeOnAnotherHost,
                                  self.start_compute, NEW)

        self.assertIsInstance(error, nova_exception.InvalidConfiguration)
        self.assertEqual((OLD, NEW), (error.owner, error.this_host))
        message = error.format_message()
        self.assertIn('nova-vmware-owner rehome --from host-a --to host-b',
                      message)
        self.assertIn(self.node_name, message)
        self.assertNotIn('My hypervisor has existing instances', message)
        self.assertEqual(before, self.records())
        self.assertEqual([], self.services(NEW))
        # The refused process gave the lease back: nothing waits for it.
        self.assertFalse(self.record().is_held)

        self.rehome()
        self.start_compute(NEW)
        self.assertEqual(NEW, self.api.get_server(
            servers[0]['id'])['OS-EXT-SRV-ATTR:host'])
        (svc,) = self.services(NEW)
        self.assertEqual('up', svc['state'])

    def test_without_vmware_options_moves_the_only_node(self):
        self.move(servers=1)

        state, text = self.rehome(vmware=False)

        self.assertIn('has one compute node and [vmware] is not configured',
                      text)
        self.assertIn('compute_id', '\n'.join(state['notes']))
        self.assertIsNone(self.record().node)
        self.assertEqual({'services': [NEW], 'compute_nodes': [NEW],
                          'host_mappings': [NEW]}, self.db_hosts())
        again, text = self.rehome(vmware=False)
        self.assertFalse(again['changed'])
        self.assertIn('no compute node left', text)


class TestNovaAlone(rehoming.RehomeTestCase):
    """The same move without ``rehome``: nova 34 with its plain driver."""

    compute_driver = service.NOVA_DRIVER

    def test_host_b_is_refused_and_host_a_cannot_be_deleted(self):
        self.start_compute(OLD, driver=service.NOVA_DRIVER)
        servers = [self.boot() for _ in range(2)]
        self.stop_and_mark_down()
        before = self.records()

        error = self.assertRaises(nova_exception.InvalidConfiguration,
                                  self.start_compute, NEW,
                                  service.NOVA_DRIVER)

        self.assertIn('My hypervisor has existing instances, but I appear '
                      'to be a new service', error.format_message())
        self.assertEqual(before, self.records())
        (svc,) = self.services(OLD)
        failure = self.assertRaises(
            api_client.OpenStackApiException, self.admin_api.api_delete,
            '/os-services/%s' % svc['id'])
        self.assertEqual(409, failure.response.status_code)
        self.assertIn('Unable to delete compute service that is hosting '
                      'instances', str(failure))
        for server in servers:
            self.assertEqual(OLD, self.api.get_server(
                server['id'])['OS-EXT-SRV-ATTR:host'])
        self.assertEqual([(OLD, self.node_name, 'down')], self.hypervisors())

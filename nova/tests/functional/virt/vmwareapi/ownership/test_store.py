"""The vCenter store against the simulator, through real oslo.vmware."""

import subprocess
import sys

from oslo_vmware import vim_util

from nova.tests.functional.virt.vmwareapi.ownership import base
from nova.virt.vmwareapi.ownership import connection
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import store as store_mod

# Run in a separate process: ensure_field of the same attribute name must
# reuse the definition that this process created.
_SECOND_PROCESS = '''
import sys

from oslo_vmware import vim_util
from oslo_vmware import api
from nova.virt.vmwareapi.ownership import connection, exceptions, store
host, port, user, password, ca, attribute = sys.argv[1:7]
session = api.VMwareAPISession(host, user, password, 1, 0.5, port=int(port),
                               cacert=ca, insecure=False)
ref = connection.find_cluster(session, 'DC0_C0')
where = exceptions.Location('DC0_C0', host, ref.value, attribute)
print(store.ClusterStore(session, ref, attribute, where).ensure_field())
'''


class TestStore(base.SimulatorTestCase):

    def test_read_of_a_cluster_never_tagged_is_empty(self):
        reading = self.make_store().read()
        self.assertIsNone(reading.raw)
        self.assertIsNone(reading.field_key)
        self.assertIsNone(reading.lock_key)
        self.assertEqual(base.CLUSTER, reading.cluster_name)
        self.assertIsNone(reading.record())

    def test_field_definition_created_once_and_reused_by_another_process(
            self):
        store = self.make_store()
        key = store.ensure_field()
        self.assertEqual(key, store.ensure_field())
        sim = self.simulator
        out = subprocess.run(
            [sys.executable, '-c', _SECOND_PROCESS, '127.0.0.1',
             str(sim.port), sim.username, sim.password, sim.ca_file,
             self.attribute],
            capture_output=True, text=True, timeout=base.COMMAND_TIMEOUT)
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertEqual(str(key), out.stdout.strip().splitlines()[-1])

    def test_record_round_trip(self):
        store = self.make_store()
        record = record_mod.OwnershipRecord(
            'compute-a', node='0b8f9e4e-4b2c-4f7e-9d5a-1c2d3e4f5a6b',
            holder='m:1:ab', seq=7, extra={'note': 'caf\u00e9 \u2603'})
        store.write(record_mod.format_record(record), store.ensure_field())
        reading = store.read()
        self.assertEqual(record, reading.record())
        self.assertEqual(record_mod.format_record(record), reading.raw)

    def test_write_replaces_the_value(self):
        store = self.make_store()
        key = store.ensure_field()
        store.write('compute-a', key)
        store.write('compute-b', key)
        self.assertEqual('compute-b', store.read().raw)

    def test_long_value_round_trips(self):
        store = self.make_store()
        value = 'x' * 70000
        self.write_raw(store, value)
        self.assertEqual(value, store.read().raw)

    def test_values_are_per_cluster(self):
        first = self.make_store()
        second = self.make_store(cluster='DC0_C1')
        self.write_raw(first, 'compute-a')
        self.assertIsNone(second.read().raw)

    def test_lock_is_exclusive_and_removal_fails_once_gone(self):
        store = self.make_store()
        key = store.create_lock()
        self.assertEqual(key, store.read().lock_key)
        held = self.assertRaises(store_mod.LockHeld, store.create_lock)
        self.assertEqual(key, held.key)
        self.assertTrue(store.remove_lock(key))
        self.assertFalse(store.remove_lock(key))
        self.assertIsNone(store.read().lock_key)
        second = store.create_lock()
        self.assertNotEqual(key, second)
        self.assertTrue(store.remove_lock(second))

    def test_post_event_is_logged_on_the_cluster(self):
        store = self.make_store()
        message = 'nova-vmware-owner test event %s' % self.attribute
        store.post_event(message)
        vim = self.session.vim
        event = vim_util.get_object_property(
            vim, vim.service_content.eventManager, 'latestEvent')
        self.assertEqual('GeneralUserEvent', event.__class__.__name__)
        self.assertEqual(message, event.message)
        cluster = connection.find_cluster(self.session, base.CLUSTER)
        self.assertEqual(cluster.value,
                         event.computeResource.computeResource.value)

"""What nova needs of the simulator to boot an instance.

Each call nova's VMware driver makes to boot a server, made against a
simulator of the class's own (split from ``test_simulator``).
"""

from oslo_vmware import exceptions as vexc
from oslo_vmware import vim_util
import requests
import testtools

from support import raw_vcenter
from support import sharing

unique = raw_vcenter.unique


class TestNovaBootNeeds(sharing.SharedSimulatorMixin, testtools.TestCase):
    """Fixes 8-11: what nova's driver needs to boot a server.

    Each test makes the call nova makes (tools/vcsim/README.rst), on a
    simulator of its own class so the files it writes stay apart.
    """

    SIMULATOR_OPTIONS = {'clusters': 1, 'hosts': 1, 'vms': 0}
    # nova's calls: the whole VIM client.
    FULL_SESSION = True
    DATASTORE = 'LocalDS_0'

    @property
    def vim(self):
        return self.session.vim

    def datacenter(self):
        return self.vim.FindByInventoryPath(
            self.vim.service_content.searchIndex, inventoryPath='DC0')

    def create_disk(self, capacity_kb):
        """CreateVirtualDisk_Task as nova's vm_util.create_virtual_disk."""
        name = '[%s] %s.vmdk' % (self.DATASTORE, unique('disk'))
        spec = self.vim.client.factory.create('ns0:FileBackedVirtualDiskSpec')
        spec.adapterType = 'lsiLogic'
        spec.diskType = 'preallocated'
        spec.capacityKb = capacity_kb
        task = self.vim.CreateVirtualDisk_Task(
            self.vim.service_content.virtualDiskManager, name=name,
            datacenter=self.datacenter(), spec=spec)
        self.session.wait_for_task(task)
        return name

    # Fix 8: VMFS datastores.

    def test_datastores_are_vmfs(self):
        # nova's ds_util ignores any other type than VMFS, NFS, vsan.
        result = vim_util.get_objects(self.vim, 'Datastore', 100,
                                      ['summary.type'])
        types = [o.propSet[0].val for o in result.objects]
        self.assertEqual(['VMFS'], types)

    # Fix 9: integral values written as decimals.

    def test_integral_decimal_is_accepted(self):
        # suds writes the Python float nova computes as "1024.0".
        self.assertTrue(self.create_disk(1024.0).endswith('.vmdk'))

    def test_fractional_integer_is_refused(self):
        self.assertRaises(vexc.VimException, self.create_disk, 1024.5)

    # Fix 10: dcPath=ha-datacenter.

    def test_upload_with_ha_datacenter_path(self):
        # What oslo.vmware's FileWriteHandle does for nova's image upload
        # to an ESX host; the file is then in the vCenter's datacenter.
        name = unique('image') + '.vmdk'
        url = '%s://%s:%d/folder/%s' % ('https', self.simulator.host,
                                        self.simulator.port, name)
        put = requests.put(url, data=b'disk data', timeout=30,
                           verify=self.simulator.ca_file,
                           params={'dcPath': 'ha-datacenter',
                                   'dsName': self.DATASTORE})
        self.assertEqual(200, put.status_code)
        get = requests.get(url, timeout=30, verify=self.simulator.ca_file,
                           params={'dcPath': 'DC0', 'dsName': self.DATASTORE})
        self.assertEqual(b'disk data', get.content)

    # Fix 11: CopyVirtualDisk without destDatacenter.

    def test_copy_disk_without_dest_datacenter(self):
        source = self.create_disk(1024)
        dest = '[%s] %s.vmdk' % (self.DATASTORE, unique('copy'))
        # As nova's vm_util.copy_virtual_disk: no destDatacenter.
        task = self.vim.CopyVirtualDisk_Task(
            self.vim.service_content.virtualDiskManager, sourceName=source,
            sourceDatacenter=self.datacenter(), destName=dest)
        self.session.wait_for_task(task)
        # The copy exists: copying onto it again is refused.
        task = self.vim.CopyVirtualDisk_Task(
            self.vim.service_content.virtualDiskManager, sourceName=source,
            sourceDatacenter=self.datacenter(), destName=dest,
            destDatacenter=self.datacenter())
        self.assertRaises(vexc.FileAlreadyExistsException,
                          self.session.wait_for_task, task)

"""Raw vSphere calls to a shared simulator, for the test bed's own tests.

The simulator's tests (``test_simulator*.py`` in the functional tier)
assert what a raw reader of the vSphere API sees: the fault's name and
details, the events ``QueryEvents`` returns, the answers of
``AuthorizationManager``. They call oslo.vmware's ``Vim`` directly, past the
product's boundary, so that a fix is tested on its own. ``move_into_folder``
and ``rename`` arrange the inventory as a vSphere admin would (``list``'s
filters).
"""

import uuid

from oslo_vmware import exceptions as vexc
from oslo_vmware import vim_util
import testtools

from nova.virt.vmwareapi.ownership.vsphere import vcenter
from support import sharing

CLUSTER_TYPE = 'ClusterComputeResource'


def unique(prefix):
    """A name no other test of a shared simulator uses."""
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


class RawVCenterTestCase(sharing.SharedSimulatorMixin, testtools.TestCase):
    """Raw calls to a shared simulator, and what they leave behind."""

    SIMULATOR_OPTIONS = {'clusters': 1, 'hosts': 1, 'vms': 0}
    OWN_SIMULATOR = ('its tests count the events of the whole simulator '
                     'and read its latestEvent')
    # Past the product's boundary: FindByInventoryPath, roles, every event
    # type, none of them in the package's reduced client.
    FULL_SESSION = True

    def vim(self, session=None):
        return (session or self.session).vim

    @property
    def content(self):
        return self.session.vim.service_content

    @property
    def cfm(self):
        return self.content.customFieldsManager

    def cluster(self, path='DC0/host/DC0_C0'):
        ref = self.vim().FindByInventoryPath(self.content.searchIndex,
                                             inventoryPath=path)
        self.assertIsNotNone(ref, 'no cluster at %s' % path)
        return ref

    def add_field(self, session=None, name=None):
        return vcenter.invoke(session or self.session, 'AddCustomFieldDef',
                              self.cfm, name=name or unique('field'),
                              moType=CLUSTER_TYPE)

    def fault(self, call, *args, **kwargs):
        """The fault a raw call raises: (its name, its details)."""
        e = self.assertRaises(vexc.VimFaultException, call, *args, **kwargs)
        return e.fault_list[0], e.details

    def field_keys(self):
        return list(self.field_names().values())

    def field_names(self, prefix=''):
        """``{name: key}`` of the definitions whose name has ``prefix``."""
        defs = vim_util.get_object_property(self.vim(), self.cfm, 'field')
        return {d.name: d.key for d in vcenter.array(defs, 'CustomFieldDef')
                if d.name.startswith(prefix)}

    def values(self, entity):
        values = vim_util.get_object_property(self.vim(), entity,
                                              'customValue')
        return {v.key: v.value
                for v in vcenter.array(values, 'CustomFieldValue')}

    def latest_event(self):
        return vim_util.get_object_property(self.vim(),
                                            self.content.eventManager,
                                            'latestEvent')

    def events_after(self, event, entity=None):
        """Events posted after ``event``, oldest first.

        As ``QueryEvents`` answers with an entity filter on ``entity``
        (default: the root folder and everything below it).
        """
        factory = self.vim().client.factory
        spec = factory.create('ns0:EventFilterSpec')
        spec.entity = factory.create('ns0:EventFilterSpecByEntity')
        spec.entity.entity = entity or self.content.rootFolder
        spec.entity.recursion = 'self' if entity else 'all'
        spec.maxCount = 1000
        found = self.vim().QueryEvents(self.content.eventManager,
                                       filter=spec) or []
        return sorted((e for e in found if e.key > event.key),
                      key=lambda e: e.key)

    def assert_posts(self, kinds, operation, *args, **kwargs):
        """``operation`` posts exactly these events; returns them."""
        before = self.latest_event()
        operation(*args, **kwargs)
        events = self.events_after(before)
        self.assertEqual(list(kinds), [type(e).__name__ for e in events])
        # latestEvent is the last of them (or still the one before).
        self.assertEqual((events or [before])[-1].key,
                         self.latest_event().key)
        return events


def move_into_folder(session, cluster_path, folders):
    """Move a cluster into sub-folders of its datacenter's host folder.

    Creates the folders that do not exist yet, as a vSphere admin would.

    :param cluster_path: the cluster's inventory path, ``DC0/host/DC0_C1``
    :param folders: the folder names below ``host``, outermost first
    :returns: the cluster's new inventory path
    """
    vim = session.vim
    index = vim.service_content.searchIndex
    datacenter = cluster_path.split('/')[0]
    parent_path = '%s/host' % datacenter
    parent = vim.FindByInventoryPath(index, inventoryPath=parent_path)
    for name in folders:
        parent_path += '/' + name
        found = vim.FindByInventoryPath(index, inventoryPath=parent_path)
        parent = found or vim.CreateFolder(parent, name=name)
    cluster = vim.FindByInventoryPath(index, inventoryPath=cluster_path)
    session.wait_for_task(vim.MoveIntoFolder_Task(parent, list=[cluster]))
    return '%s/%s' % (parent_path, cluster_path.rsplit('/', 1)[1])


def rename(session, inventory_path, name):
    """Rename the object at ``inventory_path`` (``Rename_Task``)."""
    vim = session.vim
    ref = vim.FindByInventoryPath(vim.service_content.searchIndex,
                                  inventoryPath=inventory_path)
    session.wait_for_task(vim.Rename_Task(ref, newName=name))

"""nova's in-process functional harness, with computes on the simulator.

``ServiceTestCase`` is nova's ``ProviderUsageBaseTestCase`` (placement, API,
conductor and scheduler in process, databases in memory) whose computes run
a VMware driver against a fresh simulator per test. Each compute gets its
own ``state_path``, so its own ``compute_id`` file and node uuid, as on
separate machines.
"""

import io

import fixtures
from oslo_vmware import vim_util

from nova import context as nova_context
from nova import objects
from nova.tests.functional import integrated_helpers
from nova.virt import node as nova_node

from support import base
from support import harness
from support import simulator
from support import vim_cache

CONF = harness.CONF

NOVA_DRIVER = 'vmwareapi.VMwareVCDriver'
OWNERSHIP_DRIVER = 'vmwareapi.ownership.driver.VMwareVCDriver'

IMAGE_DATA = b'\0' * 1024 * 1024
"""A 1 MiB flat disk: nova copies it to the datastore over HTTP."""


class ServiceTestCase(integrated_helpers.ProviderUsageBaseTestCase):

    compute_driver = OWNERSHIP_DRIVER
    # Real compute_id files, one state_path per compute (see start_compute).
    STUB_COMPUTE_ID = False
    REQUIRES_LOCKING = True

    def setUp(self):
        self.flags(api_paste_config=harness.api_paste_config(), group='wsgi')
        # Before nova's base class points HOME at a temporary directory.
        self.useFixture(harness.SimulatorCache())
        self.useFixture(harness.PickledVimClient(vim_cache.directory()))
        super().setUp()
        self.useFixture(harness.RealHTTPS())
        self.useFixture(harness.EsxHostNames())
        self.useFixture(harness.FreshNovaCaches())
        self.simulator = self.useFixture(simulator.VCenterSimulator(
            clusters=1, hosts=1, vms=0))
        # The whole VIM client: the tests read VMs (vm_power_state).
        self.vcenter = self.simulator.full_session()
        harness.register_ownership_opts()
        self.flags(group='vmware', use_linked_clone=False,
                   **harness.vmware_flags(self.simulator))
        self.flags(group='vmware_ownership', **harness.LEASE)
        self.useFixture(harness.SessionDefaults())
        self.useFixture(fixtures.MonkeyPatch(
            'nova.virt.node.LOCAL_NODE_UUID', None))
        self.ends = self.useFixture(harness.ProcessEnds())
        self.lost = self.ends.lost
        self.state_paths = {}
        self.image = self._create_vmdk_image()
        self.flavor = self._create_flavor(memory_mb=256, vcpu=1, disk=0,
                                          ephemeral=0)

    def _create_vmdk_image(self):
        """A flat vmdk image, which nova copies to the datastore.

        No linked clone, no stream-optimised import, no disk extension:
        the simulator has none of those.
        """
        image = self.glance.create(nova_context.get_admin_context(), {
            'name': 'flat-vmdk', 'disk_format': 'vmdk',
            'container_format': 'bare', 'size': len(IMAGE_DATA),
            'properties': {'vmware_disktype': 'preallocated',
                           'vmware_adaptertype': 'lsiLogic',
                           'img_linked_clone': 'false'}},
            data=io.BytesIO(IMAGE_DATA))
        # nova's fake Glance returns nothing from download() without a
        # target; real Glance returns the data, which nova's VMware driver
        # streams to the datastore.
        download = self.glance.download

        def download_data(context, image_id, data=None, dst_path=None,
                          trusted_certs=None):
            if data is not None or dst_path is not None:
                return download(context, image_id, data=data,
                                dst_path=dst_path)
            buffer = io.BytesIO()
            download(context, image_id, data=buffer)
            return iter([buffer.getvalue()])

        self.useFixture(fixtures.MonkeyPatch(
            'nova.tests.fixtures.glance.GlanceFixture.download',
            lambda fixture, *a, **kw: download_data(*a, **kw)))
        return image['id']

    def start_compute(self, host, driver=OWNERSHIP_DRIVER, state_path=None):
        """Start nova-compute ``host`` with ``driver`` on the cluster.

        Each host keeps its own ``state_path`` (its ``compute_id``) across
        restarts, as separate machines would.
        """
        if state_path is None:
            state_path = self.state_paths.get(host) or self.useFixture(
                fixtures.TempDir()).path
        self.state_paths[host] = state_path
        self.flags(compute_driver=driver, state_path=state_path)
        # nova caches the node uuid per process: forget the previous host's.
        nova_node.LOCAL_NODE_UUID = None
        return self._start_compute(host)

    def restart_compute(self, host, driver=OWNERSHIP_DRIVER):
        """Stop ``host`` and start it again with ``driver``."""
        self.computes.pop(host).stop()
        return self.start_compute(host, driver)

    def boot_server(self):
        """Boot a server to ACTIVE; its VM runs in the simulator."""
        return self._create_server(image_uuid=self.image,
                                   flavor_id=self.flavor, networks='none')

    # What nova's API says.

    def services(self, host):
        return self.admin_api.get_services(binary='nova-compute', host=host)

    def hypervisors(self):
        """``(service host, hypervisor_hostname, state)`` of every node."""
        return sorted(
            (h['service']['host'], h['hypervisor_hostname'], h['state'])
            for h in self.admin_api.api_get(
                '/os-hypervisors/detail').body['hypervisors'])

    def providers(self):
        return self.placement.get(
            '/resource_providers', version='1.14').body['resource_providers']

    # What nova's database says.

    def db_hosts(self):
        """Hosts of the rows nova's databases hold for computes.

        :returns: ``{'services': [...], 'compute_nodes': [...],
                  'host_mappings': [...]}``, each a sorted list of hosts
        """
        ctxt = nova_context.get_admin_context()
        mappings = sorted(m.host for m in objects.HostMappingList.get_all(
            ctxt))
        with nova_context.target_cell(
                ctxt, self.cell_mappings['cell1']) as cell:
            services = sorted(s.host for s in objects.ServiceList.get_all(
                cell) if s.binary == 'nova-compute')
            nodes = sorted(n.host for n in objects.ComputeNodeList.get_all(
                cell))
        return {'services': services, 'compute_nodes': nodes,
                'host_mappings': mappings}

    # What the simulator says.

    def raw_record(self):
        """Everything a raw reader sees of the ownership record."""
        reading = base.make_store(
            self.vcenter, CONF.vmware_ownership.attribute_name,
            harness.CLUSTER).read()
        return (reading.attribute_raw, reading.attribute_key,
                reading.lease_key, reading.lease_raw)

    def vm_power_state(self, server):
        """The power state of the server's VM (``<name> (<uuid>)``)."""
        result = vim_util.get_objects(self.vcenter.vim, 'VirtualMachine',
                                      100,
                                      ['name', 'runtime.powerState'])
        for obj in result.objects:
            props = {p.name: p.val for p in obj.propSet}
            if props['name'].endswith('(%s)' % server['id']):
                return props['runtime.powerState']
        return None

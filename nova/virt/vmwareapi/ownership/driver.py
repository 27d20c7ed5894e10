"""nova's VMware driver, guarded by the cluster's ownership record.

Use it with::

    [DEFAULT]
    compute_driver = vmwareapi.ownership.driver.VMwareVCDriver

nova-compute constructs the driver, then calls ``init_host`` before any of
its own node identity checks (``_ensure_existing_node_identity``,
``_sanity_check_new_host``, ``_check_for_host_rename``) and before it
consumes RPC. The guard runs there: it claims the cluster, takes the lease,
waits as a standby, or refuses with an ``InvalidConfiguration`` that
nova-compute logs before exiting non-zero. When the record carries the
compute node identity and the local ``compute_id`` file is missing (the
passive node of a pair), it is restored before nova reads it.
"""

import os
import signal

from oslo_log import log as logging

import nova.conf
from nova.virt import node as nova_node
from nova.virt.vmwareapi import driver as vmware_driver

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import guard as guard_mod
from nova.virt.vmwareapi.ownership import lease as lease_mod
from nova.virt.vmwareapi.ownership import opts
from nova.virt.vmwareapi.ownership import rehome_nova
from nova.virt.vmwareapi.ownership import store as store_mod

LOG = logging.getLogger(__name__)
CONF = nova.conf.CONF


class NovaNodeIdentity:
    """nova's local compute node identity, the ``compute_id`` file."""

    @property
    def path(self):
        return os.path.join(CONF.state_path, nova_node.COMPUTE_ID_FILE)

    def read(self):
        """The local node uuid, or ``None`` when no file exists yet."""
        return nova_node.read_local_node_uuid()

    def write(self, node):
        """Write ``node`` as the local identity (the file must not exist)."""
        nova_node.write_local_node_uuid(node)


def stop_this_service(error):
    """Stop nova-compute as an operator would: a graceful SIGTERM."""
    LOG.critical('Stopping nova-compute: %s', error)
    os.kill(os.getpid(), signal.SIGTERM)


class VMwareVCDriver(vmware_driver.VMwareVCDriver):
    """nova's ``VMwareVCDriver``, guarded by the cluster's ownership.

    It refuses a cluster owned by another nova-compute host and keeps a
    lease on the one it manages.
    """

    def __init__(self, virtapi, scheme='https'):
        # Fail on bad options before connecting to vCenter.
        opts.register_opts(CONF)
        opts.validate(CONF.vmware_ownership)
        super().__init__(virtapi, scheme=scheme)
        self.ownership = None
        self._lease = None
        self._node_recorded = False

    def _make_guard(self, host):
        settings = CONF.vmware_ownership
        location = exceptions.Location(
            self._cluster_name,
            'https://%s:%s (instance %s)' % (
                CONF.vmware.host_ip, CONF.vmware.host_port,
                self._vcenter_uuid),
            cluster_moref=self._cluster_ref.value,
            attribute=settings.attribute_name)
        store = store_mod.ClusterStore(self._session, self._cluster_ref,
                                       settings.attribute_name, location)
        return guard_mod.OwnershipGuard(store, host, settings,
                                        identity=NovaNodeIdentity())

    def init_host(self, host):
        super().init_host(host)
        settings = CONF.vmware_ownership
        if settings.mode == opts.MODE_DISABLED:
            LOG.warning('Cluster ownership is disabled ([vmware_ownership] '
                        'mode = disabled): nothing stops another host from '
                        'managing cluster %s.', self._cluster_name)
            return
        self.ownership = self._make_guard(host)
        held = self.ownership.start()
        rehome_nova.refuse_if_node_elsewhere(
            self.ownership, host, self.get_available_nodes()[0],
            settings.mode)
        if held is not None and held.is_held:
            self._lease = lease_mod.LeaseKeeper(
                self.ownership, settings.renew_interval, stop_this_service)
            self._lease.start()

    def get_nodenames_by_uuid(self, refresh=False):
        nodes = super().get_nodenames_by_uuid(refresh=refresh)
        # On a first start nova creates the node identity only after
        # init_host; record it once it exists. A passive node can only
        # restore what is recorded, so a vCenter error is retried at nova's
        # next call (its periodic resource update).
        if not self._node_recorded and self.ownership is not None and \
                CONF.vmware_ownership.sync_node_identity:
            try:
                for node_uuid in nodes:
                    self.ownership.record_node(node_uuid)
                self._node_recorded = True
            except exceptions.VCenterError as exc:
                LOG.warning('Could not record compute node %s in the '
                            'ownership record of %s, retrying later: %s',
                            ', '.join(nodes), self._cluster_name, exc)
            except exceptions.OwnershipError as exc:
                self._node_recorded = True
                LOG.error('Not recording compute node %s in the ownership '
                          'record: %s', ', '.join(nodes), exc)
        return nodes

    def cleanup_host(self, host):
        try:
            if self._lease is not None:
                self._lease.stop(timeout=CONF.vmware_ownership.renew_interval)
            if self.ownership is not None and self._lease is not None and \
                    not self._lease.lost:
                self.ownership.release()
        except exceptions.OwnershipError as exc:
            LOG.warning('Could not release cluster %s: %s; a standby takes '
                        'over once the lease expires.', self._cluster_name,
                        exc)
        finally:
            super().cleanup_host(host)

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

It runs on the nova releases of ``nova_releases``: on an older one it
refuses at its construction (``UnsupportedNovaRelease``), where nova's own
start order or untested code would break the guard; on a newer one it
warns. This module applies the operating mode (``[vmware_ownership]
mode``): the guard itself always enforces. The guard talks to vCenter
through a session of its own, on a VIM client of the few methods it calls
(a few MiB where nova's holds vCenter's whole schema), whose every request
ends within ``request_timeout`` from connecting to the last byte of the
answer (nova's requests have no such bound), so a silent or trickling
vCenter cannot hold a renewal past its deadline.

A holder that steps down (``lease``) stops nova-compute: SIGTERM, nova's
graceful stop, and a hard exit (``watchdog``) if that has not ended the
process by the lease keeper's ``gone_by``; ``cleanup_host`` then sends
vCenter nothing more. A holder stopped without releasing the cluster
(vCenter unreachable at ``cleanup_host``) is held to the same bound.
"""

import os
import signal

from oslo_log import log as logging

import nova.conf
from nova import version as nova_version
from nova.virt import node as nova_node
from nova.virt.vmwareapi import driver as vmware_driver

from nova.virt.vmwareapi.ownership import clock as clock_mod
from nova.virt.vmwareapi.ownership import decision
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import guard as guard_mod
from nova.virt.vmwareapi.ownership import lease as lease_mod
from nova.virt.vmwareapi.ownership import location as location_mod
from nova.virt.vmwareapi.ownership import nova_releases
from nova.virt.vmwareapi.ownership.novadb import nodes as nova_nodes
from nova.virt.vmwareapi.ownership import opts
from nova.virt.vmwareapi.ownership import refusals
from nova.virt.vmwareapi.ownership.vsphere import store as store_mod
from nova.virt.vmwareapi.ownership.vsphere import vcenter
from nova.virt.vmwareapi.ownership.vsphere import vmware_opts
from nova.virt.vmwareapi.ownership import watchdog

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


def _nova_release():
    """The ``NovaRelease`` running, ``None`` for one newer than tested.

    :raises: UnsupportedNovaRelease
    """
    version = nova_version.version_string()
    release = nova_releases.of(version)
    if release is None:
        LOG.warning('Cluster ownership: nova %s is newer than the releases '
                    'this driver is tested on, %s; see the releases page of '
                    'nova-vmware-owner for what it depends on.', version,
                    nova_releases.supported_range())
    return release


def stop_this_service(error, gone_by):
    """Stop nova-compute after a step-down, and be gone by ``gone_by``.

    A graceful SIGTERM, as an operator's; the hard exit at ``gone_by``
    (monotonic) if nova's stop has not ended the process by then.
    """
    exit_by(gone_by, 'losing the ownership of %s' % error.location)
    LOG.critical('Stopping nova-compute (SIGTERM); if it has not stopped '
                 'within %.1f seconds, it exits at once with status %d.',
                 max(0.0, gone_by - clock_mod.SYSTEM.now()),
                 watchdog.EXIT_STEPPED_DOWN)
    os.kill(os.getpid(), signal.SIGTERM)


def exit_by(gone_by, why):
    """Exit this process at ``gone_by`` (monotonic) if it still runs.

    :param why: completes "has not stopped N seconds after ..."
    :returns: the armed ``watchdog.ExitWatchdog``, to ``disarm()``
    """
    hard_exit = watchdog.ExitWatchdog()
    hard_exit.arm(gone_by, why)
    return hard_exit


class VMwareVCDriver(vmware_driver.VMwareVCDriver):
    """nova's ``VMwareVCDriver``, guarded by the cluster's ownership.

    It refuses a cluster owned by another nova-compute host and keeps a
    lease on the one it manages.
    """

    def __init__(self, virtapi, scheme='https'):
        # Fail on an unsupported nova and on bad options before connecting
        # to vCenter.
        self.nova_release = _nova_release()
        opts.register_opts(CONF)
        self.ownership_settings = opts.settings(CONF.vmware_ownership)
        slow = nova_releases.slow_stop(self.nova_release,
                                       self.ownership_settings, CONF)
        if slow is not None:
            LOG.warning('Cluster ownership: %s', slow.message)
        super().__init__(virtapi, scheme=scheme)
        self.ownership = None
        self._lease = None
        self._node_recorded = False

    def _make_guard(self, host):
        settings = self.ownership_settings
        endpoint = vmware_opts.endpoint(CONF)
        location = location_mod.Location(
            self._cluster_name,
            '%s (instance %s)' % (endpoint, self._vcenter_uuid),
            cluster_moref=vcenter.moref_value(self._cluster_ref),
            attribute=settings.attribute_name)
        session = vcenter.connect(endpoint, settings.request_timeout)
        store = store_mod.VCenterStore(session, self._cluster_ref,
                                       settings.attribute_name, location)
        return guard_mod.OwnershipGuard(store, host, settings,
                                        identity=NovaNodeIdentity())

    def init_host(self, host):
        super().init_host(host)
        settings = self.ownership_settings
        if settings.mode == opts.MODE_DISABLED:
            LOG.warning('Cluster ownership is disabled ([vmware_ownership] '
                        'mode = disabled): nothing stops another host from '
                        'managing cluster %s.', self._cluster_name)
            return
        guard = self._make_guard(host)
        if settings.mode == opts.MODE_AUDIT:
            self._audit(guard, host)
            return
        self.ownership = guard
        started = guard.start()
        refusal = self._node_elsewhere(host)
        if refusal is not None:
            # nova would refuse this host with a generic message, or let
            # it create a second compute node: give the cluster back first.
            try:
                guard.release()
            except exceptions.OwnershipError as exc:
                LOG.warning('Could not release %s before refusing: %s',
                            guard.location, exc)
            raise refusal
        if guard.tenure is not None:
            self._lease = lease_mod.LeaseKeeper(
                guard, settings, self._stepped_down,
                last_renewal=guard.taken_at)
            self._lease.start()
        LOG.info('Ownership of %s: %s.', guard.location, started)

    def _audit(self, guard, host):
        """Log what ``enforce`` would do; never refuse, never write."""
        try:
            guard.require_privileges()
        except exceptions.MissingPrivilege as exc:
            LOG.warning('Ownership audit: in enforce mode this service could '
                        'neither claim %s nor keep its lease: %s',
                        guard.location, exc)
        assessment = guard.assess(guard.read())
        chosen = assessment.decision
        if chosen.refused:
            refusal = guard.refusal(assessment)
        else:
            refusal = self._node_elsewhere(host)
        if refusal is not None:
            LOG.warning('Ownership audit: in enforce mode this service would '
                        'refuse to start: %s', refusal)
        elif chosen.action is guard_mod.Action.STANDBY:
            LOG.warning('Ownership audit: %s is held by another process; in '
                        'enforce mode this service would wait for it.',
                        guard.location)
        else:
            LOG.info('Ownership audit: %s; in enforce mode this service '
                     'would %s it.', chosen.reason, chosen.action.value)

    def _node_elsewhere(self, host):
        """The refusal when nova has the cluster's node under another host.

        After ``takeover --host NEW`` and before ``rehome``, the cluster's
        compute node and instances still belong to the old host in nova.

        :returns: a ``ClusterNodeOnAnotherHost``, or ``None``
        """
        node_name = self.get_available_nodes()[0]
        found = decision.node_elsewhere(nova_nodes.by_hypervisor(node_name),
                                        node_name, host)
        if found is None:
            return None
        return refusals.ClusterNodeOnAnotherHost(
            node_name=node_name, node_uuid=found.uuid, owner=found.host,
            this_host=host)

    def get_nodenames_by_uuid(self, refresh=False):
        nodes = super().get_nodenames_by_uuid(refresh=refresh)
        # On a first start nova creates the node identity only after
        # init_host; record it once it exists. A passive node can only
        # restore what is recorded, so a vCenter error is retried at nova's
        # next call (its periodic resource update).
        if not self._node_recorded and self.ownership is not None:
            try:
                for node_uuid in nodes:
                    self.ownership.record_node(node_uuid)
                self._node_recorded = True
            except (exceptions.VCenterError,
                    exceptions.RecordChanged) as exc:
                LOG.warning('Could not record compute node %s in the '
                            'ownership record of %s, retrying later: %s',
                            ', '.join(nodes), self._cluster_name, exc)
            except exceptions.OwnershipError as exc:
                self._node_recorded = True
                LOG.error('Not recording compute node %s in the ownership '
                          'record: %s', ', '.join(nodes), exc)
        return nodes

    def _stepped_down(self, error):
        stop_this_service(error, self._lease.gone_by)

    def cleanup_host(self, host):
        lease = self._lease
        if lease is not None and lease.lost is not None:
            # Stepped down: the hard exit is armed. nova's logout would be
            # one more call to a vCenter that may not answer (nova's session
            # has no timeout); the session ends with the process.
            LOG.info('Not logging out of vCenter: this process stepped down '
                     'from cluster %s and exits.', self._cluster_name)
            return
        try:
            if lease is not None:
                self._release(lease)
        finally:
            super().cleanup_host(host)

    def _release(self, lease):
        """Stop renewing and release the cluster.

        Unreleased, this process must be gone before the lease expires,
        whatever nova's stop is still waiting for.
        """
        settings = self.ownership_settings
        now = clock_mod.SYSTEM.now()
        gone_by = lease_mod.gone_by(settings, now, lease.last_renewal)
        # Armed first: stopping the keeper ends its renew deadline, and
        # the release can take as long as its requests' bounds.
        hard_exit = exit_by(gone_by, 'stopping without releasing cluster %s'
                            % self._cluster_name)
        released = False
        try:
            lease.stop(timeout=settings.request_timeout * 2)
            released = self.ownership.release()
        except exceptions.OwnershipError as exc:
            LOG.warning('Could not release cluster %s: %s; a standby takes '
                        'over once the lease expires.', self._cluster_name,
                        exc)
        if released:
            hard_exit.disarm()
            return
        LOG.warning('Stopping without having released cluster %s: if '
                    'nova-compute has not stopped within %.1f seconds, it '
                    'exits at once with status %d.', self._cluster_name,
                    max(0.0, gone_by - clock_mod.SYSTEM.now()),
                    watchdog.EXIT_STEPPED_DOWN)

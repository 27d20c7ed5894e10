"""The refusals of ``rehome``: moving a cluster's nova records to a new host.

Each refusal says what is in the way and the command that clears it; they
derive from the package's one root, ``exceptions.OwnershipError``, and the
command maps them to exit codes like every other error (``cli.main``).
"""

from nova.virt.vmwareapi.ownership import exceptions


def _listed(items, limit=10):
    items = list(items)
    text = ', '.join(str(item) for item in items[:limit])
    return text + (' and %d more' % (len(items) - limit)
                   if len(items) > limit else '')


class RehomeRefused(exceptions.OwnershipRefused):
    """``rehome`` must not move the records now; nothing was written."""


class SourceHostNotFound(RehomeRefused):
    """nova has no nova-compute service or compute node named ``host``."""

    def __init__(self, host, new_host):
        self.host = host
        self.new_host = new_host
        super().__init__(
            'Refusing to rehome: nova has no nova-compute service and no '
            'compute node of host %r (nor moved ones under %r). Check the '
            'name with "openstack compute service list --service '
            'nova-compute" and "openstack hypervisor list --long", and that '
            'the configuration points at the cell database of that host '
            '([database] connection).' % (host, new_host))


class ClusterNodeNotFound(RehomeRefused):
    """The cluster's compute node is under neither host."""

    def __init__(self, node_name, host, new_host, found=()):
        self.node_name = node_name
        self.host = host
        self.new_host = new_host
        self.found = tuple(found)
        super().__init__(
            'Refusing to rehome: the compute node of the cluster, %r '
            '(<cluster moref>.<vCenter instanceUuid>, from [vmware] '
            'cluster_name), belongs to neither host %r nor host %r in nova; '
            'their compute nodes are: %s. Check [vmware] cluster_name and '
            '--from.' % (node_name, host, new_host,
                         _listed(found) or 'none'))


class SeveralComputeNodes(RehomeRefused):
    """The source host has compute nodes besides the cluster's."""

    def __init__(self, host, nodes, node_name=None):
        self.host = host
        self.nodes = tuple(nodes)
        self.node_name = node_name
        if node_name:
            which = ('the cluster\'s is %r, and moving the nova-compute '
                     'service of %r would leave the others without a '
                     'service' % (node_name, host))
        else:
            which = ('without the [vmware] options rehome cannot tell which '
                     'one is the cluster\'s; pass the configuration file '
                     'with the cluster\'s [vmware] options too')
        super().__init__(
            'Refusing to rehome: host %r has compute nodes (or instances on '
            'nodes) other than one cluster: %s; %s. nova-compute deletes '
            'compute nodes its driver no longer reports at its next resource '
            'update ("Deleting orphan compute node"); instances on another '
            'node must be moved or deleted first.'
            % (host, _listed(self.nodes), which))


class SourceServiceUp(RehomeRefused):
    """The source nova-compute service is neither forced down nor silent."""

    def __init__(self, host, last_seen_up, service_down_time):
        self.host = host
        self.last_seen_up = last_seen_up
        self.service_down_time = service_down_time
        super().__init__(
            'Refusing to rehome: the nova-compute service of host %r is up '
            '(last report %s, within service_down_time = %d s), so it may '
            'still be managing the cluster. Stop nova-compute on %r, then '
            'mark it down: "openstack compute service set --down %s '
            'nova-compute" (or wait %d s), and run rehome again.'
            % (host, last_seen_up or 'unknown', service_down_time, host,
               host, service_down_time))


class InstancesBusy(RehomeRefused):
    """Instances of the cluster have a task in progress."""

    def __init__(self, host, tasks):
        self.host = host
        self.tasks = tuple(tasks)
        super().__init__(
            'Refusing to rehome: %d instance(s) of host %r have a task in '
            'progress (uuid: task_state): %s. Moving them now could lose '
            'that task\'s outcome. Let the tasks finish (that needs %r '
            'running), or, once %r is gone for good, check each VM in vCenter '
            'and clear its task with "openstack server set --state active '
            '<uuid>" (or --state error), then run rehome again.'
            % (len(self.tasks), host,
               _listed('%s: %s' % task for task in self.tasks), host, host))


class MigrationsInProgress(RehomeRefused):
    """Migrations to or from the cluster are unfinished."""

    def __init__(self, host, migrations):
        self.host = host
        self.migrations = tuple(migrations)
        super().__init__(
            'Refusing to rehome: %d migration(s) to or from host %r are '
            'unfinished (id instance type status): %s. Confirm or revert '
            'resizes ("openstack server resize confirm|revert <server>"), '
            'let the others finish or fail ("openstack server migration list '
            '--host %s"), then run rehome again.'
            % (len(self.migrations), host,
               _listed(' '.join(str(v) for v in m) for m in self.migrations),
               host))


class TargetHostInUse(RehomeRefused):
    """The new host name already has nova records of its own."""

    def __init__(self, host, records):
        self.host = host
        self.records = tuple(records)
        super().__init__(
            'Refusing to rehome to host %r: nova already has records of its '
            'own for it: %s. rehome gives the cluster\'s records a host name '
            'that nova does not use yet. Choose an unused name, or, if %r is '
            'a leftover with no instances, delete it first ("openstack '
            'compute service delete <id>").'
            % (host, _listed(self.records), host))


class RecordNotForTarget(RehomeRefused):
    """The cluster's ownership record does not name the new host."""

    def __init__(self, location, record_host, new_host, record_node=None,
                 node=None):
        self.location = location
        self.record_host = record_host
        self.new_host = new_host
        self.record_node = record_node
        self.node = node
        if record_host != new_host:
            problem = ('names host %r, not %r. Move the ownership first: stop '
                       'nova-compute of %r and run "nova-vmware-owner '
                       'takeover --host %s"'
                       % (record_host, new_host, record_host, new_host))
        else:
            problem = ('names compute node %s, but the cluster\'s compute '
                       'node in nova is %s. Check [vmware] cluster_name; if '
                       'the record is out of date, reset it with '
                       '"nova-vmware-owner release --force" and '
                       '"nova-vmware-owner claim --host %s"'
                       % (record_node, node, new_host))
        super().__init__(
            'Refusing to rehome: the ownership record of %s %s, then run '
            'rehome again.' % (location, problem))

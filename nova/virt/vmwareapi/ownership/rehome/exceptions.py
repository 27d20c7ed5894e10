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

    msg_fmt = ('Refusing to rehome: nova has no nova-compute service and no '
               'compute node of host %(host)r (nor moved ones under '
               '%(new_host)r). Check the name with "openstack compute '
               'service list --service nova-compute" and "openstack '
               'hypervisor list --long", and that the configuration points '
               'at the cell database of that host ([database] connection).')


class ClusterNodeNotFound(RehomeRefused):
    """The cluster's compute node is under neither host.

    :param found: the compute nodes of both hosts (a tuple)
    """

    msg_fmt = ('Refusing to rehome: the compute node of the cluster, '
               '%(node_name)r (<cluster moref>.<vCenter instanceUuid>, from '
               '[vmware] cluster_name), belongs to neither host %(host)r nor '
               'host %(new_host)r in nova; their compute nodes are: '
               '%(nodes)s. Check [vmware] cluster_name and --from.')
    found = ()

    def computed(self):
        return {'nodes': _listed(self.found) or 'none'}


class SeveralComputeNodes(RehomeRefused):
    """The source host has compute nodes besides the cluster's.

    :param nodes: the host's compute nodes (a tuple)
    :param node_name: the cluster's, when the [vmware] options say it
    """

    msg_fmt = ('Refusing to rehome: host %(host)r has compute nodes (or '
               'instances on nodes) other than one cluster: %(listed)s; '
               '%(which)s. nova-compute deletes compute nodes its driver no '
               'longer reports at its next resource update ("Deleting '
               'orphan compute node"); instances on another node must be '
               'moved or deleted first.')
    node_name = None

    def computed(self):
        if self.node_name:
            which = ('the cluster\'s is %r, and moving the nova-compute '
                     'service of %r would leave the others without a '
                     'service' % (self.node_name, self.host))
        else:
            which = ('without the [vmware] options rehome cannot tell which '
                     'one is the cluster\'s; pass the configuration file '
                     'with the cluster\'s [vmware] options too')
        return {'listed': _listed(self.nodes), 'which': which}


class SourceServiceUp(RehomeRefused):
    """The source nova-compute service is neither forced down nor silent."""

    msg_fmt = ('Refusing to rehome: the nova-compute service of host '
               '%(host)r is up (last report %(last_report)s, within '
               'service_down_time = %(service_down_time)d s), so it may '
               'still be managing the cluster. Stop nova-compute on %(host)r, '
               'then mark it down: "openstack compute service set --down '
               '%(host)s nova-compute" (or wait %(service_down_time)d s), and '
               'run rehome again.')

    def computed(self):
        return {'last_report': self.last_seen_up or 'unknown'}


class InstancesBusy(RehomeRefused):
    """Instances of the cluster have a task in progress.

    :param tasks: ``(uuid, task_state)`` of each (a tuple)
    """

    msg_fmt = ('Refusing to rehome: %(count)d instance(s) of host %(host)r '
               'have a task in progress (uuid: task_state): %(listed)s. '
               'Moving them now could lose that task\'s outcome. Let the '
               'tasks finish (that needs %(host)r running), or, once '
               '%(host)r is gone for good, check each VM in vCenter and '
               'clear its task with "openstack server set --state active '
               '<uuid>" (or --state error), then run rehome again.')

    def computed(self):
        return {'count': len(self.tasks),
                'listed': _listed('%s: %s' % task for task in self.tasks)}


class MigrationsInProgress(RehomeRefused):
    """Migrations to or from the cluster are unfinished.

    :param migrations: ``(id, instance, type, status)`` of each (a tuple)
    """

    msg_fmt = ('Refusing to rehome: %(count)d migration(s) to or from host '
               '%(host)r are unfinished (id instance type status): '
               '%(listed)s. Confirm or revert resizes ("openstack server '
               'resize confirm|revert <server>"), let the others finish or '
               'fail ("openstack server migration list --host %(host)s"), '
               'then run rehome again.')

    def computed(self):
        return {'count': len(self.migrations),
                'listed': _listed(' '.join(str(v) for v in m)
                                  for m in self.migrations)}


class TargetHostInUse(RehomeRefused):
    """The new host name already has nova records of its own.

    :param records: those records, in words (a tuple)
    """

    msg_fmt = ('Refusing to rehome to host %(host)r: nova already has '
               'records of its own for it: %(listed)s. rehome gives the '
               'cluster\'s records a host name that nova does not use yet. '
               'Choose an unused name, or, if %(host)r is a leftover with no '
               'instances, delete it first ("openstack compute service '
               'delete <id>").')

    def computed(self):
        return {'listed': _listed(self.records)}


class RecordNotForTarget(RehomeRefused):
    """The cluster's ownership record does not name the new host."""

    msg_fmt = ('Refusing to rehome: the ownership record of %(location)s '
               '%(problem)s, then run rehome again.')
    record_node = None
    node = None

    def computed(self):
        if self.record_host != self.new_host:
            problem = ('names host %r, not %r. Move the ownership first: '
                       'stop nova-compute of %r and run "nova-vmware-owner '
                       'takeover --host %s"'
                       % (self.record_host, self.new_host, self.record_host,
                          self.new_host))
        else:
            problem = ('names compute node %s, but the cluster\'s compute '
                       'node in nova is %s. Check [vmware] cluster_name; if '
                       'the record is out of date, reset it with '
                       '"nova-vmware-owner release --force" and '
                       '"nova-vmware-owner claim --host %s"'
                       % (self.record_node, self.node, self.new_host))
        return {'problem': problem}

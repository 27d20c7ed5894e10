"""The errors of ``rehome``: moving a cluster's nova records to a new host.

Each refusal says what is in the way and the command that clears it; they
derive from the package's one root, ``exceptions.OwnershipError``, and the
command maps them to exit codes like every other error (``cli``).
"""

from nova.virt.vmwareapi.ownership import exceptions


def rehome_command(old, new, config_files=()):
    """The exact ``rehome`` command line that moves ``old``'s records."""
    options = ''.join(' --config-file %s' % path for path in config_files)
    return 'nova-vmware-owner%s rehome --from %s --to %s' % (options, old, new)


_WHERE_REHOME_RUNS = (
    'Run it where nova-manage runs, with nova-manage\'s configuration '
    '([database] and [api_database]) and, to check the ownership record, '
    'this cluster\'s [vmware] options')


def _listed(items, limit=10):
    items = list(items)
    text = ', '.join(str(item) for item in items[:limit])
    return text + (' and %d more' % (len(items) - limit)
                   if len(items) > limit else '')


class NovaNotInstalled(exceptions.ConfigurationError):
    """A command needs nova's objects and nova is not importable.

    :param command: the command, e.g. ``rehome`` or ``list --nova``
    """

    def __init__(self, detail=None, command='rehome'):
        self.detail = detail
        self.command = command
        super().__init__((), detail, message=(
            '%s needs nova: install nova-vmware-owner with its [nova] extra '
            "(pip install 'nova-vmware-owner[nova]') where nova-manage runs%s."
            % (command, ' (%s)' % detail if detail else '')))


class NovaDatabaseUnavailable(exceptions.ConfigurationError):
    """A nova database option is missing, or its database cannot be used.

    :param option: the option, e.g. ``[database] connection``
    :param reason: what is wrong (never the connection URL: it may hold a
                   password)
    """

    def __init__(self, option, reason):
        self.option = option
        self.reason = reason
        super().__init__((option,), reason, message=(
            'Cannot use nova\'s database of %s: %s. nova-vmware-owner reads '
            'nova\'s databases with the same '
            'configuration as nova-manage: pass its file with --config-file '
            '(before the command name), and check that the database is up, '
            'reachable from this machine and synced (nova-manage db sync, '
            'nova-manage api_db sync).' % (option, reason)))


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


class NovaRecordsChanged(exceptions.OwnershipError):
    """nova's records changed while ``rehome`` ran; it wrote nothing.

    :param what: the record or the difference found
    """

    def __init__(self, what):
        self.what = what
        super().__init__(
            'nova\'s records changed while rehome was running (%s). Nothing '
            'of this run was written. Run the command again (with --dry-run '
            'first) to decide afresh.' % what)


class ClusterNodeOnAnotherHost(exceptions.OwnershipRefused):
    """The cluster's compute node belongs to another host in nova."""

    def __init__(self, node_name, node_uuid, owner, this_host):
        self.node_name = node_name
        self.node_uuid = node_uuid
        self.owner = owner
        self.this_host = this_host
        super().__init__(
            'Refusing to start as host %r: nova\'s compute node of this '
            'cluster (%s, uuid %s) and the cluster\'s instances belong to '
            'host %r. Move them to this host first, with %r stopped and '
            'marked down: "%s". %s. Then start this nova-compute again.'
            % (this_host, node_name, node_uuid, owner, owner,
               rehome_command(owner, this_host), _WHERE_REHOME_RUNS))

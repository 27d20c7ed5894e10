"""Exceptions of nova-vmware-owner.

Every error is a value with data: it carries the cluster, the hosts and the
raw values involved, and its message is written for the operator who reads
it at 3 a.m.: what happened, why it is refused, and what fixes it.

``OwnershipError`` is the one root. Refusals to start derive from nova's
``InvalidConfiguration`` when nova is importable, so nova-compute logs them
as configuration errors and exits non-zero.
"""

try:  # nova is optional: the CLI and the unit tests run without it
    from nova import exception as _nova_exception
    _RefusalBase = _nova_exception.InvalidConfiguration
except ImportError:  # pragma: no cover - depends on the environment
    _RefusalBase = Exception

RAW_SHOWN = 200
"""How many characters of a raw attribute value an error message shows."""


def shorten(raw, limit=RAW_SHOWN):
    """Return ``raw`` as a printable, truncated representation."""
    if raw is None:
        return 'None'
    text = raw if len(raw) <= limit else raw[:limit] + '...'
    return repr(text) + (' (%d characters)' % len(raw)
                         if len(raw) > limit else '')


class Location:
    """Where a record lives: the cluster and the vCenter holding it."""

    def __init__(self, cluster, vcenter, cluster_moref=None,
                 attribute=None):
        self.cluster = cluster
        self.vcenter = vcenter
        self.cluster_moref = cluster_moref
        self.attribute = attribute

    def __str__(self):
        return 'cluster %r (%s) on vCenter %s' % (
            self.cluster, self.cluster_moref or '?', self.vcenter)

    def __repr__(self):
        return 'Location(%r, %r, %r, %r)' % (
            self.cluster, self.vcenter, self.cluster_moref, self.attribute)


class OwnershipError(Exception):
    """Root of every error raised by nova-vmware-owner."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return self.message


class _InvalidConfiguration(OwnershipError, _RefusalBase):
    """An error nova-compute reports as ``InvalidConfiguration``."""

    def __init__(self, message):
        # NovaException formats ``msg_fmt`` with kwargs; give it the text.
        OwnershipError.__init__(self, message)
        if _RefusalBase is not Exception:
            _RefusalBase.__init__(self, message)


class ConfigurationError(_InvalidConfiguration):
    """An option or a combination of options is invalid.

    :param options: the fully qualified option names at fault
    :param problem: what is wrong with them
    """

    def __init__(self, options, problem):
        self.options = tuple(options)
        super().__init__(
            'Invalid configuration (%s): %s' % (', '.join(self.options),
                                                problem))


class OwnershipRefused(_InvalidConfiguration):
    """This process must not manage the cluster."""


class VCenterError(OwnershipError):
    """vCenter could not be used: connection, login, privileges, objects."""


class VCenterUnreachable(VCenterError):
    """No answer from vCenter: refused, timed out, TLS failure."""

    def __init__(self, endpoint, reason):
        self.endpoint = endpoint
        self.reason = reason
        super().__init__(
            'Cannot reach vCenter at %s: %s. Check [vmware] host_ip and '
            'host_port, that vCenter is up and reachable from this machine, '
            'and for TLS errors [vmware] ca_file (or insecure).'
            % (endpoint, reason))


class VCenterLoginFailed(VCenterError):
    """vCenter rejected the credentials."""

    def __init__(self, endpoint, username):
        self.endpoint = endpoint
        self.username = username
        super().__init__(
            'vCenter at %s rejected the login of user %r. Check [vmware] '
            'host_username and host_password.' % (endpoint, username))


class MissingPrivilege(VCenterError):
    """The vCenter user lacks a privilege needed for an operation."""

    def __init__(self, privilege, operation, username=None, detail=None):
        self.privilege = privilege
        self.operation = operation
        self.username = username
        user = 'user %r' % username if username else \
            'the user of [vmware] host_username'
        super().__init__(
            'vCenter refused %s: %s lacks the privilege %s on the vCenter '
            'root object. Grant it to that user\'s role (nova-vmware-owner '
            'needs Global.ManageCustomFields, Global.SetCustomField and '
            'Global.LogEvent).%s'
            % (operation, user, privilege,
               ' (%s)' % detail if detail else ''))


class ClusterNotFound(VCenterError):
    """No cluster of the configured name exists, or several do."""

    def __init__(self, cluster, vcenter, found=0):
        self.cluster = cluster
        self.vcenter = vcenter
        self.found = found
        if found:
            problem = ('%d clusters have that name; cluster names must be '
                       'unique in the vCenter' % found)
        else:
            problem = 'no such cluster'
        super().__init__(
            'Cluster %r not found on vCenter %s: %s. Check [vmware] '
            'cluster_name.' % (cluster, vcenter, problem))


class VCenterFault(VCenterError):
    """vCenter answered a call with a fault we do not handle specially."""

    def __init__(self, operation, fault, detail):
        self.operation = operation
        self.fault = fault
        if isinstance(fault, (list, tuple)):
            fault = ', '.join(fault) or 'unnamed fault'
        super().__init__('vCenter failed %s with %s%s.' % (
            operation, fault, ': %s' % detail if detail else ''))


class UnreadableRecord(OwnershipRefused):
    """The attribute holds a value that is not a record we understand.

    Never overwritten except by ``nova-vmware-owner takeover --force``.

    :param raw: the value as stored
    :param reason: why it cannot be read
    :param location: where it was found, when known
    """

    def __init__(self, raw, reason, location=None):
        self.raw = raw
        self.reason = reason
        self.location = location
        where = ' on %s' % location if location else ''
        attribute = location.attribute if location else None
        super().__init__(
            'The ownership record%s%s is unreadable (%s): %s. It is never '
            'overwritten automatically. Fix or clear the value in the '
            'vSphere Client, or replace it with '
            '"nova-vmware-owner takeover --force".'
            % (' (attribute %r)' % attribute if attribute else '', where,
               reason, shorten(raw)))

    def at(self, location):
        """Return the same error, located on a cluster."""
        return UnreadableRecord(self.raw, self.reason, location)


class ClusterOwnedByAnotherHost(OwnershipRefused):
    """The record names a different nova-compute host."""

    def __init__(self, location, owner, this_host, since=None):
        self.location = location
        self.owner = owner
        self.this_host = this_host
        self.since = since
        super().__init__(
            'Refusing to manage %s: it is owned by nova-compute host %r '
            '(claimed %s), and this service runs as host %r. Running two '
            'hosts against one cluster partitions its instances. If this '
            'machine replaces %r in an active/passive pair, set '
            '[DEFAULT] host = %s here. To move the cluster to %r for good, '
            'stop %r and run "nova-vmware-owner takeover --host %s".'
            % (location, owner, since or 'at an unknown time', this_host,
               owner, owner, this_host, owner, this_host))


class NodeIdentityMismatch(OwnershipRefused):
    """The local compute node identity differs from the record's."""

    def __init__(self, location, recorded, local, path=None):
        self.location = location
        self.recorded = recorded
        self.local = local
        self.path = path
        super().__init__(
            'Refusing to start: %s records compute node %s, but the local '
            'node identity%s is %s. Starting would give the cluster a second '
            'compute node in nova. If this machine is a standby of the same '
            'host, remove its local compute_id file: it is restored from '
            'the record at the next start. If the record is out of date '
            '(the compute node was deliberately recreated), stop every '
            'nova-compute of this host, run "nova-vmware-owner release", '
            'and start this one: it records its own identity.'
            % (location, recorded, ' (%s)' % path if path else '', local))


class ClusterHeldByAnotherProcess(OwnershipRefused):
    """Another live process of this same host holds the cluster."""

    def __init__(self, location, holder, this_host, waited=None):
        self.location = location
        self.holder = holder
        self.this_host = this_host
        self.waited = waited
        waited_text = (' after waiting %d seconds' % waited
                       if waited is not None else '')
        super().__init__(
            'Refusing to start%s: %s is held by another live nova-compute '
            'process of host %r (holder %s). Only one process may manage a '
            'cluster. Stop the other process, or let this one wait for it '
            'with [vmware_ownership] standby_wait = true and '
            'standby_timeout = 0.'
            % (waited_text, location, this_host, holder))


class OwnershipLost(OwnershipError):
    """A holder found the record no longer names it and must stop."""

    def __init__(self, location, holder, record_host, record_holder):
        self.location = location
        self.holder = holder
        self.record_host = record_host
        self.record_holder = record_holder
        super().__init__(
            'Lost ownership of %s: the record now names host %r, holder %s, '
            'not this process (%s). Stopping to avoid two processes managing '
            'the cluster.' % (location, record_host, record_holder, holder))


class LockTimeout(OwnershipError):
    """The record lock could not be taken in time."""

    def __init__(self, location, waited):
        self.location = location
        self.waited = waited
        super().__init__(
            'Could not take the ownership lock of %s within %d seconds: '
            'another process is changing the record. Retry; if it persists, '
            'check the vCenter custom attributes for a stale lock.'
            % (location, waited))


class HolderIsAlive(OwnershipRefused):
    """The holder renewed the record while a takeover observed it."""

    def __init__(self, location, holder, observed_seconds):
        self.location = location
        self.holder = holder
        self.observed_seconds = observed_seconds
        super().__init__(
            'Refusing: holder %s renewed the ownership record of %s within '
            '%d seconds of observation, so a nova-compute process is '
            'managing the cluster now. Stop that nova-compute (it releases '
            'the record on a clean stop) and run the command again, or add '
            '--force to replace the record anyway (the process then stops '
            'at its next renewal).'
            % (holder, location, observed_seconds))


class RecordChanged(OwnershipRefused):
    """The record changed between the operator's decision and the write.

    :param expected: the raw value the change was decided on
    :param found: the raw value found instead
    :param written: True when found just after writing (someone else's
                    write replaced ours)
    """

    def __init__(self, location, expected, found, written=False):
        self.location = location
        self.expected = expected
        self.found = found
        self.written = written
        if written:
            what = ('was replaced right after this command wrote it: '
                    'another process won')
        else:
            what = 'changed while this command was deciding'
        super().__init__(
            'The ownership record of %s %s (expected %s, found %s). '
            'Nothing more was written. Run "nova-vmware-owner show" to see '
            'the new state, then run the command again if still needed.'
            % (location, what, shorten(expected), shorten(found)))


class ConfirmationRequired(OwnershipRefused):
    """A change needs confirmation and none was given.

    :param command: the command, e.g. ``takeover``
    :param reason: why it was not confirmed
    """

    def __init__(self, command, reason):
        self.command = command
        self.reason = reason
        super().__init__(
            'Not confirmed: %s; nothing was written. Run "nova-vmware-owner '
            '%s" from a terminal and confirm, or add --yes.'
            % (reason, command))


class NotTheOwner(ClusterOwnedByAnotherHost):
    """``release`` run on a host that does not own the cluster."""

    def __init__(self, location, owner, this_host, since=None):
        self.location = location
        self.owner = owner
        self.this_host = this_host
        self.since = since
        OwnershipRefused.__init__(
            self,
            'Refusing to release %s: it is owned by nova-compute host %r, '
            'not by this host %r ([DEFAULT] host). Run the release on %r, '
            'or add --force to clear the ownership of %r from here.'
            % (location, owner, this_host, owner, owner))


# -- rehome: moving a cluster's nova records to a new host name -------------

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


class NovaNotInstalled(ConfigurationError):
    """``rehome`` needs nova's objects and nova is not importable."""

    def __init__(self, detail=None):
        self.options = ()
        self.detail = detail
        _InvalidConfiguration.__init__(
            self,
            'rehome needs nova: install nova-vmware-owner with its [nova] '
            "extra (pip install 'nova-vmware-owner[nova]') where nova-manage "
            'runs%s.' % (' (%s)' % detail if detail else ''))


class NovaDatabaseUnavailable(ConfigurationError):
    """A nova database option is missing, or its database cannot be used.

    :param option: the option, e.g. ``[database] connection``
    :param reason: what is wrong (never the connection URL: it may hold a
                   password)
    """

    def __init__(self, option, reason):
        self.options = (option,)
        self.option = option
        self.reason = reason
        _InvalidConfiguration.__init__(
            self,
            'Cannot use nova\'s database of %s: %s. rehome reads the same '
            'configuration as nova-manage: pass its file with --config-file '
            '(before the command name), and check that the database is up, '
            'reachable from this machine and synced (nova-manage db sync, '
            'nova-manage api_db sync).' % (option, reason))


class RehomeRefused(OwnershipRefused):
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


class NovaRecordsChanged(OwnershipError):
    """nova's records changed while ``rehome`` ran; it wrote nothing.

    :param what: the record or the difference found
    """

    def __init__(self, what):
        self.what = what
        super().__init__(
            'nova\'s records changed while rehome was running (%s). Nothing '
            'of this run was written. Run the command again (with --dry-run '
            'first) to decide afresh.' % what)


class ClusterNodeOnAnotherHost(OwnershipRefused):
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

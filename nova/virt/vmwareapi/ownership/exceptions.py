"""Exceptions of nova-vmware-owner.

Every error is a value with data: it carries the cluster, the hosts and the
raw values involved, and its message is written for the operator who reads
it at 3 a.m.: what happened, why it is refused, and what fixes it. Values
that come from vCenter are escaped (``text.printable``, ``text.shorten``)
before they go into a message.

``OwnershipError`` is the one root. Refusals to start derive from nova's
``InvalidConfiguration`` when nova is importable, so nova-compute logs them
as configuration errors and exits non-zero. vCenter faults are translated
into ``VCenterError`` subclasses by ``vsphere.vcenter`` alone.
"""

from nova.virt.vmwareapi.ownership import text as text_mod

try:  # nova is optional: the CLI and the unit tests run without it
    from nova import exception as _nova_exception
    _RefusalBase = _nova_exception.InvalidConfiguration
except ImportError:  # pragma: no cover - depends on the environment
    _RefusalBase = Exception


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
    :param message: the whole message, when the default does not fit
    """

    def __init__(self, options, problem, message=None):
        self.options = tuple(options)
        self.problem = problem
        super().__init__(message or 'Invalid configuration (%s): %s' % (
            ', '.join(self.options), problem))


class OwnershipRefused(_InvalidConfiguration):
    """This process must not manage the cluster, or change its record."""


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
               text_mod.printable(reason), text_mod.shorten(raw)))

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
            'stop %r, run "nova-vmware-owner takeover --host %s", then '
            '"nova-vmware-owner rehome --from %s --to %s".'
            % (location, owner,
               text_mod.printable(since or 'at an unknown time'),
               this_host, owner, owner, this_host, owner, this_host,
               owner, this_host))


class NotTheOwner(OwnershipRefused):
    """``release`` run on a host that does not own the cluster."""

    def __init__(self, location, owner, this_host):
        self.location = location
        self.owner = owner
        self.this_host = this_host
        super().__init__(
            'Refusing to release %s: it is owned by nova-compute host %r, '
            'not by this host %r ([DEFAULT] host). Run the release on %r, '
            'or add --force to clear the ownership of %r from here.'
            % (location, owner, this_host, owner, owner))


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
            % (location, text_mod.printable(recorded),
               ' (%s)' % path if path else '', text_mod.printable(local)))


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
            % (waited_text, location, this_host,
               text_mod.printable(holder)))


_WHERE_REHOME_RUNS = (
    'Run it where nova-manage runs, with nova-manage\'s configuration '
    '([database] and [api_database]) and, to check the ownership record, '
    'this cluster\'s [vmware] options')


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
               text_mod.rehome_command(owner, this_host),
               _WHERE_REHOME_RUNS))


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
            % (text_mod.printable(holder), location, observed_seconds))


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


class RecordChanged(OwnershipError):
    """Another process changed the record first: a lost race.

    Nothing of this change was written; deciding again from a fresh
    reading is always safe.

    :param location: the cluster
    :param what: what happened, in words
    """

    def __init__(self, location, what):
        self.location = location
        self.what = what
        super().__init__(
            'The ownership record of %s changed while this command ran: %s. '
            'Nothing of this command was written. Run "nova-vmware-owner '
            'show" to see the new state, then run the command again if it '
            'is still needed.' % (location, what))


class RecordBusy(OwnershipError):
    """Another process has been changing the record for too long."""

    def __init__(self, location, waited, lease_attribute):
        self.location = location
        self.waited = waited
        self.lease_attribute = lease_attribute
        super().__init__(
            'Gave up after %d seconds: another process is changing the '
            'ownership record of %s (the custom attribute %r exists without '
            'a value). Run the command again; a change abandoned by a '
            'crashed process is cleared automatically once it has stayed '
            'unchanged for a while.' % (waited, location, lease_attribute))


class OwnershipLost(OwnershipError):
    """A holder may no longer act on the cluster and must stop.

    :param location: the cluster
    :param holder: this process's holder identity
    :param what: what happened, in words
    """

    def __init__(self, location, holder, what):
        self.location = location
        self.holder = holder
        self.what = what
        super().__init__(
            'Lost the ownership of %s: %s. This process (holder %s) stops '
            'managing the cluster and writes nothing more, so that two '
            'processes never manage it at once.'
            % (location, text_mod.printable(what),
               text_mod.printable(holder)))


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
            % (endpoint, text_mod.printable(reason)))


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

    def __init__(self, privilege, operation, username=None):
        self.privilege = privilege
        self.operation = operation
        self.username = username
        user = 'user %r' % username if username else \
            'the user of [vmware] host_username'
        super().__init__(
            'vCenter refused %s: %s lacks the privilege %s on the vCenter '
            'root object. Grant it to that user\'s role (nova-vmware-owner '
            'needs Global.ManageCustomFields, Global.SetCustomField and '
            'Global.LogEvent).'
            % (operation, user, text_mod.printable(privilege)))


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
    """vCenter answered a call with a fault.

    The subclasses below are the faults the record's protocol relies on;
    ``vsphere.vcenter`` maps each vSphere fault name to one of them.

    :param operation: the vSphere method
    :param fault: the vSphere fault name(s)
    :param detail: vCenter's message, if any
    """

    def __init__(self, operation, fault, detail=None):
        self.operation = operation
        self.fault = fault
        if isinstance(fault, (list, tuple)):
            fault = ', '.join(fault) or 'unnamed fault'
        super().__init__('vCenter failed %s with %s%s.' % (
            operation, text_mod.printable(fault),
            ': %s' % text_mod.printable(detail) if detail else ''))


class DuplicateName(VCenterFault):
    """A custom field definition of that name exists already."""


class NotFound(VCenterFault):
    """The object, or the custom field definition key, does not exist."""


class InvalidArgument(VCenterFault):
    """An argument was refused, e.g. the key of a removed definition."""


class ManagedObjectNotFound(VCenterFault):
    """A managed object (the cluster) no longer exists."""

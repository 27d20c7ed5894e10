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

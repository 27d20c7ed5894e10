"""Exceptions of nova-vmware-owner: the root and the core's errors.

Every error is a value with data: it carries the cluster, the hosts and the
raw values involved, and its message is written for the operator who reads
it at 3 a.m.: what happened, why it is refused, and what fixes it. Values
that come from vCenter are escaped (``text.printable``, ``text.shorten``)
before they go into a message.

``OwnershipError`` is the one root, and the one way to define an error
(nova's ``NovaException`` and oslo.vmware's ``VMwareDriverException`` are
the models): a subclass is a class line, a docstring and a ``msg_fmt``
with named fields. Refusals to start derive from nova's
``InvalidConfiguration`` when nova is importable, so nova-compute logs
them as configuration errors and exits non-zero.

Errors live beside their code: the core's here, vCenter's connection
errors in ``vsphere.exceptions`` (translated from oslo.vmware by
``vsphere.vcenter`` alone), ``rehome``'s refusals in
``rehome.exceptions``, nova's availability in ``novadb.exceptions``.
"""

import re

from nova.virt.vmwareapi.ownership import text as text_mod

try:  # nova is optional: the CLI and the unit tests run without it
    from nova import exception as _nova_exception
    _RefusalBase = _nova_exception.InvalidConfiguration
except ImportError:  # pragma: no cover - depends on the environment
    _RefusalBase = Exception

_FIELD = re.compile(r'%\((\w+)\)')


class _Fields(dict):
    """The values of a message's fields: computed ones, then attributes."""

    def __init__(self, error):
        super().__init__(error.computed())
        self._error = error

    def __missing__(self, name):
        return getattr(self._error, name)


class OwnershipError(Exception):
    """Root of every error raised by nova-vmware-owner.

    Raised with the fields of ``msg_fmt`` as keyword arguments, which
    become attributes of the error; a class attribute is the default of a
    field that may be left out. A field the message computes from the
    others (an escaped value, a clause that depends on one) comes from
    ``computed``.

    :param message: the whole message, instead of ``msg_fmt``'s
    """

    msg_fmt = 'nova-vmware-owner failed.'

    def __init__(self, message=None, **fields):
        for name, value in fields.items():
            setattr(self, name, value)
        if message is None:
            message = self.msg_fmt % _Fields(self)
        # One printable line, whatever a field held: the fields escape
        # what they show, and this catches what they did not.
        self.message = text_mod.printable(message)
        super().__init__(message)

    def computed(self):
        """Fields of the message computed from the keyword ones."""
        return {}

    def __str__(self):
        return self.message


class _InvalidConfiguration(OwnershipError, _RefusalBase):
    """An error nova-compute reports as ``InvalidConfiguration``.

    ``OwnershipError`` gives nova's exception the message it made, so
    nova's own ``msg_fmt`` is never used.
    """


class ConfigurationError(_InvalidConfiguration):
    """An option or a combination of options is invalid.

    :param options: the fully qualified option names at fault (a tuple)
    :param problem: what is wrong with them
    """

    msg_fmt = 'Invalid configuration (%(names)s): %(problem)s'

    def computed(self):
        return {'names': ', '.join(self.options)}


class OwnershipRefused(_InvalidConfiguration):
    """This process must not manage the cluster, or change its record."""


class UnreadableRecord(OwnershipRefused):
    """The attribute holds a value that is not a record we understand.

    Never overwritten except by ``nova-vmware-owner takeover --force``.

    :param raw: the value as stored
    :param reason: why it cannot be read
    :param location: where it was found, when known
    """

    msg_fmt = ('The ownership record%(attribute)s%(where)s is unreadable '
               '(%(why)s): %(value)s. It is never overwritten '
               'automatically. Fix or clear the value in the vSphere '
               'Client, or replace it with "nova-vmware-owner takeover '
               '--force".')
    location = None

    def computed(self):
        attribute = self.location.attribute if self.location else None
        return {'attribute': ' (attribute %r)' % attribute
                if attribute else '',
                'where': ' on %s' % self.location if self.location else '',
                'why': text_mod.printable(self.reason),
                'value': text_mod.shorten(self.raw)}

    def at(self, location):
        """Return the same error, located on a cluster."""
        return UnreadableRecord(raw=self.raw, reason=self.reason,
                                location=location)


class ClusterOwnedByAnotherHost(OwnershipRefused):
    """The record names a different nova-compute host."""

    msg_fmt = ('Refusing to manage %(location)s: it is owned by nova-compute '
               'host %(owner)r (claimed %(claimed)s), and this service runs '
               'as host %(this_host)r. Running two hosts against one '
               'cluster partitions its instances. If this machine replaces '
               '%(owner)r in an active/passive pair, set [DEFAULT] host = '
               '%(owner)s here. To move the cluster to %(this_host)r for '
               'good, stop %(owner)r, run "nova-vmware-owner takeover --host '
               '%(this_host)s", then "nova-vmware-owner rehome --from '
               '%(owner)s --to %(this_host)s".')
    since = None

    def computed(self):
        return {'claimed': text_mod.printable(
            self.since or 'at an unknown time')}


class NotTheOwner(OwnershipRefused):
    """``release`` run on a host that does not own the cluster."""

    msg_fmt = ('Refusing to release %(location)s: it is owned by '
               'nova-compute host %(owner)r, not by this host %(this_host)r '
               '([DEFAULT] host). Run the release on %(owner)r, or add '
               '--force to clear the ownership of %(owner)r from here.')


class NodeIdentityMismatch(OwnershipRefused):
    """The local compute node identity differs from the record's."""

    msg_fmt = ('Refusing to start: %(location)s records compute node '
               '%(recorded_text)s, but the local node identity%(where)s is '
               '%(local_text)s. Starting would give the cluster a second '
               'compute node in nova. If this machine is a standby of the '
               'same host, remove its local compute_id file: it is restored '
               'from the record at the next start. If the record is out of '
               'date (the compute node was deliberately recreated), stop '
               'every nova-compute of this host, run "nova-vmware-owner '
               'release", and start this one: it records its own identity.')
    path = None

    def computed(self):
        return {'recorded_text': text_mod.printable(self.recorded),
                'local_text': text_mod.printable(self.local),
                'where': ' (%s)' % self.path if self.path else ''}


class ClusterHeldByAnotherProcess(OwnershipRefused):
    """Another live process of this same host holds the cluster."""

    msg_fmt = ('Refusing to start%(after)s: %(location)s is held by another '
               'live nova-compute process of host %(this_host)r (holder '
               '%(holder_text)s). Only one process may manage a cluster. '
               'Stop the other process, or let this one wait for it with '
               '[vmware_ownership] standby_wait = true and standby_timeout '
               '= 0.')
    waited = None

    def computed(self):
        return {'after': ' after waiting %d seconds' % self.waited
                if self.waited is not None else '',
                'holder_text': text_mod.printable(self.holder)}


_WHERE_REHOME_RUNS = (
    'Run it where nova-manage runs, with nova-manage\'s configuration '
    '([database] and [api_database]) and, to check the ownership record, '
    'this cluster\'s [vmware] options')


class ClusterNodeOnAnotherHost(OwnershipRefused):
    """The cluster's compute node belongs to another host in nova."""

    msg_fmt = ('Refusing to start as host %(this_host)r: nova\'s compute '
               'node of this cluster (%(node_name)s, uuid %(node_uuid)s) and '
               'the cluster\'s instances belong to host %(owner)r. Move them '
               'to this host first, with %(owner)r stopped and marked down: '
               '"%(command)s". ' + _WHERE_REHOME_RUNS + '. Then start this '
               'nova-compute again.')

    def computed(self):
        return {'command': text_mod.rehome_command(self.owner,
                                                   self.this_host)}


class HolderIsAlive(OwnershipRefused):
    """The holder renewed the record while a takeover observed it."""

    msg_fmt = ('Refusing: holder %(holder_text)s renewed the ownership '
               'record of %(location)s within %(observed_seconds)d seconds '
               'of observation, so a nova-compute process is managing the '
               'cluster now. Stop that nova-compute (it releases the record '
               'on a clean stop) and run the command again, or add --force '
               'to replace the record anyway (the process then stops at its '
               'next renewal).')

    def computed(self):
        return {'holder_text': text_mod.printable(self.holder)}


class ConfirmationRequired(OwnershipRefused):
    """A change needs confirmation and none was given.

    :param command: the command, e.g. ``takeover``
    :param reason: why it was not confirmed
    """

    msg_fmt = ('Not confirmed: %(reason)s; nothing was written. Run '
               '"nova-vmware-owner %(command)s" from a terminal and confirm, '
               'or add --yes.')


class RecordChanged(OwnershipError):
    """Another process changed the record first: a lost race.

    Nothing of this change was written; deciding again from a fresh
    reading is always safe.

    :param location: the cluster
    :param what: what happened, in words
    """

    msg_fmt = ('The ownership record of %(location)s changed while this '
               'command ran: %(what)s. Nothing of this command was written. '
               'Run "nova-vmware-owner show" to see the new state, then run '
               'the command again if it is still needed.')


class RecordBusy(OwnershipError):
    """Another process has been changing the record for too long."""

    msg_fmt = ('Gave up after %(waited)d seconds: another process is '
               'changing the ownership record of %(location)s (the custom '
               'attribute %(lease_attribute)r exists without a value). Run '
               'the command again; a change abandoned by a crashed process '
               'is cleared automatically once it has stayed unchanged for a '
               'while.')


class OwnershipLost(OwnershipError):
    """A holder may no longer act on the cluster and must stop.

    :param location: the cluster
    :param holder: this process's holder identity
    :param what: what happened, in words
    """

    msg_fmt = ('Lost the ownership of %(location)s: %(what_text)s. This '
               'process (holder %(holder_text)s) stops managing the cluster '
               'and writes nothing more, so that two processes never manage '
               'it at once.')

    def computed(self):
        return {'what_text': text_mod.printable(self.what),
                'holder_text': text_mod.printable(self.holder)}


class VCenterError(OwnershipError):
    """vCenter could not be used: connection, login, privileges, objects.

    ``vsphere.exceptions`` has the kinds; the core only tells them apart
    from its own errors.
    """


class VCenterFault(VCenterError):
    """vCenter answered a call with a fault.

    The subclasses below are the faults the record's protocol relies on
    (``store.ClusterStore`` raises them); ``vsphere.vcenter`` maps each
    vSphere fault name to one of them.

    :param operation: the vSphere method
    :param fault: the vSphere fault name(s)
    :param detail: vCenter's message, if any
    """

    msg_fmt = 'vCenter failed %(operation)s with %(fault_text)s%(said)s.'
    detail = None

    def computed(self):
        fault = self.fault
        if isinstance(fault, (list, tuple)):
            fault = ', '.join(fault) or 'unnamed fault'
        return {'fault_text': text_mod.printable(fault),
                'said': ': %s' % text_mod.printable(self.detail)
                if self.detail else ''}


class WriteUnconfirmed(VCenterError):
    """vCenter did not confirm a write: its outcome is unknown.

    A timeout, a lost answer, or a session that had to log in again
    (``NotAuthenticated``): the write may have been carried out or not.
    ``vsphere`` never sends it again; the write path reads the record and
    decides from what vCenter holds (``fencing``).

    :param endpoint: the vCenter
    :param operation: the vSphere method
    :param reason: what happened instead of an answer
    """

    msg_fmt = ('vCenter at %(endpoint)s did not confirm %(operation)s '
               '(%(why)s): whether it was carried out is not known, and it is '
               'not sent again. Run "nova-vmware-owner show" to see the '
               'record that counts.')

    def computed(self):
        return {'why': text_mod.printable(self.reason)}


class ChangeOutcomeUnknown(VCenterError):
    """A write vCenter did not confirm, and no reading to tell its outcome.

    :param location: the cluster
    :param what: the write, in words
    :param reason: why it was not confirmed
    :param read_error: why the record could not be read afterwards
    """

    msg_fmt = ('The outcome of %(what)s on %(location)s is unknown: vCenter '
               'did not confirm it (%(why)s) and the record could not be '
               'read afterwards (%(read_text)s), so the change may or may not '
               'have landed. Run "nova-vmware-owner show" once vCenter '
               'answers: it shows the record that counts.')

    def computed(self):
        return {'why': text_mod.printable(self.reason),
                'read_text': text_mod.printable(self.read_error)}


class DuplicateName(VCenterFault):
    """A custom field definition of that name exists already."""


class DefinitionGone(VCenterFault):
    """No custom field definition has that key any more.

    It was removed: a revoked lease, or a vSphere admin's deletion. The
    store raises this for a removal of such a key and for a write through
    it, whichever fault vCenter names: the vSphere reference documents
    ``InvalidArgument`` for both, the simulator answers ``NotFound`` to a
    removal. A gone key is a gone key.
    """

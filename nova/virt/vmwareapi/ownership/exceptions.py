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

Errors live beside their code: the core's here, its refusals to manage a
cluster or change its record in ``refusals``, vCenter's connection errors
in ``vsphere.exceptions`` (translated from oslo.vmware by
``vsphere.vcenter`` alone), ``rehome``'s refusals in
``rehome.exceptions``, nova's availability in ``novadb.exceptions``.
"""

import re

from nova.virt.vmwareapi.ownership import privileges as privileges_mod
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


class UnsupportedNovaRelease(_InvalidConfiguration):
    """The guarded driver is started by a nova release it does not support.

    :param version: nova's version
    :param release: its OpenStack release
    :param reason: why the driver does not run on it
    :param supported: the supported range (``nova_releases``)
    """

    msg_fmt = ('The guarded VMware driver (compute_driver = '
               'vmwareapi.ownership.driver.VMwareVCDriver) does not run on '
               'nova %(version)s (OpenStack %(release)s): %(reason)s. It '
               'supports %(supported)s. Upgrade nova to a supported '
               "release, or run nova's own driver (compute_driver = "
               'vmwareapi.VMwareVCDriver), which has no ownership guard: '
               'nothing then stops another host from managing the cluster.')


class OwnershipRefused(_InvalidConfiguration):
    """This process must not manage the cluster, or change its record.

    The base of the refusals (``refusals``).
    """


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


class MissingPrivilege(VCenterError):
    """The vCenter user lacks privileges an operation needs.

    Raised for vCenter's ``NoPermission`` answer to one call, and by the
    check a change makes before its first write
    (``store.ClusterStore.require``) for every privilege it lacks.

    :param privilege: the privilege id (``Global.SetCustomField``)
    :param operation: the vSphere method refused, or the change checked
    :param username: the vCenter user (``None``: the configured one)
    :param entity: where it lacks it, in words (``None``: not known)
    :param also: further ``(privilege, entity)`` it lacks
    :param checked: found before the change wrote anything
    """

    msg_fmt = ('Missing vCenter privilege: %(user)s lacks %(lacking)s, '
               '%(why)s. Grant %(them)s to the role of that user on the '
               'vCenter root object, propagating to its children '
               '("nova-vmware-owner doctor" checks each privilege '
               'nova-vmware-owner needs: %(needed)s).')
    username = entity = None
    also = ()
    checked = False

    def computed(self):
        missing = ((self.privilege, self.entity),) + tuple(self.also)
        lacking = ' and '.join(
            text_mod.printable(privilege) + (
                ' on %s' % text_mod.printable(entity) if entity else '')
            for privilege, entity in missing)
        return {
            'user': 'user %r' % self.username if self.username
            else 'the user of [vmware] host_username',
            'lacking': '%s %s' % ('the privileges' if self.also
                                  else 'the privilege', lacking),
            'why': 'which %s needs; nothing was written' % self.operation
            if self.checked else 'so vCenter refused %s' % self.operation,
            'them': 'them' if self.also else 'it',
            'needed': ', '.join(privileges_mod.ids(privileges_mod.ALL))}


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

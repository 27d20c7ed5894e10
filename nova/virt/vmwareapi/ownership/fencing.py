"""The one write path of the record, fenced by vCenter itself.

vSphere's ``SetField`` has no compare-and-swap, and a write can reach
vCenter long after it was sent (a slow or stalled connection, a paused
process). A decision made on a reading that is no longer true must
therefore not be able to land. vCenter gives us what it takes:

- creating a custom field definition whose name exists fails
  (``DuplicateName``): of several creators exactly one wins;
- removing a definition by key succeeds exactly once;
- ``SetField`` with the key of a removed definition fails, so a write
  through such a key cannot land after the definition was removed, however
  late it arrives.

The store raises ``DefinitionGone`` for both refusals (vCenter names them
``InvalidArgument``, the simulator ``NotFound`` for a removal:
doc/source/faults.rst).

Each owned cluster has a **lease** definition of its own
(``view.lease_name``). Its key is the **token** of the current writer, its
value on the cluster is the current record. Every change (``take``)
revokes the current lease (removes it by key), creates a new one and
writes the record through the new key; a holder renews through its key
(``Tenure.write``). Whoever was deposed meanwhile, or paused inside a
change that someone else completed, finds its key gone and its write
refused, whatever the timing.

The shared attribute that vSphere admins see cannot be fenced (removing its
definition would clear every cluster). It gets a copy of every change,
carrying the token; readers trust the lease over a copy written under
another token (``view``), and a holder repairs the copy.

A lease without a value is a change in progress; one left so by a crashed
writer is cleared after ``ABANDONED_AFTER`` seconds (``settle``).

A change first checks that vCenter's user holds the privileges it needs
(``store.require``: one round trip, nothing written), so that a missing
privilege refuses it before it revokes a lease it could not replace. Should
vCenter refuse the write through the new lease all the same (a check that
answers otherwise than the call), the new lease is removed again rather
than left without a value.
"""

import logging
import random

from nova.virt.vmwareapi.ownership import clock as clock_mod
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import privileges
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import unconfirmed
from nova.virt.vmwareapi.ownership import view as view_mod

LOG = logging.getLogger(__name__)

ABANDONED_AFTER = 30.0
"""Seconds a lease without a value may stay unchanged before it is taken
for abandoned: a change writes its lease within milliseconds."""

SETTLE_TIMEOUT = 90.0
"""Seconds to wait for another process's change to finish."""

SETTLE_POLL = 0.25
"""Mean seconds between two reads while another change is in progress."""


class Tenure:
    """The right to write one cluster's record: a lease this process made.

    :ivar key: the lease definition's key (the token)
    :ivar record: the record last written through it
    :ivar copy_error: the ``VCenterError`` of the last copy into the
                      attribute that failed, or None (the lease is what
                      counts: a holder repairs the copy later)
    """

    def __init__(self, store, key, record=None):
        self._store = store
        self.key = key
        self.record = record
        self.closed = False
        self.copy_error = None

    def write(self, record, view=None, copy=True):
        """Write ``record`` through this lease, then into the attribute.

        A write whose answer was lost is not sent again: a fresh reading
        tells whether it landed (it counts), did not (a failed write, the
        lease unchanged), or the lease is no longer this process's.

        :param view: the ``view.View`` the write was decided on
        :param copy: whether to copy it into the attribute as well (a
                     renewal copies only to repair the attribute)
        :returns: the record written (carrying the token)
        :raises: OwnershipLost when the lease was revoked (someone took
                 over), names another writer, or this tenure was closed;
                 WriteUnconfirmed when the write did not land;
                 ChangeOutcomeUnknown when it cannot be told; VCenterError
        """
        if self.closed:
            raise exceptions.OwnershipLost(
                location=self._store.location, holder=record.holder,
                what='this process stepped down and writes nothing more')
        record = record.with_token(self.key)
        missed = unconfirmed.write_through(self._store, self.key, record,
                                           self.record)
        if missed is not None:
            raise exceptions.OwnershipLost(
                location=self._store.location, holder=record.holder,
                what=missed.what if not missed.revoked else
                'vCenter refused the write through lease %s: another '
                'process revoked it (a takeover or a standby that judged '
                'this holder dead), or the lease attribute %r was removed'
                % (self.key, self._store.lease_name))
        self.record = record
        if copy:
            self.copy(view)
        return record

    def copy(self, view=None):
        """Copy the record into the attribute; a failure is kept, not raised.

        The record counts once its lease holds it; the copy is for vSphere
        admins and older readers, and a holder writes it again when a
        reading shows it missing (``view.Mirror``).

        :returns: the ``VCenterError`` that stopped the copy, or None
        """
        try:
            copy_to_attribute(self._store, view,
                              record_mod.format_record(self.record))
            self.copy_error = None
        except exceptions.VCenterError as exc:
            LOG.warning('The record of %s landed in its lease %s, but copying '
                        'it into the attribute %r failed: %s. Readers trust '
                        'the lease; the next renewal of a holder writes the '
                        'copy again.', self._store.location, self.key,
                        self._store.attribute_name, exc)
            self.copy_error = exc
        return self.copy_error

    def close(self):
        """Write nothing more through this tenure (a holder stepping down)."""
        self.closed = True


def copy_to_attribute(store, view, text):
    """Write ``text`` into the attribute, recreating its definition if gone.

    :param view: the ``view.View`` the caller read (``None``: unknown)
    """
    key = view.reading.attribute_key if view is not None else None
    if key is not None:
        try:
            return store.write_attribute(key, text)
        except exceptions.DefinitionGone:
            LOG.warning('The definition of the attribute %r was removed '
                        'from vCenter since it was read (by a vSphere '
                        'admin?); creating it again for %s.',
                        store.attribute_name, store.location)
    store.write_attribute(store.ensure_attribute(), text)


CHANGE = 'a change of the ownership record'
"""What needs the privileges, in a refusal, unless the caller says."""


def take(store, view, record, needed=privileges.CHANGE, operation=CHANGE):
    """Make ``record`` the cluster's record; the one way a change is made.

    Checks the privileges ``needed``, revokes the current lease (when
    there is one), creates a new one and writes ``record`` through it,
    then copies it into the attribute. Of several processes changing the
    same reading, exactly one succeeds. Once the write through the new
    lease landed, the change is made: a failed copy is kept on the tenure
    (``copy_error``), not raised.

    :param view: the ``view.View`` the change was decided on (not pending)
    :param record: the new record (its token is set here)
    :param needed: the privileges the change needs (``privileges``)
    :param operation: the change, as a refusal names it (``claim``)
    :returns: the ``Tenure`` of the new lease
    :raises: RecordChanged when another process changed the record first,
             or the write through the new lease did not land (nothing of
             this change counts); ChangeOutcomeUnknown when that cannot be
             told; MissingPrivilege (nothing written); VCenterError
    """
    location = store.location
    if view.pending:
        raise exceptions.RecordChanged(
            location=location, what='another process is changing it (lease '
            '%s has no value yet)' % view.token)
    store.require(needed, operation)
    try:
        _revoke(store, view)
    except exceptions.WriteUnconfirmed as exc:
        raise unconfirmed.decide_again(
            store, exc, 'the revocation of lease %s' % view.token)
    try:
        key = store.create_lease()
    except exceptions.DuplicateName:
        raise exceptions.RecordChanged(
            location=location,
            what='another process created a new lease first')
    except exceptions.WriteUnconfirmed as exc:
        raise unconfirmed.decide_again(store, exc, 'the creation of a lease')
    record = record.with_token(key)
    try:
        missed = unconfirmed.write_through(store, key, record)
    except exceptions.MissingPrivilege:
        # vCenter refused what its privilege check allowed: no lease is
        # left without a value for the next change to wait out.
        _remove_unwritten(store, key)
        raise
    if missed is not None and missed.revoked:
        raise exceptions.RecordChanged(
            location=location, what='another process revoked lease %s '
            'before this change was written through it (this process was '
            'paused or its request was delayed)' % key)
    if missed is not None:
        if missed.pending:
            unconfirmed.withdraw(store, key)
        raise exceptions.RecordChanged(
            location=location, what='%s%s' % (
                missed.what, '; this change was withdrawn (lease %s revoked)'
                % key if missed.pending else ''))
    tenure = Tenure(store, key, record)
    tenure.copy(view)
    return tenure


def _revoke(store, view):
    """Revoke the lease ``view`` was read through, if it has one.

    :raises: RecordChanged when another process replaced it first;
             WriteUnconfirmed; VCenterError
    """
    if view.token is None:
        return
    try:
        store.remove_lease(view.token)
    except exceptions.DefinitionGone:
        raise exceptions.RecordChanged(
            location=store.location, what='another process replaced lease '
            '%s first' % view.token)


def _remove_unwritten(store, key):
    """Remove a lease whose value vCenter refused to write."""
    try:
        store.remove_lease(key)
    except exceptions.DefinitionGone:
        pass  # another process replaced it meanwhile
    except exceptions.VCenterError as exc:
        LOG.warning('Could not remove lease %s of %s, left without a value '
                    '(the next change clears it once abandoned): %s', key,
                    store.location, exc)


def clear(store, view, needed=privileges.CHANGE, operation=CHANGE):
    """Leave the cluster unowned: revoke the lease, empty the attribute.

    :param view: the ``view.View`` the release was decided on
    :param needed: the privileges the change needs (``privileges``)
    :param operation: the change, as a refusal names it (``release``)
    :raises: RecordChanged when another process changed the record first;
             MissingPrivilege (nothing written); VCenterError
    """
    if view.pending:
        raise exceptions.RecordChanged(
            location=store.location, what='another process is changing it')
    store.require(needed, operation)
    _revoke(store, view)
    if view.reading.attribute_key is not None:
        try:
            store.write_attribute(view.reading.attribute_key, '')
        except exceptions.DefinitionGone:
            pass  # its definition is gone, and its value with it


def settle(store, clock=clock_mod.SYSTEM, abandoned_after=ABANDONED_AFTER,
           timeout=SETTLE_TIMEOUT, on_wait=None):
    """Read the cluster until no change is in progress.

    A lease left without a value for ``abandoned_after`` seconds of this
    process's clock (its writer crashed or is paused) is removed; a paused
    writer's later write through it is then refused by vCenter.

    :param on_wait: called once when the first reading finds a change in
                    progress (to tell an operator why the command waits)
    :returns: a ``view.View`` that is not pending
    :raises: RecordBusy after ``timeout`` seconds; VCenterError
    """
    started = clock.now()
    seen = since = None
    told = False
    while True:
        view = view_mod.interpret(store.read(), store.location)
        if not view.pending:
            return view
        now = clock.now()
        if on_wait is not None and not told:
            told = True
            on_wait()
        if view.token != seen:
            seen, since = view.token, now
        elif now - since >= abandoned_after:
            LOG.warning('Clearing an abandoned change of %s: the lease '
                        '%r (key %s) has had no value for %d seconds, so '
                        'its writer is presumed dead.', store.location,
                        store.lease_name, seen, now - since)
            try:
                store.remove_lease(seen)
            except exceptions.DefinitionGone:
                pass  # someone else cleared it
            seen = None
            continue
        if now - started >= timeout:
            raise exceptions.RecordBusy(location=store.location,
                                        waited=now - started,
                                        lease_attribute=store.lease_name)
        clock.sleep(SETTLE_POLL * random.uniform(0.5, 1.5))

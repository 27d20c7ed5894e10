"""Writes vCenter did not confirm, decided from a fresh reading.

A write whose answer never came (a timeout, a lost answer, or a session
that had to log in again: ``exceptions.WriteUnconfirmed``) may have been
carried out or not. It is never sent again: sent again, it could land
where it no longer belongs (a vCenter restored from a backup, or restarted
empty, hands out the same keys again to new writers). ``fencing`` reads
once more and decides from what vCenter holds, here:

- the write of a record through a lease (``write_through``): the lease of
  that key (and name) holds exactly the record written: landed, it counts;
  still the writer's previous record: not landed, a failed write (the
  ``WriteUnconfirmed`` is raised); anything else (the key gone, another
  writer's record under it, no value): not the writer's (``Missed``);
- revoking or creating a lease (``decide_again``): the change is decided
  again from the fresh reading (``RecordChanged``), after revoking a lease
  this change may have created and left without a value.

With no reading either, the outcome stays unknown:
``exceptions.ChangeOutcomeUnknown``.
"""

import dataclasses
import logging

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import refusals
from nova.virt.vmwareapi.ownership import text as text_mod

LOG = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Missed:
    """A write through a lease that did not land, and never will.

    :ivar what: what happened, in words
    :ivar revoked: vCenter refused it: the key is gone
    :ivar pending: the lease is there, without a value
    """

    what: str
    revoked: bool = False
    pending: bool = False


def read_after(store, error, what):
    """A fresh reading after ``error`` left ``what`` unconfirmed.

    :raises: ChangeOutcomeUnknown when vCenter cannot be read either
    """
    try:
        return store.read()
    except exceptions.VCenterError as exc:
        raise exceptions.ChangeOutcomeUnknown(
            location=store.location, what=what,
            reason='%s: %s' % (error.operation, error.reason),
            read_error=str(exc))


def _parsed(raw):
    try:
        return record_mod.parse_record(raw)
    except refusals.UnreadableRecord:
        return None


def write_through(store, key, record, previous=None):
    """Write ``record`` through lease ``key``, once.

    :param record: the record, its token set to ``key``
    :param previous: the record this writer wrote through ``key`` last
    :returns: None once it landed; a ``Missed`` when it did not, and the
              lease is not (or no longer) the writer's
    :raises: WriteUnconfirmed when it did not land and the lease still
             holds ``previous``; ChangeOutcomeUnknown; VCenterError
    """
    try:
        store.write_lease(key, record_mod.format_record(record))
        return None
    except exceptions.DefinitionGone:
        return Missed('lease %s was revoked' % key, revoked=True)
    except exceptions.WriteUnconfirmed as exc:
        unconfirmed = exc
    reading = read_after(store, unconfirmed, 'the write through lease %s'
                         % key)
    ours = reading.lease_key == key
    found = _parsed(reading.lease_raw) if ours else None
    if found is not None and found == record:
        LOG.info('The write through lease %s of %s landed although vCenter '
                 'did not confirm it (%s).', key, store.location,
                 text_mod.printable(unconfirmed.reason))
        return None
    if found is not None and found == previous:
        raise unconfirmed
    if not ours:
        shows = 'lease %s gone%s' % (key, ' (lease %s in its place)'
                                     % reading.lease_key
                                     if reading.lease_key is not None
                                     else '')
    elif not reading.lease_raw:
        shows = 'lease %s without a value' % key
    elif found is None:
        shows = 'lease %s holding an unreadable value' % key
    else:
        shows = 'lease %s naming holder %s, seq %d' % (
            key, text_mod.printable(found.holder), found.seq)
    return Missed(
        "vCenter did not confirm the write through lease %s (%s), and a "
        "fresh reading shows %s: it is not this writer's"
        % (key, text_mod.printable(unconfirmed.reason), shows),
        pending=ours and not reading.lease_raw)


def withdraw(store, key):
    """Revoke lease ``key``, left without a value by a change that failed.

    Revoking is always safe: a write through it is refused from then on.
    """
    try:
        store.remove_lease(key)
    except exceptions.VCenterError as exc:
        # Without a value, it is cleared as abandoned later (settle).
        LOG.warning('Could not revoke lease %s of %s, left without a value '
                    'by a change that did not land: %s', key, store.location,
                    exc)


def decide_again(store, error, what):
    """The ``RecordChanged`` of a change vCenter did not confirm a step of.

    The step: the revocation or the creation of a lease. After a fresh
    reading (``ChangeOutcomeUnknown`` without one); a lease
    without a value it shows (possibly the one this change created) is
    revoked first.
    """
    reading = read_after(store, error, what)
    pending = reading.lease_key is not None and not reading.lease_raw
    if pending:
        withdraw(store, reading.lease_key)
    return exceptions.RecordChanged(
        location=store.location, what='vCenter did not confirm %s (%s)%s; '
        'deciding again from a fresh reading' % (
            what, text_mod.printable(error.reason), '; lease %s, left '
            'without a value, was revoked' % reading.lease_key
            if pending else ''))

"""What one reading of a cluster says: the record that counts.

Pure values and functions, no I/O. A cluster's record lives in two places
(``fencing`` explains why):

- the **attribute** (``[vmware_ownership] attribute_name``), one custom
  field for all clusters, which vSphere admins see and may edit; every
  write of ours carries the ``token`` it was made under;
- the **lease**, a custom field definition of this cluster alone
  (``<attribute>.lease.<cluster moref>``). Its key is the token; its value
  on the cluster is the current record. It exists while the cluster is
  owned through this protocol.

``interpret`` decides which one counts (``View.record``):

=====================================  ======================================
reading                                the record that counts
=====================================  ======================================
no lease                               the attribute (a hand-typed or older
                                       value, or unowned when empty)
lease without a value                  the attribute; a change is in
                                       progress (``pending``)
lease, attribute written under it,     the lease (the attribute is an older
under another token, or cleared        copy: a late write, an interrupted
                                       change, an admin's clearing)
lease, attribute typed by hand         the attribute, unless it names the
                                       lease's host (and no other cloud)
                                       with no holder (then an edit that
                                       changes nothing)
=====================================  ======================================

Liveness is always judged on the lease when there is one: an admin's edit
of the attribute never makes a live holder look dead.
"""

import dataclasses
import enum

from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import refusals


def lease_name(attribute_name, cluster_moref):
    """The name of the lease definition of one cluster."""
    return '%s.lease.%s' % (attribute_name, cluster_moref)


class Mirror(enum.Enum):
    """How the attribute relates to the lease."""

    NONE = 'none'
    """No lease: the attribute is all there is."""
    CURRENT = 'current'
    """Written under the lease's token."""
    STALE = 'stale'
    """Written under another (revoked) token: a late or interrupted write."""
    CLEARED = 'cleared'
    """Empty, or its definition is gone, while the lease holds a record."""
    EDITED = 'edited'
    """A value typed by hand (no token) while the lease exists."""

    @property
    def needs_repair(self):
        """True when the attribute no longer shows the current record."""
        return self in (Mirror.STALE, Mirror.CLEARED, Mirror.EDITED)


@dataclasses.dataclass(frozen=True)
class Reading:
    """The raw facts of one read of a cluster.

    :ivar attribute_raw: the attribute's value on the cluster, or ``None``
    :ivar attribute_key: the attribute's definition key, ``None`` if absent
    :ivar lease_key: the lease definition's key, ``None`` if absent
    :ivar lease_raw: the lease's value on the cluster, or ``None``
    """

    attribute_raw: str = None
    attribute_key: int = None
    lease_key: int = None
    lease_raw: str = None


@dataclasses.dataclass(frozen=True, repr=False)
class View:
    """What a reading means.

    :ivar reading: the ``Reading``
    :ivar record: the record that counts (``None``: unowned or unreadable)
    :ivar error: the ``UnreadableRecord`` when the record cannot be read
    :ivar lease: the lease's record (``None`` when there is none); the
                 holder and ``seq`` that liveness is judged on
    :ivar mirror: a ``Mirror``
    """

    reading: Reading
    record: record_mod.OwnershipRecord = None
    error: refusals.UnreadableRecord = None
    lease: record_mod.OwnershipRecord = None
    mirror: Mirror = Mirror.NONE

    @property
    def token(self):
        """The key of the lease definition, ``None`` when there is none."""
        return self.reading.lease_key

    @property
    def pending(self):
        """True when a change is in progress: a lease without a value."""
        return self.token is not None and not self.reading.lease_raw

    @property
    def unowned(self):
        return self.record is None and self.error is None

    @property
    def holder_record(self):
        """The record whose holder and ``seq`` show liveness."""
        return self.lease if self.lease is not None else self.record

    def __repr__(self):
        return 'View(record=%r, error=%r, token=%r, mirror=%s)' % (
            self.record, self.error, self.token, self.mirror.value)


def _parse(raw, location):
    """``(record, None)`` or ``(None, located UnreadableRecord)``."""
    try:
        return record_mod.parse_record(raw), None
    except refusals.UnreadableRecord as exc:
        return None, exc.at(location) if location else exc


def interpret(reading, location=None):
    """Decide which record counts; see the module's table.

    :param reading: a ``Reading``
    :param location: an ``location.Location``, for error messages
    :returns: a ``View``
    """
    record, error = _parse(reading.attribute_raw, location)
    if reading.lease_key is None or not reading.lease_raw:
        return View(reading, record, error)
    lease, lease_error = _parse(reading.lease_raw, location)
    if lease_error is not None:
        return View(reading, None, lease_error)
    if not (reading.attribute_raw or '').strip() or \
            reading.attribute_key is None:
        return View(reading, lease, None, lease, Mirror.CLEARED)
    if record is not None and record.token is not None:
        mirror = Mirror.CURRENT if record.token == reading.lease_key \
            else Mirror.STALE
        return View(reading, lease, None, lease, mirror)
    if record is not None and record.host == lease.host and \
            record.cloud in (None, lease.cloud) and not record.is_held:
        # The owner's name typed again: nothing changes (a bare name
        # cannot say its cloud).
        return View(reading, lease, None, lease, Mirror.EDITED)
    return View(reading, record, error, lease, Mirror.EDITED)


def written(record):
    """The view a reader has right after ``record`` was written.

    :param record: the record written under its token (``None``: the
                   cluster was left unowned)
    """
    if record is None:
        return View(Reading())
    text = record_mod.format_record(record)
    return View(Reading(text, None, record.token, text), record, None,
                record, Mirror.CURRENT)


@dataclasses.dataclass(frozen=True)
class Cluster:
    """One cluster as read.

    :ivar location: its ``location.Location`` (name, moref, attribute)
    :ivar lease_name: the name of its lease definition
    :ivar view: its ``View``
    :ivar path: the names of the objects above it, from below the root
                folder to its parent: folders, its datacenter, the
                datacenter's host folder (``host``), folders (a ``/`` in
                a name is ``%2f``, as vCenter writes it)
    :ivar datacenter: the name of its datacenter
    """

    location: object
    lease_name: str
    view: View
    path: tuple = ()
    datacenter: str = None

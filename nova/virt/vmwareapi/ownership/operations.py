"""Operator changes of ownership, each under the record lock and audited.

The command is never a live holder: what it writes is ``released``, so the
next nova-compute of the owning host starts at once.
"""

import getpass
import logging

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import liveness
from nova.virt.vmwareapi.ownership import record as record_mod

LOG = logging.getLogger(__name__)


def actor():
    """Who runs this: ``user@machine``."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = 'unknown'
    return '%s@%s' % (user, liveness.this_machine())


class Outcome:
    """What an operation did.

    :ivar changed: whether the record was written
    :ivar before: the record before (``None`` when unowned)
    :ivar after: the record after
    """

    def __init__(self, changed, before, after):
        self.changed = changed
        self.before = before
        self.after = after


def audit(store, verb, before_host, after_host, who):
    """Log and post a vCenter event for one ownership change.

    The change is already written; a failure to post the event is logged,
    not raised, so the operator is not told a done change failed.
    """
    message = ('nova-vmware-owner: %s %s: owner %s -> %s, by %s'
               % (verb, store.location.cluster, before_host or '(none)',
                  after_host or '(none)', who))
    LOG.info(message)
    try:
        store.post_event(message)
    except exceptions.VCenterError as exc:
        LOG.warning('Could not post the audit event on %s: %s',
                    store.location, exc)
    return message


def claim(store, lock, host, now, who=None):
    """Claim an unowned cluster for ``host``.

    :returns: an ``Outcome`` (unchanged when ``host`` already owns it)
    :raises: ClusterOwnedByAnotherHost, UnreadableRecord, VCenterError,
             LockTimeout
    """
    with lock.held():
        reading = store.read()
        try:
            before = reading.record()
        except exceptions.UnreadableRecord as exc:
            raise exc.at(store.location)
        if before is not None:
            if before.host != host:
                raise exceptions.ClusterOwnedByAnotherHost(
                    store.location, before.host, host, before.since)
            return Outcome(False, before, before)
        after = record_mod.OwnershipRecord.claimed(host, now)
        key = reading.field_key
        if key is None:
            key = store.ensure_field()
        store.write(record_mod.format_record(after), key)
    audit(store, 'claimed', None, host, who or actor())
    return Outcome(True, None, after)

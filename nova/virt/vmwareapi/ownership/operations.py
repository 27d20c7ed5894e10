"""Operator changes of ownership: claim, takeover and release.

Each change is planned from one reading (``plan_*``, pure), optionally
observed (``observe``: is a holder still renewing?), then applied under the
record lock (``apply``): the record is re-read and written only if it is
still the value the plan was made from (a compare-and-swap built on the
lock), read back to confirm, and audited.

The command is never a live holder: what it writes is ``released`` (or an
empty value for ``release``), so the next nova-compute of the owning host
starts at once. Nothing here prints; results are ``Outcome`` values and
refusals are exceptions.
"""

import getpass
import logging
import time

from nova.virt.vmwareapi.ownership import decision
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import liveness
from nova.virt.vmwareapi.ownership import record as record_mod

LOG = logging.getLogger(__name__)

CLAIM = 'claim'
TAKEOVER = 'takeover'
RELEASE = 'release'

OBSERVE_POLL = 1.0
"""Seconds between two reads while observing a holder."""

EVICTION_SETTLE = 2.0
"""Seconds a forced change of a held record is watched after writing.

A holder renews with a read and then a write; a renewal that read before
our write lands after it and puts the holder back. Its next renewal reads
our value and stops the holder, so rewriting once is enough; this window
lets such a late write show up before the change is reported done.
"""

EVICTION_RETRIES = 3
"""Rewrites of a forced change that an evicted holder's renewal undid."""

SETTLE_POLL = 0.5
"""Seconds between two confirming reads in the settle window."""


def actor():
    """Who runs this: ``user@machine``."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = 'unknown'
    return '%s@%s' % (user, liveness.this_machine())


def _same(raw_a, raw_b):
    # Absent and empty both mean unowned.
    return (raw_a or '') == (raw_b or '')


class Plan:
    """What one change would do, decided from one reading.

    :ivar action: ``CLAIM``, ``TAKEOVER`` or ``RELEASE``
    :ivar reading: the ``store.Reading`` the plan was made from
    :ivar before: the record read (``None`` if unowned or unreadable)
    :ivar after: the record to write (``None``: clear the value)
    :ivar changes: False when there is nothing to write
    :ivar observe: True when a holder must be observed before writing
    :ivar forced: whether ``--force`` allowed the plan
    :param next_record: the function making ``after`` from a record, to
                        rebase the plan on a holder's later renewal
    """

    def __init__(self, action, reading, before, after, changes=True,
                 observe=False, forced=False, next_record=None):
        self._next_record = next_record
        self.action = action
        self.reading = reading
        self.before = before
        self.after = after
        self.changes = changes
        self.observe = observe
        self.forced = forced

    @property
    def before_host(self):
        return self.before.host if self.before else None

    @property
    def after_host(self):
        return self.after.host if self.after else None

    @property
    def after_raw(self):
        """The value that would be written ('' clears it)."""
        if not self.changes:
            return self.reading.raw
        return record_mod.format_record(self.after) if self.after else ''

    def rebased(self, reading, record):
        """The same forced change, made from a later renewal ``record``."""
        return Plan(self.action, reading, record, self._next_record(record),
                    forced=self.forced, next_record=self._next_record)

    @property
    def evicts(self):
        """True when a forced change replaces a record with a holder."""
        return self.forced and self.before is not None and \
            self.before.is_held

    @property
    def renames(self):
        """True when ownership moves from one host name to another."""
        return bool(self.before and self.after and
                    self.before.host != self.after.host)


class Outcome:
    """What an operation did.

    :ivar action: ``CLAIM``, ``TAKEOVER`` or ``RELEASE``
    :ivar changed: whether the record was written
    :ivar before: the record before (``None`` when unowned or unreadable)
    :ivar after: the record after (``None`` when unowned)
    :ivar before_raw: the raw value before
    :ivar observed: seconds the holder was observed (0 when not)
    :ivar audit: the audit message, ``None`` when nothing was written
    """

    def __init__(self, changed, before, after, action=CLAIM, before_raw=None,
                 observed=0.0, audit=None):
        self.action = action
        self.changed = changed
        self.before = before
        self.after = after
        self.before_raw = before_raw
        self.observed = observed
        self.audit = audit


def audit(store, verb, before_host, after_host, who, note=None):
    """Log and post a vCenter event for one ownership change.

    The change is already written; a failure to post the event is logged,
    not raised, so the operator is not told a done change failed.

    :returns: the message
    """
    message = ('nova-vmware-owner: %s %s: owner %s -> %s, by %s%s'
               % (verb, store.location.cluster, before_host or '(none)',
                  after_host or '(none)', who,
                  ' (%s)' % note if note else ''))
    LOG.info(message)
    try:
        store.post_event(message)
    except exceptions.VCenterError as exc:
        LOG.warning('Could not post the audit event on %s: %s',
                    store.location, exc)
    return message


def _parse(reading, location):
    """The record of a reading, or ``(None, located UnreadableRecord)``."""
    try:
        return reading.record(), None
    except exceptions.UnreadableRecord as exc:
        return None, exc.at(location)


def plan_claim(reading, host, now, location):
    """Plan claiming the cluster for ``host``.

    :raises: ClusterOwnedByAnotherHost, UnreadableRecord
    """
    before, error = _parse(reading, location)
    if error is not None:
        raise error
    if before is None:
        return Plan(CLAIM, reading, None,
                    record_mod.OwnershipRecord.claimed(host, now))
    if before.host != host:
        raise exceptions.ClusterOwnedByAnotherHost(location, before.host,
                                                   host, before.since)
    return Plan(CLAIM, reading, before, before, changes=False)


def _replacement(host, now):
    """The record replacing an unreadable value (a forced move)."""
    stamp = record_mod.timestamp(now)
    return record_mod.OwnershipRecord(
        host, state=record_mod.RELEASED, since=stamp, renewed_at=stamp,
        seq=1, transitions=1)


def plan_takeover(reading, host, now, location, force=False):
    """Plan moving ownership to ``host``.

    Taking over for the host that already owns the cluster, with no
    holder, changes nothing. A record held by a holder must be observed
    first unless ``force``.

    :raises: UnreadableRecord (unless ``force``)
    """
    before, error = _parse(reading, location)
    if error is not None:
        if not force:
            raise error
        return Plan(TAKEOVER, reading, None, _replacement(host, now),
                    forced=True)
    if before is None:
        return Plan(TAKEOVER, reading, None,
                    record_mod.OwnershipRecord.claimed(host, now),
                    forced=force)
    if before.host == host and not before.is_held:
        return Plan(TAKEOVER, reading, before, before, changes=False)

    def move(record):
        return record.moved_to(host, now)

    return Plan(TAKEOVER, reading, before, move(before),
                observe=before.is_held and not force, forced=force,
                next_record=move)


def plan_release(reading, this_host, location, force=False):
    """Plan clearing ownership (the value becomes empty).

    :param this_host: nova's ``[DEFAULT] host`` of the machine running it
    :raises: UnreadableRecord, NotTheOwner (both unless ``force``)
    """
    before, error = _parse(reading, location)
    if error is not None:
        if not force:
            raise error
        return Plan(RELEASE, reading, None, None, forced=True)
    if before is None:
        return Plan(RELEASE, reading, None, None, changes=False)
    if before.host != this_host and not force:
        raise exceptions.NotTheOwner(location, before.host, this_host,
                                     before.since)
    return Plan(RELEASE, reading, before, None,
                observe=before.is_held and not force, forced=force,
                next_record=lambda record: None)


def observe(store, plan, seconds, clock=time.monotonic, sleep=time.sleep,
            on_tick=None, machine=None, pid_exists=liveness.pid_exists):
    """Watch the plan's holder until judged dead; refuse if it renews.

    Liveness is judged by ``liveness.HolderWatch`` with ``seconds`` as the
    lease: the holder is dead once the record stayed unchanged that long
    (at once for a holder on this machine whose pid is gone, or when
    ``seconds`` is 0).

    :param on_tick: called with the seconds left before each wait
    :returns: the seconds observed
    :raises: HolderIsAlive when the holder renewed; RecordChanged when the
             record changed otherwise; VCenterError
    """
    first = plan.before
    if not plan.observe or first is None or not first.is_held:
        return 0.0
    watch = liveness.HolderWatch(liveness.new_holder_id(machine), seconds,
                                 clock=clock, machine=machine,
                                 pid_exists=pid_exists)
    started = clock()
    judged = watch.observe(first)
    while judged is decision.Liveness.LIVE:
        left = max(0.0, seconds - watch.watched_for())
        if on_tick is not None:
            on_tick(left)
        sleep(min(OBSERVE_POLL, left) or OBSERVE_POLL)
        reading = store.read()
        if not _same(reading.raw, plan.reading.raw):
            current, _error = _parse(reading, store.location)
            if current is not None and current.is_held and \
                    current.holder == first.holder:
                raise exceptions.HolderIsAlive(store.location, first.holder,
                                               clock() - started)
            raise exceptions.RecordChanged(store.location, plan.reading.raw,
                                           reading.raw)
        judged = watch.observe(first)
    return clock() - started


def _confirm(store, text, settle, sleep, clock):
    """Read back what was written, for ``settle`` seconds.

    :returns: ``None`` when the value stayed ``text``, else what was found
    """
    deadline = clock() + settle
    while True:
        found = store.read().raw
        if not _same(found, text):
            return found
        left = deadline - clock()
        if left <= 0:
            return None
        sleep(min(SETTLE_POLL, left))


def apply(store, lock, plan, who=None, observed=0.0, sleep=time.sleep,
          clock=time.monotonic):
    """Write a plan under the record lock, confirm it and audit it.

    A forced change of a held record is watched for ``EVICTION_SETTLE``
    seconds after writing and rewritten (up to ``EVICTION_RETRIES`` times)
    if a renewal of the evicted holder undid it.

    :param lock: a ``lock.RecordLock`` of the store's record
    :param who: the actor named in the audit (default: this user@machine)
    :param observed: seconds the holder was observed, for the outcome
    :param sleep, clock: injectable, for the settle window
    :returns: an ``Outcome``
    :raises: RecordChanged when the record is no longer the planned-from
             value, or someone else's write replaced ours; VCenterError;
             LockTimeout
    """
    outcome = Outcome(False, plan.before, plan.after, plan.action,
                      plan.reading.raw, observed)
    if not plan.changes:
        return outcome
    settle = EVICTION_SETTLE if plan.evicts else 0.0

    def still_wanted(current):
        # A forced eviction tolerates the holder renewing meanwhile.
        return _same(current.raw, plan.reading.raw) or (
            plan.evicts and _renewed_by(current.raw, plan.before.holder))

    with lock.held(still_wanted) as lock_key:
        reading = store.read()
        if lock_key is None or not still_wanted(reading):
            raise exceptions.RecordChanged(store.location, plan.reading.raw,
                                           reading.raw)
        if not _same(reading.raw, plan.reading.raw):
            plan = plan.rebased(reading, reading.record())
            outcome.before, outcome.after = plan.before, plan.after
        text = plan.after_raw
        key = reading.field_key
        if key is None:
            key = store.ensure_field()
        rewrites = 0
        while True:
            store.write(text, key)
            found = _confirm(store, text, settle, sleep, clock)
            if found is None:
                break
            if not (plan.evicts and rewrites < EVICTION_RETRIES and
                    _renewed_by(found, plan.before.holder)):
                raise exceptions.RecordChanged(store.location, text, found,
                                               written=True)
            rewrites += 1
            LOG.debug('A late renewal of evicted holder %s undid the change '
                      'of %s; writing it again.', plan.before.holder,
                      store.location)
    outcome.changed = True
    outcome.audit = audit(store, _VERBS[plan.action], plan.before_host,
                          plan.after_host, who or actor(),
                          note=_note(plan))
    return outcome


def _renewed_by(raw, holder):
    """True when ``raw`` is a record held by ``holder``."""
    try:
        found = record_mod.parse_record(raw)
    except exceptions.UnreadableRecord:
        return False
    return found is not None and found.is_held and found.holder == holder


_VERBS = {CLAIM: 'claimed', TAKEOVER: 'took over', RELEASE: 'released'}


def _note(plan):
    notes = []
    if plan.forced:
        notes.append('forced')
    if plan.before is None and plan.reading.raw and \
            plan.reading.raw.strip():
        notes.append('replaced an unreadable value')
    return ', '.join(notes) or None


def claim(store, lock, host, now, who=None):
    """Claim an unowned cluster for ``host``.

    Planned under the lock, so concurrent claimers for different hosts
    see each other: one claims, the others are refused.

    :returns: an ``Outcome`` (unchanged when ``host`` already owns it)
    :raises: ClusterOwnedByAnotherHost, UnreadableRecord, VCenterError,
             LockTimeout
    """
    with lock.held():
        plan = plan_claim(store.read(), host, now, store.location)
        if not plan.changes:
            return Outcome(False, plan.before, plan.after, CLAIM,
                           plan.reading.raw)
        key = plan.reading.field_key
        if key is None:
            key = store.ensure_field()
        store.write(plan.after_raw, key)
        found = store.read().raw
        if not _same(found, plan.after_raw):
            raise exceptions.RecordChanged(store.location, plan.after_raw,
                                           found, written=True)
    message = audit(store, _VERBS[CLAIM], None, host, who or actor())
    return Outcome(True, None, plan.after, CLAIM, plan.reading.raw,
                   audit=message)

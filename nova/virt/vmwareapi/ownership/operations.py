"""Operator changes of ownership: claim, takeover and release.

Each change is planned from one reading (``plan``: the rules are
``decision.decide_change``), its holder observed when it has one
(``observe``: is it still renewing?), then written through ``fencing``
(``apply``), which makes it count only if nobody changed the record since
the reading it was planned on. Every change is audited.

The command is never a live holder: what it writes is ``released`` (or
nothing at all, for ``release``), so the next nova-compute of the owning
host starts at once. Nothing here prints; results are ``Outcome`` values
and refusals are exceptions.
"""

import dataclasses
import getpass
import logging

from nova.virt.vmwareapi.ownership import clock as clock_mod
from nova.virt.vmwareapi.ownership import decision
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import fencing
from nova.virt.vmwareapi.ownership import liveness
from nova.virt.vmwareapi.ownership import privileges
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import refusals
from nova.virt.vmwareapi.ownership import text as text_mod

LOG = logging.getLogger(__name__)

Change = decision.Change
Verdict = decision.Verdict

OBSERVE_POLL = 1.0
"""Seconds between two reads while observing a holder."""

_VERBS = {Change.CLAIM: 'claimed', Change.TAKEOVER: 'took over',
          Change.RELEASE: 'released'}


def actor():
    """Who runs this: ``user@machine``."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = 'unknown'
    return '%s@%s' % (user, liveness.this_machine())


@dataclasses.dataclass(frozen=True)
class Plan:
    """What one change would do, decided from one reading.

    :ivar change: a ``decision.Change``
    :ivar view: the ``view.View`` it was decided on
    :ivar verdict: a ``decision.Verdict`` (never a refusal)
    :ivar after: the record to write (``None``: the cluster becomes, or
                 stays, unowned)
    :ivar forced: whether ``--force`` was given
    """

    change: Change
    view: object
    verdict: Verdict
    after: record_mod.OwnershipRecord
    forced: bool = False

    @property
    def before(self):
        return self.view.record

    @property
    def changes(self):
        return self.verdict is not Verdict.NOTHING_TO_DO

    @property
    def observe(self):
        return self.verdict is Verdict.OBSERVE_THEN_WRITE

    @property
    def holder(self):
        """The holder a forced change evicts or an observation watches."""
        record = self.view.holder_record
        return record.holder if record is not None and record.is_held \
            else None


def plan(change, view, target_host, now, location, force=False,
         cloud=None):
    """Plan one change of the cluster's record.

    :param change: a ``decision.Change``
    :param view: the ``view.View`` to plan on (not pending)
    :param target_host: the host to claim or take over for; for release,
                        the host running the command
    :param now: the wall clock, for the new record's timestamps
    :param location: the cluster, a ``location.Location``
    :param cloud: the target host's cloud (``[vmware_ownership] cloud``)
    :returns: a ``Plan``
    :raises: ClusterOwnedByAnotherHost (ClusterOwnedByAnotherCloud),
             NotTheOwner, UnreadableRecord
    """
    record = view.record
    holder = view.holder_record
    verdict = decision.decide_change(
        change, record, target_host, unreadable=view.error is not None,
        force=force, held=holder is not None and holder.is_held,
        cloud=cloud)
    if verdict is Verdict.REFUSE_UNREADABLE:
        raise view.error
    if verdict in (Verdict.REFUSE_OTHER_HOST, Verdict.REFUSE_OTHER_CLOUD):
        raise refusals.owned_elsewhere(location, record, target_host,
                                       cloud)
    if verdict is Verdict.REFUSE_NOT_OWNER:
        raise refusals.NotTheOwner(location=location, owner=record.host,
                                   this_host=target_host,
                                   owner_cloud=record.cloud,
                                   this_cloud=cloud)
    if change is Change.RELEASE or verdict is Verdict.NOTHING_TO_DO:
        after = None if change is Change.RELEASE else record
    elif record is None:
        # A forced takeover of an unreadable value counts as a move.
        after = record_mod.OwnershipRecord.claimed(
            target_host, now, transitions=1 if view.error else 0,
            cloud=cloud)
    else:
        after = record.moved_to(target_host, now, cloud=cloud)
    return Plan(change, view, verdict, after, forced=force)


def observation(plan, lease_duration, requested=None):
    """Seconds to observe the plan's holder before judging it dead.

    At least what a standby waits: ``lease_duration`` of this
    configuration, or the holder's own when its record says it is longer
    (a takeover run with a shorter lease, or none, must not judge a holder
    sooner than its standby would). ``requested`` (``--observe``) may
    lengthen it, never shorten it.

    :param plan: the ``Plan``
    :param lease_duration: ``[vmware_ownership] lease_duration`` here
    :param requested: the seconds asked for, or None
    :returns: seconds; 0 when the plan observes no holder
    :raises: ConfigurationError when a holder is to be observed and no
             lease is known
    """
    if not plan.observe:
        return 0
    declared = plan.view.holder_record.lease_duration or 0
    seconds = max(requested or 0, lease_duration, declared)
    if seconds <= 0:
        raise exceptions.ConfigurationError(
            options=('--observe', '[vmware_ownership] lease_duration'),
            problem='holder %s holds the record, which does not say how '
            'long its lease is, and lease_duration is 0 here: give --observe '
            'with at least the lease_duration of that holder, or --force '
            'once you know it is gone' % text_mod.printable(plan.holder))
    return seconds


def observe(store, plan, seconds, clock=clock_mod.SYSTEM, on_tick=None,
            place=None, pid_exists=liveness.pid_exists):
    """Watch the plan's holder until judged dead; refuse if it renews.

    Liveness is judged as a standby judges it (``liveness.HolderWatch``),
    with ``seconds`` as the lease: dead once the record stayed unchanged
    that long (at once for a holder whose pid is gone from this PID
    namespace of this boot of this machine, ``liveness.Place``).

    :param on_tick: called with the seconds left before each wait
    :returns: ``(seconds observed, the last view.View)``
    :raises: HolderIsAlive when the holder renewed; RecordChanged when the
             record changed otherwise; VCenterError
    """
    view = plan.view
    if not plan.observe:
        return 0.0, view
    first = view.holder_record
    watch = liveness.HolderWatch(liveness.new_holder_id(place=place),
                                 seconds, clock=clock.now, place=place,
                                 pid_exists=pid_exists)
    started = clock.now()
    judged = watch.observe(first)
    while judged is decision.Liveness.LIVE:
        left = max(0.0, seconds - watch.watched_for())
        if on_tick is not None:
            on_tick(left)
        clock.sleep(min(OBSERVE_POLL, left) or OBSERVE_POLL)
        view = fencing.settle(store, clock)
        current = view.holder_record
        if view.token != plan.view.token or current is None or \
                current.holder != first.holder:
            raise exceptions.RecordChanged(
                location=store.location, what='it no longer names holder %s'
                % text_mod.printable(first.holder))
        if current.seq != first.seq:
            raise refusals.HolderIsAlive(
                location=store.location, holder=first.holder,
                observed_seconds=clock.now() - started)
        judged = watch.observe(current)
    return clock.now() - started, view


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What a change did.

    :ivar plan: the ``Plan``
    :ivar changed: whether the record was written
    :ivar after: the record that counts now (``None``: unowned)
    :ivar observed: seconds the holder was observed (0 when not)
    :ivar copy_error: the ``VCenterError`` that stopped the copy into the
                      attribute after the change landed in the lease, or
                      None
    :ivar event_error: the ``VCenterError`` that stopped the audit event,
                       or None
    """

    plan: Plan
    changed: bool
    after: record_mod.OwnershipRecord
    observed: float = 0.0
    copy_error: Exception = None
    event_error: Exception = None


def apply(store, plan, view=None, who=None, observed=0.0):
    """Write a plan through ``fencing`` and audit it.

    :param view: the reading to write on (the plan's, or the last one of
                 its observation, which has the same lease)
    :param who: the actor named in the audit (default: user@machine)
    :returns: an ``Outcome``; once the change landed in the lease, what
              failed after it is in the outcome, never raised
    :raises: RecordChanged when another process changed the record since
             that reading (nothing of this change counts);
             ChangeOutcomeUnknown; MissingPrivilege when the user may not
             make the change or post its audit event (nothing written);
             VCenterError
    """
    if not plan.changes:
        return Outcome(plan, False, plan.after, observed)
    view = view or plan.view
    operation = plan.change.value
    copy_error = None
    if plan.change is Change.RELEASE:
        fencing.clear(store, view, privileges.AUDITED_CHANGE, operation)
        after = None
    else:
        tenure = fencing.take(store, view, plan.after,
                              privileges.AUDITED_CHANGE, operation)
        after, copy_error = tenure.record, tenure.copy_error
    message = audit_message(store, _VERBS[plan.change], _owner(plan.before),
                            _owner(after), who or actor(),
                            note=_note(plan, copy_error))
    return Outcome(plan, True, after, observed, copy_error,
                   post_audit(store, message))


def require_privileges(store, plan):
    """Check that vCenter's user may make the change and audit it.

    What ``apply`` checks before its first write, for a dry run: one round
    trip, nothing written.

    :raises: MissingPrivilege naming each privilege lacking; VCenterError
    """
    if plan.changes:
        store.require(privileges.AUDITED_CHANGE, plan.change.value)


def _owner(record):
    """The owner of ``record`` as the audit names it (``None``: nobody)."""
    if record is None:
        return None
    return text_mod.owner_text(record.host, record.cloud)


def _note(plan, copy_error=None):
    notes = []
    if plan.forced:
        notes.append('forced')
    if plan.holder and plan.forced:
        notes.append('evicted holder %s' % plan.holder)
    if plan.view.error is not None:
        notes.append('replaced an unreadable value')
    if copy_error is not None:
        notes.append('the copy into the attribute failed: %s' % copy_error)
    return ', '.join(notes) or None


def audit_message(store, verb, before_host, after_host, who, note=None):
    """The audit line of one ownership change."""
    return ('nova-vmware-owner: %s %s: owner %s -> %s, by %s%s'
            % (verb, text_mod.printable(store.location.cluster),
               before_host or '(none)', after_host or '(none)', who,
               ' (%s)' % text_mod.printable(note) if note else ''))


def post_audit(store, message):
    """Log the audit line ``message`` and post it as a vCenter event.

    The change is already written; a failure to post the event is logged,
    not raised, so the operator is not told a done change failed.

    :returns: the ``VCenterError`` that stopped the event, or None
    """
    LOG.info(message)
    try:
        store.post_event(message)
    except exceptions.VCenterError as exc:
        LOG.warning('Could not post the audit event on %s: %s',
                    store.location, exc)
        return exc
    return None


def audit(store, verb, before_host, after_host, who, note=None):
    """Log and post a vCenter event for one ownership change.

    :returns: the message
    """
    message = audit_message(store, verb, before_host, after_host, who, note)
    post_audit(store, message)
    return message

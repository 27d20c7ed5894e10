"""The commands on the configured cluster: show, check, claim, takeover,
release.

Each command is declared (``COMMANDS``) beside its handler, with the
arguments of its own. A handler takes the command's context
(``context.Context``: options, store, location) and the output format,
prints the result on stdout and returns the exit code; refusals and
failures are raised as our exceptions and mapped to exit codes by
``main``.
"""

import dataclasses
import math

from nova.virt.vmwareapi.ownership.cli import console as console_mod
from nova.virt.vmwareapi.ownership.cli import context
from nova.virt.vmwareapi.ownership.cli import render
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import operations
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import refusals
from nova.virt.vmwareapi.ownership import state as state_mod
from nova.virt.vmwareapi.ownership import text as text_mod
from nova.virt.vmwareapi.ownership import view as view_mod

Change = operations.Change

CLAIM_ATTEMPTS = 3
"""Decisions a claim makes when it loses a race: the next reading shows
who won, and the claim is then done or refused."""

_MAY_RUN = (state_mod.UNOWNED, state_mod.OWNED_BY_THIS_HOST)


def show(ctx, fmt):
    state = ctx.state(ctx.view())
    render.emit(state, fmt, render.show_text(state))
    return 0


def _note_namesakes(ctx, console=None):
    """Say which cluster, when several have the configured name."""
    if ctx.namesakes:
        (console or console_mod.Console()).say(render.namesakes_note(
            ctx.location, ctx.namesake_list()))


def check(ctx, fmt):
    _note_namesakes(ctx)
    view = ctx.view()
    state = ctx.state(view)
    state['may_run'] = state['verdict'] in _MAY_RUN
    render.emit(state, fmt, '%s: %s' % (
        text_mod.printable(state['cluster']), render.verdict_text(state)))
    if state['may_run']:
        return 0
    # What nova-compute of this host would log when refusing to start.
    if view.error is not None:
        raise view.error
    raise refusals.owned_elsewhere(ctx.location, view.record,
                                   ctx.this_host, ctx.settings.cloud)


def _target_host(ctx):
    return getattr(ctx.conf.command, 'target_host', None) or ctx.this_host


def _check_host(conf):
    """``--host``, checked before anything is opened."""
    host = conf.command.target_host
    if host is not None and not record_mod.is_host_name(host):
        raise exceptions.ConfigurationError(
            options=('--host',), problem='%r is not a host name' % (
                text_mod.printable(host),))


def _check_takeover(conf):
    """``--host`` and ``--observe``, checked before anything is opened."""
    _check_host(conf)
    seconds = conf.command.observe
    if seconds is not None and not (math.isfinite(seconds) and seconds > 0):
        raise exceptions.ConfigurationError(
            options=('--observe',),
            problem='must be a positive number of seconds, not %s (use '
            '--force to skip the observation)' % seconds)


def _settled(ctx, console):
    return ctx.settled_view(on_wait=lambda: console.say(
        'Waiting: another process is changing the ownership record of %s.'
        % ctx.location))


def _change_state(ctx, plan, outcome, dry_run=False):
    """The JSON object of claim, takeover and release.

    ``show``'s object of the state after the change (as written; nothing
    is read again) plus the change.
    """
    after = plan.view if not outcome.changed else view_mod.written(
        outcome.after)
    state = ctx.state(after)
    before = plan.before
    state.update(action=plan.change.value, changed=outcome.changed,
                 dry_run=dry_run,
                 before=before.to_dict() if before else None,
                 before_raw=plan.view.reading.attribute_raw,
                 after=outcome.after.to_dict() if outcome.after else None,
                 observed_seconds=round(outcome.observed, 1),
                 forced=plan.forced, next_steps=[],
                 failed_after=[
                     {'what': failed['what'], 'error': failed['error']}
                     for failed in render.failed_after(ctx.location,
                                                       outcome)])
    return state


def _with_failures(ctx, outcome, text):
    """``text``, then what failed after the change landed."""
    failures = render.failed_after(ctx.location, outcome)
    return '\n\n'.join([text] + [failed['text'] for failed in failures])


def _refusing(ctx, fmt, change, view, error):
    """In JSON, a refusal still prints the state (then exits non-zero)."""
    if fmt == 'json' and view is not None:
        state = ctx.state(view)
        state.update(action=change.value, changed=False, error=str(error))
        render.emit(state, fmt, '')


def claim(ctx, fmt):
    host = _target_host(ctx)
    console = console_mod.Console()
    _note_namesakes(ctx, console)
    for attempt in range(1, CLAIM_ATTEMPTS + 1):
        view = _settled(ctx, console)
        try:
            plan = operations.plan(Change.CLAIM, view, host, ctx.now(),
                                   ctx.location, cloud=ctx.settings.cloud)
            outcome = operations.apply(ctx.store, plan)
        except exceptions.RecordChanged:
            if attempt == CLAIM_ATTEMPTS:
                raise
            continue
        except exceptions.OwnershipRefused as exc:
            _refusing(ctx, fmt, Change.CLAIM, view, exc)
            raise
        break
    if outcome.changed:
        text = ('Claimed %s for host %s. The record is released, so the '
                'nova-compute of %s starts at once.'
                % (ctx.location, host, host))
    else:
        text = '%s is already owned by host %s; nothing changed.' % (
            ctx.location, host)
    render.emit(_change_state(ctx, plan, outcome), fmt,
                _with_failures(ctx, outcome, text))
    return 0


def _observation(ctx, console, plan, requested):
    """The seconds to observe ``plan``'s holder, said when lengthened."""
    seconds = operations.observation(plan, ctx.settings.lease_duration,
                                     requested)
    if requested and requested < seconds:
        console.say('--observe %g is shorter than the lease of holder %s '
                    '(%d s): observing it for %d s. A held record is judged '
                    "by its holder's lease; --observe can lengthen the "
                    'observation, never shorten it.'
                    % (requested, text_mod.printable(plan.holder), seconds,
                       seconds))
    return seconds


def _run_change(ctx, fmt, change, target, requested, expected, force=False,
                dry_run=False, assume_yes=False):
    """Plan, confirm, observe, apply and print one takeover or release.

    :param requested: the seconds of ``--observe``, or None
    """
    console = console_mod.Console()
    _note_namesakes(ctx, console)
    view = _settled(ctx, console)
    try:
        plan = operations.plan(change, view, target, ctx.now(),
                               ctx.location, force=force,
                               cloud=ctx.settings.cloud)
        seconds = _observation(ctx, console, plan, requested)
        outcome = operations.Outcome(plan, False, plan.after)
        if plan.changes:
            if not dry_run:
                console.confirm(change.value,
                                render.summary(ctx.location, plan, seconds),
                                expected or plan.before and plan.before.host,
                                assume_yes)
            try:
                observed, view = operations.observe(
                    ctx.store, plan, seconds, clock=ctx.clock,
                    on_tick=lambda left: console.countdown(plan.holder,
                                                           left))
            finally:
                console.end_countdown()
            outcome = dataclasses.replace(outcome, observed=observed)
            if dry_run:
                # The real run's exit code: it checks these first.
                operations.require_privileges(ctx.store, plan)
            else:
                outcome = operations.apply(ctx.store, plan, view,
                                           observed=observed)
    except exceptions.OwnershipRefused as exc:
        _refusing(ctx, fmt, change, view, exc)
        raise
    state = _change_state(ctx, plan, outcome, dry_run)
    text = _with_failures(ctx, outcome, render.change_text(
        ctx.location, plan, outcome, dry_run))
    if change is Change.TAKEOVER and plan.changes and plan.before and \
            plan.after and plan.before.host != plan.after.host:
        state['next_steps'] = render.rename_steps(
            plan.before.host, plan.after.host, ctx.conf.config_file or ())
        text += '\n\n' + '\n'.join(state['next_steps'])
    render.emit(state, fmt, text)
    return 0


def takeover(ctx, fmt):
    args = ctx.conf.command
    host = _target_host(ctx)
    return _run_change(ctx, fmt, Change.TAKEOVER, host, args.observe, host,
                       force=args.force, dry_run=args.dry_run,
                       assume_yes=args.yes)


def release(ctx, fmt):
    args = ctx.conf.command
    return _run_change(ctx, fmt, Change.RELEASE, ctx.this_host, None, None,
                       force=args.force, assume_yes=args.yes)


def _host_argument(what):
    def arguments(parser):
        parser.add_argument('--host', dest='target_host', default=None,
                            metavar='HOST',
                            help='The nova-compute host (its [DEFAULT] '
                                 'host) %s (default: [DEFAULT] host of this '
                                 'configuration).' % what)
    return arguments


def _force_arguments(parser, force_also=''):
    parser.add_argument('--force', action='store_true',
                        help='Skip the observation of a live holder; '
                             'replace an unreadable record%s.' % force_also)
    parser.add_argument('--yes', '-y', action='store_true',
                        help='Do not ask for confirmation (needed without '
                             'a terminal).')


def _takeover_arguments(parser):
    _host_argument('that becomes the owner')(parser)
    _force_arguments(parser)
    parser.add_argument('--dry-run', dest='dry_run', action='store_true',
                        help='Print what would change; write nothing.')
    parser.add_argument('--observe', type=float, default=None, metavar='S',
                        help='Seconds to observe a holder before taking '
                             'over, when longer than its lease (always at '
                             'least [vmware_ownership] lease_duration, and '
                             "the holder's own when its record says it is "
                             'longer).')


def _release_arguments(parser):
    _force_arguments(parser, ' or clear the ownership of another host')


COMMANDS = (
    context.Command(
        'show', 'Print the cluster, its ownership record (parsed and raw) '
        'and the verdict for this host. Exits 0 whenever it could read.',
        show),
    context.Command(
        'check', 'Read-only. Exit 0 when this host may run against the '
        'cluster (unowned or owned by this host), 3 when another host owns '
        'it, 4 when the record is unreadable.', check),
    context.Command(
        'claim', 'Claim an unowned cluster for this host (or --host), e.g. '
        'before its first start. The record is left released, so that '
        "host's nova-compute starts at once. Exits 0 when claimed or "
        'already owned by that host, 3 when another host owns it, 4 when '
        'the record is unreadable.', claim,
        _host_argument('to claim the cluster for'), check=_check_host),
    context.Command(
        'takeover', 'Move the ownership to this host (or --host). Without '
        '--force it first observes a held record for lease_duration '
        "seconds (the holder's own when longer, or --observe when longer "
        'still) and refuses (exit 4) if its holder renews. Asks for '
        'confirmation unless --yes.', takeover, _takeover_arguments,
        check=_check_takeover),
    context.Command(
        'release', 'Clear the ownership (decommissioning): the cluster '
        'becomes unowned. Only on the owning host unless --force; a live '
        'holder needs --force. Asks for confirmation unless --yes.',
        release, _release_arguments),
)

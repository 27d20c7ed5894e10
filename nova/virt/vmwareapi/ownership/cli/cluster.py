"""The handlers of ``nova-vmware-owner``'s cluster commands.

Each handler takes the command's context (``cli.Context``: options, store,
location) and the output format, prints the result on stdout and returns
the exit code; refusals and failures are raised as our exceptions and
mapped to exit codes by ``cli.main``.
"""

from nova.virt.vmwareapi.ownership import console as console_mod
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import fleet_cli
from nova.virt.vmwareapi.ownership import operations
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import rehome_cli
from nova.virt.vmwareapi.ownership import rehome_exceptions
from nova.virt.vmwareapi.ownership import report
from nova.virt.vmwareapi.ownership import view as view_mod

Change = operations.Change

CLAIM_ATTEMPTS = 3
"""Decisions a claim makes when it loses a race: the next reading shows
who won, and the claim is then done or refused."""

_MAY_RUN = (report.UNOWNED, report.OWNED_BY_THIS_HOST)


def emit(state, fmt, text):
    print(report.to_json(state) if fmt == 'json' else text)


def cmd_show(ctx, fmt):
    state = ctx.state(ctx.view())
    emit(state, fmt, report.show_text(state))
    return 0


def cmd_check(ctx, fmt):
    view = ctx.view()
    state = ctx.state(view)
    state['may_run'] = state['verdict'] in _MAY_RUN
    emit(state, fmt, '%s: %s' % (exceptions.printable(state['cluster']),
                                 report.verdict_text(state)))
    if state['may_run']:
        return 0
    # What nova-compute of this host would log when refusing to start.
    if view.error is not None:
        raise view.error
    raise exceptions.ClusterOwnedByAnotherHost(
        ctx.location, view.record.host, ctx.this_host, view.record.since)


def _target_host(ctx):
    host = getattr(ctx.conf.command, 'target_host', None) or ctx.this_host
    if not record_mod.is_host_name(host):
        raise exceptions.ConfigurationError(
            ['--host'], '%r is not a host name' % (host,))
    return host


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
                 forced=plan.forced, next_steps=[])
    return state


def _refusing(ctx, fmt, change, view, error):
    """In JSON, a refusal still prints the state (then exits non-zero)."""
    if fmt == 'json' and view is not None:
        state = ctx.state(view)
        state.update(action=change.value, changed=False, error=str(error))
        emit(state, fmt, '')


def cmd_claim(ctx, fmt):
    host = _target_host(ctx)
    console = console_mod.Console()
    for attempt in range(1, CLAIM_ATTEMPTS + 1):
        view = _settled(ctx, console)
        try:
            plan = operations.plan(Change.CLAIM, view, host, ctx.now(),
                                   ctx.location)
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
    emit(_change_state(ctx, plan, outcome), fmt, text)
    return 0


def rename_steps(old, new, config_files=()):
    """What the operator does in nova before starting ``new``.

    nova keys the compute service, its compute node and the instances by
    ``[DEFAULT] host``: ``rehome`` moves them from ``old`` to ``new``.
    """
    return [
        'Ownership moved from host %s to host %s. Before starting '
        'nova-compute as %s:' % (old, new, new),
        '- Keep nova-compute of %s stopped and mark it down: "openstack '
        'compute service set --down %s nova-compute".' % (old, old),
        '- Move the cluster\'s nova records (compute node, instances, '
        'service, host mapping, aggregates) to %s, where nova-manage runs '
        '(add its configuration file, with [database] and [api_database], '
        'if these files lack them; --dry-run shows every change first):'
        % new,
        '  ' + rehome_exceptions.rehome_command(old, new, config_files),
        '- Then start nova-compute as %s (no compute_id copied from %s: '
        'it is restored from the record).' % (new, old),
        'For an active/passive pair no rename is needed: keep [DEFAULT] '
        'host = %s on the new machine and run "nova-vmware-owner takeover '
        '--host %s" instead.' % (old, old),
    ]


def _summary(ctx, plan, seconds):
    if plan.change is Change.RELEASE:
        what = 'clear the ownership of %s (owner %s)' % (
            ctx.location, plan.before.host if plan.before
            else 'unreadable value')
    else:
        what = 'move the ownership of %s from %s to host %s' % (
            ctx.location, plan.before.host if plan.before else 'nobody',
            plan.after.host)
    holder = exceptions.printable(plan.holder)
    if plan.observe:
        what += ', after observing holder %s for %d s' % (holder, seconds)
    elif plan.holder and plan.forced:
        what += (' (forced: live holder %s stops at its next renewal)'
                 % holder)
    return 'About to %s.' % what


def _change_text(ctx, plan, outcome, dry_run):
    cluster = ctx.location
    if not plan.changes:
        if plan.after is None:
            return 'Nothing to do: %s is unowned.' % cluster
        return ('Nothing to do: %s is already owned by host %s with no live '
                'holder.' % (cluster, plan.after.host))
    before = plan.before.host if plan.before else (
        'an unreadable value' if plan.view.error else 'nobody')
    if dry_run:
        after_raw = record_mod.format_record(plan.after) if plan.after \
            else ''
        return ('Dry run, nothing written. %s would change the attribute %r '
                'of %s (owner %s -> %s):\n  before: %s\n  after:  %s'
                % (plan.change.value, ctx.location.attribute, cluster,
                   before, plan.after.host if plan.after else
                   'none: unowned',
                   exceptions.shorten(plan.view.reading.attribute_raw),
                   exceptions.shorten(after_raw)))
    observed = (' after observing it for %d s' % outcome.observed
                if outcome.observed else '')
    if plan.change is Change.RELEASE:
        return ('Released %s%s: it is unowned now (was owned by %s).'
                % (cluster, observed, before))
    return ('Took over %s for host %s%s (was owned by %s). The record is '
            'released, so the nova-compute of %s starts at once.'
            % (cluster, plan.after.host, observed, before, plan.after.host))


def _run_change(ctx, fmt, change, target, seconds, expected, force=False,
                dry_run=False, assume_yes=False):
    """Plan, confirm, observe, apply and print one takeover or release."""
    console = console_mod.Console()
    view = _settled(ctx, console)
    try:
        plan = operations.plan(change, view, target, ctx.now(),
                               ctx.location, force=force)
        outcome = operations.Outcome(plan, False, plan.after)
        if plan.changes:
            if not dry_run:
                console.confirm(change.value, _summary(ctx, plan, seconds),
                                expected or plan.before and plan.before.host,
                                assume_yes)
            try:
                observed, view = operations.observe(
                    ctx.store, plan, seconds, clock=ctx.clock,
                    on_tick=lambda left: console.countdown(plan.holder,
                                                           left))
            finally:
                console.end_countdown()
            outcome.observed = observed
            if not dry_run:
                outcome = operations.apply(ctx.store, plan, view,
                                           observed=observed)
    except exceptions.OwnershipRefused as exc:
        _refusing(ctx, fmt, change, view, exc)
        raise
    state = _change_state(ctx, plan, outcome, dry_run)
    text = _change_text(ctx, plan, outcome, dry_run)
    if change is Change.TAKEOVER and plan.changes and plan.before and \
            plan.after and plan.before.host != plan.after.host:
        state['next_steps'] = rename_steps(plan.before.host,
                                           plan.after.host,
                                           ctx.conf.config_file or ())
        text += '\n\n' + '\n'.join(state['next_steps'])
    emit(state, fmt, text)
    return 0


def cmd_takeover(ctx, fmt):
    args = ctx.conf.command
    host = _target_host(ctx)
    seconds = args.observe
    if seconds is None:
        seconds = ctx.settings.lease_duration
    elif seconds <= 0:
        raise exceptions.ConfigurationError(
            ['--observe'], 'must be a positive number of seconds (use '
            '--force to skip the observation)')
    return _run_change(ctx, fmt, Change.TAKEOVER, host, seconds, host,
                       force=args.force, dry_run=args.dry_run,
                       assume_yes=args.yes)


def cmd_release(ctx, fmt):
    args = ctx.conf.command
    return _run_change(ctx, fmt, Change.RELEASE, ctx.this_host,
                       ctx.settings.lease_duration, None, force=args.force,
                       assume_yes=args.yes)


def cmd_rehome(ctx, fmt):
    state, text = rehome_cli.run(ctx)
    emit(state, fmt, text)
    return 0


def cmd_list(ctx, fmt):
    output, disagrees = fleet_cli.run(ctx, fmt)
    print(output)
    if disagrees is not None:
        raise disagrees
    return 0


HANDLERS = {
    'show': cmd_show,
    'check': cmd_check,
    'claim': cmd_claim,
    'takeover': cmd_takeover,
    'release': cmd_release,
    rehome_cli.COMMAND: cmd_rehome,
    fleet_cli.COMMAND: cmd_list,
}

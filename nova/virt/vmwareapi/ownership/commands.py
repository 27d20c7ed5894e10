"""The handlers of ``nova-vmware-owner``'s commands.

Each handler takes the command's context (``cli.Context``: options, store,
guard, location) and the output format, prints the result on stdout and
returns the exit code; refusals and failures are raised as our exceptions
and mapped to exit codes by ``cli.main``.
"""

import sys

from nova.virt.vmwareapi.ownership import console as console_mod
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import guard as guard_mod
from nova.virt.vmwareapi.ownership import lock as lock_mod
from nova.virt.vmwareapi.ownership import operations
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import rehome_cli
from nova.virt.vmwareapi.ownership import report

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_OTHER_HOST = 3
EXIT_NEEDS_FORCE = 4
EXIT_CONFLICT = 5

_CHECK_EXIT = {
    report.UNOWNED: EXIT_OK,
    report.OWNED_BY_THIS_HOST: EXIT_OK,
    report.OWNED_BY_OTHER_HOST: EXIT_OTHER_HOST,
    report.UNREADABLE: EXIT_NEEDS_FORCE,
}


def emit(state, fmt, text):
    print(report.to_json(state) if fmt == 'json' else text)


def cmd_show(ctx, fmt):
    state = ctx.state()
    emit(state, fmt, report.show_text(state))
    return EXIT_OK


def cmd_check(ctx, fmt):
    assessment = ctx.guard.assess()
    state = ctx.describe(assessment)
    code = _CHECK_EXIT[state['verdict']]
    state['may_run'] = code == EXIT_OK
    emit(state, fmt, '%s: %s' % (state['cluster'],
                                 report.verdict_text(state)))
    if code != EXIT_OK:
        # What nova-compute of this host would log when refusing to start.
        sys.stderr.write('nova-vmware-owner: %s\n'
                         % ctx.guard.refusal(assessment))
    return code


def _target_host(ctx):
    host = getattr(ctx.conf.command, 'target_host', None) or ctx.this_host
    if not record_mod.is_host_name(host):
        raise exceptions.ConfigurationError(
            ['--host'], '%r is not a host name' % (host,))
    return host


def _record_lock(ctx, console):
    return lock_mod.RecordLock(ctx.store, on_wait=lambda: console.say(
        'Waiting for the ownership lock of %s: another claim or takeover '
        'is in progress.' % ctx.location))


def _dict(record):
    return record.to_dict() if record is not None else None


def outcome_state(ctx, action, before, after, before_raw, changed,
                  dry_run=False, observed=0.0, forced=False):
    """The JSON object of claim, takeover and release.

    ``show``'s object plus the change; ``after`` is the record that was,
    or would be, written.
    """
    state = ctx.state()
    state.update(action=action, changed=changed, dry_run=dry_run,
                 before=_dict(before), before_raw=before_raw,
                 after=_dict(after), observed_seconds=round(observed, 1),
                 forced=forced, next_steps=[])
    return state


def _refusing(ctx, fmt, action, error):
    """In JSON, a refusal still prints the state (then exits non-zero)."""
    if fmt == 'json' and isinstance(error, exceptions.OwnershipRefused):
        try:
            state = ctx.state()
        except exceptions.OwnershipError:
            return
        state.update(action=action, changed=False, error=str(error))
        emit(state, fmt, '')


def cmd_claim(ctx, fmt):
    host = _target_host(ctx)
    console = console_mod.Console()
    try:
        outcome = operations.claim(ctx.store, _record_lock(ctx, console),
                                   host, guard_mod.utcnow())
    except exceptions.OwnershipRefused as exc:
        _refusing(ctx, fmt, operations.CLAIM, exc)
        raise
    state = outcome_state(ctx, operations.CLAIM, outcome.before,
                          outcome.after, outcome.before_raw, outcome.changed)
    if outcome.changed:
        text = ('Claimed %s for host %s. The record is released, so the '
                'nova-compute of %s starts at once.'
                % (ctx.cluster_name, host, host))
    else:
        text = '%s is already owned by host %s; nothing changed.' % (
            ctx.cluster_name, host)
    emit(state, fmt, text)
    return EXIT_OK


def rename_steps(old, new, config_files=()):
    """What the operator must do in nova before starting ``new``.

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
        '  ' + exceptions.rehome_command(old, new, config_files),
        '- Then start nova-compute as %s (no compute_id copied from %s: '
        'it is restored from the record).' % (new, old),
    ]


def _change_text(ctx, plan, outcome, dry_run):
    cluster = ctx.cluster_name
    if not plan.changes:
        if plan.after is None:
            return 'Nothing to do: %s is unowned.' % cluster
        return ('Nothing to do: %s is already owned by host %s with no live '
                'holder.' % (cluster, plan.after.host))
    before = plan.before_host or (
        'nobody' if not (plan.reading.raw or '').strip()
        else 'an unreadable value')
    if dry_run:
        return ('Dry run, nothing written. %s would change the attribute %r '
                'of %s (owner %s -> %s):\n  before: %s\n  after:  %s'
                % (plan.action, ctx.location.attribute, cluster, before,
                   plan.after_host or 'none: unowned',
                   exceptions.shorten(plan.reading.raw),
                   exceptions.shorten(plan.after_raw)))
    observed = (' after observing it for %d s' % outcome.observed
                if outcome.observed else '')
    if plan.action == operations.RELEASE:
        return ('Released %s%s: it is unowned now (was owned by %s).'
                % (cluster, observed, before))
    return ('Took over %s for host %s%s (was owned by %s). The record is '
            'released, so the nova-compute of %s starts at once.'
            % (cluster, plan.after_host, observed, before, plan.after_host))


def _summary(ctx, plan, seconds):
    if plan.action == operations.RELEASE:
        what = 'clear the ownership of %s (owner %s)' % (
            ctx.location, plan.before_host or 'unreadable value')
    else:
        what = 'move the ownership of %s from %s to host %s' % (
            ctx.location, plan.before_host or 'nobody', plan.after_host)
    if plan.observe:
        what += (', after observing holder %s for %d s'
                 % (plan.before.holder, seconds))
    if plan.before is not None and plan.before.is_held and plan.forced:
        what += (' (forced: live holder %s stops at its next renewal)'
                 % plan.before.holder)
    return 'About to %s.' % what


def _run_change(ctx, fmt, plan, seconds, expected, dry_run=False,
                assume_yes=False):
    """Confirm, observe, apply and print one takeover or release plan."""
    console = console_mod.Console()
    outcome = operations.Outcome(False, plan.before, plan.after, plan.action,
                                 plan.reading.raw)
    if plan.changes:
        if not dry_run:
            console.confirm(plan.action, _summary(ctx, plan, seconds),
                            expected, assume_yes)
        try:
            outcome.observed = operations.observe(
                ctx.store, plan, seconds, on_tick=lambda left:
                console.countdown(plan.before.holder, left))
        finally:
            console.end_countdown()
        if not dry_run:
            outcome = operations.apply(ctx.store,
                                       _record_lock(ctx, console), plan,
                                       observed=outcome.observed)
    state = outcome_state(ctx, plan.action, outcome.before, outcome.after,
                          plan.reading.raw, outcome.changed, dry_run,
                          outcome.observed, plan.forced)
    text = _change_text(ctx, plan, outcome, dry_run)
    if plan.action == operations.TAKEOVER and plan.changes and \
            plan.renames:
        state['next_steps'] = rename_steps(plan.before_host, plan.after_host,
                                           ctx.conf.config_file or ())
        text += '\n\n' + '\n'.join(state['next_steps'])
    emit(state, fmt, text)
    return EXIT_OK


def cmd_takeover(ctx, fmt):
    args = ctx.conf.command
    host = _target_host(ctx)
    seconds = args.observe
    if seconds is None:
        seconds = ctx.conf.vmware_ownership.lease_duration
    elif seconds <= 0:
        raise exceptions.ConfigurationError(
            ['--observe'], 'must be a positive number of seconds (use '
            '--force to skip the observation)')
    try:
        plan = operations.plan_takeover(ctx.store.read(), host,
                                        guard_mod.utcnow(), ctx.location,
                                        force=args.force)
        return _run_change(ctx, fmt, plan, seconds, host, args.dry_run,
                           args.yes)
    except exceptions.OwnershipRefused as exc:
        _refusing(ctx, fmt, operations.TAKEOVER, exc)
        raise


def cmd_release(ctx, fmt):
    args = ctx.conf.command
    try:
        plan = operations.plan_release(ctx.store.read(), ctx.this_host,
                                       ctx.location, force=args.force)
        return _run_change(ctx, fmt, plan,
                           ctx.conf.vmware_ownership.lease_duration,
                           plan.before_host, assume_yes=args.yes)
    except exceptions.OwnershipRefused as exc:
        _refusing(ctx, fmt, operations.RELEASE, exc)
        raise


def cmd_rehome(ctx, fmt):
    state, text = rehome_cli.run(ctx)
    emit(state, fmt, text)
    return EXIT_OK


HANDLERS = {
    'show': cmd_show,
    'check': cmd_check,
    'claim': cmd_claim,
    'takeover': cmd_takeover,
    'release': cmd_release,
    'rehome': cmd_rehome,
}

"""What the operator command prints: ``show``'s text, JSON, change texts.

Pure functions from the JSON object of a cluster (``state.state_dict``)
and from a change (``operations.Plan``, ``operations.Outcome``) to the
text the command prints. Every value that comes from vCenter is escaped in
text (``text.printable``); JSON escapes everything that is not ASCII.
"""

import json

from nova.virt.vmwareapi.ownership import decision
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import state as state_mod
from nova.virt.vmwareapi.ownership import text as text_mod

Change = decision.Change

RAW_SHOWN = 1000
"""Characters of the raw value that ``show`` prints as text."""


def emit(state, fmt, text):
    """Print ``state`` as JSON, or ``text``, as ``fmt`` says."""
    print(to_json(state) if fmt == 'json' else text)


_VERDICT_TEXT = {
    state_mod.UNOWNED: 'unowned: host %(this_host)s may claim it',
    state_mod.OWNED_BY_THIS_HOST:
        'owned by this host (%(this_host)s): it may run',
    state_mod.OWNED_BY_OTHER_HOST:
        'owned by host %(owner_host)s: host %(this_host)s must not run '
        'against it',
    state_mod.UNREADABLE:
        'unreadable record (%(unreadable_reason)s): nothing may run until '
        'it is fixed',
}

_COPY_TEXT = {
    'stale': 'stale: written under a revoked lease; the lease holds the '
             'record that counts',
    'cleared': 'cleared (or its definition removed); the lease holds the '
               'record that counts',
    'edited': 'typed by hand while the lease exists',
}


def _owner(record):
    """The owner of a record: ``host``, or ``host (cloud x)``."""
    return text_mod.owner_text(record.host, record.cloud)


def verdict_text(state):
    """The verdict of ``state`` in words."""
    values = {key: text_mod.printable(value) for key, value in state.items()
              if key in ('this_host', 'owner_host', 'unreadable_reason')}
    if state['verdict'] == state_mod.OWNED_BY_OTHER_HOST and \
            state.get('owner_cloud') != state.get('this_cloud'):
        values['owner_host'] = '%s of %s (another cloud)' % (
            values['owner_host'], text_mod.cloud_text(state['owner_cloud']))
    return _VERDICT_TEXT[state['verdict']] % values


def show_text(state):
    """The text of ``show``."""
    record = state['record'] or {}
    p = text_mod.printable
    lines = [
        ('Cluster', '%s (%s)' % (p(state['cluster']),
                                 p(state['cluster_moref']))),
        ('vCenter', '%s (instance %s)' % (p(state['vcenter']),
                                          p(state['vcenter_uuid']))),
        ('Attribute', p(state['attribute'])),
        ('Owner host', p(state['owner_host'] or '-')),
    ]
    if state.get('owner_cloud') or state.get('this_cloud'):
        lines.append(('Owner cloud', p(state['owner_cloud'] or
                                       '- (the default cloud)')))
    if record:
        holder = state['holder']
        lines += [
            ('State', '%s%s' % (p(record.get('state')),
                                ', holder %s (%s)' % (
                                    p(holder), state['holder_liveness'])
                                if holder else '')),
            ('Node', p(record.get('node') or '-')),
            ('Since', p(record.get('since') or '-')),
            ('Renewed', '%s (seq %s)' % (p(record.get('renewed') or '-'),
                                         record.get('seq'))),
            ('Transitions', '%s%s' % (record.get('transitions', 0),
                                      ' (previous %s)' % p(record['previous'])
                                      if record.get('previous') else '')),
        ]
    lease = state['lease']
    if lease['token'] is not None:
        lines.append(('Lease', '%s, key %s%s' % (
            p(lease['attribute']), lease['token'],
            ': a change is in progress' if state['change_in_progress']
            else '')))
    lines += [
        ('Raw value', '-' if state['raw'] is None
         else text_mod.shorten(state['raw'], RAW_SHOWN)),
    ]
    if state['attribute_copy'] in _COPY_TEXT:
        lines.append(('Raw value is', _COPY_TEXT[state['attribute_copy']]))
    if state.get('namesakes'):
        lines.append(('Same name', '%d other cluster(s): %s' % (
            len(state['namesakes']), _clusters(state['namesakes']))))
    lines += [
        ('This host', p(state['this_host']) + (
            ' (cloud %s)' % p(state['this_cloud'])
            if state.get('this_cloud') else '')),
        ('Verdict', verdict_text(state)),
    ]
    width = max(len(label) for label, _ in lines) + 1
    return '\n'.join('%-*s %s' % (width, label + ':', value)
                     for label, value in lines)


def _clusters(found):
    return ', '.join('%s (datacenter %s)' % (
        text_mod.printable(each['cluster_moref']),
        text_mod.printable(each['datacenter'] or '?')) for each in found)


def namesakes_note(location, namesakes):
    """Why this cluster, when several clusters have its name.

    :param namesakes: ``Context.namesake_list()``, the one acted on first
    """
    return ('Note: %d clusters are named %r: %s. This command acts on %s, '
            "the first in the order nova's VMware driver finds clusters, so "
            'the one a nova-compute with this cluster_name manages; '
            '--cluster-moref names another.' % (
                len(namesakes), text_mod.printable(location.cluster),
                _clusters(namesakes),
                text_mod.printable(namesakes[0]['cluster_moref'])))


def to_json(state):
    """One JSON document; everything that is not ASCII is escaped."""
    return json.dumps(state, indent=2, sort_keys=True, ensure_ascii=True)


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
        '  ' + text_mod.rehome_command(old, new, config_files),
        '- Then start nova-compute as %s (no compute_id copied from %s: '
        'it is restored from the record).' % (new, old),
        'For an active/passive pair no rename is needed: keep [DEFAULT] '
        'host = %s on the new machine and run "nova-vmware-owner takeover '
        '--host %s" instead.' % (old, old),
    ]


def failed_after(location, outcome):
    """What failed after a change landed, and what repairs it.

    :param outcome: an ``operations.Outcome``
    :returns: ``[{'what': ..., 'error': ..., 'text': ...}]``, empty when
              nothing failed
    """
    found = []
    if outcome.copy_error is not None:
        found.append({
            'what': 'attribute_copy', 'error': str(outcome.copy_error),
            'text': 'The change landed in the lease of %s, but copying it '
                    'into the attribute %r failed (%s): readers trust the '
                    "lease, and the next holder's renewal writes the copy "
                    'again; until then the vSphere Client shows the old '
                    'value.' % (location, location.attribute,
                                outcome.copy_error)})
    if outcome.event_error is not None:
        found.append({
            'what': 'audit_event', 'error': str(outcome.event_error),
            'text': 'The audit event could not be posted on vCenter (%s): '
                    'the audit line on stderr is the record of this change.'
                    % outcome.event_error})
    return found


def summary(location, plan, seconds):
    """What a change is about to do, for its confirmation.

    :param location: the cluster, a ``location.Location``
    :param plan: the ``operations.Plan``
    :param seconds: how long its holder will be observed
    """
    if plan.change is Change.RELEASE:
        what = 'clear the ownership of %s (owner %s)' % (
            location, _owner(plan.before) if plan.before
            else 'unreadable value')
    else:
        what = 'move the ownership of %s from %s to host %s' % (
            location, _owner(plan.before) if plan.before else 'nobody',
            _owner(plan.after))
    holder = text_mod.printable(plan.holder)
    if plan.observe:
        what += ', after observing holder %s for %d s' % (holder, seconds)
    elif plan.holder and plan.forced:
        what += (' (forced: live holder %s stops at its next renewal)'
                 % holder)
    return 'About to %s.' % what


def change_text(location, plan, outcome, dry_run):
    """What a change did (or, with ``dry_run``, would do), in words.

    :param location: the cluster, a ``location.Location``
    :param plan: the ``operations.Plan``
    :param outcome: its ``operations.Outcome``
    """
    cluster = location
    if not plan.changes:
        if plan.after is None:
            return 'Nothing to do: %s is unowned.' % cluster
        return ('Nothing to do: %s is already owned by host %s with no live '
                'holder.' % (cluster, _owner(plan.after)))
    before = _owner(plan.before) if plan.before else (
        'an unreadable value' if plan.view.error else 'nobody')
    if dry_run:
        after_raw = record_mod.format_record(plan.after) if plan.after \
            else ''
        return ('Dry run, nothing written. %s would change the attribute %r '
                'of %s (owner %s -> %s):\n  before: %s\n  after:  %s'
                % (plan.change.value, location.attribute, cluster,
                   before, _owner(plan.after) if plan.after else
                   'none: unowned',
                   text_mod.shorten(plan.view.reading.attribute_raw),
                   text_mod.shorten(after_raw)))
    observed = (' after observing it for %d s' % outcome.observed
                if outcome.observed else '')
    if plan.change is Change.RELEASE:
        return ('Released %s%s: it is unowned now (was owned by %s).'
                % (cluster, observed, before))
    return ('Took over %s for host %s%s (was owned by %s). The record is '
            'released, so the nova-compute of %s starts at once.'
            % (cluster, _owner(plan.after), observed, before,
               plan.after.host))

"""What the operator command prints about a cluster: verdicts and views.

Pure functions from what was read (a ``view.View`` and the holder's
liveness) to the JSON object and the text of ``show``, ``check`` and the
changes. Every value that comes from vCenter is escaped in text (JSON
escapes everything that is not ASCII).
"""

import json

from nova.virt.vmwareapi.ownership import decision as decision_mod
from nova.virt.vmwareapi.ownership import exceptions

UNOWNED = 'unowned'
OWNED_BY_THIS_HOST = 'owned-by-this-host'
OWNED_BY_OTHER_HOST = 'owned-by-other-host'
UNREADABLE = 'unreadable'

RAW_SHOWN = 1000
"""Characters of the raw value that ``show`` prints as text."""


def verdict(view, this_host):
    """The verdict for ``this_host`` (one of the four constants)."""
    if view.error is not None:
        return UNREADABLE
    if view.record is None:
        return UNOWNED
    if view.record.host == this_host:
        return OWNED_BY_THIS_HOST
    return OWNED_BY_OTHER_HOST


def state_dict(view, liveness, this_host, location, vcenter_uuid,
               lease_attribute):
    """The JSON object of ``show`` and ``check`` (DESIGN section 7).

    :param view: the ``view.View`` read
    :param liveness: the ``decision.Liveness`` of its holder
    :param lease_attribute: the name of the cluster's lease definition
    """
    record = view.record
    holder_record = view.holder_record
    reading = view.reading
    held = holder_record is not None and holder_record.is_held and \
        view.error is None
    return {
        'cluster': location.cluster,
        'cluster_moref': location.cluster_moref,
        'vcenter': str(location.vcenter),
        'vcenter_uuid': vcenter_uuid,
        'attribute': location.attribute,
        'this_host': this_host,
        'owner_host': record.host if record else None,
        'verdict': verdict(view, this_host),
        'record': record.to_dict() if record else None,
        'raw': reading.attribute_raw,
        'holder': holder_record.holder if held else None,
        'holder_liveness': None if liveness is decision_mod.Liveness.NONE
        else liveness.value,
        'unreadable_reason': view.error.reason if view.error else None,
        'locked': view.pending,
        'lease': {'attribute': lease_attribute, 'token': view.token,
                  'raw': reading.lease_raw},
        'attribute_copy': view.mirror.value,
    }


_VERDICT_TEXT = {
    UNOWNED: 'unowned: host %(this_host)s may claim it',
    OWNED_BY_THIS_HOST: 'owned by this host (%(this_host)s): it may run',
    OWNED_BY_OTHER_HOST: 'owned by host %(owner_host)s: host %(this_host)s '
                         'must not run against it',
    UNREADABLE: 'unreadable record (%(unreadable_reason)s): nothing may run '
                'until it is fixed',
}

_COPY_TEXT = {
    'stale': 'stale: written under a revoked lease; the lease holds the '
             'record that counts',
    'cleared': 'cleared (or its definition removed); the lease holds the '
               'record that counts',
    'edited': 'typed by hand while the lease exists',
}


def verdict_text(state):
    return _VERDICT_TEXT[state['verdict']] % {
        key: exceptions.printable(value) for key, value in state.items()
        if key in ('this_host', 'owner_host', 'unreadable_reason')}


def show_text(state):
    """The text of ``show``."""
    record = state['record'] or {}
    p = exceptions.printable
    lines = [
        ('Cluster', '%s (%s)' % (p(state['cluster']),
                                 p(state['cluster_moref']))),
        ('vCenter', '%s (instance %s)' % (p(state['vcenter']),
                                          p(state['vcenter_uuid']))),
        ('Attribute', p(state['attribute'])),
        ('Owner host', p(state['owner_host'] or '-')),
    ]
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
            ': a change is in progress' if state['locked'] else '')))
    lines += [
        ('Raw value', '-' if state['raw'] is None
         else exceptions.shorten(state['raw'], RAW_SHOWN)),
    ]
    if state['attribute_copy'] in _COPY_TEXT:
        lines.append(('Raw value is', _COPY_TEXT[state['attribute_copy']]))
    lines += [
        ('This host', p(state['this_host'])),
        ('Verdict', verdict_text(state)),
    ]
    width = max(len(label) for label, _ in lines) + 1
    return '\n'.join('%-*s %s' % (width, label + ':', value)
                     for label, value in lines)


def to_json(state):
    """One JSON document; everything that is not ASCII is escaped."""
    return json.dumps(state, indent=2, sort_keys=True, ensure_ascii=True)

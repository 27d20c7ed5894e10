"""What the operator command prints about a cluster: verdicts and views.

Pure functions from an ``Assessment`` to the JSON object and the text of
``show`` and ``check``.
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


def verdict(assessment, this_host):
    """The verdict for ``this_host`` (one of the four constants)."""
    if assessment.error is not None:
        return UNREADABLE
    if assessment.record is None:
        return UNOWNED
    if assessment.record.host == this_host:
        return OWNED_BY_THIS_HOST
    return OWNED_BY_OTHER_HOST


def state_dict(assessment, this_host, location, vcenter_uuid):
    """The JSON object of ``show`` and ``check``."""
    record = assessment.record
    live = assessment.liveness
    return {
        'cluster': location.cluster,
        'cluster_moref': location.cluster_moref,
        'vcenter': location.vcenter,
        'vcenter_uuid': vcenter_uuid,
        'attribute': location.attribute,
        'this_host': this_host,
        'owner_host': record.host if record else None,
        'verdict': verdict(assessment, this_host),
        'record': record.to_dict() if record else None,
        'raw': assessment.reading.raw,
        'holder': record.holder if record and record.is_held else None,
        'holder_liveness': None if live is decision_mod.Liveness.NONE
        else live.value,
        'unreadable_reason': assessment.error.reason
        if assessment.error else None,
        'locked': assessment.reading.lock_key is not None,
    }


_VERDICT_TEXT = {
    UNOWNED: 'unowned: host %(this_host)s may claim it',
    OWNED_BY_THIS_HOST: 'owned by this host (%(this_host)s): it may run',
    OWNED_BY_OTHER_HOST: 'owned by host %(owner_host)s: host %(this_host)s '
                         'must not run against it',
    UNREADABLE: 'unreadable record (%(unreadable_reason)s): nothing may run '
                'until it is fixed',
}


def verdict_text(state):
    return _VERDICT_TEXT[state['verdict']] % state


def show_text(state):
    """The text of ``show``."""
    record = state['record'] or {}
    lines = [
        ('Cluster', '%s (%s)' % (state['cluster'], state['cluster_moref'])),
        ('vCenter', '%s (instance %s)' % (state['vcenter'],
                                          state['vcenter_uuid'])),
        ('Attribute', state['attribute']),
        ('Owner host', state['owner_host'] or '-'),
    ]
    if record:
        holder = record.get('holder')
        lines += [
            ('State', '%s%s' % (record.get('state'),
                                ', holder %s (%s)' % (
                                    holder, state['holder_liveness'])
                                if holder else '')),
            ('Node', record.get('node') or '-'),
            ('Since', record.get('since') or '-'),
            ('Renewed', '%s (seq %s)' % (record.get('renewed') or '-',
                                         record.get('seq'))),
            ('Transitions', '%s%s' % (record.get('transitions', 0),
                                      ' (previous %s)' % record['previous']
                                      if record.get('previous') else '')),
        ]
    if state['locked']:
        lines.append(('Lock', 'held: a claim or takeover is in progress'))
    lines += [
        ('Raw value', '-' if state['raw'] is None
         else exceptions.shorten(state['raw'], RAW_SHOWN)),
        ('This host', state['this_host']),
        ('Verdict', verdict_text(state)),
    ]
    width = max(len(label) for label, _ in lines) + 1
    return '\n'.join('%-*s %s' % (width, label + ':', value)
                     for label, value in lines)


def to_json(state):
    return json.dumps(state, indent=2, sort_keys=True, ensure_ascii=False)

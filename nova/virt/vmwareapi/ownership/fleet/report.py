"""The text of ``list``: a table of the clusters, then what needs doing.

Pure functions of the JSON objects of ``join.Fleet.states`` (sorted by
cluster name there). Every value that comes from vCenter or nova is
escaped (``text.printable``) before it is printed.
"""

from nova.virt.vmwareapi.ownership.fleet import join
from nova.virt.vmwareapi.ownership import text as text_mod

_COLUMNS = (
    ('CLUSTER', lambda s: s['cluster']),
    ('DATACENTER', lambda s: s.get('datacenter')),
    ('MOREF', lambda s: s['cluster_moref']),
    ('OWNER', lambda s: s['owner_host']),
    ('STATE', lambda s: s['state']),
    ('HOLDER', lambda s: s['holder']),
    ('SINCE', lambda s: (s['record'] or {}).get('since')),
    ('SEQ', lambda s: (s['record'] or {}).get('seq')),
    ('NODE', lambda s: (s['record'] or {}).get('node')),
    ('VERDICT', lambda s: s['verdict']),
    ('LEASE', lambda s: s['lease']['token']),
    ('CHANGE', lambda s: 'in-progress' if s['change_in_progress'] else None),
)
_NOVA_COLUMNS = (
    ('NOVA', lambda s: ','.join(s['nova_hosts'])),
    ('DISAGREES', lambda s: ','.join(s['disagreements'])),
)


def _cell(value):
    return '-' if value in (None, '') else text_mod.printable(value)


def table(states, nova=False):
    """The clusters as an aligned table, one row each."""
    columns = _COLUMNS + (_NOVA_COLUMNS if nova else ())
    rows = [[name for name, _ in columns]]
    rows += [[_cell(value(state)) for _, value in columns]
             for state in states]
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    return '\n'.join('  '.join(cell.ljust(width) for cell, width in
                               zip(row, widths)).rstrip() for row in rows)


def _counts(states):
    counts = {}
    for state in states:
        counts[state['state']] = counts.get(state['state'], 0) + 1
    held = sum(1 for state in states if state['holder'])
    pending = sum(1 for state in states if state['change_in_progress'])
    parts = ['%d %s' % (counts[name], name) for name in join.STATES
             if name in counts]
    text = '%d cluster(s): %s' % (len(states), ', '.join(parts) or 'none')
    if held:
        text += '; %d with a holder' % held
    if pending:
        text += '; %d with a change in progress' % pending
    return text


def text(document):
    """The text of ``list``: table, changes in progress, disagreements."""
    states = document['clusters']
    nova = document['nova']
    scope = document.get('scope') or {}
    chosen = ' '.join('--%s %s' % (option, _cell(value))
                      for option, key in (('datacenter', 'datacenters'),
                                          ('folder', 'folders'),
                                          ('cluster', 'clusters'))
                      for value in scope.get(key, ()))
    lines = ['vCenter %s, attribute %s, verdicts for host %s%s%s, read at %s'
             % (_cell(document['vcenter_uuid']),
                _cell(document.get('attribute')),
                _cell(document['this_host']),
                ' of cloud %s' % _cell(document['cloud'])
                if document.get('cloud') else '',
                ', clusters matching %s' % chosen if chosen else '',
                document['read_at']),
             '', table(states, nova), '', _counts(states) + '.']
    pending = [s for s in states if s['change_in_progress']]
    if pending:
        lines += ['', 'Changes in progress (a lease definition without a '
                  'value; one still there after 30 s was abandoned, and the '
                  'next claim, takeover or nova-compute start clears it):']
        lines += ['  %s (%s): lease %s, key %s' % (
            _cell(s['cluster']), _cell(s['cluster_moref']),
            _cell(s['lease']['attribute']), s['lease']['token'])
            for s in pending]
    found = [s for s in states if s.get('disagreements')]
    if nova and not found:
        lines += ['', 'nova and the ownership records agree.']
    elif found:
        lines += ['', 'Where nova and the ownership records disagree:']
        for state in found:
            for code in state['disagreements']:
                lines.append('  %s (%s): %s: %s' % (
                    _cell(state['cluster']), _cell(state['cluster_moref']),
                    code, text_mod.printable(state['fixes'][code])))
    return '\n'.join(lines)

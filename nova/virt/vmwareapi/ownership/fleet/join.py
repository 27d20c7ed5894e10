"""Every cluster of a vCenter with its record: what ``list`` reads and says.

``read`` reads the whole vCenter in a constant number of round trips,
whatever its size: one container view of the clusters, and ONE property
collection that reads every cluster's ``name`` and ``customValue``
together with the custom field definitions (``CustomFieldsManager.field``),
then the view is destroyed: 3 round trips, plus one
``ContinueRetrievePropertiesEx`` per ``vcenter.PAGE_SIZE`` objects beyond
the first page. Each cluster's values become a ``view.View`` exactly as
the store's read of one cluster does (``store.reading_of``,
``view.interpret``).

``Fleet.states`` turns the reading into ``show``'s JSON object per cluster
(``report.state_dict``), joined with nova's records when given
(``disagreement``).
"""

import collections

from nova.virt.vmwareapi.ownership import disagreement
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import guard as guard_mod
from nova.virt.vmwareapi.ownership import report
from nova.virt.vmwareapi.ownership import store as store_mod
from nova.virt.vmwareapi.ownership import vcenter
from nova.virt.vmwareapi.ownership import view as view_mod

Cluster = collections.namedtuple('Cluster', 'location lease_name view')
"""One cluster as read: its ``exceptions.Location`` (name, moref,
attribute), the name of its lease definition and its ``view.View``."""

NovaRecords = collections.namedtuple('NovaRecords', 'nodes service_hosts')
"""What nova holds: every ``disagreement.NovaNode`` and the hosts of every
nova-compute service."""


def read(session, attribute_name, where):
    """Read every cluster of the vCenter and the field definitions.

    :param session: a connected ``vcenter.Session``
    :param attribute_name: the custom attribute holding the records
    :param where: the vCenter as messages name it
    :returns: the ``Cluster`` values, sorted by name (then moref)
    :raises: VCenterError
    """
    fields = vcenter.service_content(session).customFieldsManager
    with vcenter.container_view(session, vcenter.CLUSTER_TYPE) as view:
        found = vcenter.collect(
            session, [(fields, store_mod.CUSTOM_FIELDS_MANAGER, ['field'])],
            view_of=(view, vcenter.CLUSTER_TYPE, ['name', 'customValue']))
    fields_moref = vcenter.moref_value(fields)
    keys = {}
    clusters = []
    for ref, props in found:
        moref = vcenter.moref_value(ref)
        if moref == fields_moref:
            keys = store_mod.field_keys(props.get('field'))
        else:
            clusters.append((moref, props))
    out = []
    for moref, props in clusters:
        lease_name = view_mod.lease_name(attribute_name, moref)
        location = exceptions.Location(props.get('name'), where,
                                       cluster_moref=moref,
                                       attribute=attribute_name)
        reading = store_mod.reading_of(props.get('customValue'), keys,
                                       attribute_name, lease_name)
        out.append(Cluster(location, lease_name,
                           view_mod.interpret(reading, location)))
    return sorted(out, key=lambda c: (c.location.cluster or '',
                                      c.location.cluster_moref))


def state_of(view):
    """The state of a cluster's record in one word.

    :returns: ``held``, ``released``, ``unowned`` or ``unreadable``
    """
    if view.error is not None:
        return report.UNREADABLE
    if view.record is None:
        return report.UNOWNED
    return view.record.state


class Fleet:
    """One reading of a vCenter's clusters, for one host's point of view.

    :param clusters: the ``Cluster`` values read
    :param vcenter_uuid: the vCenter's instance UUID
    :param attribute: the custom attribute holding the records
    :param this_host: the host the verdicts are for
    :param watch: the ``liveness.HolderWatch`` that judges holders
    :param read_at: the wall clock time of the reading (aware)
    :param nova: ``NovaRecords``, or ``None`` without ``--nova``
    """

    def __init__(self, clusters, vcenter_uuid, attribute, this_host, watch,
                 read_at, nova=None):
        self.clusters = clusters
        self.vcenter_uuid = vcenter_uuid
        self.attribute = attribute
        self.this_host = this_host
        self.read_at = read_at
        self.nova = nova
        self._watch = watch

    def states(self):
        """``show``'s object of each cluster, with its ``state``.

        With nova's records also ``nova_hosts``, ``disagreements`` (the
        codes) and ``fixes`` (``{code: fix}``).
        """
        nodes = (disagreement.nodes_by_name(self.nova.nodes)
                 if self.nova is not None else None)
        out = []
        for cluster in self.clusters:
            view = cluster.view
            liveness = guard_mod.assess(view, self.this_host, self._watch,
                                        sync_node_identity=False).liveness
            state = report.state_dict(view, liveness, self.this_host,
                                      cluster.location, self.vcenter_uuid,
                                      cluster.lease_name)
            state['state'] = state_of(view)
            if nodes is not None:
                mine = nodes.get(disagreement.node_name(
                    cluster.location.cluster_moref, self.vcenter_uuid), [])
                found = disagreement.find(view, mine,
                                          self.nova.service_hosts)
                state['nova_hosts'] = sorted({n.host for n in mine})
                state['disagreements'] = [d.code for d in found]
                state['fixes'] = {d.code: d.fix for d in found}
            out.append(state)
        return out

    def document(self, states):
        """``list``'s JSON object: the vCenter and its clusters."""
        return {'vcenter_uuid': self.vcenter_uuid,
                'attribute': self.attribute,
                'this_host': self.this_host,
                'read_at': self.read_at.isoformat(),
                'nova': self.nova is not None,
                'clusters': states}


def disagreements(states):
    """The ``NovaDisagrees`` of the states, or ``None`` when they agree."""
    counts = collections.Counter(
        code for state in states for code in state.get('disagreements', ()))
    clusters = sum(1 for state in states if state.get('disagreements'))
    if not clusters:
        return None
    return disagreement.NovaDisagrees(counts, clusters, len(states))

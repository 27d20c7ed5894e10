"""Every cluster of a vCenter with its record, for one host: ``list``'s rows.

``Fleet.states`` turns one reading of the vCenter's clusters
(``view.Cluster`` values, read by ``vsphere.fleet.read`` in 3 round trips,
those ``list``'s filters chose: ``scope``) into ``show``'s JSON object per
cluster (``state.state_dict``), joined with nova's records when given
(``nova_records.NovaRecords``, read by ``novadb.fleet``; ``disagreement``
finds where they disagree).
"""

import collections
import dataclasses
import datetime
import typing

from nova.virt.vmwareapi.ownership import decision
from nova.virt.vmwareapi.ownership.fleet import disagreement
from nova.virt.vmwareapi.ownership.fleet import scope as scope_mod
from nova.virt.vmwareapi.ownership import nova_records
from nova.virt.vmwareapi.ownership import state as state_mod


OTHER_CLOUD = 'other-cloud'
"""The state of a cluster whose record is of another cloud."""

STATES = ('held', 'released', state_mod.UNOWNED, state_mod.UNREADABLE,
          OTHER_CLOUD)
"""Every state of ``state_of``."""


def state_of(view, cloud=None):
    """The state of a cluster's record in one word, for ``cloud``.

    :returns: ``held``, ``released``, ``unowned``, ``unreadable``, or
              ``other-cloud`` when the record is of another cloud than
              ``cloud`` (whatever its own state)
    """
    if view.error is not None:
        return state_mod.UNREADABLE
    if view.record is None:
        return state_mod.UNOWNED
    if view.record.cloud != (cloud or None):
        return OTHER_CLOUD
    return view.record.state


@dataclasses.dataclass(frozen=True)
class Fleet:
    """One reading of a vCenter's clusters, for one host's point of view.

    :ivar clusters: the ``view.Cluster`` values read
    :ivar vcenter_uuid: the vCenter's instance UUID
    :ivar attribute: the custom attribute holding the records
    :ivar this_host: the host the verdicts are for
    :ivar watch: the ``liveness.HolderWatch`` that judges holders
    :ivar read_at: the wall clock time of the reading (aware)
    :ivar nova: ``nova_records.NovaRecords``, or ``None`` without
                ``--nova``
    :ivar cloud: the cloud of this host and of nova
                 (``[vmware_ownership] cloud``)
    :ivar scope: the ``scope.Scope`` that chose the clusters
    :ivar total: the number of clusters of the vCenter (before the scope)
    """

    clusters: tuple
    vcenter_uuid: str
    attribute: str
    this_host: str
    watch: typing.Any
    read_at: datetime.datetime
    nova: nova_records.NovaRecords = None
    cloud: str = None
    scope: scope_mod.Scope = scope_mod.Scope()
    total: int = None

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
            # One reading of each cluster: a watch of its own.
            liveness = decision.assess(view, self.this_host,
                                       self.watch.fresh(),
                                       sync_node_identity=False).liveness
            state = state_mod.state_dict(view, liveness, self.this_host,
                                         cluster.location, self.vcenter_uuid,
                                         cluster.lease_name, self.cloud)
            state['state'] = state_of(view, self.cloud)
            state['datacenter'] = cluster.datacenter
            state['path'] = '/' + '/'.join(
                tuple(cluster.path) + (cluster.location.cluster or '',))
            if nodes is not None:
                mine = nodes.get(nova_records.node_name(
                    cluster.location.cluster_moref, self.vcenter_uuid), [])
                found = disagreement.find(view, mine,
                                          self.nova.service_hosts,
                                          self.cloud)
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
                'cloud': self.cloud,
                'scope': self.scope.to_dict(),
                'read_at': self.read_at.isoformat(),
                'nova': self.nova is not None,
                'clusters': states}


def no_match(fleet):
    """The ``NoClusterMatches`` of a fleet whose filters chose nothing.

    :returns: the error, or ``None`` when a cluster was chosen or no
              filter was given
    """
    if fleet.clusters or fleet.scope.everything:
        return None
    return scope_mod.NoClusterMatches(
        scope=fleet.scope,
        total=fleet.total if fleet.total is not None else 0)


def disagreements(states):
    """The ``NovaDisagrees`` of the states, or ``None`` when they agree."""
    counts = collections.Counter(
        code for state in states for code in state.get('disagreements', ()))
    clusters = sum(1 for state in states if state.get('disagreements'))
    if not clusters:
        return None
    return disagreement.NovaDisagrees(counts=dict(counts), clusters=clusters,
                                      total=len(states))

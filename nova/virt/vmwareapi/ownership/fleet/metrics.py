"""``list --format prometheus``: the metrics in Prometheus' text format.

Made with ``prometheus_client`` (which escapes label values and writes the
exposition format), for node_exporter's textfile collector or a cron job.
Imported only for that format: the library takes a quarter of a second to
import. The series, all labelled with ``vcenter_uuid``:

``nova_vmware_owner_cluster_info{cluster, cluster_moref, datacenter,
owner_host, owner_cloud, state}``
    1 per cluster; ``owner_host`` is empty when unowned or unreadable,
    ``owner_cloud`` for the default cloud, ``state`` one of ``held``,
    ``released``, ``unowned``, ``unreadable``, ``other-cloud``.
``nova_vmware_owner_cluster_change_in_progress{cluster, cluster_moref}``
    1 while a change of the cluster's record is in progress (a lease
    definition without a value), else 0.
``nova_vmware_owner_disagreements{code}`` (with ``--nova``)
    The number of clusters with that disagreement, for every code.
``nova_vmware_owner_cluster_disagreement{cluster, cluster_moref, code}``
    (with ``--nova``) 1 for each disagreement of a cluster.
``nova_vmware_owner_reading_timestamp_seconds``
    When vCenter was read (Unix time).

Every label has a bounded set of values (clusters, hosts, codes); holders
(a process identity) and counters of the record are left out.
"""

import datetime

from prometheus_client import core
from prometheus_client import exposition
from prometheus_client import registry as registry_mod

from nova.virt.vmwareapi.ownership.fleet import disagreement

PREFIX = 'nova_vmware_owner_'

_CLUSTER = ['vcenter_uuid', 'cluster', 'cluster_moref']


class _FleetCollector(registry_mod.Collector):
    """The metric families of one ``list`` document."""

    def __init__(self, document):
        self._document = document

    def collect(self):
        document = self._document
        uuid = document['vcenter_uuid'] or ''
        states = document['clusters']
        info = core.InfoMetricFamily(
            PREFIX + 'cluster', 'A cluster of the vCenter, its owner host '
            'and the state of its ownership record.', labels=_CLUSTER)
        pending = core.GaugeMetricFamily(
            PREFIX + 'cluster_change_in_progress', '1 while a change of the '
            'cluster\'s ownership record is in progress (a lease without a '
            'value).', labels=_CLUSTER)
        for state in states:
            where = [uuid, state['cluster'] or '', state['cluster_moref']]
            info.add_metric(where, {'datacenter': state['datacenter'] or '',
                                    'owner_host': state['owner_host'] or '',
                                    'owner_cloud': state['owner_cloud'] or '',
                                    'state': state['state']})
            pending.add_metric(where, 1 if state['locked'] else 0)
        yield info
        yield pending
        if document['nova']:
            yield from self._disagreements(uuid, states)
        read_at = core.GaugeMetricFamily(
            PREFIX + 'reading_timestamp_seconds', 'When the vCenter was '
            'read, in seconds since the epoch.', labels=['vcenter_uuid'])
        read_at.add_metric([uuid], datetime.datetime.fromisoformat(
            document['read_at']).timestamp())
        yield read_at

    @staticmethod
    def _disagreements(uuid, states):
        counts = core.GaugeMetricFamily(
            PREFIX + 'disagreements', 'Clusters where nova and the ownership '
            'records disagree, by code.', labels=['vcenter_uuid', 'code'])
        each = core.GaugeMetricFamily(
            PREFIX + 'cluster_disagreement', '1 for each disagreement '
            'between nova and a cluster\'s ownership record.',
            labels=_CLUSTER + ['code'])
        for code in disagreement.CODES:
            counts.add_metric([uuid, code], sum(
                1 for state in states if code in state['disagreements']))
        for state in states:
            for code in state['disagreements']:
                each.add_metric([uuid, state['cluster'] or '',
                                 state['cluster_moref'], code], 1)
        yield counts
        yield each


def render(document):
    """The metrics of a ``list`` document, in the Prometheus text format.

    :param document: what ``join.Fleet.document`` returns
    :returns: text
    """
    registry = registry_mod.CollectorRegistry(auto_describe=False)
    registry.register(_FleetCollector(document))
    return exposition.generate_latest(registry).decode('utf-8')

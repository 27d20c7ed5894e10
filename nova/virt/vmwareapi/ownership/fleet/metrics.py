"""``list``'s metrics in Prometheus' format: ``--format prometheus`` and
``--serve``.

Made with ``prometheus_client`` (which escapes label values and writes the
exposition format): ``render`` for node_exporter's textfile collector or a
cron job, ``ExporterCollector`` for the endpoint of ``list --serve``.
Imported only for those: the library takes a quarter of a second to
import. The series of a reading, all labelled with ``vcenter_uuid``:

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

The endpoint serves those of its last good reading (the last reading
while the next runs; still the last good one after a failed reading) and
its own series, without ``vcenter_uuid`` but where said:

``nova_vmware_owner_up``
    1 when the last reading succeeded, 0 when it failed.
``nova_vmware_owner_reading_errors_total{reason}``
    Failed readings since the start, by reason: ``vcenter``, ``nova``,
    ``timeout`` (no end within the interval), ``error``.
``nova_vmware_owner_reading_age_seconds``
    Seconds since the last good reading began, on the exporter's clock
    (absent before the first).
``nova_vmware_owner_reading_duration_seconds``
    How long the last reading took.
``nova_vmware_owner_reading_interval_seconds``,
``nova_vmware_owner_lease_duration_seconds``
    The interval and ``[vmware_ownership] lease_duration``, for the alerts
    to compare with.
``nova_vmware_owner_cluster_renewal_age_seconds{vcenter_uuid, cluster,
cluster_moref}``
    For each held cluster: how long the exporter has seen its lease's
    ``(holder, seq)`` unchanged (``readings``). Above ``lease_duration``
    the holder has stopped renewing, as a standby would judge it. Absent
    after a failed reading: the watch starts afresh.

Every label has a bounded set of values (clusters, hosts, codes); holders
(a process identity) and counters of the record are left out.
"""

import datetime

from prometheus_client import core
from prometheus_client import exposition
from prometheus_client import registry as registry_mod

from nova.virt.vmwareapi.ownership.fleet import disagreement
from nova.virt.vmwareapi.ownership.fleet import readings

PREFIX = 'nova_vmware_owner_'

_CLUSTER = ['vcenter_uuid', 'cluster', 'cluster_moref']


def _where(uuid, state):
    return [uuid, state['cluster'] or '', state['cluster_moref']]


def _fleet(document):
    """The metric families of one ``list`` document."""
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
        where = _where(uuid, state)
        info.add_metric(where, {'datacenter': state['datacenter'] or '',
                                'owner_host': state['owner_host'] or '',
                                'owner_cloud': state['owner_cloud'] or '',
                                'state': state['state']})
        pending.add_metric(where, 1 if state['change_in_progress'] else 0)
    yield info
    yield pending
    if document['nova']:
        yield from _disagreements(uuid, states)
    read_at = core.GaugeMetricFamily(
        PREFIX + 'reading_timestamp_seconds', 'When the vCenter was '
        'read, in seconds since the epoch.', labels=['vcenter_uuid'])
    read_at.add_metric([uuid], datetime.datetime.fromisoformat(
        document['read_at']).timestamp())
    yield read_at


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
            each.add_metric(_where(uuid, state) + [code], 1)
    yield counts
    yield each


def _gauge(name, documentation, value):
    family = core.GaugeMetricFamily(PREFIX + name, documentation)
    family.add_metric([], value)
    return family


def _exporter(status):
    """The exporter's own metric families, of a ``readings.Status``."""
    yield _gauge('up', '1 when the last reading of the vCenter (and of '
                 'nova\'s databases with --nova) succeeded, else 0.',
                 1 if status.up else 0)
    errors = core.CounterMetricFamily(
        PREFIX + 'reading_errors', 'Failed readings since the exporter '
        'started, by reason.', labels=['reason'])
    for reason in readings.REASONS:
        errors.add_metric([reason], status.errors.get(reason, 0))
    yield errors
    if status.reading_age is not None:
        yield _gauge('reading_age_seconds', 'Seconds since the last good '
                     'reading began, on the exporter\'s monotonic clock.',
                     status.reading_age)
    if status.reading_seconds is not None:
        yield _gauge('reading_duration_seconds', 'How long the last '
                     'reading took, good or failed.', status.reading_seconds)
    yield _gauge('reading_interval_seconds', 'Seconds between two '
                 'readings (list --interval).', status.interval)
    yield _gauge('lease_duration_seconds', '[vmware_ownership] '
                 'lease_duration: a holder seen without a renewal for longer '
                 'has stopped renewing.', status.lease_duration)
    ages = core.GaugeMetricFamily(
        PREFIX + 'cluster_renewal_age_seconds', 'How long this exporter has '
        'seen the lease of a held cluster without a renewal (the same '
        'holder and seq), on its own monotonic clock.', labels=_CLUSTER)
    if status.document is not None:
        uuid = status.document['vcenter_uuid'] or ''
        for state in status.document['clusters']:
            age = status.renewal_ages.get(state['cluster_moref'])
            if age is not None:
                ages.add_metric(_where(uuid, state), age)
    yield ages


class _Collector(registry_mod.Collector):
    """The families ``families()`` makes, at each collection."""

    def __init__(self, families):
        self._families = families

    def collect(self):
        return self._families()


class ExporterCollector(_Collector):
    """The endpoint's metrics: the last good reading and the exporter's.

    :param status: called at each scrape; returns a ``readings.Status``
    """

    def __init__(self, status):
        super().__init__(lambda: self._of(status()))

    @staticmethod
    def _of(status):
        if status.document is not None:
            yield from _fleet(status.document)
        yield from _exporter(status)


def registry(collector):
    """A registry holding ``collector`` alone (no process metrics)."""
    found = registry_mod.CollectorRegistry(auto_describe=False)
    found.register(collector)
    return found


def render(document):
    """The metrics of a ``list`` document, in the Prometheus text format.

    :param document: what ``join.Fleet.document`` returns
    :returns: text
    """
    return exposition.generate_latest(registry(
        _Collector(lambda: _fleet(document)))).decode('utf-8')

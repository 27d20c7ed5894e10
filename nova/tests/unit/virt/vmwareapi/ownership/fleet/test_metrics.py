"""``list --format prometheus`` and ``--serve``: parsed back with
prometheus_client."""

from oslotest import base
from prometheus_client import exposition
from prometheus_client import parser

from nova.virt.vmwareapi.ownership.fleet import disagreement as dis
from nova.virt.vmwareapi.ownership.fleet import metrics
from nova.virt.vmwareapi.ownership.fleet import readings
from support import sample_fleet as samples


def families(nova=True):
    return {family.name: family for family in
            parser.text_string_to_metric_families(
                metrics.render(samples.document(nova)))}


def samples_of(family):
    return [(sample.labels, sample.value) for sample in family.samples]


class MetricsTestCase(base.BaseTestCase):

    def test_names_and_types(self):
        found = families()
        self.assertEqual(
            # The text format has no info type: an info is a gauge of 1
            # named ..._info.
            {'nova_vmware_owner_cluster_info': 'gauge',
             'nova_vmware_owner_cluster_change_in_progress': 'gauge',
             'nova_vmware_owner_disagreements': 'gauge',
             'nova_vmware_owner_cluster_disagreement': 'gauge',
             'nova_vmware_owner_reading_timestamp_seconds': 'gauge'},
            {name: family.type for name, family in found.items()})
        for family in found.values():
            self.assertTrue(family.documentation)

    def test_one_info_series_per_cluster(self):
        rows = samples_of(families()['nova_vmware_owner_cluster_info'])
        self.assertEqual(7, len(rows))
        labels, value = rows[0]
        self.assertEqual(1.0, value)
        self.assertEqual({'vcenter_uuid': samples.UUID, 'cluster': 'DC0_C0',
                          'cluster_moref': 'domain-c7', 'datacenter': 'DC0',
                          'owner_host': 'compute-a', 'owner_cloud': '',
                          'state': 'held'},
                         labels)
        self.assertEqual(['held', 'unowned', 'unreadable', 'unowned',
                          'released', 'released', 'unowned'],
                         [labels['state'] for labels, _ in rows])
        self.assertEqual('', rows[1][0]['owner_host'])

    def test_hostile_names_round_trip(self):
        rows = samples_of(families()['nova_vmware_owner_cluster_info'])
        self.assertEqual(samples.EVIL, rows[-1][0]['cluster'])

    def test_change_in_progress(self):
        rows = samples_of(
            families()['nova_vmware_owner_cluster_change_in_progress'])
        self.assertEqual([0, 0, 0, 1, 0, 0, 0], [v for _, v in rows])

    def test_disagreements_by_code_include_zeros(self):
        rows = samples_of(families()['nova_vmware_owner_disagreements'])
        self.assertEqual(
            {dis.TWO_NOVA_HOSTS: 1, dis.OWNED_BY_OTHER_CLOUD: 0,
             dis.NOVA_HOST_DIFFERS: 0,
             dis.NO_RECORD: 1, dis.UNKNOWN_OWNER: 1, dis.NODE_DIFFERS: 1,
             dis.RECORD_UNREADABLE: 0},
            {labels['code']: value for labels, value in rows})
        self.assertEqual({samples.UUID},
                         {labels['vcenter_uuid'] for labels, _ in rows})

    def test_each_disagreement_of_a_cluster(self):
        rows = samples_of(families()['nova_vmware_owner_cluster_disagreement'])
        self.assertEqual(
            [('DC0_C0', dis.TWO_NOVA_HOSTS), ('DC0_C1', dis.NO_RECORD),
             ('DC0_C4', dis.UNKNOWN_OWNER), ('DC0_C4', dis.NODE_DIFFERS)],
            [(labels['cluster'], labels['code']) for labels, _ in rows])

    def test_without_nova_no_disagreement_series(self):
        found = families(nova=False)
        self.assertNotIn('nova_vmware_owner_disagreements', found)
        self.assertNotIn('nova_vmware_owner_cluster_disagreement', found)

    def test_reading_time(self):
        ((labels, value),) = samples_of(
            families()['nova_vmware_owner_reading_timestamp_seconds'])
        self.assertEqual(samples.fakes.WALL.timestamp(), value)
        self.assertEqual({'vcenter_uuid': samples.UUID}, labels)


def exporter_families(status):
    registry = metrics.registry(metrics.ExporterCollector(lambda: status))
    return {family.name: family for family in
            parser.text_string_to_metric_families(
                exposition.generate_latest(registry).decode('utf-8'))}


def status(**overrides):
    values = dict(document=samples.document(), up=True,
                  errors={'vcenter': 2, 'nova': 0, 'timeout': 1, 'error': 0},
                  reading_age=12.5, reading_seconds=0.25,
                  renewal_ages={'domain-c7': 61.0}, lease_duration=180,
                  interval=60)
    values.update(overrides)
    return readings.Status(**values)


class ExporterMetricsTestCase(base.BaseTestCase):
    """``list --serve``: the last reading's series and its own."""

    def test_names_types_and_values(self):
        found = exporter_families(status())
        own = {'nova_vmware_owner_up': ('gauge', 1.0),
               'nova_vmware_owner_reading_age_seconds': ('gauge', 12.5),
               'nova_vmware_owner_reading_duration_seconds': ('gauge', 0.25),
               'nova_vmware_owner_reading_interval_seconds': ('gauge', 60.0),
               'nova_vmware_owner_lease_duration_seconds': ('gauge', 180.0)}
        for name, (kind, value) in own.items():
            with self.subTest(name=name):
                ((labels, got),) = samples_of(found[name])
                self.assertEqual((kind, {}, value),
                                 (found[name].type, labels, got))
                self.assertTrue(found[name].documentation)
        # The reading's series are served with them.
        self.assertLessEqual(set(families()), set(found))

    def test_errors_by_reason_zeros_included(self):
        errors = exporter_families(status())[
            'nova_vmware_owner_reading_errors']
        self.assertEqual('counter', errors.type)
        self.assertEqual(
            {'vcenter': 2.0, 'nova': 0.0, 'timeout': 1.0, 'error': 0.0},
            {labels['reason']: value for labels, value in samples_of(errors)
             if 'reason' in labels})

    def test_renewal_age_of_each_held_cluster(self):
        ages = exporter_families(status())[
            'nova_vmware_owner_cluster_renewal_age_seconds']
        self.assertEqual(
            [({'vcenter_uuid': samples.UUID, 'cluster': 'DC0_C0',
               'cluster_moref': 'domain-c7'}, 61.0)], samples_of(ages))

    def test_down_before_any_good_reading(self):
        found = exporter_families(status(
            document=None, up=False, reading_age=None, reading_seconds=None,
            renewal_ages={}))
        ((_, up),) = samples_of(found['nova_vmware_owner_up'])
        self.assertEqual(0.0, up)
        self.assertNotIn('nova_vmware_owner_cluster_info', found)
        self.assertNotIn('nova_vmware_owner_reading_age_seconds', found)
        self.assertNotIn('nova_vmware_owner_reading_duration_seconds', found)
        self.assertEqual([], samples_of(
            found['nova_vmware_owner_cluster_renewal_age_seconds']))

    def test_each_scrape_asks_afresh(self):
        calls = []

        def now():
            calls.append(1)
            return status(reading_age=float(len(calls)))

        registry = metrics.registry(metrics.ExporterCollector(now))
        for expected in (1.0, 2.0):
            text = exposition.generate_latest(registry).decode('utf-8')
            self.assertIn('nova_vmware_owner_reading_age_seconds %s'
                          % expected, text)

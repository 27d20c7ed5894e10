"""``list --format prometheus``: parsed back with prometheus_client."""

from oslotest import base
from prometheus_client import parser

from nova.virt.vmwareapi.ownership.fleet import disagreement as dis
from nova.virt.vmwareapi.ownership.fleet import metrics
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

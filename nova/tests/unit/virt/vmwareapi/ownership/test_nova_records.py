"""nova's records as plain values, and a change to one of them."""

import datetime

from oslotest import base

from nova.virt.vmwareapi.ownership import nova_records


class NodeNameTestCase(base.BaseTestCase):

    def test_node_name(self):
        self.assertEqual('domain-c7.5a6e', nova_records.node_name('domain-c7',
                                                                  '5a6e'))


class SnapshotTestCase(base.BaseTestCase):

    def test_sequences_are_kept_as_tuples(self):
        service = nova_records.Service(1, 'a', True, None, None, False, None)
        snapshot = nova_records.Snapshot('a', 'b', services=[service],
                                         migrations={}.values())
        self.assertEqual((service,), snapshot.services)
        self.assertEqual((), snapshot.migrations)
        self.assertEqual((), snapshot.nodes)

    def test_read_now_unless_told(self):
        then = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
        self.assertEqual(then, nova_records.Snapshot('a', 'b', now=then).now)
        now = nova_records.Snapshot('a', 'b').now
        self.assertEqual(datetime.timedelta(0), now.utcoffset())


class ChangeTestCase(base.BaseTestCase):

    def test_describe(self):
        self.assertEqual(
            'instance u1: host compute-a -> compute-b',
            nova_records.describe(nova_records.Change(
                nova_records.INSTANCE, 'u1', (('host', 'compute-a',
                                               'compute-b'),))))
        self.assertEqual(
            'aggregate 3 (az1): hosts [a, c] -> [c, b]',
            nova_records.describe(nova_records.Change(
                nova_records.AGGREGATE, '3 (az1)',
                (('hosts', ('a', 'c'), ('c', 'b')),))))
        self.assertEqual(
            'host mapping a: host a -> (deleted)',
            nova_records.describe(nova_records.Change(
                nova_records.HOST_MAPPING, 'a', (('host', 'a', None),))))

    def test_to_dict(self):
        change = nova_records.Change(
            nova_records.SERVICE, 4, (('host', 'a', 'b'),
                                      ('forced_down', True, False)))
        self.assertEqual(
            {'kind': 'service', 'id': '4',
             'fields': [{'name': 'host', 'old': 'a', 'new': 'b'},
                        {'name': 'forced_down', 'old': True, 'new': False}]},
            nova_records.to_dict(change))

    def test_a_value(self):
        change = nova_records.Change(nova_records.SERVICE, 4, ())
        same = nova_records.Change('service', 4, ())
        self.assertEqual(change, same)
        self.assertEqual(1, len({change, same}))

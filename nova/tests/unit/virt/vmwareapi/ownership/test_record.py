"""Tests of the ownership record: parsing, formatting and transitions."""

import datetime
import json

from oslotest import base

from nova.virt.vmwareapi.ownership import record
from nova.virt.vmwareapi.ownership import refusals

NOW = datetime.datetime(2026, 11, 25, 12, 0, 0,
                        tzinfo=datetime.timezone.utc)
LATER = NOW + datetime.timedelta(minutes=5)
FULL = {"v": 1, "host": "compute-a", "node": "5f7c0e7a-node",
        "holder": "m1:123:ab12cd34", "state": "held",
        "since": "2026-11-25T12:00:00Z", "renewed": "2026-11-25T12:05:00Z",
        "seq": 42, "transitions": 1, "previous": "compute-old"}


def dumps(data):
    return json.dumps(data, separators=(',', ':'))


class FormatTestCase(base.BaseTestCase):

    def test_compact_with_version(self):
        text = record.format_record(record.OwnershipRecord('compute-a'))
        self.assertNotIn(' ', text)
        self.assertEqual({"v": 1, "host": "compute-a", "state": "released",
                          "seq": 0, "transitions": 0}, json.loads(text))

    def test_key_order(self):
        text = record.format_record(record.parse_record(dumps(FULL)))
        self.assertEqual(list(FULL), list(json.loads(text)))

    def test_token_comes_last_of_the_known_keys(self):
        data = dict(FULL, token=117)
        text = record.format_record(record.parse_record(dumps(data)))
        self.assertEqual(list(data), list(json.loads(text)))
        self.assertEqual(dumps(data), text)

    def test_no_token_no_key(self):
        text = record.format_record(record.OwnershipRecord('compute-a'))
        self.assertNotIn('token', json.loads(text))

    def test_round_trip(self):
        parsed = record.parse_record(dumps(FULL))
        self.assertEqual(dumps(FULL), record.format_record(parsed))
        self.assertEqual(parsed,
                         record.parse_record(record.format_record(parsed)))

    def test_equality_and_hash(self):
        one = record.parse_record(dumps(FULL))
        two = record.parse_record(dumps(FULL))
        self.assertEqual(one, two)
        self.assertEqual(hash(one), hash(two))
        self.assertNotEqual(one, one.renewed(NOW))
        self.assertNotEqual(one, dumps(FULL))
        self.assertIn('compute-a', repr(one))

    def test_repr_is_printable(self):
        # What the driver logs once it holds (issue 19); JSON leaves
        # U+2028, C1 controls and bidirectional controls as they are.
        one = record.OwnershipRecord('compute-a', holder='m:1:\u2028\x85',
                                     extra={'note': '\u202e\u2066'})
        self.assertTrue(repr(one).isprintable(), repr(one))

    def test_timestamp(self):
        self.assertEqual('2026-11-25T12:00:00Z', record.timestamp(NOW))
        self.assertEqual('2026-11-25T12:00:00Z', record.timestamp(
            NOW.replace(tzinfo=None)))
        plus_two = datetime.timezone(datetime.timedelta(hours=2))
        self.assertEqual('2026-11-25T12:00:00Z',
                         record.timestamp(NOW.astimezone(plus_two)))


class ConstructorTestCase(base.BaseTestCase):

    def test_bad_host(self):
        for host in (None, '', 'a b', 'compute-a\n', 5):
            with self.subTest(host=host):
                self.assertRaises(ValueError, record.OwnershipRecord, host)

    def test_bad_state(self):
        self.assertRaises(ValueError, record.OwnershipRecord, 'h',
                          state='stolen')

    def test_state_defaults_from_holder(self):
        self.assertEqual(record.HELD,
                         record.OwnershipRecord('h', holder='m:1:a').state)
        self.assertEqual(record.RELEASED, record.OwnershipRecord('h').state)

    def test_is_host_name(self):
        self.assertTrue(record.is_host_name('compute-a'))
        self.assertTrue(record.is_host_name('a' * 255))
        self.assertFalse(record.is_host_name('a' * 256))
        self.assertFalse(record.is_host_name('compute-a\n'))
        self.assertFalse(record.is_host_name(None))


class CloudTestCase(base.BaseTestCase):
    """``cloud``: optional, additive, part of who the owner is."""

    def test_a_record_without_cloud_is_of_the_default_cloud(self):
        parsed = record.parse_record(dumps(FULL))
        self.assertIsNone(parsed.cloud)
        # v stays 1 and the stored form is unchanged: older readers and
        # writers see the same value.
        self.assertEqual(dumps(FULL), record.format_record(parsed))
        self.assertTrue(parsed.owned_by('compute-a'))
        self.assertTrue(parsed.owned_by('compute-a', ''))
        self.assertFalse(parsed.owned_by('compute-a', 'east'))

    def test_round_trip_after_the_host(self):
        data = {'v': 1, 'host': 'compute-a', 'cloud': 'east', 'seq': 3,
                'transitions': 0, 'state': 'released'}
        parsed = record.parse_record(dumps(data))
        self.assertEqual('east', parsed.cloud)
        self.assertEqual(['v', 'host', 'cloud'],
                         list(json.loads(record.format_record(parsed)))[:3])
        self.assertTrue(parsed.owned_by('compute-a', 'east'))
        for host, cloud in (('compute-a', None), ('compute-a', 'west'),
                            ('compute-b', 'east')):
            with self.subTest(host=host, cloud=cloud):
                self.assertFalse(parsed.owned_by(host, cloud))

    def test_an_empty_cloud_is_the_default_cloud(self):
        parsed = record.parse_record(dumps(dict(FULL, cloud='')))
        self.assertIsNone(parsed.cloud)
        self.assertNotIn('cloud', json.loads(record.format_record(parsed)))
        self.assertIsNone(record.OwnershipRecord('h', cloud='').cloud)

    def test_bad_cloud_is_unreadable(self):
        for cloud in ('two words', 'x' * 65, '-east', 'east\n', 7, True,
                      ['east']):
            with self.subTest(cloud=cloud):
                self.assertRaises(refusals.UnreadableRecord,
                                  record.parse_record,
                                  dumps(dict(FULL, cloud=cloud)))
        self.assertRaises(ValueError, record.OwnershipRecord, 'h',
                          cloud='two words')

    def test_unknown_keys_are_kept_beside_it(self):
        data = dict(FULL, cloud='east', future={'x': 1})
        parsed = record.parse_record(dumps(data))
        self.assertEqual({'future': {'x': 1}}, parsed.extra)
        self.assertEqual(data, json.loads(record.format_record(
            parsed.renewed(NOW))) | {'renewed': FULL['renewed'],
                                     'seq': FULL['seq']})

    def test_transitions_keep_the_cloud(self):
        mine = record.OwnershipRecord.claimed('compute-a', NOW,
                                              holder='m:1:a', cloud='east')
        self.assertEqual('east', mine.cloud)
        for after in (mine.renewed(NOW), mine.released(NOW),
                      mine.held_by('m:2:b', NOW), mine.with_node('n2'),
                      mine.with_token(5),
                      mine.moved_to('compute-a', NOW, cloud='east')):
            with self.subTest(after=after):
                self.assertEqual('east', after.cloud)
                self.assertEqual(mine.transitions, after.transitions)

    def test_a_namesake_in_another_cloud_is_a_move(self):
        theirs = record.parse_record(dumps(FULL))
        mine = theirs.moved_to('compute-a', LATER, cloud='east')
        self.assertEqual(('compute-a', 'east', None, 2, 'compute-a'),
                         (mine.host, mine.cloud, mine.node, mine.transitions,
                          mine.previous))
        self.assertEqual('2026-11-25T12:05:00Z', mine.since)
        back = mine.moved_to('compute-a', LATER)
        self.assertEqual((None, 3), (back.cloud, back.transitions))

    def test_is_cloud_name(self):
        self.assertTrue(record.is_cloud_name('east'))
        self.assertTrue(record.is_cloud_name('region-1.cloud_b:x'))
        self.assertTrue(record.is_cloud_name('a' * 64))
        for bad in ('', 'a' * 65, 'a b', '.east', None, 5):
            with self.subTest(bad=bad):
                self.assertFalse(record.is_cloud_name(bad))

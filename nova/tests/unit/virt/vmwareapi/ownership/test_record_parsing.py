"""Reading a record: what is refused, the lease it carries, what is parsed.

Values that must never be taken for a record are refused as unreadable;
the holder's lease duration is read from the record it holds; every
field is parsed as the record format says.
"""

import json
from oslotest import base

from nova.tests.unit.virt.vmwareapi.ownership import test_record
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import record
from nova.virt.vmwareapi.ownership import refusals

dumps = test_record.dumps
NOW = test_record.NOW
FULL = test_record.FULL


class UnreadableTestCase(base.BaseTestCase):
    """Values that must be refused, never taken for a record."""

    def assertUnreadable(self, raw, reason_part=None):
        error = self.assertRaises(refusals.UnreadableRecord,
                                  record.parse_record, raw)
        self.assertIsInstance(error, exceptions.OwnershipRefused)
        if reason_part:
            self.assertIn(reason_part, error.reason)
        return error

    def test_bad_json(self):
        error = self.assertUnreadable('{"host": "compute-a",',
                                      'invalid JSON')
        self.assertEqual('{"host": "compute-a",', error.raw)

    def test_json_not_an_object(self):
        self.assertUnreadable('["compute-a"]', 'neither')
        self.assertUnreadable('{"host": 1}', 'not a host name')

    def test_empty_object(self):
        self.assertUnreadable('{} ', 'no "host"')

    def test_missing_host(self):
        self.assertUnreadable(dumps({"v": 1, "seq": 3}), 'no "host"')

    def test_empty_host(self):
        self.assertUnreadable(dumps({"host": ""}), 'no "host"')

    def test_bad_host(self):
        for host in ('two words', 'quote"d', '-leading-dash', 'a' * 256,
                     'tab\there', 'compute-a\n', ['compute-a'],
                     {'name': 'compute-a'}, True):
            with self.subTest(host=host):
                self.assertUnreadable(dumps({"host": host}))

    def test_newer_version(self):
        error = self.assertUnreadable(dumps({"v": 2, "host": "compute-a"}),
                                      'newer')
        self.assertIn('upgrade', error.reason)

    def test_version_zero_and_negative(self):
        self.assertUnreadable(dumps({"v": 0, "host": "compute-a"}), 'v0')
        self.assertUnreadable(dumps({"v": -1, "host": "compute-a"}))

    def test_version_wrong_type(self):
        for version in ('1', 1.0, True, [1]):
            with self.subTest(version=version):
                self.assertUnreadable(dumps({"v": version, "host": "h"}),
                                      "'v'")

    def test_counter_bool_is_not_an_int(self):
        for key in ('seq', 'transitions'):
            with self.subTest(key=key):
                self.assertUnreadable(dumps({"host": "h", key: True}), key)

    def test_counter_wrong_types(self):
        for key in ('seq', 'transitions'):
            with self.subTest(key=key):
                for value in ('3', 3.5, [3], {"n": 3}, float('inf')):
                    self.assertUnreadable(
                        json.dumps({"host": "h", key: value}), key)

    def test_counter_negative(self):
        self.assertUnreadable(dumps({"host": "h", "seq": -1}), 'negative')
        self.assertUnreadable(dumps({"host": "h", "transitions": -5}),
                              'negative')

    def test_huge_counter(self):
        self.assertUnreadable('{"host":"h","seq":%s}' % ('9' * 5000))

    def test_text_fields_wrong_types(self):
        for key in ('node', 'holder', 'since', 'renewed', 'previous',
                    'state'):
            with self.subTest(key=key):
                for value in (1, True, ["x"], {"x": 1}):
                    self.assertUnreadable(dumps({"host": "h", key: value}),
                                          repr(key))

    def test_unknown_state(self):
        self.assertUnreadable(dumps({"host": "h", "state": "stolen"}),
                              'unknown state')

    def test_not_text(self):
        error = self.assertUnreadable(42, 'not a text value')
        self.assertEqual('42', error.raw)
        self.assertUnreadable(b'compute-a')

    def test_sentence_is_not_a_host_name(self):
        self.assertUnreadable('owned by compute-a, do not touch',
                              'neither a JSON record nor a plain host name')

    def test_deeply_nested_json(self):
        raw = '{"a":' + '[' * 100000 + ']' * 100000 + ',"host":"h"}'
        self.assertUnreadable(raw, 'invalid JSON')

    def test_long_value_is_truncated_in_message(self):
        raw = '{"host": "compute-a", "junk": "' + 'x' * 70000
        error = self.assertUnreadable(raw, 'invalid JSON')
        self.assertEqual(raw, error.raw)
        self.assertIn('(%d characters)' % len(raw), str(error))
        self.assertLess(len(str(error)), 1000)

    def test_unicode_host_refused(self):
        self.assertUnreadable('compute-\u00e4')
        self.assertUnreadable(dumps({"host": "r\u00e9seau"}))

    def test_duplicate_keys(self):
        # Readers that keep the first or the last value would disagree on
        # who owns the cluster.
        for raw in ('{"host":"b","host":"a"}',
                    '{"host":"a","seq":1,"seq":2}',
                    '{"host":"a","x":{"k":1,"k":2}}'):
            with self.subTest(raw=raw):
                error = self.assertUnreadable(raw, 'appears twice')
                self.assertEqual(raw, error.raw)

    def test_token_wrong_types(self):
        for value in ('17', 17.0, True, [17], {"k": 17}):
            with self.subTest(value=value):
                self.assertUnreadable(
                    json.dumps({"host": "h", "token": value}), "'token'")

    def test_lease_duration_wrong_types(self):
        for value in ('180', 180.5, True, -1):
            with self.subTest(value=value):
                self.assertUnreadable(json.dumps(
                    {"host": "h", "holder": "m:1:a", "lease_duration": value}),
                    "'lease_duration'")


class LeaseDurationTestCase(base.BaseTestCase):
    """The holder's own lease, written into the record it holds.

    Whoever judges it observes at least that long (issue 19).
    """

    def test_written_by_a_holder_and_read_back(self):
        held = record.OwnershipRecord.claimed('compute-a', NOW,
                                              holder='m:1:a',
                                              lease_duration=180)
        data = json.loads(record.format_record(held))
        self.assertEqual(180, data['lease_duration'])
        self.assertEqual(1, data['v'])
        self.assertEqual(held, record.parse_record(record.format_record(held)))
        self.assertEqual(['v', 'host', 'holder', 'state', 'since',
                          'renewed', 'lease_duration', 'seq', 'transitions'],
                         list(data))

    def test_kept_while_held_dropped_with_the_holder(self):
        held = record.OwnershipRecord('compute-a', holder='m:1:a',
                                      lease_duration=60)
        self.assertEqual(60, held.renewed(NOW).lease_duration)
        self.assertEqual(60, held.with_node('n1').lease_duration)
        for gone in (held.released(NOW), held.moved_to('compute-b', NOW),
                     record.OwnershipRecord('compute-a', lease_duration=60)):
            with self.subTest(gone=gone):
                self.assertIsNone(gone.lease_duration)
                self.assertNotIn('lease_duration', gone.to_dict())
        self.assertEqual(300, held.released(NOW).held_by(
            'm:2:b', NOW, lease_duration=300).lease_duration)

    def test_absent_in_older_records(self):
        self.assertIsNone(record.parse_record(dumps(FULL)).lease_duration)


class ParseTestCase(base.BaseTestCase):

    def test_absent(self):
        self.assertIsNone(record.parse_record(None))

    def test_empty_and_whitespace(self):
        for raw in ('', ' ', '\n\t  \r\n'):
            with self.subTest(raw=raw):
                self.assertIsNone(record.parse_record(raw))

    def test_full_record(self):
        parsed = record.parse_record(dumps(FULL))
        self.assertEqual('compute-a', parsed.host)
        self.assertEqual('5f7c0e7a-node', parsed.node)
        self.assertEqual('m1:123:ab12cd34', parsed.holder)
        self.assertEqual(record.HELD, parsed.state)
        self.assertTrue(parsed.is_held)
        self.assertEqual('2026-11-25T12:00:00Z', parsed.since)
        self.assertEqual('2026-11-25T12:05:00Z', parsed.renewed_at)
        self.assertEqual(42, parsed.seq)
        self.assertEqual(1, parsed.transitions)
        self.assertEqual('compute-old', parsed.previous)
        self.assertIsNone(parsed.token)
        self.assertEqual({}, parsed.extra)

    def test_token(self):
        parsed = record.parse_record(dumps(dict(FULL, token=117)))
        self.assertEqual(117, parsed.token)
        self.assertEqual(42, parsed.seq)

    def test_minimal_record(self):
        parsed = record.parse_record('{"host":"compute-a"}')
        self.assertEqual('compute-a', parsed.host)
        self.assertIsNone(parsed.node)
        self.assertIsNone(parsed.holder)
        self.assertEqual(record.RELEASED, parsed.state)
        self.assertFalse(parsed.is_held)
        self.assertEqual(0, parsed.seq)
        self.assertEqual(0, parsed.transitions)

    def test_released_record_drops_holder(self):
        data = dict(FULL, state='released')
        parsed = record.parse_record(dumps(data))
        self.assertIsNone(parsed.holder)
        self.assertFalse(parsed.is_held)

    def test_held_without_holder_is_not_held(self):
        parsed = record.parse_record('{"host":"h","state":"held"}')
        self.assertFalse(parsed.is_held)

    def test_hand_typed_host_name_is_a_pre_assignment(self):
        for raw in ('compute-a', '  compute-a\n', 'compute-a.example.org',
                    '10.0.0.7', 'fe80::1', 'Compute_B'):
            with self.subTest(raw=raw):
                parsed = record.parse_record(raw)
                self.assertEqual(raw.strip(), parsed.host)
                self.assertIsNone(parsed.holder)
                self.assertIsNone(parsed.node)
                self.assertEqual(0, parsed.seq)

    def test_whitespace_around_json(self):
        parsed = record.parse_record('\n  {"host":"compute-a","seq":3}  ')
        self.assertEqual(3, parsed.seq)

    def test_unicode_values_kept(self):
        data = dict(FULL, previous=None, note='cl\u00fcster \u2603 \U0001f600')
        del data['previous']
        parsed = record.parse_record(json.dumps(data, ensure_ascii=False))
        self.assertEqual('cl\u00fcster \u2603 \U0001f600',
                         parsed.extra['note'])
        self.assertIn('\u2603', record.format_record(parsed))

    def test_long_valid_value(self):
        data = dict(FULL, comment='y' * 70000)
        raw = dumps(data)
        self.assertGreater(len(raw), 70000)
        parsed = record.parse_record(raw)
        self.assertEqual('y' * 70000, parsed.extra['comment'])
        self.assertEqual(json.loads(raw),
                         json.loads(record.format_record(parsed)))

    def test_unknown_extra_keys_preserved(self):
        data = dict(FULL, zone='az1', labels={"a": [1, 2]}, flag=None)
        parsed = record.parse_record(dumps(data))
        self.assertEqual({'zone': 'az1', 'labels': {'a': [1, 2]},
                          'flag': None}, parsed.extra)
        moved = parsed.moved_to('compute-b', NOW)
        self.assertEqual('az1', moved.to_dict()['zone'])
        self.assertEqual({'a': [1, 2]},
                         json.loads(record.format_record(moved))['labels'])

    def test_version_omitted_means_current(self):
        self.assertEqual('h', record.parse_record('{"host":"h"}').host)
        self.assertEqual('h', record.parse_record('{"v":1,"host":"h"}').host)

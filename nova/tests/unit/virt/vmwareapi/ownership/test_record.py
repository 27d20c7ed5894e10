"""Tests of the ownership record: parsing, formatting and transitions."""

import datetime
import json

import hypothesis
from hypothesis import strategies as st
from oslotest import base

from nova.virt.vmwareapi.ownership import exceptions
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


class TransitionTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.base = record.parse_record(dumps(FULL))

    def test_claimed_with_holder(self):
        new = record.OwnershipRecord.claimed('compute-a', NOW, node='n1',
                                             holder='m:1:a')
        self.assertEqual(1, new.seq)
        self.assertEqual(record.HELD, new.state)
        self.assertEqual('m:1:a', new.holder)
        self.assertEqual('n1', new.node)
        self.assertEqual('2026-11-25T12:00:00Z', new.since)
        self.assertEqual(new.since, new.renewed_at)
        self.assertEqual(0, new.transitions)
        self.assertIsNone(new.previous)

    def test_claimed_without_holder_is_released(self):
        new = record.OwnershipRecord.claimed('compute-a', NOW)
        self.assertEqual(record.RELEASED, new.state)
        self.assertIsNone(new.holder)
        self.assertFalse(new.is_held)

    def test_held_by(self):
        new = self.base.released(NOW).held_by('m2:9:ff', LATER)
        self.assertEqual(44, new.seq)
        self.assertEqual('m2:9:ff', new.holder)
        self.assertEqual(record.HELD, new.state)
        self.assertEqual('5f7c0e7a-node', new.node)
        self.assertEqual('2026-11-25T12:05:00Z', new.renewed_at)
        self.assertEqual(self.base.since, new.since)
        self.assertEqual(1, new.transitions)

    def test_held_by_sets_node(self):
        new = self.base.with_node(None).held_by('m2:9:ff', NOW, node='n9')
        self.assertEqual('n9', new.node)
        kept = self.base.held_by('m2:9:ff', NOW)
        self.assertEqual('5f7c0e7a-node', kept.node)

    def test_renewed(self):
        new = self.base.renewed(LATER)
        self.assertEqual(43, new.seq)
        self.assertEqual(self.base.holder, new.holder)
        self.assertEqual('2026-11-25T12:05:00Z', new.renewed_at)
        self.assertEqual(42, self.base.seq, 'records are immutable')

    def test_released(self):
        new = self.base.released(LATER)
        self.assertEqual(43, new.seq)
        self.assertIsNone(new.holder)
        self.assertEqual(record.RELEASED, new.state)
        self.assertEqual('compute-a', new.host)
        self.assertEqual('5f7c0e7a-node', new.node)

    def test_with_node_is_a_write(self):
        # A standby watching the record sees the change as the holder's.
        new = self.base.with_node('n2')
        self.assertEqual(43, new.seq)
        self.assertEqual('n2', new.node)
        self.assertEqual(self.base.holder, new.holder)
        self.assertEqual('5f7c0e7a-node', self.base.node)

    def test_with_token_changes_nothing_else(self):
        new = self.base.with_token(117)
        self.assertEqual(117, new.token)
        self.assertIsNone(self.base.token)
        self.assertEqual(dict(self.base.to_dict(), token=117),
                         new.to_dict())

    def test_transitions_keep_the_token(self):
        # The token says which lease a record was written under; fencing
        # sets it on every write, the transitions leave it alone.
        base = self.base.with_token(117)
        for new in (base.renewed(LATER), base.released(LATER),
                    base.held_by('m2:9:ff', LATER), base.with_node('n2'),
                    base.moved_to('compute-b', LATER)):
            with self.subTest(new=new):
                self.assertEqual(117, new.token)

    def test_moved_to_other_host(self):
        new = self.base.moved_to('compute-b', LATER, holder='m3:1:aa')
        self.assertEqual('compute-b', new.host)
        self.assertEqual(43, new.seq)
        self.assertEqual(2, new.transitions)
        self.assertEqual('compute-a', new.previous)
        self.assertIsNone(new.node)
        self.assertEqual('m3:1:aa', new.holder)
        self.assertEqual('2026-11-25T12:05:00Z', new.since)
        self.assertNotIn('node', new.to_dict())

    def test_moved_to_other_host_released(self):
        new = self.base.moved_to('compute-b', LATER)
        self.assertEqual(record.RELEASED, new.state)
        self.assertIsNone(new.holder)

    def test_moved_to_same_host_is_not_a_transition(self):
        new = self.base.moved_to('compute-a', LATER)
        self.assertEqual(43, new.seq)
        self.assertEqual(1, new.transitions)
        self.assertEqual('compute-old', new.previous)
        self.assertEqual('5f7c0e7a-node', new.node)
        self.assertEqual(self.base.since, new.since)
        self.assertEqual(record.RELEASED, new.state)

    def test_transitions_of_a_pre_assignment(self):
        new = record.parse_record('compute-a').moved_to('compute-b', NOW)
        self.assertEqual(1, new.transitions)
        self.assertEqual(1, new.seq)
        self.assertEqual('compute-a', new.previous)


# Generated data for the property tests.
_hosts = st.from_regex(r'\A[A-Za-z0-9][A-Za-z0-9_.:\-]{0,40}\Z')
_text = st.text(max_size=30)
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() |
    st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) |
    st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=10)
_known_keys = st.sampled_from(record._KNOWN_KEYS)
_json_objects = st.dictionaries(
    _known_keys | st.text(max_size=10),
    _json_values | _hosts | st.sampled_from(['held', 'released']) |
    st.integers(min_value=-2, max_value=3),
    max_size=12)


@st.composite
def _records(draw):
    optional = st.none() | _text
    return record.OwnershipRecord(
        draw(_hosts),
        node=draw(optional),
        holder=draw(optional),
        state=draw(st.none() | st.sampled_from(record.STATES)),
        since=draw(optional),
        renewed_at=draw(optional),
        seq=draw(st.integers(min_value=0, max_value=2 ** 63)),
        transitions=draw(st.integers(min_value=0, max_value=10 ** 6)),
        previous=draw(st.none() | _hosts),
        token=draw(st.none() | st.integers(min_value=0, max_value=2 ** 31)),
        cloud=draw(st.none() | st.sampled_from(['east', 'cloud-b.2'])),
        extra=draw(st.dictionaries(
            st.text(max_size=10).filter(
                lambda k: k not in record._KNOWN_KEYS),
            _json_values, max_size=3)))


_SETTINGS = hypothesis.settings(max_examples=300, deadline=None,
                                database=None)


class PropertyTestCase(base.BaseTestCase):

    def _parse_outcome(self, raw):
        try:
            parsed = record.parse_record(raw)
        except refusals.UnreadableRecord as exc:
            self.assertEqual(raw, exc.raw)
            return
        self.assertTrue(parsed is None or
                        isinstance(parsed, record.OwnershipRecord))
        if parsed is not None:
            self.assertTrue(record.is_host_name(parsed.host))

    @_SETTINGS
    @hypothesis.given(st.text(max_size=300))
    def test_parse_arbitrary_text(self, raw):
        self._parse_outcome(raw)

    @_SETTINGS
    @hypothesis.given(st.text(alphabet='{}[]":,0123456789.-eEtrufalsn \\',
                              max_size=200))
    def test_parse_json_like_text(self, raw):
        self._parse_outcome('{' + raw)

    @_SETTINGS
    @hypothesis.given(_json_objects)
    def test_parse_arbitrary_json_objects(self, data):
        self._parse_outcome(json.dumps(data))

    @_SETTINGS
    @hypothesis.given(_records())
    def test_format_parse_round_trip(self, original):
        text = record.format_record(original)
        parsed = record.parse_record(text)
        self.assertEqual(original, parsed)
        self.assertEqual(text, record.format_record(parsed))

"""Changes of a record, and properties over random values.

Each transition (claimed, held, renewed, released, moved to another
host) and the token it keeps; with hypothesis: arbitrary text and JSON
objects are parsed without surprise, and what is formatted parses back
the same.
"""

import json

import hypothesis
from hypothesis import strategies as st
from oslotest import base

from nova.tests.unit.virt.vmwareapi.ownership import test_record
from nova.virt.vmwareapi.ownership import record
from nova.virt.vmwareapi.ownership import refusals

NOW = test_record.NOW
LATER = test_record.LATER


class TransitionTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.base = record.parse_record(test_record.dumps(test_record.FULL))

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

"""What show and check print: the JSON object, verdicts, escaped text."""

import json

from oslotest import base

from nova.tests.unit.virt.vmwareapi.ownership import fakes
from nova.virt.vmwareapi.ownership.cli import render
from nova.virt.vmwareapi.ownership import decision
from nova.virt.vmwareapi.ownership import location as location_mod
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import state as state_mod

Liveness = decision.Liveness
HOST = fakes.HOST
OTHER = fakes.OTHER_HOST
UUID = '11111111-2222-3333-4444-555555555555'
# doc/source/cli/index.rst.
REQUIRED_KEYS = ('cluster', 'cluster_moref', 'vcenter_uuid', 'attribute',
                 'this_host', 'owner_host', 'verdict', 'record', 'raw')
# Characters that forge lines or reorder what a terminal shows.
HOSTILE = ('\n', '\r', '\u202e', '\x85', '\x9b', '\x1b', '\u2028')
EVIL = 'x\nVerdict:    owned by this host\u202e\x85\x9b\x1b[2J\u2028y'


def held(host=HOST, holder='m:1:ab', **kwargs):
    values = dict(seq=4, since='2026-11-25T12:00:00Z',
                  renewed_at='2026-11-25T12:05:00Z')
    values.update(kwargs)
    return record_mod.OwnershipRecord(host, holder=holder, **values)


class ReportTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.store = fakes.FakeStore()

    def state(self, liveness=Liveness.NONE, location=None, uuid=UUID):
        return state_mod.state_dict(self.store.view(), liveness, HOST,
                                    location or fakes.location(), uuid,
                                    self.store.lease_name)


class VerdictTestCase(ReportTestCase):

    def verdict(self):
        return state_mod.verdict(self.store.view(), HOST)

    def test_unreadable(self):
        for raw in ('{broken', '{"v":2,"host":"compute-a"}', 'two words'):
            self.store.type_by_hand(raw)
            self.assertEqual(state_mod.UNREADABLE, self.verdict(), raw)

    def test_unreadable_lease(self):
        self.store.put(held())
        self.store.type_by_hand('{', name=self.store.lease_name)
        self.assertEqual(state_mod.UNREADABLE, self.verdict())

    def test_another_host(self):
        for raw in (OTHER, 'COMPUTE-A'):
            self.store.type_by_hand(raw)
            self.assertEqual(state_mod.OWNED_BY_OTHER_HOST, self.verdict())
        self.store.put(held(OTHER))
        self.assertEqual(state_mod.OWNED_BY_OTHER_HOST, self.verdict())

    def test_unowned(self):
        self.assertEqual(state_mod.UNOWNED, self.verdict())
        for raw in ('', '  '):
            self.store.type_by_hand(raw)
            self.assertEqual(state_mod.UNOWNED, self.verdict())

    def test_this_host(self):
        self.store.type_by_hand(HOST)
        self.assertEqual(state_mod.OWNED_BY_THIS_HOST, self.verdict())
        for record in (held(), held(holder=None)):
            self.store.put(record)
            self.assertEqual(state_mod.OWNED_BY_THIS_HOST, self.verdict())


class StateTestCase(ReportTestCase):

    def test_required_keys(self):
        for setup in (lambda: None, lambda: self.store.type_by_hand('{x'),
                      lambda: self.store.put(held()),
                      lambda: self.store.put(held(OTHER))):
            setup()
            state = self.state()
            for key in REQUIRED_KEYS:
                self.assertIn(key, state)
            self.assertEqual(state, json.loads(render.to_json(state)))

    def test_owned(self):
        written = self.store.put(held(OTHER, node='n1'))
        raw = record_mod.format_record(written)
        self.assertEqual({
            'cluster': 'DC0_C0', 'cluster_moref': 'domain-c7',
            'vcenter': fakes.VCENTER, 'vcenter_uuid': UUID,
            'attribute': 'openstack.nova.owner', 'this_host': HOST,
            'owner_host': OTHER, 'verdict': 'owned-by-other-host',
            'record': json.loads(raw), 'raw': raw, 'holder': 'm:1:ab',
            'holder_liveness': 'live', 'unreadable_reason': None,
            'locked': False,
            'lease': {'attribute': self.store.lease_name,
                      'token': written.token, 'raw': raw},
            'attribute_copy': 'current'}, self.state(Liveness.LIVE))

    def test_unowned(self):
        state = self.state()
        for key in ('owner_host', 'record', 'raw', 'holder',
                    'holder_liveness', 'unreadable_reason'):
            self.assertIsNone(state[key], key)
        self.assertEqual(state_mod.UNOWNED, state['verdict'])
        self.assertEqual({'attribute': self.store.lease_name, 'token': None,
                          'raw': None}, state['lease'])

    def test_unreadable(self):
        self.store.type_by_hand('{broken')
        state = self.state()
        self.assertEqual(state_mod.UNREADABLE, state['verdict'])
        self.assertIsNone(state['record'])
        self.assertIsNone(state['owner_host'])
        self.assertEqual('{broken', state['raw'])
        self.assertIn('invalid JSON', state['unreadable_reason'])

    def test_unreadable_lease_names_no_holder(self):
        self.store.put(held())
        self.store.type_by_hand('{', name=self.store.lease_name)
        state = self.state()
        self.assertIsNone(state['holder'])
        self.assertEqual('{', state['lease']['raw'])

    def test_released_has_no_holder(self):
        self.store.put(held(holder=None))
        self.assertIsNone(self.state()['holder'])

    def test_hand_edit_naming_another_host_keeps_the_lease_holder(self):
        self.store.put(held())
        self.store.type_by_hand(OTHER)
        state = self.state(Liveness.LIVE)
        self.assertEqual((OTHER, 'm:1:ab', 'edited'),
                         (state['owner_host'], state['holder'],
                          state['attribute_copy']))

    def test_change_in_progress(self):
        self.store.start_change()
        self.assertTrue(self.state()['locked'])


class JsonTestCase(ReportTestCase):

    def test_pure_ascii(self):
        self.store.put(held(node='caf\u00e9 \u2603' + EVIL,
                            extra={'note': '\U0001f600'}))
        state = self.state(location=location_mod.Location(
            'Cl\u00fcster' + EVIL, fakes.VCENTER, 'domain-c7',
            fakes.ATTRIBUTE))
        text = render.to_json(state)
        self.assertTrue(text.isascii())
        self.assertEqual(state, json.loads(text))


class TextTestCase(ReportTestCase):

    def assertSafe(self, text, lines):
        for char in HOSTILE:
            if char != '\n':
                self.assertNotIn(char, text)
        self.assertEqual(lines, len(text.split('\n')))
        for line in text.split('\n'):
            self.assertTrue(line.isprintable(), line)

    def test_values_from_vcenter_are_escaped(self):
        self.store.put(held(holder='m:1:ab' + EVIL, node=EVIL, previous=EVIL,
                            since=EVIL, transitions=1))
        location = location_mod.Location(EVIL, fakes.VCENTER + EVIL,
                                         'domain-c7' + EVIL, fakes.ATTRIBUTE)
        state = self.state(Liveness.LIVE, location, uuid=EVIL)
        benign = render.show_text(self.state(Liveness.LIVE))
        text = render.show_text(state)
        self.assertSafe(text, len(benign.split('\n')))
        self.assertIn('\\u202e', text)
        self.assertIn('\\x85', text)
        self.assertIn('\\x9b', text)
        self.assertSafe(render.verdict_text(state), 1)

    def test_verdict_text_escapes_what_it_is_given(self):
        for verdict in (state_mod.UNOWNED, state_mod.OWNED_BY_THIS_HOST,
                        state_mod.OWNED_BY_OTHER_HOST, state_mod.UNREADABLE):
            self.assertSafe(render.verdict_text(dict(
                verdict=verdict, this_host=EVIL, owner_host=EVIL,
                unreadable_reason=EVIL)), 1)

    def test_unreadable_values_are_escaped(self):
        self.store.type_by_hand('{"host":"a","state":"%s"}' % EVIL.replace(
            '\n', '\\n'))
        state = self.state()
        self.assertEqual(state_mod.UNREADABLE, state['verdict'])
        self.assertSafe(render.verdict_text(state), 1)
        self.assertSafe(render.show_text(state), 7)

    def test_verdict_text(self):
        self.store.type_by_hand('{broken')
        self.assertIn('unreadable record (invalid JSON',
                      render.verdict_text(self.state()))
        self.store.type_by_hand(OTHER)
        self.assertEqual('owned by host compute-b: host compute-a must not '
                         'run against it', render.verdict_text(self.state()))
        self.store.type_by_hand('')
        self.assertIn('may claim', render.verdict_text(self.state()))
        self.store.type_by_hand(HOST)
        self.assertIn('it may run', render.verdict_text(self.state()))

    def test_show_unowned(self):
        text = render.show_text(self.state())
        self.assertRegex(text, r'(?m)^Owner host: +-$')
        self.assertRegex(text, r'(?m)^Raw value: +-$')
        self.assertNotIn('State:', text)
        self.assertNotIn('Lease:', text)

    def test_show_owned(self):
        written = self.store.put(held(OTHER, node='n1', transitions=2,
                                      previous='compute-old'))
        text = render.show_text(self.state(Liveness.DEAD))
        for part in ('DC0_C0 (domain-c7)', fakes.VCENTER, UUID,
                     'openstack.nova.owner', 'compute-b',
                     'held, holder m:1:ab (dead)', 'n1',
                     '2026-11-25T12:00:00Z', '2026-11-25T12:05:00Z (seq 4)',
                     '2 (previous compute-old)',
                     '%s, key %d' % (self.store.lease_name, written.token),
                     'owned by host compute-b'):
            self.assertIn(part, text)
        self.assertNotIn('Raw value is', text)
        labels = [line.split(':')[0] for line in text.splitlines()]
        self.assertEqual('Verdict', labels[-1])
        values_at = {line.index(line.split(':', 1)[1].strip())
                     for line in text.splitlines()}
        self.assertEqual(1, len(values_at), 'values are aligned')

    def test_show_a_change_in_progress(self):
        self.store.start_change()
        self.assertIn('a change is in progress',
                      render.show_text(self.state()))

    def test_show_the_state_of_the_copy(self):
        for setup, words in (
                (lambda: self.store.type_by_hand(''), 'cleared'),
                (lambda: self.store.type_by_hand(HOST), 'typed by hand'),
                (lambda: self.store.type_by_hand(record_mod.format_record(
                    held().with_token(1))), 'stale')):
            self.store.put(held())
            setup()
            self.assertRegex(render.show_text(self.state()),
                             r'(?m)^Raw value is: +%s' % words)

    def test_show_long_raw_truncated(self):
        self.store.put(held(extra={'junk': 'j' * 70000}))
        text = render.show_text(self.state())
        self.assertIn('characters)', text)
        self.assertLess(len(text), 2500)

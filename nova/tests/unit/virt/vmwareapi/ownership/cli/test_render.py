"""What show and check print: escaped text and pure-ASCII JSON.

On the readings of ``test_state``, whose JSON object is printed here.
"""

import json

from nova.tests.unit.virt.vmwareapi.ownership import test_state as states
from nova.virt.vmwareapi.ownership.cli import render
from nova.virt.vmwareapi.ownership import location as location_mod
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import state as state_mod
from support import fakes
from support import messages

ReportTestCase = states.ReportTestCase
held = states.held
HOST, OTHER, UUID = states.HOST, states.OTHER, states.UUID
HOSTILE, EVIL = states.HOSTILE, states.EVIL
Liveness = states.Liveness


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
            with self.subTest(verdict=verdict):
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

    def test_a_raw_value_as_vcenter_hands_it_over_forges_no_line(self):
        # suds' Text, whose repr() is the raw text (issue 19).
        for raw in (messages.FORGED, '{"host":"a",' + messages.FORGED):
            with self.subTest(raw=raw):
                self.store.type_by_hand(messages.vim_text(raw))
                text = render.show_text(self.state())
                self.assertSafe(text, 7)
                self.assertEqual(1, len([line for line in text.splitlines()
                                         if line.startswith('Verdict')]))

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
            with self.subTest(part=part):
                self.assertIn(part, text)
        self.assertNotIn('Raw value is', text)
        labels = [line.split(':')[0] for line in text.splitlines()]
        self.assertEqual('Verdict', labels[-1])
        values_at = {line.index(line.split(':', 1)[1].strip())
                     for line in text.splitlines()}
        self.assertEqual(1, len(values_at), 'values are aligned')

    def test_show_a_namesake_of_another_cloud(self):
        self.store.put(held(cloud='east'))
        state = self.state()
        self.assertEqual(state_mod.OWNED_BY_OTHER_HOST, state['verdict'])
        self.assertEqual("owned by host compute-a of cloud 'east' (another "
                         "cloud): host compute-a must not run against it",
                         render.verdict_text(state))
        text = render.show_text(state)
        self.assertRegex(text, r'(?m)^Owner cloud: +east$')
        self.assertRegex(text, r'(?m)^This host: +compute-a$')
        cloudy = state_mod.state_dict(self.store.view(), Liveness.NONE, HOST,
                                      fakes.location(), UUID,
                                      self.store.lease_name, 'east')
        self.assertEqual(state_mod.OWNED_BY_THIS_HOST, cloudy['verdict'])
        self.assertRegex(render.show_text(cloudy),
                         r'(?m)^This host: +compute-a \(cloud east\)$')

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
            with self.subTest(setup=setup, words=words):
                self.store.put(held())
                setup()
                self.assertRegex(render.show_text(self.state()),
                                 r'(?m)^Raw value is: +%s' % words)

    def test_show_long_raw_truncated(self):
        self.store.put(held(extra={'junk': 'j' * 70000}))
        text = render.show_text(self.state())
        self.assertIn('characters)', text)
        self.assertLess(len(text), 2500)

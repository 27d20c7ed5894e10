"""Tests of the verdicts and the show/check views."""

import json

from oslotest import base

from nova.tests.unit.virt.vmwareapi.ownership import fakes
from nova.virt.vmwareapi.ownership import decision
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import guard
from nova.virt.vmwareapi.ownership import record
from nova.virt.vmwareapi.ownership import report
from nova.virt.vmwareapi.ownership import store

HOST = 'compute-a'
UUID = '11111111-2222-3333-4444-555555555555'
# DESIGN section 7.
REQUIRED_KEYS = ('cluster', 'cluster_moref', 'vcenter_uuid', 'attribute',
                 'this_host', 'owner_host', 'verdict', 'record', 'raw')


def assessment(raw, lock_key=None, liveness=decision.Liveness.NONE):
    reading = store.Reading(raw, 101, lock_key, fakes.CLUSTER)
    try:
        parsed = record.parse_record(raw)
    except exceptions.UnreadableRecord as exc:
        return guard.Assessment(reading, None, exc.at(fakes.location()),
                                decision.Liveness.NONE,
                                decision.decide(None, HOST, unreadable=True))
    return guard.Assessment(reading, parsed, None, liveness,
                            decision.decide(parsed, HOST, liveness))


def state(raw, **kwargs):
    return report.state_dict(assessment(raw, **kwargs), HOST,
                             fakes.location(), UUID)


def held(host, holder='m:1:ab', **kwargs):
    return record.format_record(record.OwnershipRecord(
        host, holder=holder, seq=4, since='2026-11-25T12:00:00Z',
        renewed_at='2026-11-25T12:05:00Z', **kwargs))


class VerdictTestCase(base.BaseTestCase):

    def test_unreadable(self):
        for raw in ('{broken', '{"v":2,"host":"compute-a"}', 'two words'):
            self.assertEqual(report.UNREADABLE,
                             report.verdict(assessment(raw), HOST))

    def test_other_host(self):
        for raw in ('compute-b', held('compute-b'), held('COMPUTE-A')):
            self.assertEqual(report.OWNED_BY_OTHER_HOST,
                             report.verdict(assessment(raw), HOST))

    def test_unowned(self):
        for raw in (None, '', '  '):
            self.assertEqual(report.UNOWNED,
                             report.verdict(assessment(raw), HOST))

    def test_this_host(self):
        for raw in ('compute-a', held(HOST), held(HOST, holder=None)):
            self.assertEqual(report.OWNED_BY_THIS_HOST,
                             report.verdict(assessment(raw), HOST))


class StateTestCase(base.BaseTestCase):

    def test_unreadable(self):
        result = state('{broken')
        self.assertEqual(report.UNREADABLE, result['verdict'])
        self.assertIsNone(result['record'])
        self.assertIsNone(result['owner_host'])
        self.assertEqual('{broken', result['raw'])
        self.assertIn('invalid JSON', result['unreadable_reason'])

    def test_required_keys(self):
        for raw in (None, '{broken', held(HOST), held('compute-b')):
            result = state(raw)
            for key in REQUIRED_KEYS:
                self.assertIn(key, result)
            json.loads(report.to_json(result))

    def test_owned(self):
        raw = held('compute-b', node='n1')
        result = state(raw, liveness=decision.Liveness.LIVE)
        self.assertEqual({
            'cluster': 'DC0_C0', 'cluster_moref': 'domain-c7',
            'vcenter': fakes.VCENTER, 'vcenter_uuid': UUID,
            'attribute': 'openstack.nova.owner', 'this_host': HOST,
            'owner_host': 'compute-b', 'verdict': 'owned-by-other-host',
            'record': json.loads(raw), 'raw': raw, 'holder': 'm:1:ab',
            'holder_liveness': 'live', 'unreadable_reason': None,
            'locked': False}, result)

    def test_unowned(self):
        result = state(None)
        self.assertIsNone(result['owner_host'])
        self.assertIsNone(result['record'])
        self.assertIsNone(result['raw'])
        self.assertIsNone(result['holder'])
        self.assertIsNone(result['holder_liveness'])
        self.assertEqual('unowned', result['verdict'])

    def test_released_has_no_holder(self):
        result = state(held(HOST, holder=None))
        self.assertIsNone(result['holder'])

    def test_locked(self):
        self.assertTrue(state(None, lock_key=102)['locked'])

    def test_json(self):
        raw = held(HOST, extra={'note': 'cl\u00fcster'})
        text = report.to_json(state(raw))
        self.assertIn('cl\u00fcster', text)
        data = json.loads(text)
        self.assertEqual(raw, data['raw'])
        self.assertEqual('owned-by-this-host', data['verdict'])


class TextTestCase(base.BaseTestCase):

    def test_verdict_text(self):
        self.assertIn('unreadable record',
                      report.verdict_text(state('{broken')))
        self.assertIn('invalid JSON', report.verdict_text(state('{broken')))
        self.assertIn('owned by host compute-b',
                      report.verdict_text(state('compute-b')))
        self.assertIn('must not run',
                      report.verdict_text(state('compute-b')))
        self.assertIn('may claim', report.verdict_text(state(None)))
        self.assertIn('may run', report.verdict_text(state(held(HOST))))

    def test_show_unreadable(self):
        text = report.show_text(state('{broken'))
        self.assertIn('Verdict:', text)
        self.assertIn('unreadable record', text)
        self.assertIn("'{broken'", text)

    def test_show_unowned(self):
        text = report.show_text(state(None))
        self.assertRegex(text, r'(?m)^Owner host: +-$')
        self.assertRegex(text, r'(?m)^Raw value: +-$')
        self.assertIn('unowned', text)
        self.assertNotIn('State:', text)

    def test_show_long_raw_truncated(self):
        raw = held(HOST, extra={'junk': 'j' * 70000})
        text = report.show_text(state(raw))
        self.assertIn('characters)', text)
        self.assertLess(len(text), 2000)

    def test_show_owned(self):
        raw = held('compute-b', node='n1', transitions=2,
                   previous='compute-old')
        text = report.show_text(state(raw, lock_key=102,
                                      liveness=decision.Liveness.DEAD))
        for part in ('DC0_C0 (domain-c7)', fakes.VCENTER, UUID,
                     'openstack.nova.owner', 'compute-b',
                     'held, holder m:1:ab (dead)', 'n1',
                     '2026-11-25T12:00:00Z', '2026-11-25T12:05:00Z (seq 4)',
                     '2 (previous compute-old)', 'Lock:',
                     'owned by host compute-b'):
            self.assertIn(part, text)
        labels = [line.split(':')[0] for line in text.splitlines()]
        self.assertEqual('Verdict', labels[-1])
        values_at = {line.index(line.split(':', 1)[1].strip())
                     for line in text.splitlines()}
        self.assertEqual(1, len(values_at), 'values are aligned')

"""The state of a cluster for a host: its verdict and its JSON object.

``cli.test_render`` prints it, on the same readings.
"""

import json

from oslotest import base

from nova.virt.vmwareapi.ownership.cli import render
from nova.virt.vmwareapi.ownership import decision
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import state as state_mod
from support import fakes

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
            with self.subTest(raw=raw):
                self.store.type_by_hand(raw)
                self.assertEqual(state_mod.UNREADABLE, self.verdict(), raw)

    def test_unreadable_lease(self):
        self.store.put(held())
        self.store.type_by_hand('{', name=self.store.lease_name)
        self.assertEqual(state_mod.UNREADABLE, self.verdict())

    def test_another_host(self):
        for raw in (OTHER, 'COMPUTE-A'):
            with self.subTest(raw=raw):
                self.store.type_by_hand(raw)
                self.assertEqual(state_mod.OWNED_BY_OTHER_HOST, self.verdict())
        self.store.put(held(OTHER))
        self.assertEqual(state_mod.OWNED_BY_OTHER_HOST, self.verdict())

    def test_unowned(self):
        self.assertEqual(state_mod.UNOWNED, self.verdict())
        for raw in ('', '  '):
            with self.subTest(raw=raw):
                self.store.type_by_hand(raw)
                self.assertEqual(state_mod.UNOWNED, self.verdict())

    def test_this_host(self):
        self.store.type_by_hand(HOST)
        self.assertEqual(state_mod.OWNED_BY_THIS_HOST, self.verdict())
        for record in (held(), held(holder=None)):
            with self.subTest(record=record):
                self.store.put(record)
                self.assertEqual(state_mod.OWNED_BY_THIS_HOST, self.verdict())


class StateTestCase(ReportTestCase):

    def test_required_keys(self):
        for setup in (lambda: None, lambda: self.store.type_by_hand('{x'),
                      lambda: self.store.put(held()),
                      lambda: self.store.put(held(OTHER))):
            with self.subTest(setup=setup):
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
            'owner_host': OTHER, 'owner_cloud': None, 'this_cloud': None,
            'verdict': 'owned-by-other-host',
            'record': json.loads(raw), 'raw': raw, 'holder': 'm:1:ab',
            'holder_liveness': 'live', 'unreadable_reason': None,
            'change_in_progress': False,
            'lease': {'attribute': self.store.lease_name,
                      'token': written.token, 'raw': raw},
            'attribute_copy': 'current'}, self.state(Liveness.LIVE))

    def test_unowned(self):
        state = self.state()
        for key in ('owner_host', 'record', 'raw', 'holder',
                    'holder_liveness', 'unreadable_reason'):
            with self.subTest(key=key):
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
        self.assertTrue(self.state()['change_in_progress'])

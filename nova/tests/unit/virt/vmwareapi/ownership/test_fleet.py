"""A fleet's rows: show's object per cluster, joined with nova's records.

``sample`` is the fleet the rendering tests (``test_fleet_report``,
``test_metrics``, ``test_fleet_cli``) print too. Reading a vCenter is
tested against the simulator (functional ``test_list``).
"""

from oslotest import base

from nova.tests.unit.virt.vmwareapi.ownership import fakes
from nova.virt.vmwareapi.ownership.fleet import disagreement as dis
from nova.virt.vmwareapi.ownership.fleet import join
from nova.virt.vmwareapi.ownership import liveness
from nova.virt.vmwareapi.ownership import location as location_mod
from nova.virt.vmwareapi.ownership import nova_records
from nova.virt.vmwareapi.ownership import view as view_mod

UUID = '5a6e0e6c-0000-4000-8000-00000000beef'
HOLDER = 'cmp-a:4711:9f2c01ab'
EVIL = 'evil\n\u202e\x1b[2J'
"""A cluster name that would forge lines and reorder a terminal."""
REQUIRED_KEYS = ('cluster', 'cluster_moref', 'vcenter_uuid', 'attribute',
                 'this_host', 'owner_host', 'verdict', 'record', 'raw')


def cluster(name, moref, reading=None, record=None):
    location = location_mod.Location(name, fakes.VCENTER, cluster_moref=moref,
                                     attribute=fakes.ATTRIBUTE)
    view = (view_mod.written(record) if record is not None
            else view_mod.interpret(reading or view_mod.Reading(), location))
    return view_mod.Cluster(location, view_mod.lease_name(fakes.ATTRIBUTE,
                                                          moref), view)


def node(moref, host, uuid=fakes.NODE_A):
    return nova_records.Node(None, uuid, host,
                             nova_records.node_name(moref, UUID), None)


def sample(nova=True):
    """Six clusters, one of each kind; with nova's records, four disagree.

    ``C0`` held by compute-a (nova: compute-a and compute-c),
    ``C1`` unowned (nova: compute-b), ``C2`` unreadable, ``C3`` a change
    in progress, ``C4`` released by compute-b (nova: its node differs),
    ``C5`` owned by compute-a and agreeing, ``EVIL`` unowned.
    """
    clusters = [
        cluster('DC0_C0', 'domain-c7', record=fakes.record(
            fakes.HOST, holder=HOLDER, node=fakes.NODE_A).with_token(17)),
        cluster('DC0_C1', 'domain-c8'),
        cluster('DC0_C2', 'domain-c9', view_mod.Reading('two words', 5)),
        cluster('DC0_C3', 'domain-c10', view_mod.Reading(None, 5, 31)),
        cluster('DC0_C4', 'domain-c11', record=fakes.record(
            fakes.OTHER_HOST, node=fakes.NODE_A).with_token(21)),
        cluster('DC0_C5', 'domain-c12', record=fakes.record(
            fakes.HOST, node=fakes.NODE_B).with_token(23)),
        cluster(EVIL, 'domain-c13'),
    ]
    records = nova_records.NovaRecords([
        node('domain-c7', fakes.HOST), node('domain-c7', 'compute-c'),
        node('domain-c8', fakes.OTHER_HOST),
        node('domain-c11', fakes.OTHER_HOST, fakes.NODE_B),
        node('domain-c12', fakes.HOST, fakes.NODE_B),
        nova_records.Node(None, 'u', fakes.HOST,
                          'domain-c7.another-vcenter', None),
    ], frozenset([fakes.HOST, 'compute-c']))
    clock = fakes.FakeClock()
    watch = liveness.HolderWatch('me:1:ab', 180, clock.now, machine='here')
    return join.Fleet(clusters, UUID, fakes.ATTRIBUTE, fakes.HOST, watch,
                      fakes.WALL, records if nova else None)


def document(nova=True):
    found = sample(nova)
    return found.document(found.states())


class StatesTestCase(base.BaseTestCase):

    def by_name(self, nova=True):
        return {s['cluster']: s for s in document(nova)['clusters']}

    def test_each_row_is_shows_object(self):
        for state in document()['clusters']:
            for key in REQUIRED_KEYS:
                self.assertIn(key, state)
            self.assertEqual(UUID, state['vcenter_uuid'])
            self.assertEqual(fakes.HOST, state['this_host'])

    def test_states_and_verdicts(self):
        rows = self.by_name()
        self.assertEqual(
            [('held', 'owned-by-this-host', HOLDER, 'live'),
             ('unowned', 'unowned', None, None),
             ('unreadable', 'unreadable', None, None),
             ('unowned', 'unowned', None, None),
             ('released', 'owned-by-other-host', None, None),
             ('released', 'owned-by-this-host', None, None)],
            [(rows[name]['state'], rows[name]['verdict'],
              rows[name]['holder'], rows[name]['holder_liveness'])
             for name in ('DC0_C0', 'DC0_C1', 'DC0_C2', 'DC0_C3', 'DC0_C4',
                          'DC0_C5')])
        self.assertTrue(rows['DC0_C3']['locked'])
        self.assertEqual(31, rows['DC0_C3']['lease']['token'])
        self.assertEqual('two words', rows['DC0_C2']['raw'])

    def test_disagreements_and_fixes(self):
        rows = self.by_name()
        self.assertEqual(
            [[dis.TWO_NOVA_HOSTS], [dis.NO_RECORD], [], [],
             [dis.UNKNOWN_OWNER, dis.NODE_DIFFERS], [], []],
            [rows[name]['disagreements'] for name in
             ('DC0_C0', 'DC0_C1', 'DC0_C2', 'DC0_C3', 'DC0_C4', 'DC0_C5',
              EVIL)])
        self.assertEqual(['compute-a', 'compute-c'],
                         rows['DC0_C0']['nova_hosts'])
        self.assertEqual({dis.NO_RECORD}, set(rows['DC0_C1']['fixes']))

    def test_without_nova_no_join(self):
        for state in document(nova=False)['clusters']:
            for key in ('disagreements', 'fixes', 'nova_hosts'):
                self.assertNotIn(key, state)

    def test_document(self):
        found = document()
        self.assertEqual(UUID, found['vcenter_uuid'])
        self.assertEqual(fakes.ATTRIBUTE, found['attribute'])
        self.assertEqual('2026-11-25T12:00:00+00:00', found['read_at'])
        self.assertTrue(found['nova'])
        self.assertEqual(7, len(found['clusters']))


class DisagreementsTestCase(base.BaseTestCase):

    def test_counts_codes_and_clusters(self):
        error = join.disagreements(document()['clusters'])
        self.assertEqual({dis.TWO_NOVA_HOSTS: 1, dis.NO_RECORD: 1,
                          dis.UNKNOWN_OWNER: 1, dis.NODE_DIFFERS: 1},
                         error.counts)
        self.assertEqual((3, 7), (error.clusters, error.total))

    def test_none_when_nothing_disagrees(self):
        self.assertIsNone(join.disagreements(
            document(nova=False)['clusters']))
        self.assertIsNone(join.disagreements([]))


class StateOfTestCase(base.BaseTestCase):

    def test_words(self):
        self.assertEqual(['held', 'unowned', 'unreadable', 'unowned',
                          'released'],
                         [join.state_of(c.view)
                          for c in sample().clusters[:5]])

"""A fleet's rows: show's object per cluster, joined with nova's records.

On the sample fleet of ``support.sample_fleet``. Reading a vCenter is
tested against the simulator (functional ``test_list``).
"""

import dataclasses

from oslotest import base

from nova.virt.vmwareapi.ownership.fleet import disagreement as dis
from nova.virt.vmwareapi.ownership.fleet import join
from nova.virt.vmwareapi.ownership.fleet import scope as scope_mod
from nova.virt.vmwareapi.ownership import state as state_mod
from nova.virt.vmwareapi.ownership import view as view_mod
from support import fakes
from support import sample_fleet as samples

UUID, HOLDER, EVIL = samples.UUID, samples.HOLDER, samples.EVIL
REQUIRED_KEYS = samples.REQUIRED_KEYS
cluster, node = samples.cluster, samples.node
sample, document = samples.sample, samples.document


class StatesTestCase(base.BaseTestCase):

    def by_name(self, nova=True):
        return {s['cluster']: s for s in document(nova)['clusters']}

    def test_each_row_is_shows_object(self):
        for state in document()['clusters']:
            for key in REQUIRED_KEYS:
                with self.subTest(key=key):
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
        self.assertTrue(rows['DC0_C3']['change_in_progress'])
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

    def test_two_clouds_each_see_the_others_clusters_apart(self):
        # Each cloud's list --nova, with its own nova: nothing disagrees
        # (exit 0), and its namesake's cluster is not this host's.
        for cloud, expected in (
                (samples.EAST, [
                    ('held', 'owned-by-this-host', 'east'),
                    (join.OTHER_CLOUD, 'owned-by-other-host', None),
                    (join.OTHER_CLOUD, 'owned-by-other-host', None),
                    ('unowned', 'unowned', None)]),
                (None, [
                    (join.OTHER_CLOUD, 'owned-by-other-host', 'east'),
                    ('held', 'owned-by-this-host', None),
                    ('released', 'owned-by-other-host', None),
                    ('unowned', 'unowned', None)])):
            with self.subTest(cloud=cloud):
                found = samples.two_clouds(cloud)
                states = found.states()
                self.assertEqual(expected, [
                    (s['state'], s['verdict'], s['owner_cloud'])
                    for s in states])
                self.assertEqual([[]] * 4,
                                 [s['disagreements'] for s in states])
                self.assertIsNone(join.disagreements(states))
                self.assertEqual(cloud, found.document(states)['cloud'])
                self.assertEqual({cloud}, {s['this_cloud'] for s in states})

    def test_without_clouds_the_namesake_would_be_this_host(self):
        # What [vmware_ownership] cloud prevents: east's cluster read by
        # the default cloud as if the record named no cloud.
        found = samples.two_clouds(None)
        theirs = found.clusters[0]
        record = dataclasses.replace(theirs.view.record, cloud=None)
        blind = dataclasses.replace(found, clusters=[dataclasses.replace(
            theirs, view=view_mod.written(record))])
        (state,) = blind.states()
        self.assertEqual('owned-by-this-host', state['verdict'])

    def test_without_nova_no_join(self):
        for state in document(nova=False)['clusters']:
            for key in ('disagreements', 'fixes', 'nova_hosts'):
                with self.subTest(key=key):
                    self.assertNotIn(key, state)

    def test_each_row_says_where_the_cluster_is(self):
        rows = self.by_name()
        self.assertEqual(('DC0', '/DC0/host/DC0_C4'),
                         (rows['DC0_C4']['datacenter'],
                          rows['DC0_C4']['path']))

    def test_filters_that_chose_nothing(self):
        found = sample()
        self.assertIsNone(join.no_match(found))
        nothing = dataclasses.replace(
            found, clusters=(), scope=scope_mod.Scope(['DC9']),
            total=7)
        self.assertEqual(7, join.no_match(nothing).total)
        self.assertIsNone(join.no_match(dataclasses.replace(
            nothing, scope=scope_mod.Scope())))

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

    def test_another_clouds_record_has_a_state_of_its_own(self):
        theirs = view_mod.written(fakes.record(holder='m:1:a', cloud='east'))
        self.assertEqual(join.OTHER_CLOUD, join.state_of(theirs))
        self.assertEqual('held', join.state_of(theirs, 'east'))
        mine = view_mod.written(fakes.record())
        self.assertEqual(join.OTHER_CLOUD, join.state_of(mine, 'east'))
        self.assertEqual(state_mod.UNOWNED,
                         join.state_of(view_mod.View(view_mod.Reading()),
                                       'east'))

    def test_words(self):
        self.assertEqual(['held', 'unowned', 'unreadable', 'unowned',
                          'released'],
                         [join.state_of(c.view)
                          for c in sample().clusters[:5]])

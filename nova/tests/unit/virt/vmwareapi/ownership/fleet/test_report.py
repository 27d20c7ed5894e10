"""The text of ``list``: the table, changes in progress, disagreements."""

from oslotest import base

from nova.virt.vmwareapi.ownership.fleet import report as fleet_report
from nova.virt.vmwareapi.ownership.fleet import scope as scope_mod
from support import sample_fleet as samples

HOSTILE = ('\n', '\u202e', '\x1b')


class TextTestCase(base.BaseTestCase):

    def lines(self, nova=True):
        return fleet_report.text(samples.document(nova)).splitlines()

    def test_one_row_per_cluster_under_the_header(self):
        lines = self.lines(nova=False)
        header = lines[2].split()
        self.assertEqual(['CLUSTER', 'DATACENTER', 'MOREF', 'OWNER', 'STATE',
                          'HOLDER', 'SINCE', 'SEQ', 'NODE', 'VERDICT',
                          'LEASE', 'CHANGE'], header)
        rows = lines[3:10]
        self.assertEqual(['DC0_C0', 'DC0', 'domain-c7', 'compute-a', 'held',
                          samples.HOLDER, '2026-11-25T12:00:00Z', '5',
                          samples.fakes.NODE_A, 'owned-by-this-host', '17',
                          '-'], rows[0].split())
        self.assertEqual(['DC0_C3', 'DC0', 'domain-c10', '-', 'unowned', '-',
                          '-', '-', '-', 'unowned', '31', 'in-progress'],
                         rows[3].split())
        # Aligned: every column starts where its header does.
        start = lines[2].index('VERDICT')
        for row in rows[:6]:
            self.assertNotEqual(' ', row[start])
            self.assertEqual(' ', row[start - 1])

    def test_the_header_says_the_filters_and_the_cloud(self):
        found = samples.sample(False)
        found = samples.join.Fleet(
            found.clusters[:1], found.vcenter_uuid, found.attribute,
            found.this_host, found.watch, found.read_at, cloud='east',
            scope=scope_mod.Scope(['DC0'], ['Prod\n'], []), total=7)
        header = fleet_report.text(found.document(found.states()))
        self.assertIn('verdicts for host compute-a of cloud east, clusters '
                      'matching --datacenter DC0 --folder Prod\\n, read at',
                      header.splitlines()[0])
        self.assertNotIn('matching', self.lines()[0])

    def test_summary_and_change_in_progress(self):
        text = '\n'.join(self.lines(nova=False))
        self.assertIn('7 cluster(s): 1 held, 2 released, 3 unowned, '
                      '1 unreadable; 1 with a holder; 1 with a change in '
                      'progress.', text)
        self.assertIn('  DC0_C3 (domain-c10): lease openstack.nova.owner.'
                      'lease.domain-c10, key 31', text)
        self.assertNotIn('disagree', text)
        self.assertNotIn('NOVA', text)

    def test_disagreements_with_their_fixes(self):
        lines = self.lines()
        self.assertEqual(['NOVA', 'DISAGREES'], lines[2].split()[-2:])
        start = lines.index('Where nova and the ownership records '
                            'disagree:')
        found = lines[start + 1:]
        self.assertEqual(['DC0_C0 (domain-c7): two-nova-hosts:',
                          'DC0_C1 (domain-c8): no-record:',
                          'DC0_C4 (domain-c11): unknown-owner:',
                          'DC0_C4 (domain-c11): node-differs:'],
                         [' '.join(line.split()[:3]) for line in found])
        self.assertIn('"nova-vmware-owner --config-file <its nova.conf> '
                      'claim"', found[1])

    def test_agreement_is_said(self):
        document = samples.document()
        document['clusters'] = [s for s in document['clusters']
                                if not s['disagreements']]
        self.assertEqual('nova and the ownership records agree.',
                         fleet_report.text(document).splitlines()[-1])

    def test_vcenter_values_are_escaped(self):
        text = fleet_report.text(samples.document())
        for char in HOSTILE:
            with self.subTest(char=char):
                self.assertNotIn(char, text.replace('\n', ''))
        self.assertEqual(len(self.lines()), text.count('\n') + 1)
        self.assertIn('evil\\n\\u202e\\x1b[2J', text)

"""doctor's verdict table and the cost arithmetic, from plain values."""

from oslotest import base

from nova.virt.vmwareapi.ownership.doctor import checks
from nova.virt.vmwareapi.ownership import privileges
from support import fakes
from support import messages

OK, WARN, FAIL = checks.Verdict.OK, checks.Verdict.WARN, checks.Verdict.FAIL
ROOT, CLUSTER = privileges.ROOT_FOLDER, privileges.CLUSTER
WHERE = {ROOT: 'the root folder (group-d1)',
         CLUSTER: "cluster 'DC0_C0' (domain-c7)"}


class VerdictTableTestCase(base.BaseTestCase):
    """Each check's verdict for what was measured; a fix for each non-ok."""

    def assertVerdicts(self, table):
        for check, verdict, says in table:
            with self.subTest(check=check.name, detail=check.detail):
                self.assertIs(verdict, check.verdict)
                self.assertIn(says, check.detail)
                self.assertEqual(verdict is OK, check.fix is None)

    def test_connection_tls_login(self):
        error = Exception('Cannot reach vCenter at https://vc:443: refused')
        self.assertVerdicts([
            (checks.connection('vc:443', 0.002), OK, '2.0 ms'),
            (checks.connection('vc:443', error=error), FAIL, 'refused'),
            (checks.tls('verified', 'TLSv1.3'), OK, 'verified: TLSv1.3'),
            (checks.tls('insecure', 'TLSv1.3'), WARN, 'NOT verified'),
            (checks.tls('plain', 'http://vc'), WARN, 'plain HTTP'),
            (checks.tls('failed', None, error), FAIL, 'refused'),
            (checks.login('svc', 'VMware vCenter Server 8.0'), OK,
             "as 'svc' (VMware vCenter Server 8.0)"),
            (checks.login('svc', error=error), FAIL, 'refused'),
        ])

    def test_cluster_found_once(self):
        self.assertVerdicts([
            (checks.cluster('C', [('domain-c7', 'DC0')]), OK,
             "'C' (domain-c7) in datacenter DC0, found once"),
            (checks.cluster('C', []), FAIL, "no cluster named 'C'"),
            (checks.cluster('C', [('domain-c7', None)]), OK,
             "'C' (domain-c7), found once"),
            (checks.cluster('C', [('domain-c9', 'DC1'),
                                  ('domain-c7', 'DC0')]), WARN,
             "2 clusters are named 'C': domain-c9 in datacenter DC1, "
             "domain-c7 in datacenter DC0; nova's driver manages "
             'domain-c9, the first it finds'),
        ])

    def test_latency(self):
        # request_timeout 30: a renewal's two requests must fit.
        self.assertVerdicts([
            (checks.latency(0.006, 5, 30), OK, '6.0 ms'),
            (checks.latency(0.999, 5, 30), OK, '999.0 ms'),
            (checks.latency(1.0, 5, 30), WARN, 'median of 5 reads'),
            (checks.latency(14.9, 5, 30), WARN, '14900.0 ms'),
            (checks.latency(15.0, 5, 30), FAIL, '15000.0 ms'),
        ])
        self.assertIn('request timeout of 30 s',
                      checks.latency(15.0, 5, 30).fix)

    def test_clock_is_informational(self):
        self.assertVerdicts([
            (checks.clock(0.25), OK, '0.2 s ahead of'),
            (checks.clock(-3600), OK, '3600.0 s behind'),
        ])

    def test_privilege_where_vcenter_checks_it(self):
        manage = privileges.MANAGE_FIELDS
        self.assertVerdicts([
            (checks.privilege(manage, {ROOT: True, CLUSTER: False}, WHERE,
                              'svc'), OK, 'held on the root folder'),
            (checks.privilege(manage, {ROOT: False, CLUSTER: True}, WHERE,
                              'svc'), FAIL,
             "user 'svc' lacks it on the root folder (group-d1), where "
             'vCenter checks it'),
            (checks.privilege(privileges.SET_FIELD,
                              {ROOT: True, CLUSTER: False}, WHERE, 'svc'),
             FAIL, "lacks it on cluster 'DC0_C0' (domain-c7)"),
        ])
        failed = checks.privilege(manage, {ROOT: False, CLUSTER: True},
                                  WHERE, 'svc')
        self.assertEqual('privilege Global.ManageCustomFields', failed.name)
        self.assertIn('held on cluster', failed.detail)
        self.assertIn('Grant Global.ManageCustomFields (Global > Manage '
                      "custom attributes) to the role of user 'svc'",
                      failed.fix)

    def test_scratch_definitions(self):
        self.assertVerdicts([
            (checks.leftovers([]), OK, 'none left'),
            (checks.leftovers(['a.doctor.1']), WARN, 'a.doctor.1'),
            (checks.cleanup([]), OK, 'every scratch definition removed'),
            (checks.cleanup(['a.doctor.1']), FAIL, 'a.doctor.1'),
            (checks.not_checked('fencing', 'no privilege', 'grant'), WARN,
             'not checked: no privilege'),
        ])

    def test_events(self):
        produced = {'CustomFieldValueChangedEvent': 5,
                    'CustomFieldDefAddedEvent': 6}
        self.assertVerdicts([
            (checks.events(1.0, 2, 60, 180, produced), OK,
             '1 per renewal (measured over 2 renewals; the probe produced 6 '
             'CustomFieldDefAddedEvent, 5 CustomFieldValueChangedEvent): at '
             'renew_interval = 60 s, 1,440 per cluster per day, 43,200 '
             'kept'),
            (checks.events(None, 2, 60, 180, produced), WARN,
             'cannot tell what a renewal costs'),
            (checks.events(1.0, 2, 60, 180, {}), WARN, 'produced none'),
            (checks.events(0, 0, 60, 0, produced), OK,
             'lease_duration = 0: no renewals'),
        ])

    def test_nova_side(self):
        record = fakes.record(node=fakes.NODE_A)
        path = '/var/lib/nova/compute_id'
        self.assertVerdicts([
            (checks.host('compute-a'), OK, "'compute-a' is a host name"),
            (checks.host('compute a'), FAIL, 'is not a host name'),
            (checks.identity(path, None), OK, 'nova creates it'),
            (checks.identity(path, None, record=record,
                             this_host=fakes.HOST), OK,
             'restored from the record (node %s)' % fakes.NODE_A),
            (checks.identity(path, fakes.NODE_A, record=record,
                             this_host=fakes.HOST), OK, 'as the record'),
            (checks.identity(path, fakes.NODE_B, record=record,
                             this_host=fakes.HOST), FAIL,
             'names node %s: nova-compute refuses to start' % fakes.NODE_A),
            (checks.identity(path, fakes.NODE_B, record=record,
                             this_host=fakes.OTHER_HOST), OK, fakes.NODE_B),
            (checks.identity(path, None, error='x does not hold a uuid'),
             FAIL, 'x does not hold a uuid'),
            (checks.database('[database] connection'), OK, 'reachable'),
            (checks.database('[database] connection', Exception('gone')),
             FAIL, 'gone'),
        ])


class CostTestCase(base.BaseTestCase):

    def test_events_per_day(self):
        for per_renewal, interval, lease, per_day in (
                (1, 60, 180, 1440), (1, 30, 180, 2880), (2, 60, 180, 2880),
                (1, 90, 180, 960), (0.5, 60, 180, 720), (1, 60, 0, 0),
                (0, 60, 180, 0)):
            with self.subTest(per_renewal=per_renewal, interval=interval,
                              lease=lease):
                self.assertEqual(per_day, checks.events_per_day(
                    per_renewal, interval, lease))


class ReportTestCase(messages.MessageAssertions, base.BaseTestCase):

    def test_counts_failed_and_json(self):
        report = checks.Report(
            (('cluster', 'C'),),
            (checks.ok('a', 'fine'), checks.warn('b', 'hm', 'fix b'),
             checks.fail('c', 'bad', 'fix c', n=1)),
            ('nova\'s databases',), None)
        self.assertEqual({'ok': 1, 'warn': 1, 'fail': 1}, report.counts())
        self.assertEqual(('c',), report.failed())
        self.assertEqual({'cluster': 'C', 'counts': report.counts(),
                          'not_checked': ["nova's databases"],
                          'stopped': None, 'checks': [
                              {'name': 'a', 'verdict': 'ok', 'detail':
                               'fine', 'fix': None, 'values': {}},
                              {'name': 'b', 'verdict': 'warn', 'detail':
                               'hm', 'fix': 'fix b', 'values': {}},
                              {'name': 'c', 'verdict': 'fail', 'detail':
                               'bad', 'fix': 'fix c', 'values': {'n': 1}}]},
                         report.to_dict())

    def test_checks_failed(self):
        error = checks.ChecksFailed(names=('privilege Global.LogEvent',
                                           'clean-up'))
        self.assertSays(error, '2 check(s) failed: privilege '
                        'Global.LogEvent, clean-up.')

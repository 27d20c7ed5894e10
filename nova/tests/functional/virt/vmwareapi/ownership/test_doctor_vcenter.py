"""``doctor`` on a vCenter that does not let the fencing hold, for real.

A simulator per run option (tools/vcsim/README.rst): the restricted user
lacking the default privileges and each one alone; a vCenter that hands
out a removed key again or accepts a write through one (doctor must
fail: the fencing cannot hold there); vcsim's native ``NotFound`` (both
faults mean the same: ok); one cluster name in two datacenters (a
warning: nova manages the first).
"""

import json

from nova.tests.functional.virt.vmwareapi.ownership import test_doctor

DoctorTestCase = test_doctor.DoctorTestCase
verdicts = test_doctor.verdicts
WITHHELD = ('Global.ManageCustomFields', 'Global.SetCustomField',
            'Global.LogEvent')


class TestRestrictedUser(DoctorTestCase):
    """The restricted user lacking ``WITHHELD``: exit 4, each named."""

    SIMULATOR_OPTIONS = dict(DoctorTestCase.SIMULATOR_OPTIONS,
                             restricted=True)
    WITHHELD = WITHHELD

    def test_each_privilege_withheld_fails_by_name(self):
        before = self.snapshot()
        out = self.doctor(restricted=True)
        self.assertEqual(4, out.returncode, out.stdout + out.stderr)
        found = verdicts(out.stdout)
        user = self.simulator.restricted_username
        for privilege in ('System.Read',) + WITHHELD:
            with self.subTest(privilege=privilege):
                withheld = privilege in self.WITHHELD
                self.assertEqual('fail' if withheld else 'ok',
                                 found['privilege ' + privilege])
                if withheld:
                    self.assertIn('privilege %s: user %r lacks it'
                                  % (privilege, user), out.stdout)
                    self.assertIn('fix: Grant %s' % privilege, out.stdout)
        failed = ', '.join('privilege %s' % p for p in self.WITHHELD)
        self.assertIn('%d check(s) failed: %s.'
                      % (len(self.WITHHELD), failed), out.stderr)
        fencing = set(self.WITHHELD) & set(WITHHELD[:2])
        if fencing:
            # Without them the probe cannot run: not checked, not passed.
            self.assertEqual('warn', found['fencing'])
            self.assertEqual('warn', found['events'])
            self.assertNotIn('clean-up', found)
        else:
            self.assertEqual('ok', found['fencing: no key is handed out '
                                         'twice'])
            self.assertEqual('ok', found['events'])
        self.assertNothingLeft(before)


class TestWithoutManageCustomFields(TestRestrictedUser):

    SIMULATOR_OPTIONS = dict(TestRestrictedUser.SIMULATOR_OPTIONS,
                             withheld_privileges=[WITHHELD[0]])
    WITHHELD = WITHHELD[:1]


class TestWithoutSetCustomField(TestRestrictedUser):

    SIMULATOR_OPTIONS = dict(TestRestrictedUser.SIMULATOR_OPTIONS,
                             withheld_privileges=[WITHHELD[1]])
    WITHHELD = WITHHELD[1:2]


class TestWithoutLogEvent(TestRestrictedUser):

    SIMULATOR_OPTIONS = dict(TestRestrictedUser.SIMULATOR_OPTIONS,
                             withheld_privileges=[WITHHELD[2]])
    WITHHELD = WITHHELD[2:]


class Misbehaving:
    """A simulator that breaks what the fencing relies on: one fail.

    Mixed into a ``DoctorTestCase`` that sets the run option, the check
    that fails (``FAILS``) and what its line says (``SAYS``).
    """

    FAILS = None
    SAYS = None

    def test_the_fencing_fails_and_nothing_is_left(self):
        before = self.snapshot()
        out = self.doctor()
        self.assertEqual(4, out.returncode, out.stdout + out.stderr)
        found = verdicts(out.stdout)
        self.assertEqual([self.FAILS], [name for name, verdict in
                                        found.items() if verdict != 'ok'])
        self.assertIn(self.SAYS, out.stdout)
        self.assertIn('Fencing cannot hold on this vCenter', out.stdout)
        self.assertIn('1 check(s) failed: %s.' % self.FAILS, out.stderr)
        self.assertNothingLeft(before)


class TestReusedKeys(Misbehaving, DoctorTestCase):

    SIMULATOR_OPTIONS = dict(DoctorTestCase.SIMULATOR_OPTIONS,
                             reuse_removed_keys=True)
    FAILS = 'fencing: no key is handed out twice'
    SAYS = 'handed out again'


class TestStaleSetFieldAccepted(Misbehaving, DoctorTestCase):

    SIMULATOR_OPTIONS = dict(DoctorTestCase.SIMULATOR_OPTIONS,
                             accept_stale_setfield=True)
    FAILS = 'fencing: a write through a removed key is refused'
    SAYS = 'vCenter accepted it (it wrote nothing)'


class TestNativeFaults(DoctorTestCase):
    """vcsim's ``NotFound`` for a removed key is a refusal like vCenter's."""

    SIMULATOR_OPTIONS = dict(DoctorTestCase.SIMULATOR_OPTIONS,
                             native_faults=True)

    def test_all_ok(self):
        out = self.doctor()
        self.assertEqual(0, out.returncode, out.stdout + out.stderr)
        self.assertEqual({'ok'}, set(verdicts(out.stdout).values()))
        self.assertIn('refused (NotFound: govmomi\'s simulator; vCenter '
                      'answers InvalidArgument', out.stdout)


class TestAmbiguousCluster(DoctorTestCase):
    """One cluster name in two datacenters (vSphere allows it)."""

    SIMULATOR_OPTIONS = dict(DoctorTestCase.SIMULATOR_OPTIONS, clusters=1,
                             datacenters=2)

    def test_names_the_datacenters_and_goes_on_with_novas(self):
        other = self.cluster('DC1/host/DC1_C0')
        self.session.wait_for_task(self.vim().Rename_Task(
            other, newName='DC0_C0'))
        self.addCleanup(lambda: self.session.wait_for_task(
            self.vim().Rename_Task(other, newName='DC1_C0')))
        before = self.snapshot()
        out = self.doctor('--format', 'json')
        self.assertEqual(0, out.returncode, out.stdout + out.stderr)
        checks = {c['name']: c for c in json.loads(out.stdout)['checks']}
        cluster = checks['cluster']
        self.assertEqual('warn', cluster['verdict'])
        # nova's driver manages the first in vCenter's order: DC0's here.
        nova_s = self.cluster().value
        self.assertEqual([nova_s, other.value], cluster['values']['morefs'])
        for moref, datacenter in ((nova_s, 'DC0'), (other.value, 'DC1')):
            self.assertIn('%s in datacenter %s' % (moref, datacenter),
                          cluster['detail'])
        self.assertIn("nova's driver manages %s" % nova_s, cluster['detail'])
        # The checks went on, on nova's cluster: its record was read.
        self.assertIn('latency', checks)
        self.assertNothingLeft(before)

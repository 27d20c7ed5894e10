"""doctor's text: one escaped line per check, its fix, the summary."""

from oslotest import base

from nova.virt.vmwareapi.ownership.doctor import checks
from nova.virt.vmwareapi.ownership.doctor import report
from support import messages

ABOUT = (('vcenter', 'https://vc:443'), ('user', 'svc'),
         ('cluster', 'DC0_C0'), ('attribute', 'openstack.nova.owner'),
         ('scratch', 'openstack.nova.owner.doctor.0a1b2c3d'))


class ReportTextTestCase(base.BaseTestCase):

    def test_heading(self):
        self.assertEqual(
            "nova-vmware-owner doctor: cluster 'DC0_C0' on vCenter "
            "https://vc:443, as user 'svc', attribute 'openstack.nova.owner' "
            '(scratch definitions openstack.nova.owner.doctor.0a1b2c3d*)',
            report.heading(ABOUT))

    def test_lines(self):
        self.assertEqual('ok    latency: 6 ms',
                         report.line(checks.ok('latency', '6 ms')))
        self.assertEqual('fail  clean-up: left x\n      fix: remove x',
                         report.line(checks.fail('clean-up', 'left x',
                                                 'remove x')))

    def test_a_line_is_escaped(self):
        line = report.line(checks.warn('scratch definitions',
                                       'a' + messages.HOSTILE, 'fix'))
        self.assertEqual(2, len(line.splitlines()))
        self.assertTrue(all(part.isprintable()
                            for part in line.splitlines()))

    def test_summary(self):
        done = checks.Report(ABOUT, (checks.ok('a', 'x'),
                                     checks.fail('b', 'y', 'z')),
                             ('nova\'s databases (nova is not installed '
                              'here)',), 'Cannot reach vCenter')
        self.assertEqual('2 checks: 1 ok, 0 warn, 1 fail.\n'
                         "Not checked: nova's databases (nova is not "
                         'installed here).\nStopped: Cannot reach vCenter',
                         report.summary(done))

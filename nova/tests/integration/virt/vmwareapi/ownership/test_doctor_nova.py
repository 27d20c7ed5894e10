"""``doctor``'s nova side with nova installed: its databases.

The command as an operator runs it, in a process of its own, with
nova-manage's configuration (SQLite files made by nova's own migrations,
``benchmarks/_novadb.py``) besides nova-compute's ``[vmware]``: each
database that is set is reached once through nova's objects; one that
cannot be used fails its line (exit 4), naming the option, never the URL.
"""

import os
import subprocess
import sys

import fixtures

import support
from support import base

NOVADB = os.path.join(support.REPO_ROOT, 'benchmarks', '_novadb.py')


class DoctorNovaTestCase(base.SimulatorTestCase):

    SIMULATOR_OPTIONS = {'clusters': 1, 'hosts': 1, 'vms': 0}

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path

    def doctor(self, nova_conf):
        return self.run_command(
            '--config-file', nova_conf, '--config-file',
            self.config_file('host-a'), 'doctor', timeout=120)

    def lines(self, out):
        """The lines of the database checks."""
        return [line for line in out.stdout.splitlines()
                if line[6:].startswith(('nova: [database]',
                                        'nova: [api_database]'))]

    def test_databases_reachable(self):
        conf = subprocess.run([sys.executable, NOVADB, self.dir],
                              check=True, capture_output=True, text=True,
                              timeout=120).stdout.strip()
        out = self.doctor(conf)
        self.assertEqual(0, out.returncode, out.stdout + out.stderr)
        self.assertEqual(
            ['ok    nova: [api_database] connection: reachable through '
             "nova's objects",
             'ok    nova: [database] connection: reachable through nova\'s '
             'objects'], self.lines(out))
        self.assertNotIn('Not checked', out.stdout)

    def test_a_database_that_cannot_be_used_fails_its_line(self):
        missing = os.path.join(self.dir, 'absent', 'nova.sqlite')
        conf = os.path.join(self.dir, 'nova.conf')
        with open(conf, 'w') as f:
            f.write('[DEFAULT]\ntransport_url = fake:/\n[database]\n'
                    'connection = sqlite:///%s\n' % missing)
        out = self.doctor(conf)
        self.assertEqual(4, out.returncode, out.stdout + out.stderr)
        (line,) = self.lines(out)
        self.assertTrue(line.startswith(
            "fail  nova: [database] connection: Cannot use nova's database "
            'of [database] connection: OperationalError'), line)
        self.assertNotIn(missing, out.stdout)
        self.assertIn('1 check(s) failed: nova: [database] connection',
                      out.stderr)

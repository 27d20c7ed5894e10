"""The ``nova-vmware-owner rehome`` console script against nova's databases.

The command runs as an operator runs it, in a process of its own, with a
configuration file like nova-manage's: on SQLite files made by nova's own
migrations and filled through nova's objects (``benchmarks/_novadb.py``),
since it cannot reach the in-memory databases of nova's test harness.
"""

import json
import os
import subprocess
import sys

import fixtures
import testtools

import support

NOVADB = os.path.join(support.REPO_ROOT, 'benchmarks', '_novadb.py')
COMMAND = os.path.join(sys.prefix, 'bin', 'nova-vmware-owner')
TIMEOUT = 120
"""Seconds any one process may take (a hang fails the test)."""


class RehomeCommandTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path

    def command(self, conf, *args):
        return subprocess.run(
            [COMMAND, '--config-file', conf] + list(args),
            stdin=subprocess.DEVNULL, capture_output=True, text=True,
            timeout=TIMEOUT, env=dict(os.environ,
                                      NOVA_VMWARE_OWNER_DEBUG='0'))

    def rehome(self, conf, *args):
        return self.command(conf, 'rehome', '--from', 'host-a', '--to',
                            'host-b', *args)

    def assert_one_paragraph(self, out, code, needle):
        self.assertEqual(code, out.returncode, out.stderr)
        self.assertNotIn('Traceback', out.stderr)
        errors = [line for line in out.stderr.splitlines()
                  if line.startswith('nova-vmware-owner: ')]
        self.assertEqual(1, len(errors), out.stderr)
        self.assertIn(needle, errors[0])

    def write(self, text):
        path = os.path.join(self.dir, 'nova.conf')
        with open(path, 'w') as f:
            f.write(text)
        return path

    def test_database_option_missing(self):
        conf = self.write('[DEFAULT]\ntransport_url = fake:/\n')
        self.assert_one_paragraph(self.rehome(conf, '--yes'), 2,
                                  '[database] connection: the option is not '
                                  'set')

    def test_database_unusable(self):
        missing = os.path.join(self.dir, 'absent', 'nova.sqlite')
        conf = self.write(
            '[DEFAULT]\ntransport_url = fake:/\n[database]\n'
            'connection = sqlite:///%s\n[api_database]\n'
            'connection = sqlite:///%s\n' % (missing, missing))
        self.assert_one_paragraph(self.rehome(conf, '--yes'), 2,
                                  "Cannot use nova's database of [database] "
                                  'connection: OperationalError')

    def test_refuse_without_terminal_then_dry_run_move_and_no_op(self):
        conf = subprocess.run(
            [sys.executable, NOVADB, self.dir, '--instances', '2'],
            check=True, capture_output=True, text=True,
            timeout=TIMEOUT).stdout.strip()

        out = self.rehome(conf)
        self.assert_one_paragraph(out, 4, 'stdin is not a terminal and '
                                  '--yes was not given')

        out = self.rehome(conf, '--dry-run', '--format', 'json')
        self.assertEqual(0, out.returncode, out.stderr)
        state = json.loads(out.stdout)
        self.assertEqual(
            ['aggregate', 'host_mapping', 'instance', 'instance', 'service',
             'compute_node'], [c['kind'] for c in state['changes']])
        self.assertFalse(state['changed'])
        self.assertIn('[vmware] is not configured', state['notes'][0])

        out = self.rehome(conf, '--yes')
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertIn('Moved 6 record(s) from host host-a to host host-b',
                      out.stdout)
        self.assertIn('nova-vmware-owner: re-homed the nova records of '
                      'domain-c8', out.stderr)

        out = self.rehome(conf, '--yes')
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertIn('Nothing to do', out.stdout)

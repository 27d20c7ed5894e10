"""The ``nova-vmware-owner rehome`` console script against nova's databases.

The command runs as an operator runs it, in a process of its own, with a
configuration file like nova-manage's: on SQLite files made by nova's own
migrations and filled through nova's objects (``benchmarks/_novadb.py``),
since it cannot reach the in-memory databases of nova's test harness.

Those files are also where a failed write shows that a move is all or
nothing. In nova's harness under eventlet (nova 31 to 33, nova 34 with
eventlet) a cell database is in memory, one SQLite connection shared by
the whole process (oslo.db's StaticPool), and nova's compute node queries
open a connection of their own outside the caller's transaction: on that
shared connection their commit ends the transaction ``rehome`` has open,
and its later writes commit one by one. A database of nova-manage's, as
here (or MySQL, PostgreSQL), gives each connection its own transaction.
"""

import contextlib
import json
import os
import sqlite3
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

    def rehome(self, conf, *args, old='host-a', new='host-b'):
        return self.command(conf, 'rehome', '--from', old, '--to', new,
                            *args)

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

    def novadb(self, *args):
        """nova's databases of a stopped host-a; returns its nova.conf.

        :param args: ``_novadb.py``'s options (default: two instances)
        """
        return subprocess.run(
            [sys.executable, NOVADB, self.dir] + list(args or (
                '--instances', '2')), check=True, capture_output=True,
            text=True, timeout=TIMEOUT).stdout.strip()

    def databases(self):
        """Everything both databases hold, as SQL."""
        dumps = []
        for name in ('nova.sqlite', 'nova_api.sqlite'):
            with contextlib.closing(sqlite3.connect(
                    os.path.join(self.dir, name))) as db:
                dumps.append(list(db.iterdump()))
        return dumps

    def test_refuse_without_terminal_then_dry_run_move_and_no_op(self):
        conf = self.novadb()

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

    def test_refusals_write_nothing(self):
        conf = self.novadb('--node', 'host-a=domain-c8.vc',
                           '--node', 'host-c=domain-c9.vc')
        before = self.databases()
        for old, new, needle in (
                ('host-x', 'host-b', "nova has no nova-compute service and "
                 "no compute node of host 'host-x'"),
                ('host-a', 'host-c', "Refusing to rehome to host 'host-c': "
                 'nova already has records of its own for it')):
            with self.subTest(old=old, new=new):
                out = self.rehome(conf, '--yes', old=old, new=new)
                self.assert_one_paragraph(out, 4, needle)
                self.assertEqual(before, self.databases())

    def test_failed_write_writes_nothing_and_a_second_run_completes(self):
        conf = self.novadb()
        cell = os.path.join(self.dir, 'nova.sqlite')
        # The database fails the second instance's move, as a database
        # that goes away in the middle of the move would.
        with contextlib.closing(sqlite3.connect(cell)) as db:
            db.execute(FAIL_SECOND_MOVE)
            db.commit()
        before = self.databases()

        out = self.rehome(conf, '--yes')
        self.assert_one_paragraph(out, 1, 'database went away')
        self.assertEqual(before, self.databases())

        with contextlib.closing(sqlite3.connect(cell)) as db:
            db.execute('DROP TRIGGER fail_second_move')
            db.commit()
        out = self.rehome(conf, '--yes')
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertIn('Moved 6 record(s) from host host-a to host host-b',
                      out.stdout)


FAIL_SECOND_MOVE = """
CREATE TRIGGER fail_second_move BEFORE UPDATE OF host ON instances
WHEN NEW.host = 'host-b' AND
     (SELECT count(*) FROM instances WHERE host = 'host-b') >= 1
BEGIN
    SELECT RAISE(ABORT, 'database went away');
END
"""

"""The command's logging: oslo.log's destinations, the console kept clean.

Through ``cli.main`` on the in-memory store: the audit line of a change
reaches the log file and syslog, a library's retry never reaches the
console, ``--debug`` without a destination shows log lines on stderr
(never on stdout, which holds the result), and the traceback of an
unexpected error goes to the configured log file.
"""

import json
import logging

import fixtures

from nova.tests.unit.virt.vmwareapi.ownership.cli import test_main
from nova.virt.vmwareapi.ownership.cli import logs
from nova.virt.vmwareapi.ownership.cli import main as cli
from nova.virt.vmwareapi.ownership import operations

AUDIT = 'nova-vmware-owner: claimed DC0_C0: owner (none) -> compute-a'
RETRY = 'Retrying the call (a library talking)'


class LogsTestCase(test_main.CliTestCase):

    def setUp(self):
        super().setUp()
        self.connect = self.on_the_store()

        def library_retries(*args, **kwargs):
            logging.getLogger('oslo_vmware.api').warning(RETRY)
            logging.getLogger('oslo_vmware.api').debug('a debug line')
            return self.store_context(*args)

        self.store_context = self.connect.side_effect
        self.connect.side_effect = library_retries
        self.log_file = self.tmp.join('command.log')

    def logged(self):
        with open(self.log_file) as f:
            return f.read()

    def test_the_audit_line_in_the_log_file_and_on_the_console(self):
        self.assertEqual(cli.EXIT_OK,
                         self.main('--log-file', self.log_file, 'claim'))
        self.assertIn(AUDIT, self.logged())
        self.assertIn(RETRY, self.logged())
        self.assertIn('INFO %s' % operations.__name__, self.logged())
        self.assertEqual(1, self.stderr.getvalue().count(AUDIT))
        self.assertNotIn(RETRY, self.stderr.getvalue())
        self.assertNotIn(RETRY, self.stdout.getvalue())
        self.assertEqual([self.log_file], logs.log_files())

    def test_the_log_dir_of_nova_conf(self):
        # As nova-manage: [DEFAULT] log_dir gives <log_dir>/<program>.log.
        path = self.config()
        with open(path, 'a') as f:
            f.write('[DEFAULT]\nlog_dir = %s\n' % self.tmp.path)
        self.assertEqual(cli.EXIT_OK, self.main('claim', config=path))
        (found,) = logs.log_files()
        self.assertEqual(self.tmp.path, found.rsplit('/', 1)[0])
        with open(found) as f:
            self.assertIn(AUDIT, f.read())

    def test_syslog(self):
        syslog = self.useFixture(fixtures.MockPatch('syslog.syslog')).mock
        self.useFixture(fixtures.MockPatch('syslog.openlog'))
        self.assertEqual(cli.EXIT_OK, self.main('--use-syslog', 'claim'))
        sent = [call.args[1] for call in syslog.call_args_list]
        self.assertTrue([line for line in sent if AUDIT in line], sent)
        self.assertEqual(1, self.stderr.getvalue().count(AUDIT))

    def test_no_destination_keeps_library_lines_off_the_console(self):
        self.assertEqual(cli.EXIT_OK, self.main('--format', 'json', 'show'))
        self.assertEqual('unowned',
                         json.loads(self.stdout.getvalue())['verdict'])
        self.assertEqual('', self.stderr.getvalue())

    def test_debug_without_destination_on_stderr_only(self):
        self.assertEqual(cli.EXIT_OK, self.main('--debug', '--format',
                                                'json', 'claim'))
        json.loads(self.stdout.getvalue())  # nothing but the result
        err = self.stderr.getvalue()
        self.assertIn('WARNING oslo_vmware.api: ' + RETRY, err)
        self.assertIn('DEBUG oslo_vmware.api: a debug line', err)
        self.assertEqual(1, err.count(AUDIT))

    def test_debug_with_a_log_file_logs_there(self):
        self.assertEqual(cli.EXIT_OK, self.main(
            '--debug', '--log-file', self.log_file, 'claim'))
        self.assertIn('a debug line', self.logged())
        self.assertNotIn('a debug line', self.stderr.getvalue())

    def test_the_traceback_of_an_unexpected_error_in_the_log_file(self):
        self.connect.side_effect = RuntimeError('surprise')
        self.assertEqual(cli.EXIT_ERROR,
                         self.main('--log-file', self.log_file, 'show'))
        self.assertOneParagraph(self.stderr.getvalue(), 'This is a bug',
                                'logged in %s' % self.log_file)
        self.assertIn('Traceback', self.logged())
        self.assertIn('RuntimeError: surprise', self.logged())

    def test_use_stderr_of_nova_conf_does_not_flood_the_console(self):
        path = self.config()
        with open(path, 'a') as f:
            f.write('[DEFAULT]\nuse_stderr = true\n')
        self.assertEqual(cli.EXIT_OK, self.main('show', config=path))
        self.assertEqual('', self.stderr.getvalue())

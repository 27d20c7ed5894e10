"""What ``main`` checks before anything is opened, and its own options.

Every finding of issue 22 on the command line's edges, reproduced: each
local mistake is named in one paragraph with exit 2 before any
connection (``Context.connect`` must not be called), ``--format`` is
accepted in either position for every format of every command,
``--version`` and ``--help`` are the program's own.
"""

import io
import sys
from unittest import mock

import fixtures

from nova.tests.unit.virt.vmwareapi.ownership.cli import test_main
from nova.virt.vmwareapi.ownership.cli import context
from nova.virt.vmwareapi.ownership.cli import main as cli
from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors

NOT_CONNECTED = 'sentinel: connecting was tried'


class LocalChecksTestCase(test_main.CliTestCase):
    """Local mistakes: exit 2 and one paragraph, nothing opened."""

    def setUp(self):
        super().setUp()
        self.connect = self.useFixture(fixtures.MockPatchObject(
            context.Context, 'connect', autospec=True,
            side_effect=AssertionError(NOT_CONNECTED))).mock

    def assertRefusedLocally(self, code, *parts):
        self.assertEqual(cli.EXIT_USAGE, code, self.stderr.getvalue())
        self.assertOneParagraph(self.stderr.getvalue(), *parts)
        self.connect.assert_not_called()
        self.assertEqual('', self.stdout.getvalue())

    def test_a_bad_value_names_group_option_value_choices_and_file(self):
        path = self.config('mode = enforced')
        self.assertRefusedLocally(
            self.main('show', config=path), '[vmware_ownership] mode',
            "'enforced'", 'enforce, audit, disabled', path)
        self.assertNotIn('LocationInfo', self.stderr.getvalue())

    def test_a_bad_number(self):
        path = self.config('lease_duration = soon')
        self.assertRefusedLocally(self.main('check', config=path),
                                  '[vmware_ownership] lease_duration',
                                  "'soon'", path)

    def test_a_host_that_is_no_host_name(self):
        path = self.config()
        with open(path) as f:
            text = f.read().replace('host = compute-a', 'host = compute a')
        with open(path, 'w') as f:
            f.write(text)
        self.assertRefusedLocally(self.main('show', config=path),
                                  '[DEFAULT] host', "'compute a'", path)

    def test_command_arguments_before_any_connection(self):
        for argv, option in (
                (('claim', '--host', 'bad host!'), '--host'),
                (('takeover', '--host', 'bad host!'), '--host'),
                (('takeover', '--observe', '-1'), '--observe'),
                (('takeover', '--observe', 'nan'), '--observe'),
                (('rehome', '--from', 'a b', '--to', 'c'), '--from'),
                (('rehome', '--from', 'a', '--to', 'a'), '--to')):
            with self.subTest(argv=argv):
                self.stderr.seek(0)
                self.stderr.truncate()
                self.assertRefusedLocally(self.main(*argv), option)

    def test_a_log_file_that_cannot_be_written(self):
        self.assertRefusedLocally(
            self.main('--log-file', self.tmp.join('no', 'such', 'dir.log'),
                      'show'), '[DEFAULT] log_file', 'cannot log there')

    def test_shell_completion_is_refused_and_not_offered(self):
        for shell in ('bash', 'zsh'):
            with self.subTest(shell=shell):
                self.stderr.seek(0)
                self.stderr.truncate()
                self.assertRefusedLocally(
                    cli.main(['--shell_completion', shell]),
                    '--shell_completion')
        self.assertEqual(cli.EXIT_OK, cli.main(['--help']))
        self.assertNotIn('shell_completion', self.stdout.getvalue())


class FormatTestCase(test_main.CliTestCase):
    """``--format`` in either position, every format of every command."""

    def setUp(self):
        super().setUp()
        # A command that got past the format reaches its context.
        self.useFixture(fixtures.MockPatchObject(
            context.Context, 'connect', autospec=True,
            side_effect=vsphere_errors.VCenterUnreachable(
                endpoint='vc', reason=NOT_CONNECTED)))
        self.useFixture(fixtures.MockPatchObject(
            context.NovaDatabases, 'open', autospec=True,
            side_effect=vsphere_errors.VCenterUnreachable(
                endpoint='vc', reason=NOT_CONNECTED)))

    def argv(self, command):
        return {'rehome': ('rehome', '--from', 'a', '--to', 'b')}.get(
            command.name, (command.name,))

    def test_every_format_in_either_position(self):
        for command in cli.COMMANDS:
            for fmt in cli.FORMATS:
                for before in (True, False):
                    with self.subTest(command=command.name, fmt=fmt,
                                      before=before):
                        self.stderr.seek(0)
                        self.stderr.truncate()
                        argv = self.argv(command)
                        argv = (('--format', fmt) + argv if before
                                else argv + ('--format', fmt))
                        self.assertEqual(cli.EXIT_USAGE, self.main(*argv))
                        if fmt in command.formats:
                            # doctor measures its own connection (here:
                            # refused), the others go through the context.
                            self.assertOneParagraph(
                                self.stderr.getvalue(),
                                'Cannot reach vCenter'
                                if command.name == 'doctor'
                                else NOT_CONNECTED)
                        else:
                            self.assertOneParagraph(
                                self.stderr.getvalue(), '(--format)',
                                '%s prints %s' % (
                                    command.name,
                                    ' or '.join(command.formats)))

    def test_an_unknown_format(self):
        for argv in (('--format', 'yaml', 'show'),
                     ('show', '--format', 'yaml')):
            with self.subTest(argv=argv):
                self.stderr.seek(0)
                self.stderr.truncate()
                self.assertEqual(cli.EXIT_USAGE, self.main(*argv))
                self.assertOneParagraph(self.stderr.getvalue(), "'yaml'")


class VersionAndHelpTestCase(test_main.CliTestCase):

    def test_version_from_the_installed_distribution(self):
        with mock.patch.object(cli.metadata, 'version', autospec=True,
                               return_value='1.2.3') as version:
            self.assertEqual(cli.EXIT_OK, cli.main(['--version']))
        version.assert_called_once_with('nova-vmware-owner')
        self.assertEqual('1.2.3', self.stdout.getvalue().strip())

    def test_version_from_a_source_tree(self):
        with mock.patch.object(
                cli.metadata, 'version', autospec=True,
                side_effect=cli.metadata.PackageNotFoundError('x')):
            self.assertEqual('unknown (not installed)', cli.version())

    def help_of(self, *argv):
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', io.StringIO()))
        self.assertEqual(cli.EXIT_OK, cli.main(list(argv) + ['--help']))
        return ' '.join(sys.stdout.getvalue().split())

    def test_every_help_names_its_options_in_words(self):
        text = self.help_of()
        for option in ('--debug', '--log-file', '--use-syslog',
                       '--use-journal', '--log-config-append', '--version',
                       '--cluster-moref', '--format {text,json,prometheus}'):
            self.assertIn(option, text)
        for command in cli.COMMANDS:
            with self.subTest(command=command.name):
                text = self.help_of(command.name)
                self.assertIn('--format {%s}' % ','.join(command.formats),
                              text)
                self.assertNotIn('takeover for', text)
        self.assertIn('HOST The nova-compute host', self.help_of(
            'takeover'))

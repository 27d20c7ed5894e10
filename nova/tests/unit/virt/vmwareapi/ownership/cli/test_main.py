"""The operator command: exit codes, one-paragraph errors, the log file.

``cli.main`` runs with real argument and configuration parsing; where a
test needs a cluster, ``Context.connect`` is replaced by a context around
the in-memory store (nothing here connects to anything).
"""

import inspect
import io
import json
import logging
import os
import sys
from unittest import mock

import fixtures
from oslotest import base

from nova.virt.vmwareapi.ownership.cli import context
from nova.virt.vmwareapi.ownership.cli import logs
from nova.virt.vmwareapi.ownership.cli import main as cli
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import operations
from nova.virt.vmwareapi.ownership import opts
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import refusals
from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors
from support import fakes

PASSWORD = 's3cret-Pa55'
HOST = fakes.HOST
LOCATION = fakes.location()
CONFIG = """[DEFAULT]
host = compute-a
[vmware]
host_ip = 127.0.0.1
host_port = 9
host_username = admin
host_password = %(password)s
cluster_name = DC0_C0
%(vmware)s
[vmware_ownership]
%(ownership)s
"""

# Every exception class and its exit code (doc/source/troubleshooting.rst).
EXIT_CODES = {
    exceptions.OwnershipError('x'): cli.EXIT_ERROR,
    exceptions.OwnershipLost(
        location=LOCATION, holder='m:1:a', what='lost'): cli.EXIT_ERROR,
    exceptions.ConfigurationError(
        options=('[x] y',), problem='bad'): cli.EXIT_USAGE,
    exceptions.UnsupportedNovaRelease(
        version='29.4.0', release='2024.1', reason='r',
        supported='s'): cli.EXIT_ERROR,
    exceptions.VCenterError('x'): cli.EXIT_USAGE,
    vsphere_errors.VCenterUnreachable(
        endpoint='vc', reason='refused'): cli.EXIT_USAGE,
    vsphere_errors.VCenterLoginFailed(
        endpoint='vc', username='u'): cli.EXIT_USAGE,
    exceptions.MissingPrivilege(privilege='Global.SetCustomField',
                                operation='SetField'): cli.EXIT_USAGE,
    vsphere_errors.ClusterNotFound(cluster='c', vcenter='vc'): cli.EXIT_USAGE,
    vsphere_errors.AnswerNotUnderstood(
        operation='RetrievePropertiesEx', endpoint='vc', unknown='type X',
        api_version='6.5'): cli.EXIT_USAGE,
    exceptions.VCenterFault(operation='SetField', fault='X'): cli.EXIT_USAGE,
    exceptions.DuplicateName(operation='AddCustomFieldDef',
                             fault='DuplicateName'): cli.EXIT_USAGE,
    exceptions.DefinitionGone(
        operation='SetField', fault='InvalidArgument'): cli.EXIT_USAGE,
    exceptions.WriteUnconfirmed(endpoint='vc', operation='SetField',
                                reason='no answer'): cli.EXIT_USAGE,
    exceptions.ChangeOutcomeUnknown(
        location=LOCATION, what='x', reason='y',
        read_error='z'): cli.EXIT_USAGE,
    vsphere_errors.NotFound(operation='x', fault='NotFound'): cli.EXIT_USAGE,
    vsphere_errors.InvalidArgument(operation='x', fault='InvalidArgument'):
        cli.EXIT_USAGE,
    vsphere_errors.ManagedObjectNotFound(operation='x',
                                         fault='ManagedObjectNotFound'):
        cli.EXIT_USAGE,
    refusals.ClusterOwnedByAnotherHost(
        location=LOCATION, owner='b', this_host='a'):
        cli.EXIT_OTHER_HOST,
    refusals.ClusterOwnedByAnotherCloud(
        location=LOCATION, owner='a', owner_cloud='east', this_host='a'):
        cli.EXIT_OTHER_HOST,
    refusals.NotTheOwner(
        location=LOCATION, owner='b', this_host='a'): cli.EXIT_OTHER_HOST,
    exceptions.OwnershipRefused('x'): cli.EXIT_NEEDS_FORCE,
    refusals.UnreadableRecord(raw='{x', reason='bad'): cli.EXIT_NEEDS_FORCE,
    refusals.NodeIdentityMismatch(
        location=LOCATION, recorded='n1', local='n2'):
        cli.EXIT_NEEDS_FORCE,
    refusals.ClusterHeldByAnotherProcess(
        location=LOCATION, holder='m:1:a', this_host='a'):
        cli.EXIT_NEEDS_FORCE,
    refusals.HolderIsAlive(
        location=LOCATION, holder='m:1:a', observed_seconds=3):
        cli.EXIT_NEEDS_FORCE,
    refusals.ClusterNodeOnAnotherHost(
        node_name='domain-c7.vc', node_uuid='n1', owner='b', this_host='a'):
        cli.EXIT_NEEDS_FORCE,
    refusals.ConfirmationRequired(
        command='takeover', reason='no'): cli.EXIT_NEEDS_FORCE,
    exceptions.RecordChanged(
        location=LOCATION, what='raced'): cli.EXIT_CONFLICT,
    exceptions.RecordBusy(
        location=LOCATION, waited=90, lease_attribute='lease'):
        cli.EXIT_CONFLICT,
}


class ExitCodeTestCase(base.BaseTestCase):

    def test_codes(self):
        self.assertEqual((0, 1, 2, 3, 4, 5),
                         (cli.EXIT_OK, cli.EXIT_ERROR, cli.EXIT_USAGE,
                          cli.EXIT_OTHER_HOST, cli.EXIT_NEEDS_FORCE,
                          cli.EXIT_CONFLICT))

    def test_every_exception_class_has_its_code(self):
        # The core's, its refusals and vCenter's; the others' are tested
        # with their commands (test_rehome_cli, test_fleet_cli).
        classes = {cls for module in (exceptions, refusals, vsphere_errors)
                   for _, cls in inspect.getmembers(module, inspect.isclass)
                   if issubclass(cls, exceptions.OwnershipError) and
                   not cls.__name__.startswith('_')}
        self.assertEqual(classes, {type(e) for e in EXIT_CODES})
        for error, code in EXIT_CODES.items():
            with self.subTest(error=type(error).__name__):
                self.assertEqual(code, cli.exit_code_for(error))

    def test_not_ours(self):
        self.assertEqual(cli.EXIT_ERROR, cli.exit_code_for(ValueError('x')))


class LoggingState(fixtures.Fixture):
    """Give ``main`` fresh loggers and restore them afterwards.

    ``main`` sets up oslo.log, which replaces the root logger's handlers
    (a log file, syslog), and points the audit logger at the stderr of
    the moment; the traceback logger gets a file handler for a moment.
    """

    NAMES = (None, operations.__name__, cli.__name__, logs.__name__)

    def _setUp(self):
        for name in self.NAMES:
            logger = logging.getLogger(name)
            saved = (list(logger.handlers), logger.propagate, logger.level)
            if name is not None:
                logger.handlers[:] = []
            self.addCleanup(self._restore, logger, saved)

    @staticmethod
    def _restore(logger, saved):
        for handler in logger.handlers:
            if handler not in saved[0]:
                handler.close()
        logger.handlers[:], logger.propagate, logger.level = saved


class CliTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.stdout = self.useFixture(fixtures.MonkeyPatch(
            'sys.stdout', io.StringIO())).new_value
        self.stderr = self.useFixture(fixtures.MonkeyPatch(
            'sys.stderr', io.StringIO())).new_value
        self.useFixture(fixtures.MonkeyPatch('sys.stdin', io.StringIO()))
        # main() configures the root logger: keep it to this test.
        self.useFixture(LoggingState())
        self.useFixture(fixtures.FakeLogger(level=logging.CRITICAL))
        # oslo.log's setup points sys.excepthook at its logger.
        self.useFixture(fixtures.MonkeyPatch('sys.excepthook',
                                             sys.excepthook))
        self.tmp = self.useFixture(fixtures.TempDir())
        self.cache = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.EnvironmentVariable('XDG_CACHE_HOME',
                                                     self.cache))
        self.useFixture(fixtures.EnvironmentVariable(cli.DEBUG_VARIABLE))
        self.store = fakes.FakeStore()
        self.clock = fakes.FakeClock()

    def config(self, ownership='', vmware='', drop=()):
        text = CONFIG % {'password': PASSWORD, 'ownership': ownership,
                         'vmware': vmware}
        lines = [line for line in text.splitlines()
                 if line.split(' = ')[0] not in drop]
        path = self.tmp.join('nova.conf')
        with open(path, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        return path

    def main(self, *argv, config=None):
        return cli.main(['--config-file', config or self.config()] +
                        list(argv))

    def on_the_store(self, error=None):
        """``Context.connect`` gives a context around ``self.store``."""
        def connect(conf, clock=None):
            if error is not None:
                raise error
            return context.Context(conf, opts.settings(conf.vmware_ownership),
                                   self.store, 'vc-uuid-1', clock=self.clock)
        return self.useFixture(fixtures.MockPatchObject(
            context.Context, 'connect', autospec=True,
            side_effect=connect)).mock

    def assertOneParagraph(self, text, *parts):
        self.assertTrue(text.startswith('nova-vmware-owner: '), text)
        self.assertEqual(1, len(text.strip().splitlines()), text)
        self.assertNotIn('Traceback', text)
        self.assertNotIn(PASSWORD, text)
        for part in parts:
            self.assertIn(part, text)


class UsageTestCase(CliTestCase):
    """Usage and configuration errors: exit 2, before any connection."""

    def assertUsage(self, code, *parts):
        self.assertEqual(cli.EXIT_USAGE, code)
        self.assertOneParagraph(self.stderr.getvalue(), *parts)
        self.assertEqual('', self.stdout.getvalue())

    def test_missing_config_file(self):
        self.assertUsage(self.main('check',
                                   config=self.tmp.join('absent.conf')),
                         'configuration file not found', 'absent.conf')

    def test_missing_required_options(self):
        for name in ('host_ip', 'host_username', 'host_password',
                     'cluster_name'):
            with self.subTest(name=name):
                self.stderr.seek(0)
                self.stderr.truncate()
                self.assertUsage(self.main('show', config=self.config(
                    drop=[name])), '[vmware] %s' % name)

    def test_missing_ca_file(self):
        missing = self.tmp.join('absent-ca.pem')
        self.assertUsage(self.main('show', config=self.config(
            vmware='ca_file = %s' % missing)), '[vmware] ca_file', missing)

    def test_invalid_option_combinations(self):
        for ownership, names in (
                ('lease_duration = 60\nrenew_interval = 60',
                 ('renew_interval', 'lease_duration')),
                ('renew_deadline = 170',
                 ('renew_deadline', 'renew_interval', 'lease_duration'))):
            with self.subTest(ownership=ownership, names=names):
                self.stderr.seek(0)
                self.stderr.truncate()
                self.assertUsage(
                    self.main('check', config=self.config(ownership)),
                    *['[vmware_ownership] %s' % name for name in names])

    def test_bad_option_value(self):
        self.assertUsage(self.main('check', config=self.config(
            'lease_duration = soon')), 'lease_duration')

    def test_unknown_command_and_format(self):
        self.assertEqual(cli.EXIT_USAGE, self.main('bogus'))
        self.assertIn('invalid choice', self.stderr.getvalue())
        self.assertEqual(cli.EXIT_USAGE, self.main())
        self.assertEqual(cli.EXIT_USAGE, self.main('show', '--format',
                                                   'yaml'))
        self.assertEqual(cli.EXIT_USAGE, self.main('takeover',
                                                   '--observe', 'x'))

    def test_help(self):
        self.assertEqual(cli.EXIT_OK, cli.main(['--help']))
        self.assertIn('takeover', self.stdout.getvalue())


class UnexpectedErrorTestCase(CliTestCase):

    def test_exit_1_with_the_traceback_in_the_log_file(self):
        self.on_the_store(RuntimeError('surprise\nsecond line'))
        self.assertEqual(cli.EXIT_ERROR, self.main('show'))
        path = os.path.join(self.cache, 'nova-vmware-owner',
                            'nova-vmware-owner.log')
        self.assertEqual(path, cli.error_log_path())
        message = self.stderr.getvalue()
        self.assertOneParagraph(message, 'RuntimeError: surprise',
                                'This is a bug', path)
        with open(path) as log:
            logged = log.read()
        self.assertIn('Traceback', logged)
        self.assertIn('RuntimeError: surprise', logged)
        self.assertEqual('', self.stdout.getvalue())

    def test_the_traceback_on_stderr_when_asked(self):
        self.useFixture(fixtures.EnvironmentVariable(cli.DEBUG_VARIABLE,
                                                     '1'))
        self.on_the_store(RuntimeError('surprise'))
        self.assertEqual(cli.EXIT_ERROR, self.main('show'))
        self.assertIn('Traceback', self.stderr.getvalue())

    def test_no_writable_log_directory(self):
        blocker = self.tmp.join('file')
        open(blocker, 'w').close()
        self.useFixture(fixtures.EnvironmentVariable('XDG_CACHE_HOME',
                                                     blocker))
        self.on_the_store(RuntimeError('surprise'))
        self.assertEqual(cli.EXIT_ERROR, self.main('show'))
        self.assertOneParagraph(self.stderr.getvalue(),
                                '%s=1' % cli.DEBUG_VARIABLE)

    def test_interrupted(self):
        self.on_the_store(KeyboardInterrupt())
        self.assertEqual(cli.EXIT_ERROR, self.main('show'))
        self.assertOneParagraph(self.stderr.getvalue(), 'interrupted')


class CommandTestCase(CliTestCase):
    """Handlers through ``main``: their exit codes and output."""

    def run_command(self, *argv):
        connect = self.on_the_store()
        close = self.useFixture(fixtures.MockPatchObject(
            context.Context, 'close', autospec=True)).mock
        code = self.main(*argv)
        connect.assert_called_once_with(mock.ANY)
        close.assert_called_once_with(mock.ANY)
        return code

    def test_vcenter_error_is_2(self):
        self.on_the_store(vsphere_errors.VCenterUnreachable(
            endpoint='https://127.0.0.1:9',
            reason='[Errno 111] Connection refused'))
        self.assertEqual(cli.EXIT_USAGE, self.main('check'))
        self.assertOneParagraph(self.stderr.getvalue(),
                                'https://127.0.0.1:9', 'Connection refused')

    def test_check_other_host_is_3(self):
        self.store.type_by_hand('compute-b')
        self.assertEqual(cli.EXIT_OTHER_HOST, self.run_command('check'))
        self.assertIn('owned by host compute-b', self.stdout.getvalue())
        self.assertOneParagraph(self.stderr.getvalue(),
                                'takeover --host compute-a')

    def test_check_unreadable_is_4(self):
        self.store.type_by_hand('{broken')
        self.assertEqual(cli.EXIT_NEEDS_FORCE, self.run_command('check'))
        self.assertOneParagraph(self.stderr.getvalue(), 'takeover --force')

    def test_release_by_another_host_is_3(self):
        self.store.type_by_hand('compute-b')
        self.assertEqual(cli.EXIT_OTHER_HOST,
                         self.run_command('release', '--yes'))

    def test_a_lost_race_is_5(self):
        self.store.type_by_hand('compute-b')
        self.store.hooks[('create_lease', 1)] = lambda: self.store.put(
            record_mod.OwnershipRecord('compute-c'))
        self.assertEqual(cli.EXIT_CONFLICT,
                         self.run_command('takeover', '--yes'))
        self.assertOneParagraph(self.stderr.getvalue(),
                                'Nothing of this command was written')
        self.assertEqual('compute-c', self.store.view().record.host)

    def test_a_change_that_never_ends_is_5(self):
        # Another process starts a new change each time we look.
        self.store.start_change()
        self.clock.on_sleep.append(self.store.start_change)
        self.assertEqual(cli.EXIT_CONFLICT, self.run_command('claim'))
        self.assertIn('Gave up after', self.stderr.getvalue())

    def test_show_is_0_json(self):
        self.store.type_by_hand('{broken')
        self.assertEqual(cli.EXIT_OK,
                         self.run_command('--format', 'json', 'show'))
        self.assertEqual('unreadable',
                         json.loads(self.stdout.getvalue())['verdict'])
        self.assertEqual('', self.stderr.getvalue())

    def test_the_command_format_overrides_the_global_one(self):
        self.assertEqual(cli.EXIT_OK, self.run_command(
            '--format', 'text', 'check', '--format', 'json'))
        self.assertTrue(json.loads(self.stdout.getvalue())['may_run'])

    def test_a_change_is_audited_on_stderr(self):
        self.assertEqual(cli.EXIT_OK, self.run_command('claim'))
        self.assertEqual(HOST, self.store.view().record.host)
        self.assertIn('nova-vmware-owner: claimed DC0_C0: owner (none) -> '
                      'compute-a, by %s' % operations.actor(),
                      self.stderr.getvalue())
        self.assertIn('Claimed', self.stdout.getvalue())

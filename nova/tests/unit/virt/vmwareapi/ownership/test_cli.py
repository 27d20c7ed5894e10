"""Tests of the operator command: exit codes, messages, output.

vCenter is replaced by an in-memory store behind the real guard for the
command handlers; connection failures use 127.0.0.1 on a closed port.
"""

import io
import json
import logging
import socket
import time

import fixtures
from oslotest import base

from nova.tests.unit.virt.vmwareapi.ownership import fakes
from nova.virt.vmwareapi.ownership import cli
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import guard
from nova.virt.vmwareapi.ownership import record

PASSWORD = 's3cret-Pa55'
HOST = 'compute-a'
CONFIG = """[DEFAULT]
host = compute-a
[vmware]
host_ip = 127.0.0.1
host_port = %(port)d
host_username = admin
host_password = %(password)s
cluster_name = DC0_C0
[vmware_ownership]
%(ownership)s
"""


def closed_port():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]
    finally:
        sock.close()


class FakeContext:
    """``cli.Context`` over an in-memory store instead of vCenter."""

    state = cli.Context.state
    describe = cli.Context.describe

    def __init__(self, conf, raw):
        self.conf = conf
        self.this_host = conf.host
        self.cluster_name = fakes.CLUSTER
        self.vcenter_uuid = 'uuid-1'
        self.location = fakes.location()
        self.store = fakes.FakeStore(raw)
        clock = fakes.FakeClock()
        self.guard = guard.OwnershipGuard(
            self.store, self.this_host, conf.vmware_ownership,
            holder='cli-test:1:ab', clock=clock, sleep=clock.sleep,
            now=fakes.wall_now)
        self.closed = False

    def close(self):
        self.closed = True


class CliTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.stdout = io.StringIO()
        self.stderr = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', self.stdout))
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', self.stderr))
        # main() configures the root logger and libraries log retries with
        # tracebacks: capture them (and restore the root logger after).
        self.useFixture(fixtures.FakeLogger(level=logging.CRITICAL))
        self.tmp = self.useFixture(fixtures.TempDir())

    def config(self, port=443, password=PASSWORD, ownership='',
               drop=()):
        text = CONFIG % {'port': port, 'password': password,
                         'ownership': ownership}
        lines = [line for line in text.splitlines()
                 if line.split(' = ')[0] not in drop]
        path = self.tmp.join('nova.conf')
        with open(path, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        return path

    def main(self, *argv):
        return cli.main(list(argv))

    def assertOneParagraph(self, text):
        self.assertNotIn('Traceback', text)
        self.assertEqual(1, len(text.strip().splitlines()), text)
        self.assertTrue(text.startswith('nova-vmware-owner: '), text)
        self.assertNotIn(PASSWORD, text)


class UsageTestCase(CliTestCase):
    """Failures first: usage, configuration and connection errors."""

    def test_missing_config_file(self):
        code = self.main('--config-file', self.tmp.join('absent.conf'),
                         'check')
        self.assertEqual(cli.EXIT_USAGE, code)
        self.assertIn('configuration file not found', self.stderr.getvalue())
        self.assertIn('absent.conf', self.stderr.getvalue())
        self.assertOneParagraph(self.stderr.getvalue())
        self.assertEqual('', self.stdout.getvalue())

    def test_missing_required_options(self):
        for name in ('host_ip', 'host_username', 'host_password',
                     'cluster_name'):
            self.stderr.seek(0)
            self.stderr.truncate()
            code = self.main('--config-file', self.config(drop=[name]),
                             'show')
            self.assertEqual(cli.EXIT_USAGE, code, name)
            self.assertIn('[vmware] %s' % name, self.stderr.getvalue())
            self.assertOneParagraph(self.stderr.getvalue())

    def test_invalid_option_combination(self):
        path = self.config(ownership='lease_duration = 60\n'
                                     'renew_interval = 60')
        self.assertEqual(cli.EXIT_USAGE,
                         self.main('--config-file', path, 'check'))
        self.assertIn('[vmware_ownership] renew_interval',
                      self.stderr.getvalue())
        self.assertIn('[vmware_ownership] lease_duration',
                      self.stderr.getvalue())
        self.assertOneParagraph(self.stderr.getvalue())

    def test_bad_option_value(self):
        path = self.config(ownership='lease_duration = soon')
        self.assertEqual(cli.EXIT_USAGE,
                         self.main('--config-file', path, 'check'))
        self.assertIn('lease_duration', self.stderr.getvalue())
        self.assertNotIn('Traceback', self.stderr.getvalue())

    def test_unknown_command(self):
        self.assertEqual(cli.EXIT_USAGE,
                         self.main('--config-file', self.config(), 'bogus'))
        self.assertIn('invalid choice', self.stderr.getvalue())

    def test_no_command(self):
        self.assertEqual(cli.EXIT_USAGE,
                         self.main('--config-file', self.config()))

    def test_unknown_format(self):
        self.assertEqual(cli.EXIT_USAGE,
                         self.main('--config-file', self.config(), 'show',
                                   '--format', 'yaml'))

    def test_help(self):
        self.assertEqual(cli.EXIT_OK, self.main('--help'))
        self.assertIn('check', self.stdout.getvalue())

    def test_closed_port(self):
        port = closed_port()
        for fmt in ('text', 'json'):
            self.stderr.seek(0)
            self.stderr.truncate()
            start = time.monotonic()
            code = self.main('--config-file', self.config(port=port),
                             '--format', fmt, 'check')
            self.assertLess(time.monotonic() - start, 10)
            self.assertEqual(cli.EXIT_USAGE, code)
            message = self.stderr.getvalue()
            self.assertOneParagraph(message)
            self.assertIn('127.0.0.1:%d' % port, message)
            self.assertIn('Connection refused', message)
            self.assertIn('[vmware] host_ip', message)
        self.assertEqual('', self.stdout.getvalue())


class ExitCodeTestCase(base.BaseTestCase):

    def test_exit_code_for(self):
        location = fakes.location()
        cases = [
            (exceptions.ClusterOwnedByAnotherHost(location, 'b', 'a'),
             cli.EXIT_OTHER_HOST),
            (exceptions.UnreadableRecord('{x', 'bad'), cli.EXIT_NEEDS_FORCE),
            (exceptions.NodeIdentityMismatch(location, 'n1', 'n2'),
             cli.EXIT_NEEDS_FORCE),
            (exceptions.ClusterHeldByAnotherProcess(location, 'm:1:a', 'a'),
             cli.EXIT_NEEDS_FORCE),
            (exceptions.ConfigurationError(['[x] y'], 'bad'), cli.EXIT_USAGE),
            (exceptions.VCenterUnreachable('vc', 'refused'), cli.EXIT_USAGE),
            (exceptions.VCenterLoginFailed('vc', 'u'), cli.EXIT_USAGE),
            (exceptions.MissingPrivilege('Global.SetCustomField', 'SetField'),
             cli.EXIT_USAGE),
            (exceptions.ClusterNotFound('c', 'vc'), cli.EXIT_USAGE),
            (exceptions.VCenterFault('SetField', ['X'], 'y'), cli.EXIT_USAGE),
            (exceptions.OwnershipLost(location, 'm:1:a', 'b', 'm:2:b'),
             cli.EXIT_ERROR),
            (exceptions.LockTimeout(location, 90), cli.EXIT_ERROR),
            (exceptions.OwnershipError('other'), cli.EXIT_ERROR),
            (ValueError('not ours'), cli.EXIT_ERROR),
        ]
        for error, code in cases:
            self.assertEqual(code, cli.exit_code_for(error),
                             type(error).__name__)

    def test_codes(self):
        self.assertEqual((0, 1, 2, 3, 4),
                         (cli.EXIT_OK, cli.EXIT_ERROR, cli.EXIT_USAGE,
                          cli.EXIT_OTHER_HOST, cli.EXIT_NEEDS_FORCE))


class CommandTestCase(CliTestCase):

    def run_command(self, raw, *argv):
        contexts = []

        def make_context(conf):
            contexts.append(FakeContext(conf, raw))
            return contexts[-1]
        self.useFixture(fixtures.MonkeyPatch(
            'nova.virt.vmwareapi.ownership.cli.Context', make_context))
        code = self.main('--config-file', self.config(), *argv)
        self.assertTrue(contexts[0].closed)
        self.assertEqual([], contexts[0].store.writes)
        return code

    def test_check_other_host(self):
        code = self.run_command('compute-b', 'check')
        self.assertEqual(cli.EXIT_OTHER_HOST, code)
        self.assertIn('owned by host compute-b', self.stdout.getvalue())
        self.assertIn('nova-vmware-owner takeover --host compute-a',
                      self.stderr.getvalue())

    def test_check_unreadable(self):
        code = self.run_command('{broken', 'check')
        self.assertEqual(cli.EXIT_NEEDS_FORCE, code)
        self.assertIn('unreadable', self.stdout.getvalue())
        self.assertIn('takeover --force', self.stderr.getvalue())

    def test_check_may_run(self):
        live = record.format_record(record.OwnershipRecord(
            HOST, holder=fakes.OTHER_HOLDER, seq=3))
        for raw in (None, HOST, live):
            self.stdout.seek(0)
            self.stdout.truncate()
            self.assertEqual(cli.EXIT_OK, self.run_command(raw, 'check'),
                             raw)
            self.assertIn('may', self.stdout.getvalue())
        self.assertEqual('', self.stderr.getvalue())

    def test_check_json(self):
        code = self.run_command('compute-b', '--format', 'json', 'check')
        self.assertEqual(cli.EXIT_OTHER_HOST, code)
        data = json.loads(self.stdout.getvalue())
        self.assertEqual('owned-by-other-host', data['verdict'])
        self.assertFalse(data['may_run'])
        self.assertEqual('compute-b', data['owner_host'])

    def test_show_exits_zero_whatever_the_verdict(self):
        for raw, verdict in ((None, 'unowned'),
                             (HOST, 'owned-by-this-host'),
                             ('compute-b', 'owned-by-other-host'),
                             ('{broken', 'unreadable')):
            self.stdout.seek(0)
            self.stdout.truncate()
            self.assertEqual(cli.EXIT_OK,
                             self.run_command(raw, 'show', '--format',
                                              'json'))
            data = json.loads(self.stdout.getvalue())
            self.assertEqual(verdict, data['verdict'])
            for key in ('cluster', 'cluster_moref', 'vcenter_uuid',
                        'attribute', 'this_host', 'owner_host', 'verdict',
                        'record', 'raw'):
                self.assertIn(key, data)

    def test_show_text(self):
        self.assertEqual(cli.EXIT_OK, self.run_command('compute-b', 'show'))
        self.assertIn('Verdict:', self.stdout.getvalue())
        self.assertIn('owned by host compute-b', self.stdout.getvalue())

    def test_vcenter_error_during_command(self):
        def make_context(conf):
            context = FakeContext(conf, None)
            context.store.read = _raise(exceptions.MissingPrivilege(
                'System.Read', 'RetrievePropertiesEx', 'admin'))
            return context
        self.useFixture(fixtures.MonkeyPatch(
            'nova.virt.vmwareapi.ownership.cli.Context', make_context))
        code = self.main('--config-file', self.config(), 'show')
        self.assertEqual(cli.EXIT_USAGE, code)
        self.assertOneParagraph(self.stderr.getvalue())
        self.assertIn('System.Read', self.stderr.getvalue())

    def test_unexpected_error(self):
        self.useFixture(fixtures.EnvironmentVariable(
            'NOVA_VMWARE_OWNER_DEBUG'))

        def make_context(conf):
            raise RuntimeError('surprise')
        self.useFixture(fixtures.MonkeyPatch(
            'nova.virt.vmwareapi.ownership.cli.Context', make_context))
        code = self.main('--config-file', self.config(), 'show')
        self.assertEqual(cli.EXIT_ERROR, code)
        self.assertIn('RuntimeError: surprise', self.stderr.getvalue())
        self.assertOneParagraph(self.stderr.getvalue())


def _raise(error):
    def raiser(*args, **kwargs):
        raise error
    return raiser

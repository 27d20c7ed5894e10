"""``nova-vmware-owner show`` and ``check`` as subprocesses."""

import json
import os
import subprocess

import fixtures

from nova.virt.vmwareapi.ownership import fencing
from nova.virt.vmwareapi.ownership import guard as guard_mod
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import refusals
from nova.virt.vmwareapi.ownership.vsphere import clusters
from support import base
from support import faults
from support import messages
from support import simulator

JSON_KEYS = {'cluster', 'cluster_moref', 'vcenter_uuid', 'attribute',
             'this_host', 'owner_host', 'verdict', 'record', 'raw'}

ERROR_BOUND = 30
"""Seconds within which a connection problem must be reported: never a
hang (doc/source/faults.rst)."""
SHORT_TIMEOUT = ('--timeout', '2')
"""Against a silent endpoint: the bound is tested, not its default (20 s
a request), which would only make the test wait longer."""


class TestShowCheck(base.SimulatorTestCase):

    def claim(self, host):
        guard = guard_mod.OwnershipGuard(self.make_store(), host,
                                         base.settings())
        guard.start()
        return guard

    def command(self, host, *args, **conf):
        return self.run_command('--config-file',
                                self.config_file(host, **conf), *args)

    def assertVerdict(self, verdict, check_exit, host='compute-a'):
        for name in ('show', 'check'):
            out = self.command(host, '--format', 'json', name)
            expected = 0 if name == 'show' else check_exit
            self.assertEqual(expected, out.returncode, out.stderr)
            state = json.loads(out.stdout)
            self.assertLessEqual(JSON_KEYS, set(state))
            self.assertEqual(verdict, state['verdict'])
            self.assertEqual(base.CLUSTER, state['cluster'])
            self.assertEqual(self.attribute, state['attribute'])
            self.assertEqual(host, state['this_host'])
            self.assertNotIn(self.simulator.password, out.stdout + out.stderr)
        return state

    def test_unowned(self):
        state = self.assertVerdict('unowned', 0)
        self.assertIsNone(state['owner_host'])
        self.assertIsNone(state['record'])

    def test_owned_by_this_host(self):
        guard = self.claim('compute-a')
        claimed = guard.tenure.record
        renewed = guard.renew()
        state = self.assertVerdict('owned-by-this-host', 0)
        self.assertEqual('compute-a', state['owner_host'])
        # The lease's record counts; the attribute keeps the claim's copy.
        self.assertEqual(renewed.to_dict(), state['record'])
        self.assertEqual(claimed.seq, json.loads(state['raw'])['seq'])
        self.assertEqual(guard.tenure.key, state['lease']['token'])
        self.assertEqual(guard.holder, state['holder'])
        self.assertEqual(
            clusters.find_cluster(self.session, base.CLUSTER).value,
            state['cluster_moref'])
        self.assertEqual(
            self.session.vim.service_content.about.instanceUuid,
            state['vcenter_uuid'])

    def test_owned_by_other_host(self):
        self.claim('compute-b')
        state = self.assertVerdict('owned-by-other-host', 3)
        self.assertEqual('compute-b', state['owner_host'])

    def test_unreadable(self):
        self.write_raw(self.make_store(), 'not a host name!')
        state = self.assertVerdict('unreadable', 4)
        self.assertEqual('not a host name!', state['raw'])
        self.assertIsNone(state['record'])
        reading = self.make_store().read()
        self.assertEqual('not a host name!', reading.attribute_raw)
        self.assertIsNone(reading.lease_key)

    def test_text_output_names_owner_and_verdict(self):
        self.claim('compute-b')
        out = self.command('compute-a', 'show')
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertIn('compute-b', out.stdout)
        self.assertIn('must not run', out.stdout)
        out = self.command('compute-a', 'check')
        self.assertEqual(3, out.returncode)
        self.assertIn('owned by host compute-b', out.stdout)

    def failing_command(self, *args, **conf):
        """Run a command that must fail within ``ERROR_BOUND`` seconds."""
        argv = ('--config-file', self.config_file('compute-a', **conf)) + \
            args
        try:
            return self.run_command(*argv, timeout=ERROR_BOUND)
        except subprocess.TimeoutExpired as exc:
            hung = exc
        self.fail('nova-vmware-owner %s gave no answer within %d s '
                  '(killed); it printed:\n%s%s'
                  % (' '.join(args), ERROR_BOUND, hung.stdout or '',
                     hung.stderr or ''))

    def assertConnectionError(self, out, *fragments):
        self.assertEqual(2, out.returncode, out.stdout + out.stderr)
        self.assertNotIn('Traceback', out.stderr)
        self.assertEqual(1, len(out.stderr.strip().splitlines()),
                         out.stderr)
        for fragment in fragments:
            self.assertIn(fragment, out.stderr)
        self.assertNotIn(self.simulator.password, out.stderr)

    def test_wrong_password(self):
        out = self.failing_command('show', password='wrong-password')
        self.assertConnectionError(out, 'rejected the login',
                                   'host_password')

    def test_closed_port(self):
        port = faults.closed_port()
        out = self.failing_command('show', port=port)
        self.assertConnectionError(out, 'Cannot reach vCenter',
                                   'https://127.0.0.1:%d' % port,
                                   'Connection refused')

    def test_port_that_accepts_and_never_answers(self):
        silent = self.useFixture(faults.SilentEndpoint())
        out = self.failing_command(*SHORT_TIMEOUT, 'show', port=silent.port)
        self.assertConnectionError(out, 'Cannot reach vCenter',
                                   'https://127.0.0.1:%d' % silent.port)
        self.assertNotIn('TLS verification failed', out.stderr)

    def test_tls_endpoint_that_falls_silent_after_the_handshake(self):
        silent = self.useFixture(faults.SilentEndpoint(tls=True))
        out = self.failing_command(*SHORT_TIMEOUT, 'show', port=silent.port,
                                   ca_file=silent.ca_file)
        self.assertConnectionError(out, 'Cannot reach vCenter',
                                   'https://127.0.0.1:%d' % silent.port)
        self.assertNotIn('TLS verification failed', out.stderr)

    def test_untrusted_certificate(self):
        other_ca, _ = simulator.make_self_signed_cert(
            self.useFixture(fixtures.TempDir()).path, name='other')
        out = self.failing_command('show', ca_file=other_ca)
        self.assertConnectionError(out, 'certificate verify failed',
                                   'ca_file')

    def test_unknown_cluster(self):
        out = self.failing_command('check', cluster='no-such-cluster')
        self.assertConnectionError(out, "'no-such-cluster'", 'cluster_name')

    def test_missing_option_is_named(self):
        path = self.config_file('compute-a')
        with open(path) as conf:
            text = conf.read().replace('host_ip = 127.0.0.1\n', '')
        with open(path, 'w') as conf:
            conf.write(text)
        out = self.run_command('--config-file', path, 'show')
        self.assertEqual(2, out.returncode)
        self.assertIn('[vmware] host_ip', out.stderr)

    def test_missing_config_file(self):
        out = self.run_command('--config-file',
                               os.path.join('/nonexistent', 'nova.conf'),
                               'show')
        self.assertEqual(2, out.returncode)
        self.assertIn('/nonexistent/nova.conf', out.stderr)


class TestValuesFromVCenter(base.SimulatorTestCase):
    """Values as vCenter hands them over forge no line where shown.

    suds' Text, whose repr() is the raw text (issue 19).
    """

    def command(self, *args):
        return self.run_command('--config-file',
                                self.config_file('compute-a'), *args)

    def assertLines(self, text, count):
        lines = text.splitlines()
        self.assertEqual(count, len(lines), text)
        for line in lines:
            self.assertTrue(line.isprintable(), repr(line))

    def assertShown(self, unreadable):
        """show, check, list and a starting guard on what is there now."""
        show = self.command('show')
        self.assertEqual(0, show.returncode, show.stderr)
        self.assertLines(show.stdout, 7 if unreadable else 13)
        self.assertEqual(1, len([line for line in show.stdout.splitlines()
                                 if line.startswith('Verdict')]))
        listed = self.command('list')
        self.assertEqual(0, listed.returncode, listed.stderr)
        self.assertLines(listed.stdout, 7)
        if unreadable:
            check = self.command('check')
            self.assertEqual(4, check.returncode, check.stderr)
            self.assertLines(check.stderr, 1)
            error = self.assertRaises(
                refusals.UnreadableRecord, guard_mod.OwnershipGuard(
                    self.make_store(), 'compute-a', base.settings(
                        attribute_name=self.attribute)).start)
        else:
            error = self.assertRaises(
                refusals.ClusterHeldByAnotherProcess,
                guard_mod.OwnershipGuard(self.make_store(), 'compute-a',
                                         base.settings(
                                             attribute_name=self.attribute,
                                             standby_wait=False)).start)
        self.assertTrue(str(error).isprintable(), str(error))

    def test_a_raw_value(self):
        self.write_raw(self.make_store(), messages.FORGED)
        self.assertShown(unreadable=True)

    def test_a_record_naming_them(self):
        store = self.make_store()
        fencing.take(store, base.view_of(store), record_mod.OwnershipRecord(
            'compute-a', holder='m:1:' + messages.FORGED,
            node=messages.FORGED, previous=messages.FORGED, seq=3))
        self.assertShown(unreadable=False)

"""``nova-vmware-owner doctor`` against the simulator, as a subprocess.

On the faithful simulator every check is ok and nothing is left behind:
no scratch definition, no value, the record untouched. Each fail and warn
is produced for real: a wrong password, a missing cluster, silent
endpoints, TLS without verification, a slow vCenter, leftovers of an
earlier run, an interruption midway, nova's node identity; the restricted
user lacking each privilege and the misbehaving simulators are in
``test_doctor_vcenter``.
"""

import json
import os
import signal
import subprocess
import time

import fixtures

from nova.virt.vmwareapi.ownership import guard as guard_mod
from support import base
from support import faults
from support import raw_vcenter
from support import simulator
from support import tcpproxy

BOUND = 30
"""Seconds within which doctor ends against a silent vCenter
(``--timeout 2``; doc/source/cli/index.rst gives its bound)."""

NODE_A = '9d3e5f5c-0f43-4d1f-8f6c-6a3c2b1f0a01'
NODE_B = '2b7c1f0e-9a4d-4c61-8e0f-0d5a1c2e3f4b'

CHECKS = [
    'connection', 'tls', 'login', 'cluster', 'latency', 'clock',
    'privilege System.Read', 'privilege Global.ManageCustomFields',
    'privilege Global.SetCustomField', 'privilege Global.LogEvent',
    'scratch definitions', 'fencing: create, write, remove',
    'fencing: a name is created once', 'fencing: a key is removed once',
    'fencing: a write through a removed key is refused',
    'fencing: no key is handed out twice', 'events', 'clean-up',
    'nova: [DEFAULT] host', 'nova: compute_id']
"""Every check on a vCenter, in order, without nova's databases."""


NAMES = sorted(CHECKS + ['fencing', 'nova: [database] connection',
                         'nova: [api_database] connection'],
               key=len, reverse=True)


def verdicts(out):
    """``{check name: verdict}`` of doctor's text output."""
    found = {}
    for line in out.splitlines():
        verdict, rest = line[:4].strip(), line[6:]
        if verdict in ('ok', 'warn', 'fail'):
            name = next(n for n in NAMES if rest.startswith(n + ': '))
            found[name] = verdict
    return found


class DoctorTestCase(base.SimulatorTestCase, raw_vcenter.RawVCenterTestCase):
    """Runs doctor on its own attribute name; checks what it left."""

    SIMULATOR_OPTIONS = dict(base.SimulatorTestCase.SIMULATOR_OPTIONS)

    def setUp(self):
        super().setUp()
        self.state_path = self.useFixture(fixtures.TempDir()).path

    def doctor(self, *args, timeout=base.COMMAND_TIMEOUT, conf=None,
               **options):
        """Run doctor; returns the finished process."""
        conf = conf or self.conf(**options)
        return self.run_command('--config-file', conf, *args + ('doctor',),
                                timeout=timeout)

    def conf(self, host='compute-a', **options):
        return self.config_file(host, extra='[DEFAULT]\nstate_path = %s\n'
                                % self.state_path, **options)

    def snapshot(self):
        """The definitions of this test's names and the cluster's values."""
        return (self.field_names(self.attribute),
                self.values(self.cluster()))

    def assertNothingLeft(self, before):
        self.assertEqual(before, self.snapshot())
        self.assertEqual({}, self.field_names(self.attribute + '.doctor.'))

    def assertStopped(self, out, *fragments):
        """Exit 2 with one paragraph on stderr naming ``fragments``."""
        self.assertEqual(2, out.returncode, out.stdout + out.stderr)
        (line,) = out.stderr.strip().splitlines()
        for fragment in fragments:
            self.assertIn(fragment, line)
        self.assertNotIn('Traceback', out.stderr)
        self.assertNotIn(self.simulator.password, out.stdout + out.stderr)


class TestDoctor(DoctorTestCase):

    def test_all_ok_and_nothing_left_behind(self):
        guard_mod.OwnershipGuard(self.make_store(), 'compute-a',
                                 base.settings(lease_duration=0)).start()
        before = self.snapshot()
        last = self.latest_event()
        out = self.doctor()
        self.assertEqual(0, out.returncode, out.stdout + out.stderr)
        self.assertEqual({name: 'ok' for name in CHECKS}, verdicts(out.stdout))
        self.assertIn('20 checks: 20 ok, 0 warn, 0 fail.', out.stdout)
        self.assertIn('1 per renewal (measured over 2 renewals', out.stdout)
        self.assertIn('1,440 per cluster per day', out.stdout)
        self.assertNothingLeft(before)
        # Every custom field event it caused names a scratch definition.
        scratch = self.attribute + '.doctor.'
        names = {e.name for e in self.events_after(last)
                 if type(e).__name__.startswith('CustomField')}
        self.assertTrue(names)
        self.assertEqual(set(), {n for n in names
                                 if not n.startswith(scratch)})

    def test_json(self):
        before = self.snapshot()
        out = self.doctor('--format', 'json')
        self.assertEqual(0, out.returncode, out.stderr)
        report = json.loads(out.stdout)
        self.assertEqual(CHECKS, [c['name'] for c in report['checks']])
        self.assertEqual({'ok': 20, 'warn': 0, 'fail': 0}, report['counts'])
        self.assertEqual((base.CLUSTER, self.attribute,
                          self.simulator.username, None),
                         (report['cluster'], report['attribute'],
                          report['user'], report['stopped']))
        self.assertTrue(report['scratch'].startswith(self.attribute +
                                                     '.doctor.'))
        self.assertEqual(
            self.session.vim.service_content.about.instanceUuid,
            report['vcenter_uuid'])
        (events,) = [c for c in report['checks'] if c['name'] == 'events']
        self.assertEqual({'per_renewal': 1.0, 'per_day': 1440.0},
                         events['values'])
        self.assertEqual(1, len(report['not_checked']))
        self.assertNothingLeft(before)

    def test_wrong_password(self):
        out = self.doctor(password='wrong-password')
        self.assertStopped(out, 'rejected the login', 'host_password')
        self.assertEqual({'connection': 'ok', 'tls': 'ok', 'login': 'fail',
                          'nova: [DEFAULT] host': 'ok',
                          'nova: compute_id': 'ok'}, verdicts(out.stdout))

    def test_missing_cluster(self):
        before = self.snapshot()
        out = self.doctor(cluster='DC0_C9')
        self.assertStopped(out, "'DC0_C9'", 'no such cluster',
                           'cluster_name')
        self.assertEqual('fail', verdicts(out.stdout)['cluster'])
        self.assertIn("no cluster named 'DC0_C9'", out.stdout)
        self.assertNothingLeft(before)

    def test_silent_endpoints_end_within_the_bound(self):
        for tls in (False, True):
            with self.subTest(tls=tls):
                silent = self.useFixture(faults.SilentEndpoint(tls=tls))
                started = time.monotonic()
                out = self.doctor('--timeout', '2', timeout=BOUND,
                                  port=silent.port,
                                  ca_file=silent.ca_file if tls else None)
                took = time.monotonic() - started
                self.assertStopped(out, 'Cannot reach vCenter',
                                   '127.0.0.1:%d' % silent.port)
                self.assertEqual('ok', verdicts(out.stdout)['connection'])
                failed = 'login' if tls else 'tls'
                self.assertEqual('fail', verdicts(out.stdout)[failed])
                faults.report_time(self, took, 'doctor: exit 2 (%s)'
                                   % ('silent after the TLS handshake'
                                      if tls else 'no TLS handshake'))

    def test_closed_port(self):
        out = self.doctor(port=faults.closed_port())
        self.assertStopped(out, 'Connection refused')
        self.assertEqual('fail', verdicts(out.stdout)['connection'])

    def test_tls_not_verified_warns(self):
        conf = self.conf()
        with open(conf) as f:
            text = f.read()
        with open(conf, 'w') as f:
            f.write(text.replace('ca_file = %s\n' % self.simulator.ca_file,
                                 'insecure = true\n'))
        out = self.doctor(conf=conf)
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertEqual('warn', verdicts(out.stdout)['tls'])
        self.assertIn('certificate NOT verified', out.stdout)
        self.assertIn('fix: Set [vmware] ca_file', out.stdout)

    def test_leftovers_of_an_earlier_run_warn(self):
        left = self.add_field(name=self.attribute + '.doctor.0ld0ld00')
        self.addCleanup(self.vim().RemoveCustomFieldDef, self.cfm,
                        key=left.key)
        out = self.doctor()
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertEqual('warn', verdicts(out.stdout)['scratch definitions'])
        self.assertIn(left.name, out.stdout)
        # Not removed: another doctor may be running.
        self.assertIn(left.name, self.field_names(self.attribute))

    def test_slow_vcenter_warns(self):
        proxy = tcpproxy.TCPProxy(self.simulator.port, tls=tcpproxy.TLSFiles(
            self.simulator.ca_file, self.simulator.key_file,
            self.simulator.ca_file))
        self.addCleanup(proxy.close)
        # The answers of the latency's reads, and the cluster's just before
        # (the first property collection after the login), late.
        proxy.on_request('RetrievePropertiesEx', lambda: proxy.set_mode(
            tcpproxy.DELAY_ANSWERS, delay=1.0))
        proxy.on_request('CurrentTime', lambda: proxy.set_mode(
            tcpproxy.FORWARD))
        out = self.doctor(port=proxy.port)
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertEqual('warn', verdicts(out.stdout)['latency'])
        self.assertIn('vCenter answers slowly', out.stdout)

    def test_interrupted_midway_leaves_nothing(self):
        before = self.snapshot()
        proxy = tcpproxy.TCPProxy(self.simulator.port, tls=tcpproxy.TLSFiles(
            self.simulator.ca_file, self.simulator.key_file,
            self.simulator.ca_file))
        self.addCleanup(proxy.close)
        for sig in (signal.SIGTERM, signal.SIGINT):
            with self.subTest(signal=sig.name):
                process = subprocess.Popen(
                    base.command_argv() + [
                        '--config-file', self.conf(port=proxy.port),
                        'doctor'], stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                    text=True, preexec_fn=simulator.interruptible)
                # The probe's first write: a scratch definition exists.
                proxy.on_request('SetField', lambda: process.send_signal(sig))
                out, err = process.communicate(timeout=base.COMMAND_TIMEOUT)
                self.assertEqual(1, process.returncode, out + err)
                self.assertIn('interrupted', err)
                self.assertEqual('ok', verdicts(out)['clean-up'])
                self.assertNothingLeft(before)

    def test_vcenter_falling_silent_midway_ends_it_within_the_bound(self):
        # The probe's first write is never answered, nor anything after:
        # doctor cannot remove its scratch definition, says so, and the
        # next run finds it.
        proxy = tcpproxy.TCPProxy(self.simulator.port, tls=tcpproxy.TLSFiles(
            self.simulator.ca_file, self.simulator.key_file,
            self.simulator.ca_file))
        self.addCleanup(proxy.close)
        proxy.on_request('SetField', lambda: proxy.set_mode(
            tcpproxy.BLACKHOLE))
        started = time.monotonic()
        out = self.doctor('--timeout', '2', timeout=BOUND, port=proxy.port)
        took = time.monotonic() - started
        self.assertStopped(out, 'Cannot reach vCenter')
        found = verdicts(out.stdout)
        self.assertEqual(('fail', 'fail'), (found['fencing'],
                                            found['clean-up']))
        self.assertIn('fix: Remove them in the vSphere Client', out.stdout)
        faults.report_time(self, took, 'doctor: exit 2 (vCenter silent '
                           'from the probe\'s first write on)')
        left = self.field_names(self.attribute + '.doctor.')
        self.assertEqual(1, len(left), left)
        out = self.doctor()
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertEqual('warn', verdicts(out.stdout)['scratch definitions'])
        self.assertIn(list(left)[0], out.stdout)

    def test_node_identity_that_nova_would_refuse(self):
        guard_mod.OwnershipGuard(
            self.make_store(), 'compute-a', base.settings(lease_duration=0),
            identity=base.FakeIdentity(NODE_A)).start()
        path = os.path.join(self.state_path, 'compute_id')
        for content, says in ((NODE_B, 'the record of the cluster names '
                               'node %s' % NODE_A),
                              ('garbage', 'does not hold a uuid')):
            with self.subTest(content=content):
                with open(path, 'w') as f:
                    f.write(content)
                out = self.doctor()
                self.assertEqual(4, out.returncode, out.stderr)
                self.assertEqual('fail', verdicts(out.stdout)[
                    'nova: compute_id'])
                self.assertIn(says, out.stdout)
                self.assertIn('1 check(s) failed: nova: compute_id',
                              out.stderr)
        with open(path, 'w') as f:
            f.write(NODE_A)
        out = self.doctor()
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertIn('holds %s, as the record' % NODE_A, out.stdout)

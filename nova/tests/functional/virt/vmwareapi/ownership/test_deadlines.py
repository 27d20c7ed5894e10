"""A total deadline per request: answers that trickle in, a silent vCenter.

A timeout on each read does not bound a request whose answer comes a
byte at a time (``show`` was seen running at 240 s with ``--timeout 5``).
Through the project's proxy trickling vCenter's answers
(``tcpproxy.TRICKLE_ANSWERS``: the status line, the headers, the body,
and without TLS termination the server's side of the TLS handshake too),
each of these ends within its documented bound (``doc/source/cli/
index.rst``, "Time bounds"): the login within two request timeouts, a
command within its bound and with exit 2 naming the endpoint, a holder's
renewal with a failed attempt, its renew deadline then deciding. The
times are reported (``faults.report_time``); the bounds are asserted.
"""

import time

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import lease as lease_mod
from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors
from nova.virt.vmwareapi.ownership.vsphere import session as session_mod
from nova.virt.vmwareapi.ownership.vsphere import vcenter
from support import base
from support import faults
from support import tcpproxy
from support import wait

TIMEOUT = 3.0
"""Seconds of each request (the commands' ``--timeout``)."""

DRIP = (1, 1.0)
"""One byte a second: each read well inside TIMEOUT."""

SLACK = 10.0
"""Seconds on top of a bound: starting Python, a loaded machine."""

REQUESTS = {'show': 5, 'check': 5, 'claim': 12, 'release': 12,
            'takeover': 12}
"""The requests each command sends after logging in, at most (the table
of "Time bounds" in doc/source/cli/index.rst)."""


def bound(command, timeout=TIMEOUT):
    """A command's documented bound: the login, then its requests."""
    return (session_mod.LOGIN_REQUESTS + REQUESTS[command]) * timeout


class DeadlineTestCase(base.SimulatorTestCase):

    def proxy(self, tls=True):
        """A proxy to the simulator; ``tls``: it reads the SOAP methods."""
        sim = self.simulator
        proxy = tcpproxy.TCPProxy(sim.port, tls=tcpproxy.TLSFiles(
            sim.ca_file, sim.key_file, sim.ca_file) if tls else None)
        self.addCleanup(proxy.close)
        return proxy

    def command(self, proxy, *args, timeout=TIMEOUT):
        """Run the command through ``proxy``: (its result, seconds)."""
        config = self.config_file('compute-a', port=proxy.port)
        started = time.monotonic()
        done = self.run_command('--config-file', config, '--timeout',
                                str(timeout), *args,
                                timeout=base.COMMAND_TIMEOUT * 3)
        return done, time.monotonic() - started

    def assertEndsUnreachable(self, proxy, command, timeout=TIMEOUT):
        done, took = self.command(proxy, command, timeout=timeout)
        self.assertEqual(2, done.returncode, done.stderr)
        self.assertIn('Cannot reach vCenter at https://127.0.0.1:%d: no '
                      'complete answer within %g s' % (proxy.port, timeout),
                      done.stderr)
        self.assertLess(took, bound(command, timeout) + SLACK)
        faults.report_time(self, took, '%s ended, exit 2 (bound %g s)'
                           % (command, bound(command, timeout)))


class TestLogin(DeadlineTestCase):

    def test_a_trickled_login_ends_within_two_requests(self):
        # Without TLS termination: the TLS handshake trickles too.
        proxy = self.proxy(tls=False)
        proxy.trickle(*DRIP)
        started = time.monotonic()
        error = self.assertRaises(
            vsphere_errors.VCenterUnreachable, vcenter.connect,
            self.simulator.endpoint(proxy.port), TIMEOUT)
        took = time.monotonic() - started
        self.assertIn('no complete answer within', str(error))
        self.assertLess(took, session_mod.LOGIN_REQUESTS * TIMEOUT + SLACK)
        faults.report_time(self, took, 'login ended')

    def test_silent_after_the_tls_handshake(self):
        silent = self.useFixture(faults.SilentEndpoint(tls=True))
        endpoint = vcenter.Endpoint('127.0.0.1', silent.port, 'user',
                                    'secret', ca_file=silent.ca_file)
        started = time.monotonic()
        self.assertRaises(vsphere_errors.VCenterUnreachable,
                          vcenter.connect, endpoint, TIMEOUT)
        took = time.monotonic() - started
        self.assertLess(took, session_mod.LOGIN_REQUESTS * TIMEOUT + SLACK)
        self.assertEqual(1, silent.connections)


class TestCommands(DeadlineTestCase):

    def test_show_with_every_answer_trickled(self):
        # As measured: one byte every 2 s, --timeout 5.
        proxy = self.proxy(tls=False)
        proxy.trickle(1, 2.0)
        self.assertEndsUnreachable(proxy, 'show', timeout=5)

    def test_show_with_its_reading_trickled(self):
        proxy = self.proxy()
        proxy.trickle(*DRIP, method='RetrievePropertiesEx')
        self.assertEndsUnreachable(proxy, 'show')

    def test_claim_with_its_writes_trickled(self):
        proxy = self.proxy()
        proxy.trickle(*DRIP, method='SetField')
        done, took = self.command(proxy, 'claim')
        # Each write reached vCenter, its answer did not reach the command
        # in time: never sent again, the write through the lease is read
        # back (landed: the claim is made and said so), the copy's failure
        # is named beside it.
        self.assertEqual(0, done.returncode, done.stderr)
        self.assertIn('claimed DC0_C0', done.stderr)
        self.assertIn('the copy into the attribute failed: vCenter at '
                      'https://127.0.0.1:%d did not confirm SetField (no '
                      'complete answer within %g s)' % (proxy.port, TIMEOUT),
                      done.stderr)
        self.assertEqual('compute-a',
                         base.view_of(self.make_store()).record.host)
        self.assertLess(took, bound('claim', TIMEOUT) + SLACK)
        faults.report_time(self, took, 'claim landed, its copy unconfirmed '
                           '(bound %g s)' % bound('claim', TIMEOUT))

    def test_requests_of_each_command(self):
        # What the bounds count, from a run through a plain proxy.
        proxy = self.proxy()
        for command, *args in (('show',), ('check',), ('claim',),
                               ('takeover', '--host', 'compute-b',
                                '--force', '--yes'),
                               ('release', '--force', '--yes')):
            with self.subTest(command=command):
                first = len(proxy.events_of('request'))
                # Time enough on a loaded machine: the count is the test.
                done, _ = self.command(proxy, command, *args, timeout=30)
                self.assertEqual(0, done.returncode, done.stderr)
                sent = [e.method for e in proxy.events_of('request')[first:]]
                self.assertEqual(['RetrieveServiceContent', 'Login'],
                                 sent[:session_mod.LOGIN_REQUESTS])
                self.assertEqual('Logout', sent[-1])
                self.assertLessEqual(
                    len(sent) - session_mod.LOGIN_REQUESTS,
                    REQUESTS[command], sent)


class TestRenewal(DeadlineTestCase):

    def test_a_trickled_renewal_fails_and_the_deadline_decides(self):
        proxy = self.proxy()
        session = faults.connect(self.simulator, port=proxy.port)
        guard = faults.make_guard(base.make_store(session, self.attribute),
                                  lease=20, renew=0.5)
        guard.start()
        lost = []
        keeper = lease_mod.LeaseKeeper(guard, guard.settings, lost.append,
                                       last_renewal=guard.taken_at)
        self.addCleanup(keeper.stop, 10)
        keeper.start()
        self.assertTrue(wait.wait_until(lambda: keeper.renewals, 30))
        proxy.trickle(*DRIP)
        cut = time.monotonic()
        # Each attempt fails within its two requests' time, again and
        # again, instead of waiting on a never-ending answer.
        self.assertTrue(wait.wait_until(lambda: keeper.failures >= 2,
                                        4 * faults.TIMEOUT + SLACK))
        self.assertTrue(wait.wait_until(lambda: lost, 60), 'no step-down')
        error, = lost
        self.assertIsInstance(error, exceptions.OwnershipLost)
        self.assertIn('attempts since failed', str(error))
        # No request is left hanging: the renewal thread is done.
        self.assertTrue(wait.wait_until(
            lambda: keeper.renewing_since is None,
            2 * faults.TIMEOUT + SLACK))
        faults.report_time(self, time.monotonic() - cut,
                           'renewals failed, stepped down at the deadline '
                           '(%g s)' % guard.settings.renew_deadline)

"""Fencing: a write whose outcome is unknown is never repeated blind, never
counted, and a change that landed is reported as landed (issue 19).

vCenter answers a holder's or a command's write with ``NotAuthenticated``
(the session still active, or really ended), the path breaks right after
the write through a new lease, and the simulator restarts empty on the
same port while a holder is paused between its reading and its write (the
restarted simulator hands out the same lease key again, as a vCenter
restored from a backup may). Judged by what a raw reader saw in vCenter
(``members.RawReader``): never two holders, no late write.

The scenarios' holders run with a lease of 6 s, renewed every 2 s, a renew
deadline of 4 s and requests bounded at 2 s; timing tests run ``ROUNDS``
rounds. The tests that judge which calls a holder sent, not when, give it
a lease of 30 s and a deadline of 20 s (``ROOMY``): a renewal that needs a
new login on a loaded machine once missed 4 s.
"""


from nova.tests.functional.virt.vmwareapi.ownership import test_fencing
from nova.virt.vmwareapi.ownership import decision
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import fencing
from nova.virt.vmwareapi.ownership import operations
from nova.virt.vmwareapi.ownership import record as record_mod
from support import base
from support import fakes
from support import faults
from support import members
from support import scenarios
from support import simulator
from support import tcpproxy

import testtools

ROOMY = fakes.settings(lease_duration=30, renew_interval=2,
                       renew_deadline=20)
BOUND = test_fencing.BOUND
# 2 in the gate; benchmarks/fencing_faults.py runs 10 of each scenario.
ROUNDS = members.ROUNDS


class UnconfirmedTestCase(test_fencing.FencingTestCase):
    """The rig of ``test_fencing``: holder A's session (``via_proxy``) is
    hooked (``CallHook``); commands go through the proxy.
    """

    def member(self, session, attribute):
        # Without test_fencing's short bound for an abandoned change; with
        # room for a renewal that needs a new login on a loaded machine
        # (the tests judge which calls were sent, not when).
        member = members.Member(session, attribute, ROOMY)
        self.addCleanup(member.stop)
        return member.start()

    def pair(self):
        """Holder A (its session hooked) renewing, standby B waiting."""
        attribute = base.unique_attribute()
        reader = members.RawReader(self.session, attribute)
        self.addCleanup(reader.stop)
        hook = faults.CallHook(self, self.via_proxy)
        a = self.member(self.via_proxy, attribute)
        self.assertTrue(a.held.wait(30), a.error)
        b = self.member(self.direct, attribute)
        self.assertTrue(b.clock.waiting.wait(30), 'B never stood by')
        self.assertTrue(a.wait_renewals(1, 10), a.lost)
        return reader, hook, a, b


class TestNotAuthenticated(UnconfirmedTestCase):

    # The tests end sessions as an admin would: TerminateSession is not in
    # the package's reduced client.
    FULL_SESSION = True

    def test_an_active_session_answering_it_counts_no_renewal(self):
        # Issue 19: each SetField answered NotAuthenticated came back as
        # [], a renewal that never landed was counted, the deadline never
        # fired, and B took over while A held.
        scene = scenarios.Scene(self.simulator, self.session,
                                self.addCleanup)
        for number in range(1, ROUNDS + 1):
            seen = scenarios.not_authenticated(scene, self.via_proxy,
                                               self.direct)
            self.assertEqual((0.0, 0, False, 0),
                             (seen.overlap, seen.late_writes, seen.b_lost,
                              seen.counted), 'round %d' % number)
            self.assertIn('no renewal of its lease succeeded', seen.why)

    def end_session(self, session):
        content = self.session.vim.service_content
        self.session.vim.TerminateSession(content.sessionManager,
                                          sessionId=[session._session_id])

    def test_a_write_after_the_session_ended_is_not_sent_again(self):
        for number in range(1, ROUNDS + 1):
            where = 'round %d' % number
            reader, hook, a, b = self.pair()
            hook.before('SetField', lambda: self.end_session(self.via_proxy))
            ended = len(hook.calls)
            self.assertTrue(a.wait_renewals(2, 15), (where, a.lost))
            calls = [call for call in hook.calls[ended:]
                     if call != 'SessionIsActive']
            # The write vCenter refused in the ended session, a new login,
            # then a fresh reading, not the write again.
            refused = calls.index('SetField')
            self.assertEqual(['SetField', 'Login', 'RetrievePropertiesEx'],
                             calls[refused:refused + 3], where)
            self.assertFalse(b.held.is_set(), where)
            reader.stop()
            self.assertEqual({a.guard.holder}, {
                view.lease.holder for _, view in reader.views()
                if view.lease is not None}, where)
            hook.stop()
            a.stop()
            b.stop()

    def test_a_claim_whose_write_got_it_is_withdrawn(self):
        # Issue 19: "claim" printed Claimed with the record empty.
        for ended in (False, True):
            with self.subTest(session_ended=ended):
                store = base.make_store(self.via_proxy,
                                        base.unique_attribute())
                hook = faults.CallHook(self, self.via_proxy)
                if ended:
                    hook.before('SetField',
                                lambda: self.end_session(self.via_proxy))
                else:
                    hook.answer('SetField', faults.not_authenticated())
                plan = operations.plan(
                    decision.Change.CLAIM, fencing.settle(store),
                    'compute-a', fakes.WALL, store.location)
                error = self.assertRaises(exceptions.RecordChanged,
                                          operations.apply, store, plan)
                self.assertIn('withdrawn', str(error))
                hook.stop()
                view = base.view_of(store)
                self.assertTrue(view.unowned, view)
                self.assertIsNone(view.token)
                self.assertEqual(1, hook.calls.count('SetField'))


class TestLandedThenBroken(UnconfirmedTestCase):
    """The path breaks right after the write through the new lease."""

    def command(self, host, attribute, *args):
        return self.run_command(
            '--config-file', self.config_file(host, port=self.proxy.port,
                                              attribute=attribute),
            '--timeout', str(BOUND), *args)

    def assertLanded(self, done, attribute, verb, host, before):
        self.assertEqual(0, done.returncode, done.stderr)
        members.heal(self.proxy)
        self.assertIn('nova-vmware-owner: %s %s: owner %s -> %s'
                      % (verb, base.CLUSTER, before, host), done.stderr)
        for part in ('copying it into the attribute',
                     "the next holder's renewal writes the copy again",
                     'The audit event could not be posted'):
            self.assertIn(part, done.stdout)
        view = base.view_of(self.make_store(attribute=attribute))
        self.assertEqual(host, view.record.host)
        self.assertEqual(view.token, view.lease.token)

    def test_claim(self):
        attribute = base.unique_attribute()
        # The lease, then the shared attribute is created: break there.
        self.proxy.on_request('AddCustomFieldDef', lambda: self.proxy
                              .set_mode(tcpproxy.BLACKHOLE), nth=2)
        done = self.command('compute-b', attribute, 'claim')
        self.assertIn('Claimed', done.stdout)
        self.assertLanded(done, attribute, 'claimed', 'compute-b', '(none)')

    def test_forced_takeover(self):
        attribute = base.unique_attribute()
        owner = self.make_store(attribute=attribute)
        fencing.take(owner, base.view_of(owner),
                     record_mod.OwnershipRecord.claimed('compute-a',
                                                        fakes.WALL))
        # The lease's write passes, the copy's does not.
        self.proxy.on_request('SetField', lambda: self.proxy.set_mode(
            tcpproxy.BLACKHOLE), nth=2)
        done = self.command('compute-b', attribute, 'takeover', '--force',
                            '--yes')
        self.assertIn('Took over', done.stdout)
        self.assertLanded(done, attribute, 'took over', 'compute-b',
                          'compute-a')


class TestRestartWithAPausedHolder(testtools.TestCase):
    """vCenter comes back empty while holder A is paused.

    A is paused between its reading and its write; the new vCenter hands
    A's lease key to a new holder B (``scenarios.restart_paused``).

    The simulator restarts on the same port (``VCenterSimulator.restart``)
    and counts keys from 0 again, so B's lease has A's key and name. A's
    write reaches the new vCenter in A's old session: ``NotAuthenticated``.
    Issue 19: A logged in again, sent it again, and it landed in B's lease,
    deposing B (5 of 5 rounds).
    """

    def setUp(self):
        super().setUp()
        self.simulator = self.useFixture(simulator.VCenterSimulator(vms=0))
        self.proxy = tcpproxy.TCPProxy(
            self.simulator.port, tls=tcpproxy.TLSFiles(
                self.simulator.ca_file, self.simulator.key_file,
                self.simulator.ca_file))
        self.addCleanup(self.proxy.close)

    def test_a_stale_writer_deposes_itself_not_the_new_holder(self):
        scene = scenarios.Scene(self.simulator,
                                faults.connect(self.simulator),
                                self.addCleanup)
        for number in range(1, ROUNDS + 1):
            seen = scenarios.restart_paused(scene, self.proxy)
            self.assertEqual((0.0, 0, False), (seen.overlap,
                                               seen.late_writes, seen.b_lost),
                             'round %d' % number)
            # It read B's lease: after its unconfirmed write ("lease N
            # naming holder B") or, paused at another read, before writing
            # ("the lease now names holder B").
            self.assertRegex(seen.why, r'nam(ing|es) holder ')
            self.simulator.restart()

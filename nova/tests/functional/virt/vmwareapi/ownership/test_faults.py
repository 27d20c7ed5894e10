"""Fault injection: a slow, broken, silent or hostile path to vCenter.

Every scenario breaks one thing at an exact step of a claim or a renewal
(``faults.CallHook``, at the session's HTTP transport), through
``tcpproxy`` between the guard's session and the simulator, or by faults
the simulator cannot produce itself (answered in its place). Each test
asserts what the guard did, that no second holder appeared, and what a
raw reader sees of the lease and the attribute afterwards. The times are
reported (``faults.report_time``) and summarised in
``doc/source/faults.rst``; they are not asserted as performance.
"""

import threading
import time

import fixtures
import requests

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import lease as lease_mod
from nova.virt.vmwareapi.ownership import refusals
from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors
from nova.virt.vmwareapi.ownership.vsphere import vcenter
from support import base
from support import faults
from support import tcpproxy
from support import wait

BOUND = 60.0
"""Generous bound on the time to a defined outcome (seconds)."""

RENEW = 0.5
LONG_LEASE = 20
"""A lease whose renew deadline (about 10 s) outlasts the short outages."""


class Lost:
    """A keeper's ``on_lost``: when and why the lease ended."""

    def __init__(self):
        self.event = threading.Event()
        self.errors = []

    def __call__(self, error):
        self.errors.append((time.monotonic(), error))
        self.event.set()


class FaultTestCase(base.SimulatorTestCase):

    def proxied(self):
        """A proxy to the simulator and a session through it."""
        proxy = tcpproxy.TCPProxy(self.simulator.port)
        self.addCleanup(proxy.close)
        session = faults.connect(self.simulator, port=proxy.port)
        return proxy, session

    def guard(self, session, **settings):
        """A guard of this test's record through ``session``."""
        return faults.make_guard(base.make_store(session, self.attribute),
                                 **settings)

    def keeper(self, guard):
        """A started ``LeaseKeeper`` and its ``Lost``."""
        lost = Lost()
        keeper = lease_mod.LeaseKeeper(guard, guard.settings, lost,
                                       last_renewal=guard.taken_at)
        self.addCleanup(keeper.stop, 10)
        keeper.start()
        return keeper, lost

    def reading(self):
        return self.make_store().read()

    def view(self):
        return base.view_of(self.make_store())


class TestLatency(FaultTestCase):

    def test_claim_under_latency_completes_exactly_once(self):
        racers = [self.proxied() for _ in range(2)]
        guards = [self.guard(session) for _, session in racers]
        for proxy, _ in racers:
            # 100 ms on every answer: a round trip of a slow WAN link.
            proxy.set_mode(tcpproxy.DELAY_ANSWERS, delay=0.1)
        outcomes = [None] * len(guards)

        def run(number):
            try:
                outcomes[number] = guards[number].start()
            except exceptions.OwnershipError as exc:
                outcomes[number] = exc
        threads = [threading.Thread(target=run, args=(n,))
                   for n in range(len(guards))]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(BOUND)
        took = time.monotonic() - started
        self.assertFalse(any(t.is_alive() for t in threads), outcomes)
        winners = [g for g, o in zip(guards, outcomes)
                   if not isinstance(o, Exception)]
        self.assertEqual(1, len(winners), outcomes)
        for outcome in outcomes:
            if isinstance(outcome, Exception):
                self.assertIsInstance(
                    outcome, refusals.ClusterHeldByAnotherProcess)
        view = self.view()
        self.assertEqual(winners[0].holder, view.record.holder)
        self.assertEqual(winners[0].tenure.key, view.token)
        self.assertFalse(view.pending)
        faults.report_time(self, took, 'one claimed, one refused')


class TestBrokenConnections(FaultTestCase):

    def assertNothingWritten(self, reading):
        """At most a lease without a value: a change that never happened."""
        self.assertIsNone(reading.attribute_raw)
        self.assertIsNone(reading.lease_raw)

    def refused_claim(self, mode):
        """A claim whose write meets the proxy in ``mode``: refused, as the
        write may have reached vCenter and no reading can tell.

        :returns: the proxy, the session, the ``CallHook`` on it and the
                  seconds the refusal took
        """
        proxy, session = self.proxied()
        guard = self.guard(session)
        hook = faults.CallHook(self, session)
        hook.before('SetField', lambda: proxy.set_mode(mode))
        started = time.monotonic()
        self.assertRaises(exceptions.ChangeOutcomeUnknown, guard.start)
        return proxy, session, hook, time.monotonic() - started

    def test_reset_during_claim_refuses_and_a_retry_claims(self):
        proxy, session, _, failed = self.refused_claim(tcpproxy.RESET)
        # The interrupted claim left its lease without a value.
        reading = self.reading()
        self.assertNothingWritten(reading)
        self.assertIsNotNone(reading.lease_key)
        proxy.set_mode(tcpproxy.FORWARD)
        started = time.monotonic()
        retry = self.guard(session)
        record = retry.start()
        retried = time.monotonic() - started
        view = self.view()
        self.assertEqual(retry.holder, view.record.holder)
        self.assertEqual(record, view.record)
        self.assertNotEqual(reading.lease_key, view.token)
        faults.report_time(self, failed, 'refused: ChangeOutcomeUnknown')
        faults.report_time(self, retried, 'next start: abandoned lease '
                                          'cleared, claimed')

    def test_black_hole_during_claim_refuses_within_the_timeouts(self):
        _, _, hook, took = self.refused_claim(tcpproxy.BLACKHOLE)
        self.assertNothingWritten(self.reading())
        # The read, the privilege check, the lease, the hung write, and the
        # reading that would have told whether the write landed; never the
        # write again.
        self.assertEqual(['RetrievePropertiesEx', 'HasPrivilegeOnEntities',
                          'AddCustomFieldDef', 'SetField',
                          'RetrievePropertiesEx'], hook.calls)
        faults.report_time(self, took, 'refused: ChangeOutcomeUnknown')

    def test_lost_answer_to_the_lease_creation_is_decided_again(self):
        # The lease is created but its answer never arrives: a fresh
        # reading shows a lease without a value, which the start revokes
        # (it may be its own) before deciding again: it claims, exactly
        # once, under a new lease.
        proxy, session = self.proxied()
        guard = self.guard(session)
        hook = faults.CallHook(self, session)

        def mute_once():
            proxy.set_mode(tcpproxy.MUTE)
            timer = threading.Timer(faults.TIMEOUT / 2, proxy.set_mode,
                                    (tcpproxy.FORWARD,))
            self.addCleanup(timer.cancel)
            timer.start()
        hook.before('AddCustomFieldDef', mute_once, nth=1)
        started = time.monotonic()
        record = guard.start()
        took = time.monotonic() - started
        view = self.view()
        self.assertEqual(guard.holder, view.record.holder)
        self.assertEqual(record.seq, view.record.seq)
        self.assertEqual(['RetrievePropertiesEx', 'HasPrivilegeOnEntities',
                          'AddCustomFieldDef', 'RetrievePropertiesEx',
                          'RemoveCustomFieldDef', 'RetrievePropertiesEx',
                          'HasPrivilegeOnEntities', 'AddCustomFieldDef',
                          'SetField'], hook.calls[:9])
        self.assertEqual(1, hook.calls.count('RemoveCustomFieldDef'))
        faults.report_time(self, took, 'claimed after revoking the lease '
                                       'its lost creation left')

    def _short_outage(self, mode):
        """An outage shorter than the renew deadline: the lease is kept."""
        proxy, session = self.proxied()
        guard = self.guard(session, lease=LONG_LEASE, renew=RENEW)
        held = guard.start()
        hook = faults.CallHook(self, session)
        hook.before('SetField', lambda: proxy.set_mode(mode))
        keeper, lost = self.keeper(guard)
        started = time.monotonic()
        self.assertTrue(wait.wait_until(lambda: keeper.failures, BOUND))
        failed = time.monotonic() - started
        # Nobody else may write meanwhile; the record still names us.
        self.assertEqual(guard.holder, self.view().record.holder)
        proxy.set_mode(tcpproxy.FORWARD)
        resumed_from = time.monotonic()
        self.assertTrue(wait.wait_until(
            lambda: keeper.renewals and not keeper.failures, BOUND))
        resumed = time.monotonic() - resumed_from
        self.assertFalse(lost.event.is_set(), lost.errors)
        view = self.view()
        self.assertEqual(guard.holder, view.record.holder)
        self.assertEqual(guard.tenure.key, view.token)
        self.assertGreater(view.record.seq, held.seq)
        faults.report_time(self, failed, 'renewal failed, keeps retrying')
        faults.report_time(self, resumed, 'renewing again after repair')

    def test_reset_during_renewal_retries_and_keeps_the_lease(self):
        self._short_outage(tcpproxy.RESET)

    def test_black_hole_during_renewal_retries_and_keeps_the_lease(self):
        self._short_outage(tcpproxy.BLACKHOLE)

    def test_black_hole_past_the_renew_deadline_steps_down(self):
        proxy, session = self.proxied()
        guard = self.guard(session, lease=6, renew=RENEW)
        deadline = guard.settings.renew_deadline
        guard.start()
        keeper, lost = self.keeper(guard)
        self.assertTrue(wait.wait_until(lambda: keeper.renewals, BOUND))
        proxy.set_mode(tcpproxy.BLACKHOLE)
        broken = time.monotonic()
        self.assertTrue(lost.event.wait(BOUND), 'no step-down')
        (when, error), = lost.errors
        self.assertIsInstance(error, exceptions.OwnershipLost)
        self.assertIn('renew_deadline', str(error))
        # Not before the deadline, counted from the start of the last
        # successful renewal (on the same monotonic clock).
        self.assertGreaterEqual(when, keeper.last_renewal + deadline)
        last = self.view().record
        # It writes nothing more, whatever vCenter does next.
        proxy.set_mode(tcpproxy.FORWARD)
        self.assertTrue(guard.tenure.closed)
        self.assertRaises(exceptions.OwnershipLost, guard.renew)
        self.assertFalse(guard.release())
        self.assertEqual(last, self.view().record)
        faults.report_time(self, when - broken, 'stepped down at the renew '
                                                'deadline (%.2f s)'
                           % deadline)


class TestSilentVCenter(base.SimulatorTestCase):

    def test_a_login_that_times_out_is_not_repeated(self):
        # oslo.vmware would repeat it forever; vcenter asks a silent
        # endpoint once (its first request runs out of time).
        silent = self.useFixture(faults.SilentEndpoint())
        endpoint = vcenter.Endpoint('127.0.0.1', silent.port, 'user',
                                    'secret', ca_file=self.simulator.ca_file)
        error = self.assertRaises(
            vsphere_errors.VCenterUnreachable, vcenter.connect, endpoint,
            faults.TIMEOUT)
        self.assertIn('https://127.0.0.1:%d' % silent.port, str(error))
        self.assertIn('no complete answer within 2 s', str(error))
        self.assertEqual(1, silent.connections)


class TestSessionTerminated(FaultTestCase):

    # The test ends the guard's session as an admin would: sessionList and
    # TerminateSession are not in the package's reduced client.
    FULL_SESSION = True

    def session_keys(self):
        """Keys of the simulator's current sessions (every client's)."""
        manager = vcenter.service_content(self.session).sessionManager
        (_, props), = vcenter.collect(
            self.session, [(manager, 'SessionManager', ['sessionList'])])
        sessions = vcenter.array(props.get('sessionList'), 'UserSession')
        return {s.key for s in sessions}

    def session_key(self, session):
        """The key of ``session``'s own vCenter session."""
        manager = vcenter.service_content(session).sessionManager
        (_, props), = vcenter.collect(
            session, [(manager, 'SessionManager', ['currentSession'])])
        return props['currentSession'].key

    def test_holder_logs_in_again_and_keeps_renewing(self):
        session = faults.connect(self.simulator)
        theirs = {self.session_key(session)}
        self.assertLessEqual(theirs, self.session_keys())
        guard = self.guard(session, lease=LONG_LEASE, renew=RENEW)
        guard.start()
        keeper, lost = self.keeper(guard)
        self.assertTrue(wait.wait_until(lambda: keeper.renewals, BOUND))
        vcenter.invoke(self.session, 'TerminateSession',
                       vcenter.service_content(self.session).sessionManager,
                       sessionId=list(theirs))
        terminated = time.monotonic()
        count = keeper.renewals
        self.assertTrue(wait.wait_until(
            lambda: keeper.renewals >= count + 2, BOUND))
        took = time.monotonic() - terminated
        self.assertFalse(lost.event.is_set(), lost.errors)
        self.assertEqual(guard.holder, self.view().record.holder)
        # A new session replaced the terminated one.
        self.assertFalse(theirs & self.session_keys())
        faults.report_time(self, took, 'logged in again, renewed twice')


class TestMissingPrivileges(FaultTestCase):
    """vCenter's NoPermission fault, answered in its place.

    The simulator checks no privileges; the fault comes back as vCenter
    sends it (HTTP 500, a SOAP fault), through suds and oslo.vmware.
    """

    def test_claim_without_manage_custom_fields_names_the_privilege(self):
        guard = self.guard(self.session)
        hook = faults.CallHook(self, self.session)
        hook.answer('AddCustomFieldDef',
                    faults.no_permission('Global.ManageCustomFields'))
        error = self.assertRaises(exceptions.MissingPrivilege, guard.start)
        self.assertEqual('Global.ManageCustomFields', error.privilege)
        self.assertIn('Global.ManageCustomFields', str(error))
        reading = self.reading()
        self.assertEqual((None, None), (reading.attribute_raw,
                                        reading.lease_key))

    def test_claim_without_set_custom_field_names_it(self):
        # The privilege check said "granted", vCenter refuses the write all
        # the same (an older vCenter names no privilege: the one SetField
        # needs).
        guard = self.guard(self.session)
        hook = faults.CallHook(self, self.session)
        hook.answer('SetField', faults.no_permission())
        error = self.assertRaises(exceptions.MissingPrivilege, guard.start)
        self.assertEqual(['RetrievePropertiesEx', 'HasPrivilegeOnEntities',
                          'AddCustomFieldDef', 'SetField',
                          'RemoveCustomFieldDef'], hook.calls)
        self.assertEqual('Global.SetCustomField', error.privilege)
        self.assertIn('Global.SetCustomField', str(error))
        reading = self.reading()
        self.assertIsNone(reading.attribute_raw)
        # Its lease is removed again, not left without a value.
        self.assertIsNone(reading.lease_key)

    def test_renewal_denied_is_retried_never_lost(self):
        logs = self.useFixture(fixtures.FakeLogger(
            name=lease_mod.__name__))
        guard = self.guard(self.session, lease=LONG_LEASE, renew=RENEW)
        held = guard.start()
        hook = faults.CallHook(self, self.session)
        hook.answer('SetField', faults.no_permission('Global.SetCustomField'))
        keeper, lost = self.keeper(guard)
        self.assertTrue(wait.wait_until(
            lambda: keeper.renewals >= 1, BOUND))
        self.assertIn('Could not renew', logs.output)
        self.assertIn('Global.SetCustomField', logs.output)
        self.assertFalse(lost.event.is_set(), lost.errors)
        view = self.view()
        self.assertEqual(guard.holder, view.record.holder)
        self.assertGreater(view.record.seq, held.seq)

    def test_a_refused_connection_at_start_is_unreachable(self):
        # The hook fails the request as the network would.
        guard = self.guard(self.session)
        hook = faults.CallHook(self, self.session)

        def refuse():
            raise requests.exceptions.ConnectionError(
                '[Errno 111] Connection refused')
        hook.before('RetrievePropertiesEx', refuse)
        error = self.assertRaises(vsphere_errors.VCenterUnreachable,
                                  guard.start)
        self.assertIn('Connection refused', str(error))

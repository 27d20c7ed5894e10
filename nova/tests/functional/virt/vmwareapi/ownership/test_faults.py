"""Fault injection: a slow, broken or hostile path to vCenter.

Every scenario breaks one thing at an exact step of a claim or a renewal
(``faults.CallHook``), through ``tcpproxy`` between the guard's session and
the simulator, or by faults the simulator cannot produce itself. Each test
asserts what the guard did, that no second holder appeared, that the
record was not lost or overwritten, and that a defined outcome came within
a generous bound. The times are reported (``faults.report_time``) and
summarised in ``doc/source/faults.rst``; they are not asserted as
performance.
"""

import threading
import time

from oslo_vmware import exceptions as vexc
from oslo_vmware import vim_util

from nova.tests.functional.virt.vmwareapi.ownership import base
from nova.tests.functional.virt.vmwareapi.ownership import faults
from nova.tests.functional.virt.vmwareapi.ownership import tcpproxy
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import lease as lease_mod

BOUND = 60.0
"""Generous bound on the time to a defined outcome (seconds)."""

RENEW = 0.5


class FaultTestCase(base.SimulatorTestCase):

    def proxied(self):
        """A proxy to the simulator and a session through it."""
        proxy = tcpproxy.TCPProxy(self.simulator.port)
        self.addCleanup(proxy.close)
        session = faults.connect(self.simulator, port=proxy.port)
        return proxy, session

    def guard(self, session, **settings):
        """A guard of this test's record through ``session``."""
        return faults.make_guard(faults.make_store(session, self.attribute),
                                 **settings)

    def keeper(self, guard):
        lost = []
        keeper = lease_mod.LeaseKeeper(guard, RENEW, lost.append)
        self.addCleanup(keeper.stop, 10)
        keeper.start()
        return keeper, lost

    def reading(self):
        return self.make_store().read()


class TestLatency(FaultTestCase):

    def test_claim_under_latency_completes_exactly_once(self):
        racers = [self.proxied() for _ in range(2)]
        guards = [self.guard(session) for _, session in racers]
        for proxy, _ in racers:
            proxy.set_mode(tcpproxy.LATENCY, delay=0.1)
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
                    outcome, exceptions.ClusterHeldByAnotherProcess)
        reading = self.reading()
        self.assertEqual(winners[0].holder, reading.record().holder)
        self.assertIsNone(reading.lock_key)
        faults.report_time(self, took, 'one claimed, one refused')


class TestBrokenConnections(FaultTestCase):

    def test_reset_during_claim_refuses_and_a_retry_claims(self):
        proxy, session = self.proxied()
        guard = self.guard(session)
        hook = faults.CallHook(self, session)
        hook.before('SetField', lambda: proxy.set_mode(tcpproxy.RESET))
        started = time.monotonic()
        self.assertRaises(exceptions.VCenterUnreachable, guard.start)
        failed = time.monotonic() - started
        # Nothing was written; the interrupted claim left its lock.
        reading = self.reading()
        self.assertIsNone(reading.raw)
        self.assertIsNotNone(reading.lock_key)
        proxy.set_mode(tcpproxy.FORWARD)
        started = time.monotonic()
        record = self.guard(session).start()
        retried = time.monotonic() - started
        self.assertEqual(record.holder, self.reading().record().holder)
        self.assertLess(failed + retried, BOUND)
        faults.report_time(self, failed, 'refused: VCenterUnreachable')
        faults.report_time(self, retried, 'next start: stale lock broken, '
                                          'claimed')

    def test_black_hole_during_claim_refuses_within_the_timeouts(self):
        proxy, session = self.proxied()
        guard = self.guard(session)
        hook = faults.CallHook(self, session)
        hook.before('SetField', lambda: proxy.set_mode(tcpproxy.BLACKHOLE))
        started = time.monotonic()
        self.assertRaises(exceptions.VCenterUnreachable, guard.start)
        took = time.monotonic() - started
        self.assertLess(took, BOUND)
        self.assertIsNone(self.reading().raw)
        faults.report_time(self, took, 'refused: VCenterUnreachable')

    def test_lost_answer_to_the_lock_creation_still_claims_once(self):
        # The lock is created but its answer never arrives; the retry finds
        # the lock "held" (by this very claim), waits until it is stale,
        # breaks it and claims.
        proxy, session = self.proxied()
        guard = self.guard(session)
        hook = faults.CallHook(self, session)

        def mute_once():
            proxy.set_mode(tcpproxy.MUTE)
            threading.Timer(faults.TIMEOUT / 2, proxy.set_mode,
                            (tcpproxy.FORWARD,)).start()
        hook.before('AddCustomFieldDef', mute_once, nth=1)
        started = time.monotonic()
        record = guard.start()
        took = time.monotonic() - started
        reading = self.reading()
        self.assertEqual(guard.holder, reading.record().holder)
        self.assertEqual(record.seq, reading.record().seq)
        self.assertIsNone(reading.lock_key)
        self.assertLess(took, BOUND)
        faults.report_time(self, took, 'claimed after breaking its own '
                                       'orphaned lock')

    def _renewal_outage(self, mode):
        proxy, session = self.proxied()
        guard = self.guard(session, renew=RENEW)
        held = guard.start()
        hook = faults.CallHook(self, session)
        hook.before('SetField', lambda: proxy.set_mode(mode))
        keeper, lost = self.keeper(guard)
        started = time.monotonic()
        self.assertTrue(faults.wait_until(lambda: keeper.failures, BOUND))
        failed = time.monotonic() - started
        # Nobody else may write meanwhile; the record still names us.
        self.assertEqual(guard.holder, self.reading().record().holder)
        proxy.set_mode(tcpproxy.FORWARD)
        resumed_from = time.monotonic()
        self.assertTrue(faults.wait_until(
            lambda: keeper.renewals and not keeper.failures, BOUND))
        resumed = time.monotonic() - resumed_from
        self.assertEqual([], lost)
        record = self.reading().record()
        self.assertEqual(guard.holder, record.holder)
        self.assertGreater(record.seq, held.seq)
        faults.report_time(self, failed, 'renewal failed, keeps retrying')
        faults.report_time(self, resumed, 'renewing again after repair')

    def test_reset_during_renewal_retries_and_keeps_the_lease(self):
        self._renewal_outage(tcpproxy.RESET)

    def test_black_hole_during_renewal_retries_and_keeps_the_lease(self):
        self._renewal_outage(tcpproxy.BLACKHOLE)


class TestSessionTerminated(FaultTestCase):

    def session_keys(self):
        """Keys of the simulator's current sessions."""
        found = vim_util.get_object_property(
            self.session.vim, self.session.vim.service_content.sessionManager,
            'sessionList')
        return {s.key for s in getattr(found, 'UserSession', None) or []}

    def test_holder_logs_in_again_and_keeps_renewing(self):
        before = self.session_keys()
        session = faults.connect(self.simulator)
        theirs = self.session_keys() - before
        self.assertEqual(1, len(theirs))
        guard = self.guard(session, renew=RENEW)
        guard.start()
        keeper, lost = self.keeper(guard)
        self.assertTrue(faults.wait_until(lambda: keeper.renewals, BOUND))
        self.session.invoke_api(
            self.session.vim, 'TerminateSession',
            self.session.vim.service_content.sessionManager,
            sessionId=list(theirs))
        terminated = time.monotonic()
        count = keeper.renewals
        self.assertTrue(faults.wait_until(
            lambda: keeper.renewals >= count + 2, BOUND))
        took = time.monotonic() - terminated
        self.assertEqual([], lost)
        self.assertEqual(guard.holder, self.reading().record().holder)
        # A new session replaced the terminated one.
        self.assertFalse(theirs & self.session_keys())
        faults.report_time(self, took, 'logged in again, renewed twice')


class TestMissingPrivileges(FaultTestCase):

    def denied(self, privilege, details=True):
        return vexc.NoPermissionException(
            'Permission to perform this operation was denied.',
            details={'privilegeId': privilege} if details else None)

    def test_claim_without_manage_custom_fields_names_the_privilege(self):
        guard = self.guard(self.session)
        hook = faults.CallHook(self, self.session)
        hook.raising('AddCustomFieldDef',
                     self.denied('Global.ManageCustomFields'))
        error = self.assertRaises(exceptions.MissingPrivilege, guard.start)
        self.assertEqual('Global.ManageCustomFields', error.privilege)
        self.assertIn('Global.ManageCustomFields', str(error))
        reading = self.reading()
        self.assertIsNone(reading.raw)
        self.assertIsNone(reading.lock_key)

    def test_claim_without_set_custom_field_names_it_and_unlocks(self):
        guard = self.guard(self.session)
        hook = faults.CallHook(self, self.session)
        hook.raising('SetField', self.denied('Global.SetCustomField',
                                             details=False))
        error = self.assertRaises(exceptions.MissingPrivilege, guard.start)
        self.assertIn('Global.SetCustomField', str(error))
        reading = self.reading()
        self.assertIsNone(reading.raw)
        self.assertIsNone(reading.lock_key)

    def test_renewal_denied_is_retried_never_lost(self):
        guard = self.guard(self.session, renew=RENEW)
        held = guard.start()
        hook = faults.CallHook(self, self.session)
        hook.raising('SetField', self.denied('Global.SetCustomField'))
        errors = []
        real_renew = guard.renew

        def renew():
            try:
                return real_renew()
            except exceptions.OwnershipError as exc:
                errors.append(exc)
                raise
        guard.renew = renew
        keeper, lost = self.keeper(guard)
        self.assertTrue(faults.wait_until(
            lambda: keeper.renewals >= 1, BOUND))
        self.assertIsInstance(errors[0], exceptions.MissingPrivilege)
        self.assertIn('Global.SetCustomField', str(errors[0]))
        self.assertEqual([], lost)
        record = self.reading().record()
        self.assertEqual(guard.holder, record.holder)
        self.assertGreater(record.seq, held.seq)

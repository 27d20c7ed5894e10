"""Fault injection: vCenter (the simulator) crashes and comes back empty.

The simulator keeps everything in memory, so a restart loses the record,
its field definition and the lock: harsher than a real vCenter, whose
custom fields survive a restart, and the same as one restored from a
backup taken before the claim. Whatever the step it lands on, the guard
must reach a defined outcome: it holds a record it wrote on the new
vCenter, it finds its record gone and reports the cluster lost, or it
refuses with a ``VCenterError``. Never a hang, never an exception of
another kind, never a second holder.
"""

import signal
import time

import testtools

from nova.tests.functional.virt.vmwareapi.ownership import base
from nova.tests.functional.virt.vmwareapi.ownership import faults
from nova.tests.functional.virt.vmwareapi.ownership import holder as holder_mod
from nova.tests.functional.virt.vmwareapi.ownership import simulator
from nova.tests.functional.virt.vmwareapi.ownership import test_ha
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import lease as lease_mod

BOUND = 60.0
RENEW = 0.5

# The steps of a first claim, the call a restart lands before, and what
# the guard does then.
HELD = 'held'            # claimed on the new vCenter, record names it
LOST = 'lost'            # "held", but the record it wrote died with the
#                          old vCenter: its first renewal reports it lost
REFUSED = 'refused'      # start raised a VCenterError; nothing written
CLAIM_STEPS = [
    ('AddCustomFieldDef', 1, HELD),     # taking the lock
    ('RetrievePropertiesEx', 2, HELD),  # re-reading under the lock
    ('AddCustomFieldDef', 2, HELD),     # creating the attribute
    ('SetField', 1, REFUSED),           # writing: the field key is stale
    ('RemoveCustomFieldDef', 1, LOST),  # releasing the lock
]


class TestSimulatorRestart(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.simulator = self.useFixture(simulator.VCenterSimulator())
        self.session = faults.connect(self.simulator)
        self.attribute = base.unique_attribute()

    def test_restart_at_each_step_of_a_claim_has_a_defined_outcome(self):
        for number, (method, nth, expected) in enumerate(CLAIM_STEPS):
            attribute = '%s.%d' % (self.attribute, number)
            store = faults.make_store(self.session, attribute)
            guard = faults.make_guard(store, renew=RENEW)
            hook = faults.CallHook(self, self.session)
            hook.before(method, self.simulator.restart, nth=nth)
            started = time.monotonic()
            try:
                guard.start()
                outcome = HELD
            except exceptions.VCenterError:
                outcome = REFUSED
            took = time.monotonic() - started
            step = '%s #%d' % (method, nth)
            reading = store.read()
            if outcome == HELD and reading.raw is None:
                self.assertRaises(exceptions.OwnershipLost, guard.renew)
                outcome = LOST
            self.assertEqual(expected, outcome, step)
            if outcome == HELD:
                self.assertEqual(guard.holder, reading.record().holder)
            else:
                self.assertIsNone(reading.raw, step)
            self.assertLess(took, BOUND, step)
            faults.report_time(self, took, 'restart before %s: %s'
                               % (step, outcome))
            hook.stop()

    def _restart_during_renewal(self, method):
        store = faults.make_store(self.session, self.attribute)
        guard = faults.make_guard(store, renew=RENEW)
        guard.start()
        hook = faults.CallHook(self, self.session)
        hook.before(method, self.simulator.restart)
        lost = []
        keeper = lease_mod.LeaseKeeper(guard, RENEW, lost.append)
        # Renewals run in this thread (not the keeper's): the restarted
        # simulator is a child of the thread that starts it, and dies with
        # that thread (PR_SET_PDEATHSIG).
        started = time.monotonic()
        while keeper.renew_once() and time.monotonic() - started < BOUND:
            time.sleep(RENEW)
        took = time.monotonic() - started
        self.assertTrue(lost, keeper.failures)
        self.assertIsInstance(lost[0], exceptions.OwnershipLost)
        # It never wrote a record on the new vCenter.
        self.assertIsNone(store.read().raw)
        faults.report_time(self, took, 'restart before renewal %s: lost '
                                       'after %d failed renewals'
                           % (method, keeper.failures))

    def test_restart_before_the_renewal_read_reports_lost(self):
        self._restart_during_renewal('RetrievePropertiesEx')

    def test_restart_before_the_renewal_write_reports_lost(self):
        self._restart_during_renewal('SetField')

    def test_holder_process_reports_lost_and_exits(self):
        holder = test_ha.Holder(self, 'hold')
        self.assertIsNotNone(holder.wait_for('held', BOUND),
                             '%s\n%s' % (holder.seen, holder.stderr()))
        self.assertIsNotNone(holder.wait_for('renewed', BOUND), holder.seen)
        self.simulator.restart(signal.SIGKILL)
        restarted = time.monotonic()
        lost = holder.wait_for('lost', BOUND)
        self.assertIsNotNone(lost, '%s\n%s' % (holder.seen,
                                               holder.stderr()))
        holder.process.wait(timeout=BOUND)
        self.assertEqual(holder_mod.EXIT_LOST, holder.process.returncode)
        took = lost['t'] - restarted
        # It never wrote a record on the new vCenter.
        store = faults.make_store(faults.connect(self.simulator),
                                  self.attribute)
        self.assertIsNone(store.read().raw)
        faults.report_time(self, took, 'holder process: lost, exit 5')

"""Fault injection: vCenter (the simulator) crashes and comes back empty.

The simulator keeps everything in memory, so a restart loses the record,
the lease and the attribute: harsher than a real vCenter, whose custom
fields survive a restart, and the same as one restored from a backup
taken before the claim. Whatever the step it lands on, the guard must
reach a defined outcome: it holds a lease it wrote on the new vCenter, it
finds its lease gone and reports the cluster lost, or it refuses with a
``VCenterError``. Never a hang, never an exception of another kind, never
a second holder.
"""

import signal
import time

import testtools

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import lease as lease_mod
from support import base
from support import faults
from support import holder as holder_mod
from support import processes
from support import sharing

BOUND = 60.0
RENEW = 0.5

# The steps of a first claim, the request a restart lands before, and
# what the guard does then.
HELD = 'held'            # claimed on the new vCenter, its lease names it
LOST = 'lost'            # "held", but the lease it wrote died with the
#                          old vCenter: its first renewal reports it lost
REFUSED = 'refused'      # start raised a VCenterError; nothing written
CLAIM_STEPS = [
    ('RetrievePropertiesEx', 1, HELD),  # reading the record
    ('AddCustomFieldDef', 1, HELD),     # creating the lease
    ('SetField', 1, HELD),              # writing through the lease: not
    #                                     sent again after the new login;
    #                                     a fresh reading shows its key
    #                                     gone, the claim decides again on
    #                                     the new vCenter
    ('AddCustomFieldDef', 2, LOST),     # creating the attribute: the
    ('SetField', 2, LOST),              # change landed in the lease, the
    #                                     copy failed; the lease died with
    #                                     the old vCenter
]

ATTEMPTS = 3
"""Renewals a holder gets after a restart to report the cluster lost."""


class TestSimulatorRestart(sharing.SharedSimulatorMixin,
                           testtools.TestCase):
    """One simulator, restarted by every test; each test its own attribute.

    The session is the guarded driver's (``faults.TIMEOUT``); it logs in
    again after each restart.
    """

    OWN_SIMULATOR = 'every test restarts it'
    SESSION_TIMEOUT = faults.TIMEOUT

    def setUp(self):
        super().setUp()
        self.attribute = base.unique_attribute()

    def test_restart_at_each_step_of_a_claim_has_a_defined_outcome(self):
        for number, (method, nth, expected) in enumerate(CLAIM_STEPS):
            with self.subTest(method=method, nth=nth):
                step = '%s #%d' % (method, nth)
                attribute = '%s.%d' % (self.attribute, number)
                store = base.make_store(self.session, attribute)
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
                hook.stop()
                view = base.view_of(store)
                if outcome == HELD and view.token is None:
                    self.assertRaises(exceptions.OwnershipLost, guard.renew)
                    outcome = LOST
                self.assertEqual(expected, outcome, step)
                if outcome == HELD:
                    self.assertEqual(guard.tenure.key, view.token, step)
                    self.assertEqual(guard.holder, view.record.holder, step)
                else:
                    # No lease on the new vCenter: nothing holds the cluster
                    # there, and the lost holder writes nothing more.
                    self.assertIsNone(view.token, step)
                    self.assertTrue(
                        guard.tenure is None or guard.tenure.closed, step)
                faults.report_time(self, took, 'restart before %s: %s'
                                   % (step, outcome))

    def _restart_during_renewal(self, method):
        store = base.make_store(self.session, self.attribute)
        guard = faults.make_guard(store, renew=RENEW)
        guard.start()
        hook = faults.CallHook(self, self.session)
        hook.before(method, self.simulator.restart)
        lost = []
        keeper = lease_mod.LeaseKeeper(guard, guard.settings, lost.append)
        # Renewals run in this thread (not the keeper's): the restarted
        # simulator is a child of the thread that starts it, and dies with
        # that thread (PR_SET_PDEATHSIG). No pause between them: the
        # restart is over when renew_once returns.
        started = time.monotonic()
        for _ in range(ATTEMPTS):
            if not keeper.renew_once():
                break
        took = time.monotonic() - started
        self.assertTrue(lost, keeper.failures)
        self.assertIsInstance(lost[0], exceptions.OwnershipLost)
        # It never wrote a record on the new vCenter.
        reading = store.read()
        self.assertEqual((None, None), (reading.attribute_raw,
                                        reading.lease_key))
        faults.report_time(self, took, 'restart before renewal %s: lost '
                                       'after %d failed renewals'
                           % (method, keeper.failures))

    def test_restart_before_the_renewal_read_reports_lost(self):
        self._restart_during_renewal('RetrievePropertiesEx')

    def test_restart_before_the_renewal_write_reports_lost(self):
        self._restart_during_renewal('SetField')

    def test_holder_process_reports_lost_and_exits(self):
        holder = processes.Holder(self, 'hold')
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
        reading = base.make_store(faults.connect(self.simulator),
                                  self.attribute).read()
        self.assertEqual((None, None), (reading.attribute_raw,
                                        reading.lease_key))
        faults.report_time(self, took, 'holder process: lost, exit 5')

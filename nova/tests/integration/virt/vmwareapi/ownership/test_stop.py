"""The driver's stop path, as nova-compute drives it, in this process.

A step-down asks nova-compute to stop and arms the hard exit; after it,
``cleanup_host`` sends vCenter nothing (not even nova's logout); a stop
that could not release the cluster is held to the time the lease
expires. Ending the process is recorded here instead
(``DriverTestCase``); ``test_step_down`` runs nova-compute in processes
of its own and ends them for real.
"""

import datetime

import fixtures
import requests

from nova.virt.vmwareapi import session as nova_session

from nova.virt.vmwareapi.ownership import clock as clock_mod
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import lease as lease_mod
from nova.virt.vmwareapi.ownership import operations
from support import base
from support import faults

from .test_driver import DriverTestCase

BOUND = 30
"""Seconds within which the driver's lease keeper must react."""

QUIET = {'lease_duration': 600, 'renew_interval': 300}
"""A lease that is not renewed while a test runs."""


class TestStopPath(DriverTestCase):

    def setUp(self):
        super().setUp()
        self.logout = self.useFixture(fixtures.MockPatchObject(
            nova_session.VMwareAPISession, 'logout', autospec=True)).mock

    def take_over_by_force(self):
        """The operator's forced takeover (nova-vmware-owner's code)."""
        store = self.store()
        plan = operations.plan(
            operations.Change.TAKEOVER, base.view_of(store), 'host-b',
            datetime.datetime.now(datetime.timezone.utc), store.location,
            force=True)
        operations.apply(store, plan, who='test')

    def test_forced_takeover_stops_the_service(self):
        opened = self.guard_session()
        driver = self.start('host-a', stop=False, lease_duration=6,
                            renew_interval=1)
        (session, _), = opened
        revoked = driver.ownership.tenure.key
        self.take_over_by_force()
        self.assertTrue(self.ends.stopped.wait(BOUND),
                        'the service was not stopped')
        stopped_at = clock_mod.SYSTEM.now()
        (error, gone_by), = self.ends.lost
        self.assertIsInstance(error, exceptions.OwnershipLost)
        self.assertIn(str(revoked), str(error))
        # Gone within the grace of the step-down: half of what the 3.5 s
        # deadline leaves of the 6 s lease.
        self.assertEqual(1.25, lease_mod.grace(driver.ownership_settings))
        self.assertLessEqual(gone_by, stopped_at + 1.25)
        # It writes nothing more: the takeover's record stays.
        self.assertRaises(exceptions.OwnershipLost, driver.ownership.renew)
        self.assertEqual('host-b', self.record().host)
        self.assertFalse(self.record().is_held)
        # nova's stop then calls cleanup_host: nothing goes to vCenter, not
        # even nova's logout, and nothing more is armed.
        calls = faults.CallHook(self, session)
        driver.cleanup_host('host-a')
        self.assertEqual([], calls.calls)
        self.logout.assert_not_called()
        self.assertEqual([], self.ends.hard_exits)
        self.assertIn('Not logging out of vCenter: this process stepped '
                      'down', self.logs.output)

    def test_a_clean_stop_releases_and_logs_out(self):
        driver = self.start('host-a', stop=False, **QUIET)
        driver.cleanup_host('host-a')
        self.assertEqual('released', self.record().state)
        self.logout.assert_called_once()
        self.assertEqual([], self.ends.hard_exits)
        self.assertEqual([], self.ends.lost)

    def test_a_stop_that_cannot_release_exits_before_the_lease_expires(self):
        opened = self.guard_session()
        driver = self.start('host-a', stop=False, **QUIET)
        (session, _), = opened
        # Not renewed since (QUIET): the take was the last renewal.
        last_renewal = driver.ownership.taken_at

        def unreachable():
            raise requests.exceptions.ConnectionError(
                '[Errno 111] Connection refused')
        faults.CallHook(self, session).before('RetrievePropertiesEx',
                                              unreachable)
        driver.cleanup_host('host-a')
        stopped_at = clock_mod.SYSTEM.now()
        self.assertTrue(self.record().is_held)
        (gone_by, why), = self.ends.hard_exits
        grace = lease_mod.grace(driver.ownership_settings)
        self.assertEqual(75, grace)
        self.assertLessEqual(gone_by, stopped_at + grace)
        self.assertLessEqual(gone_by, last_renewal + 600 - grace)
        self.assertEqual("stopping without releasing cluster DC0_C0", why)
        self.assertIn('Could not release cluster DC0_C0', self.logs.output)
        self.assertIn('Stopping without having released cluster DC0_C0: if '
                      'nova-compute has not stopped within', self.logs.output)
        # nova's own session still works: it logs out as nova does.
        self.logout.assert_called_once()
        self.assertEqual([], self.ends.lost)

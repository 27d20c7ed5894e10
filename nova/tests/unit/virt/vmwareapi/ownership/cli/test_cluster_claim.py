"""The cluster commands that change the owner: claim and takeover.

What each refuses, how a takeover observes a silent holder (or is
forced), and that a change which landed is reported as landed. Fakes
and helpers as ``test_cluster``.
"""

from nova.tests.unit.virt.vmwareapi.ownership.cli import test_cluster
from nova.virt.vmwareapi.ownership.cli import cluster
from nova.virt.vmwareapi.ownership.cli import render
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import refusals
from support import fakes

rec = test_cluster.rec
OTHER = test_cluster.OTHER
THEIRS = test_cluster.THEIRS


class ClaimTestCase(test_cluster.CommandTestCase):

    def test_another_host(self):
        before = self.store.put(rec(OTHER))
        self.assertRaises(refusals.ClusterOwnedByAnotherHost,
                          self.run_command, 'claim', 'json')
        state = self.json()
        self.assertEqual(('claim', False), (state['action'],
                                            state['changed']))
        self.assertIn("owned by nova-compute host 'compute-b'",
                      state['error'])
        self.assertEqual(before, self.store.view().record)
        self.assertNothingWritten()

    def test_unreadable(self):
        self.store.type_by_hand('{broken')
        self.assertRaises(refusals.UnreadableRecord, self.run_command,
                          'claim')
        self.assertNothingWritten()

    def test_not_a_host_name(self):
        error = self.assertRaises(exceptions.ConfigurationError,
                                  self.run_command, 'claim',
                                  target_host='two words')
        self.assertEqual(('--host',), error.options)
        self.assertEqual([], self.store.calls)

    def test_loses_every_attempt(self):
        # Another process starts a change right before each of ours.
        for n in range(1, cluster.CLAIM_ATTEMPTS + 1):
            self.store.hooks[('create_lease', n)] = \
                self.store.start_change
        self.assertRaises(exceptions.RecordChanged, self.run_command,
                          'claim')
        self.assertEqual(cluster.CLAIM_ATTEMPTS,
                         self.store.calls.count('create_lease'))
        self.assertEqual([], self.store.events)
        self.assertIn('Waiting: another process is changing',
                      self.stderr.getvalue())

    def test_a_lost_race_is_decided_again(self):
        # The winner claimed for another host: refused. For this host:
        # nothing left to do.
        for winner, expected in ((OTHER, refusals.ClusterOwnedByAnotherHost),
                                 (fakes.HOST, None)):
            with self.subTest(winner=winner, expected=expected):
                self.store = fakes.FakeStore()
                self.store.hooks[('create_lease', 1)] = \
                    lambda: self.store.put(rec(winner))
                if expected:
                    self.assertRaises(expected, self.run_command, 'claim')
                else:
                    self.assertEqual(0, self.run_command('claim'))
                    self.assertIn('already owned by host compute-a',
                                  self.output())
                self.assertEqual(winner, self.store.view().record.host)
                self.assertEqual(1, self.store.calls.count('create_lease'))

    def test_claim(self):
        self.assertEqual(0, self.run_command('claim', 'json'))
        now = self.store.view().record
        self.assertEqual((fakes.HOST, record_mod.RELEASED),
                         (now.host, now.state))
        state = self.json()
        self.assertEqual(('claim', True, None), (state['action'],
                                                 state['changed'],
                                                 state['before']))
        self.assertEqual(now.to_dict(), state['after'])
        self.assertEqual(now.to_dict(), state['record'])
        self.assertEqual('owned-by-this-host', state['verdict'])
        self.assertEqual(1, len(self.store.events))

    def test_claim_for_another_host(self):
        self.assertEqual(0, self.run_command('claim', target_host=OTHER))
        self.assertEqual(OTHER, self.store.view().record.host)
        self.assertIn('Claimed', self.output())
        self.assertIn('nova-compute of compute-b starts at once',
                      self.output())

    def test_already_claimed(self):
        self.store.put(rec())
        self.assertEqual(0, self.run_command('claim'))
        self.assertIn('already owned by host compute-a; nothing changed',
                      self.output())
        self.assertNothingWritten()


class TakeoverTestCase(test_cluster.CommandTestCase):

    def test_without_yes_and_terminal(self):
        self.store.put(rec(OTHER))
        error = self.assertRaises(refusals.ConfirmationRequired,
                                  self.run_command, 'takeover')
        self.assertIn('--yes', str(error))
        self.assertNothingWritten()

    def test_observe_must_be_positive(self):
        for seconds in (0, -1, float('nan'), float('-inf')):
            with self.subTest(seconds=seconds):
                error = self.assertRaises(exceptions.ConfigurationError,
                                          self.run_command, 'takeover',
                                          observe=seconds)
                self.assertEqual(('--observe',), error.options)

    def test_a_renewing_holder_is_not_taken_over(self):
        self.store.put(rec(OTHER, holder=THEIRS))
        self.clock.on_sleep.append(self.store.renew)
        error = self.assertRaises(refusals.HolderIsAlive,
                                  self.run_command, 'takeover', 'json',
                                  yes=True)
        self.assertEqual(THEIRS, error.holder)
        self.assertEqual(THEIRS, self.store.view().lease.holder)
        self.assertFalse(self.json()['changed'])
        self.assertNothingWritten()

    def test_a_lost_race(self):
        self.store.put(rec(OTHER))
        self.store.hooks[('remove_lease', 1)] = \
            lambda: self.store.put(rec(OTHER, holder=THEIRS, seq=6))
        self.assertRaises(exceptions.RecordChanged, self.run_command,
                          'takeover', yes=True)
        self.assertEqual(THEIRS, self.store.view().record.holder)
        self.assertEqual([], self.store.events)

    def test_dry_run(self):
        before = self.store.put(rec(OTHER))
        self.assertEqual(0, self.run_command('takeover', dry_run=True))
        self.assertNothingWritten()
        self.assertEqual(before, self.store.view().record)
        for part in ('Dry run, nothing written', 'owner compute-b -> '
                     'compute-a', 'before: ', 'after: '):
            with self.subTest(part=part):
                self.assertIn(part, self.output())

    def test_takeover_from_another_host(self):
        self.store.put(rec(OTHER))
        self.assertEqual(0, self.run_command('takeover', 'json', yes=True))
        now = self.store.view().record
        self.assertEqual((fakes.HOST, OTHER), (now.host, now.previous))
        state = self.json()
        self.assertEqual(('takeover', True), (state['action'],
                                              state['changed']))
        self.assertEqual(
            render.rename_steps(OTHER, fakes.HOST, ['/etc/nova/nova.conf']),
            state['next_steps'])

    def test_takeover_text_says_what_to_do_next(self):
        self.store.put(rec(OTHER))
        self.assertEqual(0, self.run_command('takeover', yes=True))
        for part in ('Took over', 'was owned by compute-b',
                     'nova-vmware-owner --config-file /etc/nova/nova.conf '
                     'rehome --from compute-b --to compute-a',
                     'openstack compute service set --down compute-b '
                     'nova-compute'):
            with self.subTest(part=part):
                self.assertIn(part, self.output())

    def test_observes_a_silent_holder_then_takes_over(self):
        self.store.put(rec(holder=THEIRS))
        self.assertEqual(0, self.run_command('takeover', yes=True))
        self.assertEqual(180, sum(self.clock.slept))
        self.assertIsNone(self.store.view().record.holder)
        self.assertIn('after observing it for 180 s', self.output())
        self.assertNotIn('rehome', self.output())

    def test_observe_lengthens_the_observation(self):
        self.store.put(rec(holder=THEIRS))
        self.assertEqual(0, self.run_command('takeover', yes=True,
                                             observe=300))
        self.assertEqual(300, sum(self.clock.slept))
        self.assertEqual('', self.stderr.getvalue())

    def test_observe_never_shortens_it(self):
        # Issue 19: "--observe 1" evicted a holder renewing every 2 s.
        self.store.put(rec(holder=THEIRS))
        self.clock.on_sleep.append(lambda: len(self.clock.slept) % 2 or
                                   self.store.renew())
        error = self.assertRaises(refusals.HolderIsAlive,
                                  self.run_command, 'takeover', yes=True,
                                  observe=1)
        self.assertEqual(THEIRS, self.store.view().lease.holder)
        self.assertLessEqual(2, error.observed_seconds)
        self.assertIn('--observe 1 is shorter than the lease of holder %s '
                      '(180 s): observing it for 180 s' % THEIRS,
                      self.stderr.getvalue())

    def test_observes_the_holders_own_lease(self):
        # The record says the holder's lease; this configuration's is
        # shorter, or off.
        for lease in (60, 0):
            with self.subTest(lease=lease):
                self.clock.slept[:] = []
                self.store.put(rec(holder=THEIRS, lease_duration=600))
                self.assertEqual(0, self.run_command(
                    'takeover', yes=True, settings=fakes.settings(
                        lease_duration=lease, renew_interval=1)))
                self.assertEqual(600, sum(self.clock.slept))

    def test_no_lease_known_needs_observe_or_force(self):
        self.store.put(rec(holder=THEIRS))
        settings = fakes.settings(lease_duration=0)
        error = self.assertRaises(exceptions.ConfigurationError,
                                  self.run_command, 'takeover', yes=True,
                                  settings=settings)
        self.assertIn('--observe', error.options)
        self.assertIn('--force', str(error))
        self.assertNothingWritten()
        self.assertEqual(0, self.run_command('takeover', yes=True,
                                             settings=settings, observe=30))
        self.assertEqual(30, sum(self.clock.slept))

    def test_a_change_that_landed_is_reported_as_landed(self):
        # Issue 19: exit 2 "Cannot reach vCenter", though ownership moved.
        self.store.put(rec(OTHER, holder=THEIRS))
        self.store.hooks[('write_attribute', 1)] = fakes.unconfirmed
        self.store.hooks[('post_event', 1)] = fakes.unconfirmed
        self.assertEqual(0, self.run_command('takeover', 'json', yes=True,
                                             force=True))
        state = self.json()
        self.assertTrue(state['changed'])
        self.assertEqual(['attribute_copy', 'audit_event'],
                         [f['what'] for f in state['failed_after']])
        self.assertEqual(fakes.HOST, self.store.view().record.host)
        self.stdout.seek(0)
        self.stdout.truncate()
        self.store.put(rec(OTHER, holder=THEIRS))
        self.store.hooks[('write_attribute', 2)] = fakes.unconfirmed
        self.assertEqual(0, self.run_command('takeover', yes=True,
                                             force=True))
        for part in ('Took over', 'copying it into the attribute',
                     "the next holder's renewal writes the copy again",
                     'readers trust the lease'):
            with self.subTest(part=part):
                self.assertIn(part, self.output())

    def test_force_skips_the_observation(self):
        self.store.put(rec(holder=THEIRS))
        self.assertEqual(0, self.run_command('takeover', yes=True,
                                             force=True))
        self.assertEqual([], self.clock.slept)
        self.assertIn('evicted holder %s' % THEIRS, self.store.events[0])

    def test_nothing_to_do(self):
        self.store.put(rec())
        self.assertEqual(0, self.run_command('takeover'))
        self.assertIn('Nothing to do', self.output())
        self.assertNothingWritten()


class ClaimLandedTestCase(test_cluster.CommandTestCase):

    def test_a_claim_that_landed_is_reported_as_landed(self):
        self.store.hooks[('ensure_attribute', 1)] = fakes.unconfirmed
        self.store.hooks[('post_event', 1)] = fakes.unconfirmed
        self.assertEqual(0, self.run_command('claim'))
        for part in ('Claimed', 'copying it into the attribute',
                     'The audit event could not be posted',
                     'the audit line on stderr'):
            with self.subTest(part=part):
                self.assertIn(part, self.output())
        self.assertEqual(fakes.HOST, self.store.view().record.host)

    def test_a_claim_whose_write_did_not_land_claims_again(self):
        # Issue 19: "Claimed" printed with the record empty.
        self.store.hooks[('write_lease', 1)] = fakes.unconfirmed
        self.assertEqual(0, self.run_command('claim'))
        self.assertIn('Claimed', self.output())
        current = self.store.view()
        self.assertEqual((fakes.HOST, 1), (current.record.host, current.token))
        self.assertEqual(2, self.store.calls.count('write_lease'))

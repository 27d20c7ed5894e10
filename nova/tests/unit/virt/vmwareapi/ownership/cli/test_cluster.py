"""The command handlers, on a ``context.Context`` around the in-memory store.

Refusals and failures are raised (``cli.main`` maps them to exit codes,
``test_cli``); what a handler prints goes to stdout.
"""

import io
import json
import types

import fixtures
from oslo_vmware import vim_util
from oslotest import base

from nova.virt.vmwareapi.ownership.cli import cluster
from nova.virt.vmwareapi.ownership.cli import context
from nova.virt.vmwareapi.ownership.cli import render
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import refusals
from nova.virt.vmwareapi.ownership.vsphere import clusters
from support import fakes

HOST = fakes.HOST
OTHER = fakes.OTHER_HOST
THEIRS = fakes.OTHER_HOLDER
UUID = 'vc-uuid-1'


rec = fakes.record


class Stream(io.StringIO):
    """A stream that is not a terminal."""

    def isatty(self):
        return False


class CommandTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.store = fakes.FakeStore()
        self.clock = fakes.FakeClock()
        self.stdout = self.useFixture(fixtures.MonkeyPatch(
            'sys.stdout', Stream())).new_value
        self.stderr = self.useFixture(fixtures.MonkeyPatch(
            'sys.stderr', Stream())).new_value
        self.useFixture(fixtures.MonkeyPatch('sys.stdin', Stream()))

    namesakes = ()

    def run_command(self, name, fmt='text', settings=None, **args):
        """Run a handler; returns its exit code."""
        command = dict(name=name, target_host=None, force=False, yes=False,
                       dry_run=False, observe=None)
        command.update(args)
        conf = types.SimpleNamespace(
            host=HOST, command=types.SimpleNamespace(**command),
            config_file=['/etc/nova/nova.conf'])
        ctx = context.Context(conf, settings or fakes.settings(), self.store,
                              UUID, clock=self.clock,
                              namesakes=self.namesakes)
        (found,) = [c for c in cluster.COMMANDS if c.name == name]
        found.check(conf)  # as main does, before anything is opened
        return found.run(ctx, fmt)

    def output(self):
        return self.stdout.getvalue()

    def json(self):
        return json.loads(self.output())

    def assertNothingWritten(self):
        self.assertEqual(set(), set(self.store.calls) - {'read', 'require'})
        self.assertEqual([], self.store.events)


class ShowTestCase(CommandTestCase):

    def test_exits_zero_whatever_the_verdict(self):
        for setup, verdict in (
                (lambda: None, 'unowned'),
                (lambda: self.store.put(rec()), 'owned-by-this-host'),
                (lambda: self.store.put(rec(OTHER)), 'owned-by-other-host'),
                (lambda: self.store.type_by_hand('{x'), 'unreadable')):
            with self.subTest(setup=setup, verdict=verdict):
                setup()
                self.stdout.seek(0)
                self.stdout.truncate()
                self.assertEqual(0, self.run_command('show', 'json'))
                state = self.json()
                self.assertEqual(verdict, state['verdict'])
                self.assertEqual((fakes.CLUSTER, UUID, HOST),
                                 (state['cluster'], state['vcenter_uuid'],
                                  state['this_host']))
        self.assertEqual(['read'] * 4, self.store.calls)

    def test_text(self):
        self.store.put(rec(OTHER))
        self.assertEqual(0, self.run_command('show'))
        self.assertRegex(self.output(),
                         r'(?m)^Verdict: +owned by host compute-b')


class NamesakesTestCase(CommandTestCase):
    """Several clusters have the configured name: which one, and why."""

    namesakes = (
        clusters.NamedCluster(vim_util.get_moref('domain-c7', 'x'), 'DC0_C0',
                              'DC0'),
        clusters.NamedCluster(vim_util.get_moref('domain-c12', 'x'),
                              'DC0_C0', 'DC1'))

    def test_show_names_the_others(self):
        self.assertEqual(0, self.run_command('show', 'json'))
        self.assertEqual([{'cluster_moref': 'domain-c12',
                           'datacenter': 'DC1'}], self.json()['namesakes'])
        self.stdout.seek(0)
        self.stdout.truncate()
        self.run_command('show')
        self.assertIn('Same name:  1 other cluster(s): domain-c12 '
                      '(datacenter DC1)', self.output())
        self.assertEqual('', self.stderr.getvalue())

    def test_a_change_says_which_cluster_and_why(self):
        self.assertEqual(0, self.run_command('claim'))
        note = self.stderr.getvalue()
        for part in ("2 clusters are named 'DC0_C0'",
                     'domain-c7 (datacenter DC0), domain-c12 (datacenter '
                     'DC1)', 'acts on domain-c7', "nova's VMware driver",
                     '--cluster-moref'):
            self.assertIn(part, note)

    def test_unique_names_say_nothing(self):
        self.namesakes = ()
        self.run_command('check', 'json')
        self.assertEqual([], self.json()['namesakes'])
        self.assertEqual('', self.stderr.getvalue())


class CheckTestCase(CommandTestCase):

    def test_another_host(self):
        self.store.put(rec(OTHER))
        error = self.assertRaises(refusals.ClusterOwnedByAnotherHost,
                                  self.run_command, 'check')
        self.assertEqual((OTHER, HOST), (error.owner, error.this_host))
        self.assertIn('owned by host compute-b', self.output())
        self.assertNothingWritten()

    def test_another_host_json(self):
        self.store.put(rec(OTHER))
        self.assertRaises(refusals.ClusterOwnedByAnotherHost,
                          self.run_command, 'check', 'json')
        state = self.json()
        self.assertFalse(state['may_run'])
        self.assertEqual(OTHER, state['owner_host'])

    def test_unreadable(self):
        self.store.type_by_hand('{broken')
        error = self.assertRaises(refusals.UnreadableRecord,
                                  self.run_command, 'check')
        self.assertIs(self.store.location, error.location)
        self.assertIn('unreadable', self.output())
        self.assertNothingWritten()

    def test_may_run(self):
        # Unowned, owned by this host, even held by another live process
        # of this host (nova-compute would stand by).
        for setup in (lambda: None, lambda: self.store.type_by_hand(HOST),
                      lambda: self.store.put(rec(holder=THEIRS))):
            with self.subTest(setup=setup):
                setup()
                self.stdout.seek(0)
                self.stdout.truncate()
                self.assertEqual(0, self.run_command('check', 'json'))
                self.assertTrue(self.json()['may_run'])
        self.assertEqual(0, self.run_command('check'))
        self.assertIn('DC0_C0: owned by this host', self.output())
        self.assertNothingWritten()


class ClaimTestCase(CommandTestCase):

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
                                 (HOST, None)):
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
        self.assertEqual((HOST, record_mod.RELEASED), (now.host, now.state))
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


class TakeoverTestCase(CommandTestCase):

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
        self.assertEqual((HOST, OTHER), (now.host, now.previous))
        state = self.json()
        self.assertEqual(('takeover', True), (state['action'],
                                              state['changed']))
        self.assertEqual(
            render.rename_steps(OTHER, HOST, ['/etc/nova/nova.conf']),
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
        self.assertEqual(HOST, self.store.view().record.host)
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


class ClaimLandedTestCase(CommandTestCase):

    def test_a_claim_that_landed_is_reported_as_landed(self):
        self.store.hooks[('ensure_attribute', 1)] = fakes.unconfirmed
        self.store.hooks[('post_event', 1)] = fakes.unconfirmed
        self.assertEqual(0, self.run_command('claim'))
        for part in ('Claimed', 'copying it into the attribute',
                     'The audit event could not be posted',
                     'the audit line on stderr'):
            with self.subTest(part=part):
                self.assertIn(part, self.output())
        self.assertEqual(HOST, self.store.view().record.host)

    def test_a_claim_whose_write_did_not_land_claims_again(self):
        # Issue 19: "Claimed" printed with the record empty.
        self.store.hooks[('write_lease', 1)] = fakes.unconfirmed
        self.assertEqual(0, self.run_command('claim'))
        self.assertIn('Claimed', self.output())
        current = self.store.view()
        self.assertEqual((HOST, 1), (current.record.host, current.token))
        self.assertEqual(2, self.store.calls.count('write_lease'))


class ReleaseTestCase(CommandTestCase):

    def test_not_the_owner(self):
        before = self.store.put(rec(OTHER))
        error = self.assertRaises(refusals.NotTheOwner, self.run_command,
                                  'release', yes=True)
        self.assertIn('--force', str(error))
        self.assertEqual(before, self.store.view().record)
        self.assertNothingWritten()

    def test_release(self):
        self.store.put(rec())
        self.assertEqual(0, self.run_command('release', yes=True))
        self.assertIn('Released', self.output())
        self.assertIn('unowned now (was owned by compute-a)', self.output())
        self.stdout.seek(0)
        self.stdout.truncate()
        self.run_command('show', 'json')
        self.assertEqual('unowned', self.json()['verdict'])

    def test_forced_release_of_another_host(self):
        self.store.put(rec(OTHER))
        self.assertEqual(0, self.run_command('release', 'json', yes=True,
                                             force=True))
        self.assertTrue(self.store.view().unowned)
        state = self.json()
        self.assertEqual(('release', True, True, None),
                         (state['action'], state['changed'],
                          state['forced'], state['after']))
        self.assertEqual('unowned', state['verdict'])

    def test_observes_a_live_holder(self):
        self.store.put(rec(holder=THEIRS))
        self.assertEqual(0, self.run_command('release', yes=True))
        self.assertEqual(180, sum(self.clock.slept))
        self.assertTrue(self.store.view().unowned)

    def test_unowned(self):
        self.assertEqual(0, self.run_command('release', yes=True))
        self.assertIn('Nothing to do: ', self.output())
        self.assertNothingWritten()


class MissingPrivilegeTestCase(CommandTestCase):
    """Each change is refused before its first write (main: exit 2)."""

    def test_each_change_names_the_privilege_and_writes_nothing(self):
        for name, setup, args in (
                ('claim', None, {}),
                ('takeover', rec(OTHER), dict(yes=True, force=True)),
                ('takeover', rec(OTHER), dict(dry_run=True, force=True)),
                ('release', rec(), dict(yes=True, force=True))):
            with self.subTest(command=name, args=args):
                self.store = fakes.FakeStore(withheld={'Global.LogEvent'})
                if setup is not None:
                    self.store.put(setup)
                before = self.store.view()
                error = self.assertRaises(exceptions.MissingPrivilege,
                                          self.run_command, name, **args)
                self.assertEqual("Global.LogEvent on cluster 'DC0_C0' "
                                 "(domain-c7)", '%s on %s' % (
                                     error.privilege, error.entity))
                self.assertIn("user 'svc-nova'", str(error))
                self.assertNothingWritten()
                self.assertEqual(before.reading, self.store.view().reading)

    def test_show_and_check_need_no_privilege_but_reading(self):
        self.store = fakes.FakeStore(withheld={
            'Global.LogEvent', 'Global.SetCustomField',
            'Global.ManageCustomFields'})
        for name in ('show', 'check'):
            with self.subTest(command=name):
                self.assertEqual(0, self.run_command(name))
        self.assertEqual({'read'}, set(self.store.calls))


class RenameStepsTestCase(base.BaseTestCase):

    def test_steps(self):
        steps = render.rename_steps(OTHER, HOST)
        self.assertIn('nova-vmware-owner rehome --from compute-b --to '
                      'compute-a', steps[3])
        self.assertIn('openstack compute service set --down compute-b '
                      'nova-compute', steps[1])
        self.assertIn('takeover --host compute-b', steps[-1])

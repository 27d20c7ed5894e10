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

"""A vCenter user without the record's privileges, for real.

The simulator's restricted user (tools/vcsim/README.rst, fix 15) lacks
``Global.ManageCustomFields``, ``Global.SetCustomField`` and
``Global.LogEvent`` (or only the one a class withholds); vCenter refuses
its calls with ``NoPermission``. Every command and the guard, as the
driver runs it, must name the privilege, the user and the object, with the
documented exit code, and write nothing at all: the simulator posts an
event for every custom field call and every audit event, so "no event
since" is proof, and a raw reader watches the record meanwhile.
"""

import json

import fixtures

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import fencing
from nova.virt.vmwareapi.ownership import guard as guard_mod
from nova.virt.vmwareapi.ownership import lease as lease_mod
from support import base
from support import members
from support import raw_vcenter
from support import sharing

WITHHELD = ('Global.ManageCustomFields', 'Global.SetCustomField',
            'Global.LogEvent')
SESSION_EVENTS = ('UserLoginSessionEvent', 'UserLogoutSessionEvent')
"""The events a command posts by logging in and out: all it may post."""
GUARD = 'nova-compute of host compute-a (its claim or lease)'


class PrivilegeTestCase(sharing.RestrictedSessionMixin,
                        base.SimulatorTestCase,
                        raw_vcenter.RawVCenterTestCase):

    SIMULATOR_OPTIONS = dict(base.SimulatorTestCase.SIMULATOR_OPTIONS,
                             restricted=True)

    def setUp(self):
        super().setUp()
        self.user = self.simulator.restricted_username
        self.cluster_moref = self.make_store().location.cluster_moref
        self.root = self.content.rootFolder.value

    def entity(self, privilege):
        if privilege == 'Global.ManageCustomFields':
            return 'the root folder (%s)' % self.root
        return "cluster 'DC0_C0' (%s)" % self.cluster_moref

    def claim_as_admin(self, host):
        guard = guard_mod.OwnershipGuard(self.make_store(), host,
                                         base.settings(lease_duration=0))
        return guard.start()

    def watch(self):
        """Start watching: the raw reader, and the last event posted."""
        reader = members.RawReader(self.session, self.attribute)
        self.addCleanup(reader.stop)
        return reader, self.latest_event()

    def assertNothingWritten(self, watched):
        reader, last = watched
        reader.stop()
        self.assertEqual(1, len({
            (r.attribute_raw, r.attribute_key, r.lease_key, r.lease_raw)
            for _, r in reader.readings}), reader.readings)
        self.assertEqual([], [kind for kind in (
            type(e).__name__ for e in self.events_after(last))
            if kind not in SESSION_EVENTS])

    def assertNamed(self, text, privileges, operation):
        for privilege in privileges:
            self.assertIn('%s on %s' % (privilege, self.entity(privilege)),
                          text)
        self.assertIn("user %r lacks the privilege" % self.user, text)
        self.assertIn('which %s needs; nothing was written' % operation,
                      text)


class TestCommands(PrivilegeTestCase):
    """Every command as the restricted user."""

    def command(self, *args):
        conf = self.config_file('compute-a', restricted=True)
        return self.run_command('--config-file', conf, *args)

    def assertRefused(self, operation, *args, privileges=WITHHELD):
        watched = self.watch()
        out = self.command(*args)
        self.assertEqual(2, out.returncode, out.stderr)
        (line,) = out.stderr.splitlines()
        self.assertTrue(line.startswith('nova-vmware-owner: Missing vCenter '
                                        'privilege:'), line)
        self.assertNamed(line, privileges, operation)
        self.assertNotIn(self.simulator.restricted_password,
                         out.stdout + out.stderr)
        self.assertNothingWritten(watched)

    def test_reading_commands_need_no_more_than_reading(self):
        self.claim_as_admin('compute-b')
        watched = self.watch()
        for args, code in ((('show',), 0), (('check',), 3),
                           (('--format', 'json', 'list'), 0)):
            with self.subTest(command=args[-1]):
                out = self.command(*args)
                self.assertEqual(code, out.returncode, out.stderr)
        self.assertNothingWritten(watched)
        out = self.command('--format', 'json', 'show')
        self.assertEqual('compute-b', json.loads(out.stdout)['owner_host'])

    def test_claim(self):
        self.assertRefused('claim', 'claim')
        self.assertIsNone(self.make_store().read().attribute_key)

    def test_takeover(self):
        self.claim_as_admin('compute-b')
        self.assertRefused('takeover', 'takeover', '--force', '--yes')
        self.assertRefused('takeover', 'takeover', '--dry-run')

    def test_release(self):
        self.claim_as_admin('compute-a')
        self.assertRefused('release', 'release', '--yes')


class TestWithoutLogEvent(TestCommands):
    """A user who may change the record but not post its audit event."""

    SIMULATOR_OPTIONS = dict(PrivilegeTestCase.SIMULATOR_OPTIONS,
                             withheld_privileges=['Global.LogEvent'])

    def assertRefused(self, operation, *args, privileges=None):
        super().assertRefused(operation, *args,
                              privileges=('Global.LogEvent',))

    def test_the_guard_needs_no_event(self):
        store = self.make_store(self.restricted)
        guard = guard_mod.OwnershipGuard(store, 'compute-a', base.settings())
        guard.require_privileges()
        self.assertEqual('compute-a', guard.start().host)


class TestGuard(PrivilegeTestCase):
    """The guard as nova-compute's driver runs it, and its renewals."""

    def guard(self, session=None, holder=None, **settings):
        return guard_mod.OwnershipGuard(
            self.make_store(session or self.restricted), 'compute-a',
            base.settings(**settings), holder=holder)

    def test_start_names_the_privileges_and_writes_nothing(self):
        for settings in ({}, {'lease_duration': 0}):
            with self.subTest(**settings):
                watched = self.watch()
                error = self.assertRaises(exceptions.MissingPrivilege,
                                          self.guard(**settings).start)
                self.assertNamed(str(error), WITHHELD[:2], GUARD)
                self.assertNotIn('Global.LogEvent on', str(error))
                self.assertNothingWritten(watched)

    def test_taking_a_released_record_revokes_nothing(self):
        before = self.claim_as_admin('compute-a')
        watched = self.watch()
        self.assertRaises(exceptions.MissingPrivilege, self.guard().start)
        self.assertNothingWritten(watched)
        self.assertEqual(before, base.view_of(self.make_store()).record)

    def test_audit_check_names_what_enforce_lacks(self):
        error = self.assertRaises(exceptions.MissingPrivilege,
                                  self.guard().require_privileges)
        self.assertNamed(str(error), WITHHELD[:2], GUARD)

    def test_a_refused_renewal_is_logged_by_name_the_deadline_decides(self):
        # The lease taken by a user who may, renewed through the session
        # of one who may not (as when an admin removes the privilege).
        holder = self.guard(self.session)
        holder.start()
        renewing = self.guard(holder=holder.holder)
        renewing.tenure = fencing.Tenure(renewing._store, holder.tenure.key,
                                         holder.tenure.record)
        logs = self.useFixture(fixtures.FakeLogger(
            name=lease_mod.__name__))
        lost = []
        keeper = lease_mod.LeaseKeeper(renewing, renewing.settings,
                                       lost.append)
        watched = self.watch()
        self.assertTrue(keeper.renew_once())
        self.assertEqual(1, keeper.failures)
        self.assertIn("user %r lacks the privilege Global.SetCustomField "
                      "on %s, so vCenter refused SetField"
                      % (self.user, self.entity('Global.SetCustomField')),
                      logs.output)
        self.assertEqual([], lost)
        self.assertNothingWritten(watched)

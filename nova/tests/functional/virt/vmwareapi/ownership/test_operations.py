"""``nova-vmware-owner claim``, ``takeover`` and ``release`` as subprocesses.

Every command runs against each state of the record (unowned, owned by
this host, owned by another host, unreadable, held by a live holder that
renews, released); each test checks the exit code, the JSON, what a raw
reader sees afterwards (the lease and the attribute's copy) and the audit
event.
"""

import json
import os
import subprocess
import threading

from nova.virt.vmwareapi.ownership import fencing
from nova.virt.vmwareapi.ownership import guard as guard_mod
from nova.virt.vmwareapi.ownership import lease as lease_mod
from nova.virt.vmwareapi.ownership import liveness
from nova.virt.vmwareapi.ownership import operations
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership.vsphere import clusters
from support import base

THIS = 'compute-a'
OTHER = 'compute-b'
UNREADABLE = '{"host": "compute-a", "v": 99}'
JSON_KEYS = {'cluster', 'cluster_moref', 'vcenter_uuid', 'attribute',
             'this_host', 'owner_host', 'verdict', 'record', 'raw',
             'changed', 'action', 'before', 'after'}
LIVE_LEASE = 'lease_duration = 2\nrenew_interval = 1\n'
"""The command's own settings when it judges a live holder: it observes
for lease_duration (2 s), during which the holder renews."""
BOUND = 30
"""Seconds within which a background holder or a racer must react."""
EXIT_CONFLICT = 5


def dead_pid():
    """The pid of a process of this machine that has exited."""
    proc = subprocess.Popen(['true'])
    proc.wait(BOUND)
    return proc.pid


class LiveHolder:
    """A nova-compute guard holding the cluster.

    Its lease keeper renews every second (renew deadline 5 s).
    """

    def __init__(self, store, host):
        self.guard = guard_mod.OwnershipGuard(
            store, host, base.settings(lease_duration=9, renew_interval=1))
        self.guard.start()
        self.token = self.guard.tenure.key
        self.lost = None
        self._ended = threading.Event()
        self.keeper = lease_mod.LeaseKeeper(
            self.guard, self.guard.settings, self._on_lost,
            last_renewal=self.guard.taken_at)
        self.keeper.start()

    def _on_lost(self, error):
        self.lost = error
        self._ended.set()

    def wait_lost(self):
        self._ended.wait(BOUND)
        return self.lost

    def stop(self):
        self.keeper.stop(BOUND)


class OperationsTestCase(base.SimulatorTestCase):

    OWN_SIMULATOR = ('assertAudited and assertUnchanged read every audit '
                     'event of the cluster')

    def setUp(self):
        super().setUp()
        self.store = self.make_store()
        self.cluster_ref = clusters.find_cluster(self.session, base.CLUSTER)

    # States of the record, written as our processes write them (through
    # a lease) unless typed by hand.

    def write(self, record):
        """Make ``record`` the cluster's record, as a guard would."""
        return fencing.take(self.store, base.view_of(self.store),
                            record).record

    def given_owned_by_this_host(self):
        """Held by a crashed nova-compute of this host on this machine."""
        holder = liveness.new_holder_id(pid=dead_pid())
        return self.write(record_mod.OwnershipRecord(
            THIS, holder=holder, seq=4, since='2026-01-01T00:00:00Z'))

    def given_owned_by(self, host):
        return self.write(record_mod.OwnershipRecord(
            host, seq=3, transitions=1, previous='compute-old'))

    def given_unreadable(self):
        self.write_raw(self.store, UNREADABLE)

    def given_live_holder(self, host):
        # A session of its own: the test's is used meanwhile.
        session = self.simulator.session()
        self.addCleanup(session.logout)
        holder = LiveHolder(self.make_store(session), host)
        self.addCleanup(holder.stop)
        return holder

    def given_released(self, host=THIS):
        guard = guard_mod.OwnershipGuard(self.store, host, base.settings())
        guard.start()
        self.assertTrue(guard.release())

    # Commands and observations.

    def command(self, host, *args, extra=''):
        return self.run_command(
            '--config-file', self.config_file(host, extra=extra), *args)

    def json_command(self, host, *args, expect=0, extra=''):
        out = self.command(host, '--format', 'json', *args, extra=extra)
        self.assertEqual(expect, out.returncode, out.stdout + out.stderr)
        self.assertNotIn('Traceback', out.stderr)
        self.assertNotIn(self.simulator.password, out.stdout + out.stderr)
        state = json.loads(out.stdout)
        self.assertEqual(base.CLUSTER, state['cluster'])
        self.assertEqual(self.attribute, state['attribute'])
        if 'show' in args:
            pass
        elif expect == 0:
            self.assertLessEqual(JSON_KEYS, set(state))
        else:
            self.assertFalse(state['changed'])
            self.assertIn('error', state)
        self.out = out
        return state

    def raw(self):
        """Everything a raw reader sees of this test's record."""
        reading = self.make_store().read()
        return (reading.attribute_raw, reading.attribute_key,
                reading.lease_key, reading.lease_raw)

    def view(self):
        return base.view_of(self.make_store())

    def record(self):
        """The record that counts."""
        return self.view().record

    def assertWritten(self, record):
        """``record`` is in a lease and copied to the attribute.

        The copy carries the lease's key as its token.
        """
        attribute, _, token, lease = self.raw()
        self.assertIsNotNone(token)
        self.assertEqual(token, record.token)
        self.assertEqual(record_mod.format_record(record), lease)
        self.assertEqual(lease, attribute)

    def audit_events(self):
        """The GeneralUserEvents logged on the cluster, oldest first.

        Not ``EventManager.latestEvent``: the simulator maintains it, but
        each command's logout (a UserLogoutSessionEvent) comes after its
        audit event.
        """
        vim = self.session.vim
        factory = vim.client.factory
        spec = factory.create('ns0:EventFilterSpec')
        spec.entity = factory.create('ns0:EventFilterSpecByEntity')
        spec.entity.entity = self.cluster_ref
        spec.entity.recursion = 'self'
        spec.eventTypeId = ['GeneralUserEvent']
        events = vim.QueryEvents(vim.service_content.eventManager,
                                 filter=spec) or []
        return sorted(events, key=lambda event: event.key)

    def latest_event(self):
        events = self.audit_events()
        return events[-1] if events else None

    def event_key(self):
        event = self.latest_event()
        return event.key if event is not None else None

    def assertAudited(self, since_key, verb, before, after):
        event = self.latest_event()
        self.assertNotEqual(since_key, event.key)
        self.assertEqual(self.store.location.cluster_moref,
                         event.computeResource.computeResource.value)
        self.assertEqual(self.simulator.username, event.userName)
        for part in (verb, base.CLUSTER, '%s -> %s' % (before, after),
                     operations.actor()):
            self.assertIn(part, event.message)
        self.assertIn(event.message, self.out.stderr)
        self.assertNotIn(self.simulator.password, event.message)

    def assertUnchanged(self, raw, since_key):
        self.assertEqual(raw, self.raw())
        self.assertEqual(since_key, self.event_key())


class TestClaim(OperationsTestCase):

    def claim(self, expect=0, host=THIS):
        self.key, self.before = self.event_key(), self.raw()
        return self.json_command(host, 'claim', expect=expect)

    def test_owned_by_another_host_is_refused(self):
        self.given_owned_by(OTHER)
        state = self.claim(expect=3)
        self.assertEqual(OTHER, state['owner_host'])
        self.assertIn('takeover', self.out.stderr)
        self.assertUnchanged(self.before, self.key)

    def test_unreadable_is_refused(self):
        self.given_unreadable()
        self.claim(expect=4)
        self.assertIn('takeover --force', self.out.stderr)
        self.assertUnchanged(self.before, self.key)

    def test_live_holder_of_another_host_is_refused(self):
        holder = self.given_live_holder(OTHER)
        self.key = self.event_key()
        self.json_command(THIS, 'claim', expect=3)
        self.assertEqual(self.key, self.event_key())
        view = self.view()
        self.assertEqual(holder.guard.holder, view.record.holder)
        self.assertEqual(holder.token, view.token)
        holder.stop()
        self.assertIsNone(holder.lost)

    def test_unowned_is_claimed_and_left_released(self):
        state = self.claim()
        self.assertTrue(state['changed'])
        self.assertEqual('claim', state['action'])
        self.assertIsNone(state['before'])
        self.assertEqual('owned-by-this-host', state['verdict'])
        record = self.record()
        self.assertEqual(THIS, record.host)
        self.assertEqual(record_mod.RELEASED, record.state)
        self.assertEqual(record.to_dict(), state['after'])
        self.assertWritten(record)
        self.assertAudited(self.key, 'claimed', '(none)', THIS)

    def test_owned_by_this_host_changes_nothing(self):
        self.given_owned_by_this_host()
        state = self.claim()
        self.assertFalse(state['changed'])
        self.assertUnchanged(self.before, self.key)

    def test_released_by_its_host_changes_nothing(self):
        self.given_released()
        state = self.claim()
        self.assertFalse(state['changed'])
        self.assertUnchanged(self.before, self.key)

    def test_for_another_host_with_host_option(self):
        state = self.json_command(THIS, 'claim', '--host', OTHER)
        self.assertTrue(state['changed'])
        self.assertEqual('owned-by-other-host', state['verdict'])
        self.assertEqual(OTHER, self.record().host)


class TestUsage(base.SimulatorTestCase):

    def assertUsage(self, out, *fragments):
        self.assertEqual(2, out.returncode, out.stdout + out.stderr)
        self.assertNotIn('Traceback', out.stderr)
        for fragment in fragments:
            self.assertIn(fragment, out.stderr)

    def test_unknown_command(self):
        out = self.run_command('--config-file', self.config_file(THIS),
                               'adopt')
        self.assertUsage(out, 'adopt')

    def test_missing_config_file(self):
        missing = os.path.join('/nonexistent', 'nova.conf')
        for command in (['claim'], ['takeover', '--yes'],
                        ['release', '--yes']):
            with self.subTest(command=command):
                out = self.run_command('--config-file', missing, *command)
                self.assertUsage(out, missing)

    def test_missing_vmware_option(self):
        path = self.config_file(THIS)
        with open(path) as conf:
            text = conf.read().replace('cluster_name = DC0_C0\n', '')
        with open(path, 'w') as conf:
            conf.write(text)
        for command in ('claim', 'takeover', 'release'):
            with self.subTest(command=command):
                out = self.run_command('--config-file', path, command)
                self.assertUsage(out, '[vmware] cluster_name')

    def test_cluster_not_found(self):
        out = self.run_command(
            '--config-file', self.config_file(THIS, cluster='no-such'),
            'takeover', '--yes')
        self.assertUsage(out, "'no-such'", 'cluster_name')

    def test_bad_observe_and_host(self):
        config = self.config_file(THIS)
        self.assertUsage(self.run_command('--config-file', config,
                                          'takeover', '--observe', '0'),
                         '--observe')
        self.assertUsage(self.run_command('--config-file', config, 'claim',
                                          '--host', 'not a host'),
                         '--host')

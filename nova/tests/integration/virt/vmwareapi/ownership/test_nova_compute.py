"""The guarded driver as nova-compute starts it, each in a process.

Each nova-compute is a process of its own (``nova_processes.NovaComputeStart``,
which runs ``support/nova_compute.py``) with the installed nova release,
running its threads as that release's nova-compute does by default: nova's
configuration file, the driver loaded by nova, ``init_host``, the node
query, ``cleanup_host`` on SIGTERM, the step-down when the cluster is taken
over by force. The nodes of an active/passive pair have the same
configuration and a ``state_path`` each (the passive one empty: no
``compute_id``). Leases are short, so a fail-over takes seconds; the waits
are bounds, not timings (``benchmarks/failover.py`` times them).
"""

import datetime
import os
import signal
import time

import fixtures
import testtools

from nova import version as nova_version

from nova.virt.vmwareapi.ownership import liveness
from nova.virt.vmwareapi.ownership import nova_releases
from nova.virt.vmwareapi.ownership import operations
from support import base
from support import nova_processes
from support import processes
from support import wait

LEASE = 15
RENEW = 3
START = 120
"""Seconds a nova-compute may take to start: nova's imports and nova's
VIM client on a loaded two-CPU machine, under eventlet up to nova 33."""
TAKEOVER = LEASE * 2 + START
"""Seconds a standby may take to take over a lease it watched expire."""


def node_identity(state_path):
    with open(os.path.join(state_path, 'compute_id')) as f:
        return f.read().strip()


class NovaComputeTestCase(base.SimulatorTestCase):

    SIMULATOR_OPTIONS = {'clusters': 1, 'hosts': 1, 'vms': 1}

    def setUp(self):
        super().setUp()
        major = nova_releases.major_of(nova_version.version_string())
        (self.release,) = [r for r in nova_releases.RELEASES
                           if r.major == major]

    def compute(self, host, machine=None, pid_namespace=None):
        """Start nova-compute ``host``; returns it and its state_path.

        :param machine, pid_namespace: as ``processes.EventProcess``
        """
        state_path = self.useFixture(fixtures.TempDir()).path
        options = 'lease_duration = %d\nrenew_interval = %d\n' % (
            LEASE, RENEW)
        config = self.config_file(host, extra=options + (
            nova_processes.NOVA_COMPUTE_OPTIONS % {'state_path': state_path}))
        process = nova_processes.NovaComputeStart(
            self, config, machine=machine, pid_namespace=pid_namespace)
        starting = process.wait_for('starting', START)
        self.assertIsNotNone(starting, process.stderr())
        self.assertEqual(self.release.default_threads, starting['threads'])
        return process, state_path

    def started(self, process, timeout=START):
        started = process.wait_for('started', timeout)
        self.assertIsNotNone(started, process.stderr())
        return started

    def standing_by(self, process):
        self.assertIsNotNone(process.wait_for('standby', START),
                             process.stderr())

    def record(self):
        return base.view_of(self.make_store()).record

    def renewals(self, count):
        """Wait for ``count`` renewals of the record's lease."""
        store = self.make_store()

        def seq():
            return base.view_of(store).record.seq
        first = seq()
        self.assertTrue(
            wait.wait_until(lambda: seq() >= first + count,
                            RENEW * (count + 2) + START, interval=0.5),
            'the active node did not renew %d times' % count)


class TestStart(NovaComputeTestCase):

    def test_claim_refusal_and_hand_over_on_a_clean_stop(self):
        active, active_state = self.compute('host-a')
        started = self.started(active)
        record = self.record()
        self.assertEqual(('host-a', started['holder'], started['node']),
                         (record.host, record.holder, record.node))
        self.assertTrue(record.is_held)
        self.assertEqual(started['node'], node_identity(active_state))

        other, _ = self.compute('host-b')
        refused = other.wait_for('refused', START)
        self.assertIsNotNone(refused, other.stderr())
        self.assertEqual('ClusterOwnedByAnotherHost', refused['error'])
        for part in ("owned by nova-compute host 'host-a'",
                     "runs as host 'host-b'",
                     'nova-vmware-owner takeover --host host-b'):
            self.assertIn(part, refused['message'])
        self.assertEqual(1, other.process.wait(START))

        # The passive node of the pair: it waits while the active holds.
        passive, passive_state = self.compute('host-a')
        self.standing_by(passive)
        self.assertEqual(started['holder'], self.record().holder)
        active.kill(signal.SIGTERM)
        self.assertTrue(active.has_seen('stopped'), active.stderr())
        took = self.started(passive)
        self.assertEqual((started['node'], started['nodename']),
                         (took['node'], took['nodename']))
        self.assertEqual(started['node'], node_identity(passive_state))
        record = self.record()
        self.assertEqual(('host-a', took['holder'], started['node']),
                         (record.host, record.holder, record.node))

        # The operator forces the cluster to host-b: host-a steps down.
        store = self.make_store()
        operations.apply(store, operations.plan(
            operations.Change.TAKEOVER, base.view_of(store), 'host-b',
            datetime.datetime.now(datetime.timezone.utc), store.location,
            force=True), who='test')
        self.assertIsNotNone(passive.wait_for('lost', START),
                             passive.stderr())
        passive.process.wait(START)
        record = self.record()
        self.assertEqual('host-b', record.host)
        self.assertFalse(record.is_held)


class TestFailOver(NovaComputeTestCase):

    def test_standby_takes_over_after_kill_9(self):
        active, _ = self.compute('host-a')
        started = self.started(active)
        # On another machine when it can be (its own host name): it must
        # watch the lease expire, as the passive node of a real pair does.
        machine = 'passive' if processes.can_be_another_machine() else None
        passive, passive_state = self.compute('host-a', machine=machine)
        self.standing_by(passive)
        self.renewals(1)
        self.assertFalse(passive.has_seen('started'), passive.seen)

        active.kill(signal.SIGKILL)
        took = self.started(passive, TAKEOVER)
        self.assertEqual((started['node'], started['nodename']),
                         (took['node'], took['nodename']))
        self.assertEqual(started['node'], node_identity(passive_state))
        record = self.record()
        self.assertEqual(('host-a', took['holder']),
                         (record.host, record.holder))
        self.assertTrue(record.is_held)


@testtools.skipUnless(processes.can_have_pid_namespaces(),
                      'needs unshare --pid (root)')
class TestPods(NovaComputeTestCase):
    """The two pods of a Kubernetes Deployment with ``hostNetwork: true``
    (or two kolla containers with ``net=host``): one host name, one
    configuration, a PID namespace each (``processes.PidNamespace``).

    A rolling update starts the new pod before the old one stops. The old
    pod's holder ID names a pid of its own namespace, which the new pod
    cannot see: it must wait for the lease, never judge the holder gone
    by its pid. The full tier only (``tools/release-matrix``).
    """

    def test_the_new_pod_waits_for_the_old_one_and_its_lease(self):
        old_pod = processes.PidNamespace(self)
        active, _ = self.compute('host-a', pid_namespace=old_pod)
        started = self.started(active)
        # Its pid is its namespace's: outside, no process has it.
        holder = liveness.parse_holder(started['holder'])
        self.assertTrue(holder.place.known, started['holder'])
        self.assertGreaterEqual(holder.pid, old_pod.first)
        self.assertFalse(liveness.pid_exists(holder.pid))
        new, new_state = self.compute(
            'host-a', pid_namespace=processes.PidNamespace(self))
        self.standing_by(new)
        # Longer than a lease: the old pod's nova-compute still renews.
        self.renewals(LEASE // RENEW + 1)
        self.assertFalse(new.has_seen('started'), new.seen)
        self.assertEqual(started['holder'], self.record().holder)

        # The old pod ends as a node failure or a forced deletion ends it:
        # every process of it killed at once, no release.
        old_pod.end()
        ended = time.monotonic()
        took = self.started(new, TAKEOVER)
        self.assertGreaterEqual(took['t'] - ended, LEASE - RENEW)
        self.assertEqual((started['node'], started['nodename']),
                         (took['node'], took['nodename']))
        self.assertEqual(started['node'], node_identity(new_state))
        self.assertEqual(('host-a', took['holder']),
                         (self.record().host, self.record().holder))

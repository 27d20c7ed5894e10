"""The fencing scenarios of issue 19, each defined once.

The functional tests run them and assert on what they return; the
benchmark ``benchmarks/fencing_faults.py`` runs them round after round and
counts. Each judges by what a raw reader (``members.RawReader``) saw in
vCenter, and raises ``members.HandOverFailed`` when a step does not come
within its bound:

- ``container``: holder A in a PID namespace of its own (a pod with
  ``hostNetwork: true``, a kolla container with ``net=host``), standby B
  with the same host name outside it; A renews, is killed, B takes over;
- ``restart_paused``: A paused (SIGSTOP) between the reading and the write
  of a renewal, vCenter restarted empty on the same port, new holder B
  given A's key, A resumed;
- ``vanished``: both custom attributes deleted while A renews and B waits;
- ``not_authenticated``: every renewal write of A answered
  ``NotAuthenticated`` while its session stays active.

A scene (``Scene``) is what they need of a test: the simulator, clean-ups
and a session for the raw reader.
"""

import dataclasses
import os
import signal
import time

from support import base
from support import faults
from support import holder as holder_mod
from support import members
from support import processes
from support import wait

SETTINGS = base.settings(lease_duration=processes.LEASE,
                         renew_interval=processes.RENEW)
"""The holders' times: lease 6 s, renewed every 2 s, deadline 4 s."""
BOUND = 60.0
"""Seconds any step may take before the scenario fails."""


class Scene:
    """What a scenario needs of a test (or of a benchmark).

    :ivar simulator: the ``simulator.VCenterSimulator``
    :ivar session: a session of the raw reader's
    :ivar attribute: the attribute of the round under way
    """

    def __init__(self, sim, session, add_cleanup):
        self.simulator = sim
        self.session = session
        self.addCleanup = add_cleanup
        self.attribute = None

    def round(self):
        """A new attribute (a record of its own) and its raw reader."""
        self.attribute = base.unique_attribute()
        reader = members.RawReader(self.session, self.attribute)
        self.addCleanup(reader.stop)
        return reader


def _expect(holder, name, bound=BOUND):
    event = holder.wait_for(name, bound)
    if event is None:
        raise members.HandOverFailed('no %r event within %d s: %s\n%s' % (
            name, bound, holder.seen[-5:], holder.stderr()))
    return event


def _seen_in_lease(reader, holder):
    """Readings in which ``holder`` named the lease."""
    return [t for t, view in reader.views()
            if view.lease is not None and view.lease.holder == holder]


@dataclasses.dataclass(frozen=True)
class Seen:
    """What one round showed.

    :ivar overlap: seconds both A and B held (A until it stepped down or
                   died, B from its take)
    :ivar late_writes: readings, after B's lease appeared, naming A
    :ivar waited: seconds from the fault (a kill, a removal, the first
                  refused write) to B's take
    :ivar b_lost: whether B was deposed
    :ivar counted: renewals A counted that vCenter never held
    :ivar holder: A's holder id
    :ivar why: why A stepped down (empty if it was killed)
    """

    overlap: float
    late_writes: int
    waited: float = 0.0
    b_lost: bool = False
    counted: int = 0
    holder: str = ''
    why: str = ''


def _late(reader, a_holder, b_holder):
    """Readings after B's lease first appeared that name A.

    A reader that never saw B's lease proves nothing: that fails.
    """
    b_from = _seen_in_lease(reader, b_holder)
    if not b_from:
        raise members.HandOverFailed('the raw reader never saw the lease '
                                     'of B (%d failed readings)'
                                     % reader.failures)
    return len([t for t in _seen_in_lease(reader, a_holder)
                if t > b_from[0]])


def container(scene, pod):
    """A in ``pod`` (a ``processes.PidNamespace``), B outside it with the
    same host name.

    B must wait while A renews (longer than a lease), and take over only a
    lease after A is killed.
    """
    reader = scene.round()
    a = processes.Holder(scene, 'hold', pid_namespace=pod)
    held_a = _expect(a, 'held')
    b = processes.Holder(scene, 'hold')
    _expect(b, 'standby')
    for _ in range(SETTINGS.lease_duration // SETTINGS.renew_interval + 1):
        _expect(a, 'renewed', SETTINGS.renew_interval + 5)
    taken_early = b.has_seen('held')
    a.kill(signal.SIGKILL)
    killed = time.monotonic()
    held_b = _expect(b, 'held')
    reader.stop()
    b.kill()
    overlap = max(0.0, killed - held_b['t'])
    if taken_early:
        overlap = max(overlap, 1e-3)
    return Seen(overlap, _late(reader, held_a['holder'], held_b['holder']),
                held_b['t'] - killed, holder=held_a['holder'])


def restart_paused(scene, proxy):
    """A paused between its reading and its write across a restart.

    A reaches the simulator through ``proxy`` (a ``tcpproxy.TCPProxy``);
    its deadline (25 s) outlasts the pause, so its write is sent.
    """
    reader = scene.round()
    a = processes.Holder(scene, 'hold', port=proxy.port, lease=30,
                         deadline=25)
    held_a = _expect(a, 'held')
    _expect(a, 'renewed', 10)
    paused = []
    proxy.on_answer('RetrievePropertiesEx', lambda: paused.append(
        processes.pause(a.pid)))
    if not wait.wait_until(lambda: paused, 10):
        raise members.HandOverFailed('A was never paused')
    scene.simulator.restart()
    b = processes.Holder(scene, 'hold')
    held_b = _expect(b, 'held')
    if held_b['token'] != held_a['token']:
        raise members.HandOverFailed('B got key %s, not A\'s %s' % (
            held_b['token'], held_a['token']))
    resumed = time.monotonic()
    os.kill(a.pid, signal.SIGCONT)
    lost = _expect(a, 'lost', 30)
    if a.process.wait(timeout=30) != holder_mod.EXIT_LOST:
        raise members.HandOverFailed('A exited %s, not %s (lost)' % (
            a.process.returncode, holder_mod.EXIT_LOST))
    for _ in range(2):
        _expect(b, 'renewed', 10)
    b_lost = b.has_seen('lost')
    reader.stop()
    b.kill()
    a.kill()
    # A could act (it is not paused) from its resumption to its step-down.
    return Seen(0.0 if not b_lost else lost['t'] - resumed,
                _late(reader, held_a['holder'], held_b['holder']),
                lost['t'] - resumed, b_lost, holder=held_a['holder'],
                why=lost['message'])


def _pair(scene, session_a, session_b, hook=None):
    """Members A (renewing) and B (standing by) of a new round."""
    reader = scene.round()
    a = members.Member(session_a, scene.attribute, SETTINGS)
    scene.addCleanup(a.stop)
    a.start()
    if not a.held.wait(30):
        raise members.HandOverFailed('A did not hold: %s' % a.error)
    b = members.Member(session_b, scene.attribute, SETTINGS)
    scene.addCleanup(b.stop)
    b.start()
    if not (b.clock.waiting.wait(30) and a.wait_renewals(1, 10)):
        raise members.HandOverFailed('B never stood by, or A never renewed')
    return reader, a, b


def _handed(reader, a, b, since):
    if not a.stepped_down.wait(SETTINGS.renew_deadline + 20):
        raise members.HandOverFailed('A never stepped down')
    if not b.held.wait(SETTINGS.lease_duration + SETTINGS.standby_poll +
                       20):
        raise members.HandOverFailed('B never took over')
    if not b.wait_renewals(2, 10):
        raise members.HandOverFailed('B stopped renewing: %s' % b.lost)
    if a.error is not None or b.error is not None:
        raise members.HandOverFailed('A or B failed: %s, %s' % (a.error,
                                                                b.error))
    reader.stop()
    return max(0.0, a.lost_at - b.held_at), _late(
        reader, a.guard.holder, b.guard.holder), b.held_at - since


def vanished(scene, session_a, session_b, remove_definition):
    """Both custom attributes deleted while A renews and B waits.

    :param remove_definition: ``remove_definition(store, name)``, as a
                              vSphere admin would
    """
    reader, a, b = _pair(scene, session_a, session_b)
    store = members.make_store(scene.session, scene.attribute)
    remove_definition(store, store.lease_name)
    remove_definition(store, store.attribute_name)
    overlap, late, waited = _handed(reader, a, b, time.monotonic())
    a.stop()
    b.stop()
    return Seen(overlap, late, waited, b.lost is not None,
                holder=a.guard.holder, why=str(a.lost))


def not_authenticated(scene, session_a, session_b):
    """Every renewal write of A answered ``NotAuthenticated``.

    The session stays active: not one counts, A steps down at its
    deadline, B takes over after the lease.
    """
    hook = faults.CallHook(scene, session_a)
    reader, a, b = _pair(scene, session_a, session_b)
    hook.answer_every('SetField', faults.not_authenticated())
    overlap, late, waited = _handed(reader, a, b, time.monotonic())
    hook.stop()
    seen = [view.lease.seq for _, view in reader.views()
            if view.lease is not None and view.lease.holder == a.guard.holder]
    a.stop()
    b.stop()
    return Seen(overlap, late, waited, b.lost is not None,
                a.guard.tenure.record.seq - max(seen), a.guard.holder,
                str(a.lost))

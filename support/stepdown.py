"""A real nova-compute cut off from vCenter: its step-down is its exit.

The scenario of the nova tier's ``test_step_down`` and of
``benchmarks/step_down.py``, defined once. Holder A is nova-compute with
the guarded driver in a process of its own (``nova_processes.NovaCompute``:
nova's own start, periodic tasks and stop), reaching vCenter, with its
guard's session and nova's, through the project's proxy; standby B is a
``processes.Holder`` that reaches vCenter directly; a raw reader
(``members.RawReader``) records what vCenter holds. A is cut off in one of
the ``CUTS`` ways; it must step down and be gone before B takes over. B
runs as on another machine (its own host name) where it can
(``processes.can_be_another_machine``), as the standby of an HA pair.

The times are short: lease 12 s, renewed every 2 s, renew deadline 7 s,
so A's grace is 2.5 s and its requests are bounded at 2.5 s (a little
more than the fencing tests' 6/2/4 s: nova-compute, the standby's start
and the reader share two cores with the other tests). Every time is on
the monotonic clock the processes of one machine share.
"""

import signal
import time
import types

from support import base
from support import members
from support import nova_processes
from support import processes
from support import tcpproxy
from support import wait

LEASE = 12
RENEW = 2
DEADLINE = 7
GRACE = (LEASE - DEADLINE) / 2.0
"""``lease.grace`` of these times: A is gone 2.5 s after its step-down."""
POLL = 1.0
"""B's standby poll with these times."""
START = 180.0
"""Seconds nova-compute may take to start (two test workers, the
simulator and the proxy share two cores)."""
STANDBY_MACHINE = 'standby-machine'
SLACK = 10.0
"""Seconds of scheduling on top of the bounds waited for."""


class Rig:
    """The proxy in front of the simulator, and what each round shares.

    :param sim: the simulator (``simulator.VCenterSimulator``)
    :param python: a Python with nova, for nova-compute
    :param database: nova's database (``nova_processes.make_nova_database``)
    :param reading: a session of the raw reader (direct)
    """

    def __init__(self, sim, python, database, reading):
        self.simulator = sim
        self.python = python
        self.database = database
        self.reading = reading
        self.proxy = tcpproxy.TCPProxy(sim.port, tls=tcpproxy.TLSFiles(
            sim.ca_file, sim.key_file, sim.ca_file))
        # On another machine B cannot see that A's process is gone, and
        # waits out the lease as the standby of an HA pair does. Without
        # root, B sees it (the same-machine shortcut): A has then always
        # exited first.
        self.standby_machine = (STANDBY_MACHINE if
                                processes.can_be_another_machine() else None)

    def close(self):
        members.heal(self.proxy)
        self.proxy.close()


class StepDownFailed(AssertionError):
    """A round did not reach a step in time."""


class RoundSpoiled(StepDownFailed):
    """nova-compute stepped down before the cut: the round proves nothing.

    Its own renewals failed first (a loaded machine); run the round again.
    """


class Round:
    """What one round saw.

    :ivar status: A's exit status
    :ivar cut_at: when A was cut off; ``resumed_at``: when a paused A was
                  resumed (else None)
    :ivar stepped_down_at: A's step-down (None: it stopped without one)
    :ivar exited_at: when A's exit was seen (an upper bound)
    :ivar taken_at: when B reported holding the cluster
    :ivar verdict: the raw reader's ``members.Verdict`` of A and B
    :ivar requests_after_take: A's requests that reached vCenter after B
                               held it (the proxy's record)
    :ivar log: the end of A's log
    """

    def __init__(self, **values):
        self.__dict__.update(values)

    @property
    def margin(self):
        """Seconds from A's exit to B's take (negative: overlap)."""
        return self.taken_at - self.exited_at

    @property
    def to_exit(self):
        """Seconds from A's step-down (or resumption) to its exit."""
        since = self.resumed_at or self.stepped_down_at or self.cut_at
        return self.exited_at - since


# The ways of cutting A off: each acts on the rig and A, and returns when
# A was cut off.

def black_hole(rig, a):
    """Every byte dropped both ways: a partition, or a hung vCenter."""
    rig.proxy.set_mode(tcpproxy.BLACKHOLE)
    return time.monotonic()


def stalled_answers(rig, a):
    """Requests carried out, every answer held until the path heals."""
    rig.proxy.set_mode(tcpproxy.STALL_ANSWERS)
    return time.monotonic()


def paused(rig, a):
    """The whole process stopped (SIGSTOP), resumed once B holds."""
    a.process.send_signal(signal.SIGSTOP)
    return time.monotonic()


def stopped_cut_off(rig, a):
    """Cut off, then stopped by its operator (SIGTERM) at once.

    Its release cannot reach vCenter and nova's logout hangs.
    """
    cut_at = black_hole(rig, a)
    a.process.send_signal(signal.SIGTERM)
    return cut_at


CUTS = {'black_hole': black_hole, 'stalled_answers': stalled_answers,
        'paused': paused, 'stopped_cut_off': stopped_cut_off}


def _scene(rig, attribute, add_cleanup):
    """What ``processes.Holder`` needs of a test."""
    return types.SimpleNamespace(simulator=rig.simulator,
                                 attribute=attribute, addCleanup=add_cleanup)


def step_down(rig, cut, add_cleanup, label=''):
    """Start A and B, cut A off, wait for A's exit and B's take.

    :param rig: a ``Rig``
    :param cut: a name of ``CUTS``
    :param add_cleanup: registers a clean-up (``TestCase.addCleanup``)
    :returns: a ``Round``
    :raises: StepDownFailed when a step did not come in time
    """
    def expect(process, name, timeout, before_cut=False):
        event = process.wait_for(name, timeout)
        if event is None:
            # Before the cut, a step-down of A's own (its renewals failed
            # on a loaded machine) spoils the round.
            failed = RoundSpoiled if before_cut and process.has_seen(
                'stepped_down') else StepDownFailed
            raise failed('%s: no %r event within %d s; seen %s; its log '
                         'ends:\n%s' % (label, name, timeout,
                                        process.seen[-3:], process.stderr()))
        return event

    attribute = base.unique_attribute()
    scene = _scene(rig, attribute, add_cleanup)
    # Every half second: the proxy A's requests go through runs in this
    # process too.
    reader = members.RawReader(rig.reading, attribute, interval=0.5)
    add_cleanup(reader.stop)
    first_event = len(rig.proxy.events)
    a = nova_processes.NovaCompute(scene, rig.python, rig.database,
                                   port=rig.proxy.port, lease=LEASE,
                                   renew=RENEW, deadline=DEADLINE)
    expect(a, 'held', START, before_cut=True)
    expect(a, 'started', START, before_cut=True)
    b = processes.Holder(scene, 'hold', lease=LEASE, renew=RENEW,
                         deadline=DEADLINE, machine=rig.standby_machine)
    expect(b, 'standby', START)
    old = _holding(reader, label)
    if a.has_seen('stepped_down') or a.exited.is_set():
        raise RoundSpoiled('%s: nova-compute stepped down before it was '
                           'cut off (a loaded machine?); its log ends:\n%s'
                           % (label, a.stderr()))
    cut_at = CUTS[cut](rig, a)
    resumed_at = None
    if cut == 'paused':
        taken = expect(b, 'held', LEASE + POLL + SLACK)
        # Read before the signal: once resumed, A may step down (and stamp
        # it) before this process reads the clock again.
        resumed_at = time.monotonic()
        a.process.send_signal(signal.SIGCONT)
    status = a.wait_exit(LEASE + SLACK)
    if status is None:
        raise StepDownFailed('%s: nova-compute still runs %.1f s after the '
                             'cut; its log ends:\n%s' % (
                                 label, time.monotonic() - cut_at,
                                 a.stderr()))
    if cut != 'paused':
        taken = expect(b, 'held', LEASE + POLL + SLACK)
    members.heal(rig.proxy)
    expect(b, 'renewed', RENEW + SLACK)
    reader.stop()
    a.has_seen('exit')  # takes in the events printed since
    stepped_down = [e['t'] for e in a.seen if e['event'] == 'stepped_down']
    if stepped_down and stepped_down[0] < cut_at:
        raise RoundSpoiled('%s: nova-compute stepped down %.1f s before it '
                           'was cut off; its log ends:\n%s' % (
                               label, cut_at - stepped_down[0], a.stderr()))
    new = types.SimpleNamespace(token=taken['token'])
    return Round(
        cut=cut, status=status, cut_at=cut_at, resumed_at=resumed_at,
        stepped_down_at=stepped_down[0] if stepped_down else None,
        exited_at=a.exited_at, taken_at=taken['t'],
        verdict=members.Verdict(reader.views(), old, new),
        requests_after_take=[
            e for e in rig.proxy.events[first_event:]
            if e.kind == 'request' and e.t > taken['t']],
        log=a.stderr())


def _holding(reader, label, timeout=SLACK):
    """A as the raw reader sees it hold, once it renewed at least once.

    :returns: its holder (as ``guard.holder``) and lease key (``token``)
    """
    def renewed():
        views = [view for _, view in reader.views()
                 if view.lease is not None and view.lease.seq > 1]
        return views[-1] if views else None
    view = wait.wait_until(renewed, timeout)
    if view is None:
        raise StepDownFailed('%s: the reader never saw nova-compute renew'
                             % label)
    return types.SimpleNamespace(
        guard=types.SimpleNamespace(holder=view.lease.holder),
        token=view.token)

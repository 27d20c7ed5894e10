"""Holders in one test process, and a raw reader of what vCenter holds.

The fencing tests (and ``benchmarks/fencing.py``) run several holders of
one cluster at once, each with its own vCenter session (one may go through
the faulty proxy), and judge them by what a raw reader saw in vCenter, not
by what the holders say of themselves.

- ``Member``: a guard and its lease keeper, as nova-compute's driver runs
  them, in a thread of this process; it records when it began to hold and
  when it stepped down (monotonic clock).
- ``RawReader``: reads the cluster every few milliseconds through a session
  of its own and keeps every distinct reading with its time.
- ``Verdict``: what the reader saw of one hand-over.
- ``Rig`` and ``hand_over``: the hand-over scenario of the fencing tests
  and of the fencing benchmark, defined once: holder A reaches vCenter
  through the proxy, standby B directly; the path of A is cut in one of
  the ``CUTS`` ways, A must step down, B must take over.
"""

import gc
import os
import threading
import time

from nova.virt.vmwareapi.ownership import clock as clock_mod
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import fencing
from nova.virt.vmwareapi.ownership import guard as guard_mod
from nova.virt.vmwareapi.ownership import lease as lease_mod
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import refusals
from nova.virt.vmwareapi.ownership import view as view_mod
from support import base
from support import tcpproxy


ROUNDS = int(os.environ.get('NOVA_VMWARE_OWNER_FENCING_ROUNDS', '2'))
"""Rounds of each timing scenario in a test run. Two in the gate: each
scenario still works; ``benchmarks/fencing.py`` runs ten of each (its
``--rounds``), which is the proof (``benchmarks/README.md``)."""


class Stopped(Exception):
    """A stopped member's clock ends its waiting."""


class StoppableClock(clock_mod.Clock):
    """The real clock, whose sleeps end with ``Stopped`` once stopped.

    :ivar waiting: set at the first sleep: a guard sleeps in its start
                   only to stand by (or to wait for another's change)
    """

    def __init__(self):
        self.stopped = threading.Event()
        self.waiting = threading.Event()

    def sleep(self, seconds):
        self.waiting.set()
        if self.stopped.wait(seconds):
            raise Stopped()


make_store = base.make_store


class Member:
    """A guarded nova-compute of ``host`` without the rest of nova.

    :ivar held_at: when ``start`` returned holding the cluster
    :ivar lost_at: when it stepped down (``lost``: why)
    """

    def __init__(self, session, attribute, settings, host='compute-a',
                 abandoned_after=fencing.ABANDONED_AFTER):
        self.clock = StoppableClock()
        self.store = make_store(session, attribute)
        self.guard = guard_mod.OwnershipGuard(
            self.store, host, settings, clock=self.clock,
            abandoned_after=abandoned_after)
        self.settings = settings
        self.keeper = None
        self.held = threading.Event()
        self.stepped_down = threading.Event()
        self.held_at = self.lost_at = self.lost = self.error = None
        self._thread = None

    @property
    def token(self):
        return self.guard.tenure.key if self.guard.tenure else None

    def start(self):
        """Start (standing by as long as needed) in a thread of its own."""
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        try:
            self.guard.start()
        except Stopped:
            return
        except exceptions.OwnershipError as exc:
            self.error = exc
            return
        self.held_at = time.monotonic()
        self.keeper = lease_mod.LeaseKeeper(
            self.guard, self.settings, self._lost,
            last_renewal=self.guard.taken_at)
        self.keeper.start()
        self.held.set()

    def _lost(self, error):
        self.lost_at = time.monotonic()
        self.lost = error
        self.stepped_down.set()

    def renewals(self):
        return self.keeper.renewals if self.keeper else 0

    def wait_renewals(self, count, timeout):
        """Wait until it renewed ``count`` more times; True when it did."""
        target = self.renewals() + count
        deadline = time.monotonic() + timeout
        while self.renewals() < target:
            if time.monotonic() > deadline or self.stepped_down.is_set():
                return False
            time.sleep(0.05)
        return True

    def stop(self):
        """Stop waiting and renewing (no release: as if it were killed)."""
        self.clock.stopped.set()
        if self.keeper is not None:
            self.keeper.stop(timeout=5)


class RawReader:
    """Reads the cluster every ``interval`` seconds; keeps each distinct
    reading (a late write into the attribute copy would stay until the
    holder repairs it, a renewal later).

    :ivar readings: ``[(monotonic time, view.Reading)]``
    """

    def __init__(self, session, attribute, interval=0.1):
        self.store = make_store(session, attribute)
        self.interval = interval
        self.readings = []
        self.failures = 0
        self._last = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.wait(self.interval):
            self._read()

    def _read(self):
        try:
            reading = self.store.read()
        except exceptions.VCenterError:
            self.failures += 1
            return
        key = (reading.attribute_raw, reading.attribute_key,
               reading.lease_key, reading.lease_raw)
        if not self.readings or key != self._last:
            self._last = key
            self.readings.append((time.monotonic(), reading))

    def stop(self):
        """Stop reading, after one last reading of what is there now."""
        if not self._stop.is_set():
            self._stop.set()
            self._thread.join(10)
            self._read()

    def views(self):
        return [(t, view_mod.interpret(r, self.store.location))
                for t, r in self.readings]


class Verdict:
    """What the reader saw of one hand-over from ``old`` to ``new``.

    :ivar taken_at: when the reader first saw ``new``'s lease
    :ivar late_writes: readings after that in which anything of ``old``
                       appeared (its lease, its holder, its token in the
                       attribute copy): writes that landed late
    :ivar replaced: readings after that in which ``new``'s lease was not
                    the one there
    """

    def __init__(self, views, old, new):
        self.taken_at = None
        self.late_writes = []
        self.replaced = []
        self.seqs = []
        copied = False
        for t, view in views:
            if self.taken_at is None:
                if view.token == new.token and view.lease is not None:
                    self.taken_at = t
                else:
                    continue
            if view.token != new.token or view.lease is None:
                self.replaced.append((t, view))
                continue
            self.seqs.append(view.lease.seq)
            # The attribute gets its copy just after the lease: only once
            # it showed the new token does the old one mean a late write.
            copy = _token_of(view.reading.attribute_raw)
            copied = copied or copy == new.token
            if view.lease.holder == old.guard.holder or \
                    copied and copy == old.token:
                self.late_writes.append((t, view))

    @property
    def seq_monotonic(self):
        return all(a <= b for a, b in zip(self.seqs, self.seqs[1:]))


def _token_of(raw):
    try:
        record = record_mod.parse_record(raw)
    except refusals.UnreadableRecord:
        return None
    return record.token if record is not None else None


# The ways of cutting holder A off. Each is called with the proxy and
# ``mark``, which it calls when A's path actually breaks (at once, or at
# A's next renewal write).

def black_hole(proxy, mark):
    """Every byte dropped both ways: a partition, or a hung vCenter."""
    mark()
    proxy.set_mode(tcpproxy.BLACKHOLE)


def stalled_answers(proxy, mark):
    """Requests carried out, every answer held until the path heals."""
    mark()
    proxy.set_mode(tcpproxy.STALL_ANSWERS)


def delayed_answers(proxy, mark, delay=12.0):
    """From A's next renewal write on, answers come ``delay`` s late while
    the requests go through at once: the write lands, A never learns it.
    """
    def cut():
        mark()
        proxy.set_mode(tcpproxy.DELAY_ANSWERS, delay)
    proxy.on_request('SetField', cut)


def write_held(proxy, mark):
    """A's renewal write is held in the network past the takeover, then
    delivered (when the path heals): the late write fencing exists for.
    """
    proxy.on_request('SetField', mark)
    proxy.hold_requests('SetField')


CUTS = {'black_hole': black_hole, 'stalled_answers': stalled_answers,
        'delayed_answers': delayed_answers, 'write_held': write_held}


def heal(proxy):
    """Deliver what was held, and pass everything again."""
    proxy.release_requests()
    proxy.set_mode(tcpproxy.FORWARD)


class Rig:
    """A TLS-terminating proxy in front of the simulator and the sessions
    of a hand-over: ``via_proxy`` (holder A), ``direct`` (standby B) and
    ``reading`` (the raw reader). Close it with ``close``.

    :param bound: seconds of each request of those sessions
    :param reading: the reader's session (default: one of its own)
    """

    def __init__(self, sim, bound, reading=None):
        self.bound = bound
        self.simulator = sim
        self.proxy = tcpproxy.TCPProxy(sim.port, tls=tcpproxy.TLSFiles(
            sim.ca_file, sim.key_file, sim.ca_file))
        self.via_proxy = sim.session(timeout=bound, port=self.proxy.port)
        self.direct = sim.session(timeout=bound)
        self.reading = reading or sim.session(timeout=bound)
        # Three suds clients live here: a full garbage collection walking
        # them stops every thread for seconds (measured: up to 3.7 s),
        # longer than the 2 s short leases leave a holder between its
        # renewal interval and its deadline (production leaves 60 s).
        # They live as long as the rig, so keep the collector off them.
        gc.freeze()

    def close(self):
        gc.unfreeze()
        heal(self.proxy)
        self.proxy.close()


class HandOverFailed(AssertionError):
    """A hand-over did not reach a step in time."""


class RoundSpoiled(HandOverFailed):
    """A lost its lease before it was cut off: the round proves nothing.

    Its own renewals missed their deadline first (a loaded machine); run
    the round again.
    """


class HandOver:
    """One hand-over from A to B.

    :ivar a: holder A (``Member``); ``b``: standby B
    :ivar verdict: the ``Verdict`` of the raw reader
    :ivar cut_at: when A's path broke (monotonic clock)
    :ivar events: the proxy's events during the hand-over
    """

    def __init__(self, a, b, verdict, cut_at, events):
        self.a = a
        self.b = b
        self.verdict = verdict
        self.cut_at = cut_at
        self.events = events

    @property
    def margin(self):
        """Seconds from A's step-down to B's take (negative: overlap)."""
        return self.b.held_at - self.a.lost_at

    @property
    def step_down(self):
        """Seconds from A's last successful renewal to its step-down.

        Counted from the start of that renewal, as ``renew_deadline`` is.
        """
        return self.a.lost_at - self.a.keeper.last_renewal

    @property
    def fail_over(self):
        """Seconds from the cut to B's take."""
        return self.b.held_at - self.cut_at

    def late_answers(self, fault='InvalidArgument'):
        """Writes of A that reached vCenter late and got ``fault``."""
        return [e for e in self.events if e.kind == 'late-answer' and
                e.method == 'SetField' and e.fault == fault]


def hand_over(rig, settings, cut, add_cleanup, slack=1.0,
              abandoned_after=fencing.ABANDONED_AFTER, label=''):
    """Hold with A (through the proxy), stand by with B, cut A off.

    A must step down, B must take over; then the path heals and B renews
    twice. Both members are stopped at ``add_cleanup``.

    :param rig: a ``Rig``
    :param settings: the members' ``opts.Settings``
    :param cut: one of ``CUTS``
    :param add_cleanup: registers a clean-up (``TestCase.addCleanup``)
    :param slack: seconds of scheduling allowed on top of each bound
    :param label: names the round in failures
    :returns: a ``HandOver``
    :raises: HandOverFailed when a step did not come in time;
             RoundSpoiled when A lost its lease before the cut
    """
    proxy = rig.proxy
    first_event = len(proxy.events)
    attribute = base.unique_attribute()
    reader = RawReader(rig.reading, attribute)
    add_cleanup(reader.stop)

    def member(session):
        started = Member(session, attribute, settings,
                         abandoned_after=abandoned_after)
        add_cleanup(started.stop)
        return started.start()

    def expect(done, what):
        if not done:
            raise HandOverFailed('%s: %s' % (label, what))

    a = member(rig.via_proxy)
    expect(a.held.wait(30), 'A did not take the lease: %s' % a.error)
    b = member(rig.direct)
    renewed = a.wait_renewals(2, 10)
    if a.lost is not None:
        raise RoundSpoiled('%s: A lost its lease before it was cut off: %s'
                           % (label, a.lost))
    expect(renewed, 'A did not renew (%s failures)' % a.keeper.failures)
    marks = []
    cut(proxy, lambda: marks.append(time.monotonic()))
    expect(a.stepped_down.wait(settings.renew_deadline + rig.bound + slack +
                               10), 'A never stepped down')
    expect(b.held.wait(settings.lease_duration + settings.standby_poll +
                       slack + 10), 'B never took over')
    heal(proxy)
    expect(b.wait_renewals(2, 10), 'B stopped renewing: %s' % b.lost)
    reader.stop()
    expect(marks, "A's path was never cut")
    return HandOver(a, b, Verdict(reader.views(), a, b), marks[0],
                    list(proxy.events[first_event:]))

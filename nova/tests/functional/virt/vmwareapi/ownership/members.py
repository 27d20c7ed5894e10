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
- ``judge``: the checks of one hand-over, from the reader's sequence.
"""

import threading
import time

from nova.tests.functional.virt.vmwareapi.ownership import base
from nova.virt.vmwareapi.ownership import clock as clock_mod
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import fencing
from nova.virt.vmwareapi.ownership import guard as guard_mod
from nova.virt.vmwareapi.ownership import lease as lease_mod
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import view as view_mod


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
    except exceptions.UnreadableRecord:
        return None
    return record.token if record is not None else None

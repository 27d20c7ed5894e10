"""What the metrics endpoint (``list --serve``) knows between two scrapes.

Pure values and logic, no I/O: the exporter's loop records each reading of
the vCenter (``succeeded``, ``failed``) with the times it took on its own
monotonic clock, and each scrape takes a ``Status`` of the last ones
(``status``), so that a scrape never waits for vCenter. A lock makes the
two safe from each other's threads.

How long a held cluster's record has gone without a renewal is judged as a
standby judges it (``liveness.HolderWatch``): by this process's own
observation of the lease's ``(holder, seq)``, never by the writer's
timestamps. A pair seen unchanged in successive readings ages by the time
between them; a new pair starts at 0; a failed reading forgets them all
(time without a reading is not time watched, as for a standby), so the
next good reading starts watching afresh.
"""

import collections
import dataclasses
import threading

REASONS = ('vcenter', 'nova', 'timeout', 'error')
"""Why a reading failed: vCenter's answer or its absence, nova's database,
no end within its bound, anything else (a bug: logged)."""


@dataclasses.dataclass(frozen=True)
class Status:
    """The exporter as one scrape sees it.

    :ivar document: ``list``'s document of the last good reading
                    (``join.Fleet.document``), ``None`` before the first
    :ivar up: whether the last reading succeeded
    :ivar errors: ``{reason: failed readings since the start}``
    :ivar reading_age: seconds since the last good reading began
                       (``None`` before the first)
    :ivar reading_seconds: how long the last reading took (``None``
                           before the first ended)
    :ivar renewal_ages: ``{cluster moref: seconds}``: how long each held
                        cluster's lease has been seen without a renewal
                        (empty after a failed reading)
    :ivar lease_duration: ``[vmware_ownership] lease_duration``
    :ivar interval: seconds between two readings
    """

    document: dict
    up: bool
    errors: dict
    reading_age: float
    reading_seconds: float
    renewal_ages: dict
    lease_duration: int
    interval: float


class Readings:
    """The readings of one exporter, and what it has watched of them.

    :param lease_duration: ``[vmware_ownership] lease_duration``, served
                           for the alerts to compare with
    :param interval: seconds between two readings
    """

    def __init__(self, lease_duration, interval):
        self.lease_duration = lease_duration
        self.interval = interval
        self._lock = threading.Lock()
        self._document = None
        self._good_at = None
        self._up = False
        self._errors = collections.Counter({reason: 0 for reason in REASONS})
        self._seconds = None
        self._seen = {}     # moref -> ((holder, seq), first seen at)
        self._ages = {}

    def succeeded(self, document, clusters, started, ended):
        """Record a good reading.

        :param document: its ``list`` document
        :param clusters: the ``view.Cluster`` values it read
        :param started, ended: when it began and ended (monotonic seconds)
        """
        seen, ages = {}, {}
        for cluster in clusters:
            view = cluster.view
            record = view.holder_record
            if view.error is not None or record is None or \
                    not record.is_held:
                continue
            moref = cluster.location.cluster_moref
            pair = (record.holder, record.seq)
            before = self._seen.get(moref)
            since = before[1] if before and before[0] == pair else ended
            seen[moref] = (pair, since)
            ages[moref] = ended - since
        with self._lock:
            self._document = document
            self._good_at = started
            self._up = True
            self._seconds = ended - started
            self._seen, self._ages = seen, ages

    def failed(self, reason, started, ended):
        """Record a failed reading (one of ``REASONS``)."""
        with self._lock:
            self._up = False
            self._errors[reason] += 1
            self._seconds = ended - started
            self._seen, self._ages = {}, {}

    def status(self, now):
        """The ``Status`` at monotonic time ``now``."""
        with self._lock:
            return Status(
                document=self._document, up=self._up,
                errors=dict(self._errors),
                reading_age=None if self._good_at is None
                else max(0.0, now - self._good_at),
                reading_seconds=self._seconds,
                renewal_ages=dict(self._ages),
                lease_duration=self.lease_duration, interval=self.interval)

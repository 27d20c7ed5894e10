"""Holder identities and the local judgement of a holder's liveness.

A holder is ``<machine>:<pid>:<boot>.<pid namespace>.<random>``: the host
name, the pid, the first 8 hex digits of the kernel's boot id
(``/proc/sys/kernel/random/boot_id``), the inode of the process's PID
namespace (``/proc/self/ns/pid``) and 8 random hex digits. Where the boot
or the namespace cannot be read it is ``<machine>:<pid>:<random>``, the
format of earlier releases. Readers rely on nothing but equality, except
here.

Whether a holder is alive is judged only by what this process observes
with its own monotonic clock: a holder is dead once its record's ``seq``
has not changed for ``lease_duration`` seconds of watching (or the
holder's own, when its record says it is longer), counted from the last
renewal seen. A record that disappears (an admin deleted the
definitions, a vCenter came back empty) does not end the watch: its
holder may still be running, and is dead only once the lease has passed
since its last renewal seen; a record its holder released is free at
once. The writer's timestamps are never compared with the local clock,
so clock jumps on either side do not matter. One shortcut: a holder whose
pid no longer exists is dead at once, but only when it ran in this very
PID namespace of this boot of this machine (``Place``). A pid means
nothing across PID namespaces: containers that share the machine's host
name (Kubernetes pods with ``hostNetwork: true``, kolla containers with
``net=host``) have pids of their own, and a holder id without the boot
and the namespace (an earlier release's, or one whose parts could not be
read) gets no shortcut.
"""

import dataclasses
import errno
import os
import re
import secrets
import socket
import time

from nova.virt.vmwareapi.ownership import decision

_BOOT = re.compile(r'^[0-9a-f]{8}$')
_NAMESPACE = re.compile(r'^[0-9]+$')


def this_machine():
    """The name this machine puts into holder identities."""
    return socket.gethostname()


@dataclasses.dataclass(frozen=True)
class Place:
    """Where a pid names one process: a machine, one boot of it, one PID
    namespace.

    :ivar machine: the host name
    :ivar boot: the first 8 hex digits of the kernel's boot id, or None
    :ivar pid_namespace: the inode of the PID namespace (decimal), or None
    """

    machine: str
    boot: str = None
    pid_namespace: str = None

    @property
    def known(self):
        """Whether all three are known: only then do pids compare."""
        return bool(self.machine and self.boot and self.pid_namespace)


def _boot(proc):
    try:
        with open(os.path.join(proc, 'sys/kernel/random/boot_id')) as found:
            boot = found.read().strip().replace('-', '')[:8]
    except OSError:
        return None
    return boot if _BOOT.match(boot) else None


def _pid_namespace(proc):
    try:
        return str(os.stat(os.path.join(proc, 'self/ns/pid')).st_ino)
    except OSError:
        return None


def this_place(machine=None, proc='/proc'):
    """Where this process runs (parts that cannot be read are None).

    :param machine: the host name (default: this machine's)
    :param proc: where procfs is mounted
    :returns: a ``Place``
    """
    return Place(machine or this_machine(), _boot(proc), _pid_namespace(proc))


@dataclasses.dataclass(frozen=True)
class HolderId:
    """A holder identity taken apart.

    :ivar place: the ``Place`` it ran in (boot and namespace None for an
                 earlier release's identity)
    :ivar pid: its pid there
    """

    place: Place
    pid: int


def new_holder_id(machine=None, pid=None, place=None):
    """A fresh, unique holder identity for this process.

    :param machine: the host name (default: this machine's)
    :param pid: the pid (default: this process's)
    :param place: where it runs (default: ``this_place(machine)``)
    """
    place = place or this_place(machine)
    pid = os.getpid() if pid is None else pid
    token = secrets.token_hex(4)
    if place.known:
        return '%s:%d:%s.%s.%s' % (place.machine, pid, place.boot,
                                   place.pid_namespace, token)
    return '%s:%d:%s' % (place.machine, pid, token)


def parse_holder(holder):
    """Take a holder identity apart.

    :returns: a ``HolderId``, or ``None`` when not in our format
    """
    machine, sep, rest = (holder or '').rpartition(':')
    machine, sep2, pid = machine.rpartition(':')
    if not (sep and sep2 and machine and pid.isdigit()):
        return None
    parts = rest.split('.')
    if len(parts) == 3 and _BOOT.match(parts[0]) and \
            _NAMESPACE.match(parts[1]):
        return HolderId(Place(machine, parts[0], parts[1]), int(pid))
    return HolderId(Place(machine), int(pid))


def pid_exists(pid):
    """Tell whether a process ``pid`` exists in this PID namespace."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno == errno.EPERM
    return True


class HolderWatch:
    """Judges the liveness of the holders named in successive readings.

    :param holder: this process's holder identity
    :param lease_duration: seconds; 0 turns liveness off. A record that
                           declares a longer ``lease_duration`` of its
                           holder is watched that long.
    :param clock: a monotonic clock (injected in tests)
    :param place: where this process runs (default: ``this_place()``)
    :param pid_exists: function telling whether a pid exists here
    """

    def __init__(self, holder, lease_duration, clock=time.monotonic,
                 place=None, pid_exists=pid_exists):
        self.holder = holder
        self.lease_duration = lease_duration
        self._clock = clock
        self._place = place or this_place()
        self._pid_exists = pid_exists
        self._seen = None       # (holder, seq) of the last held record seen
        self._since = None      # when it was first seen; None: not timed
        self._window = lease_duration   # seconds it is watched

    def fresh(self):
        """A watch of the same process that has observed nothing yet."""
        return HolderWatch(self.holder, self.lease_duration, self._clock,
                           self._place, self._pid_exists)

    def observe(self, record):
        """Record one reading and judge its holder.

        :param record: an ``OwnershipRecord``, or ``None`` when absent: if
                       a held record was seen before, its holder is judged
                       as if the record were still there, unchanged
        :returns: a ``decision.Liveness``
        """
        if record is not None and not record.is_held:
            # Released (a clean stop) or never held: nobody to wait for.
            self._seen = self._since = None
            return decision.Liveness.NONE
        if record is None:
            if self._seen is None:
                return decision.Liveness.NONE
            seen = self._seen
        elif record.holder == self.holder:
            return decision.Liveness.MINE
        elif self.lease_duration == 0:
            return decision.Liveness.DEAD
        else:
            seen = (record.holder, record.seq)
            self._window = max(self.lease_duration,
                               record.lease_duration or 0)
        if self._gone(seen[0]):
            self._seen = self._since = None
            return decision.Liveness.DEAD
        now = self._clock()
        if seen != self._seen or self._since is None:
            self._seen, self._since = seen, now
        if now - self._since < self._window:
            return decision.Liveness.LIVE
        if record is None:
            # Judged: from now on, absent means unowned.
            self._seen = self._since = None
        return decision.Liveness.DEAD

    def _gone(self, holder):
        """Whether ``holder`` provably exited: it ran here, its pid is gone.

        "Here" is this PID namespace of this boot of this machine: a pid
        of another namespace (a container sharing the host name) or of an
        identity that does not say where it ran proves nothing.
        """
        found = parse_holder(holder)
        return (found is not None and self._place.known and
                found.place == self._place and
                not self._pid_exists(found.pid))

    def forget(self):
        """Time without a reading: the next reading starts the time anew.

        The holder seen is not forgotten: if the record has disappeared
        meanwhile, the holder still gets a whole lease from that reading.
        """
        self._since = None

    @property
    def watched_holder(self):
        """The holder being watched (also once its record vanished)."""
        return self._seen[0] if self._seen is not None else None

    def watched_for(self):
        """Seconds the current (holder, seq) has been watched unchanged."""
        if self._since is None:
            return 0.0
        return self._clock() - self._since

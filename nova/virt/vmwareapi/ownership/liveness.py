"""Holder identities and the local judgement of a holder's liveness.

A holder is ``<machine>:<pid>:<random>``. Whether it is alive is judged only
by what this process observes with its own monotonic clock: a holder is dead
once its record's ``seq`` has not changed for ``lease_duration`` seconds of
watching. The writer's timestamps are never compared with the local clock,
so clock jumps on either side do not matter. One shortcut: a holder on this
same machine whose pid no longer exists is dead at once.
"""

import errno
import os
import secrets
import socket
import time

from nova.virt.vmwareapi.ownership import decision


def this_machine():
    """The name this machine puts into holder identities."""
    return socket.gethostname()


def new_holder_id(machine=None, pid=None):
    """A fresh, unique holder identity for this process."""
    return '%s:%d:%s' % (machine or this_machine(),
                         os.getpid() if pid is None else pid,
                         secrets.token_hex(4))


def parse_holder(holder):
    """Split a holder identity into ``(machine, pid)``.

    :returns: ``(machine, pid)``, or ``(None, None)`` when not in our format
    """
    machine, sep, rest = (holder or '').rpartition(':')
    machine, sep2, pid = machine.rpartition(':')
    if not (sep and sep2 and machine and pid.isdigit()):
        return None, None
    return machine, int(pid)


def pid_exists(pid):
    """Tell whether a process ``pid`` exists on this machine."""
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
    :param lease_duration: seconds; 0 turns liveness off
    :param clock: a monotonic clock (injected in tests)
    :param machine: this machine's name
    :param pid_exists: function telling whether a local pid exists
    """

    def __init__(self, holder, lease_duration, clock=time.monotonic,
                 machine=None, pid_exists=pid_exists):
        self.holder = holder
        self.lease_duration = lease_duration
        self._clock = clock
        self._machine = machine or this_machine()
        self._pid_exists = pid_exists
        self._seen = None       # (holder, seq) last observed
        self._since = None      # monotonic time it was first observed

    def observe(self, record):
        """Record one reading and judge its holder.

        :param record: an ``OwnershipRecord`` or ``None``
        :returns: a ``decision.Liveness``
        """
        if record is None or not record.is_held:
            self._seen = None
            return decision.Liveness.NONE
        if record.holder == self.holder:
            return decision.Liveness.MINE
        if self.lease_duration == 0:
            return decision.Liveness.DEAD
        machine, pid = parse_holder(record.holder)
        if machine == self._machine and not self._pid_exists(pid):
            return decision.Liveness.DEAD
        now = self._clock()
        seen = (record.holder, record.seq)
        if seen != self._seen:
            self._seen, self._since = seen, now
        if now - self._since >= self.lease_duration:
            return decision.Liveness.DEAD
        return decision.Liveness.LIVE

    def forget(self):
        """Drop what was observed: the next reading starts a new watch."""
        self._seen = None

    def watched_for(self):
        """Seconds the current (holder, seq) has been watched unchanged."""
        if self._seen is None:
            return 0.0
        return self._clock() - self._since

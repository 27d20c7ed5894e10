"""Guarding processes started by a test, and what they report.

``EventProcess`` runs a process that prints JSON events (one a line),
collects them, and kills it at clean-up; every wait is bounded. ``Holder``
is such a process running ``holder.py`` (a guard and its lease keeper, as
nova-compute's driver runs them) against the test's simulator;
the nova-compute processes are in ``nova_processes``. A process may
run as on another machine (a UTS namespace with a host name of its own)
or in a container that shares the machine's host name (a
``PidNamespace``, as a Kubernetes pod with ``hostNetwork: true`` or a
kolla container with ``net=host``).
"""

import json
import os
import queue
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time

import support
from support import simulator

LEASE = 6
"""Seconds of the processes' lease (renewed every ``RENEW``)."""
RENEW = 2
TIMEOUT = 2.0
"""Seconds each request of theirs may take: the driver would get 1 s with
these times, but two test workers, the simulator and the processes share
two cores."""

_HOLDER = [sys.executable, '-m', 'support.holder']
# nova-compute's eventlet mode: everything monkey-patched before any import.
_HOLDER_EVENTLET = [
    sys.executable, '-c',
    'import eventlet; eventlet.monkey_patch(); import sys; '
    'from support import holder; '
    'sys.exit(holder.main(sys.argv[1:]))']


_OTHER_MACHINE = ['unshare', '--uts', 'sh', '-c',
                  'hostname "$0" && exec "$@"']

BOUND = 30.0
"""Seconds any wait for a namespace or a process's state may take."""


def can_be_another_machine():
    """Whether ``Holder(machine=...)`` works here (``unshare --uts``)."""
    try:
        return subprocess.run(
            ['unshare', '--uts', 'hostname', 'probe'], timeout=10,
            capture_output=True).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def can_have_pid_namespaces():
    """Whether ``PidNamespace`` works here (``unshare --pid``: root)."""
    try:
        return subprocess.run(
            ['unshare', '--pid', '--fork', '--mount-proc', 'true'],
            timeout=10, capture_output=True).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def child_of(pid, timeout=BOUND):
    """The pid of the one child of process ``pid`` (once it has forked).

    ``unshare --fork`` and ``nsenter --pid`` run their command in a child:
    the process a test must signal.
    """
    path = '/proc/%d/task/%d/children' % (pid, pid)
    deadline = time.monotonic() + timeout
    while True:
        try:
            with open(path) as found:
                children = found.read().split()
        except OSError:
            children = []
        if children:
            return int(children[0])
        if time.monotonic() > deadline:
            raise AssertionError('process %d started no child in %d s'
                                 % (pid, timeout))
        time.sleep(0.01)


def pause(pid, timeout=BOUND):
    """SIGSTOP ``pid``; returns once the kernel shows it stopped."""
    os.kill(pid, signal.SIGSTOP)
    deadline = time.monotonic() + timeout
    while _state(pid) != 'T':
        if time.monotonic() > deadline:
            raise AssertionError('process %d did not stop' % pid)
        time.sleep(0.01)


def _state(pid):
    """A process's state letter from /proc (``T``: stopped)."""
    try:
        with open('/proc/%d/stat' % pid) as stat:
            return stat.read().rsplit(')', 1)[1].split()[0]
    except OSError:
        return None


class PidNamespace:
    """A PID namespace of its own, as a container has, on this machine.

    Made with ``unshare --pid --fork --mount-proc``; its init (pid 1) is a
    ``sleep`` that keeps it alive, so that several holders can run in it
    one after the other (``Holder(pid_namespace=...)`` enters it with
    ``nsenter``). The host name stays the machine's. Its pids start at a
    random number above the machine's ``pid_max`` (a namespace has a
    ``pid_max`` of its own), as a long-running container's do: a pid of
    it exists nowhere else, and no two namespaces start at the same one.
    It ends, with every process in it, at the test's clean-up.

    :param test: the test case (or anything with ``addCleanup``)
    :ivar init: the host's pid of its pid 1
    :ivar first: the first pid its processes get (then first + 1, ...)
    """

    def __init__(self, test):
        self.first = random.randrange(100000, 4000000, 1000) + 1
        self._unshare = subprocess.Popen(
            ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child',
             'sh', '-c', 'echo "$0" > /proc/sys/kernel/ns_last_pid && '
             'exec sleep infinity', str(self.first - 1)],
            stdin=subprocess.DEVNULL, preexec_fn=simulator.die_with_parent)
        test.addCleanup(self.end)
        self.init = child_of(self._unshare.pid)

    def enter(self, argv):
        """``argv`` run in this namespace (as a child of ``nsenter``)."""
        return ['nsenter', '--target', str(self.init), '--pid', '--mount',
                '--wd=' + support.REPO_ROOT, '--'] + argv

    def end(self):
        """Kill its init: the kernel kills every process in it."""
        for pid in (self.init, self._unshare.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._unshare.wait(timeout=BOUND)


class EventProcess:
    """A process of the test that prints JSON events, one a line.

    It dies at the test's clean-up; every wait on it is bounded.

    :param test: the test case (anything with ``addCleanup``)
    :param argv: the command
    :param machine: run it as on another machine of this name (a UTS
                    namespace with its own host name, ``unshare --uts``:
                    root only); see ``can_be_another_machine``
    :param pid_namespace: run it in this ``PidNamespace`` (a container
                          sharing the machine's host name); see
                          ``can_have_pid_namespaces``
    :param env: its environment (default: the test's)
    :ivar pid: the pid of the command (in the test's namespace)
    """

    def __init__(self, test, argv, machine=None, pid_namespace=None,
                 env=None):
        if machine:
            argv = _OTHER_MACHINE + [machine] + argv
        if pid_namespace is not None:
            argv = pid_namespace.enter(argv)
        self._stderr = tempfile.TemporaryFile(mode='w+')
        self.process = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._stderr, text=True, cwd=support.REPO_ROOT, env=env,
            preexec_fn=simulator.die_with_parent)
        # nsenter waits for the command, its child, and dies with it.
        self.pid = self.process.pid if pid_namespace is None else \
            child_of(self.process.pid)
        self.events = queue.Queue()
        self.seen = []
        self.exited = threading.Event()
        self.exited_at = None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        test.addCleanup(self.kill)

    def _read(self):
        for line in self.process.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                # Not ours (a library printing): kept for the failure text.
                event = {'event': 'output', 'line': line}
            self.events.put(event)
        # End of output: the process has exited (the kernel closed its
        # pipe), unless it passed the pipe on to a child.
        self.exited_at = time.monotonic()
        self.exited.set()
        self.events.put({'event': 'exit', 't': self.exited_at})

    def wait_exit(self, timeout):
        """Its exit status once it has exited within ``timeout``, or None.

        ``exited_at`` is when this process saw it exit (its monotonic
        clock, shared with the processes of the machine).
        """
        if not self.exited.wait(timeout):
            return None
        return self.process.wait(timeout=10)

    def next_event(self, timeout):
        try:
            event = self.events.get(timeout=timeout)
        except queue.Empty:
            return None
        self.seen.append(event)
        return event

    def wait_for(self, name, timeout):
        """The first event called ``name`` within ``timeout``, or None.

        Events seen before are not looked at again.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            event = self.next_event(deadline - time.monotonic())
            if event is None or event['event'] == 'exit':
                return None
            if event['event'] == name:
                return event
        return None

    def has_seen(self, name):
        """Whether an event ``name`` was printed so far (without waiting)."""
        while True:
            try:
                self.seen.append(self.events.get_nowait())
            except queue.Empty:
                break
        return any(event['event'] == name for event in self.seen)

    def send(self, line):
        self.process.stdin.write(line + '\n')
        self.process.stdin.flush()

    def kill(self, sig=signal.SIGKILL):
        """Send ``sig`` to the command (in a namespace: not to nsenter).

        Bounded: the command is killed outright when it outlives ``sig``
        by 30 s, and its output is closed only once its reader has read
        to the end (closing it under the reader would wait for the reader,
        which waits for a process that may still hold the pipe).
        """
        if self.process.poll() is None:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            for pid in {self.pid, self.process.pid}:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.process.wait(timeout=10)
        if self.process.stdin and not self.process.stdin.closed:
            self.process.stdin.close()
        self._reader.join(timeout=10)
        if not self._reader.is_alive() and not self.process.stdout.closed:
            self.process.stdout.close()

    def stderr(self, last=3000):
        """The end of what the process wrote on stderr so far."""
        self._stderr.seek(0)
        return self._stderr.read()[-last:]


class Holder(EventProcess):
    """One ``holder.py`` process against the test's simulator.

    :param test: the test case, or anything with its ``simulator``,
                 ``attribute`` and ``addCleanup``
    :param mode: ``hold`` or ``race`` (see ``holder.py``)
    :param port: the simulator's port, or a proxy's
    :param machine, pid_namespace: as ``EventProcess``
    :param extra: more options of ``holder.py`` (``standby_timeout=5``)
    """

    def __init__(self, test, mode, host='compute-a', attribute=None,
                 lease=LEASE, renew=RENEW, port=None, eventlet=False,
                 timeout=TIMEOUT, machine=None, pid_namespace=None,
                 **extra):
        sim = test.simulator
        argv = (_HOLDER_EVENTLET if eventlet else _HOLDER) + [
            mode, '--port', str(port or sim.port), '--user', sim.username,
            '--password', sim.password, '--ca-file', sim.ca_file,
            '--host', host, '--attribute', attribute or test.attribute,
            '--lease', str(lease), '--renew', str(renew),
            '--timeout', str(timeout)]
        for name, value in extra.items():
            argv += ['--' + name.replace('_', '-'), str(value)]
        super().__init__(test, argv, machine=machine,
                         pid_namespace=pid_namespace)

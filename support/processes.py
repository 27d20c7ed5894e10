"""Guarding processes started by a test, and what they report.

``Holder`` runs ``holder.py`` (a guard and its lease keeper, as
nova-compute's driver runs them, in a process of its own) against the
test's simulator, collects the JSON events it prints, and kills it at
clean-up. Every wait is bounded.
"""

import json
import queue
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

_HOLDER = [sys.executable, '-m',
           'support.holder']
# nova-compute's eventlet mode: everything monkey-patched before any import.
_HOLDER_EVENTLET = [
    sys.executable, '-c',
    'import eventlet; eventlet.monkey_patch(); import sys; '
    'from support import holder; '
    'sys.exit(holder.main(sys.argv[1:]))']


_OTHER_MACHINE = ['unshare', '--uts', 'sh', '-c',
                  'hostname "$0" && exec "$@"']


def can_be_another_machine():
    """Whether ``Holder(machine=...)`` works here (``unshare --uts``)."""
    try:
        return subprocess.run(
            ['unshare', '--uts', 'hostname', 'probe'], timeout=10,
            capture_output=True).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


class Holder:
    """One guarding process and the events it printed.

    :param test: the test case (the process dies at its clean-up), or
                 anything with its ``simulator``, ``attribute`` and
                 ``addCleanup``
    :param mode: ``hold`` or ``race`` (see ``holder.py``)
    :param port: the simulator's port, or a proxy's
    :param machine: run it as on another machine of this name (a UTS
                    namespace with its own host name, ``unshare --uts``:
                    root only); see ``can_be_another_machine``
    :param extra: more options of ``holder.py`` (``standby_timeout=5``)
    """

    def __init__(self, test, mode, host='compute-a', attribute=None,
                 lease=LEASE, renew=RENEW, port=None, eventlet=False,
                 timeout=TIMEOUT, machine=None, **extra):
        sim = test.simulator
        argv = (_HOLDER_EVENTLET if eventlet else _HOLDER) + [
            mode, '--port', str(port or sim.port), '--user', sim.username,
            '--password', sim.password, '--ca-file', sim.ca_file,
            '--host', host, '--attribute', attribute or test.attribute,
            '--lease', str(lease), '--renew', str(renew),
            '--timeout', str(timeout)]
        for name, value in extra.items():
            argv += ['--' + name.replace('_', '-'), str(value)]
        if machine:
            argv = _OTHER_MACHINE + [machine] + argv
        self._stderr = tempfile.TemporaryFile(mode='w+')
        self.process = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._stderr, text=True, cwd=support.REPO_ROOT,
            preexec_fn=simulator.die_with_parent)
        self.events = queue.Queue()
        self.seen = []
        threading.Thread(target=self._read, daemon=True).start()
        test.addCleanup(self.kill)

    def _read(self):
        for line in self.process.stdout:
            self.events.put(json.loads(line))
        self.events.put({'event': 'exit'})

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
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        for stream in (self.process.stdin, self.process.stdout):
            if stream and not stream.closed:
                stream.close()

    def stderr(self, last=3000):
        """The end of what the process wrote on stderr so far."""
        self._stderr.seek(0)
        return self._stderr.read()[-last:]

"""The operator's terminal: confirmations and the observation countdown.

Changes that can stop a running nova-compute (takeover, release) are
confirmed by typing a host name, or by ``--yes`` when scripted. Without a
terminal on stdin and without ``--yes`` nothing is asked and nothing is
written (``ConfirmationRequired``, exit 4), so a script never hangs on a
prompt it cannot see. A command that must clean up after itself
(``doctor``) takes SIGTERM as Ctrl-C, and is not interrupted while it
cleans up.
"""

import contextlib
import signal
import sys

from nova.virt.vmwareapi.ownership import refusals
from nova.virt.vmwareapi.ownership import text as text_mod


@contextlib.contextmanager
def terminated_as_interrupted():
    """SIGTERM raises ``KeyboardInterrupt`` (as Ctrl-C), so clean-ups run."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt()
    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: nothing to restore
        previous = None
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def uninterrupted():
    """SIGINT and SIGTERM are ignored: a clean-up is not interrupted."""
    handlers = {}
    for number in (signal.SIGINT, signal.SIGTERM):
        try:
            handlers[number] = signal.signal(number, signal.SIG_IGN)
        except ValueError:
            pass
    try:
        yield
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


class Console:
    """Talks to the operator when there is a terminal.

    Prompts and the countdown go to stdout when it is a terminal, else to
    stderr, so that ``--format json > file`` keeps the file clean.

    :param stdin, stdout, stderr: the streams (injected in tests)
    """

    def __init__(self, stdin=None, stdout=None, stderr=None):
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self._counting = False

    @staticmethod
    def _isatty(stream):
        try:
            return stream.isatty()
        except (AttributeError, ValueError):
            return False

    @property
    def interactive(self):
        """True when an operator can answer on stdin."""
        return self._isatty(self.stdin)

    @property
    def _talk(self):
        return self.stdout if self._isatty(self.stdout) else self.stderr

    def say(self, text):
        """Tell the operator something that is not the command's result."""
        self._talk.write(text + '\n')
        self._talk.flush()

    def confirm(self, command, summary, expected=None, assume_yes=False):
        """Ask the operator to confirm a change.

        :param command: the command name, for the error message
        :param summary: what will change, shown before the question
        :param expected: the word to type (a host name); ``None`` asks y/N
        :param assume_yes: ``--yes`` was given
        :raises: ConfirmationRequired when not confirmed
        """
        if assume_yes:
            return
        if not self.interactive:
            raise refusals.ConfirmationRequired(
                command=command,
                reason='stdin is not a terminal and --yes was not given')
        self.say(summary)
        if expected:
            question = 'Type the host name to confirm (%s): ' % expected
        else:
            question = 'Proceed? [y/N]: '
        self._talk.write(question)
        self._talk.flush()
        answer = self.stdin.readline()
        if not answer:
            raise refusals.ConfirmationRequired(command=command,
                                                reason='no answer')
        answer = answer.strip()
        if expected:
            confirmed = answer == expected
        else:
            confirmed = answer.lower() in ('y', 'yes')
        if not confirmed:
            raise refusals.ConfirmationRequired(
                command=command,
                reason='the answer %r did not confirm it' % answer)

    def countdown(self, holder, left):
        """Show the seconds of observation left (on a terminal only)."""
        if not self._isatty(self.stdout):
            return
        self._counting = True
        self.stdout.write('\rObserving holder %s: %3d s left ' %
                          (text_mod.printable(holder), round(left)))
        self.stdout.flush()

    def end_countdown(self):
        """Clear the countdown line, if one is shown."""
        if self._counting:
            self._counting = False
            self.stdout.write('\r\033[K')
            self.stdout.flush()

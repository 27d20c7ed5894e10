"""Tests of the operator's console: confirmations and the countdown."""

import io

from oslotest import base

from nova.virt.vmwareapi.ownership.cli import console
from nova.virt.vmwareapi.ownership import refusals
from support import messages


class Stream(io.StringIO):
    """A text stream that says whether it is a terminal."""

    def __init__(self, text='', tty=True):
        super().__init__(text)
        self.tty = tty

    def isatty(self):
        return self.tty


class ConsoleTestCase(base.BaseTestCase):

    def make(self, answer='', stdin_tty=True, stdout_tty=True):
        self.stdin = Stream(answer, stdin_tty)
        self.stdout = Stream(tty=stdout_tty)
        self.stderr = Stream(tty=False)
        return console.Console(self.stdin, self.stdout, self.stderr)

    def test_without_terminal_needs_yes(self):
        error = self.assertRaises(
            refusals.ConfirmationRequired, self.make(stdin_tty=False)
            .confirm, 'takeover', 'About to move.', 'compute-a')
        self.assertIn('--yes', str(error))
        self.assertEqual('', self.stdout.getvalue())

    def test_wrong_host_name_is_refused(self):
        con = self.make('compute-b\n')
        error = self.assertRaises(refusals.ConfirmationRequired,
                                  con.confirm, 'takeover', 'About to move.',
                                  'compute-a')
        self.assertIn("'compute-b'", str(error))
        self.assertIn('Type the host name to confirm (compute-a)',
                      self.stdout.getvalue())

    def test_end_of_input_is_refused(self):
        self.assertRaises(refusals.ConfirmationRequired,
                          self.make('').confirm, 'release', 'x', None)

    def test_typed_host_name_confirms(self):
        self.make(' compute-a \n').confirm('takeover', 'About to move.',
                                           'compute-a')
        self.assertIn('About to move.', self.stdout.getvalue())

    def test_yes_or_no(self):
        self.make('y\n').confirm('release', 'About to clear.')
        self.assertIn('[y/N]', self.stdout.getvalue())
        self.assertRaises(refusals.ConfirmationRequired,
                          self.make('\n').confirm, 'release', 'x')

    def test_assume_yes_asks_nothing(self):
        self.make(stdin_tty=False).confirm('release', 'x', 'a',
                                           assume_yes=True)
        self.assertEqual('', self.stdout.getvalue())

    def test_prompt_goes_to_stderr_when_stdout_is_redirected(self):
        self.make('compute-a\n', stdout_tty=False).confirm(
            'takeover', 'About to move.', 'compute-a')
        self.assertEqual('', self.stdout.getvalue())
        self.assertIn('Type the host name', self.stderr.getvalue())

    def test_countdown_only_on_a_terminal(self):
        con = self.make()
        con.countdown('m:1:ab', 12.4)
        con.end_countdown()
        self.assertIn('Observing holder m:1:ab:  12 s left',
                      self.stdout.getvalue())
        self.assertTrue(self.stdout.getvalue().endswith('\r\033[K'))
        con.countdown('m:1:ab' + messages.FORGED, 3)
        shown = self.stdout.getvalue().replace('\r', '').replace('\033', '')
        self.assertTrue(shown.isprintable(), shown)
        quiet = self.make(stdout_tty=False)
        quiet.countdown('m:1:ab', 3)
        quiet.end_countdown()
        self.assertEqual('', self.stdout.getvalue())

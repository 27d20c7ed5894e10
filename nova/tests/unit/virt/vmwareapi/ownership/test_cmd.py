"""The console script's entry point."""

from unittest import mock
import warnings

from oslotest import base

from nova.virt.vmwareapi.ownership.cli import main as cli
from nova.virt.vmwareapi.ownership import cmd


class MainTestCase(base.BaseTestCase):

    def test_exits_with_the_commands_code(self):
        with mock.patch.object(cli, 'main', autospec=True,
                               return_value=cli.EXIT_CONFLICT) as main:
            with warnings.catch_warnings():
                error = self.assertRaises(SystemExit, cmd.main)
        self.assertEqual(cli.EXIT_CONFLICT, error.code)
        main.assert_called_once_with()

    def test_silences_eventlets_deprecation_only(self):
        with mock.patch.object(cli, 'main', autospec=True, return_value=0):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter('always')
                self.assertRaises(SystemExit, cmd.main)
                warnings.warn('\nEventlet is deprecated. It is currently '
                              'being maintained in bugfix mode.',
                              DeprecationWarning)
                warnings.warn('something else', DeprecationWarning)
        self.assertEqual(['something else'],
                         [str(w.message) for w in caught])

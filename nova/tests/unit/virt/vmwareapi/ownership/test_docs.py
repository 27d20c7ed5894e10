"""Tests that the troubleshooting page covers every error and exit code.

Operators look an error up by its class name and a script's result by its
exit code; a new exception class or exit code without an entry in
``doc/source/troubleshooting.rst`` fails here.
"""

import importlib
import inspect
import os
import pkgutil
import re

from oslotest import base

from nova.virt.vmwareapi import ownership
from nova.virt.vmwareapi.ownership.cli import main as cli
from nova.virt.vmwareapi.ownership import exceptions
import support

TROUBLESHOOTING = os.path.join(support.REPO_ROOT, 'doc', 'source',
                               'troubleshooting.rst')


def _modules():
    """Every module of the package that imports without nova."""
    for found in pkgutil.walk_packages(ownership.__path__,
                                       ownership.__name__ + '.'):
        try:
            yield importlib.import_module(found.name)
        except ImportError:
            pass  # it imports nova: its errors live in modules that do not


def error_classes():
    """Public ``OwnershipError`` classes, wherever they are defined."""
    return sorted(
        name for module in _modules()
        for name, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, exceptions.OwnershipError) and
        cls.__module__ == module.__name__ and not name.startswith('_'))


def exit_codes():
    """The ``EXIT_*`` constants of the command, as ``{name: value}``."""
    return {name: value for name, value in vars(cli).items()
            if name.startswith('EXIT_') and isinstance(value, int)}


class TroubleshootingTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.assertTrue(os.path.isfile(TROUBLESHOOTING),
                        'missing %s' % TROUBLESHOOTING)
        with open(TROUBLESHOOTING, encoding='utf-8') as page:
            self.text = page.read()

    def test_finds_the_classes_and_codes(self):
        # Guard against the introspection silently finding nothing.
        self.assertIn('OwnershipError', error_classes())
        self.assertIn('UnreadableRecord', error_classes())
        self.assertEqual({0, 1, 2, 3, 4, 5}, set(exit_codes().values()))

    def test_every_exception_class_has_an_entry(self):
        # An entry is a section title or a definition-list term that is the
        # exact class name (optionally as ``literal``).
        missing = [name for name in error_classes()
                   if not re.search(r'^(``)?%s(``)?[ \t]*$' % name,
                                    self.text, re.MULTILINE)]
        self.assertEqual([], missing,
                         'exception classes without an entry in %s'
                         % TROUBLESHOOTING)

    def test_every_exit_code_is_documented_with_its_number(self):
        # The exit code table has one row per code: "<number>  ``EXIT_*``".
        missing = [
            '%s (%d)' % (name, value)
            for name, value in sorted(exit_codes().items())
            if not re.search(r'^%d\s+``%s``' % (value, name), self.text,
                             re.MULTILINE)]
        self.assertEqual([], missing,
                         'exit codes not documented with their number in %s'
                         % TROUBLESHOOTING)

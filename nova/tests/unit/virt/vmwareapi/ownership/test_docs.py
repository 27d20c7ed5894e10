"""Tests that the pages agree with the code.

Operators look an error up by its class name and a script's result by its
exit code; a new exception class or exit code without an entry in
``doc/source/troubleshooting.rst`` fails here. The retry, abandonment and
deadline numbers of the option help and the pages are computed from the
code's constants (``NumbersTestCase``).
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
from nova.virt.vmwareapi.ownership import fencing
from nova.virt.vmwareapi.ownership import lease
from nova.virt.vmwareapi.ownership import opts
from nova.virt.vmwareapi.ownership import privileges
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


def page(name):
    """The text of ``doc/source/<name>``, its whitespace collapsed."""
    with open(os.path.join(support.REPO_ROOT, 'doc', 'source', name),
              encoding='utf-8') as f:
        return ' '.join(f.read().split())


def option_help(name):
    (_group, options), = opts.list_opts()
    return ' '.join(next(o for o in options if o.name == name).help.split())


class NumbersTestCase(base.BaseTestCase):
    """The option help and the pages say the numbers the code uses.

    Each number is computed from the code's constants, so that changing
    one fails here until the help and the pages say the new value.
    """

    ABANDONED_PAGES = ('how-it-works.rst', 'monitoring.rst',
                       'troubleshooting.rst', 'vsphere-admins.rst',
                       'cli/index.rst')

    def test_abandoned_changes(self):
        seconds = '%d seconds' % fencing.ABANDONED_AFTER
        for name in self.ABANDONED_PAGES:
            with self.subTest(page=name):
                text = page(name)
                self.assertIn(seconds, text)
                self.assertIsNone(re.search(
                    r'abandon.{0,120}?a minute|a minute.{0,120}?abandon',
                    text))

    def test_how_long_a_command_waits_for_a_change(self):
        seconds = '%d seconds' % fencing.SETTLE_TIMEOUT
        for name in ('how-it-works.rst', 'troubleshooting.rst'):
            with self.subTest(page=name):
                self.assertIn(seconds, page(name))

    def test_retries_of_a_failed_renewal(self):
        settings = opts.Settings()
        every = lease.retry_interval(settings)
        spare = settings.renew_deadline - settings.renew_interval
        self.assertEqual(spare / 3, every)
        self.assertIn('every third of the time between ``renew_interval`` '
                      'and ``renew_deadline``', option_help('renew_interval'))
        self.assertIn('every %d seconds with the defaults' % every,
                      option_help('renew_interval'))
        self.assertIn('retrying in %d seconds' % every, page('ha.rst'))
        self.assertNotIn('retried at the same interval',
                         option_help('renew_interval'))

    def test_the_renew_deadline_by_default(self):
        deadline = opts.Settings().renew_deadline
        self.assertIn('(%d with the defaults)' % deadline,
                      option_help('renew_deadline'))
        self.assertIn('(default %d)' % deadline, page('how-it-works.rst'))


VSPHERE_ADMINS = os.path.join(support.REPO_ROOT, 'doc', 'source',
                              'vsphere-admins.rst')


class PrivilegesPageTestCase(base.BaseTestCase):
    """The vSphere admins' table is ``privileges.ALL``, in its order."""

    def test_the_table_lists_each_privilege_where_vcenter_checks_it(self):
        with open(VSPHERE_ADMINS, encoding='utf-8') as page:
            rows = re.findall(r'^   \* - ``([\w.]+)``[^\n]*\n\s+- ([a-z ]+)$',
                              page.read(), re.MULTILINE)
        self.assertEqual([(p.id, p.on) for p in privileges.ALL], rows)

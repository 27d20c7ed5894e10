"""Integration tests: the guarded driver inside a real nova 34.

Run with ``tox -e nova``, which installs nova and our wheel, and runs::

    stestr --test-path ./nova/tests/integration/virt/vmwareapi/ownership \\
        --top-dir ./nova/tests/integration/virt/vmwareapi run

Why ``load_tests`` and that ``--top-dir``: installed nova's ``nova``,
``nova.tests`` and ``nova.tests.functional`` are regular packages, and a
regular package hides namespace portions of the same name elsewhere on
``sys.path``, so ``nova.tests.integration...``, our functional helpers
(``nova.tests.functional.virt.vmwareapi.ownership``) and the test doubles
they use (``nova.tests.unit.virt.vmwareapi.ownership.fakes``) would not
import.
Discovery imports this directory as the top-level package ``ownership``
and calls ``load_tests``, which appends this source tree's directories to
those packages' ``__path__`` (nothing is written into nova's tree) and
loads the test modules under their real names. Keep this module free of
other side effects: it is imported twice (as ``ownership`` and under its
real name).
"""

import importlib
import os

_HERE = os.path.dirname(os.path.abspath(__file__))
_NAME = 'nova.tests.integration.virt.vmwareapi.ownership'
# nova/tests/integration/virt/vmwareapi/ownership -> the repository root
_SOURCE_ROOT = os.path.abspath(os.path.join(_HERE, *[os.pardir] * 6))
_EXTENDED = ('nova.tests', 'nova.tests.functional',
             'nova.tests.unit.virt.vmwareapi')


def extend_nova_paths():
    """Let installed nova's test packages also search this source tree."""
    for name in _EXTENDED:
        package = importlib.import_module(name)
        source = os.path.join(_SOURCE_ROOT, *name.split('.'))
        if source not in list(package.__path__):
            package.__path__.append(source)


def load_tests(loader, standard_tests, pattern):
    extend_nova_paths()
    suite = loader.suiteClass()
    for filename in sorted(os.listdir(_HERE)):
        if filename.startswith('test_') and filename.endswith('.py'):
            suite.addTests(loader.loadTestsFromName(
                '%s.%s' % (_NAME, filename[:-3])))
    return suite

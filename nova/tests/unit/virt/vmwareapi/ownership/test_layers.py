"""The package's layers, read from its imports (with ``ast``).

The rules of ``doc/source/contributor.rst`` ("Where things go"):

- the pure core (the modules at the top of the package but the edges)
  imports no folder of the package;
- a folder (``vsphere``, ``novadb``, ``rehome``, ``fleet``, ``doctor``)
  imports the core and itself, no other folder;
- the edges (``cli/``, ``driver.py``, ``cmd.py``) may import anything
  below them; nothing imports an edge but ``cmd.py``, which imports
  ``cli``;
- only ``vsphere/`` imports oslo.vmware, suds or requests;
- only ``novadb/`` imports nova's objects, database, context and
  configuration; of the rest of nova, ``driver.py`` imports nova's
  driver, ``nova.conf``, ``nova.version`` and ``nova.virt.node``,
  ``exceptions.py`` nova's ``InvalidConfiguration`` and
  ``vsphere/vmware_opts.py`` nova's options;
- no module is over 400 lines.
"""

import ast
import os

from oslotest import base

from nova.virt.vmwareapi import ownership

PACKAGE = ownership.__name__
ROOT = os.path.dirname(ownership.__file__)

FOLDERS = ('vsphere', 'novadb', 'rehome', 'fleet', 'doctor')
EDGES = ('cli', 'driver', 'cmd')
VSPHERE_LIBRARIES = ('oslo_vmware', 'suds', 'requests')
NOVA_DATABASE = ('nova.objects', 'nova.db', 'nova.context', 'nova.config')
NOVA_ELSEWHERE = {
    'driver': ('nova.conf', 'nova.version', 'nova.virt.node',
               'nova.virt.vmwareapi.driver'),
    'exceptions': ('nova.exception',),
    'vsphere.vmware_opts': ('nova.conf',),
}
MAX_LINES = 400
_ANCESTORS = ('nova', 'nova.virt', 'nova.virt.vmwareapi', PACKAGE)
"""Namespaces an import names on its way (``from nova import x``)."""


def modules():
    """``{dotted name within the package: path}`` of every module."""
    found = {}
    for folder, _dirs, files in os.walk(ROOT):
        for name in files:
            if name.endswith('.py'):
                path = os.path.join(folder, name)
                relative = os.path.relpath(path, ROOT)[:-3].split(os.sep)
                if relative[-1] == '__init__':
                    relative = relative[:-1] or ['__init__']
                found['.'.join(relative)] = path
    return found


def imports(path):
    """Every module ``path`` imports, as absolute dotted names.

    ``from a import b`` counts as ``a.b`` (``b`` may be a module), imports
    inside functions count too.
    """
    with open(path, encoding='utf-8') as source:
        tree = ast.parse(source.read(), path)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module)
            names.update('%s.%s' % (node.module, alias.name)
                         for alias in node.names)
    return names


def within(name, prefixes):
    return any(name == prefix or name.startswith(prefix + '.')
               for prefix in prefixes)


def part(module):
    """The part of the package a module belongs to.

    :returns: a folder, an edge or ``core``
    """
    top = module.split('.')[0]
    if top in FOLDERS or top in EDGES:
        return top
    return 'core'


def ours(imported):
    """The module of the package ``imported`` names, or ``None``."""
    if not imported.startswith(PACKAGE + '.'):
        return None
    return imported[len(PACKAGE) + 1:]


class LayersTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.modules = modules()
        self.imports = {name: imports(path)
                        for name, path in self.modules.items()}

    def test_finds_the_package(self):
        # Guard against the walk silently finding nothing.
        for name in ('record', 'vsphere.vcenter', 'novadb.rehome',
                     'rehome.plan', 'fleet.join', 'cli.main', 'driver'):
            with self.subTest(name=name):
                self.assertIn(name, self.modules)
        self.assertIn(PACKAGE + '.vsphere.session',
                      self.imports['vsphere.vcenter'])

    def broken(self, allowed):
        """The imports within the package that ``allowed`` refuses.

        :param allowed: ``allowed(importer's part, imported part)``
        :returns: ``[(module, module it imports)]``
        """
        found = []
        for name, names in sorted(self.imports.items()):
            for target in sorted(filter(None, map(ours, names))):
                if target in self.modules and \
                        not allowed(part(name), part(target)):
                    found.append((name, target))
        return found

    def test_the_core_imports_no_folder_and_no_edge(self):
        self.assertEqual([], self.broken(
            lambda importer, imported:
            importer != 'core' or imported == 'core'))

    def test_a_folder_imports_the_core_and_itself(self):
        self.assertEqual([], self.broken(
            lambda importer, imported:
            importer not in FOLDERS or imported in ('core', importer)))

    def test_nothing_imports_an_edge_but_the_console_script(self):
        self.assertEqual([], self.broken(
            lambda importer, imported:
            imported not in EDGES or importer == imported or
            (importer, imported) == ('cmd', 'cli')))

    def test_only_vsphere_imports_oslo_vmware_suds_and_requests(self):
        found = [(name, imported)
                 for name, names in sorted(self.imports.items())
                 for imported in sorted(names)
                 if within(imported, VSPHERE_LIBRARIES) and
                 part(name) != 'vsphere']
        self.assertEqual([], found)

    def test_only_novadb_imports_novas_database(self):
        found = []
        for name, names in sorted(self.imports.items()):
            if part(name) == 'novadb':
                continue
            allowed = NOVA_ELSEWHERE.get(name, ())
            for imported in sorted(names):
                if ours(imported) is not None or imported in _ANCESTORS or \
                        not within(imported, ('nova',)):
                    continue
                if within(imported, NOVA_DATABASE) or \
                        not within(imported, allowed):
                    found.append((name, imported))
        self.assertEqual([], found)

    def test_no_module_is_over_400_lines(self):
        long = {}
        for name, path in self.modules.items():
            with open(path, encoding='utf-8') as source:
                lines = len(source.readlines())
            if lines > MAX_LINES:
                long[name] = lines
        self.assertEqual({}, long)

"""Tests of the reduced VIM client and of the WSDL it is built from.

The WSDL is generated (``tools/wsdl/gen_reduced.py``) from one list
(``tools/wsdl/reduced_api.py``): these tests fail when the checked-in
files drift from the generator, when the code calls a vSphere method or
reads a property path the list lacks, and when an answer holding a type
the client does not know is read as anything but a refusal naming it.
"""

import ast
import logging
import os
import re
import runpy
import subprocess
import sys
import xml.etree.ElementTree as ET

import fixtures
from oslo_vmware import api
from oslo_vmware import exceptions as vexc
from oslo_vmware import vim as vim_mod
from oslo_vmware import vim_util
from oslotest import base

from nova.virt.vmwareapi import ownership
from nova.virt.vmwareapi.ownership.vsphere import faults
from nova.virt.vmwareapi.ownership.vsphere.wsdl import reduced
import support
from support import vim_answers

_ROOT = support.REPO_ROOT
GENERATOR = os.path.join(_ROOT, 'tools', 'wsdl', 'gen_reduced.py')
API = runpy.run_path(os.path.join(_ROOT, 'tools', 'wsdl', 'reduced_api.py'))
PACKAGE = os.path.dirname(ownership.__file__)
WSDL_NS = '{http://schemas.xmlsoap.org/wsdl/}'

# What of oslo.vmware the code uses that calls vCenter itself, by module
# and function: the session's login, its check and its logout, the
# ServiceContent, and the paging of WithRetrieval.
OSLO_VMWARE_CALLERS = {
    api: ('_create_session', 'is_current_session_active', 'logout'),
    vim_mod: ('retrieve_service_content',),
    vim_util: ('cancel_retrieval', 'continue_retrieval'),
}
# The package's own ways of calling a method: the name is the second
# argument.
CALL_FUNCTIONS = ('invoke', '_call')


def package_trees():
    """``(path, ast)`` of every module of the package."""
    for folder, _, files in os.walk(PACKAGE):
        for name in sorted(files):
            if name.endswith('.py'):
                path = os.path.join(folder, name)
                with open(path, encoding='utf-8') as f:
                    yield path, ast.parse(f.read(), path)


def called_name(call):
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(
        func, 'id', None)


def methods_called():
    """The vSphere methods the package calls, and oslo.vmware for it."""
    found = set()
    for _, tree in package_trees():
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and
                    called_name(node) in CALL_FUNCTIONS and
                    len(node.args) > 1 and
                    isinstance(node.args[1], ast.Constant)):
                found.add(node.args[1].value)
    for module, functions in OSLO_VMWARE_CALLERS.items():
        with open(module.__file__, encoding='utf-8') as f:
            tree = ast.parse(f.read())
        for function in ast.walk(tree):
            if getattr(function, 'name', None) not in functions:
                continue
            # vim.Login(...), self.vim.Logout(...), self.X(...), in the
            # body (not the decorators).
            for node in (n for statement in function.body
                         for n in ast.walk(statement)):
                name = isinstance(node, ast.Call) and called_name(node)
                if name and name[0].isupper():
                    found.add(name)
    return found


def constants():
    """Every upper-case string constant of the package's modules."""
    out = {}
    for _, tree in package_trees():
        for node in tree.body:
            if (isinstance(node, ast.Assign) and
                    isinstance(node.value, ast.Constant) and
                    isinstance(node.value.value, str)):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id.isupper():
                        out[target.id] = node.value.value
    return out


def properties_read(test):
    """``(managed object type, path)`` of every ``collect`` call."""
    names = constants()
    found = set()
    for path, tree in package_trees():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and
                    called_name(node) == 'collect'):
                continue
            specs = [elt for arg in node.args[1:2]
                     for elt in getattr(arg, 'elts', [])]
            for keyword in node.keywords:
                if keyword.arg == 'view_of':
                    # One (view, type, [paths]), or a list of them.
                    specs.extend(keyword.value.elts if isinstance(
                        keyword.value, ast.List) else [keyword.value])
            for spec in specs:
                where = '%s:%d' % (os.path.relpath(path, _ROOT),
                                   node.lineno)
                test.assertIsInstance(spec, ast.Tuple, 'cannot read the '
                                      'property paths of %s' % where)
                kind, paths = spec.elts[1], spec.elts[2]
                kind = names.get(getattr(kind, 'attr', None) or
                                 getattr(kind, 'id', None))
                test.assertIsNotNone(kind, 'cannot resolve the type at %s'
                                     % where)
                test.assertIsInstance(paths, ast.List, 'the paths at %s '
                                      'are not a list literal' % where)
                found.update((kind, p.value) for p in paths.elts)
    return found


def wsdl_operations():
    root = ET.parse(os.path.join(reduced.FOLDER, 'vim.wsdl')).getroot()
    return {op.get('name') for op in
            root.find(WSDL_NS + 'portType').findall(WSDL_NS + 'operation')}


class GeneratedWsdlTestCase(base.BaseTestCase):

    def test_files_are_what_the_generator_writes(self):
        done = subprocess.run([sys.executable, GENERATOR, '--check'],
                              capture_output=True, text=True, timeout=120,
                              stdin=subprocess.DEVNULL)
        self.assertEqual(0, done.returncode, done.stderr)

    def test_every_method_called_is_in_the_wsdl(self):
        called = methods_called()
        # The scan itself works: these are called today.
        self.assertLessEqual({'Login', 'RetrieveServiceContent',
                              'RetrievePropertiesEx', 'SetField',
                              'ContinueRetrievePropertiesEx'}, called)
        self.assertEqual(set(), called - wsdl_operations(),
                         'called, but not in tools/wsdl/reduced_api.py')

    def test_wsdl_holds_the_list_and_nothing_else(self):
        self.assertEqual(set(API['METHODS']), wsdl_operations())

    def test_every_property_read_is_listed(self):
        read = properties_read(self)
        self.assertIn(('ClusterComputeResource', 'customValue'), read)
        self.assertEqual(set(), read - set(API['PROPERTIES']),
                         'read, but not in tools/wsdl/reduced_api.py')

    def test_each_method_is_a_read_or_a_write_on_purpose(self):
        # A read is repeated after a new login, a write never (it may have
        # been carried out): a new method is sorted into one of them.
        self.assertLessEqual(faults.READS, set(API['METHODS']))
        self.assertEqual(
            {'AddCustomFieldDef', 'RemoveCustomFieldDef',
             'RenameCustomFieldDef', 'SetField', 'LogUserEvent', 'Logout'},
            set(API['METHODS']) - faults.READS)

    def test_requests_name_the_schemas_version(self):
        self.assertEqual(API['SCHEMA_VERSION'], reduced.api_version())
        with open(os.path.join(reduced.FOLDER, 'vim.wsdl')) as f:
            actions = set(re.findall(r'soapAction="urn:vim25/([^"]+)"',
                                     f.read()))
        self.assertEqual({API['SCHEMA_VERSION']}, actions)


class ClientTestCase(base.BaseTestCase):
    """A reduced client, fed vCenter's answers (nothing is sent)."""

    def setUp(self):
        super().setUp()
        # suds logs its schema at ERROR before raising TypeNotFound.
        self.useFixture(fixtures.FakeLogger(level=logging.CRITICAL))
        self.vim = vim_mod.Vim(protocol='https', host='vc.example.test',
                               wsdl_url=reduced.WSDL_URL)
        reduced.check_types(self.vim.client)

    def read(self, answer, vim=None):
        """What ``vim`` makes of ``answer`` to RetrievePropertiesEx."""
        vim = vim or self.vim
        factory = vim.client.factory
        return vim.RetrievePropertiesEx(
            vim_util.get_moref('propertyCollector', 'PropertyCollector'),
            specSet=[], options=factory.create('ns0:RetrieveOptions'),
            __inject={'reply': answer.encode()})

    def assertRefused(self, answer, what, where=None):
        error = self.assertRaises(vexc.VimException, self.read, answer)
        refusal = reduced.not_understood(error)
        self.assertIsNotNone(refusal, error)
        self.assertEqual(what, refusal.what)
        self.assertEqual(where, refusal.where)
        self.assertIn(what, str(refusal))

    def test_unknown_type_of_a_property_value_is_refused(self):
        # Unchecked, suds reads it as untyped attributes: the array is one
        # object, whose iteration gives (name, value) pairs.
        self.assertRefused(
            vim_answers.values(array='ArrayOfCustomFieldValue2'),
            'type ArrayOfCustomFieldValue2',
            'RetrievePropertiesExResponse/returnval/objects/propSet/val')

    def test_unknown_subtype_is_refused(self):
        # Unchecked, suds reads it as a CustomFieldValue: a key without a
        # value, which is an unowned cluster to the guard.
        for inner in ('', '<value>compute-a</value>'):
            with self.subTest(inner=inner):
                self.assertRefused(
                    vim_answers.values(kind='CustomFieldFancyValue',
                                       inner=inner),
                    'type CustomFieldFancyValue',
                    'RetrievePropertiesExResponse/returnval/objects/'
                    'propSet/val/CustomFieldValue')

    def test_unknown_fault_inside_an_answer_is_refused(self):
        # Unchecked, suds reads it as a fault of class Text.
        self.assertRefused(vim_answers.missing('FancyFault'),
                           'type FancyFault',
                           'RetrievePropertiesExResponse/returnval/objects/'
                           'missingSet/fault/fault')

    def test_unknown_element_is_refused(self):
        self.assertRefused(
            vim_answers.values(inner='<value>a</value><extra>b</extra>'),
            'element extra')

    def test_unchecked_client_reads_an_unknown_subtype_wrongly(self):
        # Why the check exists: suds itself does not refuse.
        plain = vim_mod.Vim(protocol='https', host='vc.example.test',
                            wsdl_url=reduced.WSDL_URL)
        result = self.read(
            vim_answers.values(kind='CustomFieldFancyValue', inner=''),
            vim=plain)
        value = result.objects[0].propSet[0].val.CustomFieldValue[0]
        self.assertEqual('CustomFieldValue', type(value).__name__)
        self.assertFalse(hasattr(value, 'value'))

    def test_known_answer_is_read(self):
        result = self.read(vim_answers.values())
        value = result.objects[0].propSet[0].val.CustomFieldValue[0]
        self.assertEqual('CustomFieldStringValue', type(value).__name__)
        self.assertEqual((101, 'compute-a'), (value.key, value.value))

    def test_known_fault_inside_an_answer_is_read(self):
        for name, inner in (
                ('NoPermission', '<object type="Folder">group-d1</object>'
                                 '<privilegeId>System.Read</privilegeId>'),
                ('ManagedObjectNotFound',
                 '<obj type="ClusterComputeResource">domain-c7</obj>')):
            with self.subTest(fault=name):
                error = self.assertRaises(vexc.VimFaultException, self.read,
                                          vim_answers.missing(name, inner))
                self.assertEqual([name], error.fault_list)

    def test_soap_fault_of_any_type_reaches_the_fault_table(self):
        # A SOAP fault is read without the schema and named from the
        # document: one the reduced schema lacks is named all the same.
        for name in ('DuplicateName', 'FileNotFound', 'FancyFault'):
            with self.subTest(fault=name):
                error = self.assertRaises(
                    vexc.VimFaultException, self.read,
                    vim_answers.fault(name, '<name>x</name>'))
                self.assertEqual([name], error.fault_list)
                self.assertEqual({'name': 'x'}, error.details)
                self.assertIsNone(reduced.not_understood(error))

    def test_other_errors_are_not_refusals(self):
        self.assertIsNone(reduced.not_understood(
            vexc.VimException('x', ValueError('y'))))
        self.assertIsNone(reduced.not_understood(ValueError('y')))

    def test_check_is_added_once_to_the_plugins(self):
        plugins = self.vim.client.options.plugins
        self.assertEqual(1, sum(isinstance(p, reduced.TypeCheck)
                                for p in plugins))
        self.assertEqual(2, len(plugins))  # oslo.vmware's, and the check

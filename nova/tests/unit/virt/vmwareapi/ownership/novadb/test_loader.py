"""The lazy import of ``novadb``'s modules: nova missing is one error."""

import sys
from unittest import mock

from oslotest import base

from nova.virt.vmwareapi.ownership.novadb import exceptions as nova_errors
from nova.virt.vmwareapi.ownership.novadb import loader


class LoaderTestCase(base.BaseTestCase):

    def test_a_module_that_imports_is_returned(self):
        self.assertIs(nova_errors, loader.load_nova('exceptions', 'rehome'))

    def test_nova_missing_names_the_command(self):
        with mock.patch.dict(sys.modules, {
                'nova.virt.vmwareapi.ownership.novadb.rehome': None}):
            error = self.assertRaises(nova_errors.NovaNotInstalled,
                                      loader.load_nova, 'rehome',
                                      'list --nova')
        self.assertEqual('list --nova', error.command)
        self.assertIn('novadb.rehome', error.detail)

"""nova missing or unusable: the errors name what to do (no nova needed).

Reading and moving nova's records through nova's objects is tested in
nova's own harness (the nova tier).
"""

from oslotest import base

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership.novadb import exceptions as nova_errors
from support import messages


class MessageTestCase(messages.MessageAssertions, base.BaseTestCase):

    def test_nova_not_installed(self):
        error = nova_errors.NovaNotInstalled(detail='No module named nova',
                                             command='list --nova')
        self.assertIn('list --nova needs nova', str(error))
        self.assertIn("pip install 'nova-vmware-owner[nova]'", str(error))
        self.assertIn('(No module named nova)', str(error))
        self.assertIn('rehome needs nova', str(nova_errors.NovaNotInstalled()))

    def test_database_unavailable_names_the_option(self):
        error = nova_errors.NovaDatabaseUnavailable(
            option='[api_database] connection', reason='the option is not set')
        self.assertEqual(('[api_database] connection',), error.options)
        self.assertIn("nova's database of [api_database] connection: the "
                      'option is not set', str(error))
        self.assertIn('nova-manage api_db sync', str(error))

    def test_records_changed(self):
        error = nova_errors.NovaRecordsChanged(what='instance u1 is gone')
        self.assertIn('(instance u1 is gone)', str(error))
        self.assertIn('Nothing of this run was written', str(error))

    def test_kinds(self):
        self.assertKinds((nova_errors.NovaNotInstalled,
                          nova_errors.NovaDatabaseUnavailable),
                         exceptions.ConfigurationError)
        self.assertFalse(issubclass(nova_errors.NovaRecordsChanged,
                                    exceptions.OwnershipRefused))

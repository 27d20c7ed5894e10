"""The one context of every command, and how a command is declared."""

import types
from unittest import mock

import fixtures
from oslotest import base

from nova.virt.vmwareapi.ownership.cli import context
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership.vsphere import vcenter
from support import fakes


def conf(cluster_moref=None, **vmware):
    values = dict(host_ip='127.0.0.1', host_port=443, host_username='u',
                  host_password='p', ca_file=None, insecure=False,
                  cluster_name='DC0_C0')
    values.update(vmware)
    group = types.SimpleNamespace(
        mode='enforce', attribute_name=fakes.ATTRIBUTE, lease_duration=180,
        renew_interval=60, renew_deadline=None, standby_wait=True,
        standby_timeout=0, sync_node_identity=True, cloud='')
    return types.SimpleNamespace(
        host=fakes.HOST, timeout=5.0, vmware=types.SimpleNamespace(**values),
        vmware_ownership=group, config_file=[], config_dir=[],
        cluster_moref=cluster_moref,
        command=types.SimpleNamespace(name='show'))


class ContextTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.store = fakes.FakeStore()
        self.ctx = context.Context(conf(), fakes.settings(), self.store,
                                   'vc-uuid', clock=fakes.FakeClock())

    def test_reads_and_states_the_cluster_for_this_host(self):
        self.store.put(fakes.record(fakes.OTHER_HOST))
        state = self.ctx.state(self.ctx.view())
        self.assertEqual(('owned-by-other-host', 'vc-uuid', fakes.HOST),
                         (state['verdict'], state['vcenter_uuid'],
                          state['this_host']))
        self.assertIs(self.store.location, self.ctx.location)

    def test_close_logs_out_once_and_never_fails(self):
        session = mock.Mock(spec=['logout'])
        session.logout.side_effect = RuntimeError('gone')
        ctx = context.Context(conf(), session=session)
        ctx.close()
        session.logout.assert_called_once_with()
        context.Context(conf()).close()

    def test_options_are_checked_before_anything_is_opened(self):
        opened = []
        connect = self.useFixture(
            fixtures.MockPatchObject(vcenter, 'connect')).mock
        error = self.assertRaises(
            exceptions.ConfigurationError, context.Context.connect,
            conf(cluster_name=None), nova=lambda: opened.append('nova'))
        self.assertIn('[vmware] cluster_name', str(error))
        self.assertEqual([], opened)
        connect.assert_not_called()

    def test_nova_is_opened_before_vcenter(self):
        order = []
        self.useFixture(fixtures.MockPatchObject(
            vcenter, 'connect', side_effect=lambda *a: order.append('vc')))
        self.useFixture(fixtures.MockPatchObject(vcenter, 'vcenter_uuid'))
        context.Context.connect(conf(), cluster=False,
                                nova=lambda: order.append('nova'))
        self.assertEqual(['nova', 'vc'], order)


class CommandTestCase(base.BaseTestCase):

    def test_a_cluster_command_by_default(self):
        command = context.Command('show', 'help', lambda ctx, fmt: 0)
        self.assertIs(context.connect_cluster, command.open)
        self.assertEqual(('text', 'json'), command.formats)
        self.assertIsNone(command.arguments(mock.Mock()))

"""nova's options that the command reads: [DEFAULT] host and [vmware]."""

import importlib.util
import logging
import os
import socket
from unittest import mock

import fixtures
from oslo_config import cfg
from oslo_config import fixture as config_fixture
from oslotest import base

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership.vsphere import vmware_opts

PASSWORD = 's3cret-Pa55'
REQUIRED = {'host_ip': 'vc.example.test', 'host_username': 'admin',
            'host_password': PASSWORD, 'cluster_name': 'DC0_C0'}


class VmwareOptsTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.conf = cfg.ConfigOpts()
        self.nova = vmware_opts.register_nova_opts(self.conf)
        self.conf([], project='nova-vmware-owner-test',
                  default_config_files=[], default_config_dirs=[])
        self.fixture = self.useFixture(config_fixture.Config(self.conf))
        self.fixture.config(group='vmware', **REQUIRED)
        self.tmp = self.useFixture(fixtures.TempDir())

    def assertNamed(self, function, option, *parts):
        error = self.assertRaises(exceptions.ConfigurationError, function,
                                  self.conf)
        self.assertEqual(('[vmware] %s' % option,), error.options)
        for part in parts:
            self.assertIn(part, str(error))
        self.assertNotIn(PASSWORD, str(error))

    def test_required_options(self):
        for name in ('host_ip', 'host_username', 'host_password'):
            with self.subTest(name=name):
                self.fixture.config(group='vmware', **{name: None})
                self.assertNamed(vmware_opts.endpoint, name, '--config-file')
                self.fixture.config(group='vmware', **{name: REQUIRED[name]})
        for empty in (None, ''):
            with self.subTest(empty=empty):
                self.fixture.config(group='vmware', cluster_name=empty)
                self.assertNamed(vmware_opts.cluster_name, 'cluster_name')

    def test_missing_ca_file(self):
        missing = self.tmp.join('absent-ca.pem')
        self.fixture.config(group='vmware', ca_file=missing)
        self.assertNamed(vmware_opts.endpoint, 'ca_file', 'no such file',
                         missing)

    def test_unreadable_ca_file(self):
        path = self.tmp.join('ca.pem')
        open(path, 'w').close()
        self.fixture.config(group='vmware', ca_file=path)
        with mock.patch.object(os, 'access', autospec=True,
                               return_value=False) as access:
            self.assertNamed(vmware_opts.endpoint, 'ca_file',
                             'cannot be read')
        access.assert_called_once_with(path, os.R_OK)

    def test_endpoint(self):
        endpoint = vmware_opts.endpoint(self.conf)
        self.assertEqual(('vc.example.test', 443, 'admin', PASSWORD, None,
                          False),
                         (endpoint.host, endpoint.port, endpoint.username,
                          endpoint.password, endpoint.ca_file,
                          endpoint.insecure))
        self.assertEqual('https://vc.example.test:443', str(endpoint))
        self.assertEqual('DC0_C0', vmware_opts.cluster_name(self.conf))

    def test_a_ca_file_wins_over_insecure(self):
        path = self.tmp.join('ca.pem')
        open(path, 'w').close()
        self.fixture.config(group='vmware', ca_file=path, insecure=True,
                            host_port=8443)
        endpoint = vmware_opts.endpoint(self.conf)
        self.assertEqual((path, False, 8443), (endpoint.ca_file,
                                               endpoint.insecure,
                                               endpoint.port))
        self.fixture.config(group='vmware', ca_file=None)
        self.assertTrue(vmware_opts.endpoint(self.conf).insecure)

    def test_nova_definitions_when_nova_is_there(self):
        self.assertEqual(importlib.util.find_spec('nova.conf') is not None,
                         self.nova)

    def test_defaults_are_novas(self):
        # nova 34's defaults (nova/conf/vmware.py, netconf.py, paths.py).
        vmware = self.conf.vmware
        self.assertEqual((443, False, None, 0.5, 10, 10),
                         (vmware.host_port, vmware.insecure, vmware.ca_file,
                          vmware.task_poll_interval, vmware.api_retry_count,
                          vmware.connection_pool_size))
        self.assertEqual(socket.gethostname(), self.conf.host)
        self.assertEqual('/var/lib/nova', self.conf.state_path)

    def test_the_password_never_reaches_the_log(self):
        logger = self.useFixture(fixtures.FakeLogger(level=logging.INFO))
        self.conf.log_opt_values(logging.getLogger('opts'), logging.INFO)
        self.assertRegex(logger.output, r'vmware.host_password += \*{4}\n')
        self.assertNotIn(PASSWORD, logger.output)

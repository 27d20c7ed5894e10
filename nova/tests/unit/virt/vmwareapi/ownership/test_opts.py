"""Tests of the [vmware_ownership] options."""

import types

import fixtures
from oslo_config import cfg
from oslo_config import fixture as config_fixture
from oslotest import base

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import opts

# DESIGN section 8.
DEFAULTS = {'mode': 'enforce', 'attribute_name': 'openstack.nova.owner',
            'lease_duration': 180, 'renew_interval': 60,
            'standby_wait': True, 'standby_timeout': 0,
            'sync_node_identity': True}


class OptsTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.conf = cfg.ConfigOpts()
        opts.register_opts(self.conf)
        self.conf([], project='nova-vmware-owner-test',
                  default_config_files=[], default_config_dirs=[])
        self.group = self.conf.vmware_ownership
        self.fixture = self.useFixture(config_fixture.Config(self.conf))

    def override(self, **values):
        self.fixture.config(group=opts.GROUP_NAME, **values)

    def assertRejected(self, *names):
        error = self.assertRaises(exceptions.ConfigurationError,
                                  opts.validate, self.group)
        for name in names:
            self.assertIn('[vmware_ownership] %s' % name, str(error))
            self.assertIn('[vmware_ownership] %s' % name, error.options)
        return error

    def test_renew_interval_above_half_lease(self):
        self.override(renew_interval=91)
        error = self.assertRejected('renew_interval', 'lease_duration')
        self.assertIn('91', str(error))
        self.assertIn('180', str(error))

    def test_renew_interval_above_short_lease(self):
        self.override(lease_duration=10, renew_interval=60)
        self.assertRejected('renew_interval', 'lease_duration')

    def test_standby_timeout_without_standby_wait(self):
        self.override(standby_timeout=60, standby_wait=False)
        self.assertRejected('standby_timeout', 'standby_wait')

    def test_empty_attribute_name(self):
        for name in ('', '   '):
            self.override(attribute_name=name)
            self.assertRejected('attribute_name')

    def test_unknown_mode(self):
        group = types.SimpleNamespace(**dict(DEFAULTS, mode='on'))
        error = self.assertRaises(exceptions.ConfigurationError,
                                  opts.validate, group)
        self.assertIn('[vmware_ownership] mode', str(error))
        self.assertRaises(ValueError, self.override, mode='on')

    def test_negative_values_rejected_by_type(self):
        self.assertRaises(ValueError, self.override, lease_duration=-1)
        self.assertRaises(ValueError, self.override, standby_timeout=-1)
        self.assertRaises(ValueError, self.override, renew_interval=0)

    def test_bad_value_in_file(self):
        path = self.useFixture(fixtures.TempDir()).join('nova.conf')
        with open(path, 'w') as f:
            f.write('[vmware_ownership]\nlease_duration = soon\n')
        conf = cfg.ConfigOpts()
        opts.register_opts(conf)
        conf(['--config-file', path], project='nova-vmware-owner-test')
        self.assertRaises(cfg.ConfigFileValueError,
                          lambda: conf.vmware_ownership.lease_duration)

    def test_defaults(self):
        for name, value in DEFAULTS.items():
            self.assertEqual(value, getattr(self.group, name), name)
        opts.validate(self.group)

    def test_valid_combinations(self):
        for values in (dict(renew_interval=90),
                       dict(lease_duration=0, renew_interval=600),
                       dict(standby_timeout=60),
                       dict(standby_wait=False),
                       dict(mode='audit'), dict(mode='disabled')):
            self.conf.clear_override('renew_interval', opts.GROUP_NAME)
            self.conf.clear_override('lease_duration', opts.GROUP_NAME)
            self.conf.clear_override('standby_wait', opts.GROUP_NAME)
            self.conf.clear_override('standby_timeout', opts.GROUP_NAME)
            self.override(**values)
            opts.validate(self.group)

    def test_overrides_stay_in_their_conf(self):
        self.override(lease_duration=10, renew_interval=5)
        other = cfg.ConfigOpts()
        opts.register_opts(other)
        other([], project='nova-vmware-owner-test', default_config_files=[],
              default_config_dirs=[])
        self.assertEqual(180, other.vmware_ownership.lease_duration)
        self.assertEqual(10, self.group.lease_duration)

    def test_register_opts_idempotent(self):
        opts.register_opts(self.conf)
        opts.register_opts(self.conf)
        self.assertEqual(180, self.conf.vmware_ownership.lease_duration)

    def test_list_opts(self):
        listed = opts.list_opts()
        self.assertEqual(1, len(listed))
        group, options = listed[0]
        self.assertEqual('vmware_ownership', group.name)
        self.assertEqual(set(DEFAULTS), {o.name for o in options})
        for option in options:
            self.assertTrue(option.help.strip(), option.name)
            self.assertEqual(DEFAULTS[option.name], option.default)

    def test_no_global_conf(self):
        self.assertFalse(hasattr(cfg.CONF, 'vmware_ownership') and
                         'vmware_ownership' in cfg.CONF)

"""The [vmware_ownership] options and their validation into Settings."""

import dataclasses
import types

import fixtures
from oslo_config import cfg
from oslo_config import fixture as config_fixture
from oslotest import base

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import opts

# doc/source/configuration.rst.
DEFAULTS = {'mode': 'enforce', 'attribute_name': 'openstack.nova.owner',
            'lease_duration': 180, 'renew_interval': 60,
            'renew_deadline': None, 'standby_wait': True,
            'standby_timeout': 0, 'sync_node_identity': True, 'cloud': ''}


def group(**values):
    """An object with the attributes of the option group."""
    return types.SimpleNamespace(**dict(DEFAULTS, **values))


class SettingsRejectedTestCase(base.BaseTestCase):
    """Invalid values and combinations, each naming its options."""

    def assertRejected(self, values, *names):
        error = self.assertRaises(exceptions.ConfigurationError,
                                  opts.settings, group(**values))
        self.assertEqual(tuple('[vmware_ownership] %s' % name
                               for name in names), error.options)
        for name in names:
            self.assertIn('[vmware_ownership] %s' % name, str(error))
        return error

    def test_unknown_mode(self):
        self.assertRejected(dict(mode='on'), 'mode')

    def test_bad_cloud(self):
        for cloud in ('two words', 'x' * 65, '-east', 'east/1'):
            with self.subTest(cloud=cloud):
                error = self.assertRejected(dict(cloud=cloud), 'cloud')
                self.assertIn(repr(cloud), str(error))

    def test_empty_attribute_name(self):
        for name in ('', '   '):
            with self.subTest(name=name):
                self.assertRejected(dict(attribute_name=name),
                                    'attribute_name')

    def test_renew_interval_above_half_the_lease(self):
        error = self.assertRejected(dict(renew_interval=91),
                                    'renew_interval', 'lease_duration')
        self.assertIn('91', str(error))
        self.assertIn('180', str(error))
        self.assertRejected(dict(lease_duration=10, renew_interval=60),
                            'renew_interval', 'lease_duration')

    def test_renew_deadline_not_above_renew_interval(self):
        for deadline in (59, 60):
            with self.subTest(deadline=deadline):
                error = self.assertRejected(
                    dict(renew_deadline=deadline), 'renew_deadline',
                    'renew_interval', 'lease_duration')
                self.assertIn('renew_deadline (%d) must be above '
                              'renew_interval (60)' % deadline, str(error))

    def test_renew_deadline_too_close_to_the_lease(self):
        error = self.assertRejected(dict(renew_deadline=163),
                                    'renew_deadline', 'renew_interval',
                                    'lease_duration')
        self.assertIn('at most 90% of lease_duration (180)', str(error))
        self.assertRejected(dict(renew_deadline=180), 'renew_deadline',
                            'renew_interval', 'lease_duration')

    def test_standby_timeout_without_standby_wait(self):
        self.assertRejected(dict(standby_timeout=60, standby_wait=False),
                            'standby_timeout', 'standby_wait')


class SettingsTestCase(base.BaseTestCase):

    def test_defaults(self):
        self.assertEqual(opts.Settings(), opts.settings(group()))
        self.assertEqual(120, opts.settings(group()).renew_deadline)

    def test_renew_deadline_sized_with_the_lease(self):
        for lease, interval, deadline in ((180, 60, 120.0),
                                          (100, 50, 75.0),
                                          (3, 1, 2.0)):
            with self.subTest(lease=lease, interval=interval,
                              deadline=deadline):
                self.assertEqual(deadline, opts.settings(group(
                    lease_duration=lease,
                    renew_interval=interval)).renew_deadline)

    def test_renew_deadline_bounds_are_accepted(self):
        for deadline in (61, 162):
            with self.subTest(deadline=deadline):
                self.assertEqual(deadline, opts.settings(group(
                    renew_deadline=deadline)).renew_deadline)

    def test_no_lease_no_deadline_rule(self):
        settings = opts.settings(group(lease_duration=0, renew_interval=600,
                                       renew_deadline=5))
        self.assertFalse(settings.leased)
        self.assertTrue(opts.settings(group()).leased)

    def test_valid_combinations(self):
        for values in (dict(renew_interval=90), dict(standby_timeout=60),
                       dict(standby_wait=False), dict(mode='audit'),
                       dict(mode='disabled'),
                       dict(sync_node_identity=False)):
            with self.subTest(values=values):
                settings = opts.settings(group(**values))
                for name, value in values.items():
                    self.assertEqual(value, getattr(settings, name))

    def test_cloud(self):
        self.assertIsNone(opts.settings(group()).cloud)
        self.assertIsNone(opts.settings(group(cloud='  ')).cloud)
        self.assertEqual('east', opts.settings(group(cloud=' east\n')).cloud)

    def test_attribute_name_is_stripped(self):
        self.assertEqual('x.owner', opts.settings(group(
            attribute_name=' x.owner\n')).attribute_name)

    def test_frozen(self):
        settings = opts.settings(group())
        self.assertRaises(dataclasses.FrozenInstanceError, setattr,
                          settings, 'lease_duration', 0)

    def test_standby_poll(self):
        for interval, poll in ((60, 10.0), (10, 5.0), (1, 1.0)):
            with self.subTest(interval=interval, poll=poll):
                self.assertEqual(poll, opts.Settings(
                    renew_interval=interval).standby_poll)

    def test_request_timeout(self):
        for lease, interval, deadline, timeout in (
                (180, 60, 120, 30.0), (60, 20, 40, 10.0), (20, 5, 7, 1.0),
                (3000, 60, 2700, 30.0), (0, 60, 30, 30.0)):
            with self.subTest(lease=lease, interval=interval,
                              deadline=deadline):
                self.assertEqual(timeout, opts.Settings(
                    lease_duration=lease, renew_interval=interval,
                    renew_deadline=deadline).request_timeout)

    def test_two_requests_fit_between_interval_and_deadline(self):
        # A renewal (two requests) that vCenter does not answer fails
        # before the deadline, so the next one can still be tried.
        for lease in range(4, 400, 7):
            for interval in range(2, lease // 2 + 1, 3):
                settings = opts.settings(group(lease_duration=lease,
                                               renew_interval=interval))
                slack = settings.renew_deadline - settings.renew_interval
                if slack >= 2:
                    self.assertLessEqual(2 * settings.request_timeout,
                                         slack, (lease, interval))


class OptsTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.conf = cfg.ConfigOpts()
        opts.register_opts(self.conf)
        self.conf([], project='nova-vmware-owner-test',
                  default_config_files=[], default_config_dirs=[])
        self.fixture = self.useFixture(config_fixture.Config(self.conf))

    def override(self, **values):
        self.fixture.config(group=opts.GROUP_NAME, **values)

    def test_values_refused_by_type(self):
        self.assertRaises(ValueError, self.override, mode='on')
        self.assertRaises(ValueError, self.override, lease_duration=-1)
        self.assertRaises(ValueError, self.override, standby_timeout=-1)
        self.assertRaises(ValueError, self.override, renew_interval=0)
        self.assertRaises(ValueError, self.override, renew_deadline=0)

    def test_bad_value_in_a_file(self):
        path = self.useFixture(fixtures.TempDir()).join('nova.conf')
        with open(path, 'w') as f:
            f.write('[vmware_ownership]\nrenew_deadline = soon\n')
        conf = cfg.ConfigOpts()
        opts.register_opts(conf)
        conf(['--config-file', path], project='nova-vmware-owner-test')
        self.assertRaises(cfg.ConfigFileValueError,
                          lambda: conf.vmware_ownership.renew_deadline)

    def test_defaults(self):
        for name, value in DEFAULTS.items():
            with self.subTest(name=name, value=value):
                self.assertEqual(value, getattr(self.conf.vmware_ownership,
                                                name), name)
        self.assertEqual(opts.Settings(),
                         opts.settings(self.conf.vmware_ownership))

    def test_settings_of_a_conf(self):
        self.override(lease_duration=60, renew_interval=20,
                      renew_deadline=50, mode='audit')
        settings = opts.settings(self.conf.vmware_ownership)
        self.assertEqual((60, 20, 50, 'audit'),
                         (settings.lease_duration, settings.renew_interval,
                          settings.renew_deadline, settings.mode))

    def test_overrides_stay_in_their_conf(self):
        self.override(lease_duration=10, renew_interval=5)
        other = cfg.ConfigOpts()
        opts.register_opts(other)
        other([], project='nova-vmware-owner-test', default_config_files=[],
              default_config_dirs=[])
        self.assertEqual(180, other.vmware_ownership.lease_duration)
        self.assertEqual(10, self.conf.vmware_ownership.lease_duration)

    def test_register_opts_is_idempotent(self):
        opts.register_opts(self.conf)
        opts.register_opts(self.conf)
        self.assertEqual(180, self.conf.vmware_ownership.lease_duration)

    def test_list_opts(self):
        (group_, options), = opts.list_opts()
        self.assertEqual('vmware_ownership', group_.name)
        self.assertEqual(set(DEFAULTS), {o.name for o in options})
        for option in options:
            self.assertTrue(option.help.strip(), option.name)
            self.assertEqual(DEFAULTS[option.name], option.default)
        deadline, = [o for o in options if o.name == 'renew_deadline']
        # The sample's value stays valid when uncommented, and is what
        # leaving it unset gives with the defaults.
        self.assertEqual(opts.Settings().renew_deadline,
                         deadline.type(deadline.sample_default))
        self.assertIn('Related options', deadline.help)
        # The generator lists mode's choices with their descriptions; the
        # help does not list them a second time.
        mode, = [o for o in options if o.name == 'mode']
        self.assertNotIn('Possible values', mode.help)
        for value, description in mode.type.choices.items():
            self.assertNotIn('``%s``' % value, mode.help)
            self.assertTrue(description)

    def test_list_opts_returns_copies(self):
        (group_, options), = opts.list_opts()
        for option in options:
            option.default = 'changed'
        self.assertEqual(180, self.conf.vmware_ownership.lease_duration)
        self.assertEqual(180, [o.default for o in opts.list_opts()[0][1]
                               if o.name == 'lease_duration'][0])

    def test_no_global_conf(self):
        self.assertNotIn('vmware_ownership', cfg.CONF)

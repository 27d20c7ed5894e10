"""The table of nova releases: the supported range and the slow stop.

Whether each row is true of its nova is checked in the nova tier, on that
release (``test_nova_releases`` there).
"""

import types

from oslotest import base

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import nova_releases
from support import fakes

# doc/source/releases.rst, doc/source/install.rst
RANGE = 'nova 31 to 34 (OpenStack 2025.1 to 2026.2)'


class ReleaseOfTestCase(base.BaseTestCase):

    def assertRefused(self, version, release, reason):
        error = self.assertRaises(exceptions.UnsupportedNovaRelease,
                                  nova_releases.of, version)
        self.assertIsInstance(error, exceptions.OwnershipError)
        message = str(error)
        for part in ('does not run on nova %s (OpenStack %s): %s'
                     % (version, release, reason),
                     'It supports %s.' % RANGE,
                     'Upgrade nova to a supported release',
                     "run nova's own driver (compute_driver = "
                     'vmwareapi.VMwareVCDriver)'):
            self.assertIn(part, message)
        return error

    def test_before_the_range_is_refused_with_the_reason(self):
        for version, release, reason in (
                ('29.4.0', '2024.1', 'its nova-compute checks the node '
                 'identity before the driver starts'),
                ('30.3.0', '2024.2', 'it was never tested with this driver'),
                ('28.1.0', 'older than 2024.1', 'it is older than every '
                 'release tested')):
            with self.subTest(version=version):
                error = self.assertRefused(version, release, reason)
                self.assertEqual(version, error.version)
                self.assertEqual(RANGE, error.supported)

    def test_the_supported_range(self):
        for version, name in (('31.3.1', '2025.1'), ('32.0.0', '2025.2'),
                              ('33.0.2', '2026.1'), ('34.0.0', '2026.2'),
                              ('34.1.0.dev12', '2026.2')):
            with self.subTest(version=version):
                release = nova_releases.of(version)
                self.assertEqual(name, release.name)
                self.assertTrue(release.supported)
        self.assertEqual(RANGE, nova_releases.supported_range())

    def test_newer_than_the_table_is_not_refused(self):
        self.assertIsNone(nova_releases.of('35.0.0'))


class TableTestCase(base.BaseTestCase):

    def test_one_row_per_release_oldest_first(self):
        majors = [r.major for r in nova_releases.RELEASES]
        self.assertEqual(list(range(majors[0], majors[-1] + 1)), majors)

    def test_the_supported_releases_end_the_table(self):
        supported = nova_releases.SUPPORTED
        self.assertEqual(nova_releases.RELEASES[-len(supported):], supported)
        for release in nova_releases.RELEASES:
            with self.subTest(release=release.name):
                # A supported release runs the guard before nova's checks.
                if release.supported:
                    self.assertFalse(release.identity_checked_first)
                else:
                    self.assertTrue(release.refused_because)

    def test_thread_modes(self):
        by_major = {r.major: r for r in nova_releases.RELEASES}
        self.assertEqual((nova_releases.EVENTLET,), by_major[31].thread_modes)
        self.assertEqual(nova_releases.EVENTLET, by_major[33].default_threads)
        self.assertEqual(nova_releases.NATIVE, by_major[34].default_threads)


def conf(manager_shutdown_timeout=160, graceful_shutdown_timeout=180):
    """nova 33's ``[DEFAULT]`` shutdown options (its defaults)."""
    return types.SimpleNamespace(
        manager_shutdown_timeout=manager_shutdown_timeout,
        graceful_shutdown_timeout=graceful_shutdown_timeout)


class SlowStopTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.releases = {r.major: r for r in nova_releases.RELEASES}

    def slow_stop(self, major=33, configuration=None, **settings):
        return nova_releases.slow_stop(self.releases.get(major),
                                       fakes.settings(**settings),
                                       configuration or conf())

    def test_nova_33_defaults_outlast_the_grace(self):
        # lease 180, deadline (60 + 180) / 2 = 120: a grace of 60 s.
        slow = self.slow_stop()
        self.assertEqual(nova_releases.SlowStop(sleep=160, grace=60), slow)
        for part in ('manager_shutdown_timeout (160 s)',
                     'within the 60 s the lease leaves it',
                     'Set [DEFAULT] manager_shutdown_timeout = 60 or lower'):
            self.assertIn(part, slow.message)

    def test_the_wait_is_capped_by_the_graceful_shutdown_timeout(self):
        capped = conf(200, graceful_shutdown_timeout=80)
        self.assertEqual(nova_releases.SlowStop(sleep=70, grace=60),
                         self.slow_stop(configuration=capped))
        capped = conf(200, graceful_shutdown_timeout=70)
        self.assertIsNone(self.slow_stop(configuration=capped))

    def test_a_wait_within_the_grace_fits(self):
        self.assertIsNone(self.slow_stop(configuration=conf(60)))
        self.assertIsNone(self.slow_stop(lease_duration=600,
                                         renew_interval=60,
                                         renew_deadline=300))

    def test_nothing_to_outlast(self):
        for why, kwargs in (
                ('nova 32 calls cleanup_host at once', {'major': 32}),
                ('nova 34 waits for tasks in progress only', {'major': 34}),
                ('a release newer than the table', {'major': 35}),
                ('no lease', {'lease_duration': 0}),
                ('audit mode holds nothing', {'mode': 'audit'}),
                ('disabled', {'mode': 'disabled'})):
            with self.subTest(why=why):
                self.assertIsNone(self.slow_stop(**kwargs))

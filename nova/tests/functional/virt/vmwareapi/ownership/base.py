"""Shared helpers of the functional tests: stores, settings, config files."""

import os
import secrets
import shutil
import subprocess
import sys
import types

import fixtures
import testtools

from nova.tests.functional.virt.vmwareapi.ownership import simulator
from nova.virt.vmwareapi.ownership import connection
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import store as store_mod

CLUSTER = 'DC0_C0'

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__),
                                         *[os.pardir] * 6))

COMMAND_TIMEOUT = 60
"""Bound of one ``nova-vmware-owner`` subprocess (seconds)."""


def settings(**overrides):
    """``[vmware_ownership]`` values with the documented defaults."""
    values = dict(mode='enforce', attribute_name='openstack.nova.owner',
                  lease_duration=180, renew_interval=60, standby_wait=True,
                  standby_timeout=0, sync_node_identity=True)
    values.update(overrides)
    return types.SimpleNamespace(**values)


def unique_attribute():
    """An attribute name of its own.

    Tests sharing a simulator and a cluster then do not see each other's
    records.
    """
    return 'test.owner.' + secrets.token_hex(4)


class FakeClock:
    """A monotonic clock whose ``sleep`` advances it instead of waiting."""

    def __init__(self):
        self.now = 1000.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


class SimulatorTestCase(simulator.SharedSimulatorMixin, testtools.TestCase):
    """A test case with a shared simulator, its session and helpers."""

    SIMULATOR_OPTIONS = {'clusters': 2}

    def setUp(self):
        super().setUp()
        self.attribute = unique_attribute()

    def make_store(self, session=None, cluster=CLUSTER, attribute=None):
        session = session or self.session
        ref = connection.find_cluster(session, cluster)
        location = exceptions.Location(cluster, self.simulator.url,
                                       cluster_moref=ref.value,
                                       attribute=attribute or self.attribute)
        return store_mod.ClusterStore(session, ref,
                                      attribute or self.attribute, location)

    def write_raw(self, store, text):
        """Write a value as a vSphere admin would, bypassing the guard."""
        store.write(text, store.ensure_field())

    def config_file(self, host, cluster=CLUSTER, password=None, port=None,
                    ca_file=None, attribute=None, extra=''):
        """A nova.conf for ``nova-vmware-owner`` against the simulator."""
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'nova.conf')
        with open(path, 'w') as conf:
            conf.write(
                '[DEFAULT]\nhost = %s\n'
                '[vmware]\nhost_ip = 127.0.0.1\nhost_port = %d\n'
                'host_username = %s\nhost_password = %s\nca_file = %s\n'
                'cluster_name = %s\napi_retry_count = 1\n'
                '[vmware_ownership]\nattribute_name = %s\n%s'
                % (host, port or self.simulator.port,
                   self.simulator.username,
                   password or self.simulator.password,
                   ca_file or self.simulator.ca_file, cluster,
                   attribute or self.attribute, extra))
        return path

    def run_command(self, *args, timeout=COMMAND_TIMEOUT):
        """Run ``nova-vmware-owner`` as a subprocess; return the result."""
        # The installed console script when there is one (tox installs the
        # wheel), else the same entry point from the source tree.
        command = shutil.which('nova-vmware-owner')
        argv = [command] if command else [
            sys.executable, '-c',
            'from nova.virt.vmwareapi.ownership import cmd; cmd.main()']
        return subprocess.run(
            argv + list(args),
            capture_output=True, text=True, timeout=timeout,
            stdin=subprocess.DEVNULL)

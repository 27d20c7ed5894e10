"""The cached VIM client against the simulator: cold, warm, broken caches.

The class builds one cache (a cold run) and each test works on a copy of
it, so that only the tests about cold runs pay for building the client.
"""

import json
import os
import shutil
import subprocess

import fixtures

from nova.virt.vmwareapi.ownership.vsphere import vcenter
from nova.virt.vmwareapi.ownership.vsphere.wsdl import cache as wsdl_cache
from support import base


def read_only(test, path):
    """Make ``path`` and what is in it read-only, root included, until the
    test's clean-up.
    """
    if os.geteuid() != 0:
        for folder, _, _ in os.walk(path):
            os.chmod(folder, 0o500)
            test.addCleanup(os.chmod, folder, 0o700)
        return
    try:
        subprocess.run(['chattr', '-R', '+i', path], check=True,
                       capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as e:
        # Never a skip: a test that cannot check what it claims fails.
        test.fail('as root, only an immutable folder is read-only, and %s '
                  'cannot be made immutable here (chattr: %s); run the '
                  'tests as another user, or on a file system with '
                  'immutable attributes' % (path, e))
    test.addCleanup(subprocess.run, ['chattr', '-R', '-i', path],
                    capture_output=True, timeout=60)


class TestWsdlCache(base.SimulatorTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warm = fixtures.TempDir()
        cls.warm.setUp()
        cache = wsdl_cache.WsdlCache(cls.warm.path)
        cls.open_session(cache).logout()
        assert cache.last_source == wsdl_cache.BUILT, cache.last_source

    @classmethod
    def tearDownClass(cls):
        cls.warm.cleanUp()
        super().tearDownClass()

    @classmethod
    def open_session(cls, cache):
        """A session through ``cache``, as the command opens it."""
        return vcenter.connect(cls.simulator.endpoint(), 10, cache=cache)

    def folder(self, warm=True):
        """A cache folder of this test's: a copy of the warm one, or none
        yet.
        """
        path = os.path.join(self.useFixture(fixtures.TempDir()).path, 'c')
        if warm:
            shutil.copytree(self.warm.path, path)
        return path

    def entries(self, folder):
        return sorted(os.listdir(folder)) if os.path.exists(folder) else []

    def connect(self, folder, expected):
        """Log in through a cache in ``folder``; check how and that the
        session works.
        """
        cache = wsdl_cache.WsdlCache(folder)
        session = self.open_session(cache)
        self.addCleanup(session.logout)
        self.assertEqual(expected, cache.last_source)
        self.assertEqual(self.session.vim.service_content.about.instanceUuid,
                         vcenter.vcenter_uuid(session))
        self.write_raw(self.make_store(), 'compute-a')
        self.assertEqual('compute-a',
                         self.make_store(session=session).read().attribute_raw)
        return session

    def corrupt(self, folder, change):
        [entry] = self.entries(folder)
        path = os.path.join(folder, entry, 'client.pickle')
        with open(path, 'rb') as f:
            data = f.read()
        with open(path, 'wb') as f:
            f.write(change(data))

    def test_cold_then_warm(self):
        folder = self.folder(warm=False)
        self.connect(folder, wsdl_cache.BUILT)
        self.connect(folder, wsdl_cache.HIT)
        self.assertEqual(self.entries(self.warm.path), self.entries(folder))

    def test_warm(self):
        self.connect(self.folder(), wsdl_cache.HIT)

    def test_corrupt_entry_rebuilt(self):
        for change in (lambda data: data[:len(data) // 3],
                       lambda data: data[:-10] + b'0123456789'):
            folder = self.folder()
            self.corrupt(folder, change)
            self.connect(folder, wsdl_cache.BUILT)
            self.connect(folder, wsdl_cache.HIT)

    def test_read_only_folder(self):
        cold, warm = self.folder(warm=False), self.folder()
        os.makedirs(cold, mode=0o700)
        read_only(self, cold)
        read_only(self, warm)
        self.connect(cold, wsdl_cache.UNCACHED)
        self.assertEqual([], self.entries(cold))
        self.connect(warm, wsdl_cache.HIT)

    def show(self, folder):
        self.useFixture(fixtures.EnvironmentVariable(
            wsdl_cache.CACHE_DIR_VARIABLE, folder))
        out = self.run_command('--config-file', self.config_file('compute-a'),
                               '--format', 'json', 'show')
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertEqual('', out.stderr)
        return json.loads(out.stdout)

    def test_command_cold_warm_and_broken(self):
        folder = self.folder(warm=False)
        cold = self.show(folder)
        self.assertEqual(self.entries(self.warm.path), self.entries(folder))
        self.assertEqual(0o700, os.stat(folder).st_mode & 0o777)
        self.assertEqual(cold, self.show(folder))
        self.corrupt(folder, lambda data: data[:100])
        self.assertEqual(cold, self.show(folder))
        read_only(self, folder)
        self.assertEqual(cold, self.show(folder))

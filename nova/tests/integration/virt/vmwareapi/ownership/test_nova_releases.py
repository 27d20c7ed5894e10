"""This environment's nova release, as ``nova_releases`` describes it.

The table's row of the installed nova is checked against that nova (each
``nova-<release>`` environment runs this), and so are ``vmware_opts``'
copies of its options, which the command reads without nova.
"""

import ast
import inspect
import os
import subprocess
import sys
from unittest import mock

from oslo_config import cfg
import testtools

from nova.compute import manager as compute_manager
from nova.conf import netconf
from nova.conf import paths
from nova.conf import vmware as nova_vmware_conf
from nova.objects import service as service_obj
from nova import version as nova_version

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import nova_releases
from nova.virt.vmwareapi.ownership.vsphere import vmware_opts

THREADS = ('import sys, nova.cmd.compute; '
           "patcher = sys.modules.get('eventlet.patcher'); "
           "print('eventlet' if patcher and patcher.is_monkey_patched("
           "'thread') else 'native threads')")
"""What nova-compute's own start makes of the threads, printed."""


def first_call(function, name):
    """The line of ``function``'s first call of ``self.<...>.name``."""
    tree = ast.parse(inspect.getsource(function).lstrip())
    lines = [node.lineno for node in ast.walk(tree)
             if isinstance(node, ast.Call) and
             isinstance(node.func, ast.Attribute) and node.func.attr == name]
    return min(lines)


class TestTheRow(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.version = nova_version.version_string()
        major = nova_releases.major_of(self.version)
        rows = [r for r in nova_releases.RELEASES if r.major == major]
        self.assertEqual(1, len(rows), 'nova %s has no row in '
                         'nova_releases.RELEASES' % self.version)
        (self.release,) = rows

    def test_service_version(self):
        self.assertEqual(self.release.service_version,
                         service_obj.SERVICE_VERSION)

    def test_start_order(self):
        init_host = compute_manager.ComputeManager.init_host
        driver_starts = first_call(init_host, 'init_host')
        for check in ('_ensure_existing_node_identity',
                      '_sanity_check_new_host'):
            with self.subTest(check=check):
                self.assertEqual(self.release.identity_checked_first,
                                 first_call(init_host, check) <
                                 driver_starts)

    def test_nova_computes_threads_by_default(self):
        env = dict(os.environ)
        env.pop('OS_NOVA_DISABLE_EVENTLET_PATCHING', None)
        out = subprocess.run([sys.executable, '-c', THREADS], env=env,
                             capture_output=True, text=True, timeout=120,
                             check=True)
        self.assertEqual(self.release.default_threads,
                         out.stdout.strip().splitlines()[-1])

    def test_the_stop(self):
        graceful = getattr(compute_manager.ComputeManager,
                           'graceful_shutdown', None)
        sleeps = graceful is not None and \
            'time.sleep(' in inspect.getsource(graceful)
        self.assertEqual(self.release.stop_sleeps, sleeps)

    def test_the_driver_refuses_or_runs(self):
        try:
            release = nova_releases.of(self.version)
        except exceptions.UnsupportedNovaRelease as exc:
            self.assertFalse(self.release.supported, exc)
            self.assertIn('nova %s (OpenStack %s)'
                          % (self.version, self.release.name), str(exc))
        else:
            self.assertEqual(self.release, release)


class TestNovaOptionCopies(testtools.TestCase):
    """``vmware_opts``' copies of nova's options are nova's.

    The command reads nova's configuration files without nova.
    """

    def nova_opts(self, group):
        found = {}
        modules = (netconf, paths) if group is None else (nova_vmware_conf,)
        for module in modules:
            for name, opts in module.list_opts().items():
                if str(name) == (group or 'DEFAULT'):
                    found.update((opt.name, opt) for opt in opts)
        return found

    def test_copies_have_the_names_types_and_defaults_of_nova(self):
        for group, copies in vmware_opts.copies():
            theirs = self.nova_opts(group)
            for copy in copies:
                where = '[%s] %s' % (group or 'DEFAULT', copy.name)
                self.assertIn(copy.name, theirs, where)
                nova_opt = theirs[copy.name]
                self.assertIs(type(nova_opt), type(copy), where)
                self.assertEqual(nova_opt.type, copy.type, where)
                self.assertEqual(nova_opt.secret, copy.secret, where)
                if where == '[DEFAULT] state_path':
                    # nova's own install directory: nothing without nova.
                    self.assertEqual('$pybasedir', nova_opt.default)
                    continue
                self.assertEqual(nova_opt.default, copy.default, where)

    def test_without_nova_the_copies_are_registered(self):
        conf = cfg.ConfigOpts()
        # As on a machine without nova: its config modules do not import.
        with mock.patch.dict(sys.modules, {'nova.conf': None}):
            self.assertFalse(vmware_opts.register_nova_opts(conf))
        conf([], default_config_files=[])
        self.assertEqual(443, conf.vmware.host_port)
        self.assertEqual('/var/lib/nova', conf.state_path)
        with_nova = cfg.ConfigOpts()
        self.assertTrue(vmware_opts.register_nova_opts(with_nova))
        with_nova([], default_config_files=[])
        self.assertLessEqual(set(conf.vmware), set(with_nova.vmware))

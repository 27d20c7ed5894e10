"""Which simulator a test class gets (``support.sharing``).

Under a tier's runner (``python -m support.sharing``) a class with the
run's options uses the run's simulator; a class with other options, or
one that needs its own, starts one; without a runner every class starts
its own.
"""

import json
import os

import testtools

from nova.virt.vmwareapi.ownership.vsphere import clusters
from support import base
from support import sharing
from support import simulator


def run_environment(**changes):
    """The variables of a run's simulator (none is started)."""
    options = dict(simulator.VCenterSimulator(**sharing.RUN_OPTIONS).options,
                   **changes)
    environ = {variable: 'https://127.0.0.1:1/sdk' if name == 'url' else
               '/nonexistent/' + name
               for name, variable in sharing.ENVIRONMENT.items()}
    environ[sharing.ENVIRONMENT['options']] = json.dumps(options)
    return environ


class TestForClass(testtools.TestCase):

    def test_the_run_options_get_the_runs(self):
        got = sharing.for_class(sharing.RUN_OPTIONS,
                                environ=run_environment())
        self.assertIsInstance(got, sharing.RunSimulator)
        self.assertEqual(('127.0.0.1', 1, '/nonexistent/ca_file'),
                         (got.host, got.port, got.ca_file))
        self.assertRaises(simulator.SimulatorError, got.restart)

    def test_others_get_one_of_their_own(self):
        for options, own, environ in (
                (sharing.RUN_OPTIONS, True, run_environment()),
                (dict(sharing.RUN_OPTIONS, clusters=3), False,
                 run_environment()),
                ({'clusters': 1}, False, run_environment()),
                (sharing.RUN_OPTIONS, False, run_environment(vms=0)),
                (sharing.RUN_OPTIONS, False, {})):
            with self.subTest(options=options, own=own, environ=environ):
                got = sharing.for_class(options, own=own, environ=environ)
                self.assertNotIsInstance(got, sharing.RunSimulator)
                self.assertIsInstance(got, simulator.VCenterSimulator)


class TestSimulatorTestCase(base.SimulatorTestCase):

    def test_shares_the_runs_when_there_is_one(self):
        environ = os.environ
        if sharing.ENVIRONMENT['url'] in environ:
            self.assertIsInstance(self.simulator, sharing.RunSimulator)
            self.assertEqual(environ[sharing.ENVIRONMENT['url']],
                             self.simulator.url)
        else:
            self.assertNotIsInstance(self.simulator, sharing.RunSimulator)
        # Either way, a working simulator of the run's options.
        self.assertEqual(
            simulator.VCenterSimulator(**sharing.RUN_OPTIONS).options,
            self.simulator.options)
        for name in ('DC0_C0', 'DC0_C1'):
            with self.subTest(cluster=name):
                self.assertIsNotNone(
                    clusters.find_cluster(self.session, name))

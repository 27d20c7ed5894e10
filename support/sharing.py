"""One simulator for many tests: the run's, or a class's.

A test gets a simulator in one of three ways, cheapest first:

- **the run's**: a tier's runner starts one simulator for the whole test
  run and hands it to the tests through the environment, as tooz's
  ``run-tests.sh`` does with pifpaf::

      python -m support.sharing -- stestr run ...

  A class of :class:`SharedSimulatorMixin` (``base.SimulatorTestCase``)
  whose ``SIMULATOR_OPTIONS`` are ``RUN_OPTIONS`` uses it. Without the
  variables (``stestr run test_x`` on its own) the class starts one of its
  own instead: the same tests, slower;
- **the class's**: a class with other options (``restricted=True``, 45
  clusters, ...), or one that sets ``OWN_SIMULATOR`` because it restarts
  the simulator, changes its inventory, or reads what every client of it
  changes (``latestEvent``, the session list, a cluster's events), starts
  one in ``setUpClass``;
- **the test's**: ``self.useFixture(simulator.VCenterSimulator(...))``,
  for a test that stops or breaks it.

Tests that share a simulator isolate themselves by name: each test its own
attribute (``base.unique_attribute``), its own field and event names
(``raw_vcenter.unique``). State left by one test is seen by the others,
which may run at the same time in another worker.
"""

import json
import os
import subprocess
import sys
import urllib.parse

from support import simulator

RUN_OPTIONS = {'clusters': 2, 'hosts': 1, 'vms': 1}
"""The run's simulator: ``DC0_C0`` and ``DC0_C1``, a host and a VM each."""

ENVIRONMENT = {name: 'NOVA_VMWARE_OWNER_VCSIM_' + name.upper() for name in (
    'url', 'username', 'password', 'ca_file', 'key_file', 'log_file',
    'options')}
"""The variables that hand the run's simulator to the tests: its URL,
credentials, CA file (its certificate, whose key a TLS proxy presents), log
and options (JSON)."""


def export(sim):
    """The variables that hand the started ``sim`` to other processes."""
    values = {name: getattr(sim, name) for name in ENVIRONMENT}
    values['options'] = json.dumps(sim.options, sort_keys=True)
    return {ENVIRONMENT[name]: value for name, value in values.items()}


class RunSimulator(simulator.VCenterSimulator):
    """The run's simulator, as the tests of the run see it.

    The runner starts and stops it: a test uses it, never stops or
    restarts it (a class that must gets ``OWN_SIMULATOR``).
    """

    def __init__(self, environ):
        super().__init__(**json.loads(environ[ENVIRONMENT['options']]))
        for name in ('url', 'username', 'password', 'ca_file', 'key_file',
                     'log_file'):
            setattr(self, name, environ[ENVIRONMENT[name]])
        parsed = urllib.parse.urlsplit(self.url)
        self.host, self.port = parsed.hostname, parsed.port

    def _setUp(self):
        self.check_reachable()

    def is_running(self):
        # Not a child of this process: the runner watches it.
        return True

    def restart(self, sig=None):
        raise simulator.SimulatorError(
            "the run's simulator is shared by every test class: a class "
            'that restarts it needs OWN_SIMULATOR')

    def stop(self):
        return None


def for_class(options, own=False, environ=os.environ):
    """The run's simulator if it has ``options``, else a new one.

    :param options: ``VCenterSimulator`` arguments
    :param own: a new one even if the run's has these options
    :returns: a ``VCenterSimulator`` to ``setUp`` and ``cleanUp``
    """
    new = simulator.VCenterSimulator(**options)
    if own or ENVIRONMENT['url'] not in environ:
        return new
    run = RunSimulator(environ)
    return run if run.options == new.options else new


class SharedSimulatorMixin:
    """One simulator and one session for all the tests of a class.

    Mix into a ``TestCase``; set ``SIMULATOR_OPTIONS`` to the
    ``VCenterSimulator`` arguments (``RUN_OPTIONS``: the run's simulator,
    when a runner started one), and ``FULL_SESSION`` when the tests call
    methods outside the package's list (``full_session``). Tests use
    ``self.simulator`` and ``self.session``.
    """

    SIMULATOR_OPTIONS = {}
    FULL_SESSION = False
    OWN_SIMULATOR = None
    """Why the class needs a simulator of its own although its options
    are the run's (None: it can share)."""
    SESSION_TIMEOUT = 30
    """Seconds each request of ``session`` may take."""
    simulator = None
    session = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.simulator = for_class(cls.SIMULATOR_OPTIONS,
                                  own=bool(cls.OWN_SIMULATOR))
        cls.simulator.setUp()
        try:
            cls.session = (
                cls.simulator.full_session(cls.SESSION_TIMEOUT)
                if cls.FULL_SESSION
                else cls.simulator.session(cls.SESSION_TIMEOUT))
        except BaseException:
            cls.simulator.cleanUp()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            if cls.session is not None and cls.simulator.is_running():
                cls.session.logout()
        finally:
            cls.session = None
            cls.simulator.cleanUp()
            super().tearDownClass()


class RestrictedSessionMixin:
    """A session of the simulator's restricted user for a class's tests.

    Mix in before a ``SharedSimulatorMixin`` test case whose
    ``SIMULATOR_OPTIONS`` has ``restricted=True``; tests use
    ``self.restricted``.
    """

    restricted = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.restricted = cls.simulator.session(restricted=True)

    @classmethod
    def tearDownClass(cls):
        cls.restricted.logout()
        super().tearDownClass()


def main(argv):
    """Run a command with the run's simulator; return its exit status.

    ``python -m support.sharing [--] COMMAND [ARGS...]`` checks the build
    once (its messages on stderr), starts a simulator of ``RUN_OPTIONS``,
    runs ``COMMAND`` with the variables of ``ENVIRONMENT`` and
    ``simulator.BINARY_VARIABLE`` set, and stops the simulator after it.
    """
    if argv[:1] == ['--']:
        argv = argv[1:]
    if not argv:
        sys.exit('usage: python -m support.sharing [--] COMMAND [ARGS...]')
    os.environ[simulator.BINARY_VARIABLE] = simulator.binary(quiet=False)
    with simulator.VCenterSimulator(**RUN_OPTIONS) as run:
        command = subprocess.Popen(argv, env=dict(os.environ, **export(run)))
        try:
            return command.wait()
        except KeyboardInterrupt:
            # The command got it too (the terminal's process group).
            command.wait()
            raise


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

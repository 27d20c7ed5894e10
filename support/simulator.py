"""A vCenter simulator for functional tests: ``tools/vcsim`` as a fixture.

:class:`VCenterSimulator` starts the project's simulator
(``tools/vcsim/run``, see ``tools/vcsim/README.rst``) on a free loopback
port, with TLS that clients verify against a CA made for the run, and a
random user name and password (no other pair logs in). It always stops the
simulator and removes its files. Every wait is bounded, so a broken
simulator fails a test instead of hanging it.

Use it per test::

    class TestStore(testtools.TestCase):
        def test_claim(self):
            sim = self.useFixture(simulator.VCenterSimulator(clusters=2))
            session = sim.session()       # a logged-in session.Session
            ...

A simulator takes a moment to start and a session to log in, so a class
whose tests can share one inventory should share one simulator and one
session instead::

    class TestStore(simulator.SharedSimulatorMixin, testtools.TestCase):
        SIMULATOR_OPTIONS = {'clusters': 2}

        def test_claim(self):
            self.session.invoke_api(...)  # cls.simulator, cls.session

State left by one test is then seen by the next: give each test its own
names (field definitions, events) or clean up after it.

The first start builds the simulator (about 40 s on two cores, then
cached; see ``tools/vcsim/build``), bounded by ``build_timeout``.
"""

import ctypes
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.parse

import fixtures
import requests

from nova.virt.vmwareapi.ownership.vsphere import vcenter
import support
from support import vim_cache

VCSIM_DIR = os.environ.get('NOVA_VMWARE_OWNER_VCSIM_DIR',
                           os.path.join(support.REPO_ROOT, 'tools', 'vcsim'))


_PR_SET_PDEATHSIG = 1


def die_with_parent():
    """``preexec_fn``: the child gets SIGTERM when the test process dies.

    A test worker that crashes (or is killed) never runs its cleanups; this
    keeps its simulators and helper processes from outliving it.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class SimulatorError(Exception):
    """The simulator could not be built, started or reached."""


def make_self_signed_cert(directory, name='vcsim', common_name='127.0.0.1'):
    """Write a 2048-bit RSA self-signed certificate for IP 127.0.0.1.

    The certificate is its own CA: pass the certificate file as ``cacert``
    to verify the server. (vcsim's built-in test certificate is rejected by
    Debian's OpenSSL as too weak, and skipping verification would test
    nothing.)

    :param directory: where to write ``<name>.crt`` and ``<name>.key``.
    :returns: (certificate file, private key file)
    :raises: SimulatorError when openssl fails.
    """
    cert = os.path.join(directory, name + '.crt')
    key = os.path.join(directory, name + '.key')
    cmd = ['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
           '-keyout', key, '-out', cert, '-days', '2',
           '-subj', '/CN=' + common_name,
           '-addext', 'subjectAltName=IP:127.0.0.1',
           '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment,'
                      'keyCertSign',
           '-addext', 'extendedKeyUsage=serverAuth']
    try:
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as e:
        raise SimulatorError('cannot make a test certificate with openssl: '
                             '%s %s' % (e, getattr(e, 'stderr', b'') or b''))
    return cert, key


class VCenterSimulator(fixtures.Fixture):
    """A running vCenter simulator, stopped at clean-up.

    After ``setUp`` (``useFixture``) these attributes are set:

    ``url``
        ``https://127.0.0.1:<port>/sdk``
    ``host``, ``port``
        what ``VMwareAPISession`` and nova's ``[vmware] host_ip`` and
        ``host_port`` take
    ``username``, ``password``
        the only credentials that log in
    ``ca_file``
        the CA certificate that verifies the server (``cacert``,
        ``[vmware] ca_file``); it is also the server's certificate, whose
        private key is ``key_file`` (a proxy may present it)
    ``log_file``
        the simulator's stderr
    ``restricted_username``, ``restricted_password``
        with ``restricted``: a second user, whose role lacks the withheld
        privileges (``session(restricted=True)``); else None

    :param clusters: clusters per datacenter, named ``DC0_C0``, ``DC0_C1``,
                     ... (``DC1_C0``, ... in the next datacenter)
    :param hosts: hosts per cluster.
    :param vms: VMs per cluster.
    :param datacenters: datacenters, named ``DC0``, ``DC1``, ...
    :param restricted: also start the restricted user.
    :param withheld_privileges: the privileges it lacks (a list); None:
                                the simulator's default (the custom field
                                and event privileges).
    :param native_faults: answer vcsim's ``NotFound`` where vCenter answers
                          ``InvalidArgument`` (removing an unknown key).
    :param reuse_removed_keys: misbehave: hand out removed keys again.
    :param accept_stale_setfield: misbehave: accept ``SetField`` through a
                                  removed key, writing nothing.
    :param start_timeout: seconds to wait for the simulator to be ready.
    :param stop_timeout: seconds to wait after SIGTERM before SIGKILL.
    :param build_timeout: seconds the (cached) build may take.
    """

    def __init__(self, clusters=1, hosts=1, vms=1, start_timeout=60,
                 stop_timeout=10, build_timeout=600, datacenters=1,
                 restricted=False, withheld_privileges=None,
                 native_faults=False, reuse_removed_keys=False,
                 accept_stale_setfield=False):
        super().__init__()
        self.clusters = clusters
        self.hosts = hosts
        self.vms = vms
        self.datacenters = datacenters
        self.restricted = restricted
        self.withheld_privileges = withheld_privileges
        self.flags = [flag for flag, on in (
            ('--native-faults', native_faults),
            ('--reuse-removed-keys', reuse_removed_keys),
            ('--accept-stale-setfield', accept_stale_setfield)) if on]
        self.restricted_username = self.restricted_password = None
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.build_timeout = build_timeout
        self.process = None
        self.returncode = None

    def _setUp(self):
        self.tempdir = self.useFixture(fixtures.TempDir()).path
        self.ca_file, key_file = make_self_signed_cert(self.tempdir)
        self.username = 'user-' + secrets.token_hex(4)
        # Never starting with '-', which a command line would take for an
        # option.
        self.password = 'pw-' + secrets.token_urlsafe(16)
        if self.restricted:
            self.restricted_username = 'restricted-' + secrets.token_hex(4)
            self.restricted_password = 'pw-' + secrets.token_urlsafe(16)
        self.log_file = os.path.join(self.tempdir, 'vcsim.log')
        url_file = os.path.join(self.tempdir, 'url')

        self.key_file = key_file
        self._url_file = url_file

        self._build()
        self.addCleanup(self.stop)
        self._launch('127.0.0.1:0')
        parsed = urllib.parse.urlsplit(self.url)
        if parsed.scheme != 'https':
            raise SimulatorError('the simulator serves %s although it was '
                                 'given a TLS certificate' % self.url)
        self.host, self.port = parsed.hostname, parsed.port

    def _launch(self, listen):
        if os.path.exists(self._url_file):
            os.unlink(self._url_file)
        cmd = [os.path.join(VCSIM_DIR, 'run'),
               '--listen', listen, '--url-file', self._url_file,
               '--tls-cert', self.ca_file, '--tls-key', self.key_file,
               '--username', self.username, '--password', self.password,
               '--datacenters', str(self.datacenters),
               '--clusters', str(self.clusters), '--hosts', str(self.hosts),
               '--vms', str(self.vms)] + self.flags
        if self.restricted:
            cmd += ['--restricted-username', self.restricted_username,
                    '--restricted-password', self.restricted_password]
        if self.withheld_privileges is not None:
            cmd += ['--withheld-privileges',
                    ','.join(self.withheld_privileges)]
        with open(self.log_file, 'ab') as log:
            # Its own process group, so stop() signals the simulator and
            # nothing else (run execs it, so the group is just that).
            self.process = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                start_new_session=True, preexec_fn=die_with_parent)
        self.url = self._wait_for_url(self._url_file)

    def restart(self, sig=signal.SIGKILL):
        """Kill the simulator and start a fresh one in its place.

        The new one listens on the same port with the same credentials
        and certificate: a vCenter that crashed and came back empty (all
        state is lost: the simulator keeps it in memory, see "The vCenter
        simulator" in doc/source/contributor.rst).

        :param sig: the signal that stops the old one (SIGKILL: a crash)
        """
        if self.is_running():
            os.killpg(self.process.pid, sig)
            self.process.wait(self.stop_timeout)
        self.process = None
        self._launch('%s:%d' % (self.host, self.port))

    def _build(self):
        # Build outside the start bound: a cold build takes ~40 s.
        try:
            subprocess.run([os.path.join(VCSIM_DIR, 'build')],
                           stdin=subprocess.DEVNULL, capture_output=True,
                           check=True, timeout=self.build_timeout)
        except subprocess.CalledProcessError as e:
            raise SimulatorError('tools/vcsim/build failed (exit %d):\n%s'
                                 % (e.returncode, e.stderr.decode(
                                     errors='replace')))
        except subprocess.TimeoutExpired:
            raise SimulatorError('tools/vcsim/build took more than %s s'
                                 % self.build_timeout)

    def _wait_for_url(self, url_file):
        deadline = time.monotonic() + self.start_timeout
        while True:
            # The launcher renames a complete file into place.
            if os.path.exists(url_file):
                with open(url_file) as f:
                    return f.read().strip()
            if self.process.poll() is not None:
                raise SimulatorError('the simulator exited with %s before '
                                     'it was ready:\n%s'
                                     % (self.process.returncode, self.log()))
            if time.monotonic() > deadline:
                raise SimulatorError('the simulator was not ready after %s '
                                     's:\n%s' % (self.start_timeout,
                                                 self.log()))
            time.sleep(0.02)

    def log(self):
        """The simulator's stderr so far, for failure messages."""
        try:
            with open(self.log_file, errors='replace') as f:
                return f.read()
        except OSError:
            return ''

    def is_running(self):
        return self.process is not None and self.process.poll() is None

    def stop(self):
        """Stop the simulator: SIGTERM, then SIGKILL after stop_timeout.

        Idempotent; also run at clean-up.

        :returns: the simulator's exit status (0 after a clean SIGTERM).
        """
        if self.process is None:
            return self.returncode
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(self.stop_timeout)
            except ProcessLookupError:
                self.process.wait(self.stop_timeout)
        self.returncode = self.process.returncode
        self.process = None
        return self.returncode

    def check_reachable(self, timeout=10):
        """Fail fast unless the simulator answers over verified TLS.

        oslo.vmware retries a failed login on connection errors for ever;
        checking first turns a dead simulator into an error, not a hang.

        :raises: SimulatorError
        """
        if not self.is_running():
            raise SimulatorError('the simulator is not running:\n%s'
                                 % self.log())
        try:
            with socket.create_connection((self.host, self.port), timeout):
                pass
            requests.head(self.url + '/vimService.wsdl', verify=self.ca_file,
                          timeout=timeout).raise_for_status()
        except (OSError, requests.RequestException) as e:
            raise SimulatorError('the simulator at %s does not answer: %s'
                                 % (self.url, e))

    def endpoint(self, port=None, restricted=False):
        """A ``vcenter.Endpoint`` of the simulator (or of a proxy's port).

        :param restricted: with the restricted user's credentials
        """
        if restricted and not self.restricted:
            raise SimulatorError('started without restricted=True')
        username, password = ((self.restricted_username,
                               self.restricted_password) if restricted
                              else (self.username, self.password))
        return vcenter.Endpoint(self.host, port or self.port, username,
                                password, ca_file=self.ca_file)

    def session(self, timeout=30, port=None, restricted=False):
        """Return a logged-in ``session.Session`` (the package's).

        TLS is verified with ``ca_file`` (never ``insecure``); the client
        is the package's reduced one. Every request ends within
        ``timeout``.

        :param port: connect to this port instead (a proxy in front)
        :param restricted: log in as the restricted user
        :raises: SimulatorError, or what ``vcenter.connect`` raises
        """
        self.check_reachable()
        return vcenter.connect(self.endpoint(port, restricted), timeout)

    def full_session(self, timeout=30, port=None, restricted=False):
        """Like ``session``, on the simulator's whole VIM WSDL.

        For tests that call methods the package never calls (its own
        sessions know only those of its list): ``vim_cache.FullSession``.
        """
        self.check_reachable()
        return vim_cache.connect_full(self.endpoint(port, restricted),
                                      timeout)


class SharedSimulatorMixin:
    """One simulator and one session for all the tests of a class.

    Mix into a ``TestCase``; set ``SIMULATOR_OPTIONS`` to the
    :class:`VCenterSimulator` arguments, and ``FULL_SESSION`` when the
    tests call methods outside the package's list (``full_session``).
    Tests use ``self.simulator`` and ``self.session``.
    """

    SIMULATOR_OPTIONS = {}
    FULL_SESSION = False
    simulator = None
    session = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.simulator = VCenterSimulator(**cls.SIMULATOR_OPTIONS)
        cls.simulator.setUp()
        try:
            cls.session = (cls.simulator.full_session() if cls.FULL_SESSION
                           else cls.simulator.session())
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

"""A vCenter simulator for functional tests: ``tools/vcsim`` as a fixture.

:class:`VCenterSimulator` starts the project's simulator (built by
``tools/vcsim/build``, see ``tools/vcsim/README.rst``) on a free loopback
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

Most tests share one instead (the run's, or their class's):
``support.sharing``.

Only the first start builds the simulator (about 40 s on two cores, then
cached; see ``tools/vcsim/build``). A start then checks the build (about
0.5 s), unless a runner checked it for the whole run and named the binary
(``BINARY_VARIABLE``).
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

BINARY_VARIABLE = 'NOVA_VMWARE_OWNER_VCSIM_BINARY'
"""The built simulator, set by a runner that checked the build."""

_PR_SET_PDEATHSIG = 1


def die_with_parent():
    """``preexec_fn``: the child gets SIGTERM when the test process dies.

    A test worker that crashes (or is killed) never runs its cleanups; this
    keeps its simulators and helper processes from outliving it. (The
    signal comes when the *thread* that started the child ends: start
    them from a test's or a class's main thread.)
    """
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def interruptible():
    """``preexec_fn``: ``die_with_parent``, and Ctrl-C's default on SIGINT.

    A shell without job control starts its background commands with SIGINT
    ignored, and Python keeps a SIGINT it inherits ignored: a test run
    started that way would send SIGINT to a command that cannot get it.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    die_with_parent()


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


def binary(timeout=600, quiet=True):
    """The simulator's binary: the runner's, else built (or found) now.

    :param timeout: seconds the (cached) build may take; a cold one takes
                    about 40 s
    :param quiet: keep the build's messages for the error only
    :raises: SimulatorError
    """
    if os.environ.get(BINARY_VARIABLE):
        return os.environ[BINARY_VARIABLE]
    try:
        return subprocess.run(
            [os.path.join(VCSIM_DIR, 'build'), '--print-binary'],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE if quiet else None, check=True,
            timeout=timeout).stdout.decode().strip()
    except subprocess.CalledProcessError as e:
        raise SimulatorError('tools/vcsim/build failed (exit %d):\n%s'
                             % (e.returncode, (e.stderr or b'').decode(
                                 errors='replace')))
    except subprocess.TimeoutExpired:
        raise SimulatorError('tools/vcsim/build took more than %s s'
                             % timeout)


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
        # What the simulator models and how it answers (no timeouts): two
        # simulators of the same options are interchangeable.
        self.options = dict(
            clusters=clusters, hosts=hosts, vms=vms, datacenters=datacenters,
            restricted=restricted, withheld_privileges=withheld_privileges,
            native_faults=native_faults,
            reuse_removed_keys=reuse_removed_keys,
            accept_stale_setfield=accept_stale_setfield)
        self.restricted = restricted
        self.restricted_username = self.restricted_password = None
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.build_timeout = build_timeout
        self.process = None
        self.returncode = None

    def _setUp(self):
        self.tempdir = self.useFixture(fixtures.TempDir()).path
        self.ca_file, self.key_file = make_self_signed_cert(self.tempdir)
        self.username = 'user-' + secrets.token_hex(4)
        # Never starting with '-', which a command line would take for an
        # option.
        self.password = 'pw-' + secrets.token_urlsafe(16)
        if self.restricted:
            self.restricted_username = 'restricted-' + secrets.token_hex(4)
            self.restricted_password = 'pw-' + secrets.token_urlsafe(16)
        self.log_file = os.path.join(self.tempdir, 'vcsim.log')
        self._url_file = os.path.join(self.tempdir, 'url')
        # Outside the start bound: a cold build takes ~40 s.
        self.binary = binary(self.build_timeout)
        self.addCleanup(self.stop)
        self._launch('127.0.0.1:0')
        parsed = urllib.parse.urlsplit(self.url)
        if parsed.scheme != 'https':
            raise SimulatorError('the simulator serves %s although it was '
                                 'given a TLS certificate' % self.url)
        self.host, self.port = parsed.hostname, parsed.port

    def _argv(self, listen):
        options = self.options
        argv = [self.binary, '--listen', listen, '--url-file', self._url_file,
                '--tls-cert', self.ca_file, '--tls-key', self.key_file,
                '--username', self.username, '--password', self.password]
        for name in ('datacenters', 'clusters', 'hosts', 'vms'):
            argv += ['--' + name, str(options[name])]
        for flag in ('native_faults', 'reuse_removed_keys',
                     'accept_stale_setfield'):
            if options[flag]:
                argv.append('--' + flag.replace('_', '-'))
        if self.restricted:
            argv += ['--restricted-username', self.restricted_username,
                     '--restricted-password', self.restricted_password]
        if options['withheld_privileges'] is not None:
            argv += ['--withheld-privileges',
                     ','.join(options['withheld_privileges'])]
        return argv

    def _launch(self, listen):
        if os.path.exists(self._url_file):
            os.unlink(self._url_file)
        with open(self.log_file, 'ab') as log:
            # Its own process group, so stop() signals the simulator and
            # nothing else.
            self.process = subprocess.Popen(
                self._argv(listen), stdin=subprocess.DEVNULL, stdout=log,
                stderr=log, start_new_session=True,
                preexec_fn=die_with_parent)
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

"""What it takes to run nova 34's VMware driver against the simulator.

Each fixture here works around one trap of nova's code or of its test
harness (doc/source/contributor.rst, "tox -e nova"), not a defect of
the simulator; those are fixed in ``tools/vcsim``.
"""

import os
import socket
import sys
import threading

import fixtures
from oslo_vmware import service as vim_service
from urllib3 import connection as urllib3_connection
from urllib3 import connectionpool

import nova.conf
from nova.virt.vmwareapi import session as nova_session
from nova.virt.vmwareapi import vm_util

from nova.virt.vmwareapi.ownership import driver as ownership_driver
from nova.virt.vmwareapi.ownership import opts
from support import vim_cache

CONF = nova.conf.CONF

CLUSTER = 'DC0_C0'

# What the simulator calls its ESX hosts: DC0_C0_H0, ...
ESX_HOST_PREFIX = 'DC0_'


def api_paste_config():
    """nova's api-paste.ini, where the wheel installs it (``<venv>/etc``)."""
    return os.path.join(sys.prefix, 'etc', 'nova', 'api-paste.ini')


LEASE = {'lease_duration': 120, 'renew_interval': 10}
"""``[vmware_ownership]`` lease options of the computes in this tier.

Here several nova-computes run in one Python process, beside nova's API,
conductor, scheduler and placement, whose fake message bus polls from a
thread of each service every 50 ms, while a second test process does the
same on the machine's other CPU. When a second compute starts, nova's
driver parses the VIM WSDL while the first compute's lease threads run:
8 to 22 seconds on a 2-CPU machine, during which a renewal of the first
was seen not to return for 13 seconds and its deadline check to run 3.3
seconds late (a CI run, 2026-12-02). A real nova-compute runs one driver
in its own process. The lease's timing is proven in the functional tier
(separate processes, the TCP proxy); here it only has to outlast the
harness: renew_deadline (10 + 120) / 2 = 65 seconds.
"""


def vmware_flags(simulator, cluster=CLUSTER):
    """``[vmware]`` options that point nova's driver at ``simulator``."""
    return dict(host_ip=simulator.host, host_port=simulator.port,
                host_username=simulator.username,
                host_password=simulator.password,
                ca_file=simulator.ca_file, insecure=False,
                cluster_name=cluster, api_retry_count=2,
                task_poll_interval=0.1)


class SessionDefaults(fixtures.Fixture):
    """Rebind nova's ``VMwareAPISession`` defaults to the current config.

    nova's ``session.py`` reads ``CONF.vmware.*`` into the default
    arguments of ``VMwareAPISession.__init__`` when it is imported, and the
    driver relies on those defaults; each simulator listens on its own
    port and credentials, so set them again once the options are set.
    """

    def _setUp(self):
        vmware = CONF.vmware
        init = nova_session.VMwareAPISession.__init__
        self.useFixture(fixtures.MonkeyPatch(
            '%s.VMwareAPISession.__init__.__defaults__'
            % nova_session.__name__,
            (vmware.host_ip, vmware.host_port, vmware.host_username,
             vmware.host_password, vmware.api_retry_count, 'https',
             vmware.ca_file, vmware.insecure, vmware.connection_pool_size)))
        assert len(init.__defaults__) == 9, init.__defaults__


class RealHTTPS(fixtures.Fixture):
    """Give urllib3 back its HTTPS connections for the simulator.

    nova's harness intercepts its API and placement with wsgi-intercept,
    which replaces urllib3's HTTPS connection class with one that breaks
    real TLS under urllib3 2.x. The intercepted endpoints are all plain
    HTTP, so HTTPS can go to the network (the simulator) again.
    """

    def _setUp(self):
        self.useFixture(fixtures.MonkeyPatch(
            'urllib3.connectionpool.HTTPSConnectionPool.ConnectionCls',
            urllib3_connection.HTTPSConnection))
        assert connectionpool.HTTPSConnectionPool.ConnectionCls is \
            urllib3_connection.HTTPSConnection


class EsxHostNames(fixtures.Fixture):
    """Resolve the simulator's ESX host names to the loopback address.

    nova uploads image files to an ESX host of the datastore by its
    inventory name (``https://DC0_C0_H0:<port>/folder/...``), as it would
    to a real host. The simulator serves ``/folder`` itself on its own
    port, so those names resolve to 127.0.0.1.
    """

    def _setUp(self):
        real = socket.getaddrinfo

        def getaddrinfo(host, *args, **kwargs):
            if isinstance(host, str) and host.startswith(ESX_HOST_PREFIX):
                host = '127.0.0.1'
            return real(host, *args, **kwargs)

        self.useFixture(fixtures.MonkeyPatch('socket.getaddrinfo',
                                             getaddrinfo))


class PickledVimClient(fixtures.Fixture):
    """Give nova's own sessions their VIM client from ``vim_cache``.

    nova's driver builds a suds client of vCenter's whole VIM WSDL at
    every compute start: 8 to 22 seconds each in this tier, where several
    nova-computes start in one busy process (2.4 s alone). Each session
    here gets a client of its own unpickled from the cache instead (a
    client shared between sessions or threads is unsafe: suds keeps
    per-reply state on it), the same client parsing would give. nova's
    code is unchanged; only where its session's client comes from is.

    :param folder: the cache folder; resolve it before nova's base class
                   points HOME at a temporary directory
    """

    def __init__(self, folder):
        super().__init__()
        self.cache = vim_cache.VimCache(folder)

    def _setUp(self):
        cache = self.cache

        def vim(session):
            # oslo.vmware's VMwareAPISession.vim, the client unpickled.
            if not session._vim:
                session._vim = cache.vim(
                    protocol=session._scheme, host=session._host,
                    port=session._port, cacert=session._cacert,
                    insecure=session._insecure,
                    pool_maxsize=session._pool_size,
                    connection_timeout=session._connection_timeout,
                    op_id_prefix=session._op_id_prefix)
            return session._vim

        self.useFixture(fixtures.MonkeyPatch(
            '%s.VMwareAPISession.vim' % nova_session.__name__,
            property(vim)))


def unpickled_vim_clients():
    """``PickledVimClient`` for the rest of this process.

    For a nova-compute process of its own (``compute.py``,
    ``nova_compute.py``), as in the harness: 2.4 s of CPU less at each
    start.
    """
    PickledVimClient(vim_cache.directory()).setUp()


class SimulatorCache(fixtures.Fixture):
    """Keep the simulator's build cache where it is outside the tests.

    nova's test base class (oslotest's) gives each test a temporary HOME;
    the simulator's cache defaults to ``~/.cache``, so every test would
    build it cold (about a minute). Use before the base class's setUp.
    """

    def _setUp(self):
        cache = os.environ.get('NOVA_VMWARE_OWNER_VCSIM_CACHE') or \
            os.path.join(os.environ.get('XDG_CACHE_HOME') or
                         os.path.expanduser('~/.cache'),
                         'nova-vmware-owner', 'vcsim')
        self.useFixture(fixtures.EnvironmentVariable(
            'NOVA_VMWARE_OWNER_VCSIM_CACHE', cache))


class FreshNovaCaches(fixtures.Fixture):
    """Empty the process-wide caches of what one vCenter served.

    nova's ``vm_util`` caches folder and VM references in module globals;
    each test has its own simulator, where those references do not exist.
    oslo.vmware keeps the parsed documents of every WSDL its clients read
    (for an hour), by URL: each test's simulator has a URL of its own, so a
    test worker would keep every test's, some 600,000 objects each, and
    its full garbage collections (and its exit) would take ever longer.
    """

    def _setUp(self):
        for name in ('_FOLDER_PATH_REF_MAPPING', '_VM_REFS_CACHE'):
            self.useFixture(fixtures.MonkeyPatch(
                '%s.%s' % (vm_util.__name__, name), {}))
        self.useFixture(fixtures.MonkeyPatch(
            '%s._CACHE' % vim_service.__name__, vim_service.MemoryCache()))


class ProcessEnds(fixtures.Fixture):
    """Record what would end nova-compute's process instead of doing it.

    A step-down SIGTERMs nova-compute and arms its hard exit; a compute
    stopped without releasing arms the hard exit too. In a test process
    either would end the test runner.

    :ivar lost: ``(error, gone_by)`` of each step-down
    :ivar stopped: set at the first step-down
    """

    def _setUp(self):
        self.lost = []
        self.stopped = threading.Event()
        self._armed = []
        self.useFixture(fixtures.MonkeyPatch(
            '%s.stop_this_service' % ownership_driver.__name__, self._stop))
        self.useFixture(fixtures.MonkeyPatch(
            '%s.exit_by' % ownership_driver.__name__, self._exit_by))

    def _stop(self, error, gone_by):
        self.lost.append((error, gone_by))
        self.stopped.set()

    def _exit_by(self, gone_by, why):
        armed = _ArmedExit(gone_by, why)
        self._armed.append(armed)
        return armed

    @property
    def hard_exits(self):
        """``(gone_by, why)`` of each hard exit armed and not disarmed."""
        return [(a.gone_by, a.why) for a in self._armed if not a.disarmed]


class _ArmedExit:
    def __init__(self, gone_by, why):
        self.gone_by = gone_by
        self.why = why
        self.disarmed = False

    def disarm(self):
        self.disarmed = True


def register_ownership_opts():
    opts.register_opts(CONF)

"""Shared pieces of the benchmarks: the simulator, counting, results.

Each benchmark prints what it measures and ends with one line
``RESULT <json>`` that ``run-all`` collects into README.md.
"""

import collections
import json
import os
import statistics
import subprocess
import sys
import time
import venv

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__),
                                         os.pardir))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

try:
    import oslo_vmware  # noqa
    import testtools  # noqa
except ImportError:
    sys.exit('The benchmarks need this package and its test requirements: '
             'run them with "tox -e benchmarks" (all) or "tox -e benchmarks '
             '-- --only NAME", which makes that environment.')

from nova.tests.functional.virt.vmwareapi.ownership import base  # noqa
from nova.tests.functional.virt.vmwareapi.ownership import simulator  # noqa
from nova.virt.vmwareapi.ownership import exceptions  # noqa
from nova.virt.vmwareapi.ownership import store as store_mod  # noqa
from nova.virt.vmwareapi.ownership import vcenter  # noqa

CLUSTER = 'DC0_C0'

settings = base.settings


def cache_dir():
    """This project's cache directory (the simulator's lives there too)."""
    return os.path.join(os.environ.get('XDG_CACHE_HOME') or
                        os.path.expanduser('~/.cache'), 'nova-vmware-owner')


def venv_python(name, requirements):
    """The python of a venv of the benchmarks' own, with this tree in it.

    The venv is made once in the cache directory with ``requirements``;
    this source tree is reinstalled into it (without dependencies) on
    every call, so it always runs the code being measured.
    """
    path = os.path.join(cache_dir(), name)
    python = os.path.join(path, 'bin', 'python')
    pip = [python, '-m', 'pip', 'install', '--quiet',
           '--disable-pip-version-check']
    if not os.path.exists(python):
        print('making %s (once; installs %s)' % (path, ', '.join(
            requirements)), flush=True)
        venv.create(path, with_pip=True)
        subprocess.run(pip + list(requirements), check=True,
                       stdin=subprocess.DEVNULL)
    subprocess.run(pip + ['--no-deps', '--force-reinstall', REPO_ROOT],
                   check=True, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL)
    return python


def start_simulator(**options):
    """Start ``tools/vcsim/run`` (TLS, credentials); stop it with
    ``cleanUp()``.
    """
    sim = simulator.VCenterSimulator(**options)
    sim.setUp()
    return sim


def connect(sim, port=None):
    return vcenter.connect(sim.endpoint(port), timeout=30)


def make_store(session, attribute, cluster=CLUSTER):
    ref = vcenter.find_cluster(session, cluster)
    location = exceptions.Location(cluster, 'simulator', ref.value,
                                   attribute)
    return store_mod.ClusterStore(session, ref, attribute, location)


class RoundTrips:
    """Counts a session's vCenter round trips.

    Two views: HTTP POSTs at the transport (every SOAP request, including
    oslo.vmware's own session checks and re-logins) and ``invoke_api``
    calls by method name.
    """

    def __init__(self, session):
        self.posts = 0
        self.methods = collections.Counter()
        transport = session.vim.client.options.transport
        send = transport.send
        invoke = session.invoke_api

        def counting_send(request):
            self.posts += 1
            return send(request)

        def counting_invoke(module, method, *args, **kwargs):
            self.methods[method] += 1
            return invoke(module, method, *args, **kwargs)

        transport.send = counting_send
        session.invoke_api = counting_invoke

    def reset(self):
        self.posts = 0
        self.methods.clear()

    def measure(self, function):
        """Run ``function()``; return (posts, methods, seconds, result)."""
        self.reset()
        started = time.perf_counter()
        result = function()
        seconds = time.perf_counter() - started
        return self.posts, dict(self.methods), seconds, result


COMMAND = ('import sys; sys.path.insert(0, %r); '
           'from nova.virt.vmwareapi.ownership import cmd; cmd.main()'
           % REPO_ROOT)
"""``python -c COMMAND ARGS`` runs ``nova-vmware-owner`` of this tree."""


def timed(argv, cache=None):
    """Seconds of one process; fails the benchmark if the process does.

    :param cache: the WSDL cache folder of ``nova-vmware-owner``
    """
    env = dict(os.environ)
    if cache is not None:
        env['NOVA_VMWARE_OWNER_WSDL_CACHE'] = cache
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env,
                          timeout=300, stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    if done.returncode:
        sys.exit('%s failed (exit %d):\n%s'
                 % (argv[:3], done.returncode, done.stderr[-3000:]))
    return seconds


def write_config(sim, folder, cluster=CLUSTER):
    """A nova.conf for ``nova-vmware-owner`` against ``sim``."""
    path = os.path.join(folder, 'nova.conf')
    with open(path, 'w') as conf:
        conf.write('[DEFAULT]\nhost = compute-a\n[vmware]\n'
                   'host_ip = %s\nhost_port = %d\nhost_username = %s\n'
                   'host_password = %s\nca_file = %s\ncluster_name = %s\n'
                   % (sim.host, sim.port, sim.username, sim.password,
                      sim.ca_file, cluster))
    return path


def median(values):
    return statistics.median(values) if values else None


def summary(values):
    """Median, min and max of a list of seconds, rounded."""
    return {'median': round(statistics.median(values), 4),
            'min': round(min(values), 4), 'max': round(max(values), 4),
            'n': len(values)}


def result(name, data):
    """Print the machine-readable result line."""
    data = dict(data, benchmark=name)
    print('RESULT ' + json.dumps(data, sort_keys=True))
    sys.stdout.flush()

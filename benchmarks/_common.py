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
import tempfile
import time
import venv

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__),
                                         os.pardir))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

try:
    import oslo_vmware  # noqa: F401
    import testtools  # noqa: F401
except ImportError:
    sys.exit('The benchmarks need this package and its test requirements: '
             'run them with "tox -e benchmarks" (all) or "tox -e benchmarks '
             '-- --only NAME", which makes that environment.')

from support import base  # noqa
from support import simulator  # noqa

CLUSTER = base.CLUSTER
NOVA_REQUIREMENTS = ['nova[vmware]==34.0.0', 'SQLAlchemy<2.1']
"""The nova 34 venv of ``startup`` and ``rehome_move`` (nova's SQLAlchemy
bound, as in tox's nova environment)."""

settings = base.settings
make_store = base.make_store
RoundTrips = base.RoundTrips


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


def nova_python():
    """A Python with nova 34 and this tree.

    ``$NOVA_PYTHON``, else the benchmarks' own venv (made once, about two
    minutes).
    """
    return os.environ.get('NOVA_PYTHON') or venv_python(
        'bench-nova34', NOVA_REQUIREMENTS)


def start_simulator(**options):
    """Start ``tools/vcsim/run`` (TLS, credentials); stop it with
    ``cleanUp()``.
    """
    sim = simulator.VCenterSimulator(**options)
    sim.setUp()
    return sim


def measure(counter, function):
    """Run ``function()`` once, counting its round trips.

    :param counter: a ``base.RoundTrips`` of the session ``function`` uses
    :returns: ``(round trips, {method: count}, seconds, result)``
    """
    first = len(counter)
    started = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - started
    methods = collections.Counter(counter.methods[first:])
    return sum(methods.values()), dict(methods), seconds, result


COMMAND = ('import sys; sys.path.insert(0, %r); '
           'from nova.virt.vmwareapi.ownership import cmd; cmd.main()'
           % REPO_ROOT)
"""``python -c COMMAND ARGS`` runs ``nova-vmware-owner`` of this tree."""


def timed(argv):
    """Seconds of one process; fails the benchmark if the process does."""
    return run_process(argv)[0]


PEAK = (
    'import atexit\n'
    'def _peak():\n'
    '    import os\n'
    '    with open("/proc/self/status") as s, '
    'open(os.environ["BENCHMARK_PEAK_FILE"], "w") as o:\n'
    '        o.write("".join(l for l in s if l.startswith("VmHWM:")))\n'
    'atexit.register(_peak)\n')
"""Prepended to a ``python -c`` program: its peak resident memory
(``VmHWM``) written at exit. Not ``ru_maxrss`` from the parent: that one
keeps the parent's peak across fork and exec."""


def run_process(argv):
    """Run ``argv`` as a process of its own, as an operator would.

    :param argv: ``[python, '-c', program, ...]``
    :returns: ``(wall seconds, peak resident MiB)``: the time from its
              start to its exit, and the most memory it held
    :raises: SystemExit when the process fails
    """
    python, flag, program = argv[:3]
    assert flag == '-c', argv
    with tempfile.NamedTemporaryFile('r') as peak:
        env = dict(os.environ, BENCHMARK_PEAK_FILE=peak.name)
        started = time.perf_counter()
        done = subprocess.run([python, '-c', PEAK + program] + argv[3:],
                              capture_output=True, text=True, env=env,
                              timeout=300, stdin=subprocess.DEVNULL)
        seconds = time.perf_counter() - started
        if done.returncode:
            sys.exit('%s failed (exit %d):\n%s'
                     % (argv[:3], done.returncode, done.stderr[-3000:]))
        return seconds, int(peak.read().split()[1]) / 1024.0


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


def rounds_row(rounds):
    """The rounds that ran to their end, and the start of their row.

    :returns: (those rounds, a row with ``rounds``: how many ran, and
              ``failed``: the failure of each that did not end)
    """
    return ([r for r in rounds if 'failed' not in r],
            {'rounds': len(rounds),
             'failed': [r['failed'] for r in rounds if 'failed' in r]})


def print_row(name, row, measured, describe):
    """Print a row of rounds, then each failure.

    :param measured: a key only a row with measured rounds has
    :param describe: the row's text after its name, from the row
    """
    if measured not in row:
        print('%-16s every round failed: %s' % (name, row['failed'][:1]))
        return
    print('%-16s %s' % (name, describe(row)))
    for failure in row['failed']:
        print('    failed: %s' % failure)


def result(name, data):
    """Print the machine-readable result line."""
    data = dict(data, benchmark=name)
    print('RESULT ' + json.dumps(data, sort_keys=True))
    sys.stdout.flush()

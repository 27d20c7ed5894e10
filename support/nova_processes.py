"""nova-compute in a process of its own, started by a test.

``NovaCompute`` runs ``compute.py`` (real nova-compute with the guarded
driver: nova's own service start and stop, nova's database made by
``make_nova_database``); ``NovaComputeStart`` runs only nova-compute's
start of the guarded driver with the installed nova (``nova_compute.py``:
no database, for the release matrix). Both are event processes
(``processes.EventProcess``: JSON events, bounded waits, killed at
clean-up).
"""

import os
import shutil
import subprocess
import sys
import tempfile

import support
from support import processes

_NOVA_COMPUTE = [sys.executable, '-m', 'support.nova_compute']


class NovaComputeStart(processes.EventProcess):
    """nova-compute's start of the guarded driver (``nova_compute.py``).

    It runs its threads as the installed nova's nova-compute does by
    default: the test's environment without
    ``OS_NOVA_DISABLE_EVENTLET_PATCHING`` (which the nova tier's own
    process needs for nova's harness).

    :param test: the test case
    :param config_file: its nova.conf (``base.SimulatorTestCase
                        .config_file`` with ``NOVA_COMPUTE_OPTIONS``)
    :param machine, pid_namespace: as ``processes.EventProcess``
    """

    def __init__(self, test, config_file, machine=None, pid_namespace=None):
        env = dict(os.environ)
        env.pop('OS_NOVA_DISABLE_EVENTLET_PATCHING', None)
        super().__init__(test, _NOVA_COMPUTE + ['--config-file',
                                                config_file],
                         machine=machine, pid_namespace=pid_namespace,
                         env=env)


NOVA_COMPUTE_OPTIONS = """
[DEFAULT]
state_path = %(state_path)s
transport_url = fake:/
compute_driver = vmwareapi.ownership.driver.VMwareVCDriver
"""
"""What ``NovaComputeStart``'s nova.conf has besides the command's options."""


_NOVA_CONF = """[DEFAULT]
host = %(host)s
transport_url = fake:/
compute_driver = vmwareapi.ownership.driver.VMwareVCDriver
state_path = %(directory)s
use_stderr = true
periodic_fuzzy_delay = 0
[database]
connection = sqlite:///%(directory)s/nova.sqlite
[oslo_concurrency]
lock_path = %(directory)s
[vmware]
host_ip = 127.0.0.1
host_port = %(port)d
host_username = %(username)s
host_password = %(password)s
ca_file = %(ca_file)s
cluster_name = %(cluster)s
task_poll_interval = 0.1
[vmware_ownership]
attribute_name = %(attribute)s
lease_duration = %(lease)d
renew_interval = %(renew)d
renew_deadline = %(deadline)s
"""
NOVA_DATABASE = 'nova.sqlite'


def _nova_config(directory, **values):
    path = os.path.join(directory, 'nova.conf')
    with open(path, 'w') as f:
        f.write(_NOVA_CONF % dict(values, directory=directory))
    return path


def make_nova_database(python, directory, timeout=300):
    """nova's database, made by nova's migrations, in ``directory``.

    :param python: a Python with nova (``sys.executable`` in the nova tier)
    :returns: its path, for ``NovaCompute(database=...)`` to copy
    """
    config = _nova_config(directory, host='none', port=0, username='',
                          password='', ca_file='', cluster='', attribute='x',
                          lease=0, renew=0, deadline=0)
    subprocess.run([python, '-m', 'support.compute', '--config-file', config,
                    '--migrate'], cwd=support.REPO_ROOT, check=True,
                   capture_output=True, timeout=timeout)
    return os.path.join(directory, NOVA_DATABASE)


class NovaCompute(processes.EventProcess):
    """nova-compute with the guarded driver, in a process of its own.

    ``python -m support.compute``: nova's own service start and stop,
    nova's database copied from ``database``, its own ``state_path``. Its
    events are those of ``compute.py`` (``held``, ``started``,
    ``stepped_down``, ...).

    :param test: as for ``processes.Holder``
    :param python: a Python with nova installed
    :param database: made by ``make_nova_database``
    :param port: the simulator's port, or a proxy's
    """

    def __init__(self, test, python, database, port, host='compute-a',
                 attribute=None, lease=processes.LEASE,
                 renew=processes.RENEW, deadline=None):
        sim = test.simulator
        directory = tempfile.mkdtemp(prefix='nova-compute-')
        test.addCleanup(shutil.rmtree, directory, ignore_errors=True)
        shutil.copy(database, os.path.join(directory, NOVA_DATABASE))
        config = _nova_config(
            directory, host=host, port=port, username=sim.username,
            password=sim.password, ca_file=sim.ca_file, cluster='DC0_C0',
            attribute=attribute or test.attribute, lease=lease, renew=renew,
            deadline=(renew + lease) / 2.0 if deadline is None else deadline)
        super().__init__(test, [python, '-m', 'support.compute',
                                '--config-file', config])

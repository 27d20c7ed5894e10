"""Run by ``startup.py`` under nova's Python: time one driver start-up.

Argument: a JSON object with the simulator's address, credentials, CA
file and the driver (``nova``: nova 34's ``VMwareVCDriver``; ``ours``: the
guarded one). Each start runs in a process of its own, as nova-compute's
does: nothing is cached in memory from an earlier start (oslo.vmware
keeps the WSDL documents it parsed in memory for the life of the
process).

Prints ``RESULT <json>``: the seconds of construction + ``init_host``,
the process's resident memory right after it (``rss``, MiB) and its peak
so far (``peak``), and for ours the parts the guard adds: importing its
driver module (after nova's), opening its own vCenter session
(``vcenter.connect``: the reduced client built, the login) and
``guard.start``.
"""

import json
import os
import sys
import tempfile
import time

ARGS = json.loads(sys.argv[1])


def configure():
    # nova's session.py binds CONF.vmware.* as default arguments when it
    # is imported: parse the configuration before importing the driver.
    import nova.conf
    from nova import config as nova_config
    from nova import rpc
    conf = nova.conf.CONF
    directory = tempfile.mkdtemp(prefix='bench-startup-')
    path = os.path.join(directory, 'nova.conf')
    with open(path, 'w') as f:
        f.write('[DEFAULT]\ntransport_url = fake:/\nhost = compute-a\n'
                'state_path = %s\n'
                '[vmware]\nhost_ip = %s\nhost_port = %d\n'
                'host_username = %s\nhost_password = %s\nca_file = %s\n'
                'cluster_name = DC0_C0\napi_retry_count = 2\n'
                '[vmware_ownership]\nattribute_name = bench.startup\n'
                % (directory, ARGS['host'], ARGS['port'], ARGS['username'],
                   ARGS['password'], ARGS['ca_file']))
    nova_config.parse_args(['nova-compute', '--config-file', path],
                           default_config_files=[], configure_db=False,
                           init_rpc=False)
    rpc.init(conf)
    return conf


def timing(module, name, times, key):
    """Wrap ``module.name`` to add the seconds of each call to times[key].
    """
    real = getattr(module, name)

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            times[key] = times.get(key, 0.0) + time.perf_counter() - started
    setattr(module, name, timed)


def no_nodes_elsewhere():
    """nova-compute asks nova's conductor (one RPC) whether another host
    has the cluster's compute node; this process has no conductor and no
    database, so that answer is "none", at no cost.
    """
    from nova import objects
    objects.ComputeNodeList.get_by_hypervisor = classmethod(
        lambda cls, context, name: [])


def main():
    conf = configure()
    from nova.virt.vmwareapi import driver as nova_driver
    times = {}
    cls = nova_driver.VMwareVCDriver
    if ARGS['driver'] == 'ours':
        started = time.perf_counter()
        from nova.virt.vmwareapi.ownership import driver as our_driver
        times['import'] = time.perf_counter() - started
        from nova.virt.vmwareapi.ownership import guard as guard_mod
        from nova.virt.vmwareapi.ownership import opts
        from nova.virt.vmwareapi.ownership.vsphere import vcenter
        opts.register_opts(conf)
        no_nodes_elsewhere()
        timing(vcenter, 'connect', times, 'connect')
        timing(guard_mod.OwnershipGuard, 'start', times, 'guard_start')
        cls = our_driver.VMwareVCDriver
    started = time.perf_counter()
    driver = cls(None)
    driver.init_host('compute-a')
    times['start'] = time.perf_counter() - started
    times.update(memory())
    driver.cleanup_host('compute-a')
    print('RESULT ' + json.dumps(times))


def memory():
    """This process's resident memory now and at its peak, in MiB.

    ``VmHWM``, not ``ru_maxrss``: that one keeps the parent's peak across
    fork and exec.
    """
    found = {}
    with open('/proc/self/status') as f:
        for line in f:
            for key, name in (('VmRSS:', 'rss'), ('VmHWM:', 'peak')):
                if line.startswith(key):
                    found[name] = int(line.split()[1]) / 1024.0
    return found


if __name__ == '__main__':
    main()

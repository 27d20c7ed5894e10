"""Run by ``startup.py`` under nova's Python: time one driver start-up.

Argument: a JSON object with the simulator's address, credentials, CA
file, the driver (``nova``: nova 34's ``VMwareVCDriver``; ``ours``: the
guarded one) and, for ours, the WSDL cache folder of its session. Each
start runs in a process of its own, as nova-compute's does: nothing is
cached in memory from an earlier start (oslo.vmware keeps the WSDL
documents it parsed in memory for the life of the process).

Prints ``RESULT <json>``: the seconds of construction + ``init_host``,
and for ours the parts the guard adds: importing its driver module (after
nova's), opening its own vCenter session (``vcenter.connect``: the WSDL
documents, the suds client from the cache or built, the login) and
``guard.start``, and where the client came from (``wsdl_cache``'s
``hit``, ``built``, ``uncached``).
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
        os.environ['NOVA_VMWARE_OWNER_WSDL_CACHE'] = ARGS['cache']
        started = time.perf_counter()
        from nova.virt.vmwareapi.ownership import driver as our_driver
        times['import'] = time.perf_counter() - started
        from nova.virt.vmwareapi.ownership import guard as guard_mod
        from nova.virt.vmwareapi.ownership import opts
        from nova.virt.vmwareapi.ownership.vsphere import vcenter
        from nova.virt.vmwareapi.ownership.vsphere.wsdl import (
            cache as wsdl_cache)
        opts.register_opts(conf)
        no_nodes_elsewhere()
        timing(vcenter, 'connect', times, 'connect')
        timing(guard_mod.OwnershipGuard, 'start', times, 'guard_start')
        sources = []
        real_vim = wsdl_cache.WsdlCache.vim

        def vim(cache, *args, **kwargs):
            try:
                return real_vim(cache, *args, **kwargs)
            finally:
                sources.append(cache.last_source)
        wsdl_cache.WsdlCache.vim = vim
        cls = our_driver.VMwareVCDriver
    started = time.perf_counter()
    driver = cls(None)
    driver.init_host('compute-a')
    times['start'] = time.perf_counter() - started
    driver.cleanup_host('compute-a')
    if ARGS['driver'] == 'ours':
        times['source'] = sources[0] if sources else None
    print('RESULT ' + json.dumps(times))


if __name__ == '__main__':
    main()

"""Run by ``startup.py`` under nova's Python: time driver start-ups.

Argument: a JSON object with the simulator's address, credentials, CA file
and the number of repeats. Prints ``RESULT <json>`` with the seconds of
construction + ``init_host`` of nova's ``VMwareVCDriver`` and ours,
alternated so that both see the same machine load.
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
    from nova.virt.vmwareapi.ownership import opts
    opts.register_opts(conf)
    rpc.init(conf)
    return conf


def main():
    configure()
    from nova.virt.vmwareapi import driver as nova_driver
    from nova.virt.vmwareapi.ownership import driver as our_driver
    from nova.virt.vmwareapi.ownership import guard as guard_mod
    guard_times = []
    real_start = guard_mod.OwnershipGuard.start

    def timed_start(guard):
        started = time.perf_counter()
        try:
            return real_start(guard)
        finally:
            guard_times.append(time.perf_counter() - started)
    guard_mod.OwnershipGuard.start = timed_start
    classes = {'nova': nova_driver.VMwareVCDriver,
               'ours': our_driver.VMwareVCDriver}
    times = {'nova': [], 'ours': [], 'ours_guard': []}
    # One unmeasured start of each: imports, first TLS handshake, and the
    # first claim (later starts find the record released by the previous
    # clean stop, as on a restart).
    for number in range(ARGS['repeat'] + 1):
        for name, cls in classes.items():
            started = time.perf_counter()
            driver = cls(None)
            driver.init_host('compute-a')
            seconds = time.perf_counter() - started
            driver.cleanup_host('compute-a')
            if number:
                times[name].append(seconds)
    times['ours_guard'] = guard_times[1:]
    print('RESULT ' + json.dumps(times))


if __name__ == '__main__':
    main()

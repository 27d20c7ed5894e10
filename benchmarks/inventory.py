#!/usr/bin/env python3
"""Guard cost against inventory size: 1 cluster vs 200 clusters / 2,000 VMs.

Times and counts round trips of ``OwnershipGuard.assess()`` (the read-only
check) and ``start()`` (a first claim, lease on) on a small and a large
simulated vCenter; the ratio large/small must be about 1 (the guard reads
one cluster and the field definitions, never the inventory). Finding the
cluster by name (the CLI's ``find_cluster``; nova-compute has the cluster
reference already) lists cluster names only and is shown for information.

    tox -e benchmarks -- --only inventory

or, in that environment:

    python benchmarks/inventory.py [--repeat N]
"""

import argparse

import _common

from nova.virt.vmwareapi.ownership import guard as guard_mod
from nova.virt.vmwareapi.ownership.vsphere import vcenter

SIZES = {'small': dict(clusters=1, hosts=1, vms=1),
         'large': dict(clusters=200, hosts=1, vms=10)}


def measure(options, repeat):
    sim = _common.start_simulator(**options)
    try:
        session = sim.session()
        counter = _common.RoundTrips(session)
        out = {'assess': [], 'start': [], 'find_cluster': []}
        for number in range(repeat):
            store = _common.make_store(session, 'bench.inv.%d' % number)
            guard = guard_mod.OwnershipGuard(store, 'compute-a',
                                             _common.settings(
                                                 attribute_name=store
                                                 .attribute_name))
            for name, function in (
                    ('start', guard.start), ('assess', guard.assess),
                    ('find_cluster', lambda: vcenter.find_cluster(
                        session, _common.CLUSTER))):
                out[name].append(_common.measure(counter, function)[:3])
        session.logout()
    finally:
        sim.cleanUp()
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeat', type=int, default=20)
    args = parser.parse_args()
    raw = {size: measure(options, args.repeat)
           for size, options in SIZES.items()}
    data = {'sizes': SIZES}
    for operation in ('assess', 'start', 'find_cluster'):
        row = {}
        for size in SIZES:
            runs = raw[size][operation]
            row[size] = {'round_trips': sorted({r[0] for r in runs}),
                         'seconds': _common.summary([r[2] for r in runs])}
        row['time_ratio'] = round(row['large']['seconds']['median'] /
                                  row['small']['seconds']['median'], 2)
        row['round_trip_ratio'] = round(
            max(row['large']['round_trips']) /
            max(row['small']['round_trips']), 2)
        data[operation] = row
        print('%-13s small %s rt %6.1f ms | large %s rt %6.1f ms | '
              'ratio time %.2f, round trips %.2f' % (
                  operation, row['small']['round_trips'],
                  row['small']['seconds']['median'] * 1000,
                  row['large']['round_trips'],
                  row['large']['seconds']['median'] * 1000,
                  row['time_ratio'], row['round_trip_ratio']))
    _common.result('inventory', data)


if __name__ == '__main__':
    main()

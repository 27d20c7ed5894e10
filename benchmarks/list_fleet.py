#!/usr/bin/env python3
"""``list`` against inventory size: 1 cluster vs 200 clusters / 2,000 VMs.

Counts the round trips (HTTP POSTs at the session's transport) and times
one reading of the whole vCenter as the command makes it
(``cli.fleet.read`` and the rows), on a small and a large simulated
vCenter: the round trips must be the same (one container view, one
property collection, the view destroyed). Also times ``list --format
json`` as a whole process on both.

    tox -e benchmarks -- --only list_fleet

or, in that environment:

    python benchmarks/list_fleet.py [--repeat N] [--processes N]
"""

import argparse
import sys
import tempfile
import types

import _common

from nova.virt.vmwareapi.ownership.cli import context
from nova.virt.vmwareapi.ownership.cli import fleet as fleet_cli
from nova.virt.vmwareapi.ownership.vsphere import vcenter

SIZES = {'small': dict(clusters=1, hosts=1, vms=1),
         'large': dict(clusters=200, hosts=1, vms=10)}


def process_seconds(argv, times):
    """Wall times of ``times`` runs of ``argv`` (after one to warm up)."""
    _common.timed(argv)
    return [_common.timed(argv) for _ in range(times)]


def measure(options, repeat, processes):
    sim = _common.start_simulator(**options)
    try:
        session = sim.session()
        # A few records, so that the reading parses some.
        for number in range(min(options['clusters'], 3)):
            store = _common.make_store(session, 'openstack.nova.owner',
                                       'DC0_C%d' % number)
            store.write_attribute(store.ensure_attribute(), 'compute-a')
        ctx = context.Context(
            types.SimpleNamespace(host='compute-a'), _common.settings(),
            vcenter_uuid=vcenter.vcenter_uuid(session), session=session)
        counter = _common.RoundTrips(session)
        runs = [_common.measure(counter,
                                lambda: fleet_cli.read(ctx).states())
                for _ in range(repeat)]
        rows = len(runs[0][3])
        session.logout()
        with tempfile.TemporaryDirectory() as folder:
            seconds = process_seconds(
                [sys.executable, '-c', _common.COMMAND, '--config-file',
                 _common.write_config(sim, folder, 'no-such-cluster'),
                 'list', '--format', 'json'], processes)
    finally:
        sim.cleanUp()
    return {'clusters': rows,
            'round_trips': sorted({run[0] for run in runs}),
            'seconds': _common.summary([run[2] for run in runs]),
            'process': _common.summary(seconds)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeat', type=int, default=20,
                        help='readings in process per size')
    parser.add_argument('--processes', type=int, default=5,
                        help='whole "list" processes per size (warm)')
    args = parser.parse_args()
    data = {'sizes': SIZES}
    for size, options in SIZES.items():
        data[size] = row = measure(options, args.repeat, args.processes)
        print('%-5s %3d clusters: %s round trips, reading %6.1f ms '
              '(median of %d); "list" process %.3f s (median of %d)'
              % (size, row['clusters'], row['round_trips'],
                 row['seconds']['median'] * 1000, row['seconds']['n'],
                 row['process']['median'], row['process']['n']))
    data['round_trip_ratio'] = round(
        max(data['large']['round_trips']) /
        max(data['small']['round_trips']), 2)
    data['time_ratio'] = round(data['large']['seconds']['median'] /
                               data['small']['seconds']['median'], 2)
    print('large/small: round trips %.2f, reading time %.2f'
          % (data['round_trip_ratio'], data['time_ratio']))
    _common.result('list_fleet', data)


if __name__ == '__main__':
    main()

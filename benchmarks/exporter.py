#!/usr/bin/env python3
"""The metrics endpoint (``list --serve``): scrape time and memory.

On a small (1 cluster) and a large (200 clusters / 2,000 VMs) simulated
vCenter, with one cluster held (so the renewal age series exists) and a
few claimed, the endpoint runs in this process as the command runs it
(``cli.serve.Exporter`` and ``cli.serve.listen``), each size in a fresh
process of its own:

- the time of one reading (login excluded) and the size of a scrape;
- the time of a scrape over HTTP, between readings and while readings run
  back to back (a scrape is answered from the last reading: it should not
  grow with the inventory, nor wait for a reading);
- the resident memory (VmRSS) before the first reading and after 1, 10,
  100 and 1,000 readings.

    tox -e benchmarks -- --only exporter

or, in that environment:

    python benchmarks/exporter.py [--readings N] [--scrapes N]
"""

import argparse
import json
import subprocess
import sys
import threading
import time
import types
import urllib.request

import _common

from nova.virt.vmwareapi.ownership.cli import context
from nova.virt.vmwareapi.ownership.cli import serve
from nova.virt.vmwareapi.ownership.fleet import metrics
from nova.virt.vmwareapi.ownership import guard as guard_mod

SIZES = {'small': dict(clusters=1, hosts=1, vms=1),
         'large': dict(clusters=200, hosts=1, vms=10)}
ATTRIBUTE = 'openstack.nova.owner'
CHECKPOINTS = (1, 10, 100, 1000)


def rss_kib():
    """This process's resident memory, KiB."""
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    raise RuntimeError('no VmRSS in /proc/self/status')


def exporter_context(sim):
    """``list --serve``'s context on ``sim``, without nova or filters."""
    vmware = types.SimpleNamespace(
        host_ip=sim.host, host_port=sim.port, host_username=sim.username,
        host_password=sim.password, ca_file=sim.ca_file, insecure=False)
    conf = types.SimpleNamespace(
        host='compute-a', timeout=20.0, vmware=vmware,
        command=types.SimpleNamespace(datacenter=[], folder=[], cluster=[],
                                      nova=False))
    return context.Context(conf, _common.settings(attribute_name=ATTRIBUTE))


def scrape_seconds(url, count):
    times, size = [], 0
    for _ in range(count):
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=30) as answer:
            size = len(answer.read())
        times.append(time.perf_counter() - started)
    return times, size


def measure_one(options, readings, scrapes):
    sim = _common.start_simulator(**options)
    try:
        session = sim.session()
        guard_mod.OwnershipGuard(
            _common.make_store(session, ATTRIBUTE, 'DC0_C0'), 'compute-a',
            _common.settings(attribute_name=ATTRIBUTE)).start()
        for number in range(1, min(options['clusters'], 4)):
            store = _common.make_store(session, ATTRIBUTE,
                                       'DC0_C%d' % number)
            store.write_attribute(store.ensure_attribute(), 'compute-b')
        rss = {'before': rss_kib()}
        exporter = serve.Exporter(exporter_context(sim), 60)
        server = serve.listen('127.0.0.1', 0, metrics.registry(
            metrics.ExporterCollector(exporter.status)))
        url = 'http://127.0.0.1:%d/metrics' % server.server_address[1]
        reading_times = []
        for number in range(1, readings + 1):
            started = time.perf_counter()
            exporter.read_once()
            reading_times.append(time.perf_counter() - started)
            if number in CHECKPOINTS:
                rss['after_%d' % number] = rss_kib()
            if number == 1:
                status = exporter.status()
                assert status.up, 'the first reading failed'
                assert status.renewal_ages, 'no held cluster was read'
                quiet, size = scrape_seconds(url, scrapes)
        errors = exporter.status().errors
        busy = []
        stop = threading.Event()

        def read_back_to_back():
            while not stop.is_set():
                exporter.read_once()

        reader = threading.Thread(target=read_back_to_back)
        reader.start()
        try:
            busy, _ = scrape_seconds(url, scrapes)
        finally:
            stop.set()
            reader.join(60)
        server.shutdown()
        server.server_close()
        exporter.close()
        session.logout()
    finally:
        sim.cleanUp()
    return {'clusters': options['clusters'],
            'reading': _common.summary(reading_times[1:]),
            'first_reading': round(reading_times[0], 4),
            'scrape': _common.summary(quiet),
            'scrape_during_readings': _common.summary(busy),
            'scrape_bytes': size, 'rss_kib': rss,
            'failed_readings': sum(errors.values()), 'readings': readings}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--readings', type=int, default=1000)
    parser.add_argument('--scrapes', type=int, default=50)
    parser.add_argument('--one', choices=sorted(SIZES),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print('ONE ' + json.dumps(measure_one(SIZES[args.one], args.readings,
                                              args.scrapes)))
        return
    data = {'sizes': SIZES}
    for size in SIZES:
        # Each size in a fresh process: its memory is its own.
        done = subprocess.run(
            [sys.executable, __file__, '--one', size, '--readings',
             str(args.readings), '--scrapes', str(args.scrapes)],
            capture_output=True, text=True, timeout=3600,
            stdin=subprocess.DEVNULL)
        lines = [line for line in done.stdout.splitlines()
                 if line.startswith('ONE ')]
        if done.returncode or not lines:
            sys.exit('%s failed:\n%s' % (size, done.stderr[-3000:]))
        data[size] = row = json.loads(lines[-1][4:])
        last = max(c for c in CHECKPOINTS if c <= args.readings)
        print('%-5s %3d clusters: reading %6.1f ms, scrape %5.1f ms '
              '(%5.1f ms during readings, %d bytes); RSS %d MiB before, '
              '%d MiB after 1 reading, %d MiB after %d readings'
              % (size, row['clusters'], row['reading']['median'] * 1000,
                 row['scrape']['median'] * 1000,
                 row['scrape_during_readings']['median'] * 1000,
                 row['scrape_bytes'], row['rss_kib']['before'] // 1024,
                 row['rss_kib']['after_1'] // 1024,
                 row['rss_kib']['after_%d' % last] // 1024, last))
    _common.result('exporter', data)


if __name__ == '__main__':
    main()

"""``list --serve``: the metrics endpoint as Prometheus scrapes it.

The command runs as a subprocess (a reading every second), is scraped
over HTTP and parsed with prometheus_client's parser; it must survive a
simulator that restarts (all state lost) and one that goes silent
(through ``support.tcpproxy``): each scrape answers at once, with the
error series set and the last good reading.
"""

import os
import select
import signal
import socket
import subprocess
import time

import fixtures
from prometheus_client import parser
import requests

from nova.virt.vmwareapi.ownership import guard as guard_mod
from support import base
from support import simulator
from support import tcpproxy
from support import wait

THIS = 'compute-a'
INTERVAL = 1
TIMEOUT = 3
"""--timeout: how long each request of the exporter may wait."""
SCRAPE_BOUND = 2.0
"""Seconds a scrape may take, whatever vCenter does."""
SETTLE = 30
"""Seconds to wait for what the exporter should show after a few
readings (generous: a loaded machine)."""


class Exporter:
    """A ``list --serve`` subprocess and its endpoint."""

    def __init__(self, test, config, *args):
        self.stderr_path = os.path.join(
            test.useFixture(fixtures.TempDir()).path, 'stderr')
        with open(self.stderr_path, 'w') as stderr:
            self.process = subprocess.Popen(
                base.command_argv() + ['--config-file', config, '--timeout',
                                       str(TIMEOUT), 'list', '--serve',
                                       '127.0.0.1:0', '--interval',
                                       str(INTERVAL)] +
                list(args), stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=stderr, text=True,
                preexec_fn=simulator.die_with_parent)
        test.addCleanup(self.kill)
        ready, _, _ = select.select([self.process.stdout], [], [],
                                    base.COMMAND_TIMEOUT)
        line = self.process.stdout.readline() if ready else ''
        test.assertIn('/metrics', line, self.stderr())
        self.url = line.split(' on ', 1)[1].split(',', 1)[0]

    def stderr(self):
        with open(self.stderr_path) as f:
            return f.read()

    def scrape(self):
        """``({name: family}, seconds the scrape took)``."""
        started = time.monotonic()
        answer = requests.get(self.url, timeout=SCRAPE_BOUND * 5)
        took = time.monotonic() - started
        answer.raise_for_status()
        return ({family.name: family for family in
                 parser.text_string_to_metric_families(answer.text)}, took)

    def value(self, name, **labels):
        """The value of one series now (``None`` when absent)."""
        families, _ = self.scrape()
        for family in families.values():
            for sample in family.samples:
                if sample.name == name and all(
                        sample.labels.get(k) == v for k, v in labels.items()):
                    return sample.value
        return None

    def stop(self, sig=signal.SIGTERM):
        self.process.send_signal(sig)
        return self.process.wait(base.COMMAND_TIMEOUT)

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(base.COMMAND_TIMEOUT)
        self.process.stdout.close()


class ExporterTestCase(base.SimulatorTestCase):

    SIMULATOR_OPTIONS = {'clusters': 3}

    def exporter(self, *args, port=None):
        return Exporter(self, self.config_file(THIS, port=port), *args)

    def assertEventually(self, predicate, what, exporter):
        self.assertTrue(wait.wait_until(predicate, SETTLE, 0.2),
                        '%s; stderr:\n%s' % (what, exporter.stderr()))

    def test_serves_the_reading_and_its_own_series(self):
        holder = guard_mod.OwnershipGuard(
            self.make_store(cluster='DC0_C1'), THIS, base.settings(
                attribute_name=self.attribute))
        holder.start()
        exporter = self.exporter()

        def age():
            return exporter.value(
                'nova_vmware_owner_cluster_renewal_age_seconds',
                cluster='DC0_C1') or 0

        self.assertEventually(lambda: age() >= 2 * INTERVAL,
                              'the holder ages while it does not renew',
                              exporter)
        families, took = exporter.scrape()
        self.assertLess(took, SCRAPE_BOUND)
        info = {s.labels['cluster']: s.labels['state']
                for s in families['nova_vmware_owner_cluster_info'].samples}
        self.assertEqual({'DC0_C0': 'unowned', 'DC0_C1': 'held',
                          'DC0_C2': 'unowned'}, info)
        for name, kind in (
                ('nova_vmware_owner_up', 'gauge'),
                ('nova_vmware_owner_reading_errors', 'counter'),
                ('nova_vmware_owner_reading_age_seconds', 'gauge'),
                ('nova_vmware_owner_reading_duration_seconds', 'gauge'),
                ('nova_vmware_owner_reading_interval_seconds', 'gauge'),
                ('nova_vmware_owner_lease_duration_seconds', 'gauge'),
                ('nova_vmware_owner_cluster_renewal_age_seconds', 'gauge'),
                ('nova_vmware_owner_reading_timestamp_seconds', 'gauge')):
            with self.subTest(name=name):
                self.assertEqual(kind, families[name].type)
        self.assertEqual(1, exporter.value('nova_vmware_owner_up'))
        self.assertEqual(180, exporter.value(
            'nova_vmware_owner_lease_duration_seconds'))
        # A renewal starts the watch again: the age drops.
        holder.renew()
        self.assertEventually(lambda: age() < 2 * INTERVAL,
                              'a renewal resets the age', exporter)
        self.assertEqual(0, exporter.stop())
        self.assertNotIn('Traceback', exporter.stderr())
        self.assertNotIn(self.simulator.password, exporter.stderr())

    def test_stops_on_sigint_with_exit_0(self):
        exporter = self.exporter('--cluster', 'DC0_C2')
        self.assertEventually(
            lambda: exporter.value('nova_vmware_owner_up') == 1, 'up',
            exporter)
        families, _ = exporter.scrape()
        self.assertEqual(['DC0_C2'], [
            s.labels['cluster']
            for s in families['nova_vmware_owner_cluster_info'].samples])
        self.assertEqual(0, exporter.stop(signal.SIGINT))

    def test_survives_a_restart_of_vcenter(self):
        store = self.make_store(cluster='DC0_C0')
        guard_mod.OwnershipGuard(store, THIS, base.settings(
            attribute_name=self.attribute, lease_duration=0)).start()
        exporter = self.exporter()
        self.assertEventually(
            lambda: exporter.value('nova_vmware_owner_cluster_info',
                                   cluster='DC0_C0', state='released') == 1,
            'the claim is read', exporter)
        self.simulator.restart()
        # The restarted vCenter has lost every record: a reading after the
        # restart shows the cluster unowned, through a new login.
        self.assertEventually(
            lambda: exporter.value('nova_vmware_owner_cluster_info',
                                   cluster='DC0_C0', state='unowned') == 1,
            'a reading after the restart', exporter)
        self.assertEqual(1, exporter.value('nova_vmware_owner_up'))
        self.assertEqual(0, exporter.stop())

    def test_a_silent_vcenter(self):
        proxy = tcpproxy.TCPProxy(self.simulator.port)
        self.addCleanup(proxy.close)
        exporter = self.exporter(port=proxy.port)
        self.assertEventually(
            lambda: exporter.value('nova_vmware_owner_up') == 1, 'up',
            exporter)
        proxy.set_mode(tcpproxy.BLACKHOLE)
        self.assertEventually(
            lambda: exporter.value('nova_vmware_owner_up') == 0,
            'down while vCenter is silent', exporter)
        families, took = exporter.scrape()
        self.assertLess(took, SCRAPE_BOUND)
        self.assertGreaterEqual(exporter.value(
            'nova_vmware_owner_reading_errors_total', reason='timeout'), 1)
        # The last good reading is still served, and ages.
        self.assertEqual(3, len(
            families['nova_vmware_owner_cluster_info'].samples))
        self.assertGreater(exporter.value(
            'nova_vmware_owner_reading_age_seconds'), INTERVAL)
        self.assertIn('No reading of vCenter within', exporter.stderr())
        proxy.set_mode(tcpproxy.FORWARD)
        # Once the abandoned reading has given up (--timeout), the next
        # one logs in again.
        self.assertEventually(
            lambda: exporter.value('nova_vmware_owner_up') == 1,
            'up again', exporter)
        self.assertEqual(0, exporter.stop())

    def test_cannot_listen(self):
        with socket.socket() as taken:
            taken.bind(('127.0.0.1', 0))
            taken.listen(1)
            port = taken.getsockname()[1]
            out = self.run_command(
                '--config-file', self.config_file(THIS), 'list', '--serve',
                '127.0.0.1:%d' % port)
        self.assertEqual(2, out.returncode, out.stderr)
        self.assertIn('--serve', out.stderr)
        self.assertIn('cannot listen on 127.0.0.1:%d' % port, out.stderr)

    def test_bad_options_exit_2(self):
        for args, says in ((('--interval', '5'), '--interval'),
                           (('--serve', 'nowhere'), '--serve'),
                           (('--serve', ':0', '--interval', '0.5'),
                            '--interval')):
            with self.subTest(args=args):
                out = self.run_command('--config-file',
                                       self.config_file(THIS), 'list',
                                       *args)
                self.assertEqual(2, out.returncode, out.stderr)
                self.assertIn(says, out.stderr)

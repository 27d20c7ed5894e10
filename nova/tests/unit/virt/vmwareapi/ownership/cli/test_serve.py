"""``list --serve``: its address, its loop of readings, its HTTP endpoint.

The readings run inline (``start``) on a fake clock and the sample fleet;
a hung reading is one whose thread never runs. The endpoint is served on
a loopback port and scraped. Against the simulator (a restart, a silent
vCenter, signals): functional ``test_exporter``.
"""

import threading
import types
import urllib.request

import fixtures
from oslotest import base
from prometheus_client import parser

from nova.virt.vmwareapi.ownership.cli import context
from nova.virt.vmwareapi.ownership.cli import fleet as fleet_cli
from nova.virt.vmwareapi.ownership.cli import serve
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership.fleet import metrics
from nova.virt.vmwareapi.ownership.novadb import exceptions as nova_errors
from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors
from nova.virt.vmwareapi.ownership.vsphere import vmware_opts
from support import fakes
from support import sample_fleet as samples

INTERVAL = 60


class FakeSession:

    endpoint = fakes.VCENTER

    def __init__(self):
        self.vim = types.SimpleNamespace(service_content=types.SimpleNamespace(
            about=types.SimpleNamespace(instanceUuid=samples.UUID)))
        self.logged_out = False

    def logout(self):
        self.logged_out = True


class Inline:
    """Runs a reading at once, in the test's thread."""

    def __init__(self):
        self.runs = 0

    def __call__(self, target):
        self.runs += 1
        target()
        return threading.Thread()  # never started: not alive


class Hung:
    """A reading whose thread hangs: it never runs."""

    def __init__(self):
        self.targets = []

    def __call__(self, target):
        self.targets.append(target)
        return types.SimpleNamespace(is_alive=lambda: True)


class ParseAddressTestCase(base.BaseTestCase):

    def test_addresses(self):
        for text, expected in (('127.0.0.1:9180', ('127.0.0.1', 9180)),
                               ('[::1]:9180', ('::1', 9180)),
                               ('[::]:0', ('::', 0)),
                               (':9180', ('0.0.0.0', 9180)),
                               ('exporter.example:80',
                                ('exporter.example', 80))):
            with self.subTest(text=text):
                self.assertEqual(expected, serve.parse_address(text))

    def test_refused(self):
        for text in ('9180', 'host:', 'host:http', 'host:65536', '::1:80x',
                     '[::1:80', '', None):
            with self.subTest(text=text):
                error = self.assertRaises(exceptions.ConfigurationError,
                                          serve.parse_address, text)
                self.assertEqual(('--serve',), error.options)


class ExporterTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.clock = fakes.FakeClock()
        conf = types.SimpleNamespace(
            host=fakes.HOST, timeout=20.0, command=types.SimpleNamespace(
                datacenter=[], folder=[], cluster=[]))
        self.ctx = context.Context(conf, fakes.settings(), clock=self.clock)
        self.sessions = []
        self.connect_error = None
        self.read_error = None
        self.useFixture(fixtures.MockPatchObject(
            vmware_opts, 'endpoint', return_value=fakes.VCENTER))
        self.useFixture(fixtures.MockPatchObject(
            fleet_cli.vsphere_fleet, 'read', side_effect=self.read))

    def connect(self, endpoint, timeout):
        self.assertEqual((fakes.VCENTER, 20.0), (endpoint, timeout))
        if self.connect_error is not None:
            raise self.connect_error
        self.sessions.append(FakeSession())
        return self.sessions[-1]

    def read(self, session, attribute, where):
        self.assertIs(self.sessions[-1], session)
        if self.read_error is not None:
            raise self.read_error
        return samples.sample(False).clusters

    def exporter(self, start=None):
        return serve.Exporter(self.ctx, INTERVAL, connect=self.connect,
                              start=start or Inline())

    def test_the_bound_is_the_interval_at_least_the_timeout(self):
        self.assertEqual(60, self.exporter().bound)
        self.assertEqual(20.0, serve.Exporter(self.ctx, 5).bound)

    def test_a_good_reading_keeps_its_session(self):
        exporter = self.exporter()
        exporter.read_once()
        exporter.read_once()
        status = exporter.status()
        self.assertTrue(status.up)
        self.assertEqual(samples.UUID, status.document['vcenter_uuid'])
        self.assertEqual(7, len(status.document['clusters']))
        self.assertEqual(['domain-c7'], list(status.renewal_ages))
        self.assertEqual(1, len(self.sessions), 'one login')
        exporter.close()
        self.assertTrue(self.sessions[0].logged_out)

    def test_vcenter_unreachable_drops_the_session(self):
        exporter = self.exporter()
        exporter.read_once()
        self.read_error = vsphere_errors.VCenterUnreachable(
            endpoint=fakes.VCENTER, reason='Connection refused')
        exporter.read_once()
        status = exporter.status()
        self.assertEqual((False, 1), (status.up, status.errors['vcenter']))
        self.assertIsNotNone(status.document, 'the last good one is served')
        self.read_error = None
        exporter.read_once()
        self.assertTrue(exporter.status().up)
        self.assertEqual(2, len(self.sessions), 'logged in again')

    def test_another_fault_keeps_the_session(self):
        exporter = self.exporter()
        exporter.read_once()
        self.read_error = exceptions.MissingPrivilege(
            privilege='System.Read', operation='RetrievePropertiesEx',
            username='u')
        exporter.read_once()
        self.read_error = None
        exporter.read_once()
        self.assertEqual(1, len(self.sessions))

    def test_a_failed_login(self):
        self.connect_error = vsphere_errors.VCenterLoginFailed(
            endpoint=fakes.VCENTER, username='u')
        exporter = self.exporter()
        exporter.read_once()
        status = exporter.status()
        self.assertEqual((False, None, 1), (status.up, status.document,
                                            status.errors['vcenter']))

    def test_nova_unavailable(self):
        self.ctx.nova = context.NovaDatabases(types.SimpleNamespace(
            read=self.nova_down))
        exporter = self.exporter()
        exporter.read_once()
        self.assertEqual(1, exporter.status().errors['nova'])
        self.assertEqual(1, len(self.sessions))
        exporter.read_once()
        self.assertEqual(1, len(self.sessions), 'vCenter is fine')

    def nova_down(self, ctxt):
        raise nova_errors.NovaDatabaseUnavailable(
            option='[database] connection', reason='down')

    def test_a_bug_is_logged_and_counted(self):
        logger = self.useFixture(fixtures.FakeLogger(name=serve.__name__))
        self.read_error = KeyError('oops')
        exporter = self.exporter()
        exporter.read_once()
        self.assertEqual(1, exporter.status().errors['error'])
        self.assertIn('Unexpected error in a reading', logger.output)

    def test_a_hung_reading_is_abandoned_within_its_bound(self):
        hung = Hung()
        exporter = self.exporter(hung)
        started = self.clock.now()
        exporter.read_once()
        self.assertEqual(INTERVAL, self.clock.now() - started)
        status = exporter.status()
        self.assertEqual((False, 1, INTERVAL),
                         (status.up, status.errors['timeout'],
                          status.reading_seconds))
        # While it still runs, no other reading starts.
        exporter.read_once()
        self.assertEqual(1, len(hung.targets))
        self.assertEqual(2, exporter.status().errors['timeout'])
        # When it ends at last, it logs its session out and records
        # nothing: the reading was given up.
        hung.targets[0]()
        self.assertTrue(self.sessions[0].logged_out)
        self.assertFalse(exporter.status().up)

    def test_stop_during_a_reading_counts_no_error(self):
        hung = Hung()
        exporter = self.exporter(hung)
        self.clock.on_sleep.append(exporter.stop)
        exporter.run()
        self.assertEqual(0, exporter.status().errors['timeout'])
        self.assertEqual(1, len(hung.targets))

    def test_run_reads_every_interval_until_stopped(self):
        inline = Inline()
        exporter = self.exporter(inline)
        self.clock.on_sleep.append(
            lambda: inline.runs == 3 and exporter.stop())
        exporter.run()
        self.assertEqual(3, inline.runs)
        self.assertEqual([INTERVAL] * 3, self.clock.slept)


class ListenTestCase(base.BaseTestCase):

    def test_serves_the_registry(self):
        registry = metrics.registry(metrics.ExporterCollector(
            lambda: serve.Exporter(context.Context(
                types.SimpleNamespace(timeout=1), fakes.settings()),
                60).status()))
        server = serve.listen('127.0.0.1', 0, registry)
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        host, port = server.server_address[:2]
        with urllib.request.urlopen('http://%s:%d/metrics' % (host, port),
                                    timeout=10) as answer:
            text = answer.read().decode('utf-8')
        names = {f.name for f in parser.text_string_to_metric_families(text)}
        self.assertIn('nova_vmware_owner_up', names)

    def test_an_address_in_use(self):
        server = serve.listen('127.0.0.1', 0, metrics.registry(
            metrics.ExporterCollector(None)))
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        port = server.server_address[1]
        error = self.assertRaises(exceptions.ConfigurationError,
                                  serve.listen, '127.0.0.1', port,
                                  metrics.registry(
                                      metrics.ExporterCollector(None)))
        self.assertEqual(('--serve',), error.options)
        self.assertIn('cannot listen on 127.0.0.1:%d' % port, str(error))

"""The ``list`` command through ``cli.main``: formats, errors, exit codes.

``Context.connect`` is replaced by a context that connected to nothing,
and the reading by the sample fleet of ``test_fleet``; reading a vCenter
and nova for real is tested against the simulator and in nova's harness.
"""

import json
import sys
import types
from unittest import mock

import fixtures
from prometheus_client import parser

from nova.tests.unit.virt.vmwareapi.ownership.cli import test_main
from nova.virt.vmwareapi.ownership.cli import context
from nova.virt.vmwareapi.ownership.cli import fleet as fleet_cli
from nova.virt.vmwareapi.ownership.cli import main as cli
from nova.virt.vmwareapi.ownership.fleet import disagreement
from support import fakes
from support import sample_fleet as samples


class SampleContext(context.Context):
    """A context that connected to nothing, and knows when it is closed."""

    closed = False

    def close(self):
        self.closed = True


class ListTestCase(test_main.CliTestCase):

    def on_the_sample(self):
        """The command reads the sample, with nova's records if asked."""
        def connect(conf, cluster=True, nova=None, clock=None, login=True):
            self.assertFalse(cluster)
            self.ctx = SampleContext(conf)
            return self.ctx

        self.useFixture(fixtures.MockPatchObject(
            context.Context, 'connect', side_effect=connect))
        self.useFixture(fixtures.MockPatchObject(
            fleet_cli, 'read',
            side_effect=lambda ctx: samples.sample(ctx.conf.command.nova)))

    def test_without_nova_lists_and_exits_0(self):
        self.on_the_sample()
        self.assertEqual(cli.EXIT_OK, self.main('list'))
        text = self.stdout.getvalue()
        self.assertIn('7 cluster(s)', text)
        self.assertNotIn('DISAGREES', text)
        self.assertEqual('', self.stderr.getvalue())
        self.assertTrue(self.ctx.closed)

    def test_disagreements_exit_3_after_printing_their_fixes(self):
        self.on_the_sample()
        self.assertEqual(cli.EXIT_DISAGREES, self.main('list', '--nova'))
        self.assertEqual(3, cli.EXIT_DISAGREES)
        self.assertIn('DC0_C1 (domain-c8): no-record: nova manages',
                      self.stdout.getvalue())
        self.assertOneParagraph(self.stderr.getvalue(),
                                'disagree on 3 of 7 cluster(s)')
        self.assertTrue(self.ctx.closed)

    def test_json(self):
        self.on_the_sample()
        self.assertEqual(cli.EXIT_DISAGREES,
                         self.main('list', '--nova', '--format', 'json'))
        document = json.loads(self.stdout.getvalue())
        self.assertEqual(samples.UUID, document['vcenter_uuid'])
        self.assertEqual([[disagreement.TWO_NOVA_HOSTS],
                          [disagreement.NO_RECORD]],
                         [c['disagreements']
                          for c in document['clusters'][:2]])
        for state in document['clusters']:
            for key in samples.REQUIRED_KEYS:
                with self.subTest(key=key):
                    self.assertIn(key, state)

    def test_global_format_applies(self):
        self.on_the_sample()
        self.assertEqual(cli.EXIT_OK, self.main('--format', 'json', 'list'))
        self.assertFalse(json.loads(self.stdout.getvalue())['nova'])

    def test_prometheus(self):
        self.on_the_sample()
        self.assertEqual(cli.EXIT_DISAGREES,
                         self.main('list', '--nova', '--format',
                                   'prometheus'))
        text = self.stdout.getvalue()
        self.assertTrue(text.endswith('\n') and not text.endswith('\n\n'))
        names = {family.name for family in
                 parser.text_string_to_metric_families(text)}
        self.assertIn('nova_vmware_owner_disagreements', names)

    def on_the_sample_clusters(self):
        """The command filters the sample's clusters, as read from vCenter.
        """
        def connect(conf, cluster=True, nova=None, clock=None, login=True):
            self.ctx = SampleContext(
                conf, fakes.settings(), vcenter_uuid=samples.UUID,
                session=types.SimpleNamespace(endpoint=fakes.VCENTER))
            return self.ctx

        self.useFixture(fixtures.MockPatchObject(
            context.Context, 'connect', side_effect=connect))
        self.useFixture(fixtures.MockPatchObject(
            fleet_cli.vsphere_fleet, 'read',
            return_value=samples.sample(False).clusters))

    def test_filters(self):
        self.on_the_sample_clusters()
        self.assertEqual(cli.EXIT_OK, self.main(
            'list', '--format', 'json', '--cluster', 'DC0_C1', '--cluster',
            'domain-c12', '--datacenter', 'DC0', '--folder', 'DC0/host'))
        document = json.loads(self.stdout.getvalue())
        self.assertEqual(['DC0_C1', 'DC0_C5'],
                         [c['cluster'] for c in document['clusters']])
        self.assertEqual({'datacenters': ['DC0'], 'folders': ['DC0/host'],
                          'clusters': ['DC0_C1', 'domain-c12']},
                         document['scope'])
        self.assertEqual(('DC0', '/DC0/host/DC0_C1'),
                         (document['clusters'][0]['datacenter'],
                          document['clusters'][0]['path']))
        self.assertTrue(self.ctx.closed)

    def test_filters_that_match_nothing_exit_2(self):
        self.on_the_sample_clusters()
        self.assertEqual(cli.EXIT_USAGE,
                         self.main('list', '--datacenter', 'DC9'))
        self.assertEqual('', self.stdout.getvalue())
        self.assertOneParagraph(self.stderr.getvalue(),
                                'No cluster of the vCenter matches '
                                '--datacenter DC9 (the vCenter has 7 '
                                'cluster(s))')

    def test_prometheus_is_for_list_only(self):
        self.assertEqual(cli.EXIT_USAGE,
                         self.main('show', '--format', 'prometheus'))

    def test_unknown_format(self):
        self.assertEqual(cli.EXIT_USAGE, self.main('list', '--format', 'xml'))

    def test_a_missing_vcenter_option_is_named(self):
        self.assertEqual(cli.EXIT_USAGE, self.main(
            'list', config=self.config(drop=('cluster_name', 'host_ip'))))
        self.assertOneParagraph(self.stderr.getvalue(), '[vmware] host_ip')

    def test_nova_not_installed(self):
        hidden = mock.patch.dict(
            sys.modules, {'nova.virt.vmwareapi.ownership.novadb.fleet': None})
        hidden.start()
        self.addCleanup(hidden.stop)
        self.assertEqual(cli.EXIT_USAGE, self.main('list', '--nova'))
        self.assertOneParagraph(self.stderr.getvalue(),
                                'list --nova needs nova',
                                "-py3-none-any.whl[nova]'")

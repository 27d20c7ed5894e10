"""The command as an operator runs it: its logs, one cluster name twice.

As subprocesses against the simulator: the audit line of a change reaches
a log file and syslog (a datagram socket standing in for /dev/log,
through ``--log-config-append``); a cluster name used in two datacenters
(made with ``Rename_Task``, as vSphere allows it) is resolved as nova's
driver resolves it, and ``--cluster-moref`` reaches the other one.
"""

import json
import os
import socket

import fixtures
from oslo_vmware import vim_util

from support import base

AUDIT = 'nova-vmware-owner: claimed DC0_C0: owner (none) -> compute-a'


class TestLogging(base.SimulatorTestCase):

    SIMULATOR_OPTIONS = {'clusters': 1, 'vms': 0}

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir())
        self.conf = self.config_file('compute-a')

    def test_the_audit_line_in_a_log_file(self):
        path = self.tmp.join('owner.log')
        out = self.run_command('--config-file', self.conf,
                               '--log-file', path, 'claim')
        self.assertEqual(0, out.returncode, out.stderr)
        with open(path) as f:
            logged = f.read()
        self.assertIn(AUDIT, logged)
        self.assertIn('INFO nova.virt.vmwareapi.ownership.operations',
                      logged)
        self.assertNotIn(self.simulator.password, logged)
        # The console keeps the result and the audit line only.
        self.assertEqual(1, out.stderr.count(AUDIT), out.stderr)
        self.assertEqual(1, len(out.stderr.strip().splitlines()), out.stderr)

    def test_the_audit_line_to_syslog(self):
        address = self.tmp.join('log.sock')
        receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.addCleanup(receiver.close)
        receiver.bind(address)
        receiver.settimeout(10)
        logging_conf = self.tmp.join('logging.conf')
        with open(logging_conf, 'w') as f:
            f.write('[loggers]\nkeys = root\n[handlers]\nkeys = syslog\n'
                    '[formatters]\nkeys = plain\n'
                    '[logger_root]\nlevel = INFO\nhandlers = syslog\n'
                    '[handler_syslog]\nclass = handlers.SysLogHandler\n'
                    'args = (%r,)\nformatter = plain\n'
                    '[formatter_plain]\nformat = %%(name)s: %%(message)s\n'
                    % address)
        out = self.run_command('--config-file', self.conf,
                               '--log-config-append', logging_conf, 'claim')
        self.assertEqual(0, out.returncode, out.stderr)
        received = []
        while not any(AUDIT in line for line in received):
            received.append(receiver.recv(65536).decode())
        # A syslog datagram: <priority>message, the audit line at INFO.
        (line,) = [line for line in received if AUDIT in line]
        self.assertTrue(line.startswith('<14>'), line)


class TestOneNameInTwoDatacenters(base.SimulatorTestCase):

    # Arranges the inventory past the product's list of calls
    # (raw_vcenter: FindByInventoryPath, Rename_Task, MoveIntoFolder_Task).
    FULL_SESSION = True
    SIMULATOR_OPTIONS = {'clusters': 1, 'datacenters': 2, 'vms': 0}

    def setUp(self):
        super().setUp()
        vim = self.session.vim
        content = vim.service_content
        other = vim.FindByInventoryPath(content.searchIndex,
                                        inventoryPath='DC1/host/DC1_C0')
        if other is not None:  # once per simulator
            self.session.wait_for_task(vim.Rename_Task(
                other, newName=base.CLUSTER))
        self.morefs = [ref.value for ref in self.novas_order()]
        self.assertEqual(2, len(self.morefs), self.morefs)

    def novas_order(self):
        """The clusters named DC0_C0 as nova's driver reads them.

        ``vm_util.get_cluster_ref_by_name`` (nova 31 to 34): oslo.vmware's
        ``get_objects`` of every cluster's name, the first equal one.
        """
        vim = self.session.vim
        result = vim_util.get_objects(vim, 'ClusterComputeResource', 100,
                                      ['name'])
        with vim_util.WithRetrieval(vim, result) as objects:
            return [obj.obj for obj in objects
                    if obj.propSet[0].val == base.CLUSTER]

    def command(self, *args, host='compute-a'):
        return self.run_command('--config-file', self.config_file(host),
                                *args)

    def show(self, *moref):
        out = self.command(*(('--cluster-moref',) + moref if moref else ()),
                           '--format', 'json', 'show')
        self.assertEqual(0, out.returncode, out.stderr)
        return json.loads(out.stdout)

    def test_show_acts_on_novas_cluster_and_names_the_other(self):
        state = self.show()
        self.assertEqual(self.morefs[0], state['cluster_moref'])
        self.assertEqual(1, len(state['namesakes']))
        self.assertEqual(self.morefs[1],
                         state['namesakes'][0]['cluster_moref'])
        self.assertIn(state['namesakes'][0]['datacenter'], ('DC0', 'DC1'))
        out = self.command('show')
        self.assertIn('Same name:', out.stdout)

    def test_takeover_and_release_of_each(self):
        novas, other = self.morefs
        out = self.command('takeover', '--host', 'compute-b', '--force',
                           '--yes')
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertIn("2 clusters are named 'DC0_C0'", out.stderr)
        self.assertIn('acts on %s' % novas, out.stderr)
        out = self.command('--cluster-moref', other, 'takeover', '--host',
                           'compute-c', '--force', '--yes')
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertNotIn('clusters are named', out.stderr)
        self.assertEqual('compute-b', self.show()['owner_host'])
        self.assertEqual('compute-c', self.show(other)['owner_host'])
        for moref in (other, novas):
            out = self.command('--cluster-moref', moref, 'release',
                               '--force', '--yes')
            self.assertEqual(0, out.returncode, out.stderr)
            self.assertEqual('unowned', self.show(moref)['verdict'])

    def test_a_moref_of_no_cluster_or_of_another_name(self):
        out = self.command('--cluster-moref', 'domain-c99999', 'show')
        self.assertEqual(2, out.returncode, out.stderr)
        self.assertIn('--cluster-moref', out.stderr)
        self.assertEqual(1, len(out.stderr.strip().splitlines()))
        out = self.run_command(
            '--config-file', self.config_file('compute-a',
                                              cluster='DC0_C1'),
            '--cluster-moref', self.morefs[0], 'show')
        self.assertEqual(2, out.returncode, out.stderr)
        self.assertIn('[vmware] cluster_name', out.stderr)
        self.assertTrue(os.path.exists(self.simulator.ca_file))

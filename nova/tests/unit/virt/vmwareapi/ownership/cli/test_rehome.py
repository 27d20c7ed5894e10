"""Tests of the ``rehome`` command without nova: usage, output, the record.

nova's side is a fake with plain values here (``rehome_nova`` needs nova;
the integration tests run it inside nova's harness).
"""

import dataclasses
import io
import logging
import sys
import types
from unittest import mock

import fixtures
from oslotest import base

from nova.virt.vmwareapi.ownership.cli import console as console_mod
from nova.virt.vmwareapi.ownership.cli import context
from nova.virt.vmwareapi.ownership.cli import main as cli
from nova.virt.vmwareapi.ownership.cli import rehome as rehome_cli
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership.novadb import exceptions as nova_errors
from nova.virt.vmwareapi.ownership import operations
from nova.virt.vmwareapi.ownership import record
from nova.virt.vmwareapi.ownership import refusals
from nova.virt.vmwareapi.ownership.rehome import exceptions as rehome_errors
from nova.virt.vmwareapi.ownership.rehome import plan as plan_mod
from nova.virt.vmwareapi.ownership import view
from support import fakes
from support import sample_rehome as plans

OLD = plans.OLD
NEW = plans.NEW


class UsageTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.stderr = self.useFixture(fixtures.MonkeyPatch(
            'sys.stderr', io.StringIO())).new_value
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', io.StringIO()))
        self.useFixture(fixtures.FakeLogger(level=logging.CRITICAL))
        self.conf = self.useFixture(fixtures.TempDir()).join('nova.conf')
        with open(self.conf, 'w') as f:
            f.write('[DEFAULT]\nhost = compute-a\n')

    def main(self, *argv):
        return cli.main(['--config-file', self.conf, 'rehome'] + list(argv))

    def assertOneLine(self, needle):
        text = self.stderr.getvalue()
        self.assertEqual(1, len(text.strip().splitlines()), text)
        self.assertIn(needle, text)

    def test_without_nova_one_line_names_the_extra(self):
        hidden = mock.patch.dict(
            sys.modules, {'nova.virt.vmwareapi.ownership.novadb.rehome': None})
        hidden.start()
        self.addCleanup(hidden.stop)
        self.assertEqual(cli.EXIT_USAGE,
                         self.main('--from', OLD, '--to', NEW))
        self.assertOneLine("-py3-none-any.whl[nova]'")

    def test_same_host_twice(self):
        self.assertEqual(cli.EXIT_USAGE, self.main('--from', OLD, '--to', OLD))
        self.assertOneLine('--from, --to')

    def test_not_a_host_name(self):
        self.assertEqual(cli.EXIT_USAGE,
                         self.main('--from', 'a b', '--to', NEW))
        self.assertOneLine("'a b' is not a host name")

    def test_missing_option(self):
        self.assertEqual(cli.EXIT_USAGE, self.main('--from', OLD))

    def test_conflict_has_its_own_exit_code(self):
        self.assertEqual(cli.EXIT_CONFLICT, cli.exit_code_for(
            nova_errors.NovaRecordsChanged(what='instance x changed')))
        self.assertEqual(cli.EXIT_NEEDS_FORCE, cli.exit_code_for(
            rehome_errors.InstancesBusy(host=OLD, tasks=(('x', 'spawning'),))))
        self.assertEqual(cli.EXIT_USAGE, cli.exit_code_for(
            nova_errors.NovaDatabaseUnavailable(
                option='[database] connection',
                reason='the option is not set')))


class FakeNova:
    """``novadb.rehome``'s interface over one plain-value snapshot."""

    def __init__(self, snapshot):
        self.snapshot = snapshot
        self.moved = []

    def read(self, ctxt, old, new, node_name, ownership,
             service_down_time=60):
        self.snapshot = dataclasses.replace(self.snapshot,
                                            ownership=ownership)
        return types.SimpleNamespace(snapshot=self.snapshot)

    def move(self, ctxt, plan, read_again, replan):
        self.moved.append(plan.nova_changes)


class RunTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger(level=logging.INFO))
        self.store = fakes.FakeStore()
        self.put(record.OwnershipRecord(NEW, state=record.RELEASED, seq=3))
        self.nova = FakeNova(plans.snapshot())

    def put(self, owned):
        """The record as a vSphere admin would type it (no lease yet)."""
        self.store.type_by_hand(record.format_record(owned))

    def written(self):
        """What the command wrote: the store's write calls."""
        return [call for call in self.store.calls if call.startswith(
            ('write', 'create', 'remove'))]

    def record(self):
        return view.interpret(self.store.read()).record

    def run_command(self, dry_run=False, yes=True, vmware=True, stdin=None):
        command = types.SimpleNamespace(from_host=OLD, to_host=NEW,
                                        dry_run=dry_run, yes=yes)
        conf = types.SimpleNamespace(host=NEW, command=command)
        nova = context.NovaDatabases(self.nova)
        if vmware:
            ctx = context.Context(conf, fakes.settings(), self.store,
                                  vcenter_uuid='5a6e', nova=nova)
        else:
            ctx = context.Context(conf, nova=nova)
        console = console_mod.Console(stdin=stdin or io.StringIO(),
                                      stdout=io.StringIO(),
                                      stderr=io.StringIO())
        return rehome_cli.rehome(ctx, console)

    def test_no_terminal_without_yes_writes_nothing(self):
        self.assertRaises(refusals.ConfirmationRequired, self.run_command,
                          yes=False)
        self.assertEqual([], self.nova.moved)
        self.assertEqual([], self.written())

    def test_dry_run_lists_changes_and_writes_nothing(self):
        state, text = self.run_command(dry_run=True, yes=False)
        self.assertIn('Dry run, nothing written. rehome would change 7 '
                      'record(s)', text)
        self.assertIn('  ownership %s: node none -> %s'
                      % (self.store.location, plans.NODE_UUID), text)
        self.assertEqual(7, len(state['changes']))
        self.assertFalse(state['changed'])
        self.assertEqual([], self.nova.moved)
        self.assertEqual([], self.written())

    def test_move_writes_the_node_into_the_record_and_audits(self):
        state, text = self.run_command()
        self.assertEqual(1, len(self.nova.moved))
        written = self.record()
        self.assertEqual((NEW, plans.NODE_UUID, 4),
                         (written.host, written.node, written.seq))
        # Written through a lease of its own (fencing), copied into the
        # attribute.
        self.assertIsNotNone(written.token)
        self.assertEqual(written, record.parse_record(
            self.store.read().attribute_raw))
        (event,) = self.store.events
        self.assertIn('re-homed the nova records of DC0_C0: owner '
                      'compute-a -> compute-b', event)
        self.assertIn('2 instance(s), 1 aggregate(s)', event)
        self.assertTrue(state['changed'])
        self.assertIn('Start nova-compute as compute-b now.', text)

    def test_record_changed_before_its_write(self):
        self.put(record.OwnershipRecord(NEW, node='another', seq=4))
        # Planned on the record without a node; taken meanwhile.
        self.nova.read = self._read_then_change(self.nova.read)
        self.assertRaises(exceptions.RecordChanged, self.run_command)

    def _read_then_change(self, read):
        def reading(*args, **kwargs):
            args = list(args)
            args[4] = plan_mod.Ownership(self.store.location, NEW, None)
            return read(*args, **kwargs)
        return reading

    def test_confirmed_on_a_terminal_by_typing_the_host(self):
        class Terminal(io.StringIO):
            def isatty(self):
                return True

        state, _text = self.run_command(yes=False,
                                        stdin=Terminal(NEW + '\n'))
        self.assertTrue(state['changed'])

    def test_no_op(self):
        self.nova.snapshot = plans.snapshot(
            services=[plans.service(NEW)], nodes=[plans.node(NEW)],
            instances=[], host_mappings=[], aggregates=[])
        self.put(record.OwnershipRecord(NEW, node=plans.NODE_UUID, seq=4))
        state, text = self.run_command()
        self.assertIn('Nothing to do', text)
        self.assertEqual([], self.nova.moved)
        self.assertEqual([], self.store.events)

    def test_without_vmware_the_audit_is_a_log_line(self):
        self.nova.snapshot = plans.snapshot(node_name=None)
        logs = self.useFixture(fixtures.FakeLogger(name=operations.__name__,
                                                   level=logging.INFO))
        state, text = self.run_command(vmware=False)
        self.assertIn('re-homed the nova records of %s' % plans.NODE,
                      logs.output)
        self.assertIn('compute_id', text)
        self.assertEqual([], self.written())

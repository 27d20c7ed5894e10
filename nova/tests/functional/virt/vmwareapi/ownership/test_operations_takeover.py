"""The takeover command against the simulator.

Its refusals, a move from another host with nova's steps, a live holder
replaced with ``--force``, and racing takeovers (``Racer``) with one
winner. Helpers as ``test_operations``.
"""

import shutil
import subprocess
import sys
import threading

from nova.tests.functional.virt.vmwareapi.ownership import test_operations
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import fencing
from nova.virt.vmwareapi.ownership import record as record_mod
from support import base

THIS = test_operations.THIS
OTHER = test_operations.OTHER


class TestTakeover(test_operations.OperationsTestCase):

    def takeover(self, *args, expect=0, host=THIS, extra=''):
        self.key, self.before = self.event_key(), self.raw()
        return self.json_command(host, 'takeover', '--yes', *args,
                                 expect=expect, extra=extra)

    def test_without_yes_and_terminal_writes_nothing(self):
        self.given_owned_by(OTHER)
        self.key, before = self.event_key(), self.raw()
        out = self.command(THIS, 'takeover')
        self.assertEqual(4, out.returncode, out.stderr)
        self.assertIn('--yes', out.stderr)
        self.assertUnchanged(before, self.key)

    def test_unreadable_needs_force(self):
        self.given_unreadable()
        self.takeover(expect=4)
        self.assertIn('unreadable', self.out.stderr)
        self.assertUnchanged(self.before, self.key)
        state = self.takeover('--force')
        self.assertTrue(state['forced'])
        self.assertIsNone(state['before'])
        self.assertEqual(test_operations.UNREADABLE, state['before_raw'])
        record = self.record()
        self.assertEqual(THIS, record.host)
        self.assertWritten(record)
        self.assertAudited(self.key, 'took over', '(none)', THIS)
        self.assertIn('unreadable', self.latest_event().message)

    def test_live_holder_renewing_is_refused(self):
        holder = self.given_live_holder(OTHER)
        self.key, before = self.event_key(), self.view()
        state = self.json_command(THIS, 'takeover', '--yes', '--observe',
                                  '2', expect=4)
        self.assertIn('renewed', state['error'])
        self.assertIn(holder.guard.holder, self.out.stderr)
        self.assertEqual(self.key, self.event_key())
        view = self.view()
        self.assertEqual(before.token, view.token)
        self.assertEqual(holder.guard.holder, view.record.holder)
        holder.stop()
        self.assertIsNone(holder.lost)

    def test_unowned_is_claimed(self):
        state = self.takeover()
        self.assertTrue(state['changed'])
        self.assertEqual('takeover', state['action'])
        self.assertEqual(THIS, self.record().host)
        self.assertEqual([], state['next_steps'])
        self.assertAudited(self.key, 'took over', '(none)', THIS)

    def test_owned_by_this_host_clears_the_dead_holder(self):
        dead = self.given_owned_by_this_host()
        state = self.takeover()
        self.assertTrue(state['changed'])
        record = self.record()
        self.assertEqual(THIS, record.host)
        self.assertFalse(record.is_held)
        self.assertEqual(0, record.transitions)
        self.assertNotEqual(dead.token, record.token)
        self.assertWritten(record)
        self.assertAudited(self.key, 'took over', THIS, THIS)

    def test_owned_by_another_host_moves_with_nova_steps(self):
        old = self.given_owned_by(OTHER)
        state = self.takeover()
        self.assertTrue(state['changed'])
        record = self.record()
        self.assertEqual(THIS, record.host)
        self.assertEqual(OTHER, record.previous)
        self.assertEqual(2, record.transitions)
        self.assertEqual(record_mod.RELEASED, record.state)
        self.assertEqual(record.to_dict(), state['after'])
        self.assertEqual(OTHER, state['before']['host'])
        # The old lease is revoked, a new one holds the record.
        self.assertNotEqual(old.token, record.token)
        self.assertWritten(record)
        steps = '\n'.join(state['next_steps'])
        for part in ('openstack compute service set --down %s' % OTHER,
                     'rehome --from %s --to %s' % (OTHER, THIS),
                     '[DEFAULT] host = %s' % OTHER):
            with self.subTest(part=part):
                self.assertIn(part, steps)
        self.assertAudited(self.key, 'took over', OTHER, THIS)

    def test_text_output_tells_the_nova_steps(self):
        self.given_owned_by(OTHER)
        out = self.command(THIS, 'takeover', '--yes')
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertIn("Took over cluster '%s'" % base.CLUSTER, out.stdout)
        self.assertIn('for host %s (was owned by %s)' % (THIS, OTHER),
                      out.stdout)
        self.assertRegex(out.stdout, r'nova-vmware-owner --config-file '
                         r'\S+ rehome --from %s --to %s\n' % (OTHER, THIS))

    def test_live_holder_is_replaced_with_force_and_stops(self):
        holder = self.given_live_holder(OTHER)
        self.key = self.event_key()
        state = self.json_command(THIS, 'takeover', '--yes', '--force')
        self.assertTrue(state['changed'])
        # The holder's lease was revoked: its next renewal is refused and
        # it steps down.
        self.assertIsInstance(holder.wait_lost(), exceptions.OwnershipLost)
        self.assertRaises(exceptions.OwnershipLost, holder.guard.renew)
        record = self.record()
        self.assertEqual(THIS, record.host)
        self.assertFalse(record.is_held)
        self.assertNotEqual(holder.token, record.token)
        self.assertWritten(record)
        self.assertAudited(self.key, 'took over', OTHER, THIS)
        self.assertIn('forced', self.latest_event().message)

    def test_released_by_this_host_is_a_no_op(self):
        self.given_released()
        state = self.takeover()
        self.assertFalse(state['changed'])
        self.assertUnchanged(self.before, self.key)

    def test_released_by_another_host_moves_without_observing(self):
        self.given_released(OTHER)
        state = self.takeover()
        self.assertTrue(state['changed'])
        self.assertEqual(0, state['observed_seconds'])
        self.assertEqual(THIS, self.record().host)

    def test_racing_takeovers_have_one_winner_and_the_loser_exits_5(self):
        # A change in progress (a lease without a value) holds both
        # commands in their first reading; the record it then writes
        # names a holder that stays silent, so both plan on that one
        # reading and observe it. Whichever applies second finds the
        # lease it planned on revoked.
        store = self.make_store()
        pending = store.create_lease()
        racers = {}
        for host in ('compute-x', 'compute-y'):
            racers[host] = Racer(
                self.config_file(THIS, extra=test_operations.LIVE_LEASE),
                host)
            self.addCleanup(racers[host].kill)
        for racer in racers.values():
            self.assertTrue(racer.waiting.wait(base.COMMAND_TIMEOUT),
                            racer.output())
        silent = record_mod.OwnershipRecord(
            'compute-old', holder='elsewhere:1:feedf00d', seq=7,
            since='2026-01-01T00:00:00Z')
        fencing.Tenure(store, pending).write(silent, base.view_of(store))
        codes = {host: racer.wait() for host, racer in racers.items()}
        winners = [host for host, code in codes.items() if code == 0]
        self.assertEqual(1, len(winners), codes)
        loser = (set(codes) - set(winners)).pop()
        self.assertEqual(test_operations.EXIT_CONFLICT, codes[loser],
                         racers[loser].output())
        self.assertIn('changed while this command ran',
                      racers[loser].output())
        self.assertIn('Nothing of this command was written',
                      racers[loser].output())
        record = self.record()
        self.assertEqual(winners[0], record.host)
        self.assertEqual('compute-old', record.previous)
        self.assertWritten(record)
        events = [e.message for e in self.audit_events()]
        self.assertEqual(1, len([m for m in events if 'compute-x' in m or
                                 'compute-y' in m]), events)


class Racer:
    """``takeover --yes --host HOST`` started in the background."""

    def __init__(self, config, host):
        self.lines = []
        self.waiting = threading.Event()
        command = shutil.which('nova-vmware-owner')
        argv = [command] if command else [
            sys.executable, '-c',
            'from nova.virt.vmwareapi.ownership import cmd; cmd.main()']
        self.proc = subprocess.Popen(
            argv + ['--config-file', config, 'takeover', '--yes', '--host',
                    host], stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)
            if 'another process is changing' in line:
                self.waiting.set()

    def wait(self):
        code = self.proc.wait(base.COMMAND_TIMEOUT)
        self._reader.join(test_operations.BOUND)
        return code

    def output(self):
        return ''.join(self.lines)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(test_operations.BOUND)

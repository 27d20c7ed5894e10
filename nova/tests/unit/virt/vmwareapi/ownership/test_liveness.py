"""Tests of holder identities and the local judgement of liveness."""

import os

from oslotest import base

from nova.virt.vmwareapi.ownership import decision
from nova.virt.vmwareapi.ownership import liveness
from nova.virt.vmwareapi.ownership import record
from support import fakes

Liveness = decision.Liveness
ME = 'this-machine:100:aaaaaaaa'
OTHER = 'other-machine:4242:bbbbbbbb'
LOCAL_OTHER = 'this-machine:4242:cccccccc'


def held(holder=OTHER, seq=1, renewed='2026-11-25T12:00:00Z'):
    return record.OwnershipRecord('compute-a', holder=holder, seq=seq,
                                  renewed_at=renewed)


class HolderIdTestCase(base.BaseTestCase):

    def test_parse_bad(self):
        for holder in (None, '', 'justaname', 'm:notapid:ab', ':12:ab',
                       'm:12', 'm:-12:ab'):
            with self.subTest(holder=holder):
                self.assertEqual((None, None), liveness.parse_holder(holder),
                                 holder)

    def test_parse(self):
        self.assertEqual(('m1', 123), liveness.parse_holder('m1:123:ab12'))

    def test_parse_machine_with_colons(self):
        self.assertEqual(('fe80::1', 7), liveness.parse_holder('fe80::1:7:ff'))

    def test_new_holder_id(self):
        holder = liveness.new_holder_id(machine='box', pid=77)
        machine, pid, token = holder.split(':')
        self.assertEqual(('box', '77'), (machine, pid))
        self.assertEqual(8, len(token))
        self.assertEqual(('box', 77), liveness.parse_holder(holder))

    def test_new_holder_id_defaults_and_uniqueness(self):
        first = liveness.new_holder_id()
        self.assertEqual((liveness.this_machine(), os.getpid()),
                         liveness.parse_holder(first))
        self.assertNotEqual(first, liveness.new_holder_id())

    def test_pid_exists(self):
        self.assertTrue(liveness.pid_exists(os.getpid()))
        self.assertFalse(liveness.pid_exists(0))
        self.assertFalse(liveness.pid_exists(-1))


class HolderWatchTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.clock = fakes.FakeClock()
        self.pids = {4242: True}

    def watch(self, lease=180):
        return liveness.HolderWatch(ME, lease, clock=self.clock.now,
                                    machine='this-machine',
                                    pid_exists=lambda pid: self.pids[pid])

    def test_pid_gone_on_this_machine_is_dead_at_once(self):
        self.pids[4242] = False
        self.assertIs(Liveness.DEAD, self.watch().observe(held(LOCAL_OTHER)))

    def test_pid_alive_on_this_machine_is_live(self):
        self.assertIs(Liveness.LIVE, self.watch().observe(held(LOCAL_OTHER)))

    def test_other_machine_not_shortcut(self):
        def no_lookup(pid):
            raise AssertionError('pid %s looked up for another machine'
                                 % pid)
        watch = liveness.HolderWatch(ME, 180, clock=self.clock.now,
                                     machine='this-machine',
                                     pid_exists=no_lookup)
        self.assertIs(Liveness.LIVE, watch.observe(held(OTHER)))

    def test_foreign_holder_format_is_watched(self):
        watch = self.watch()
        self.assertIs(Liveness.LIVE, watch.observe(held('opaque')))
        self.clock.advance(180)
        self.assertIs(Liveness.DEAD, watch.observe(held('opaque')))

    def test_stale_after_lease_duration_unchanged(self):
        watch = self.watch()
        self.assertIs(Liveness.LIVE, watch.observe(held(seq=7)))
        self.clock.advance(179.9)
        self.assertIs(Liveness.LIVE, watch.observe(held(seq=7)))
        self.assertAlmostEqual(179.9, watch.watched_for())
        self.clock.advance(0.1)
        self.assertIs(Liveness.DEAD, watch.observe(held(seq=7)))

    def test_seq_change_resets(self):
        watch = self.watch()
        watch.observe(held(seq=7))
        self.clock.advance(170)
        self.assertIs(Liveness.LIVE, watch.observe(held(seq=8)))
        self.assertEqual(0, watch.watched_for())
        self.clock.advance(170)
        self.assertIs(Liveness.LIVE, watch.observe(held(seq=8)))
        self.clock.advance(10)
        self.assertIs(Liveness.DEAD, watch.observe(held(seq=8)))

    def test_holder_change_resets(self):
        watch = self.watch()
        watch.observe(held(seq=7))
        self.clock.advance(170)
        self.assertIs(Liveness.LIVE,
                      watch.observe(held('m9:1:ab', seq=7)))
        self.clock.advance(170)
        self.assertIs(Liveness.LIVE,
                      watch.observe(held('m9:1:ab', seq=7)))

    def test_first_observation_is_live_however_old(self):
        watch = self.watch()
        old = held(renewed='1999-01-01T00:00:00Z')
        self.assertIs(Liveness.LIVE, watch.observe(old))

    def test_lease_zero_is_dead(self):
        self.assertIs(Liveness.DEAD, self.watch(lease=0).observe(held()))

    def test_mine(self):
        self.assertIs(Liveness.MINE, self.watch().observe(held(ME)))
        self.assertIs(Liveness.MINE, self.watch(lease=0).observe(held(ME)))

    def test_none_when_absent_or_released(self):
        watch = self.watch()
        self.assertIs(Liveness.NONE, watch.observe(None))
        released = held().released(fakes.WALL)
        self.assertIs(Liveness.NONE, watch.observe(released))
        self.assertEqual(0.0, watch.watched_for())

    def test_release_in_between_resets(self):
        watch = self.watch()
        watch.observe(held(seq=7))
        self.clock.advance(170)
        watch.observe(None)
        self.clock.advance(20)
        self.assertIs(Liveness.LIVE, watch.observe(held(seq=7)))

    def test_writer_timestamps_make_no_difference(self):
        # A live holder whose clock jumps hours back or forth still renews.
        watch = self.watch()
        stamps = ['2026-11-25T12:00:00Z', '2026-11-25T03:00:00Z',
                  '2026-11-26T09:00:00Z', '1970-01-01T00:00:00Z']
        for seq, stamp in enumerate(stamps, start=1):
            self.assertIs(Liveness.LIVE,
                          watch.observe(held(seq=seq, renewed=stamp)))
            self.clock.advance(100)
        # A dead holder whose last stamp lies in the future is still dead.
        watch = self.watch()
        future = held(seq=9, renewed='2099-01-01T00:00:00Z')
        watch.observe(future)
        self.clock.advance(180)
        self.assertIs(Liveness.DEAD, watch.observe(future))

    def test_forget_starts_a_new_watch(self):
        # A standby that could not read for a while has not watched.
        watch = self.watch()
        watch.observe(held(seq=7))
        self.clock.advance(170)
        watch.forget()
        self.assertEqual(0.0, watch.watched_for())
        self.clock.advance(20)
        self.assertIs(Liveness.LIVE, watch.observe(held(seq=7)))
        self.clock.advance(179)
        self.assertIs(Liveness.LIVE, watch.observe(held(seq=7)))
        self.clock.advance(1)
        self.assertIs(Liveness.DEAD, watch.observe(held(seq=7)))

    def test_timestamp_change_alone_is_no_renewal(self):
        watch = self.watch()
        watch.observe(held(seq=7, renewed='2026-11-25T12:00:00Z'))
        self.clock.advance(180)
        self.assertIs(Liveness.DEAD, watch.observe(
            held(seq=7, renewed='2026-11-25T15:00:00Z')))

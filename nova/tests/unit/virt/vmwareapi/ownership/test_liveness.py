"""Tests of holder identities and the local judgement of liveness."""

import os

import fixtures
from oslotest import base

from nova.virt.vmwareapi.ownership import decision
from nova.virt.vmwareapi.ownership import liveness
from nova.virt.vmwareapi.ownership import record
from support import fakes

Liveness = decision.Liveness
HERE = liveness.Place('this-machine', '0a1b2c3d', '4026531836')
"""This process: the machine's own PID namespace of this boot."""
ME = 'this-machine:100:0a1b2c3d.4026531836.aaaaaaaa'
OTHER = 'other-machine:4242:0a1b2c3d.4026531836.bbbbbbbb'
LOCAL_OTHER = 'this-machine:4242:0a1b2c3d.4026531836.cccccccc'
CONTAINER = 'this-machine:4242:0a1b2c3d.4026532175.dddddddd'
"""Same host name, same boot, another PID namespace: a pod with
``hostNetwork: true``, a kolla container with ``net=host``."""
EARLIER_BOOT = 'this-machine:4242:99999999.4026531836.eeeeeeee'
OLD_FORMAT = 'this-machine:4242:cccccccc'
"""A holder id of an earlier release: no boot, no PID namespace."""


def held(holder=OTHER, seq=1, renewed='2026-11-25T12:00:00Z'):
    return record.OwnershipRecord('compute-a', holder=holder, seq=seq,
                                  renewed_at=renewed)


class HolderIdTestCase(base.BaseTestCase):

    def test_parse_bad(self):
        for holder in (None, '', 'justaname', 'm:notapid:ab', ':12:ab',
                       'm:12', 'm:-12:ab'):
            with self.subTest(holder=holder):
                self.assertIsNone(liveness.parse_holder(holder), holder)

    def test_parse(self):
        self.assertEqual(liveness.HolderId(HERE, 100),
                         liveness.parse_holder(ME))
        self.assertEqual(liveness.HolderId(
            liveness.Place('this-machine', '0a1b2c3d', '4026532175'), 4242),
            liveness.parse_holder(CONTAINER))

    def test_parse_machine_with_colons(self):
        self.assertEqual(liveness.HolderId(liveness.Place('fe80::1'), 7),
                         liveness.parse_holder('fe80::1:7:ff'))
        self.assertEqual(
            liveness.HolderId(liveness.Place('fe80::1', 'abcdef01', '9'), 7),
            liveness.parse_holder('fe80::1:7:abcdef01.9.ff'))

    def test_old_format_and_unreadable_parts_have_no_place(self):
        for holder in (OLD_FORMAT, 'this-machine:4242:x.4026531836.ab',
                       'this-machine:4242:0a1b2c3d.pidns.ab',
                       'this-machine:4242:0a1b2c3d..ab',
                       'this-machine:4242:0A1B2C3D.1.ab',
                       'this-machine:4242:0a1b2c3d.1'):
            with self.subTest(holder=holder):
                found = liveness.parse_holder(holder)
                self.assertEqual(('this-machine', 4242),
                                 (found.place.machine, found.pid))
                self.assertFalse(found.place.known)

    def test_new_holder_id(self):
        holder = liveness.new_holder_id(pid=77, place=liveness.Place(
            'box', 'abcdef01', '4026532175'))
        machine, pid, token = holder.split(':')
        self.assertEqual(('box', '77'), (machine, pid))
        boot, namespace, random = token.split('.')
        self.assertEqual(('abcdef01', '4026532175', 8),
                         (boot, namespace, len(random)))
        self.assertEqual(liveness.HolderId(liveness.Place(
            'box', 'abcdef01', '4026532175'), 77),
            liveness.parse_holder(holder))

    def test_new_holder_id_where_the_place_is_unknown(self):
        # The old format: readers give it no shortcut.
        holder = liveness.new_holder_id(pid=77,
                                        place=liveness.Place('box'))
        self.assertRegex(holder, r'^box:77:[0-9a-f]{8}$')

    def test_new_holder_id_defaults_and_uniqueness(self):
        first = liveness.new_holder_id()
        found = liveness.parse_holder(first)
        self.assertEqual((liveness.this_place(), os.getpid()),
                         (found.place, found.pid))
        self.assertNotEqual(first, liveness.new_holder_id())

    def test_pid_exists(self):
        self.assertTrue(liveness.pid_exists(os.getpid()))
        self.assertFalse(liveness.pid_exists(0))
        self.assertFalse(liveness.pid_exists(-1))


class ThisPlaceTestCase(base.BaseTestCase):
    """Where this process runs, read from /proc."""

    def test_this_process(self):
        place = liveness.this_place()
        self.assertEqual(liveness.this_machine(), place.machine)
        self.assertTrue(place.known, place)
        self.assertRegex(place.boot, r'^[0-9a-f]{8}$')
        self.assertEqual(str(os.stat('/proc/self/ns/pid').st_ino),
                         place.pid_namespace)
        with open('/proc/sys/kernel/random/boot_id') as boot_id:
            self.assertTrue(boot_id.read().startswith(place.boot))

    def proc(self, boot_id=None, pid_namespace=True):
        root = self.useFixture(fixtures.TempDir()).path
        if boot_id is not None:
            os.makedirs(os.path.join(root, 'sys/kernel/random'))
            with open(os.path.join(root, 'sys/kernel/random/boot_id'),
                      'w') as out:
                out.write(boot_id)
        if pid_namespace:
            os.makedirs(os.path.join(root, 'self/ns'))
            with open(os.path.join(root, 'self/ns/pid'), 'w'):
                pass
        return root

    def test_read_from_proc(self):
        root = self.proc('451e76de-4f01-4c72-9b7e-e06b62c2d1e2\n')
        place = liveness.this_place('box', proc=root)
        self.assertEqual(('box', '451e76de', str(os.stat(os.path.join(
            root, 'self/ns/pid')).st_ino)), (place.machine, place.boot,
                                             place.pid_namespace))

    def test_parts_that_cannot_be_read_are_unknown(self):
        for root in (self.proc(None), self.proc('not a uuid\n'),
                     self.proc('451e76de-4f01-4c72-9b7e-e06b62c2d1e2',
                               pid_namespace=False)):
            with self.subTest(root=root):
                place = liveness.this_place('box', proc=root)
                self.assertEqual('box', place.machine)
                self.assertFalse(place.known)


class HolderWatchTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.clock = fakes.FakeClock()
        self.pids = {4242: True}

    def watch(self, lease=180, place=HERE):
        return liveness.HolderWatch(ME, lease, clock=self.clock.now,
                                    place=place,
                                    pid_exists=lambda pid: self.pids[pid])

    def test_pid_gone_in_this_namespace_of_this_boot_is_dead_at_once(self):
        self.pids[4242] = False
        self.assertIs(Liveness.DEAD, self.watch().observe(held(LOCAL_OTHER)))

    def test_pid_alive_in_this_namespace_is_live(self):
        self.assertIs(Liveness.LIVE, self.watch().observe(held(LOCAL_OTHER)))

    def assertNoShortcut(self, holder, place=HERE):
        def no_lookup(pid):
            raise AssertionError('pid %s of %s looked up' % (pid, holder))
        watch = liveness.HolderWatch(ME, 180, clock=self.clock.now,
                                     place=place, pid_exists=no_lookup)
        self.assertIs(Liveness.LIVE, watch.observe(held(holder)))
        self.clock.advance(179)
        self.assertIs(Liveness.LIVE, watch.observe(held(holder)))
        self.clock.advance(1)
        self.assertIs(Liveness.DEAD, watch.observe(held(holder)))

    def test_other_machine_not_shortcut(self):
        self.assertNoShortcut(OTHER)

    def test_same_host_name_in_another_pid_namespace_not_shortcut(self):
        # Its pid 4242 means nothing here (issue 19: a pod with
        # hostNetwork deposed at once by a standby outside it).
        self.assertNoShortcut(CONTAINER)

    def test_an_earlier_boot_not_shortcut(self):
        self.assertNoShortcut(EARLIER_BOOT)

    def test_old_format_not_shortcut(self):
        self.assertNoShortcut(OLD_FORMAT)

    def test_unknown_place_of_this_process_not_shortcut(self):
        for place in (liveness.Place('this-machine'),
                      liveness.Place('this-machine', '0a1b2c3d'),
                      liveness.Place('this-machine', None, '4026531836')):
            with self.subTest(place=place):
                self.assertNoShortcut(LOCAL_OTHER, place=place)

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
        watch.observe(held(seq=7).released(fakes.WALL))
        self.clock.advance(20)
        self.assertIs(Liveness.LIVE, watch.observe(held(seq=7)))

    def test_the_same_record_back_after_it_vanished_is_not_a_renewal(self):
        # A vCenter restored from a backup: the holder did not renew.
        watch = self.watch()
        watch.observe(held(seq=7))
        self.clock.advance(170)
        self.assertIs(Liveness.LIVE, watch.observe(None))
        self.clock.advance(10)
        self.assertIs(Liveness.DEAD, watch.observe(held(seq=7)))

    def test_fresh_has_observed_nothing(self):
        watch = self.watch()
        watch.observe(held(seq=7))
        self.assertIs(Liveness.NONE, watch.fresh().observe(None))
        self.assertIs(Liveness.MINE, watch.fresh().observe(held(ME)))

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

    def test_a_vanished_record_is_held_until_the_lease_passed(self):
        # Issue 19: an admin deleting both definitions, or a vCenter that
        # comes back empty, does not free a holder that was renewing.
        watch = self.watch()
        watch.observe(held(seq=7))
        self.clock.advance(100)
        watch.observe(held(seq=8))
        self.clock.advance(50)
        self.assertIs(Liveness.LIVE, watch.observe(None))
        self.assertEqual(OTHER, watch.watched_holder)
        self.clock.advance(129.9)
        self.assertIs(Liveness.LIVE, watch.observe(None))
        self.clock.advance(0.1)
        self.assertIs(Liveness.DEAD, watch.observe(None))
        # Once judged, absent is absent.
        self.assertIs(Liveness.NONE, watch.observe(None))
        self.assertIsNone(watch.watched_holder)

    def test_a_released_record_is_free_at_once(self):
        watch = self.watch()
        watch.observe(held(seq=7))
        self.assertIs(Liveness.NONE,
                      watch.observe(held(seq=8).released(fakes.WALL)))
        self.assertIs(Liveness.NONE, watch.observe(None))

    def test_absent_from_the_start_is_unowned(self):
        self.assertIs(Liveness.NONE, self.watch().observe(None))
        self.assertIsNone(self.watch().watched_holder)

    def test_an_outage_does_not_forget_a_vanished_holder(self):
        # Time without a reading is not time watched, but the holder
        # seen before it is not forgotten either.
        watch = self.watch()
        watch.observe(held(seq=7))
        self.clock.advance(170)
        watch.forget()
        self.clock.advance(100)
        self.assertIs(Liveness.LIVE, watch.observe(None))
        self.clock.advance(179)
        self.assertIs(Liveness.LIVE, watch.observe(None))
        self.clock.advance(1)
        self.assertIs(Liveness.DEAD, watch.observe(None))

    def test_a_vanished_holder_whose_pid_is_gone_here_is_dead(self):
        watch = self.watch()
        watch.observe(held(LOCAL_OTHER))
        self.pids[4242] = False
        self.assertIs(Liveness.DEAD, watch.observe(None))

    def test_the_vanished_holder_replaced_by_another_is_watched_afresh(self):
        watch = self.watch()
        watch.observe(held(seq=7))
        self.clock.advance(170)
        self.assertIs(Liveness.LIVE, watch.observe(None))
        self.assertIs(Liveness.LIVE, watch.observe(held('m9:1:ab', seq=1)))
        self.clock.advance(179)
        self.assertIs(Liveness.LIVE, watch.observe(held('m9:1:ab', seq=1)))

    def test_the_holders_own_lease_when_longer(self):
        # Issue 19: a reader configured with a shorter lease still gives
        # the holder the lease it steps down by.
        watch = self.watch(lease=60)
        longer = record.OwnershipRecord('compute-a', holder=OTHER, seq=3,
                                        lease_duration=180)
        watch.observe(longer)
        self.clock.advance(179)
        self.assertIs(Liveness.LIVE, watch.observe(longer))
        self.assertIs(Liveness.LIVE, watch.observe(None))
        self.clock.advance(1)
        self.assertIs(Liveness.DEAD, watch.observe(None))
        shorter = record.OwnershipRecord('compute-a', holder=OTHER, seq=4,
                                         lease_duration=10)
        watch.observe(shorter)
        self.clock.advance(59)
        self.assertIs(Liveness.LIVE, watch.observe(shorter))
        self.clock.advance(1)
        self.assertIs(Liveness.DEAD, watch.observe(shorter))

    def test_timestamp_change_alone_is_no_renewal(self):
        watch = self.watch()
        watch.observe(held(seq=7, renewed='2026-11-25T12:00:00Z'))
        self.clock.advance(180)
        self.assertIs(Liveness.DEAD, watch.observe(
            held(seq=7, renewed='2026-11-25T15:00:00Z')))

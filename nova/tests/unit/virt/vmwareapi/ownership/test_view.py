"""Which record counts: one test per row of ``view.interpret``'s table."""

from oslotest import base

from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import view
from support import fakes

Mirror = view.Mirror
HOST = fakes.HOST
ATTRIBUTE_KEY = 101
TOKEN = 117
OLD_TOKEN = 109
LOCATION = fakes.location()


def held(host=HOST, holder=fakes.OTHER_HOLDER, seq=5, token=TOKEN,
         cloud=None):
    return record_mod.OwnershipRecord(host, holder=holder, seq=seq,
                                      token=token, cloud=cloud)


def text(record):
    return record_mod.format_record(record)


def interpret(attribute_raw, lease_raw=None, lease_key=TOKEN,
              attribute_key=ATTRIBUTE_KEY):
    return view.interpret(view.Reading(attribute_raw, attribute_key,
                                       lease_key, lease_raw), LOCATION)


class UnreadableTestCase(base.BaseTestCase):
    """Rows whose record cannot be read, first."""

    def test_unreadable_without_lease(self):
        result = interpret('{broken', lease_key=None)
        self.assertIsNone(result.record)
        self.assertFalse(result.unowned)
        self.assertEqual('{broken', result.error.raw)
        self.assertIs(LOCATION, result.error.location)
        self.assertIsNone(result.holder_record)

    def test_unreadable_lease_wins_over_a_good_copy(self):
        # The lease is the record; a copy cannot stand in for it.
        result = interpret(text(held()), lease_raw='{"host": 1}')
        self.assertIsNone(result.record)
        self.assertEqual('{"host": 1}', result.error.raw)
        self.assertIs(LOCATION, result.error.location)
        self.assertIsNone(result.lease)
        self.assertIsNone(result.holder_record)
        self.assertFalse(result.pending)

    def test_unreadable_hand_edit_while_the_lease_exists(self):
        result = interpret('owned by compute-b!', lease_raw=text(held()))
        self.assertIsNone(result.record)
        self.assertEqual('owned by compute-b!', result.error.raw)
        self.assertIs(Mirror.EDITED, result.mirror)
        # Liveness stays judged on the lease.
        self.assertEqual(held(), result.holder_record)

    def test_without_location(self):
        result = view.interpret(view.Reading('{broken', ATTRIBUTE_KEY))
        self.assertIsNone(result.error.location)


class NoLeaseTestCase(base.BaseTestCase):
    """No lease: the attribute is all there is."""

    def test_never_tagged(self):
        result = view.interpret(view.Reading())
        self.assertTrue(result.unowned)
        self.assertIsNone(result.record)
        self.assertIsNone(result.error)
        self.assertIsNone(result.token)
        self.assertFalse(result.pending)
        self.assertIsNone(result.holder_record)
        self.assertIs(Mirror.NONE, result.mirror)

    def test_empty_attribute(self):
        for raw in ('', '  \n'):
            with self.subTest(raw=raw):
                self.assertTrue(interpret(raw, lease_key=None).unowned)

    def test_hand_typed_host(self):
        result = interpret('compute-b', lease_key=None)
        self.assertEqual('compute-b', result.record.host)
        self.assertIsNone(result.lease)
        self.assertIs(result.record, result.holder_record)
        self.assertIs(Mirror.NONE, result.mirror)

    def test_copy_left_after_the_lease_was_removed(self):
        # Its token names a lease that is gone: all that is left is it.
        result = interpret(text(held()), lease_key=None)
        self.assertEqual(held(), result.record)
        self.assertIs(Mirror.NONE, result.mirror)


class PendingTestCase(base.BaseTestCase):
    """A lease without a value: a change is in progress."""

    def test_lease_without_value(self):
        for lease_raw in (None, ''):
            with self.subTest(lease_raw=lease_raw):
                result = interpret(text(held(token=OLD_TOKEN)),
                                   lease_raw=lease_raw)
                self.assertTrue(result.pending)
                self.assertEqual(TOKEN, result.token)
                # The attribute still shows the record before the change.
                self.assertEqual(held(token=OLD_TOKEN), result.record)
                self.assertIsNone(result.lease)
                self.assertIs(Mirror.NONE, result.mirror)

    def test_lease_without_value_on_an_unowned_cluster(self):
        result = interpret(None, lease_raw=None)
        self.assertTrue(result.pending)
        self.assertTrue(result.unowned)


class LeaseTestCase(base.BaseTestCase):
    """A lease with a record: the rows of the copy in the attribute."""

    def assertLeaseCounts(self, result, mirror):
        self.assertEqual(held(), result.record)
        self.assertEqual(held(), result.lease)
        self.assertEqual(held(), result.holder_record)
        self.assertIsNone(result.error)
        self.assertFalse(result.pending)
        self.assertIs(mirror, result.mirror)

    def test_copy_written_under_the_lease(self):
        result = interpret(text(held()), lease_raw=text(held()))
        self.assertLeaseCounts(result, Mirror.CURRENT)
        self.assertFalse(result.mirror.needs_repair)

    def test_copy_is_older_but_under_the_same_lease(self):
        # A renewal writes the lease alone: the copy lags behind in seq.
        result = interpret(text(held(seq=4)), lease_raw=text(held()))
        self.assertLeaseCounts(result, Mirror.CURRENT)

    def test_copy_written_under_a_revoked_lease(self):
        # A late write of a deposed process, naming another host even.
        late = held('compute-b', holder='m:9:late', seq=90, token=OLD_TOKEN)
        result = interpret(text(late), lease_raw=text(held()))
        self.assertLeaseCounts(result, Mirror.STALE)
        self.assertTrue(result.mirror.needs_repair)

    def test_copy_cleared(self):
        for raw in (None, '', ' '):
            with self.subTest(raw=raw):
                result = interpret(raw, lease_raw=text(held()))
                self.assertLeaseCounts(result, Mirror.CLEARED)
                self.assertTrue(result.mirror.needs_repair)

    def test_attribute_definition_gone(self):
        result = interpret(None, lease_raw=text(held()), attribute_key=None)
        self.assertLeaseCounts(result, Mirror.CLEARED)

    def test_hand_edit_of_the_same_host_without_holder(self):
        # The owner's name typed again: it changes nothing.
        for raw in (HOST, '{"host":"compute-a"}',
                    '{"host":"compute-a","state":"released"}'):
            with self.subTest(raw=raw):
                result = interpret(raw, lease_raw=text(held()))
                self.assertLeaseCounts(result, Mirror.EDITED)
                self.assertTrue(result.mirror.needs_repair)

    def test_hand_edit_of_the_same_host_in_another_cloud(self):
        # A bare name cannot say its cloud: the same host typed again is
        # a no-op whatever the lease's cloud; a cloud typed is what counts.
        lease = text(held(cloud='east'))
        for raw in (HOST, '{"host":"compute-a","cloud":"east"}'):
            with self.subTest(raw=raw):
                result = interpret(raw, lease_raw=lease)
                self.assertEqual('east', result.record.cloud)
                self.assertIs(Mirror.EDITED, result.mirror)
        result = interpret('{"host":"compute-a","cloud":"west"}',
                           lease_raw=lease)
        self.assertEqual('west', result.record.cloud)
        self.assertEqual('east', result.holder_record.cloud)

    def test_hand_edit_naming_another_host(self):
        # What the admin typed counts; liveness stays the lease's.
        result = interpret('compute-b', lease_raw=text(held()))
        self.assertEqual('compute-b', result.record.host)
        self.assertIsNone(result.error)
        self.assertEqual(held(), result.lease)
        self.assertEqual(held(), result.holder_record)
        self.assertIs(Mirror.EDITED, result.mirror)

    def test_hand_edit_of_the_same_host_with_a_holder(self):
        typed = '{"host":"compute-a","holder":"m:1:typed"}'
        result = interpret(typed, lease_raw=text(held()))
        self.assertEqual('m:1:typed', result.record.holder)
        self.assertEqual(held(), result.holder_record)
        self.assertIs(Mirror.EDITED, result.mirror)


class ViewTestCase(base.BaseTestCase):

    def test_lease_name(self):
        self.assertEqual('openstack.nova.owner.lease.domain-c7',
                         view.lease_name('openstack.nova.owner',
                                         'domain-c7'))

    def test_needs_repair(self):
        self.assertEqual({Mirror.STALE, Mirror.CLEARED, Mirror.EDITED},
                         {m for m in Mirror if m.needs_repair})

    def test_written(self):
        record = held(holder='m:1:mine', token=TOKEN)
        result = view.written(record)
        self.assertEqual(record, result.record)
        self.assertEqual(record, result.holder_record)
        self.assertEqual(TOKEN, result.token)
        self.assertIs(Mirror.CURRENT, result.mirror)
        self.assertFalse(result.pending)
        # The record a reader of the cluster would then see.
        self.assertEqual((text(record), text(record)),
                         (result.reading.attribute_raw,
                          result.reading.lease_raw))
        again = view.interpret(result.reading)
        self.assertEqual((record, TOKEN), (again.record, again.token))

    def test_written_unowned(self):
        result = view.written(None)
        self.assertTrue(result.unowned)
        self.assertIsNone(result.token)
        self.assertIsNone(result.reading.attribute_raw)

    def test_repr(self):
        reading = view.Reading('compute-b', ATTRIBUTE_KEY, TOKEN,
                               text(held()))
        self.assertIn("'compute-b'", repr(reading))
        self.assertIn('117', repr(reading))
        result = view.interpret(reading)
        self.assertIn('token=117', repr(result))
        self.assertIn('edited', repr(result))

"""What the metrics endpoint keeps between scrapes; renewal ages as a
standby would judge them (local observation of ``(holder, seq)``)."""

from oslotest import base

from nova.virt.vmwareapi.ownership.fleet import readings as readings_mod
from nova.virt.vmwareapi.ownership import view as view_mod
from support import fakes
from support import sample_fleet as samples

HOLDER = samples.HOLDER


def held(moref, seq, holder=HOLDER, name=None):
    """A cluster whose lease ``holder`` holds at ``seq``."""
    return samples.cluster(name or moref, moref, record=fakes.record(
        holder=holder, seq=seq).with_token(17))


def released(moref):
    return samples.cluster(moref, moref, record=fakes.record(seq=3)
                           .with_token(17))


class ReadingsTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.readings = readings_mod.Readings(180, 60)
        self.now = 1000.0

    def read(self, *clusters, took=2.0):
        """A good reading of ``clusters`` that ends now."""
        self.readings.succeeded({'clusters': 'doc'}, clusters,
                                self.now - took, self.now)

    def ages(self):
        return self.readings.status(self.now).renewal_ages

    def test_before_the_first_reading(self):
        status = self.readings.status(self.now)
        self.assertEqual((None, False, None, None, {}, 180, 60),
                         (status.document, status.up, status.reading_age,
                          status.reading_seconds, status.renewal_ages,
                          status.lease_duration, status.interval))
        self.assertEqual({reason: 0 for reason in readings_mod.REASONS},
                         status.errors)

    def test_a_holder_ages_while_its_seq_stays(self):
        self.read(held('c1', 5))
        self.assertEqual({'c1': 0.0}, self.ages())
        self.now += 60
        self.read(held('c1', 5))
        self.now += 60
        self.read(held('c1', 5))
        self.assertEqual({'c1': 120.0}, self.ages())

    def test_a_renewal_or_a_new_holder_starts_again(self):
        self.read(held('c1', 5), held('c2', 5))
        self.now += 60
        self.read(held('c1', 6), held('c2', 5, holder='m:2:new'))
        self.assertEqual({'c1': 0.0, 'c2': 0.0}, self.ages())

    def test_only_held_clusters_age(self):
        self.read(held('c1', 5), released('c2'),
                  samples.cluster('c3', 'c3'),
                  samples.cluster('c4', 'c4', view_mod.Reading('two words',
                                                               5)))
        self.assertEqual({'c1': 0.0}, self.ages())
        self.now += 60
        # Released: its holder is gone, no age; held again: a new watch.
        self.read(released('c1'))
        self.assertEqual({}, self.ages())
        self.now += 60
        self.read(held('c1', 5))
        self.assertEqual({'c1': 0.0}, self.ages())

    def test_a_failed_reading_forgets_what_was_watched(self):
        self.read(held('c1', 5))
        self.now += 60
        self.readings.failed('vcenter', self.now - 20, self.now)
        status = self.readings.status(self.now)
        self.assertEqual(({}, False, 20.0, 1), (
            status.renewal_ages, status.up, status.reading_seconds,
            status.errors['vcenter']))
        # The last good reading is still served, and ages.
        self.assertEqual({'clusters': 'doc'}, status.document)
        self.assertEqual(62.0, status.reading_age)
        self.now += 60
        self.read(held('c1', 5))
        self.assertEqual({'c1': 0.0}, self.ages())
        self.assertTrue(self.readings.status(self.now).up)

    def test_errors_count_by_reason(self):
        for reason in ('timeout', 'timeout', 'nova'):
            self.readings.failed(reason, self.now, self.now)
        errors = self.readings.status(self.now).errors
        self.assertEqual({'vcenter': 0, 'nova': 1, 'timeout': 2, 'error': 0},
                         errors)

    def test_the_age_of_the_reading_is_counted_from_its_start(self):
        self.read(held('c1', 5), took=3.0)
        self.assertEqual(3.0, self.readings.status(self.now).reading_age)
        self.assertEqual(13.0,
                         self.readings.status(self.now + 10).reading_age)
        self.assertEqual(3.0, self.readings.status(self.now).reading_seconds)

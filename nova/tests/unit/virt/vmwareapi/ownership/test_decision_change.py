"""``decide_change``: every change, record and ``--force``, as one table.

The table covers every change and kind of record, holds within a named
cloud, and judges the view's holder, not the record's.
"""

import dataclasses
import itertools

from oslotest import base

from nova.virt.vmwareapi.ownership import decision
from support import fakes

HOST = fakes.HOST
Change = decision.Change
Verdict = decision.Verdict


# What each kind of record is, for decide_change.
KINDS = {
    'unreadable': None,
    'unowned': None,
    "target's": fakes.record(HOST),
    "target's held": fakes.record(HOST, holder='m:1:a'),
    "another's": fakes.record(fakes.OTHER_HOST),
    "another's held": fakes.record(fakes.OTHER_HOST, holder='m:1:a'),
    # The target's name, in another cloud: another owner.
    "namesake's": fakes.record(HOST, cloud='east'),
    "namesake's held": fakes.record(HOST, holder='m:1:a', cloud='east'),
}


class DecideChangeTestCase(base.BaseTestCase):
    """``decide_change``: every change, record and ``--force``."""

    W, N, OBS = Verdict.WRITE, Verdict.NOTHING_TO_DO, \
        Verdict.OBSERVE_THEN_WRITE
    # (change, kind) -> (verdict, verdict with --force)
    TABLE = {
        (Change.CLAIM, 'unreadable'): (Verdict.REFUSE_UNREADABLE,
                                       Verdict.REFUSE_UNREADABLE),
        (Change.CLAIM, 'unowned'): (W, W),
        (Change.CLAIM, "target's"): (N, N),
        (Change.CLAIM, "target's held"): (N, N),
        (Change.CLAIM, "another's"): (Verdict.REFUSE_OTHER_HOST,
                                      Verdict.REFUSE_OTHER_HOST),
        (Change.CLAIM, "another's held"): (Verdict.REFUSE_OTHER_HOST,
                                           Verdict.REFUSE_OTHER_HOST),
        (Change.CLAIM, "namesake's"): (Verdict.REFUSE_OTHER_CLOUD,
                                       Verdict.REFUSE_OTHER_CLOUD),
        (Change.CLAIM, "namesake's held"): (Verdict.REFUSE_OTHER_CLOUD,
                                            Verdict.REFUSE_OTHER_CLOUD),
        (Change.TAKEOVER, 'unreadable'): (Verdict.REFUSE_UNREADABLE, W),
        (Change.TAKEOVER, 'unowned'): (W, W),
        (Change.TAKEOVER, "target's"): (N, N),
        (Change.TAKEOVER, "target's held"): (OBS, W),
        (Change.TAKEOVER, "another's"): (W, W),
        (Change.TAKEOVER, "another's held"): (OBS, W),
        (Change.TAKEOVER, "namesake's"): (W, W),
        (Change.TAKEOVER, "namesake's held"): (OBS, W),
        (Change.RELEASE, 'unreadable'): (Verdict.REFUSE_UNREADABLE, W),
        (Change.RELEASE, 'unowned'): (N, N),
        (Change.RELEASE, "target's"): (W, W),
        (Change.RELEASE, "target's held"): (OBS, W),
        (Change.RELEASE, "another's"): (Verdict.REFUSE_NOT_OWNER, W),
        (Change.RELEASE, "another's held"): (Verdict.REFUSE_NOT_OWNER, W),
        (Change.RELEASE, "namesake's"): (Verdict.REFUSE_NOT_OWNER, W),
        (Change.RELEASE, "namesake's held"): (Verdict.REFUSE_NOT_OWNER, W),
    }

    def test_the_table_covers_every_change_and_kind(self):
        self.assertEqual(set(itertools.product(Change, KINDS)),
                         set(self.TABLE))

    def test_rows(self):
        for (change, kind), verdicts in sorted(
                self.TABLE.items(), key=lambda item: str(item[0])):
            for force, expected in zip((False, True), verdicts):
                with self.subTest(force=force, expected=expected):
                    self.assertIs(expected, decision.decide_change(
                        change, KINDS[kind], HOST,
                        unreadable=kind == 'unreadable', force=force),
                        (change, kind, force))

    def test_the_rows_hold_within_a_named_cloud(self):
        # Seen from cloud 'east', the default cloud's record of the same
        # name is the namesake's, and east's records are the target's.
        def swapped(record):
            if record is None:
                return None
            return dataclasses.replace(
                record, cloud=None if record.cloud else 'east')

        for (change, kind), verdicts in sorted(
                self.TABLE.items(), key=lambda item: str(item[0])):
            record = swapped(KINDS[kind])
            for force, expected in zip((False, True), verdicts):
                with self.subTest(change=change, kind=kind, force=force):
                    self.assertIs(expected, decision.decide_change(
                        change, record, HOST,
                        unreadable=kind == 'unreadable', force=force,
                        cloud='east'))

    def test_another_host_of_another_cloud_is_another_cloud(self):
        self.assertIs(Verdict.REFUSE_OTHER_CLOUD, decision.decide_change(
            Change.CLAIM, fakes.record(fakes.OTHER_HOST, cloud='east'), HOST))

    def test_held_is_the_views_holder_not_the_records(self):
        # An admin's hand edit (no holder) over a live lease: the rows
        # "with a holder" apply, and the other way round.
        for change, force in itertools.product(Change, (False, True)):
            with self.subTest(change=change, force=force):
                for bare, held in (("target's", "target's held"),
                                   ("another's", "another's held")):
                    self.assertIs(
                        decision.decide_change(change, KINDS[held], HOST,
                                               force=force),
                        decision.decide_change(change, KINDS[bare], HOST,
                                               force=force, held=True))
                    self.assertIs(
                        decision.decide_change(change, KINDS[bare], HOST,
                                               force=force),
                        decision.decide_change(change, KINDS[held], HOST,
                                               force=force, held=False))

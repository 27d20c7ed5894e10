#!/usr/bin/env python3
"""Fencing: a cut-off holder steps down before the standby takes over, and
none of its late writes lands.

The hand-over of the fencing tests (``members.hand_over``, the scenario of
``test_fencing.TestCutOffHolder``), repeated ``--rounds`` times for each
way of cutting holder A off (``members.CUTS``: black hole, stalled
answers, answers delayed 12 s from A's renewal write on, A's write held
past the takeover then delivered). Holder A reaches the simulator through
the project's TLS-terminating proxy, standby B directly, with the tests'
lease of 6 s, renewed every 2 s, renew deadline 4 s, requests bounded at
2 s. Per way:

- the margin between A's step-down (``Member.lost_at``, its last moment
  of believing it holds) and B's take (``Member.held_at``): target
  positive in every round (no overlap); the minimum over rounds;
- A's late writes that landed after the takeover, as a raw reader saw
  them (``Verdict.late_writes``): target 0;
- A's late writes that reached vCenter and were refused (the proxy's
  ``late-answer`` events with fault ``InvalidArgument``);
- A's step-down after the start of its last successful renewal, against
  ``renew_deadline``;
- fail-over time: from the cut (or A's first write after it) to B's take.

And the operator's forced takeover racing a renewal of A
(``forced_takeover.race_a_renewal``, the scenario of
``test_fencing.TestForcedTakeoverRacingARenewal``): A's renewal write is
held while ``nova-vmware-owner takeover --force`` runs, then delivered.
Per round: readings that named another host after the takeover was seen
(target 0), A's late writes refused (``InvalidArgument``) or accepted
(target 0), and A's step-down after the command returned.

The tests run each scenario ``support.members.ROUNDS`` times (2); these
rounds are the proof.

    tox -e benchmarks -- --only fencing

or, in that environment:

    python benchmarks/fencing.py [--rounds N] [--only SCENARIO ...]
"""

import argparse
import contextlib
import statistics

import _common

from support import forced_takeover
from support import members

SETTINGS = _common.settings(lease_duration=6, renew_interval=2)
BOUND = 2.0
"""Seconds of each request, as in the fencing tests."""
SLACK = 1.0
ABANDONED = 1.0
RACE = 'forced_takeover'


def run_round(rig, cut, label):
    """One hand-over; its numbers, or the step that failed."""
    with contextlib.ExitStack() as cleanups:
        try:
            handed = members.hand_over(
                rig, SETTINGS, cut, cleanups.callback, slack=SLACK,
                abandoned_after=ABANDONED, label=label)
        except members.HandOverFailed as exc:
            return {'failed': str(exc)}
        return {'margin': handed.margin, 'step_down': handed.step_down,
                'fail_over': handed.fail_over,
                'late_writes': len(handed.verdict.late_writes),
                'refused': len(handed.late_answers()),
                'replaced': len(handed.verdict.replaced)}


def run_race(rig, label):
    """One forced takeover racing a renewal; its numbers, or the step that
    failed.
    """
    with contextlib.ExitStack() as cleanups:
        try:
            raced = forced_takeover.race_a_renewal(
                rig, SETTINGS, cleanups.callback, slack=SLACK,
                abandoned_after=ABANDONED, label=label)
        except members.HandOverFailed as exc:
            return {'failed': str(exc)}
        faults = [e.fault for e in raced.late_answers]
        return {'step_down': raced.step_down,
                'undone': len(raced.not_taken_over),
                'refused': faults.count('InvalidArgument'),
                'accepted': len(faults) - faults.count('InvalidArgument')}


def summarize_race(rounds):
    done, row = _common.rounds_row(rounds)
    if not done:
        return dict(row, met=False)
    row.update({name: sum(r[name] for r in done)
                for name in ('undone', 'refused', 'accepted')},
               step_down=_common.summary([r['step_down'] for r in done]))
    row['met'] = not row['failed'] and not row['undone'] and \
        not row['accepted']
    return row


def summarize(rounds):
    done, row = _common.rounds_row(rounds)
    if not done:
        return dict(row, met=False)
    margins = [r['margin'] for r in done]
    row.update(
        overlaps=sum(1 for m in margins if m <= 0),
        margin_min=round(min(margins), 3),
        margin_median=round(statistics.median(margins), 3),
        late_writes=sum(r['late_writes'] for r in done),
        replaced=sum(r['replaced'] for r in done),
        refused=sum(r['refused'] for r in done),
        step_down=_common.summary([r['step_down'] for r in done]),
        fail_over=_common.summary([r['fail_over'] for r in done]))
    row['met'] = not row['failed'] and row['overlaps'] == 0 and \
        row['late_writes'] == 0 and row['replaced'] == 0
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rounds', type=int, default=10)
    parser.add_argument('--only', nargs='*',
                        choices=sorted(members.CUTS) + [RACE])
    args = parser.parse_args()
    data = {'lease': SETTINGS.lease_duration,
            'renew': SETTINGS.renew_interval,
            'renew_deadline': SETTINGS.renew_deadline,
            'request_bound': BOUND, 'cuts': {}}
    sim = _common.start_simulator(clusters=1, hosts=1, vms=1)
    try:
        rig = members.Rig(sim, BOUND)
        try:
            for name in args.only or list(members.CUTS) + [RACE]:
                labels = ['%s round %d' % (name, number)
                          for number in range(1, args.rounds + 1)]
                if name == RACE:
                    data[RACE] = row = summarize_race(
                        [run_race(rig, label) for label in labels])
                    print_race(row)
                    continue
                data['cuts'][name] = row = summarize([
                    run_round(rig, members.CUTS[name], label)
                    for label in labels])
                print_row(name, row)
        finally:
            rig.close()
    finally:
        sim.cleanUp()
    _common.result('fencing', data)


def print_row(name, row):
    _common.print_row(name, row, 'margin_min', lambda row: (
        '%d rounds (%d failed): overlaps %d, margin min %.2f s; '
        'late writes landed %d, refused %d; step-down %.2f s median, '
        '%.2f s max after the last renewal (deadline %.1f s); fail-over '
        '%.2f s median, %.2f s max' % (
            row['rounds'], len(row['failed']), row['overlaps'],
            row['margin_min'], row['late_writes'], row['refused'],
            row['step_down']['median'], row['step_down']['max'],
            SETTINGS.renew_deadline, row['fail_over']['median'],
            row['fail_over']['max'])))


def print_race(row):
    _common.print_row(RACE, row, 'step_down', lambda row: (
        '%d rounds (%d failed): readings undoing the takeover %d; '
        'late writes of A refused %d, accepted %d; A stepped down %.2f s '
        'median, %.2f s max after the takeover' % (
            row['rounds'], len(row['failed']), row['undone'],
            row['refused'], row['accepted'], row['step_down']['median'],
            row['step_down']['max'])))


if __name__ == '__main__':
    main()

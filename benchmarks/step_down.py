#!/usr/bin/env python3
"""A step-down in real nova-compute: time from the step-down to the exit.

The scenario of the nova tier's ``test_step_down`` (``stepdown.step_down``)
repeated ``--rounds`` times (default 10) for each way of cutting
nova-compute off (``stepdown.CUTS``): nova-compute with the guarded driver
in a process of its own (nova 34's own start and stop), through the
project's proxy, lease 12 s / renew 2 s / renew deadline 7 s (grace 2.5
s); a standby holder on "another machine" where it can be one. Per way:

- A's exit status (0: nova's own stop; 75: the hard exit; -15: a second
  SIGTERM under oslo.service's eventlet launcher);
- from the step-down to the exit (a paused A: from its resumption; an A
  stopped by SIGTERM while cut off: from the cut), against the grace;
- the margin from A's exit to B's take: target positive in every round
  (a paused A cannot exit while paused: reported);
- A's writes that landed after the take (raw reader): target 0; A's
  requests that reached vCenter after it (the proxy's record).

nova-compute runs in ``$NOVA_SERVICE_PYTHON``, else in a venv of its own
made once in the cache directory (nova 34, placement 16 and what
placement's test fixture imports; a few minutes).

    tox -e benchmarks -- --only step_down

or, in that environment:

    python benchmarks/step_down.py [--rounds N] [--only CUT ...]
"""

import argparse
import contextlib
import os
import shutil
import tempfile

import _common

from support import nova_processes
from support import stepdown

NOVA_SERVICE_REQUIREMENTS = _common.NOVA_REQUIREMENTS + [
    'openstack-placement==16.0.0', 'oslotest', 'fixtures', 'testtools',
    'testresources', 'testscenarios', 'wsgi-intercept']


def run_round(rig, cut, label):
    """One round's numbers, or the step that failed."""
    with contextlib.ExitStack() as cleanups:
        try:
            done = stepdown.step_down(rig, cut, cleanups.callback,
                                      label=label)
        except stepdown.StepDownFailed as exc:
            return {'failed': str(exc).splitlines()[0]}
        return {'status': done.status, 'to_exit': done.to_exit,
                'margin': done.margin,
                'stepped_down': done.stepped_down_at is not None,
                'late_writes': len(done.verdict.late_writes),
                'replaced': len(done.verdict.replaced),
                'requests_after_take': len(done.requests_after_take)}


def summarize(cut, rounds):
    done, row = _common.rounds_row(rounds)
    if not done:
        return dict(row, met=False)
    margins = [r['margin'] for r in done]
    row.update(
        statuses=sorted({r['status'] for r in done}),
        to_exit=_common.summary([r['to_exit'] for r in done]),
        overlaps=sum(1 for m in margins if m <= 0),
        margin_min=round(min(margins), 3),
        late_writes=sum(r['late_writes'] + r['replaced'] for r in done),
        requests_after_take=sum(r['requests_after_take'] for r in done))
    row['met'] = not row['failed'] and row['late_writes'] == 0 and (
        cut == 'paused' or row['overlaps'] == 0)
    return row


def nova_service_python():
    return os.environ.get('NOVA_SERVICE_PYTHON') or _common.venv_python(
        'bench-nova34-service', NOVA_SERVICE_REQUIREMENTS)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rounds', type=int, default=10)
    parser.add_argument('--only', nargs='*', choices=list(stepdown.CUTS))
    args = parser.parse_args()
    python = nova_service_python()
    data = {'lease': stepdown.LEASE, 'renew': stepdown.RENEW,
            'renew_deadline': stepdown.DEADLINE, 'grace': stepdown.GRACE,
            'cuts': {}}
    sim = _common.start_simulator(clusters=1, hosts=1, vms=0)
    directory = tempfile.mkdtemp(prefix='bench-step-down-')
    try:
        database = nova_processes.make_nova_database(python, directory)
        rig = stepdown.Rig(sim, python, database, sim.session())
        data['standby_on_another_machine'] = bool(rig.standby_machine)
        try:
            for cut in args.only or list(stepdown.CUTS):
                rounds = [run_round(rig, cut, '%s round %d' % (cut, number))
                          for number in range(1, args.rounds + 1)]
                data['cuts'][cut] = row = summarize(cut, rounds)
                print_row(cut, row)
        finally:
            rig.close()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
        sim.cleanUp()
    _common.result('step_down', data)


def print_row(cut, row):
    _common.print_row(cut, row, 'to_exit', lambda row: (
        '%d rounds (%d failed): exit status %s; exit %.2f s median, '
        '%.2f s max after the step-down (grace %.1f s); margin to the '
        'take min %.2f s (%d overlaps); late writes %d; requests after '
        'the take %d' % (
            row['rounds'], len(row['failed']), row['statuses'],
            row['to_exit']['median'], row['to_exit']['max'],
            stepdown.GRACE, row['margin_min'], row['overlaps'],
            row['late_writes'], row['requests_after_take'])))


if __name__ == '__main__':
    main()

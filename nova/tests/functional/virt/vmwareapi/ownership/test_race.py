"""Eight guarding processes claim one cluster at once, round after round.

Each is ``holder.py`` in ``race`` mode (``processes.Holder``): its own
session and guard, as nova-compute with the guarded driver, trying once to
start without standing by. Exactly one must win each round, and the lease
must name it. Nothing here judges timing (every wait is a generous bound),
so these run in parallel with the other tests, not with those of
``test_ha`` and ``test_fencing``.
"""

import os

from support import base
from support import processes

RACERS = 8
ROUNDS = int(os.environ.get('NOVA_VMWARE_OWNER_RACE_ROUNDS', '50'))
TIMEOUT = 10
"""Seconds of each request of the racers: the race is judged by its
outcome, not by how fast it runs on a loaded machine."""


class TestRace(base.SimulatorTestCase):

    def test_exactly_one_of_eight_claimers_wins_every_round(self):
        racers = [processes.Holder(self, 'race', timeout=TIMEOUT)
                  for _ in range(RACERS)]
        for racer in racers:
            self.assertIsNotNone(racer.wait_for('connected', 120),
                                 racer.stderr())
        for number in range(ROUNDS):
            attribute = '%s.race%d' % (self.attribute, number)
            for racer in racers:
                racer.send(attribute)
            outcomes = []
            for racer in racers:
                event = racer.next_event(60)
                self.assertIsNotNone(event, 'round %d: no answer; stderr: %s'
                                     % (number, racer.stderr()))
                self.assertEqual(attribute, event.get('round'), event)
                outcomes.append(event)
            winners = [e for e in outcomes if e['event'] == 'held']
            self.assertEqual(1, len(winners), 'round %d: %s'
                             % (number, outcomes))
            losers = {e.get('error') for e in outcomes
                      if e['event'] != 'held'}
            self.assertEqual({'ClusterHeldByAnotherProcess'}, losers)
            lease = base.view_of(self.make_store(attribute=attribute)).lease
            self.assertEqual(winners[0]['holder'], lease.holder)

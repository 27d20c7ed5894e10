"""The three decision tables, row by row: start, lost, operator change."""

import dataclasses
import itertools

from oslotest import base

from nova.virt.vmwareapi.ownership import decision
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import view
from support import fakes
from support import messages
from support import sample_rehome as samples

Action = decision.Action
Identity = decision.Identity
Liveness = decision.Liveness

HOST = fakes.HOST
OTHER = fakes.OTHER_HOST
ME = 'this-machine:100:aaaaaaaa'
TOKEN = 117


rec = fakes.record


class DecideTestCase(base.BaseTestCase):
    """``decide``: what a starting nova-compute does (how-it-works.rst)."""

    # (record, liveness, local node, sync) -> (action, identity)
    # (unreadable: see test_unreadable_refuses_whatever_else_is_known)
    ROWS = [
        # absent or empty: claim, recording the local node
        (None, Liveness.NONE, None, True, Action.CLAIM, Identity.NONE),
        (None, Liveness.NONE, 'n1', True, Action.CLAIM, Identity.RECORD),
        (None, Liveness.NONE, 'n1', False, Action.CLAIM, Identity.NONE),
        # names this host, released / no live holder / this process: take
        (rec(), Liveness.NONE, None, True, Action.TAKE, Identity.NONE),
        (rec(holder='m:1:a'), Liveness.DEAD, None, True, Action.TAKE,
         Identity.NONE),
        (rec(holder=ME), Liveness.MINE, None, True, Action.TAKE,
         Identity.NONE),
        (rec(node='n1'), Liveness.NONE, None, True, Action.TAKE,
         Identity.RESTORE),
        (rec(node='n1'), Liveness.NONE, 'n1', True, Action.TAKE,
         Identity.NONE),
        (rec(), Liveness.NONE, 'n1', True, Action.TAKE, Identity.RECORD),
        (rec(node='n1'), Liveness.NONE, None, False, Action.TAKE,
         Identity.NONE),
        (rec(), Liveness.NONE, 'n1', False, Action.TAKE, Identity.NONE),
        (rec(node='n1'), Liveness.NONE, 'n2', False, Action.TAKE,
         Identity.NONE),
        # names this host, another live holder: stand by (restoring the
        # node is for after the wait, but decided now)
        (rec(holder='m:1:a'), Liveness.LIVE, None, True, Action.STANDBY,
         Identity.NONE),
        (rec(node='n1', holder='m:1:a'), Liveness.LIVE, None, True,
         Action.STANDBY, Identity.RESTORE),
        # names this host with another node: refuse, live holder or not
        (rec(node='n1'), Liveness.NONE, 'n2', True,
         Action.REFUSE_NODE_MISMATCH, Identity.NONE),
        (rec(node='n1', holder='m:1:a'), Liveness.LIVE, 'n2', True,
         Action.REFUSE_NODE_MISMATCH, Identity.NONE),
        # names another host: refuse (case matters: host names are ids)
        (rec(OTHER), Liveness.NONE, None, True, Action.REFUSE_OTHER_HOST,
         Identity.NONE),
        (rec('Compute-A'), Liveness.NONE, None, True,
         Action.REFUSE_OTHER_HOST, Identity.NONE),
    ]

    def test_rows(self):
        for record, alive, local, sync, action, identity in self.ROWS:
            with self.subTest(record=record, alive=alive, local=local,
                              sync=sync):
                result = decision.decide(record, HOST, alive, local, sync)
                self.assertEqual((action, identity),
                                 (result.action, result.identity),
                                 (record, alive, local, sync))
                self.assertIs(record, result.record)
                self.assertEqual(action in decision.REFUSALS, result.refused)

    def test_a_live_holder_is_refused_when_standby_wait_is_off(self):
        # The stand-by-off row: the guard refuses and the driver's audit
        # mode reports it, both from this one row.
        for record, alive, local, action in (
                (rec(holder='m:1:a'), Liveness.LIVE, None,
                 Action.REFUSE_HELD),
                (rec(node='n1', holder='m:1:a'), Liveness.LIVE, None,
                 Action.REFUSE_HELD),
                (rec(holder='m:1:a'), Liveness.DEAD, None, Action.TAKE),
                (rec(holder=ME), Liveness.MINE, None, Action.TAKE),
                (rec(node='n1', holder='m:1:a'), Liveness.LIVE, 'n2',
                 Action.REFUSE_NODE_MISMATCH)):
            with self.subTest(record=record, alive=alive, local=local):
                result = decision.decide(record, HOST, alive, local,
                                         standby_wait=False)
                self.assertIs(action, result.action)
                self.assertEqual(action in decision.REFUSALS,
                                 result.refused)
        refused = decision.decide(rec(holder='m:1:a'), HOST, Liveness.LIVE,
                                  standby_wait=False)
        self.assertIs(Identity.NONE, refused.identity)
        self.assertIn('m:1:a', refused.reason)
        self.assertIn('standby_wait', refused.reason)

    def test_unreadable_refuses_whatever_else_is_known(self):
        for record, alive, local, sync in itertools.product(
                (None, rec(), rec(OTHER)), Liveness, (None, 'n1'),
                (True, False)):
            with self.subTest(record=record, alive=alive, local=local,
                              sync=sync):
                result = decision.decide(record, HOST, alive, local, sync,
                                         unreadable=True)
                self.assertIs(Action.REFUSE_UNREADABLE, result.action)
                self.assertIs(Identity.NONE, result.identity)
                self.assertIsNone(result.record)
                self.assertTrue(result.refused)

    def test_another_host_is_refused_however_stale(self):
        for holder, alive, local, sync in itertools.product(
                (None, 'm:1:a'), Liveness, (None, 'n1', 'n2'),
                (True, False)):
            with self.subTest(holder=holder, alive=alive, local=local,
                              sync=sync):
                result = decision.decide(rec(OTHER, node='n1', holder=holder),
                                         HOST, alive, local, sync)
                self.assertIs(Action.REFUSE_OTHER_HOST, result.action)
                self.assertIs(Identity.NONE, result.identity)
                self.assertIn(OTHER, result.reason)

    def test_a_namesake_of_another_cloud_is_refused_whatever_else(self):
        # The owner is (cloud, host): never a standby for, nor a take of,
        # the record of the same host name in another cloud.
        for (mine, theirs), holder, alive, local, sync, wait in \
                itertools.product(((None, 'east'), ('east', None),
                                   ('east', 'west')),
                                  (None, 'm:1:a'), Liveness,
                                  (None, 'n1', 'n2'), (True, False),
                                  (True, False)):
            record = rec(node='n1', holder=holder, cloud=theirs)
            with self.subTest(mine=mine, record=record, alive=alive,
                              local=local, sync=sync, wait=wait):
                result = decision.decide(record, HOST, alive, local, sync,
                                         standby_wait=wait, cloud=mine)
                self.assertIs(Action.REFUSE_OTHER_CLOUD, result.action)
                self.assertIs(Identity.NONE, result.identity)
                self.assertTrue(result.refused)
                self.assertIn(HOST, result.reason)
        self.assertIn("cloud 'east'", decision.decide(
            rec(cloud='east'), HOST).reason)
        self.assertIn('the default cloud', decision.decide(
            rec(), HOST, cloud='east').reason)

    def test_the_rows_hold_within_a_named_cloud(self):
        for record, alive, local, sync, action, identity in self.ROWS:
            if record is not None:
                record = dataclasses.replace(record, cloud='east')
            with self.subTest(record=record, alive=alive, local=local,
                              sync=sync):
                result = decision.decide(record, HOST, alive, local, sync,
                                         cloud='east')
                self.assertEqual((action, identity),
                                 (result.action, result.identity))
        # Another host of another cloud: the cloud is what it says.
        self.assertIs(Action.REFUSE_OTHER_CLOUD, decision.decide(
            rec(OTHER), HOST, cloud='east').action)

    def test_a_vanished_record_whose_holder_was_seen_alive(self):
        # Issue 19: absent, but the standby watched a live holder until
        # then: it waits as if the record were there.
        for local_node, identity in ((None, Identity.NONE),
                                     ('n1', Identity.RECORD)):
            with self.subTest(local_node=local_node):
                result = decision.decide(None, HOST, Liveness.LIVE,
                                         local_node=local_node)
                self.assertIs(Action.STANDBY, result.action)
                self.assertIs(identity, result.identity)
                self.assertIsNone(result.record)
                self.assertIn('vanished', result.reason)
        result = decision.decide(None, HOST, Liveness.LIVE,
                                 standby_wait=False)
        self.assertIs(Action.REFUSE_HELD, result.action)
        for liveness in (Liveness.NONE, Liveness.DEAD):
            with self.subTest(liveness=liveness):
                self.assertIs(Action.CLAIM,
                              decision.decide(None, HOST, liveness).action)

    def test_reasons(self):
        self.assertIn('n1', decision.decide(rec(node='n1'), HOST,
                                            local_node='n2').reason)
        self.assertIn('m:1:a', decision.decide(
            rec(holder='m:1:a'), HOST, Liveness.LIVE).reason)
        self.assertIn('unowned', decision.decide(None, HOST).reason)
        self.assertIn('claim', repr(decision.decide(None, HOST)))

    def test_reasons_escape_what_vcenter_holds(self):
        # The driver's audit mode logs them (issue 19).
        forged = rec(holder='m:1:a' + messages.FORGED)
        for reason in (decision.decide(forged, HOST, Liveness.LIVE).reason,
                       decision.decide(forged, HOST, Liveness.LIVE,
                                       standby_wait=False).reason,
                       decision.decide(forged, HOST, Liveness.DEAD).reason,
                       decision.lost_reason(lease_view(forged), TOKEN, ME,
                                            HOST)):
            with self.subTest(reason=reason):
                self.assertTrue(reason.isprintable(), reason)


def lease_view(lease=None, attribute=None, token=TOKEN):
    """The view of a cluster whose lease ``token`` holds ``lease``."""
    lease_raw = lease if isinstance(lease, str) or lease is None else \
        record_mod.format_record(lease.with_token(token))
    if attribute is None and not isinstance(lease, str) and lease:
        attribute = lease_raw
    return view.interpret(view.Reading(attribute, 101, token, lease_raw))


class LostReasonTestCase(base.BaseTestCase):
    """``lost_reason``: when a running holder must step down."""

    def lost(self, current):
        return decision.lost_reason(current, TOKEN, ME, HOST)

    def test_unreadable(self):
        reason = self.lost(lease_view('{"host": 1}'))
        self.assertIn('unreadable', reason)

    def test_lease_removed(self):
        reason = self.lost(view.interpret(view.Reading(
            record_mod.format_record(rec(holder=ME).with_token(TOKEN)),
            101)))
        self.assertIn('lease (key 117) is gone', reason)

    def test_lease_replaced(self):
        # Even by a lease holding the very same record (a rotation).
        reason = self.lost(lease_view(rec(holder=ME), token=TOKEN + 1))
        self.assertIn('replaced by lease 118', reason)

    def test_lease_emptied(self):
        # A lease without a value: a change is in progress over ours.
        self.assertIsNotNone(self.lost(lease_view(None, 'compute-a')))
        self.assertIn('cleared', self.lost(lease_view(None, None)))

    def test_record_edited_to_another_host(self):
        reason = self.lost(lease_view(rec(holder=ME), attribute=OTHER))
        self.assertIn('names host compute-b', reason)

    def test_lease_of_a_namesake_in_another_cloud(self):
        reason = self.lost(lease_view(rec(holder=ME, cloud='east')))
        self.assertIn("names host compute-a of cloud 'east'", reason)
        self.assertIsNone(decision.lost_reason(
            lease_view(rec(holder=ME, cloud='east')), TOKEN, ME, HOST,
            'east'))
        self.assertIn('of the default cloud', decision.lost_reason(
            lease_view(rec(holder=ME)), TOKEN, ME, HOST, 'east'))

    def test_lease_names_another_holder(self):
        reason = self.lost(lease_view(rec(holder='m:2:other')))
        self.assertIn('holder m:2:other', reason)

    def test_lease_released(self):
        self.assertIn('holder None', self.lost(lease_view(rec())))

    def test_still_held(self):
        self.assertIsNone(self.lost(lease_view(rec(holder=ME))))

    def test_still_held_whatever_the_copy(self):
        # A cleared, stale or same-host hand-edited copy is repaired, not
        # a reason to step down.
        for attribute in ('', HOST, record_mod.format_record(
                rec(OTHER).with_token(TOKEN - 1))):
            with self.subTest(attribute=attribute):
                self.assertIsNone(self.lost(lease_view(rec(holder=ME),
                                                       attribute=attribute)))


class NodeElsewhereTestCase(base.BaseTestCase):
    """Whether nova has the cluster's compute node under another host."""

    NODE, NEW = samples.NODE, samples.NEW

    def elsewhere(self, *nodes):
        return decision.node_elsewhere(list(nodes), self.NODE, self.NEW)

    def test_only_another_host_has_it(self):
        self.assertEqual(samples.node(), self.elsewhere(samples.node()))

    def test_this_host_has_it(self):
        self.assertIsNone(self.elsewhere(samples.node(self.NEW)))

    def test_both_have_it(self):
        # The legacy duplicate nova alone allowed: not this check's case.
        self.assertIsNone(self.elsewhere(
            samples.node(), samples.node(self.NEW, uuid='u2')))

    def test_only_names_that_match_exactly(self):
        self.assertIsNone(self.elsewhere(
            samples.node(name=self.NODE + '0')))

"""Tests of the start decision: one test per row of DESIGN section 4."""

from oslotest import base

from nova.virt.vmwareapi.ownership import decision
from nova.virt.vmwareapi.ownership import record

Action = decision.Action
Identity = decision.Identity
Liveness = decision.Liveness

HOST = 'compute-a'


def rec(host=HOST, node=None, holder=None, state=None):
    return record.OwnershipRecord(host, node=node, holder=holder,
                                  state=state, seq=5)


class RefusalTestCase(base.BaseTestCase):
    """Rows that refuse, first."""

    def test_unreadable_refused(self):
        result = decision.decide(None, HOST, unreadable=True)
        self.assertIs(Action.REFUSE_UNREADABLE, result.action)
        self.assertTrue(result.refused)
        self.assertIsNone(result.record)
        self.assertIs(Identity.NONE, result.identity)

    def test_unreadable_wins_over_a_record(self):
        result = decision.decide(rec(), HOST, unreadable=True)
        self.assertIs(Action.REFUSE_UNREADABLE, result.action)

    def test_other_host_refused(self):
        other = rec('compute-b', node='n1')
        result = decision.decide(other, HOST, local_node=None)
        self.assertIs(Action.REFUSE_OTHER_HOST, result.action)
        self.assertTrue(result.refused)
        self.assertIs(other, result.record)
        self.assertIs(Identity.NONE, result.identity)
        self.assertIn('compute-b', result.reason)

    def test_other_host_refused_however_stale(self):
        for liveness in Liveness:
            result = decision.decide(rec('compute-b', holder='m:1:a'), HOST,
                                     liveness)
            self.assertIs(Action.REFUSE_OTHER_HOST, result.action,
                          liveness)

    def test_other_host_differs_only_in_case(self):
        result = decision.decide(rec('Compute-A'), HOST)
        self.assertIs(Action.REFUSE_OTHER_HOST, result.action)

    def test_node_mismatch_refused(self):
        result = decision.decide(rec(node='n1'), HOST, Liveness.NONE,
                                 local_node='n2')
        self.assertIs(Action.REFUSE_NODE_MISMATCH, result.action)
        self.assertTrue(result.refused)
        self.assertIn('n1', result.reason)
        self.assertIn('n2', result.reason)


class RowTestCase(base.BaseTestCase):

    def test_absent_claims(self):
        result = decision.decide(None, HOST)
        self.assertIs(Action.CLAIM, result.action)
        self.assertFalse(result.refused)
        self.assertIsNone(result.record)

    def test_this_host_released_takes(self):
        result = decision.decide(rec(state=record.RELEASED), HOST,
                                 Liveness.NONE)
        self.assertIs(Action.TAKE, result.action)
        self.assertFalse(result.refused)

    def test_this_host_dead_holder_takes(self):
        result = decision.decide(rec(holder='m:1:a'), HOST, Liveness.DEAD)
        self.assertIs(Action.TAKE, result.action)

    def test_this_host_holder_is_this_process_takes(self):
        result = decision.decide(rec(holder='m:1:a'), HOST, Liveness.MINE)
        self.assertIs(Action.TAKE, result.action)

    def test_this_host_live_holder_stands_by(self):
        result = decision.decide(rec(holder='m:1:a'), HOST, Liveness.LIVE)
        self.assertIs(Action.STANDBY, result.action)
        self.assertFalse(result.refused)
        self.assertIn('m:1:a', result.reason)

    def test_repr(self):
        self.assertIn('claim', repr(decision.decide(None, HOST)))


class IdentityTestCase(base.BaseTestCase):

    def test_claim_records_local_node(self):
        result = decision.decide(None, HOST, local_node='n1')
        self.assertIs(Identity.RECORD, result.identity)

    def test_claim_without_local_node(self):
        result = decision.decide(None, HOST, local_node=None)
        self.assertIs(Identity.NONE, result.identity)

    def test_local_node_missing_restores(self):
        result = decision.decide(rec(node='n1'), HOST, local_node=None)
        self.assertIs(Action.TAKE, result.action)
        self.assertIs(Identity.RESTORE, result.identity)

    def test_local_node_missing_restores_on_standby(self):
        result = decision.decide(rec(node='n1', holder='m:1:a'), HOST,
                                 Liveness.LIVE, local_node=None)
        self.assertIs(Action.STANDBY, result.action)
        self.assertIs(Identity.RESTORE, result.identity)

    def test_local_node_equal(self):
        result = decision.decide(rec(node='n1'), HOST, local_node='n1')
        self.assertIs(Action.TAKE, result.action)
        self.assertIs(Identity.NONE, result.identity)

    def test_record_without_node_records_local(self):
        result = decision.decide(rec(node=None), HOST, local_node='n1')
        self.assertIs(Action.TAKE, result.action)
        self.assertIs(Identity.RECORD, result.identity)

    def test_neither_has_a_node(self):
        result = decision.decide(rec(node=None), HOST, local_node=None)
        self.assertIs(Identity.NONE, result.identity)

    def test_sync_off_ignores_mismatch(self):
        result = decision.decide(rec(node='n1'), HOST, local_node='n2',
                                 sync_node_identity=False)
        self.assertIs(Action.TAKE, result.action)
        self.assertIs(Identity.NONE, result.identity)

    def test_sync_off_never_restores_or_records(self):
        for record_node, local in (('n1', None), (None, 'n1')):
            result = decision.decide(rec(node=record_node), HOST,
                                     local_node=local,
                                     sync_node_identity=False)
            self.assertIs(Identity.NONE, result.identity)
        result = decision.decide(None, HOST, local_node='n1',
                                 sync_node_identity=False)
        self.assertIs(Identity.NONE, result.identity)

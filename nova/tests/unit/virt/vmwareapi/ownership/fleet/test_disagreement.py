"""The join of nova's records with a cluster's record: codes and fixes."""

from oslotest import base

from nova.virt.vmwareapi.ownership.fleet import disagreement as dis
from nova.virt.vmwareapi.ownership import nova_records
from nova.virt.vmwareapi.ownership import view as view_mod
from support import fakes

A = fakes.HOST
B = fakes.OTHER_HOST
NAME = 'domain-c7.vc-uuid'
KNOWN = frozenset([A, B])


def owned(host=A, node=fakes.NODE_A, holder=None, cloud=None):
    """The view right after ``host`` claimed (token 17)."""
    return view_mod.written(fakes.record(host, holder=holder, node=node,
                                         cloud=cloud).with_token(17))


def unowned():
    return view_mod.View(view_mod.Reading())


def unreadable():
    return view_mod.interpret(view_mod.Reading('two words', 5),
                              fakes.location())


def node(host=A, uuid=fakes.NODE_A):
    return nova_records.Node(None, uuid, host, NAME, None)


class FindTestCase(base.BaseTestCase):

    def codes(self, view, nodes=(), hosts=KNOWN, cloud=None):
        found = dis.find(view, list(nodes), hosts, cloud)
        for item in found:
            self.assertNotIn('\n', item.fix)
        return [item.code for item in found]

    def fix(self, code, view, nodes=(), hosts=KNOWN, cloud=None):
        found = dis.find(view, list(nodes), hosts, cloud)
        return {d.code: d.fix for d in found}[code]

    def test_another_clouds_cluster_is_not_a_disagreement(self):
        # Its owner is not among this nova's services, its node not among
        # its nodes, whatever its name: none of this nova's business.
        for mine, theirs in ((None, 'east'), ('east', None),
                             ('east', 'west')):
            for host in (A, 'compute-z'):
                with self.subTest(mine=mine, theirs=theirs, host=host):
                    self.assertEqual([], self.codes(
                        owned(host, node='other-clouds-node', cloud=theirs),
                        cloud=mine))

    def test_another_clouds_cluster_that_this_nova_manages(self):
        view = owned(A, cloud='east')
        self.assertEqual([dis.OWNED_BY_OTHER_CLOUD],
                         self.codes(view, [node(A)]))
        fix = self.fix(dis.OWNED_BY_OTHER_CLOUD, view, [node(A)])
        self.assertIn("names host compute-a of cloud 'east': two clouds "
                      "manage one cluster", fix)
        self.assertIn('takeover --host compute-a', fix)
        self.assertEqual([dis.TWO_NOVA_HOSTS, dis.OWNED_BY_OTHER_CLOUD],
                         self.codes(view, [node(A), node(B, fakes.NODE_B)]))
        self.assertIn('every host but the host that should manage it',
                      self.fix(dis.TWO_NOVA_HOSTS, view,
                               [node(A), node(B, fakes.NODE_B)]))

    def test_this_clouds_records_within_a_named_cloud(self):
        self.assertEqual([], self.codes(owned(A, cloud='east'), [node(A)],
                                        cloud='east'))
        self.assertEqual([dis.UNKNOWN_OWNER], self.codes(
            owned('compute-z', cloud='east'), cloud='east'))

    def test_two_hosts_keep_the_owner(self):
        nodes = [node(A), node(B, fakes.NODE_B)]
        self.assertEqual([dis.TWO_NOVA_HOSTS], self.codes(owned(A), nodes))
        fix = self.fix(dis.TWO_NOVA_HOSTS, owned(A), nodes)
        self.assertIn('compute-a and compute-b', fix)
        self.assertIn('every host but compute-a', fix)
        self.assertIn('openstack compute service delete', fix)

    def test_two_hosts_and_no_record(self):
        nodes = [node(A), node(B, fakes.NODE_B)]
        self.assertEqual([dis.TWO_NOVA_HOSTS, dis.NO_RECORD],
                         self.codes(unowned(), nodes))
        self.assertIn('every host but the host that should manage it',
                      self.fix(dis.TWO_NOVA_HOSTS, unowned(), nodes))

    def test_nova_host_differs_names_both_fixes(self):
        self.assertEqual([dis.NOVA_HOST_DIFFERS],
                         self.codes(owned(A), [node(B, fakes.NODE_A)]))
        fix = self.fix(dis.NOVA_HOST_DIFFERS, owned(A),
                       [node(B, fakes.NODE_A)])
        self.assertIn('takeover --host compute-b', fix)
        self.assertIn('rehome --from compute-b --to compute-a', fix)

    def test_renamed_in_nova_only(self):
        # nova's records were renamed to B; nova knows no service of A.
        self.assertEqual([dis.NOVA_HOST_DIFFERS, dis.UNKNOWN_OWNER],
                         self.codes(owned(A), [node(B)], hosts={B}))

    def test_no_record(self):
        self.assertEqual([dis.NO_RECORD], self.codes(unowned(), [node()]))
        self.assertIn('claim', self.fix(dis.NO_RECORD, unowned(), [node()]))

    def test_pending_change_without_a_record_counts_as_no_record(self):
        pending = view_mod.interpret(view_mod.Reading(None, 5, 9, None))
        self.assertTrue(pending.pending)
        self.assertEqual([dis.NO_RECORD], self.codes(pending, [node()]))

    def test_unknown_owner_without_nova_node(self):
        self.assertEqual([dis.UNKNOWN_OWNER],
                         self.codes(owned('compute-z')))
        fix = self.fix(dis.UNKNOWN_OWNER, owned('compute-z'))
        self.assertIn('compute-z', fix)
        self.assertIn('release --force', fix)

    def test_node_differs(self):
        nodes = [node(A, fakes.NODE_B)]
        self.assertEqual([dis.NODE_DIFFERS], self.codes(owned(A), nodes))
        fix = self.fix(dis.NODE_DIFFERS, owned(A), nodes)
        self.assertIn(fakes.NODE_A, fix)
        self.assertIn(fakes.NODE_B, fix)

    def test_record_without_node_agrees(self):
        self.assertEqual([], self.codes(owned(A, node=None), [node(A)]))

    def test_record_unreadable_managed_by_nova(self):
        self.assertEqual([dis.RECORD_UNREADABLE],
                         self.codes(unreadable(), [node()]))
        self.assertIn('takeover --force', self.fix(
            dis.RECORD_UNREADABLE, unreadable(), [node()]))

    def test_agreement(self):
        self.assertEqual([], self.codes(owned(A), [node(A)]))
        self.assertEqual([], self.codes(owned(A, holder='m:1:a'),
                                        [node(A)]))

    def test_nothing_to_say_without_nova_or_record(self):
        self.assertEqual([], self.codes(unowned()))
        self.assertEqual([], self.codes(unreadable()))

    def test_codes_are_listed_once_in_order(self):
        self.assertEqual(len(dis.CODES), len(set(dis.CODES)))
        nodes = [node(B), node('compute-c', fakes.NODE_B)]
        self.assertEqual([dis.TWO_NOVA_HOSTS, dis.NOVA_HOST_DIFFERS,
                          dis.UNKNOWN_OWNER],
                         self.codes(owned('compute-z'), nodes))


class HelpersTestCase(base.BaseTestCase):

    def test_nodes_by_name(self):
        other = nova_records.Node(None, 'u2', B, 'domain-c9.vc-uuid', None)
        found = dis.nodes_by_name([node(), other, node(B)])
        self.assertEqual([node(), node(B)], found[NAME])
        self.assertEqual([other], found['domain-c9.vc-uuid'])
        self.assertEqual([], found['nothing'])

    def test_error_counts_codes_in_order(self):
        error = dis.NovaDisagrees(
            counts={dis.NO_RECORD: 2, dis.TWO_NOVA_HOSTS: 1}, clusters=3,
            total=45)
        self.assertIn('on 3 of 45 cluster(s) (two-nova-hosts: 1, '
                      'no-record: 2)', str(error))
        self.assertIn('list --nova', str(error))

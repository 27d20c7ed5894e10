"""The refusals of ``rehome``: what is in the way and what clears it.

Which refusal a snapshot gets is tested with the plan (``test_plan``).
"""

from oslotest import base

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership.rehome import exceptions as rehome_errors
from support import messages
from support import sample_rehome as samples


class MessageTestCase(messages.MessageAssertions, base.BaseTestCase):

    def test_long_lists_are_cut(self):
        error = rehome_errors.ClusterNodeNotFound(
            node_name='n', host='a', new_host='b',
            found=tuple('node-%d' % n for n in range(12)))
        self.assertIn('node-9 and 2 more', str(error))
        self.assertNotIn('node-10', str(error))
        self.assertIn('their compute nodes are: none', str(
            rehome_errors.ClusterNodeNotFound(node_name='n', host='a',
                                              new_host='b')))

    def test_several_nodes_says_why_the_cluster_is_not_known(self):
        known = rehome_errors.SeveralComputeNodes(host='a', nodes=('x', 'y'),
                                                  node_name='x')
        self.assertIn("the cluster's is 'x'", str(known))
        unknown = rehome_errors.SeveralComputeNodes(host='a',
                                                    nodes=('x', 'y'))
        self.assertIn("without the [vmware] options", str(unknown))

    def test_record_not_for_target_names_the_fix(self):
        other = rehome_errors.RecordNotForTarget(
            location=samples.LOCATION, record_host='c', new_host='b')
        self.assertIn('takeover --host b', str(other))
        node = rehome_errors.RecordNotForTarget(
            location=samples.LOCATION, record_host='b', new_host='b',
            record_node='n1', node='n2')
        self.assertIn('names compute node n1', str(node))
        self.assertIn('claim --host b', str(node))

    def test_every_refusal_is_a_refusal(self):
        self.assertKinds((rehome_errors.SourceHostNotFound,
                          rehome_errors.ClusterNodeNotFound,
                          rehome_errors.SeveralComputeNodes,
                          rehome_errors.SourceServiceUp,
                          rehome_errors.InstancesBusy,
                          rehome_errors.MigrationsInProgress,
                          rehome_errors.TargetHostInUse,
                          rehome_errors.RecordNotForTarget),
                         rehome_errors.RehomeRefused)
        self.assertKinds((rehome_errors.RehomeRefused,),
                         exceptions.OwnershipRefused)

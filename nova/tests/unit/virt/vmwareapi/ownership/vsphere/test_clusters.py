"""Finding the cluster, on answers as vCenter gives them.

``vcenter.retrieve`` and ``vcenter.collect`` (the round trips) are
replaced by answers in vCenter's order; the functional ``test_cli``
finds clusters of one name in two datacenters on the simulator and
compares with nova's own lookup.
"""

from unittest import mock

import fixtures
from oslo_vmware import vim_util
from oslotest import base

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership.vsphere import clusters
from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors
from nova.virt.vmwareapi.ownership.vsphere import vcenter


def ref(value, kind):
    return vim_util.get_moref(value, kind)


C7 = ref('domain-c7', 'ClusterComputeResource')
C9 = ref('domain-c9', 'ClusterComputeResource')
C12 = ref('domain-c12', 'ClusterComputeResource')
# The inventory above them: DC0/host/C7, DC1/host/prod/C12.
ANCESTORS = [
    (C7, {'parent': ref('group-h4', 'Folder')}),
    (ref('group-h4', 'Folder'), {'name': 'host',
                                 'parent': ref('datacenter-2',
                                               'Datacenter')}),
    (ref('datacenter-2', 'Datacenter'), {'name': 'DC0',
                                         'parent': ref('group-d1',
                                                       'Folder')}),
    (C12, {'parent': ref('group-h30', 'Folder')}),
    (ref('group-h30', 'Folder'), {'name': 'prod',
                                  'parent': ref('group-h20', 'Folder')}),
    (ref('group-h20', 'Folder'), {'name': 'host',
                                  'parent': ref('datacenter-17',
                                                'Datacenter')}),
    (ref('datacenter-17', 'Datacenter'), {'name': 'DC1',
                                          'parent': ref('group-d1',
                                                        'Folder')}),
    (ref('group-d1', 'Folder'), {'name': 'Datacenters'}),
]


class ClustersTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.session = mock.Mock(endpoint='https://vc:443')
        self.retrieve = self.useFixture(fixtures.MockPatchObject(
            vcenter, 'retrieve', autospec=True)).mock

    def named(self, *found):
        return [(r, {'name': name}) for r, name in found]

    def test_one_cluster_of_the_name_is_one_round_trip(self):
        self.retrieve.return_value = self.named((C7, 'A'), (C9, 'B'))
        (found,) = clusters.find_clusters(self.session, 'B')
        self.assertEqual(('domain-c9', 'B', None),
                         (found.moref, found.name, found.datacenter))
        self.assertEqual(1, self.retrieve.call_count)
        self.assertIs(C9, clusters.find_cluster(self.session, 'B'))

    def test_the_first_in_vcenters_order_and_where_each_is(self):
        # nova's driver takes the first equal name of the same answer.
        self.retrieve.side_effect = [
            self.named((C12, 'A'), (C9, 'B'), (C7, 'A')), ANCESTORS]
        found = clusters.find_clusters(self.session, 'A')
        self.assertEqual([('domain-c12', 'DC1'), ('domain-c7', 'DC0')],
                         [(f.moref, f.datacenter) for f in found])
        self.assertEqual(2, self.retrieve.call_count)

    def test_names_are_compared_exactly(self):
        self.retrieve.return_value = self.named((C7, 'a'), (C9, 'A '))
        error = self.assertRaises(vsphere_errors.ClusterNotFound,
                                  clusters.find_clusters, self.session, 'A')
        self.assertIn('[vmware] cluster_name', str(error))

    def test_a_datacenter_that_cannot_be_reached(self):
        self.assertEqual({}, clusters.datacenters(self.session, [C7]))


class ByMorefTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.session = mock.Mock(endpoint='https://vc:443')
        self.collect = self.useFixture(fixtures.MockPatchObject(
            vcenter, 'collect', autospec=True)).mock

    def test_found(self):
        self.collect.return_value = [(C12, {'name': 'A'})]
        found = clusters.cluster_by_moref(self.session, 'domain-c12')
        self.assertEqual(('domain-c12', 'A'), (found.moref, found.name))

    def test_no_cluster_of_that_id(self):
        for answer in (
                [], [(C12, {})],
                vsphere_errors.ManagedObjectNotFound(
                    operation='RetrievePropertiesEx',
                    fault='ManagedObjectNotFound'),
                exceptions.VCenterFault(operation='RetrievePropertiesEx',
                                        fault='InvalidType')):
            with self.subTest(answer=answer):
                if isinstance(answer, Exception):
                    self.collect.side_effect = answer
                else:
                    self.collect.side_effect = None
                    self.collect.return_value = answer
                error = self.assertRaises(vsphere_errors.ClusterNotFound,
                                          clusters.cluster_by_moref,
                                          self.session, 'domain-c12')
                self.assertIn('--cluster-moref', str(error))

    def test_other_faults_are_raised(self):
        self.collect.side_effect = exceptions.VCenterFault(
            operation='RetrievePropertiesEx', fault='SystemError')
        self.assertRaises(exceptions.VCenterFault, clusters.cluster_by_moref,
                          self.session, 'domain-c12')

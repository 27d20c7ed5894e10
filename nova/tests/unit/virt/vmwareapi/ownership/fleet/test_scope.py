"""``list``'s filters: what ``--datacenter``, ``--folder`` and
``--cluster`` match, on inventory paths as vCenter gives them."""

from oslotest import base

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership.fleet import scope as scope_mod
from support import sample_fleet as samples

Scope = scope_mod.Scope

# name -> inventory path above the cluster (the first name after the
# datacenter folders is the datacenter)
CLUSTERS = {
    'A': ('DC0', 'host'),
    'B': ('DC0', 'host', 'Prod'),
    'C': ('DC0', 'host', 'Prod', 'Team1'),
    'D': ('Europe', 'DC1', 'host', 'Dev', 'Team1'),
    'E': ('Europe', 'DC1', 'host', 'Prod'),
    'F': ('DC2', 'host', 'prod'),
    'G': ('DC2', 'host', 'a%2fb'),
}
DATACENTERS = {'A': 'DC0', 'B': 'DC0', 'C': 'DC0', 'D': 'DC1', 'E': 'DC1',
               'F': 'DC2', 'G': 'DC2'}


def fleet():
    return [samples.cluster(name, 'domain-c%d' % number, path=path,
                            datacenter=DATACENTERS[name])
            for number, (name, path) in enumerate(sorted(CLUSTERS.items()))]


class ScopeTestCase(base.BaseTestCase):

    def chosen(self, **filters):
        return [c.location.cluster for c in Scope(**filters).select(fleet())]

    def test_no_filter_chooses_everything(self):
        self.assertTrue(Scope().everything)
        self.assertEqual(sorted(CLUSTERS), self.chosen())

    def test_rows(self):
        for filters, expected in (
                # datacenter: by name, the nearest above the cluster
                (dict(datacenters=['DC1']), 'DE'),
                (dict(datacenters=['DC0', 'DC2']), 'ABCFG'),
                (dict(datacenters=['Europe']), ''),
                (dict(datacenters=['dc1']), ''),
                # folder: a name anywhere in the path, at any depth
                (dict(folders=['Prod']), 'BCE'),
                (dict(folders=['Team1']), 'CD'),
                (dict(folders=['Europe']), 'DE'),
                (dict(folders=['host']), 'ABCDEFG'),
                (dict(folders=['prod']), 'F'),
                (dict(folders=['Pro']), ''),
                # folder: names that follow one another, in order
                (dict(folders=['Prod/Team1']), 'C'),
                (dict(folders=['/DC0/host/Prod']), 'BC'),
                (dict(folders=['DC1/host/Prod/']), 'E'),
                (dict(folders=['Team1/Prod']), ''),
                (dict(folders=['host/Team1']), ''),
                # a '/' inside a name, as vCenter writes it
                (dict(folders=['a%2fb']), 'G'),
                (dict(folders=['a/b']), ''),
                # cluster: by name or managed object id
                (dict(clusters=['C']), 'C'),
                (dict(clusters=['domain-c0', 'E']), 'AE'),
                (dict(clusters=['c']), ''),
                # several filters: each must match
                (dict(datacenters=['DC1'], folders=['Team1']), 'D'),
                (dict(folders=['Prod'], clusters=['B', 'D']), 'B'),
                (dict(datacenters=['DC0', 'DC1'], folders=['Prod', 'Dev'],
                      clusters=['B', 'D', 'F']), 'BD')):
            with self.subTest(filters=filters):
                self.assertEqual(list(expected), self.chosen(**filters))
                self.assertFalse(Scope(**filters).everything)

    def test_options_and_json(self):
        scope = Scope(['DC1'], ['Prod/Team1'], ['C', 'domain-c7'])
        self.assertEqual('--datacenter DC1 --folder Prod/Team1 --cluster C '
                         '--cluster domain-c7', scope.options())
        self.assertEqual({'datacenters': ['DC1'], 'folders': ['Prod/Team1'],
                          'clusters': ['C', 'domain-c7']}, scope.to_dict())
        self.assertEqual(Scope(('DC1',)), Scope(['DC1']))

    def test_nothing_matches(self):
        error = scope_mod.NoClusterMatches(
            scope=Scope(folders=['Nope\n']), total=7)
        self.assertIsInstance(error, exceptions.ConfigurationError)
        self.assertEqual(('--folder',), error.options)
        self.assertIn('No cluster of the vCenter matches --folder Nope\\n '
                      '(the vCenter has 7 cluster(s))', str(error))
        self.assertNotIn('\n', str(error))

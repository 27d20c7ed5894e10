"""Which clusters ``list`` shows: its ``--datacenter``, ``--folder`` and
``--cluster`` filters.

Pure values, no I/O: the filters choose among the clusters of one reading
of the whole vCenter (``vsphere.fleet.read``, whose round trips do not
depend on them), by the inventory path read with each cluster
(``view.Cluster.path``, ``datacenter``). What each filter matches:

``--datacenter D``
    the clusters of the datacenter named ``D``.
``--folder F``
    the clusters below a folder named ``F``, at any depth: ``F`` is one
    name of the cluster's inventory path (every folder between the root
    folder and the cluster, its datacenter and the datacenter's ``host``
    folder included). ``F`` may be several names separated by ``/``
    (``Prod/Team1``, or a whole path such as ``/DC0/host/Prod``): they
    must then follow one another in the path, in that order.
``--cluster C``
    the cluster named ``C``, or whose managed object id is ``C``
    (``domain-c7``: the one of two clusters of the same name).

Names are compared exactly, as vCenter returns them (case counts; a ``/``
inside a name is ``%2f``). Each filter may be given several times: a
cluster matches when it matches one of the values of every filter given.
"""

import dataclasses

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import text


def _components(folder):
    return tuple(name for name in folder.split('/') if name)


def _follow(needle, path):
    """True when ``needle``'s names follow one another in ``path``."""
    size = len(needle)
    return any(path[i:i + size] == needle
               for i in range(len(path) - size + 1))


@dataclasses.dataclass(frozen=True)
class Scope:
    """The filters of one ``list``; empty ones choose every cluster.

    :ivar datacenters: the ``--datacenter`` values
    :ivar folders: the ``--folder`` values
    :ivar clusters: the ``--cluster`` values (names or managed object ids)
    """

    datacenters: tuple = ()
    folders: tuple = ()
    clusters: tuple = ()

    def __post_init__(self):
        for name in ('datacenters', 'folders', 'clusters'):
            object.__setattr__(self, name, tuple(getattr(self, name) or ()))

    @property
    def everything(self):
        """True without filters."""
        return not (self.datacenters or self.folders or self.clusters)

    def matches(self, cluster):
        """Whether ``cluster`` (a ``view.Cluster``) is chosen."""
        location = cluster.location
        if self.datacenters and cluster.datacenter not in self.datacenters:
            return False
        names = {location.cluster, location.cluster_moref}
        if self.clusters and not names.intersection(self.clusters):
            return False
        path = tuple(cluster.path)
        return not self.folders or any(
            _follow(_components(folder), path) for folder in self.folders)

    def select(self, clusters):
        """The clusters chosen, in their order."""
        return [cluster for cluster in clusters if self.matches(cluster)]

    def options(self):
        """The filters as the command line gives them."""
        return ' '.join('--%s %s' % (option, value)
                        for option, values in (
                            ('datacenter', self.datacenters),
                            ('folder', self.folders),
                            ('cluster', self.clusters))
                        for value in values)

    def to_dict(self):
        """The filters, for ``list``'s JSON document."""
        return {'datacenters': list(self.datacenters),
                'folders': list(self.folders),
                'clusters': list(self.clusters)}


class NoClusterMatches(exceptions.ConfigurationError):
    """``list``'s filters chose none of the vCenter's clusters.

    :param scope: the ``Scope``
    :param total: the number of clusters of the vCenter
    """

    msg_fmt = ('No cluster of the vCenter matches %(given)s (the vCenter has '
               '%(total)d cluster(s)). Names are compared exactly, case '
               'included; "nova-vmware-owner list --format json" prints '
               'each cluster\'s datacenter and path.')

    @property
    def options(self):
        scope = self.scope
        return tuple(option for option, values in (
            ('--datacenter', scope.datacenters), ('--folder', scope.folders),
            ('--cluster', scope.clusters)) if values)

    def computed(self):
        return {'given': text.printable(self.scope.options())}

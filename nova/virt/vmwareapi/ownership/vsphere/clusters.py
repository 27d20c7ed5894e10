"""Finding the cluster: by name as nova's driver does, or by its id.

vSphere allows one cluster name in several datacenters (or folders of
one). nova's VMware driver (``vm_util.get_cluster_ref_by_name``, the same
from nova 31 to 34) reads the name of every cluster through oslo.vmware's
recursive traversal from the root folder (``vim_util.get_objects``) and
manages the first whose name equals ``[vmware] cluster_name``, in the
order vCenter answers. ``find_clusters`` sends that same request and keeps
that order, so the first cluster it returns is the one nova-compute
manages; the others are named with their datacenters so that an operator
can tell them apart and choose one by its managed object id
(``cluster_by_moref``).
"""

import dataclasses

from oslo_vmware import vim_util

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors
from nova.virt.vmwareapi.ownership.vsphere import vcenter

CLUSTER_TYPE = vcenter.CLUSTER_TYPE

# The faults of reading an id that is no cluster (a real vCenter and the
# simulator differ).
_NOT_A_CLUSTER = ('ManagedObjectNotFound', 'InvalidType', 'InvalidArgument')

# The path from a cluster up to its datacenter, and what each step reads.
_ANCESTORS = (
    (CLUSTER_TYPE, ['parent']),
    ('Folder', ['name', 'parent']),
    ('Datacenter', ['name', 'parent']),
)


@dataclasses.dataclass(frozen=True)
class NamedCluster:
    """A cluster found by name or by managed object id.

    :ivar ref: its managed object reference
    :ivar name: its name
    :ivar datacenter: the name of its datacenter, when it was read
    """

    ref: object
    name: str
    datacenter: str = None

    @property
    def moref(self):
        """Its managed object id (``domain-c7``)."""
        return vcenter.moref_value(self.ref)


def _named(session, name):
    """Every cluster's reference whose name is ``name``, nova's order."""
    factory = session.vim.client.factory
    spec = vim_util.build_property_filter_spec(
        factory, [vim_util.build_property_spec(factory, CLUSTER_TYPE,
                                               ['name'])],
        [vim_util.build_object_spec(
            factory, vcenter.service_content(session).rootFolder,
            [vim_util.build_recursive_traversal_spec(factory)])])
    return [ref for ref, props in vcenter.retrieve(session, spec)
            if props.get('name') == name]


def find_clusters(session, name):
    """Every cluster named ``name``, the one nova's driver manages first.

    One round trip; when several clusters have the name, one more reads
    their datacenters (``datacenters``).

    :returns: a tuple of ``NamedCluster``, never empty
    :raises: ClusterNotFound (none has that name); VCenterError
    """
    found = _named(session, name)
    if not found:
        raise vsphere_errors.ClusterNotFound(cluster=name,
                                             vcenter=str(session.endpoint))
    where = datacenters(session, found) if len(found) > 1 else {}
    return tuple(NamedCluster(ref, name, where.get(vcenter.moref_value(ref)))
                 for ref in found)


def find_cluster(session, name):
    """The reference of the cluster named ``name`` that nova manages.

    :raises: ClusterNotFound; VCenterError
    """
    return find_clusters(session, name)[0].ref


def datacenters(session, refs):
    """The name of the datacenter of each cluster, in one round trip.

    Each cluster's ancestors are read through a traversal of ``parent``
    (as oslo.vmware's ``get_inventory_path`` does for one entity).

    :returns: ``{cluster moref: datacenter name}``
    :raises: VCenterError
    """
    factory = session.vim.client.factory
    up = vim_util.build_traversal_spec(
        factory, 'up', 'ManagedEntity', 'parent', False,
        [vim_util.build_selection_spec(factory, 'up')])
    spec = vim_util.build_property_filter_spec(
        factory, [vim_util.build_property_spec(factory, kind, paths)
                  for kind, paths in _ANCESTORS],
        [vim_util.build_object_spec(factory, ref, [up]) for ref in refs])
    read = {(vim_util.get_moref_type(ref), vcenter.moref_value(ref)): props
            for ref, props in vcenter.retrieve(session, spec)}
    names = {}
    for ref in refs:
        step = ref
        for _ in range(len(read) + 1):
            props = read.get((vim_util.get_moref_type(step),
                              vcenter.moref_value(step)), {})
            if vim_util.get_moref_type(step) == 'Datacenter':
                names[vcenter.moref_value(ref)] = props.get('name')
                break
            step = props.get('parent')
            if step is None:
                break
    return names


def cluster_by_moref(session, moref):
    """The cluster whose managed object id is ``moref``.

    :returns: a ``NamedCluster``
    :raises: ClusterNotFound (no cluster has that id); VCenterError
    """
    ref = vim_util.get_moref(moref, CLUSTER_TYPE)
    try:
        found = vcenter.collect(session, [(ref, CLUSTER_TYPE, ['name'])])
    except exceptions.VCenterFault as exc:
        if exc.fault not in _NOT_A_CLUSTER:
            raise
        found = []
    if not found or 'name' not in found[0][1]:
        raise vsphere_errors.ClusterNotFound(
            cluster=moref, vcenter=str(session.endpoint), by_moref=True)
    return NamedCluster(ref, found[0][1]['name'])

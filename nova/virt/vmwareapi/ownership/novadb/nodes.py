"""nova's compute nodes: the query of the guarded driver at start.

``by_hypervisor`` reads the compute nodes nova has for one hypervisor
name (a cluster's ``<cluster moref>.<vCenter instanceUuid>``), with their
host, as ``nova_records.Node`` values; the driver decides on them
(``decision.node_elsewhere``). Nothing here writes, nor knows of the guard.
"""

from nova import context as nova_context
from nova import objects

from nova.virt.vmwareapi.ownership import nova_records


def value(node):
    """A nova ``ComputeNode`` as a plain ``nova_records.Node``."""
    return nova_records.Node(node.id, node.uuid, node.host,
                             node.hypervisor_hostname, node.service_id)


def by_hypervisor(node_name):
    """nova's compute nodes named ``node_name``, of any host.

    :returns: a list of ``nova_records.Node``
    """
    ctxt = nova_context.get_admin_context()
    return [value(node) for node in
            objects.ComputeNodeList.get_by_hypervisor(ctxt, node_name)]

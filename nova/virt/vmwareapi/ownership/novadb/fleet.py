"""The nova side of ``list --nova``: every compute node and nova-compute host.

Imported only by ``list --nova`` (importing nova takes seconds), which
configures nova as ``rehome`` does (``database.configure``: the same
``--config-file``/``--config-dir``, nova-manage's database options). Reads
through nova's objects, never SQL of our own, in every cell of the cell
mappings (a vCenter may be shared by several cells, the case nova's own
checks cannot see), or in ``[database] connection`` when no cell is mapped.
"""

from nova import context as nova_context
from nova import objects

from nova.virt.vmwareapi.ownership import nova_records
from nova.virt.vmwareapi.ownership.novadb import database
from nova.virt.vmwareapi.ownership.novadb import nodes as compute_nodes

_API = '[api_database] connection'
_CELL = '[database] connection'


def _cells(ctxt):
    with database.database_errors(_API):
        mappings = objects.CellMappingList.get_all(ctxt)
    return [cell for cell in mappings if not cell.is_cell0()] or [None]


def read(ctxt):
    """Read nova's compute nodes and nova-compute services, in every cell.

    :param ctxt: an admin ``RequestContext`` (untargeted)
    :returns: ``nova_records.NovaRecords``
    :raises: NovaDatabaseUnavailable naming the database that failed
    """
    nodes, hosts = [], set()
    for cell in _cells(ctxt):
        option = _CELL if cell is None else (
            'the database_connection of cell %s (%s)' % (cell.name,
                                                         cell.uuid))
        with nova_context.target_cell(ctxt, cell) as cctxt, \
                database.database_errors(option):
            nodes += [compute_nodes.value(node)
                      for node in objects.ComputeNodeList.get_all(cctxt)]
            hosts.update(service.host for service in
                         objects.ServiceList.get_by_binary(
                             cctxt, database.BINARY,
                             include_disabled=True))
    return nova_records.NovaRecords(nodes, frozenset(hosts))

"""A nova 34 database on SQLite files with one VMware cluster's records.

Used by ``rehome_move.py`` and by the ``rehome`` command's integration
tests, in a process of their own (nova's configuration is process-wide)::

    python benchmarks/_novadb.py DIRECTORY [--instances N]
        [--node HOST=NODE_NAME ...]

writes ``DIRECTORY/nova.conf`` (``[database]``, ``[api_database]`` on
SQLite files in DIRECTORY), creates both schemas with nova's own
migrations, and creates through nova's objects what a nova-compute
``host-a`` managing one cluster leaves: its service (stopped and forced
down), the cluster's compute node, N instances on it, the host mapping and
an aggregate with an availability zone. With ``--node``, each HOST gets
that instead (the same host may be named twice), with a compute node of
NODE_NAME and no instance. Prints the configuration path. Needs nova
installed (``tox -e nova --notest`` makes such a Python).
"""

import argparse
import os

OLD = 'host-a'
NODE = 'domain-c8.5a6e0e6c-0000-4000-8000-00000000beef'
CONF_TEXT = """[DEFAULT]
transport_url = fake:/
state_path = %(dir)s
[database]
connection = sqlite:///%(dir)s/nova.sqlite
[api_database]
connection = sqlite:///%(dir)s/nova_api.sqlite
"""


def write_config(directory):
    path = os.path.join(directory, 'nova.conf')
    with open(path, 'w') as f:
        f.write(CONF_TEXT % {'dir': os.path.abspath(directory)})
    return path


def _databases(directory):
    """Both databases, made by nova's migrations, and their cell.

    :returns: ``(configuration path, admin context, cell mapping)``
    """
    from oslo_utils import uuidutils

    from nova import config
    from nova import context
    from nova.db import migration
    from nova import objects

    path = write_config(directory)
    config.parse_args(['_novadb', '--config-file', path],
                      default_config_files=[])
    objects.register_all()
    migration.db_sync(database='api')
    migration.db_sync(database='main')
    ctxt = context.get_admin_context()
    cell = objects.CellMapping(
        ctxt, uuid=uuidutils.generate_uuid(), name='cell1',
        transport_url='fake:/',
        database_connection=config.CONF.database.connection)
    cell.create()
    return path, ctxt, cell


def _compute(ctxt, cell, host, names, running_vms=0):
    """A stopped nova-compute ``host`` with compute nodes ``names``.

    :returns: its last compute node
    """
    from nova import objects

    service = objects.Service(ctxt, host=host, binary='nova-compute',
                              topic='compute', forced_down=True)
    service.create()
    objects.HostMapping(ctxt, host=host, cell_mapping=cell).create()
    for name in names:
        node = objects.ComputeNode(
            ctxt, host=host, hypervisor_hostname=name,
            service_id=service.id, vcpus=64, memory_mb=262144,
            local_gb=4096, vcpus_used=0, memory_mb_used=0, local_gb_used=0,
            hypervisor_type='VMware vCenter Server',
            hypervisor_version=8000000, cpu_info='{}',
            disk_available_least=4096, free_ram_mb=262144,
            free_disk_gb=4096, current_workload=0, running_vms=running_vms,
            host_ip='192.0.2.10')
        node.create()
    return node


def seed(directory, instances):
    """host-a's cluster with ``instances``, an aggregate and a zone."""
    from oslo_utils import uuidutils

    from nova import objects

    path, ctxt, cell = _databases(directory)
    node = _compute(ctxt, cell, OLD, [NODE], running_vms=instances)
    aggregate = objects.Aggregate(ctxt, name='vmware',
                                  metadata={'availability_zone': 'az1'})
    aggregate.create()
    aggregate.add_host(OLD)
    for _ in range(instances):
        objects.Instance(ctxt, uuid=uuidutils.generate_uuid(), host=OLD,
                         node=NODE, compute_id=node.id, project_id='demo',
                         user_id='demo', vm_state='active', power_state=1,
                         availability_zone='az1').create()
    return path


def seed_nodes(directory, nodes):
    """Stopped nova-computes with the compute nodes ``nodes``.

    :param nodes: ``(host, node name)`` pairs; a host may come twice
    """
    path, ctxt, cell = _databases(directory)
    names = {}
    for host, name in nodes:
        names.setdefault(host, []).append(name)
    for host, its_names in names.items():
        _compute(ctxt, cell, host, its_names)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('directory')
    parser.add_argument('--instances', type=int, default=2)
    parser.add_argument('--node', action='append', metavar='HOST=NODE_NAME',
                        type=lambda value: tuple(value.split('=', 1)))
    args = parser.parse_args()
    if args.node:
        print(seed_nodes(args.directory, args.node))
    else:
        print(seed(args.directory, args.instances))


if __name__ == '__main__':
    main()

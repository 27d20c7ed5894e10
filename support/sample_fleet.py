"""A sample fleet: six clusters, one of each kind, and nova's records.

The fleet the tests of ``list`` read, join and print (``fleet.test_join``,
``fleet.test_report``, ``fleet.test_metrics``, ``cli.test_fleet``).
"""

from nova.virt.vmwareapi.ownership.fleet import join
from nova.virt.vmwareapi.ownership import liveness
from nova.virt.vmwareapi.ownership import location as location_mod
from nova.virt.vmwareapi.ownership import nova_records
from nova.virt.vmwareapi.ownership import view as view_mod
from support import fakes

UUID = '5a6e0e6c-0000-4000-8000-00000000beef'
HOLDER = 'cmp-a:4711:9f2c01ab'
EVIL = 'evil\n\u202e\x1b[2J'
"""A cluster name that would forge lines and reorder a terminal."""
REQUIRED_KEYS = ('cluster', 'cluster_moref', 'vcenter_uuid', 'attribute',
                 'this_host', 'owner_host', 'verdict', 'record', 'raw')


def cluster(name, moref, reading=None, record=None,
            path=('DC0', 'host'), datacenter=None):
    """A cluster as read, below ``path``, in ``datacenter``.

    The datacenter defaults to the first name of the path.
    """
    location = location_mod.Location(name, fakes.VCENTER, cluster_moref=moref,
                                     attribute=fakes.ATTRIBUTE)
    view = (view_mod.written(record) if record is not None
            else view_mod.interpret(reading or view_mod.Reading(), location))
    return view_mod.Cluster(location, view_mod.lease_name(fakes.ATTRIBUTE,
                                                          moref), view,
                            tuple(path),
                            datacenter or (path[0] if path else None))


def node(moref, host, uuid=fakes.NODE_A):
    return nova_records.Node(None, uuid, host,
                             nova_records.node_name(moref, UUID), None)


def sample(nova=True):
    """Six clusters, one of each kind; with nova's records, four disagree.

    ``C0`` held by compute-a (nova: compute-a and compute-c),
    ``C1`` unowned (nova: compute-b), ``C2`` unreadable, ``C3`` a change
    in progress, ``C4`` released by compute-b (nova: its node differs),
    ``C5`` owned by compute-a and agreeing, ``EVIL`` unowned.
    """
    clusters = [
        cluster('DC0_C0', 'domain-c7', record=fakes.record(
            fakes.HOST, holder=HOLDER, node=fakes.NODE_A).with_token(17)),
        cluster('DC0_C1', 'domain-c8'),
        cluster('DC0_C2', 'domain-c9', view_mod.Reading('two words', 5)),
        cluster('DC0_C3', 'domain-c10', view_mod.Reading(None, 5, 31)),
        cluster('DC0_C4', 'domain-c11', record=fakes.record(
            fakes.OTHER_HOST, node=fakes.NODE_A).with_token(21)),
        cluster('DC0_C5', 'domain-c12', record=fakes.record(
            fakes.HOST, node=fakes.NODE_B).with_token(23)),
        cluster(EVIL, 'domain-c13'),
    ]
    records = nova_records.NovaRecords([
        node('domain-c7', fakes.HOST), node('domain-c7', 'compute-c'),
        node('domain-c8', fakes.OTHER_HOST),
        node('domain-c11', fakes.OTHER_HOST, fakes.NODE_B),
        node('domain-c12', fakes.HOST, fakes.NODE_B),
        nova_records.Node(None, 'u', fakes.HOST,
                          'domain-c7.another-vcenter', None),
    ], frozenset([fakes.HOST, 'compute-c']))
    clock = fakes.FakeClock()
    watch = liveness.HolderWatch('me:1:ab', 180, clock.now,
                                 place=liveness.Place('here'))
    return join.Fleet(clusters, UUID, fakes.ATTRIBUTE, fakes.HOST, watch,
                      fakes.WALL, records if nova else None)


def document(nova=True):
    found = sample(nova)
    return found.document(found.states())


EAST = 'east'
"""The named cloud of ``two_clouds``; the other is the default cloud."""


def two_clouds(cloud):
    """Two clouds on one vCenter, each with a host ``compute-1``.

    ``DC0_C0`` is held by compute-1 of cloud ``east``, ``DC0_C1`` by
    compute-1 of the default cloud, ``DC0_C2`` owned by compute-2 of the
    default cloud, ``DC0_C3`` unowned; each cloud's nova manages its own.

    :param cloud: whose point of view (``EAST`` or ``None``), with that
                  cloud's nova records
    :returns: a ``join.Fleet``
    """
    clusters = [
        cluster('DC0_C0', 'domain-c7', record=fakes.record(
            'compute-1', holder=HOLDER, node=fakes.NODE_A,
            cloud=EAST).with_token(17)),
        cluster('DC0_C1', 'domain-c8', record=fakes.record(
            'compute-1', holder='cmp-b:1:ab', node=fakes.NODE_B)
            .with_token(18)),
        cluster('DC0_C2', 'domain-c9', record=fakes.record(
            'compute-2', node=fakes.NODE_A).with_token(19)),
        cluster('DC0_C3', 'domain-c10'),
    ]
    if cloud == EAST:
        records = nova_records.NovaRecords(
            [node('domain-c7', 'compute-1', fakes.NODE_A)],
            frozenset(['compute-1']))
    else:
        records = nova_records.NovaRecords(
            [node('domain-c8', 'compute-1', fakes.NODE_B),
             node('domain-c9', 'compute-2', fakes.NODE_A)],
            frozenset(['compute-1', 'compute-2']))
    watch = liveness.HolderWatch('me:1:ab', 180, fakes.FakeClock().now,
                                 place=liveness.Place('here'))
    return join.Fleet(clusters, UUID, fakes.ATTRIBUTE, 'compute-1', watch,
                      fakes.WALL, records, cloud)

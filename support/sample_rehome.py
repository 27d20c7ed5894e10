"""A sample of nova's records for ``rehome``: the cluster of host OLD.

What ``rehome.test_plan`` plans on and ``cli.test_rehome`` runs the
command on, as plain values (no nova needed).
"""

import datetime

from nova.virt.vmwareapi.ownership import location as location_mod
from nova.virt.vmwareapi.ownership import nova_records
from nova.virt.vmwareapi.ownership.rehome import plan as plan_mod

OLD = 'compute-a'
NEW = 'compute-b'
NODE = 'domain-c7.5a6e'
NODE_UUID = '0b7c1f4e-0000-4000-8000-000000000001'
NOW = datetime.datetime(2026, 11, 25, 12, 0, tzinfo=datetime.timezone.utc)
LONG_AGO = NOW - datetime.timedelta(minutes=10)
LOCATION = location_mod.Location('DC0_C0', 'vc', 'domain-c7', 'owner')


def service(host=OLD, id=1, forced_down=True, last_seen_up=LONG_AGO,
            disabled=False):
    return nova_records.Service(id, host, forced_down, last_seen_up, LONG_AGO,
                                disabled, 'maintenance' if disabled else None)


def node(host=OLD, uuid=NODE_UUID, name=NODE, service_id=1, id=7):
    return nova_records.Node(id, uuid, host, name, service_id)


def instance(n, host=OLD, task_state=None, name=NODE):
    return nova_records.Instance('uuid-%d' % n, host, name, task_state)


def snapshot(services=None, nodes=None, instances=None, **kwargs):
    kwargs.setdefault('host_mappings',
                      [nova_records.HostMapping(OLD, 'cell1')])
    kwargs.setdefault('aggregates', [nova_records.Aggregate(3, 'az1', (OLD,))])
    kwargs.setdefault('node_name', NODE)
    kwargs.setdefault('ownership', plan_mod.Ownership(LOCATION, NEW, None))
    return nova_records.Snapshot(
        kwargs.pop('old', OLD), kwargs.pop('new', NEW),
        [service()] if services is None else services,
        [node()] if nodes is None else nodes,
        [instance(1), instance(2)] if instances is None else instances,
        now=NOW, service_down_time=60, **kwargs)

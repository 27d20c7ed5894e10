"""Every cluster of a vCenter with its record: the reading ``list`` makes.

``read`` reads the whole vCenter in a constant number of round trips,
whatever its size: one container view of the clusters, the datacenters
and the folders, and ONE property collection that reads every cluster's
``name``, ``parent`` and ``customValue``, every folder's and datacenter's
``name`` and ``parent`` (the clusters' inventory paths, which ``list``'s
filters match), and the custom field definitions
(``CustomFieldsManager.field``), then the view is destroyed: 3 round
trips, plus one ``ContinueRetrievePropertiesEx`` per ``vcenter.PAGE_SIZE``
objects beyond the first page. Each cluster's values become a
``view.View`` exactly as the store's read of one cluster does
(``store.reading_of``, ``view.interpret``).
"""

from nova.virt.vmwareapi.ownership import location as location_mod
from nova.virt.vmwareapi.ownership import view as view_mod
from nova.virt.vmwareapi.ownership.vsphere import store as store_mod
from nova.virt.vmwareapi.ownership.vsphere import vcenter


def _paths(objects, ref):
    """``(path, datacenter)`` of the object ``ref`` names, from ``objects``.

    :param objects: ``{moref: (type, name, parent moref)}`` of the folders
                    and datacenters; the root folder is not among them
    """
    names, datacenter = [], None
    seen = set()
    while ref in objects and ref not in seen:
        seen.add(ref)
        kind, name, ref = objects[ref]
        names.append(name)
        if kind == vcenter.DATACENTER_TYPE and datacenter is None:
            datacenter = name
    return tuple(reversed(names)), datacenter


def read(session, attribute_name, where):
    """Read every cluster of the vCenter and the field definitions.

    :param session: a connected ``session.Session``
    :param attribute_name: the custom attribute holding the records
    :param where: the vCenter as messages name it
    :returns: the ``view.Cluster`` values, sorted by name (then moref)
    :raises: VCenterError
    """
    fields = vcenter.service_content(session).customFieldsManager
    with vcenter.container_view(session, vcenter.CLUSTER_TYPE,
                                vcenter.DATACENTER_TYPE,
                                vcenter.FOLDER_TYPE) as view:
        found = vcenter.collect(
            session, [(fields, store_mod.CUSTOM_FIELDS_MANAGER, ['field'])],
            view_of=[(view, vcenter.CLUSTER_TYPE,
                      ['name', 'parent', 'customValue']),
                     (view, vcenter.DATACENTER_TYPE, ['name', 'parent']),
                     (view, vcenter.FOLDER_TYPE, ['name', 'parent'])])
    fields_moref = vcenter.moref_value(fields)
    keys = {}
    clusters, above = [], {}
    for ref, props in found:
        moref = vcenter.moref_value(ref)
        parent = props.get('parent')
        parent = vcenter.moref_value(parent) if parent is not None else None
        if moref == fields_moref:
            keys = store_mod.field_keys(props.get('field'))
        elif vcenter.moref_type(ref) == vcenter.CLUSTER_TYPE:
            clusters.append((moref, parent, props))
        else:
            above[moref] = (vcenter.moref_type(ref), props.get('name'),
                            parent)
    out = []
    for moref, parent, props in clusters:
        lease_name = view_mod.lease_name(attribute_name, moref)
        location = location_mod.Location(props.get('name'), where,
                                         cluster_moref=moref,
                                         attribute=attribute_name)
        reading = store_mod.reading_of(props.get('customValue'), keys,
                                       attribute_name, lease_name)
        path, datacenter = _paths(above, parent)
        out.append(view_mod.Cluster(location, lease_name,
                                    view_mod.interpret(reading, location),
                                    path, datacenter))
    return sorted(out, key=lambda c: (c.location.cluster or '',
                                      c.location.cluster_moref))

"""Every cluster of a vCenter with its record: the reading ``list`` makes.

``read`` reads the whole vCenter in a constant number of round trips,
whatever its size: one container view of the clusters, and ONE property
collection that reads every cluster's ``name`` and ``customValue``
together with the custom field definitions (``CustomFieldsManager.field``),
then the view is destroyed: 3 round trips, plus one
``ContinueRetrievePropertiesEx`` per ``vcenter.PAGE_SIZE`` objects beyond
the first page. Each cluster's values become a ``view.View`` exactly as
the store's read of one cluster does (``store.reading_of``,
``view.interpret``).
"""

from nova.virt.vmwareapi.ownership import location as location_mod
from nova.virt.vmwareapi.ownership import view as view_mod
from nova.virt.vmwareapi.ownership.vsphere import store as store_mod
from nova.virt.vmwareapi.ownership.vsphere import vcenter


def read(session, attribute_name, where):
    """Read every cluster of the vCenter and the field definitions.

    :param session: a connected ``session.Session``
    :param attribute_name: the custom attribute holding the records
    :param where: the vCenter as messages name it
    :returns: the ``view.Cluster`` values, sorted by name (then moref)
    :raises: VCenterError
    """
    fields = vcenter.service_content(session).customFieldsManager
    with vcenter.container_view(session, vcenter.CLUSTER_TYPE) as view:
        found = vcenter.collect(
            session, [(fields, store_mod.CUSTOM_FIELDS_MANAGER, ['field'])],
            view_of=(view, vcenter.CLUSTER_TYPE, ['name', 'customValue']))
    fields_moref = vcenter.moref_value(fields)
    keys = {}
    clusters = []
    for ref, props in found:
        moref = vcenter.moref_value(ref)
        if moref == fields_moref:
            keys = store_mod.field_keys(props.get('field'))
        else:
            clusters.append((moref, props))
    out = []
    for moref, props in clusters:
        lease_name = view_mod.lease_name(attribute_name, moref)
        location = location_mod.Location(props.get('name'), where,
                                         cluster_moref=moref,
                                         attribute=attribute_name)
        reading = store_mod.reading_of(props.get('customValue'), keys,
                                       attribute_name, lease_name)
        out.append(view_mod.Cluster(location, lease_name,
                                    view_mod.interpret(reading, location)))
    return sorted(out, key=lambda c: (c.location.cluster or '',
                                      c.location.cluster_moref))

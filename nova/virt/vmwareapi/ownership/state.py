"""The state of a cluster for one host: the verdict and the JSON object.

Pure functions from what was read (a ``view.View`` and the holder's
liveness) to the one JSON object that ``show``, ``check`` and every row of
``list`` print (the public contract's keys), and its verdict.
"""

from nova.virt.vmwareapi.ownership import decision as decision_mod

UNOWNED = 'unowned'
OWNED_BY_THIS_HOST = 'owned-by-this-host'
OWNED_BY_OTHER_HOST = 'owned-by-other-host'
UNREADABLE = 'unreadable'


def verdict(view, this_host, cloud=None):
    """The verdict for ``this_host`` of ``cloud`` (one of the constants).

    A host of the same name in another cloud is another host.
    """
    if view.error is not None:
        return UNREADABLE
    if view.record is None:
        return UNOWNED
    if view.record.owned_by(this_host, cloud):
        return OWNED_BY_THIS_HOST
    return OWNED_BY_OTHER_HOST


def state_dict(view, liveness, this_host, location, vcenter_uuid,
               lease_attribute, cloud=None):
    """The JSON object of ``show`` and ``check`` (doc/source/cli/index.rst).

    :param view: the ``view.View`` read
    :param liveness: the ``decision.Liveness`` of its holder
    :param lease_attribute: the name of the cluster's lease definition
    :param cloud: this host's cloud (``None``: the default cloud)
    """
    record = view.record
    holder_record = view.holder_record
    reading = view.reading
    held = holder_record is not None and holder_record.is_held and \
        view.error is None
    return {
        'cluster': location.cluster,
        'cluster_moref': location.cluster_moref,
        'vcenter': str(location.vcenter),
        'vcenter_uuid': vcenter_uuid,
        'attribute': location.attribute,
        'this_host': this_host,
        'owner_host': record.host if record else None,
        'owner_cloud': record.cloud if record else None,
        'this_cloud': cloud or None,
        'verdict': verdict(view, this_host, cloud),
        'record': record.to_dict() if record else None,
        'raw': reading.attribute_raw,
        'holder': holder_record.holder if held else None,
        'holder_liveness': None if liveness is decision_mod.Liveness.NONE
        else liveness.value,
        'unreadable_reason': view.error.reason if view.error else None,
        'change_in_progress': view.pending,
        'lease': {'attribute': lease_attribute, 'token': view.token,
                  'raw': reading.lease_raw},
        'attribute_copy': view.mirror.value,
    }

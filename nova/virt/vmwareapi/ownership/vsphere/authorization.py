"""The privileges this session's user holds: one ``HasPrivilegeOnEntities``.

vCenter answers for a session (its user, the user's groups, and the
permissions inherited from above), on several objects and privileges at
once (vSphere Web Services API reference, ``AuthorizationManager``): one
round trip, before a change writes anything (``store.VCenterStore.require``)
and for ``doctor``'s checks one by one. Every role holds
``System.Anonymous``, ``System.View`` and ``System.Read``.
"""

import dataclasses

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import privileges as privileges_mod
from nova.virt.vmwareapi.ownership.vsphere import vcenter


@dataclasses.dataclass(frozen=True)
class Scope:
    """Where privileges are checked: the root folder and one cluster.

    :ivar cluster: the cluster's managed object reference
    :ivar cluster_text: the cluster in words, for messages
    :ivar root: the root folder's reference (``None``: the session's)
    """

    cluster: object
    cluster_text: str
    root: object = None

    def ref(self, session, on):
        """The object a privilege checked ``on`` is checked on."""
        if on == privileges_mod.CLUSTER:
            return self.cluster
        return self.root or vcenter.service_content(session).rootFolder

    def text(self, session, on):
        """That object in words."""
        if on == privileges_mod.CLUSTER:
            return self.cluster_text
        return 'the root folder (%s)' % vcenter.moref_value(
            self.ref(session, on))


def held(session, refs, privilege_ids):
    """Which of ``privilege_ids`` the session's user holds on ``refs``.

    :param refs: managed object references
    :param privilege_ids: privilege ids (``Global.SetCustomField``)
    :returns: ``{(moref value, privilege id): bool}``
    :raises: VCenterError
    """
    answer = vcenter.invoke(
        session, 'HasPrivilegeOnEntities',
        vcenter.service_content(session).authorizationManager,
        entity=list(refs), sessionId=session.key,
        privId=list(privilege_ids))
    found = {}
    for entity in answer or ():
        for availability in getattr(entity, 'privAvailability', None) or ():
            found[(vcenter.moref_value(entity.entity),
                   str(availability.privId))] = bool(availability.isGranted)
    return found


def lacking(session, scope, privileges):
    """The privileges of ``privileges`` the user lacks where vCenter
    checks them.

    :param scope: a ``Scope``
    :param privileges: ``privileges.Privilege`` values
    :returns: ``[(Privilege, the object in words)]``, in their order
    :raises: VCenterError
    """
    if not privileges:
        return []
    wanted = {p.on: scope.ref(session, p.on) for p in privileges}
    found = held(session, wanted.values(), privileges_mod.ids(privileges))
    return [(p, scope.text(session, p.on)) for p in privileges
            if not found.get((vcenter.moref_value(wanted[p.on]), p.id))]


def require(session, scope, privileges, operation):
    """Raise unless the user holds ``privileges`` (one round trip).

    :param operation: the change that needs them, for the message
    :raises: MissingPrivilege naming each one lacking, the user and the
             object; VCenterError
    """
    missing = lacking(session, scope, privileges)
    if missing:
        (first, where), rest = missing[0], missing[1:]
        raise exceptions.MissingPrivilege(
            privilege=first.id, entity=where, operation=operation,
            username=session.endpoint.username, checked=True,
            also=tuple((p.id, text) for p, text in rest))

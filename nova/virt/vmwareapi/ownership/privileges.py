"""The vCenter privileges nova-vmware-owner needs: one table.

vCenter checks a privilege of each call on one object (vSphere Web
Services API reference, ``CustomFieldsManager`` and ``EventManager``;
vSphere Security, "Global Privileges"): the custom field definitions on
the root folder, a value and an event on the entity they are about (the
cluster). What each part of the product needs is written here once: the
fencing checks it before its first write (``store.ClusterStore.require``,
one round trip), the driver's audit mode logs what ``enforce`` would
lack, ``doctor`` checks every privilege one by one, and
doc/source/vsphere-admins.rst lists them as this table does (a unit test
keeps the two together).
"""

import dataclasses

ROOT_FOLDER = 'root folder'
"""Checked on the vCenter's root folder (custom field definitions)."""

CLUSTER = 'cluster'
"""Checked on the cluster itself (its values, its events)."""


@dataclasses.dataclass(frozen=True)
class Privilege:
    """One vCenter privilege and why nova-vmware-owner needs it.

    :ivar id: the privilege id (``Global.SetCustomField``)
    :ivar on: where vCenter checks it: ``ROOT_FOLDER`` or ``CLUSTER``
    :ivar label: its name in the vSphere Client
    :ivar used_for: what it is used for, in words
    :ivar needed_by: the parts that need it (``NEEDED_BY``'s words)
    """

    id: str
    on: str
    label: str
    used_for: str
    needed_by: tuple

    def __str__(self):
        return self.id


READ = Privilege(
    'System.Read', CLUSTER, 'System > Read (in every role)',
    'reading the cluster, its record and the attribute definitions',
    ('guard', 'lease', 'claim', 'takeover', 'release', 'show, check, '
     'list'))
MANAGE_FIELDS = Privilege(
    'Global.ManageCustomFields', ROOT_FOLDER,
    'Global > Manage custom attributes',
    'creating the attribute and the lease definitions, revoking a lease',
    ('guard', 'claim', 'takeover', 'release'))
SET_FIELD = Privilege(
    'Global.SetCustomField', CLUSTER, 'Global > Set custom attribute',
    'writing the record (every claim, take, renewal and release)',
    ('guard', 'lease', 'claim', 'takeover', 'release'))
LOG_EVENT = Privilege(
    'Global.LogEvent', CLUSTER, 'Global > Log event',
    'posting the audit event of claim, takeover and release',
    ('claim', 'takeover', 'release'))

ALL = (READ, MANAGE_FIELDS, SET_FIELD, LOG_EVENT)
"""Every privilege, in the order ``doctor`` and the docs list them."""

CHANGE = (MANAGE_FIELDS, SET_FIELD)
"""What every change of the record needs (``fencing.take``, ``clear``):
checked before the first write, so that none is left half done."""

AUDITED_CHANGE = CHANGE + (LOG_EVENT,)
"""What an operator's claim, takeover or release needs: the change and
its audit event."""

BY_METHOD = {
    'AddCustomFieldDef': MANAGE_FIELDS,
    'RemoveCustomFieldDef': MANAGE_FIELDS,
    'RenameCustomFieldDef': MANAGE_FIELDS,
    'SetField': SET_FIELD,
    'LogUserEvent': LOG_EVENT,
    'RetrievePropertiesEx': READ,
}
"""The privilege vCenter checks for each vSphere method the product
calls, for a refusal that does not name it."""


def ids(privileges):
    """The privilege ids of ``privileges``, in order, once each."""
    return tuple(dict.fromkeys(p.id for p in privileges))

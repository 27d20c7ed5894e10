"""The vSphere API of the reduced VIM client: the one list.

Every vCenter method nova-vmware-owner calls, or oslo.vmware calls for it,
with its signature and the faults it declares as vSphere's reference gives
them; every property path it reads with the type of its value; the event
types it asks for. ``gen_reduced.py`` writes the reduced WSDL from this
and oslo.vmware's schemas (its docstring says which types it takes).

Adding a call: add the method here (or the property path, or the event
type), run ``tox -e genwsdl``, commit both. The unit test
``vsphere/wsdl/test_reduced`` fails while the code calls a method, or
reads a property, that is not here.

A parameter or answer is ``(name, type, occurs)``; a type without a
prefix is a ``urn:vim25`` type of the schemas; ``occurs`` is ``1``
(exactly one), ``?`` (optional), ``*`` (any number) or ``+`` (at least
one). Every request also carries ``_this``, the managed object called.
The faults are those the reference declares for the method; any method
may also answer with a ``RuntimeFault`` (the generator takes them all).
"""

SCHEMA_VERSION = '6.5'
"""The schemas (``oslo_vmware/wsdl/<version>``) and the API version the
requests name (SOAPAction ``urn:vim25/<version>``).

vCenter answers in the version a request names: it sends no type and no
property newer than it (a newer type is sent as the nearest older one it
derives from), so the client never meets a type its schemas lack because
vCenter is newer. A vCenter older than that version refuses every request
("Request version ... not supported"): 6.5 is the oldest of oslo.vmware's
schemas, and holds every method and type below (``prevState`` of
``CustomFieldValueChangedEvent`` included); vCenter 6.5 to 8.0 accept it.
"""

METHODS = {
    # oslo.vmware's VMwareAPISession: connect, log in, check, log out.
    'RetrieveServiceContent': ([], ('ServiceContent', '1'), ()),
    'Login': ([('userName', 'xsd:string', '1'),
               ('password', 'xsd:string', '1'),
               ('locale', 'xsd:string', '?')], ('UserSession', '1'),
              ('InvalidLogin', 'InvalidLocale')),
    'SessionIsActive': ([('sessionID', 'xsd:string', '1'),
                         ('userName', 'xsd:string', '1')],
                        ('xsd:boolean', '1'), ()),
    'Logout': ([], None, ()),
    # vcenter.collect (and oslo.vmware's WithRetrieval it uses).
    'RetrievePropertiesEx': ([('specSet', 'PropertyFilterSpec', '+'),
                              ('options', 'RetrieveOptions', '1')],
                             ('RetrieveResult', '?'), ('InvalidProperty',)),
    'ContinueRetrievePropertiesEx': ([('token', 'xsd:string', '1')],
                                     ('RetrieveResult', '1'),
                                     ('InvalidProperty',)),
    'CancelRetrievePropertiesEx': ([('token', 'xsd:string', '1')], None,
                                   ('InvalidProperty',)),
    # vcenter.container_view: find a cluster, list every cluster.
    'CreateContainerView': ([('container', 'ManagedObjectReference', '1'),
                             ('type', 'xsd:string', '*'),
                             ('recursive', 'xsd:boolean', '1')],
                            ('ManagedObjectReference', '1'), ()),
    'DestroyView': ([], None, ()),
    # store: the record, the lease, the audit event.
    'AddCustomFieldDef': ([('name', 'xsd:string', '1'),
                           ('moType', 'xsd:string', '?'),
                           ('fieldDefPolicy', 'PrivilegePolicyDef', '?'),
                           ('fieldPolicy', 'PrivilegePolicyDef', '?')],
                          ('CustomFieldDef', '1'),
                          ('DuplicateName', 'InvalidPrivilege')),
    # NotFound: the simulator's answer to a removed key (the reference
    # says InvalidArgument); the fault table names both.
    'RemoveCustomFieldDef': ([('key', 'xsd:int', '1')], None, ('NotFound',)),
    'RenameCustomFieldDef': ([('key', 'xsd:int', '1'),
                              ('name', 'xsd:string', '1')], None,
                             ('DuplicateName',)),
    'SetField': ([('entity', 'ManagedObjectReference', '1'),
                  ('key', 'xsd:int', '1'),
                  ('value', 'xsd:string', '1')], None, ()),
    'LogUserEvent': ([('entity', 'ManagedObjectReference', '1'),
                      ('msg', 'xsd:string', '1')], None, ()),
    # doctor: the clock offset, the events of the fencing and the audit,
    # the user's privileges named one by one.
    'CurrentTime': ([], ('xsd:dateTime', '1'), ()),
    'QueryEvents': ([('filter', 'EventFilterSpec', '1')], ('Event', '*'),
                    ()),
    'HasPrivilegeOnEntities': ([('entity', 'ManagedObjectReference', '+'),
                                ('sessionId', 'xsd:string', '1'),
                                ('privId', 'xsd:string', '*')],
                               ('EntityPrivilege', '*'), ()),
    'FetchUserPrivilegeOnEntities': ([('entities', 'ManagedObjectReference',
                                       '+'),
                                      ('userName', 'xsd:string', '1')],
                                     ('UserPrivilegeResult', '*'), ()),
}
"""``{method: ([parameters after _this], returnval or None, faults)}``."""

PROPERTIES = {
    # store.read, fleet.read, find_cluster; list's filters: the path up.
    ('ClusterComputeResource', 'name'): 'xsd:string',
    ('ClusterComputeResource', 'customValue'): 'ArrayOfCustomFieldValue',
    ('ClusterComputeResource', 'parent'): 'ManagedObjectReference',
    ('CustomFieldsManager', 'field'): 'ArrayOfCustomFieldDef',
    ('Datacenter', 'name'): 'xsd:string',
    ('Datacenter', 'parent'): 'ManagedObjectReference',
    ('Datacenter', 'hostFolder'): 'ManagedObjectReference',
    ('Folder', 'name'): 'xsd:string',
    ('Folder', 'parent'): 'ManagedObjectReference',
    ('Folder', 'childEntity'): 'ArrayOfManagedObjectReference',
    # doctor: who is logged in.
    ('SessionManager', 'currentSession'): 'UserSession',
}
"""``{(managed object type, property path): type of its value}``: a
property's value comes as ``xsd:anyType`` named by ``xsi:type``."""

EVENTS = (
    # LogUserEvent's audit events.
    'GeneralUserEvent',
    # What vCenter records of the custom fields (doctor: events per
    # renewal, the fencing's history).
    'CustomFieldDefAddedEvent',
    'CustomFieldDefRemovedEvent',
    'CustomFieldDefRenamedEvent',
    'CustomFieldValueChangedEvent',
)
"""The event types ``QueryEvents`` asks for (``EventFilterSpec.type``):
vCenter sends no other; one left out here would be an unknown type."""

"""The vCenter store: where the ownership record lives.

One object, ``ClusterStore``, does every vCenter call the guard needs on one
cluster. It takes an ``oslo_vmware.api.VMwareAPISession`` that the caller
owns (nova's, or the CLI's bounded one) and the cluster's managed object
reference, so it never scans the inventory.

Calls and their cost in round trips:

- ``read``: 1 (one ``RetrievePropertiesEx`` for the cluster's values and the
  custom field definitions together).
- ``write``: 1 (``SetField``).
- ``ensure_field``: 1 (``AddCustomFieldDef``), plus 1 read if it existed.
- ``create_lock`` / ``remove_lock``: 1 each.

vSphere has no compare-and-swap on attribute values, but creating a field
definition whose name exists fails with ``DuplicateName`` and removing a
definition by key fails once it is gone. The lock is therefore a field
definition named after the record's attribute and the cluster: whoever
creates it holds it.

oslo.vmware faults are translated to our exceptions here and only here.
"""

import contextlib
import re

from oslo_vmware import exceptions as vexc
from oslo_vmware import vim_util

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import record as record_mod

CLUSTER_TYPE = 'ClusterComputeResource'

# Privileges vCenter checks for each call, named in MissingPrivilege.
_PRIVILEGES = {
    'AddCustomFieldDef': 'Global.ManageCustomFields',
    'RemoveCustomFieldDef': 'Global.ManageCustomFields',
    'SetField': 'Global.SetCustomField',
    'LogUserEvent': 'Global.LogEvent',
    'RetrievePropertiesEx': 'System.Read',
}


def lock_name(attribute_name, cluster_moref):
    """The name of the lock field definition for one cluster."""
    return '%s.lock.%s' % (attribute_name, cluster_moref)


class LockHeld(Exception):
    """``create_lock`` found the lock already held.

    :ivar key: the key of the lock definition held by another process
    :ivar reading: the ``Reading`` that found it (record included)
    """

    def __init__(self, key, reading=None):
        super().__init__(key)
        self.key = key
        self.reading = reading


class Reading:
    """What one ``read`` saw.

    :ivar raw: the attribute value on the cluster (``None`` when unset)
    :ivar field_key: key of the attribute's definition (``None`` if absent)
    :ivar lock_key: key of the lock definition, ``None`` when unlocked
    :ivar cluster_name: the cluster's name
    """

    __slots__ = ('raw', 'field_key', 'lock_key', 'cluster_name')

    def __init__(self, raw, field_key, lock_key, cluster_name):
        self.raw = raw
        self.field_key = field_key
        self.lock_key = lock_key
        self.cluster_name = cluster_name

    def record(self):
        """The parsed record, or ``None`` when the cluster is unowned.

        :raises: UnreadableRecord
        """
        return record_mod.parse_record(self.raw)

    def __repr__(self):
        return 'Reading(raw=%r, field_key=%r, lock_key=%r)' % (
            self.raw, self.field_key, self.lock_key)


@contextlib.contextmanager
def translated_faults(operation, endpoint=None, username=None):
    """Translate oslo.vmware exceptions raised in the block to ours.

    :param operation: the vSphere method, for privileges and messages
    :param endpoint: the vCenter address, for connection errors
    :param username: the vCenter user, for privilege errors
    """
    try:
        yield
    except exceptions.OwnershipError:
        raise
    except vexc.NoPermissionException as exc:
        privilege = (exc.details or {}).get('privilegeId') or \
            _PRIVILEGES.get(operation, 'unknown')
        raise exceptions.MissingPrivilege(privilege, operation, username)
    except vexc.VimFaultException as exc:
        if 'NoPermission' in exc.fault_list:
            privilege = (exc.details or {}).get('privilegeId') or \
                _PRIVILEGES.get(operation, 'unknown')
            raise exceptions.MissingPrivilege(privilege, operation, username)
        if 'InvalidLogin' in exc.fault_list:
            raise exceptions.VCenterLoginFailed(endpoint, username)
        raise exceptions.VCenterFault(operation, exc.fault_list, exc.msg)
    except (vexc.VimConnectionException,
            vexc.VimSessionOverLoadException) as exc:
        raise exceptions.VCenterUnreachable(endpoint or 'vCenter',
                                            _cause(exc))
    except (vexc.VimException, vexc.VimAttributeException) as exc:
        raise exceptions.VCenterFault(operation, type(exc).__name__,
                                      _cause(exc))


# requests nests urllib3's errors in long texts; the errno or TLS part is
# what an operator needs ("[Errno 111] Connection refused").
_ERRNO_RE = re.compile(r'\[Errno -?\d+\] [^"\')]+')
_SSL_RE = re.compile(r'\[SSL: [^\]]+\] (.+?)(?: \(_ssl\.c:\d+\)|$)')


def summarize_error(error):
    """One short line saying what went wrong with a connection or call."""
    text = str(error).strip()
    found = _SSL_RE.search(text)
    if found:
        return found.group(1).strip()
    found = _ERRNO_RE.search(text)
    if found:
        return found.group(0).strip()
    if 'timed out' in text.lower():
        return 'connection timed out'
    return text.splitlines()[0] if text else type(error).__name__


def _cause(exc):
    return summarize_error(getattr(exc, 'cause', None) or exc.msg or exc)


class ClusterStore:
    """Reads and writes the ownership record of one cluster.

    :param session: a connected ``oslo_vmware.api.VMwareAPISession``
    :param cluster_ref: the cluster's managed object reference
    :param attribute_name: name of the custom attribute holding the record
    :param location: an ``exceptions.Location`` for messages
    """

    def __init__(self, session, cluster_ref, attribute_name, location):
        self._session = session
        self._cluster = cluster_ref
        self.attribute_name = attribute_name
        self.location = location
        self.lock_name = lock_name(attribute_name,
                                   vim_util.get_moref_value(cluster_ref))

    def _invoke(self, method, managed_object, **kwargs):
        with translated_faults(method, self.location.vcenter):
            return self._session.invoke_api(self._session.vim, method,
                                            managed_object, **kwargs)

    @property
    def _content(self):
        return self._session.vim.service_content

    def read(self):
        """Read the record and the lock state in one round trip.

        :returns: a ``Reading``
        :raises: VCenterError
        """
        factory = self._session.vim.client.factory
        manager = self._content.customFieldsManager
        spec = vim_util.build_property_filter_spec(
            factory,
            [vim_util.build_property_spec(factory, CLUSTER_TYPE,
                                          ['name', 'customValue']),
             vim_util.build_property_spec(factory, 'CustomFieldsManager',
                                          ['field'])],
            [vim_util.build_object_spec(factory, self._cluster, []),
             vim_util.build_object_spec(factory, manager, [])])
        options = factory.create('ns0:RetrieveOptions')
        with translated_faults('RetrievePropertiesEx', self.location.vcenter):
            try:
                result = self._session.invoke_api(
                    self._session.vim, 'RetrievePropertiesEx',
                    self._content.propertyCollector, specSet=[spec],
                    options=options)
            except vexc.ManagedObjectNotFoundException:
                # The cluster was deleted since its reference was found.
                raise exceptions.ClusterNotFound(self.location.cluster,
                                                 self.location.vcenter)
        props = {}
        for obj in getattr(result, 'objects', None) or []:
            for prop in getattr(obj, 'propSet', None) or []:
                props[prop.name] = prop.val
        if 'name' not in props:
            raise exceptions.ClusterNotFound(self.location.cluster,
                                             self.location.vcenter)
        field_key = lock_key = None
        for definition in _items(props.get('field'), 'CustomFieldDef'):
            if definition.name == self.attribute_name:
                field_key = definition.key
            elif definition.name == self.lock_name:
                lock_key = definition.key
        raw = None
        if field_key is not None:
            for value in _items(props.get('customValue'), 'CustomFieldValue'):
                if value.key == field_key:
                    raw = getattr(value, 'value', None)
        return Reading(raw, field_key, lock_key, props['name'])

    def write(self, text, field_key):
        """Store ``text`` as the attribute value on the cluster.

        :param text: the serialised record ('' clears it)
        :param field_key: the attribute's definition key (``ensure_field``)
        :raises: VCenterError
        """
        self._invoke('SetField', self._content.customFieldsManager,
                     entity=self._cluster, key=field_key, value=text)

    def ensure_field(self):
        """Create the attribute's definition if missing; return its key.

        :raises: VCenterError
        """
        key = self._add_definition(self.attribute_name)
        if key is None:
            key = self.read().field_key
        return key

    def create_lock(self):
        """Take the record lock.

        :returns: the key of the lock definition now held by the caller
        :raises: LockHeld when another process holds it; VCenterError
        """
        key = self._add_definition(self.lock_name)
        if key is None:
            reading = self.read()
            raise LockHeld(reading.lock_key, reading)
        return key

    def remove_lock(self, key):
        """Remove the lock definition ``key``.

        :returns: True if removed, False if it was already gone (someone
                  else released or broke it)
        :raises: VCenterError
        """
        with translated_faults('RemoveCustomFieldDef', self.location.vcenter):
            try:
                self._session.invoke_api(
                    self._session.vim, 'RemoveCustomFieldDef',
                    self._content.customFieldsManager, key=key)
            except vexc.VimFaultException as exc:
                # vCenter answers NotFound for a key that is gone; some
                # versions say InvalidArgument.
                if {'NotFound', 'InvalidArgument'} & set(exc.fault_list):
                    return False
                raise
        return True

    def post_event(self, message):
        """Post an audit event on the cluster (``LogUserEvent``).

        :raises: VCenterError
        """
        self._invoke('LogUserEvent', self._content.eventManager,
                     entity=self._cluster, msg=message)

    def _add_definition(self, name):
        """Create a field definition; return its key, None if it exists."""
        with translated_faults('AddCustomFieldDef', self.location.vcenter):
            try:
                definition = self._session.invoke_api(
                    self._session.vim, 'AddCustomFieldDef',
                    self._content.customFieldsManager, name=name,
                    moType=CLUSTER_TYPE)
            except vexc.DuplicateName:
                return None
            except vexc.VimFaultException as exc:
                if 'DuplicateName' in exc.fault_list:
                    return None
                raise
        return definition.key


def _items(array, name):
    """The list inside a vSphere ArrayOf<name> value (or [])."""
    if array is None:
        return []
    return list(getattr(array, name, None) or [])

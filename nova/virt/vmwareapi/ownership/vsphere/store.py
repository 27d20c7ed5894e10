"""The vCenter store: the calls on one cluster's record, and nothing more.

``VCenterStore`` implements ``store.ClusterStore`` (the interface and its
contract are described there): it reads and writes the two places a
cluster's record lives (``view`` describes them; ``fencing`` is the only
caller of the writes). It works on a cluster reference it is given, so it
never scans the inventory.
Round trips: ``read`` 1 (one ``RetrievePropertiesEx`` for the cluster's
values and the custom field definitions together), ``require`` 1 (one
``HasPrivilegeOnEntities``); every other call 1.

vCenter's faults reach the caller as the typed exceptions that ``vcenter``
translates them to:
``DuplicateName`` (``create_lease``: the lease exists),
``DefinitionGone`` (``remove_lease`` or a write with the key of a removed
definition) and ``MissingPrivilege`` (``require``, or a call vCenter
refused; the cluster and the root folder named as such). vCenter names a
gone key ``InvalidArgument`` (the vSphere Web Services API reference,
``CustomFieldsManager.RemoveCustomFieldDef`` and ``SetField``: "if no
custom field with that key exists"); govmomi's simulator names a
removal's ``NotFound``: either is ``DefinitionGone``.
"""

import contextlib

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import privileges
from nova.virt.vmwareapi.ownership import view as view_mod
from nova.virt.vmwareapi.ownership.vsphere import authorization
from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors
from nova.virt.vmwareapi.ownership.vsphere import vcenter

CUSTOM_FIELDS_MANAGER = 'CustomFieldsManager'


class VCenterStore:
    """The record of one cluster in vCenter.

    :param session: a connected ``session.Session``
    :param cluster_ref: the cluster's managed object reference
    :param attribute_name: the custom attribute holding the record
    :param location: a ``location.Location``, for messages
    """

    def __init__(self, session, cluster_ref, attribute_name, location):
        self._session = session
        self._cluster = cluster_ref
        self.attribute_name = attribute_name
        self.location = location
        self.lease_name = view_mod.lease_name(
            attribute_name, vcenter.moref_value(cluster_ref))
        self._scope = authorization.Scope(cluster_ref, cluster_text(
            location.cluster, vcenter.moref_value(cluster_ref)))

    @property
    def _fields(self):
        return vcenter.service_content(self._session).customFieldsManager

    def read(self):
        """Read both places in one round trip.

        :returns: a ``view.Reading``
        :raises: ClusterNotFound when the cluster is gone; VCenterError
        """
        try:
            found = dict((vcenter.moref_value(ref), props) for ref, props in
                         vcenter.collect(self._session, [
                             (self._cluster, vcenter.CLUSTER_TYPE,
                              ['name', 'customValue']),
                             (self._fields, CUSTOM_FIELDS_MANAGER,
                              ['field'])]))
        except vsphere_errors.ManagedObjectNotFound:
            found = {}
        cluster = found.get(vcenter.moref_value(self._cluster), {})
        if 'name' not in cluster:
            raise vsphere_errors.ClusterNotFound(
                cluster=self.location.cluster, vcenter=self.location.vcenter)
        fields = found.get(vcenter.moref_value(self._fields), {})
        return reading_of(cluster.get('customValue'),
                          field_keys(fields.get('field')),
                          self.attribute_name, self.lease_name)

    def require(self, needed, operation):
        """Check that the user holds the privileges ``needed`` where
        vCenter checks them, in one round trip.

        :param needed: ``privileges.Privilege`` values
        :param operation: the change that needs them, for the message
        :raises: MissingPrivilege naming each one lacking, the user and
                 the object; VCenterError
        """
        authorization.require(self._session, self._scope, needed, operation)

    def create_lease(self):
        """Create the lease definition; its key is the new token.

        :raises: DuplicateName when it exists; VCenterError
        """
        return self._add_definition(self.lease_name)

    def remove_lease(self, key):
        """Remove the lease definition ``key`` (and its value).

        :raises: DefinitionGone when that key is gone already; VCenterError
        """
        with _key_gone_is_gone(), self._named():
            vcenter.invoke(self._session, 'RemoveCustomFieldDef',
                           self._fields, key=key)

    def write_lease(self, key, text):
        """Store ``text`` as the lease's value, through its key ``key``.

        :raises: DefinitionGone when that definition was removed (the
                 token was revoked); VCenterError
        """
        self._set(key, text)

    def write_attribute(self, key, text):
        """Store ``text`` ('' clears it) as the attribute's value.

        :raises: DefinitionGone when that definition was removed;
                 VCenterError
        """
        self._set(key, text)

    def ensure_attribute(self):
        """The attribute's definition key, created when missing.

        :raises: VCenterError
        """
        try:
            return self._add_definition(self.attribute_name)
        except exceptions.DuplicateName:
            return self.read().attribute_key

    def post_event(self, message):
        """Post an audit event on the cluster (``LogUserEvent``).

        :raises: VCenterError
        """
        with self._named():
            vcenter.invoke(
                self._session, 'LogUserEvent',
                vcenter.service_content(self._session).eventManager,
                entity=self._cluster, msg=message)

    def _set(self, key, text):
        with _key_gone_is_gone(), self._named():
            vcenter.invoke(self._session, 'SetField', self._fields,
                           entity=self._cluster, key=key, value=text)

    def _add_definition(self, name):
        with self._named():
            definition = vcenter.invoke(
                self._session, 'AddCustomFieldDef', self._fields, name=name,
                moType=vcenter.CLUSTER_TYPE)
        return definition.key

    @contextlib.contextmanager
    def _named(self):
        """A refusal names the cluster or the root folder in words."""
        try:
            yield
        except exceptions.MissingPrivilege as exc:
            names = {vcenter.moref_value(self._scope.ref(
                self._session, on)): self._scope.text(self._session, on)
                for on in (privileges.CLUSTER, privileges.ROOT_FOLDER)}
            if exc.entity not in names:
                raise
            raise exceptions.MissingPrivilege(
                privilege=exc.privilege, operation=exc.operation,
                username=exc.username, entity=names[exc.entity])


@contextlib.contextmanager
def _key_gone_is_gone():
    """A call through a definition key: either fault of a gone key is one."""
    try:
        yield
    except (vsphere_errors.NotFound, vsphere_errors.InvalidArgument) as exc:
        raise exceptions.DefinitionGone(operation=exc.operation,
                                        fault=exc.fault, detail=exc.detail)


def cluster_text(name, moref):
    """A cluster in words: ``cluster 'DC0_C0' (domain-c7)``."""
    return 'cluster %r (%s)' % (name, moref)


def field_keys(definitions):
    """``{name: key}`` of the CustomFieldsManager's ``field`` property."""
    return {vcenter.plain(definition.name): definition.key for definition in
            vcenter.array(definitions, 'CustomFieldDef')}


def reading_of(custom_values, keys, attribute_name, lease_name):
    """A ``view.Reading`` from a cluster's values and the definitions.

    :param custom_values: the cluster's ``customValue`` property
    :param keys: ``field_keys`` of the definitions
    """
    values = {value.key: vcenter.plain(getattr(value, 'value', None))
              for value in vcenter.array(custom_values, 'CustomFieldValue')}
    attribute_key = keys.get(attribute_name)
    lease_key = keys.get(lease_name)
    return view_mod.Reading(
        attribute_raw=values.get(attribute_key)
        if attribute_key is not None else None,
        attribute_key=attribute_key, lease_key=lease_key,
        lease_raw=values.get(lease_key) if lease_key is not None else None)

"""The one boundary to vCenter: connect, find, invoke, collect.

Everything nova-vmware-owner says to vCenter goes through this module, on
a ``session.Session`` (the reduced VIM client, each request within its
deadline, a bounded login), and every error that comes back is translated
by ``faults.translated``, through the one fault table, into an
``exceptions.VCenterError``. Calls are not retried behind the caller's
back (the caller decides: a renewal is tried again by the lease keeper).

A write without its answer (a timeout, a lost answer, a new login) is
never sent again: it may have been carried out, and again it could land
where it no longer belongs (a restored vCenter hands out keys again). It
raises ``WriteUnconfirmed``; the write path reads and decides.
"""

import contextlib
import dataclasses

from oslo_vmware import exceptions as vexc
from oslo_vmware import service
from oslo_vmware import vim_util

from nova.virt.vmwareapi.ownership import exceptions

from nova.virt.vmwareapi.ownership.vsphere import faults
from nova.virt.vmwareapi.ownership.vsphere import session as session_mod

CLUSTER_TYPE = 'ClusterComputeResource'
FOLDER_TYPE = 'Folder'
DATACENTER_TYPE = 'Datacenter'

PAGE_SIZE = 1000
"""Objects per page of a property collection."""


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """How to reach one vCenter.

    :ivar host: address; ``port``: TCP port; ``username``/``password``:
                credentials (the password is never shown); ``ca_file``: CA
                bundle; ``insecure``: skip certificate checks (only without
                ``ca_file``); ``scheme``: https, or http for a plain
                simulator
    """

    host: str
    port: int
    username: str
    password: str = dataclasses.field(repr=False)
    ca_file: str = None
    insecure: bool = False
    scheme: str = 'https'

    def __post_init__(self):
        object.__setattr__(self, 'insecure',
                           self.insecure and not self.ca_file)

    def __str__(self):
        # Never the password. The address as oslo.vmware builds it: an
        # IPv6 host in brackets, no port when [vmware] host_port is empty.
        return service.Service.build_base_url(self.scheme, self.host,
                                              self.port)


def plain(value):
    """A text value of vCenter's answer as a plain ``str`` (others as is).

    suds hands out ``suds.sax.text.Text``, whose ``repr()`` is the raw text.
    """
    return str(value) if isinstance(value, str) else value


def connect(endpoint, timeout):
    """Log in to vCenter, failing within a bound.

    :param endpoint: an ``Endpoint``
    :param timeout: seconds each request may take, from connecting to the
                    last byte of the answer; the login ends within
                    ``session.LOGIN_REQUESTS`` times it
    :returns: a logged-in ``session.Session``
    :raises: VCenterUnreachable, VCenterLoginFailed, VCenterFault
    """
    session = session_mod.Session(endpoint, timeout)
    with faults.translated('Login', endpoint, endpoint.username):
        session.log_in()
    return session


def _call(session, method, *args, **kwargs):
    """Call a vSphere method through oslo.vmware's client.

    Directly, not through ``invoke_api``: that one wraps each call in
    oslo.service's retry, which logs every fault with a traceback at
    ERROR, and the faults of the record's protocol are expected answers
    (a lost race, a revoked lease). Only an expired session (vCenter
    restarted, or an admin ended it) is handled here: logged in again, a
    read is repeated once, a write is not. ``invoke_api`` would first sleep
    10 seconds, most of a short renew deadline.
    """
    call = getattr(session.vim, method)
    try:
        return call(*args, **kwargs)
    except vexc.VimFaultException as exc:
        if vexc.NOT_AUTHENTICATED not in (exc.fault_list or []):
            raise
    except vexc.NotAuthenticatedException:
        pass
    logged_in = session.login_again()
    if method not in faults.READS:
        raise exceptions.WriteUnconfirmed(
            endpoint=session.endpoint, operation=method,
            reason='vCenter answered NotAuthenticated; %s' % (
                'the session had ended and this process logged in again'
                if logged_in else 'the session is still active'))
    if not logged_in:
        # oslo.vmware reads an empty answer as NotAuthenticated; with the
        # session still active it was a real, empty answer.
        return []
    return call(*args, **kwargs)


def invoke(session, method, managed_object, **kwargs):
    """Call a vSphere method; faults come back as our exceptions.

    :param session: a ``session.Session``
    :raises: WriteUnconfirmed when a write got no answer; VCenterError
    """
    with faults.translated(method, session.endpoint,
                           session.endpoint.username):
        return _call(session, method, managed_object, **kwargs)


def service_content(session):
    """vCenter's ServiceContent (read at login: no round trip)."""
    return session.vim.service_content


def vcenter_uuid(session):
    """The vCenter's instance UUID (no round trip)."""
    return plain(getattr(service_content(session).about, 'instanceUuid',
                         None))


def moref_value(ref):
    """The id of a managed object reference (``domain-c7``)."""
    return vim_util.get_moref_value(ref)


def moref_type(ref):
    """The type of a managed object reference (``Folder``)."""
    return vim_util.get_moref_type(ref)


def _property_spec(factory, kind, paths):
    return vim_util.build_property_spec(factory, kind, list(paths))


def collect(session, targets, view_of=None):
    """Read properties of objects in one ``RetrievePropertiesEx``.

    :param targets: ``[(managed object ref, type, [property paths])]``
    :param view_of: ``(container view ref, type, [paths])``, or a list of
                    them on one view (one per type): also read every object
                    of the view (its pages follow with
                    ``ContinueRetrievePropertiesEx``)
    :returns: ``[(ref, {path: value})]`` in vCenter's order
    :raises: VCenterError
    """
    factory = session.vim.client.factory
    prop_specs, obj_specs = [], []
    for ref, kind, paths in targets:
        prop_specs.append(_property_spec(factory, kind, paths))
        obj_specs.append(vim_util.build_object_spec(factory, ref, []))
    if view_of is not None:
        kinds = view_of if isinstance(view_of, list) else [view_of]
        traversal = vim_util.build_traversal_spec(
            factory, 'view', 'ContainerView', 'view', False, None)
        spec = vim_util.build_object_spec(factory, kinds[0][0], [traversal])
        spec.skip = True
        prop_specs.extend(_property_spec(factory, kind, paths)
                          for _view, kind, paths in kinds)
        obj_specs.append(spec)
    return retrieve(session, vim_util.build_property_filter_spec(
        factory, prop_specs, obj_specs))


def retrieve(session, spec):
    """Every object a ``PropertyFilterSpec`` selects, all pages read.

    :returns: ``[(ref, {path: value})]`` in vCenter's order
    :raises: VCenterError
    """
    factory = session.vim.client.factory
    options = factory.create('ns0:RetrieveOptions')
    options.maxObjects = PAGE_SIZE
    found = []
    with faults.translated('RetrievePropertiesEx', session.endpoint,
                           session.endpoint.username):
        result = _call(session, 'RetrievePropertiesEx',
                       service_content(session).propertyCollector,
                       specSet=[spec], options=options)
        with vim_util.WithRetrieval(session.vim, result) as objects:
            for obj in objects:
                found.append((obj.obj, {
                    plain(prop.name): plain(prop.val)
                    for prop in getattr(obj, 'propSet', None) or []}))
    return found


@contextlib.contextmanager
def container_view(session, *kinds):
    """A container view of every object of the ``kinds`` (types) under the
    root folder.
    """
    content = service_content(session)
    view = invoke(session, 'CreateContainerView', content.viewManager,
                  container=content.rootFolder, type=list(kinds),
                  recursive=True)
    try:
        yield view
    finally:
        invoke(session, 'DestroyView', view)


def array(value, name):
    """The list inside a vSphere ``ArrayOf<name>`` value (or [])."""
    if value is None:
        return []
    return list(getattr(value, name, None) or [])

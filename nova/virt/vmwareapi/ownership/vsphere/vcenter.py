"""The one boundary to vCenter: connect, find, invoke, collect.

Everything nova-vmware-owner says to vCenter goes through this module, and
every fault that comes back is translated here, through one table
(``_FAULTS``), into an ``exceptions.VCenterError``; nothing else imports
oslo.vmware's exceptions.

Every request is bounded in time: the session's transport has a timeout on
connecting and on each answer, the WSDL download included; calls are not
retried behind the caller's back (the caller decides: a renewal is tried
again by the lease keeper); and a failing login is retried a bounded number
of times (oslo.vmware retries it forever, 10 to 60 seconds apart).

A write without its answer (a timeout, a lost answer, a new login) is
never sent again: it may have been carried out, and again it could land
where it no longer belongs (a restored vCenter hands out keys again). It
raises ``WriteUnconfirmed``; the write path reads and decides.
"""

import contextlib
import dataclasses
import functools
import re
import time

from oslo_vmware import api
from oslo_vmware import exceptions as vexc
from oslo_vmware import service
from oslo_vmware import vim_util
import requests

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors
from nova.virt.vmwareapi.ownership.vsphere.wsdl import cache as wsdl_cache

CLUSTER_TYPE = 'ClusterComputeResource'

LOGIN_ATTEMPTS = 3
"""Login attempts on connection errors before giving up."""

LOGIN_RETRY_DELAY = 1.0
"""Seconds between two login attempts."""

PAGE_SIZE = 1000
"""Objects per page of a property collection."""

# vSphere fault name -> our exception. The faults the record's protocol
# relies on have classes of their own; any other is a plain VCenterFault.
_FAULTS = {
    'DuplicateName': exceptions.DuplicateName,
    'NotFound': vsphere_errors.NotFound,
    'InvalidArgument': vsphere_errors.InvalidArgument,
    'ManagedObjectNotFound': vsphere_errors.ManagedObjectNotFound,
}
_NO_PERMISSION = 'NoPermission'
_INVALID_LOGIN = 'InvalidLogin'

# Calls that change nothing in vCenter (a view dies with its session),
# repeated once after a new login; any other is a write: never repeated,
# unconfirmed without its answer. A new read call is added here.
_READS = frozenset(['Login', 'RetrievePropertiesEx', 'CreateContainerView',
                    'ContinueRetrievePropertiesEx', 'DestroyView',
                    'QueryEvents', 'FindByInventoryPath', 'CurrentTime'])

# oslo.vmware raises its own class for some faults instead of a
# VimFaultException carrying the name; map those back to the name.
_OSLO_CLASSES = {
    vexc.get_fault_class(name): name
    for name in list(_FAULTS) + [_NO_PERMISSION]
    if vexc.get_fault_class(name) is not None}

# Privileges vCenter checks for each call, named in MissingPrivilege when
# the fault does not say.
_PRIVILEGES = {
    'AddCustomFieldDef': 'Global.ManageCustomFields',
    'RemoveCustomFieldDef': 'Global.ManageCustomFields',
    'SetField': 'Global.SetCustomField',
    'LogUserEvent': 'Global.LogEvent',
    'RetrievePropertiesEx': 'System.Read',
}

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
        return 'no answer (timed out)'
    return text.splitlines()[0] if text else type(error).__name__


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


def _fault_name(error):
    if isinstance(error, vexc.VimFaultException) and error.fault_list:
        return error.fault_list[0]
    return _OSLO_CLASSES.get(type(error))


def _no_answer(operation, where, reason):
    """No answer: for a write, its outcome is unknown."""
    if operation in _READS:
        return vsphere_errors.VCenterUnreachable(endpoint=where, reason=reason)
    return exceptions.WriteUnconfirmed(endpoint=where, operation=operation,
                                       reason=reason)


@contextlib.contextmanager
def translated(operation, where, username=None):
    """Translate oslo.vmware and transport errors raised in the block.

    :param operation: the vSphere method, for privileges and messages
    :param where: the vCenter (an ``Endpoint`` or its text)
    :param username: the vCenter user, for privilege and login errors
    :raises: VCenterError subclasses
    """
    try:
        yield
    except exceptions.OwnershipError:
        raise
    except requests.exceptions.SSLError as exc:
        raise vsphere_errors.VCenterUnreachable(
            endpoint=where,
            reason='TLS verification failed (%s)' % summarize_error(exc))
    except requests.exceptions.RequestException as exc:
        raise _no_answer(operation, where, summarize_error(exc))
    except (vexc.VimConnectionException,
            vexc.VimSessionOverLoadException) as exc:
        raise _no_answer(operation, where,
                         summarize_error(exc.cause or exc.msg or exc))
    except vexc.VimException as exc:
        name = _fault_name(exc)
        if name == _NO_PERMISSION:
            privilege = plain((getattr(exc, 'details', None) or {}).get(
                'privilegeId')) or _PRIVILEGES.get(operation, 'unknown')
            raise vsphere_errors.MissingPrivilege(
                privilege=privilege, operation=operation, username=username)
        if name == _INVALID_LOGIN:
            raise vsphere_errors.VCenterLoginFailed(endpoint=where,
                                                    username=username)
        kind = _FAULTS.get(name, exceptions.VCenterFault)
        raise kind(operation=operation, fault=name or type(exc).__name__,
                   detail=summarize_error(exc.cause or exc.msg or exc))


class Session(api.VMwareAPISession):
    """oslo.vmware's session to one ``Endpoint``, with a bounded login.

    oslo.vmware retries a login that fails to connect forever, through
    oslo.service's ``RetryDecorator``; this one tries ``LOGIN_ATTEMPTS``
    times (a plain loop: the decorator keeps its retry count in itself,
    shared by every call of the process).

    :ivar endpoint: the ``Endpoint``
    """

    # oslo.vmware wraps _create_session in that retry around a lock;
    # __wrapped__ is the locked login alone (pinned by a unit test).
    _login_once = api.VMwareAPISession._create_session.__wrapped__

    def __init__(self, endpoint, timeout, wsdl_loc=None,
                 create_session=True):
        self.endpoint = endpoint
        # api_retry_count 0: nothing here calls invoke_api (see _call); if
        # anything did, it would repeat nothing behind the caller's back.
        super().__init__(
            endpoint.host, endpoint.username, endpoint.password, 0,
            0.5, scheme=endpoint.scheme, port=endpoint.port,
            cacert=endpoint.ca_file, insecure=endpoint.insecure,
            connection_timeout=timeout, wsdl_loc=wsdl_loc,
            create_session=create_session)

    def login_again(self):
        """Log in again unless the session is still active.

        :returns: True when it logged in again
        """
        before = self._session_id
        self._create_session()
        return self._session_id != before

    def _create_session(self):
        for attempt in range(1, LOGIN_ATTEMPTS + 1):
            try:
                return self._login_once()
            except vexc.VimConnectionException as exc:
                # A vCenter that stayed silent for a whole timeout is not
                # asked again: that would multiply the wait an operator
                # sees; a refused or reset connection is.
                if attempt == LOGIN_ATTEMPTS or isinstance(
                        exc.cause, requests.exceptions.Timeout):
                    raise
                time.sleep(LOGIN_RETRY_DELAY)


def connect(endpoint, timeout, cache=None):
    """Log in to vCenter, failing within a bound.

    The VIM WSDL is downloaded within the same bound and its client comes
    from the on-disk cache when vCenter serves the same documents
    (``wsdl_cache``).

    :param endpoint: an ``Endpoint``
    :param timeout: seconds for each TCP connection and each answer
    :param cache: a ``wsdl_cache.WsdlCache`` (default: the user's)
    :returns: a logged-in ``Session``
    :raises: VCenterUnreachable, VCenterLoginFailed, VCenterFault
    """
    with translated('Login', endpoint, endpoint.username):
        return wsdl_cache.open_session(
            functools.partial(Session, endpoint, timeout),
            endpoint, timeout, cache=cache)


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
    if method not in _READS:
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

    :param session: a ``Session``
    :raises: WriteUnconfirmed when a write got no answer; VCenterError
    """
    with translated(method, session.endpoint, session.endpoint.username):
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


def _property_spec(factory, kind, paths):
    return vim_util.build_property_spec(factory, kind, list(paths))


def collect(session, targets, view_of=None):
    """Read properties of objects in one ``RetrievePropertiesEx``.

    :param targets: ``[(managed object ref, type, [property paths])]``
    :param view_of: ``(container view ref, type, [paths])``: also read
                    every object of the view (its pages follow with
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
        view, kind, paths = view_of
        traversal = vim_util.build_traversal_spec(
            factory, 'view', 'ContainerView', 'view', False, None)
        spec = vim_util.build_object_spec(factory, view, [traversal])
        spec.skip = True
        prop_specs.append(_property_spec(factory, kind, paths))
        obj_specs.append(spec)
    spec = vim_util.build_property_filter_spec(factory, prop_specs, obj_specs)
    options = factory.create('ns0:RetrieveOptions')
    options.maxObjects = PAGE_SIZE
    found = []
    with translated('RetrievePropertiesEx', session.endpoint,
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
def container_view(session, kind):
    """A container view of every ``kind`` object under the root folder."""
    content = service_content(session)
    view = invoke(session, 'CreateContainerView', content.viewManager,
                  container=content.rootFolder, type=[kind], recursive=True)
    try:
        yield view
    finally:
        invoke(session, 'DestroyView', view)


def find_cluster(session, name):
    """Find the cluster named ``name``; only clusters are listed.

    :returns: the cluster's managed object reference
    :raises: ClusterNotFound (none, or several of that name); VCenterError
    """
    with container_view(session, CLUSTER_TYPE) as view:
        found = [ref for ref, props in collect(
            session, [], view_of=(view, CLUSTER_TYPE, ['name']))
            if props.get('name') == name]
    if len(found) != 1:
        raise vsphere_errors.ClusterNotFound(
            cluster=name, vcenter=str(session.endpoint), found=len(found))
    return found[0]


def array(value, name):
    """The list inside a vSphere ``ArrayOf<name>`` value (or [])."""
    if value is None:
        return []
    return list(getattr(value, name, None) or [])

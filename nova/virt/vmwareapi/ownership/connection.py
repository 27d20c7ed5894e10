"""Connecting to vCenter with bounded waits, and finding the cluster.

oslo.vmware's session retries a failed login forever (10 to 60 seconds
apart) when the connection fails. That suits a service that must come up
eventually; a command an operator typed, or a test, must instead fail with a
clear message. ``BoundedSession`` keeps oslo.vmware's login and bounds its
retries; ``connect`` translates every way of failing to our exceptions.
"""

import functools
import time

from oslo_vmware import api
from oslo_vmware import exceptions as vexc
from oslo_vmware import vim_util
import requests

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import store as store_mod
from nova.virt.vmwareapi.ownership import wsdl_cache

LOGIN_ATTEMPTS = 3
"""Login attempts on connection errors before giving up."""

LOGIN_RETRY_DELAY = 1.0
"""Seconds between two login attempts."""

# oslo.vmware decorates _create_session with an unbounded retry around a
# lock; __wrapped__ is the locked login without the retry.
_login_once = api.VMwareAPISession._create_session.__wrapped__


class BoundedSession(api.VMwareAPISession):
    """``oslo_vmware.api.VMwareAPISession`` with a bounded login retry.

    A plain loop rather than oslo.service's ``RetryDecorator``: that one
    keeps its retry count in the decorator, shared by every call in the
    process, so a second outage would get no retries at all.
    """

    def _create_session(self):
        for attempt in range(1, LOGIN_ATTEMPTS + 1):
            try:
                return _login_once(self)
            except vexc.VimConnectionException:
                if attempt == LOGIN_ATTEMPTS:
                    raise
                time.sleep(LOGIN_RETRY_DELAY)


_summary = store_mod.summarize_error


class Endpoint:
    """How to reach one vCenter.

    :param host: address; ``port``: TCP port; ``username``/``password``:
                 credentials; ``ca_file``: CA bundle; ``insecure``: skip
                 certificate checks (only without ``ca_file``);
                 ``scheme``: https, or http for a plain simulator
    """

    def __init__(self, host, port, username, password, ca_file=None,
                 insecure=False, scheme='https'):
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.ca_file = ca_file
        self.insecure = insecure and not ca_file
        self.scheme = scheme

    def __str__(self):
        # Never the password.
        return '%s://%s:%s' % (self.scheme, self.host, self.port)


def connect(endpoint, timeout=10.0, api_retry_count=1):
    """Log in to vCenter, failing within a bound.

    :param endpoint: an ``Endpoint``
    :param timeout: seconds for each TCP connection and HTTP answer, the
                    WSDL download included (``wsdl_cache``)
    :param api_retry_count: retries of each call on connection errors
    :returns: a logged-in ``BoundedSession``
    :raises: VCenterUnreachable, VCenterLoginFailed
    """
    try:
        return wsdl_cache.open_session(functools.partial(
            BoundedSession,
            endpoint.host, endpoint.username, endpoint.password,
            api_retry_count, 0.5, scheme=endpoint.scheme, port=endpoint.port,
            cacert=endpoint.ca_file, insecure=endpoint.insecure,
            connection_timeout=timeout), endpoint, timeout)
    except requests.exceptions.SSLError as exc:
        raise exceptions.VCenterUnreachable(
            endpoint, 'TLS verification failed (%s)' % _summary(exc))
    except requests.exceptions.RequestException as exc:
        raise exceptions.VCenterUnreachable(endpoint, _summary(exc))
    except vexc.VimConnectionException as exc:
        raise exceptions.VCenterUnreachable(endpoint,
                                            _summary(exc.cause or exc))
    except vexc.VimFaultException as exc:
        if 'InvalidLogin' in exc.fault_list:
            raise exceptions.VCenterLoginFailed(endpoint, endpoint.username)
        raise exceptions.VCenterFault('Login', exc.fault_list, exc.msg)
    except vexc.VimException as exc:
        raise exceptions.VCenterUnreachable(endpoint,
                                            _summary(exc.cause or exc))


def vcenter_uuid(session):
    """The vCenter's instance UUID (no round trip: from service content)."""
    about = session.vim.service_content.about
    return getattr(about, 'instanceUuid', None)


def find_cluster(session, name, endpoint=None):
    """Find the cluster named ``name`` with a container view of clusters.

    Only clusters are listed, never VMs or hosts.

    :returns: the cluster's managed object reference
    :raises: ClusterNotFound (none, or several of that name); VCenterError
    """
    vim = session.vim
    content = vim.service_content
    factory = vim.client.factory
    where = str(endpoint or 'vCenter')
    with store_mod.translated_faults('CreateContainerView', where):
        view = session.invoke_api(vim, 'CreateContainerView',
                                  content.viewManager,
                                  container=content.rootFolder,
                                  type=[store_mod.CLUSTER_TYPE],
                                  recursive=True)
    try:
        traversal = vim_util.build_traversal_spec(
            factory, 'view', 'ContainerView', 'view', False, None)
        obj_spec = vim_util.build_object_spec(factory, view, [traversal])
        obj_spec.skip = True
        spec = vim_util.build_property_filter_spec(
            factory,
            [vim_util.build_property_spec(factory, store_mod.CLUSTER_TYPE,
                                          ['name'])],
            [obj_spec])
        options = factory.create('ns0:RetrieveOptions')
        options.maxObjects = 1000
        found = []
        with store_mod.translated_faults('RetrievePropertiesEx', where):
            result = session.invoke_api(vim, 'RetrievePropertiesEx',
                                        content.propertyCollector,
                                        specSet=[spec], options=options)
            with vim_util.WithRetrieval(vim, result) as objects:
                for obj in objects:
                    for prop in getattr(obj, 'propSet', None) or []:
                        if prop.name == 'name' and prop.val == name:
                            found.append(obj.obj)
    finally:
        with store_mod.translated_faults('DestroyView', where):
            session.invoke_api(vim, 'DestroyView', view)
    if len(found) != 1:
        raise exceptions.ClusterNotFound(name, where, len(found))
    return found[0]

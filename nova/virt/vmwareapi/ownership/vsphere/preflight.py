"""What ``doctor`` measures of vCenter, through the one boundary.

The connection and the TLS handshake, each on its own (a plain socket,
bounded by the command's ``--timeout``), so that a refused port, a
certificate and a login are told apart; the clusters of a name and their
datacenters; vCenter's clock (``CurrentTime``); the custom field
definitions of doctor's scratch name and their removal; and the events
vCenter recorded (``QueryEvents``, asking only for the event types the
product knows: vSphere Web Services API reference, ``EventFilterSpec``).
Everything else goes through ``vcenter``'s calls and fault table.
"""

import contextlib
import dataclasses
import datetime
import socket
import ssl
import time

from oslo_vmware import vim_util
import requests

from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors
from nova.virt.vmwareapi.ownership.vsphere import faults
from nova.virt.vmwareapi.ownership.vsphere import store as store_mod
from nova.virt.vmwareapi.ownership.vsphere import vcenter

FOLDER_TYPE = 'Folder'
DATACENTER_TYPE = 'Datacenter'
SERVICE_INSTANCE = 'ServiceInstance'

MAX_DEPTH = 32
"""Folders walked up from a cluster to its datacenter, at most."""

MAX_EVENTS = 1000
"""Events ``QueryEvents`` returns at most, newest first."""

VALUE_CHANGED = 'CustomFieldValueChangedEvent'
DEFINITION_EVENTS = ('CustomFieldDefAddedEvent', 'CustomFieldDefRemovedEvent')


def _unreachable(endpoint, reason):
    return vsphere_errors.VCenterUnreachable(endpoint=str(endpoint),
                                             reason=reason)


@contextlib.contextmanager
def _socket(endpoint, timeout):
    try:
        sock = socket.create_connection((endpoint.host, endpoint.port),
                                        timeout)
    except socket.timeout:
        raise _unreachable(endpoint, 'no answer (timed out)')
    except OSError as exc:
        raise _unreachable(endpoint, faults.summarize_error(exc))
    with sock:
        yield sock


def connect_time(endpoint, timeout):
    """Seconds a TCP connection to vCenter takes.

    :raises: VCenterUnreachable
    """
    started = time.monotonic()
    with _socket(endpoint, timeout):
        return time.monotonic() - started


def tls(endpoint, timeout):
    """The TLS handshake, verified as the command's session verifies it.

    :returns: ``(mode, detail)``: mode ``verified``, ``insecure`` (not
              verified: ``[vmware] insecure``) or ``plain`` (HTTP)
    :raises: VCenterUnreachable naming what failed
    """
    if endpoint.scheme != 'https':
        return 'plain', str(endpoint)
    context = ssl.create_default_context(
        cafile=endpoint.ca_file or requests.certs.where())
    if endpoint.insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    with _socket(endpoint, timeout) as sock:
        try:
            with context.wrap_socket(sock,
                                     server_hostname=endpoint.host) as tls:
                version = tls.version()
        except ssl.SSLCertVerificationError as exc:
            raise _unreachable(endpoint, 'TLS verification failed (%s)'
                               % exc.verify_message)
        except socket.timeout:
            raise _unreachable(endpoint, 'no answer to the TLS handshake '
                               '(timed out)')
        except (ssl.SSLError, OSError) as exc:
            raise _unreachable(endpoint, 'TLS handshake failed (%s)'
                               % faults.summarize_error(exc))
    against = ('[vmware] ca_file %s' % endpoint.ca_file if endpoint.ca_file
               else "requests' CA bundle (no [vmware] ca_file)")
    if endpoint.insecure:
        return 'insecure', version
    return 'verified', '%s, against %s' % (version, against)


def vcenter_time(session):
    """vCenter's clock (``CurrentTime``), as an aware datetime."""
    moment = vcenter.invoke(session, 'CurrentTime', vim_util.get_moref(
        SERVICE_INSTANCE, SERVICE_INSTANCE))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment


def definitions(session, prefix):
    """The custom field definitions whose name starts with ``prefix``.

    :returns: ``{name: key}``
    """
    fields = vcenter.service_content(session).customFieldsManager
    ((_, props),) = vcenter.collect(
        session, [(fields, store_mod.CUSTOM_FIELDS_MANAGER, ['field'])])
    return {name: key for name, key in
            store_mod.field_keys(props.get('field')).items()
            if name.startswith(prefix)}


def remove_definition(session, key):
    """Remove a definition by key; one that is gone already is fine."""
    try:
        vcenter.invoke(session, 'RemoveCustomFieldDef',
                       vcenter.service_content(session).customFieldsManager,
                       key=key)
    except (vsphere_errors.NotFound, vsphere_errors.InvalidArgument):
        pass


@dataclasses.dataclass(frozen=True)
class FieldEvent:
    """One custom field event: its type, the definition's name and key."""

    kind: str
    name: str
    key: int


def field_events(session, kinds, since=None, entity=None):
    """The custom field events of ``kinds`` vCenter recorded.

    :param since: vCenter's time from which (an aware datetime)
    :param entity: only the events about this object (the cluster)
    :returns: ``[FieldEvent]``
    """
    factory = session.vim.client.factory
    spec = factory.create('ns0:EventFilterSpec')
    spec.eventTypeId = list(kinds)
    spec.maxCount = MAX_EVENTS
    if since is not None:
        spec.time = factory.create('ns0:EventFilterSpecByTime')
        spec.time.beginTime = since
    if entity is not None:
        spec.entity = factory.create('ns0:EventFilterSpecByEntity')
        spec.entity.entity = entity
        spec.entity.recursion = 'self'
    found = vcenter.invoke(
        session, 'QueryEvents',
        vcenter.service_content(session).eventManager, filter=spec)
    return [FieldEvent(type(event).__name__,
                       str(getattr(event, 'name', '') or ''),
                       getattr(event, 'fieldKey', None))
            for event in found or ()]

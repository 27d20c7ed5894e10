"""The one fault table: what vCenter and the path to it answer, as ours.

Everything a call to vCenter raises goes through ``translated``: a fault
vCenter answers with by its name, through one table (``_FAULTS``), a
failure to reach it (refused, reset, TLS, no complete answer within the
deadline of ``transport``, an answer that is no SOAP at all: no vCenter
there), and an answer this client cannot read (a type the reduced VIM
client lacks, ``wsdl.reduced``), each into an ``exceptions.VCenterError``;
nothing else imports oslo.vmware's exceptions.

A fault needs no type of the client's schemas: suds reads a SOAP fault
without them and oslo.vmware names it from the document, so a fault the
reduced client does not declare (any of vSphere's, or one a newer vCenter
invents) still reaches the table by name; one the table does not list is a
plain ``VCenterFault`` naming it.
"""

import contextlib
import re

from oslo_vmware import exceptions as vexc
import requests

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import privileges
from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors
from nova.virt.vmwareapi.ownership.vsphere.wsdl import reduced

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
# repeated once after a new login (vcenter._call); any other is a write:
# never repeated, unconfirmed without its answer. A new read call is added
# here.
READS = frozenset([
    'RetrieveServiceContent', 'Login', 'SessionIsActive',
    'RetrievePropertiesEx', 'ContinueRetrievePropertiesEx',
    'CancelRetrievePropertiesEx', 'CreateContainerView', 'DestroyView',
    'QueryEvents', 'CurrentTime', 'HasPrivilegeOnEntities',
    'FetchUserPrivilegeOnEntities'])

# oslo.vmware raises its own class for some faults instead of a
# VimFaultException carrying the name; map those back to the name.
_OSLO_CLASSES = {
    vexc.get_fault_class(name): name
    for name in list(_FAULTS) + [_NO_PERMISSION]
    if vexc.get_fault_class(name) is not None}

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


def _no_answer(operation, where, reason):
    """No answer: for a write, its outcome is unknown."""
    if operation in READS:
        return vsphere_errors.VCenterUnreachable(endpoint=where, reason=reason)
    return exceptions.WriteUnconfirmed(endpoint=where, operation=operation,
                                       reason=reason)


def _fault_name(error):
    if isinstance(error, vexc.VimFaultException) and error.fault_list:
        return error.fault_list[0]
    return _OSLO_CLASSES.get(type(error))


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
    except vexc.VimAttributeException:
        # suds failed on an answer that is no SOAP document (a web page,
        # an empty body): oslo.vmware says so with this class alone.
        raise vsphere_errors.VCenterUnreachable(
            endpoint=where, reason='the server there does not answer as '
            'vCenter does (its answer to %s is no SOAP document)'
            % operation)
    except vexc.VimException as exc:
        unknown = reduced.not_understood(exc)
        if unknown is not None:
            raise vsphere_errors.AnswerNotUnderstood(
                operation=operation, endpoint=where, unknown=unknown.what,
                path=unknown.where, api_version=reduced.api_version())
        name = _fault_name(exc)
        if name == _NO_PERMISSION:
            # vCenter names the privilege and the object it checked; an
            # older one may not: the privilege the call needs, then.
            details = getattr(exc, 'details', None) or {}
            known = privileges.BY_METHOD.get(operation)
            privilege = details.get('privilegeId') or (
                known.id if known else 'unknown')
            entity = details.get('object')
            raise exceptions.MissingPrivilege(
                privilege=str(privilege), operation=operation,
                username=username, entity=str(entity) if entity else None)
        if name == _INVALID_LOGIN:
            raise vsphere_errors.VCenterLoginFailed(endpoint=where,
                                                    username=username)
        kind = _FAULTS.get(name, exceptions.VCenterFault)
        raise kind(operation=operation, fault=name or type(exc).__name__,
                   detail=summarize_error(exc.cause or exc.msg or exc))

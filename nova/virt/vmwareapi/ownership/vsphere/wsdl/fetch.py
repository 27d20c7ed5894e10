"""Fetching vCenter's VIM WSDL documents within a time bound.

``oslo_vmware.service.RequestsTransport.open`` downloads the WSDL with no
timeout at all (its ``send`` has one), so a vCenter that accepts TCP
connections and never answers, or completes the TLS handshake and then
stays silent, hangs a command for many minutes before its bounded login
even starts. ``fetch_documents`` downloads ``vimService.wsdl`` and every
document it imports or includes (``vim.wsdl``, ``vim-messagetypes.xsd``,
``vim-types.xsd``, ...) with a connect and a read timeout on each request
and one deadline for all of them (a server that trickles bytes would
otherwise reset the read timeout forever). The caller gives suds the local
copies (``file://``), so nothing else reads the WSDL over the network.

TLS is verified as oslo.vmware verifies it: against ``ca_file`` when it is
set, else against the system's CAs unless ``insecure``.
"""

import contextlib
import re
import urllib.parse

from oslo_vmware import service
import requests

from nova.virt.vmwareapi.ownership import clock as clock_mod

ROOT_DOCUMENT = 'vimService.wsdl'
MAX_DOCUMENTS = 64
MAX_BYTES = 64 * 1024 * 1024
DEADLINE_FACTOR = 3
"""The whole download may take this many times the per-request timeout."""

_REFERENCE = re.compile(
    rb'<(?:[\w.-]+:)?(?:import|include|redefine)\b[^>]*?'
    rb'\b(?:schemaLocation|location)\s*=\s*["\']([^"\']+)["\']')
_SAFE_NAME = re.compile(r'\w[\w.-]*(/\w[\w.-]*)*', re.ASCII)


class WsdlFetchError(requests.exceptions.RequestException):
    """The WSDL documents could not be fetched or are not a WSDL."""


class WsdlFetchTimeout(WsdlFetchError, requests.exceptions.Timeout):
    """Fetching the WSDL documents took longer than their deadline."""


def soap_url(endpoint):
    """``https://host:port/sdk``, built as oslo.vmware builds it."""
    return service.Service.build_base_url(endpoint.scheme, endpoint.host,
                                          endpoint.port) + '/sdk'


def tls_verify(endpoint):
    """The ``verify`` of requests, by oslo.vmware's rule: CA file first."""
    return endpoint.ca_file if endpoint.ca_file else not endpoint.insecure


def fetch_documents(root_url, verify, timeout, session=None,
                    clock=clock_mod.SYSTEM):
    """Download a WSDL and every document it imports or includes.

    :param root_url: URL of the WSDL, e.g. ``https://vc/sdk/vimService.wsdl``
    :param verify: ``verify`` for requests (CA file, True or False)
    :param timeout: seconds for each connection and each read; all of it
                    must finish within ``DEADLINE_FACTOR * timeout``
    :param session: a ``requests.Session`` (a new one by default)
    :param clock: a ``clock.Clock``
    :returns: dict of name (relative to the root's folder) to bytes, the
              root document first
    :raises: requests' ``RequestException``; ``WsdlFetchTimeout``;
             ``WsdlFetchError`` for too many or too large documents, a
             reference outside the root's folder, or a root that is no WSDL
    """
    deadline = clock.now() + DEADLINE_FACTOR * timeout
    with contextlib.ExitStack() as stack:
        http = session or stack.enter_context(requests.Session())
        return _fetch(http, root_url, verify, timeout, deadline, clock)


def _fetch(http, root_url, verify, timeout, deadline, clock):
    base = root_url.rsplit('/', 1)[0] + '/'
    documents, pending, total = {}, [root_url.rsplit('/', 1)[1]], 0
    while pending:
        name = pending.pop(0)
        if name in documents:
            continue
        if len(documents) == MAX_DOCUMENTS:
            raise WsdlFetchError('%s imports more than %d documents'
                                 % (root_url, MAX_DOCUMENTS))
        url = base + name
        remaining = min(timeout, deadline - clock.now())
        if remaining <= 0:
            raise _overdue(base, timeout)
        reply = http.get(url, verify=verify, stream=True,
                         timeout=(remaining, remaining))
        with contextlib.closing(reply):
            reply.raise_for_status()
            chunks = []
            for chunk in reply.iter_content(1 << 16):
                chunks.append(chunk)
                total += len(chunk)
                if total > MAX_BYTES:
                    raise WsdlFetchError('the WSDL documents at %s exceed '
                                         '%d bytes' % (base, MAX_BYTES))
                if clock.now() > deadline:
                    raise _overdue(base, timeout)
        documents[name] = b''.join(chunks)
        if len(documents) == 1 and b'definitions' not in documents[name]:
            raise WsdlFetchError('%s is not a WSDL document (%s)' % (
                url, reply.headers.get('Content-Type', 'no content type')))
        for ref in _REFERENCE.findall(documents[name]):
            pending.append(_local_name(base, url, ref.decode('utf-8',
                                                             'replace')))
    return documents


def _overdue(base, timeout):
    return WsdlFetchTimeout('the WSDL download from %s did not finish '
                            'within %d s' % (base, DEADLINE_FACTOR * timeout))


def _local_name(base, referrer, reference):
    """The name of a referenced document relative to ``base``."""
    absolute = urllib.parse.urljoin(referrer, reference)
    name = absolute[len(base):] if absolute.startswith(base) else None
    if not name or not _SAFE_NAME.fullmatch(name):
        raise WsdlFetchError('%s refers to %s, outside %s' % (
            referrer, reference, base))
    return name

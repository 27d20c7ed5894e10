"""vCenter's whole VIM client for the tests, kept on disk between runs.

What needs the simulator's whole VIM WSDL (nova's own driver in the nova
tier, and the tests that call methods outside the package's reduced list:
``simulator.VCenterSimulator.full_session``) gets its client from here:
built and pickled once per WSDL (``vim_pickle``), then each caller gets a
client object of its own, unpickled (about 0.3 s instead of 2.4 to 22 s of
parsing; one suds client shared between threads or sessions is unsafe:
suds keeps per-reply state and SOAP headers on it).

The key: SHA-256 of every document's name and bytes, and the Python, suds
and oslo.vmware versions the pickle depends on. Every use downloads the
documents from the simulator (a few tens of milliseconds on loopback), so
a changed simulator build never gets an old client. Files are written
under a temporary name and renamed into place (concurrent test workers
never read a partial file); a corrupt entry is rebuilt.

Where: ``directory()``, under the user's cache (``$XDG_CACHE_HOME`` or
``~/.cache``) like the simulator's build; removing it is always safe.
"""

import contextlib
import hashlib
import importlib.metadata
import os
import re
import sys
import tempfile
import urllib.parse

from oslo_vmware import service
import requests
import suds

from nova.virt.vmwareapi.ownership.vsphere import faults
from nova.virt.vmwareapi.ownership.vsphere import session as session_mod
from support import vim_pickle

_FORMAT = 2
_MAGIC = b'nova-vmware-owner vim client %d\n' % _FORMAT
_PICKLE = 'client.pickle'
_MAX_DOCUMENTS = 64
_REFERENCE = re.compile(
    rb'<(?:[\w.-]+:)?(?:import|include)\b[^>]*?'
    rb'\b(?:schemaLocation|location)\s*=\s*["\']([^"\']+)["\']')


def directory(environ=None):
    """The cache folder (the user's, as the simulator's build cache)."""
    environ = os.environ if environ is None else environ
    base = environ.get('XDG_CACHE_HOME', '')
    if not os.path.isabs(base):  # the XDG spec says to ignore relative ones
        base = os.path.join(os.path.expanduser('~'), '.cache')
    return os.path.join(base, 'nova-vmware-owner', 'vim-client')


def documents(wsdl_url, verify, timeout=30):
    """Download a WSDL and every document it imports or includes.

    :returns: dict of name (relative to the WSDL's folder) to bytes
    """
    base = wsdl_url.rsplit('/', 1)[0] + '/'
    found, pending = {}, [wsdl_url[len(base):]]
    with requests.Session() as http:
        while pending:
            name = pending.pop(0)
            if name in found:
                continue
            assert len(found) < _MAX_DOCUMENTS, wsdl_url
            reply = http.get(base + name, verify=verify, timeout=timeout)
            reply.raise_for_status()
            found[name] = reply.content
            for ref in _REFERENCE.findall(reply.content):
                absolute = urllib.parse.urljoin(base + name, ref.decode())
                assert absolute.startswith(base), absolute
                pending.append(absolute[len(base):])
    return found


def cache_key(found):
    """The entry's name: a digest of the documents and of what the pickle
    depends on (format, Python, suds and oslo.vmware versions).
    """
    digest = hashlib.sha256(repr((
        _FORMAT, sys.implementation.cache_tag, suds.__version__,
        importlib.metadata.version('oslo.vmware'))).encode())
    for name, content in sorted(found.items()):
        digest.update(b'%d:%s:%d:' % (len(name), name.encode(), len(content)))
        digest.update(content)
    return digest.hexdigest()[:40]


class VimCache:
    """Makes whole ``Vim`` clients of a served WSDL, from pickles.

    :param folder: the cache folder (default: ``directory()``)
    :ivar last_source: how the last client came to be: ``hit`` or
                       ``built``
    """

    def __init__(self, folder=None):
        self.folder = folder or directory()
        self.last_source = None

    def vim(self, protocol, host, port, cacert=None, insecure=True,
            pool_maxsize=10, connection_timeout=None,
            op_id_prefix='oslo.vmware'):
        """A new ``oslo_vmware.vim.Vim`` of the server's whole WSDL.

        Arguments as ``oslo_vmware.vim.Vim``'s (the WSDL is the server's
        ``/sdk/vimService.wsdl``); not logged in.
        """
        soap_url = service.Service.build_base_url(protocol, host,
                                                  port) + '/sdk'
        found = documents(soap_url + '/vimService.wsdl',
                          cacert if cacert else not insecure)
        entry = os.path.join(self.folder, cache_key(found))
        os.makedirs(entry, mode=0o700, exist_ok=True)
        url = _write_documents(entry, found)
        args = dict(protocol=protocol, host=host, port=port, cacert=cacert,
                    insecure=insecure, pool_maxsize=pool_maxsize,
                    connection_timeout=connection_timeout,
                    op_id_prefix=op_id_prefix)
        payload = _load(entry)
        made = payload is not None and vim_pickle.loads(payload, url, **args)
        if made:
            self.last_source = 'hit'
            return made
        built = vim_pickle.build(url, **args)
        _store(entry, vim_pickle.dumps(built))
        self.last_source = 'built'
        return built


class FullSession(session_mod.Session):
    """The package's session on the simulator's whole VIM WSDL.

    For the tests that call what the package never calls (the simulator's
    own tests, reading VMs or sessions, ending a session): the package's
    sessions carry the methods of its list alone. Still bounded as the
    package's: same login, same transport; no type check (the whole
    schema knows every type).
    """

    def make_vim(self):
        endpoint = self.endpoint
        vim = VimCache().vim(
            protocol=endpoint.scheme, host=endpoint.host, port=endpoint.port,
            cacert=endpoint.ca_file, insecure=endpoint.insecure)
        self.bound(vim)
        return vim


def connect_full(endpoint, timeout):
    """A logged-in ``FullSession`` (``vcenter.connect``'s bounds)."""
    session = FullSession(endpoint, timeout)
    with faults.translated('Login', endpoint, endpoint.username):
        session.log_in()
    return session


def _write_documents(entry, found):
    """The documents in ``entry`` (once); the root's ``file://`` URL."""
    for name, content in found.items():
        path = os.path.join(entry, name)
        if not os.path.exists(path):
            os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
            _write(path, content)
    return 'file://' + os.path.join(os.path.abspath(entry),
                                    'vimService.wsdl')


def _store(entry, payload):
    _write(os.path.join(entry, _PICKLE),
           _MAGIC + hashlib.sha256(payload).digest() + payload)


def _load(entry):
    """The entry's payload, or None when absent or corrupt."""
    try:
        with open(os.path.join(entry, _PICKLE), 'rb') as f:
            data = f.read()
    except OSError:
        return None
    head = len(_MAGIC) + 32
    payload = memoryview(data)[head:]
    if (not data.startswith(_MAGIC) or
            data[len(_MAGIC):head] != hashlib.sha256(payload).digest()):
        return None
    return payload


def _write(path, data):
    """Write ``data`` to ``path`` atomically (temporary file, rename)."""
    fd, temporary = tempfile.mkstemp(dir=os.path.dirname(path),
                                     prefix='.tmp-')
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise

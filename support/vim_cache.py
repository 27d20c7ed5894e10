"""vCenter's VIM client, kept on disk between runs of the command.

``fetch`` downloads the WSDL documents within bounds, ``client`` builds
oslo.vmware's client from them and pickles it; this module decides
where the pickle lives and when it may be used, so that a run of
``nova-vmware-owner`` unpickles the client (0.3 s) instead of building it
(5 s before, 1.1 s with the garbage collector paused).

The key: SHA-256 of every document's name and bytes, the format, and the
Python, suds and oslo.vmware versions the pickle depends on. Every run
still downloads the documents, within bounds (about 50 ms on loopback), and
hashes them: a vCenter upgrade changes ``vim.wsdl`` and the schemas while
``vimService.wsdl`` stays the same, so only the content proves a client
right, and a client is never used for a WSDL other than the one it was
built from, whichever vCenter served it. Entries unused for ``MAX_AGE``
are removed when a new one is written.

Where: ``$NOVA_VMWARE_OWNER_WSDL_CACHE`` (empty: no cache), else
``$XDG_CACHE_HOME/nova-vmware-owner/wsdl``, else
``~/.cache/nova-vmware-owner/wsdl`` (``/var/lib/nova/.cache/...`` for user
``nova``). Folders are made 0700 and used only when they are real folders
owned by this user; a pickle is read only from a regular file of this
user's that no one else may write, and only once its SHA-256 matched: never
a pickle from anywhere. Files are written under a temporary name and
renamed into place, so concurrent runs never read a partial file; a corrupt
entry is rebuilt. A cache that is missing and cannot be made, read-only or
not ours is not used: the client is built in a temporary folder, slowly.

``open_session`` hands the client to an oslo.vmware session and logs in;
it relies on ``VMwareAPISession.vim`` returning ``_vim`` once set and on
``_create_session`` being the login its ``__init__`` runs (both pinned by
``test_wsdl_cache``; without the first, the session builds its own client
from the local documents: slow, still bounded).
"""

import contextlib
import hashlib
import importlib.metadata
import logging
import os
import re
import shutil
import stat
import sys
import tempfile
import time

import suds

from nova.virt.vmwareapi.ownership.vsphere.wsdl import client as wsdl_client
from nova.virt.vmwareapi.ownership.vsphere.wsdl import fetch as wsdl_fetch

LOG = logging.getLogger(__name__)

CACHE_DIR_VARIABLE = 'NOVA_VMWARE_OWNER_WSDL_CACHE'
MAX_AGE = 30 * 24 * 3600
"""Seconds after which an entry not used is removed."""

HIT, BUILT, UNCACHED = 'hit', 'built', 'uncached'
_FORMAT = 1
_MAGIC = b'nova-vmware-owner wsdl %d\n' % _FORMAT
_PICKLE = 'client.pickle'
_KEY = re.compile('[0-9a-f]{40}')


def default_directory(environ=None):
    """The cache directory: see the module docstring. None: no cache."""
    environ = os.environ if environ is None else environ
    if CACHE_DIR_VARIABLE in environ:
        return environ[CACHE_DIR_VARIABLE] or None
    base = environ.get('XDG_CACHE_HOME', '')
    if not os.path.isabs(base):  # the XDG spec says to ignore relative ones
        base = os.path.join(os.path.expanduser('~'), '.cache')
    return os.path.join(base, 'nova-vmware-owner', 'wsdl')


def cache_key(documents):
    """The entry name: a digest of the documents and of what the pickle
    depends on (format, Python, suds and oslo.vmware versions).
    """
    digest = hashlib.sha256(repr((_FORMAT, sys.implementation.cache_tag,
                                  suds.__version__,
                                  _version('oslo.vmware'))).encode())
    for name, content in documents.items():
        digest.update(b'%d:%s:%d:' % (len(name), name.encode(), len(content)))
        digest.update(content)
    return digest.hexdigest()[:40]


def _version(distribution):
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return 'unknown'


class WsdlCache:
    """Makes bounded ``Vim`` objects, from the cache where it can.

    :param directory: the cache directory, None for no cache
    :ivar last_source: how the last ``vim`` came to be: ``HIT``,
                       ``BUILT`` (and cached) or ``UNCACHED``
    """

    def __init__(self, directory):
        self.directory = directory
        self.last_source = None
        self._scratch = None

    @classmethod
    def default(cls):
        return cls(default_directory())

    def vim(self, endpoint, timeout, pool_size=10,
            op_id_prefix='oslo.vmware'):
        """An ``oslo_vmware.vim.Vim`` for ``endpoint``, not logged in.

        :param endpoint: has ``scheme``, ``host``, ``port``, ``ca_file``,
                         ``insecure``
        :param timeout: seconds for each request (see
                        ``wsdl_fetch.fetch_documents``)
        :raises: what ``wsdl_fetch.fetch_documents`` raises
        """
        url = wsdl_fetch.soap_url(endpoint)
        documents = wsdl_fetch.fetch_documents(
            url + '/' + wsdl_fetch.ROOT_DOCUMENT,
            wsdl_fetch.tls_verify(endpoint), timeout)
        args = dict(protocol=endpoint.scheme, host=endpoint.host,
                    port=endpoint.port, cacert=endpoint.ca_file,
                    insecure=endpoint.insecure, pool_maxsize=pool_size,
                    connection_timeout=timeout, op_id_prefix=op_id_prefix)
        entry = self._entry(cache_key(documents))
        if entry:
            payload = self._load(entry)
            made = payload is not None and wsdl_client.loads(
                payload, _file_url(entry), **args)
            if made:
                self.last_source = HIT
                return made
            try:
                built = self._build(entry, documents, args)
            except OSError as e:
                LOG.debug('WSDL cache %s not writable (%s)', entry, e)
            else:
                self.last_source = UNCACHED
                with contextlib.suppress(OSError):
                    self._store(entry, wsdl_client.dumps(built))
                    self.last_source = BUILT
                    self._prune()
                return built
        if self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(prefix='nvo-wsdl-')
        self.last_source = UNCACHED
        return self._build(self._scratch.name, documents, args)

    def _entry(self, key):
        """The entry's folder (made if missing), or None if unusable."""
        if not self.directory:
            return None
        try:
            for path in (self.directory, os.path.join(self.directory, key)):
                os.makedirs(path, mode=0o700, exist_ok=True)
                found = os.lstat(path)
                if (not stat.S_ISDIR(found.st_mode) or
                        found.st_uid != os.geteuid()):
                    LOG.debug('WSDL cache %s is not our folder', path)
                    return None
                if found.st_mode & 0o077:
                    os.chmod(path, 0o700)
            return path
        except OSError as e:
            LOG.debug('no WSDL cache in %s (%s)', self.directory, e)
            return None

    @staticmethod
    def _build(folder, documents, args):
        for name, content in documents.items():
            os.makedirs(os.path.dirname(os.path.join(folder, name)),
                        mode=0o700, exist_ok=True)
            _write(os.path.join(folder, name), content)
        return wsdl_client.build(_file_url(folder), **args)

    @staticmethod
    def _store(entry, payload):
        _write(os.path.join(entry, _PICKLE),
               _MAGIC + hashlib.sha256(payload).digest() + payload)

    @staticmethod
    def _load(entry):
        """The entry's payload, or None when absent, unsafe or corrupt."""
        path = os.path.join(entry, _PICKLE)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return None
        with os.fdopen(fd, 'rb') as f:
            found = os.fstat(fd)
            if (not stat.S_ISREG(found.st_mode) or
                    found.st_uid != os.geteuid() or found.st_mode & 0o022):
                LOG.debug('WSDL cache %s is not ours alone: ignored', path)
                return None
            data = f.read()
        head = len(_MAGIC) + 32
        payload = memoryview(data)[head:]
        if (not data.startswith(_MAGIC) or
                data[len(_MAGIC):head] != hashlib.sha256(payload).digest()):
            LOG.debug('WSDL cache %s is corrupt: rebuilding', path)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # last used, for _prune
        return payload

    def _prune(self):
        """Remove entries unused for ``MAX_AGE``, and files left behind by
        writers that were killed (an hour old).
        """
        now = time.time()
        for name in os.listdir(self.directory):
            entry = os.path.join(self.directory, name)
            if not _KEY.fullmatch(name):
                continue
            with contextlib.suppress(OSError):
                used = max(os.stat(p).st_mtime for p in (
                    entry, os.path.join(entry, _PICKLE)) if os.path.exists(p))
                if now - used > MAX_AGE:
                    shutil.rmtree(entry, ignore_errors=True)
                    continue
                for name in os.listdir(entry):
                    left = os.path.join(entry, name)
                    if (name.startswith('.tmp-') and
                            now - os.stat(left).st_mtime > 3600):
                        os.unlink(left)


def _file_url(folder):
    return 'file://' + os.path.join(os.path.abspath(folder),
                                    wsdl_fetch.ROOT_DOCUMENT)


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


def open_session(new_session, endpoint, timeout, cache=None):
    """A logged-in session whose WSDL was fetched within bounds.

    :param new_session: called as ``new_session(wsdl_loc=...,
                        create_session=False)``, returns an
                        ``oslo_vmware.api.VMwareAPISession`` (or subclass)
                        for ``endpoint`` with ``connection_timeout``
                        ``timeout`` and the default pool size and operation
                        id prefix, not logged in
    :param endpoint: has ``scheme``, ``host``, ``port``, ``ca_file``,
                     ``insecure``
    :param timeout: seconds for each request, WSDL documents included
    :param cache: a ``WsdlCache`` (default: ``WsdlCache.default()``)
    :returns: the session, logged in (its ``_create_session``)
    :raises: what ``WsdlCache.vim``, ``new_session`` and the login raise
    """
    cache = cache or WsdlCache.default()
    vim = cache.vim(endpoint, timeout)
    session = new_session(wsdl_loc=vim.wsdl_url, create_session=False)
    if vars(session).get('_vim', False) is None:
        session._vim = vim
    else:  # oslo.vmware changed: it builds its own Vim from wsdl_loc
        LOG.warning('Cannot hand the WSDL client to %s: it builds its own',
                    type(session).__name__)
    session._create_session()
    return session

"""vCenter's VIM client, built once from its WSDL and kept on disk.

Building oslo.vmware's suds client from the 2.7 MB VIM WSDL took about 5 s
of a 6 s ``nova-vmware-owner show`` (imports 0.7 s, login and calls 0.1 s):
parsing the XML about 2 s, building the schema 1.5 s, ``ServiceDefinition``
0.4 s, most of it the cyclic garbage collector walking the ~600,000 objects
being made. So: the collector is paused while the client is built or
loaded, and the built client (its ``Definitions`` and ``ServiceDefinition``
list, whose side effect registers the ``ns0``... prefixes) is pickled, so
that a later run only unpickles it (0.35 s). suds' own ``ObjectCache``
(``cachingpolicy=1``) keeps only the ``Definitions``, oslo.vmware builds
its client with the default policy, and ``Client.__init__`` rebuilds the
``ServiceDefinition`` every time; hence our ``_CachedClient``.

The key: SHA-256 of every document's name and bytes (``wsdl_fetch``), the
format, and the Python, suds and oslo.vmware versions the pickle depends
on. Every run still downloads the documents, within bounds (about 50 ms on
loopback), and hashes them: a vCenter upgrade changes ``vim.wsdl`` and the
schemas while ``vimService.wsdl`` stays the same, so only the content
proves a client right, and a client is never used for a WSDL other than the
one it was built from, whichever vCenter served it. Entries unused for
``MAX_AGE`` are removed when a new one is written.

Where: ``$NOVA_VMWARE_OWNER_WSDL_CACHE`` (empty: no cache), else
``$XDG_CACHE_HOME/nova-vmware-owner/wsdl``, else
``~/.cache/nova-vmware-owner/wsdl`` (``/var/lib/nova/.cache/...`` for user
``nova``). Folders are made 0700 and
used only when they are real folders owned by this user; a pickle is read
only from a regular file of this user's that no one else may write, and
only once its SHA-256 matched. Files are written under a temporary name and
renamed into place, so concurrent runs never read a partial file; a corrupt
entry is rebuilt. A cache that is missing and cannot be made, read-only or
not ours is not used: the client is built in a temporary folder, slowly.

Private details relied on, each pinned by ``test_wsdl_cache`` and checked
at run time, falling back to oslo.vmware's own (slow) build when they
change: ``Definitions.__getstate__`` leaves the options (transport) out of
the pickle; ``suds.client.Client.__init__`` and ``oslo_vmware.service
.Service.__init__`` set the attributes ``_CachedClient`` and ``_CachedVim``
set (the names a real client and Vim had are stored with each entry and
compared); ``VMwareAPISession.vim`` returns ``_vim`` once set, and
``_create_session`` is the login its ``__init__`` runs.
"""

import contextlib
import gc
import hashlib
import importlib.metadata
import io
import logging
import os
import pickle
import re
import shutil
import stat
import sys
import tempfile
import time

from oslo_vmware import service
from oslo_vmware import vim as vim_mod
import suds
import suds.cache
import suds.client
import suds.options
import suds.plugin
import suds.sax.text

from nova.virt.vmwareapi.ownership import wsdl_fetch

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


@contextlib.contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while the client is made.

    Building or unpickling it makes ~600,000 objects that all live on:
    collecting while they are made tripled the time, and the first
    collection after would still walk them all (0.4 s). ``freeze`` then
    ``unfreeze`` moves them to the oldest generation in one step, where only
    a full collection looks at them, as it would at any old object.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if enabled:
            gc.enable()


def _text(cls, value, lang, escaped):
    """Unpickle a ``suds.sax.text.Text``: one call instead of three (its
    ``__new__`` and ``__setstate__``), 73,000 times: a third of the load.
    """
    text = str.__new__(cls, value)
    text.lang = lang
    text.escaped = escaped
    return text


class _Pickler(pickle.Pickler):
    """Pickles ``Text`` for ``_text`` while it has the slots we know."""

    _TEXTS = ((suds.sax.text.Text, suds.sax.text.Raw)
              if suds.sax.text.Text.__slots__ == ('lang', 'escaped') else ())

    def reducer_override(self, obj):
        if type(obj) in self._TEXTS:
            return _text, (type(obj), str(obj), obj.lang, obj.escaped)
        return NotImplemented


def _dumps(value):
    out = io.BytesIO()
    _Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return out.getbuffer()


class _CachedClient(service.CompatibilitySudsClient):
    """oslo.vmware's suds client, from a cached WSDL instead of parsing it.

    Does what ``suds.client.Client.__init__`` does after it has read the
    ``Definitions``, except building ``ServiceDefinition``: those are cached
    too, their prefixes already pushed into the WSDL's root.
    """

    def __init__(self, wsdl, service_definitions, **options):
        self.options = suds.options.Options()
        self.set_options(**options)
        wsdl.options = self.options
        for imported in wsdl.imports:
            imported.imported.options = self.options
        suds.plugin.PluginContainer(self.options.plugins).init.initialized(
            wsdl=wsdl)
        self.wsdl = wsdl
        self.factory = suds.client.Factory(wsdl)
        self.service = suds.client.ServiceSelector(self, wsdl.services)
        self.sd = service_definitions
        self.messages = dict(tx=None, rx=None)


class _CachedVim(vim_mod.Vim):
    """``oslo_vmware.vim.Vim`` around a client made by ``_CachedClient``:
    sets what ``oslo_vmware.service.Service.__init__`` sets.
    """

    def __init__(self, client, soap_url, wsdl_url, op_id_prefix):
        self.wsdl_url = wsdl_url
        self.soap_url = soap_url
        self.op_id_prefix = op_id_prefix
        self.client = client
        self._service_content = None
        self._vc_session_cookie = None


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
            cached = self._load(entry)
            made = cached and self._from_cache(cached, url, entry, args)
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
                    self._store(entry, built)
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
        with _gc_paused():
            return vim_mod.Vim(wsdl_url=_file_url(folder), **args)

    @staticmethod
    def _store(entry, built):
        client = built.client
        with _gc_paused():
            payload = _dumps(dict(wsdl=client.wsdl, sd=client.sd,
                                  client_attributes=sorted(vars(client)),
                                  vim_attributes=sorted(vars(built))))
        _write(os.path.join(entry, _PICKLE),
               _MAGIC + hashlib.sha256(payload).digest() + payload)

    @staticmethod
    def _load(entry):
        """The unpickled entry, or None when absent, unsafe or corrupt."""
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
        head, checksum = len(_MAGIC), data[len(_MAGIC):len(_MAGIC) + 32]
        payload = memoryview(data)[head + 32:]
        if (not data.startswith(_MAGIC) or
                checksum != hashlib.sha256(payload).digest()):
            LOG.debug('WSDL cache %s is corrupt: rebuilding', path)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # last used, for _prune
        try:
            with _gc_paused():
                return pickle.loads(payload)  # nosec B301: ours, checksummed
        except (pickle.UnpicklingError, EOFError, AttributeError,
                ImportError, IndexError, TypeError, ValueError) as e:
            # Checksummed, so written by us, but by other code: rebuild.
            LOG.debug('WSDL cache %s unreadable (%s): rebuilding', path, e)
            return None

    @staticmethod
    def _from_cache(cached, url, entry, args):
        """A ``_CachedVim``; None if suds or oslo.vmware changed shape."""
        try:
            client = _CachedClient(
                cached['wsdl'], cached['sd'], location=url,
                transport=service.RequestsTransport(
                    cacert=args['cacert'], insecure=args['insecure'],
                    pool_maxsize=args['pool_maxsize'],
                    connection_timeout=args['connection_timeout']),
                plugins=[service.ServiceMessagePlugin()],
                cache=suds.cache.NoCache())
            made = _CachedVim(client, url, _file_url(entry),
                              args['op_id_prefix'])
        except (AttributeError, KeyError, TypeError) as e:
            LOG.warning('Cannot use the cached WSDL client (%s): building '
                        'it the slow way', e)
            return None
        if (sorted(vars(client)) != cached['client_attributes'] or
                sorted(vars(made)) != cached['vim_attributes']):
            LOG.warning('suds or oslo.vmware changed the shape of their '
                        'client: building it the slow way')
            return None
        return made

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

"""vCenter's whole VIM client, built once, pickled, brought back fast.

The tests' way around parsing vCenter's 2.7 MB VIM WSDL again and again
(``vim_cache`` keeps the pickles). Building oslo.vmware's suds client from
it takes 2.4 s on an idle machine, 8 to 22 s in the nova tier, where
several nova-computes start in one busy process: parsing the XML, building
the schema, ``ServiceDefinition``, much of it the cyclic garbage collector
walking the ~600,000 objects being made. So the collector is paused while
a client is built or loaded (``build``), and ``dumps`` pickles what the
build made (the ``Definitions`` and the ``ServiceDefinition`` list, whose
side effect registered the ``ns0``... prefixes in the WSDL), so that
``loads`` gives back a working client, a new object each time, in about
0.3 s. suds' own ``ObjectCache`` (``cachingpolicy=1``) keeps only the
``Definitions``, oslo.vmware builds its client with the default policy,
and ``suds.client.Client.__init__`` rebuilds the ``ServiceDefinition``
every time: hence ``_CachedClient``.

Private details relied on; a change makes ``loads`` return None (the
caller builds the slow way) rather than a wrong client:

- ``Definitions.__getstate__`` leaves out the options, so the pickle holds
  no transport (CA file, cookies);
- ``suds.client.Client.__init__`` and ``oslo_vmware.service.Service
  .__init__`` set the attributes ``_CachedClient`` and ``_CachedVim`` set:
  the names a real client and Vim had are pickled with them and compared;
- ``suds.sax.text.Text`` has the slots ``lang`` and ``escaped`` (else its
  73,000 instances are pickled as suds pickles them: 0.1 s slower).

The package itself never needs this: its sessions use the reduced WSDL
shipped with it (``vsphere/wsdl/reduced``), which suds parses in tens of
milliseconds.
"""

import contextlib
import gc
import io
import logging
import pickle

from oslo_vmware import service
from oslo_vmware import vim as vim_mod
import suds.cache
import suds.client
import suds.options
import suds.plugin
import suds.sax.text

LOG = logging.getLogger(__name__)


@contextlib.contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while a client is made.

    Collecting while ~600,000 lasting objects are made tripled the time,
    and the first collection after would still walk them all (0.4 s).
    ``freeze`` then ``unfreeze`` moves them to the oldest generation in one
    step, where only a full collection looks at them, as at any old object.
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


def build(wsdl_url, **vim_args):
    """oslo.vmware's own ``Vim``, built from ``wsdl_url`` (slow).

    :param vim_args: the other ``oslo_vmware.vim.Vim`` arguments
    """
    with gc_paused():
        return vim_mod.Vim(wsdl_url=wsdl_url, **vim_args)


def dumps(vim):
    """The pickle of a ``Vim`` made by ``build``, for ``loads``."""
    client, out = vim.client, io.BytesIO()
    with gc_paused():
        _Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(dict(
            wsdl=client.wsdl, sd=client.sd,
            client_attributes=sorted(vars(client)),
            vim_attributes=sorted(vars(vim))))
    return out.getbuffer()


def loads(payload, wsdl_url, protocol, host, port, cacert, insecure,
          pool_maxsize, connection_timeout, op_id_prefix):
    """A ``Vim`` from ``dumps``' pickle, as ``build`` would make it.

    :param payload: what ``dumps`` returned (trusted: unpickled)
    :returns: the ``Vim``, or None when ``payload`` was pickled by other
              code or suds or oslo.vmware changed the shape of their client
    """
    try:
        with gc_paused():
            parts = pickle.loads(payload)  # nosec B301: see the docstring
        soap_url = service.Service.build_base_url(protocol, host,
                                                  port) + '/sdk'
        client = _CachedClient(
            parts['wsdl'], parts['sd'], location=soap_url,
            transport=service.RequestsTransport(
                cacert=cacert, insecure=insecure, pool_maxsize=pool_maxsize,
                connection_timeout=connection_timeout),
            plugins=[service.ServiceMessagePlugin()],
            cache=suds.cache.NoCache())
        vim = _CachedVim(client, soap_url, wsdl_url, op_id_prefix)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError,
            IndexError, KeyError, TypeError, ValueError) as e:
        LOG.warning('Cannot use the cached VIM client (%s): building it '
                    'the slow way', e)
        return None
    if (sorted(vars(client)) != parts['client_attributes'] or
            sorted(vars(vim)) != parts['vim_attributes']):
        LOG.warning('suds or oslo.vmware changed the shape of their client: '
                    'building it the slow way')
        return None
    return vim


def _text(cls, value, lang, escaped):
    """Unpickle a ``Text``: one call instead of three (its ``__new__``,
    ``__valid`` and ``__setstate__``), 73,000 times: a third of the load.
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


class _CachedClient(service.CompatibilitySudsClient):
    """oslo.vmware's suds client from a pickled WSDL: what
    ``suds.client.Client.__init__`` does once it has the ``Definitions``,
    with the ``ServiceDefinition`` list pickled too.
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
    """``oslo_vmware.vim.Vim`` around a ``_CachedClient``: what
    ``oslo_vmware.service.Service.__init__`` sets, the client given.
    """

    def __init__(self, client, soap_url, wsdl_url, op_id_prefix):
        self.wsdl_url = wsdl_url
        self.soap_url = soap_url
        self.op_id_prefix = op_id_prefix
        self.client = client
        self._service_content = None
        self._vc_session_cookie = None

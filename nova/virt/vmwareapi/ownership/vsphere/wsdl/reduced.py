"""The reduced VIM client: oslo.vmware's, on the WSDL shipped beside this.

``reduced/`` holds a VIM WSDL of the methods nova-vmware-owner calls and
of the types their requests and answers hold, generated from oslo.vmware's
schemas by ``tools/wsdl/gen_reduced.py`` (its docstring says which types,
``tools/wsdl/reduced_api.py`` lists the methods). suds builds a client of
it in tens of milliseconds, where vCenter's whole WSDL takes seconds, and
it needs nothing from vCenter: every session of ``vsphere.session`` is
built on ``WSDL_URL``.

Its requests name the API version of its schemas (``api_version()``, the
SOAPAction), and vCenter answers in that version: it sends no type newer
than it. A type the reduced schemas lack (one left out of the reduced
set) would not fail in suds: an unknown ``xsi:type`` is read as the type
declared at that place (a ``CustomFieldValue`` without its value; a
fault of class ``Text``), or, where ``xsd:anyType`` is declared (every
property value), as untyped attributes (an array as one object). So
``check_types`` puts a ``TypeCheck`` on the client: it looks at each
answer before suds reads it and refuses one that names a type the schemas
do not define, with ``NotUnderstood`` (which ``vsphere.faults`` turns
into ``AnswerNotUnderstood``, naming the call and the vCenter). SOAP
faults are left alone: suds reads them without the schemas, and
oslo.vmware takes the fault's name from the document, so every fault
reaches the fault table by name.
"""

import os
import re
import urllib.parse
import urllib.request

import suds
from suds.bindings import binding
from suds import plugin
from suds.sax import Namespace
from suds.xsd import query

FOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'reduced')
"""The reduced WSDL's documents."""

WSDL_URL = urllib.parse.urljoin(
    'file:', urllib.request.pathname2url(os.path.join(FOLDER,
                                                      'vimService.wsdl')))
"""``file://.../vimService.wsdl``: the ``wsdl_loc`` of a session."""

_SOAP_ACTION = re.compile(r'soapAction="urn:vim25/([^"]+)"')


def api_version():
    """The vSphere API version the client names (``6.5``)."""
    with open(os.path.join(FOLDER, 'vim.wsdl'), encoding='utf-8') as f:
        return _SOAP_ACTION.search(f.read()).group(1)


class NotUnderstood(Exception):
    """An answer names a type, or holds an element, the client lacks.

    :ivar what: ``type X`` or ``element X``
    :ivar where: the path of the element in the answer, if known
    """

    def __init__(self, what, where=None):
        self.what = what
        self.where = where
        super().__init__('the answer holds %s%s, which the reduced VIM '
                         'client does not know' % (
                             what, ' (at %s)' % where if where else ''))


def not_understood(error):
    """The ``NotUnderstood`` an oslo.vmware error stands for.

    oslo.vmware wraps what a call raises in a ``VimException`` whose
    ``cause`` is the original: this check's refusal, or suds'
    ``TypeNotFound`` for an element that the type there does not have.

    :returns: a ``NotUnderstood``, or None for any other error
    """
    cause = getattr(error, 'cause', None)
    if isinstance(cause, NotUnderstood):
        return cause
    if isinstance(cause, suds.TypeNotFound):
        name = str(cause).split(':', 1)[-1].strip().strip("'")
        return NotUnderstood('element %s' % name)
    return None


class TypeCheck(plugin.MessagePlugin):
    """Refuses an answer that names a type the schema lacks.

    :param schema: the client's ``wsdl.schema``
    """

    def __init__(self, schema):
        self._schema = schema
        self._known = {}

    def parsed(self, context):
        envelope = context.reply.getChild('Envelope', binding.envns)
        body = envelope and envelope.getChild('Body', binding.envns)
        if body is None or body.getChild('Fault', binding.envns):
            return
        pending = [(child, child.name) for child in body.getChildren()]
        while pending:
            node, where = pending.pop()
            ref = node.get('type', Namespace.xsins)
            if ref is not None:
                name = suds.xsd.qualify(ref, node, node.namespace())
                if not self._is_known(name):
                    raise NotUnderstood('type %s' % name[0], where)
            pending.extend((child, where + '/' + child.name)
                           for child in node.getChildren())

    def _is_known(self, name):
        known = self._known.get(name)
        if known is None:
            # What suds does with xsi:type (NodeResolver.known), which
            # falls back to the declared type when this finds nothing.
            known = query.BlindQuery(name).execute(self._schema) is not None
            self._known[name] = known
        return known


def check_types(client):
    """Put a ``TypeCheck`` on a suds client (oslo.vmware's ``vim.client``).

    :returns: the client
    """
    client.set_options(plugins=list(client.options.plugins) +
                       [TypeCheck(client.wsdl.schema)])
    return client

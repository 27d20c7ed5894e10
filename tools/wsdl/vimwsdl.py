"""VIM WSDL documents from the schemas oslo.vmware ships.

A vCenter serves its VIM API as ``vimService.wsdl`` (the service), which
imports ``vim.wsdl`` (request and response elements, messages, port type,
binding), which includes ``vim-messagetypes.xsd`` (one ``XRequestType`` per
method), which includes ``vim-types.xsd`` (the data types). oslo.vmware
ships the data types alone (``oslo_vmware/wsdl/<version>/vim-types.xsd``
and the schemas it includes); this module writes the rest from a list of
method signatures, and picks data types out of the schemas:

* ``Schemas``: the ``urn:vim25`` types of a schema folder, what each
  derives from and refers to, the closure of a set of them, and a
  ``vim-types.xsd`` holding only some, copied as written;
* ``messagetypes_xsd``, ``vim_wsdl``, ``service_wsdl``: the three other
  documents for a list of ``Method``.

Used by ``tools/vcsim/gen_wsdl.py`` (every method, signatures from
govmomi, for the simulator) and ``tools/wsdl/gen_reduced.py`` (the
package's reduced client). Standard library only.
"""

import collections
import os
import re
import xml.etree.ElementTree as ET
from xml.sax.saxutils import quoteattr

SCHEMA_FILES = ('vim-types.xsd', 'core-types.xsd', 'query-types.xsd',
                'reflect-types.xsd')
"""The schema files a full VIM WSDL carries, as oslo.vmware ships them."""

TYPE_FILES = ('vim-types.xsd', 'core-types.xsd', 'query-types.xsd')
"""The files holding ``urn:vim25`` types (``reflect-types.xsd`` holds
none: it only imports ``core-types.xsd``)."""

XSD_NS = '{http://www.w3.org/2001/XMLSchema}'

Field = collections.namedtuple('Field', 'name type optional many')
"""One element of a request or response: ``type`` is qualified
(``xsd:string``, ``vim25:ManagedObjectReference``)."""

Method = collections.namedtuple('Method',
                                'name request_type request response')
"""A VIM method: its request type's name (``XRequestType``), the
``Field`` list of the request (``_this`` first) and of the response (one
``returnval`` or none)."""

_TOP = re.compile(r'^   <(complexType|simpleType) name="(\w+)"')


def header(comment):
    """The XML declaration and a comment naming the generator."""
    return ('<?xml version="1.0" encoding="UTF-8" ?>\n'
            '<!-- %s -->\n' % comment)


def element_xml(field):
    """One ``<element>`` of a sequence."""
    attrs = ' name=%s type="%s"' % (quoteattr(field.name), field.type)
    if field.optional:
        attrs += ' minOccurs="0"'
    if field.many:
        attrs += ' maxOccurs="unbounded"'
    return '<element%s />' % attrs


def sequence_xml(fields, indent):
    if not fields:
        return indent + '<sequence />\n'
    lines = [indent + '<sequence>\n']
    for field in fields:
        lines.append(indent + '   ' + element_xml(field) + '\n')
    lines.append(indent + '</sequence>\n')
    return ''.join(lines)


_SCHEMA = ('<schema targetNamespace="urn:vim25"'
           ' xmlns="http://www.w3.org/2001/XMLSchema"'
           ' xmlns:vim25="urn:vim25"'
           ' xmlns:xsd="http://www.w3.org/2001/XMLSchema"'
           ' elementFormDefault="qualified">\n')


def messagetypes_xsd(methods, comment):
    """``vim-messagetypes.xsd``: one request type per method."""
    out = [header(comment), _SCHEMA,
           '   <include schemaLocation="vim-types.xsd" />\n']
    for method in methods:
        out.append('   <complexType name="%s">\n%s   </complexType>\n'
                   % (method.request_type,
                      sequence_xml(method.request, '      ')))
    out.append('</schema>\n')
    return ''.join(out)


def vim_wsdl(methods, soap_action, comment):
    """``vim.wsdl``: elements, messages, port type and binding."""
    out = [header(comment),
           '<definitions targetNamespace="urn:vim25"'
           ' xmlns="http://schemas.xmlsoap.org/wsdl/"'
           ' xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"'
           ' xmlns:vim25="urn:vim25"'
           ' xmlns:xsd="http://www.w3.org/2001/XMLSchema">\n'
           '   <types>\n'
           '      ' + _SCHEMA.replace('\n', '') + '\n'
           '         <include schemaLocation="vim-messagetypes.xsd" />\n']
    for m in methods:
        out.append('         <element name="%s" type="vim25:%s" />\n'
                   '         <element name="%sResponse">\n'
                   '            <complexType>\n%s'
                   '            </complexType>\n'
                   '         </element>\n'
                   % (m.name, m.request_type, m.name,
                      sequence_xml(m.response, '                  ')))
    out.append('      </schema>\n   </types>\n')
    for m in methods:
        out.append('   <message name="%sRequestMsg">\n'
                   '      <part name="parameters" element="vim25:%s" />\n'
                   '   </message>\n'
                   '   <message name="%sResponseMsg">\n'
                   '      <part name="parameters"'
                   ' element="vim25:%sResponse" />\n'
                   '   </message>\n' % (m.name, m.name, m.name, m.name))
    out.append('   <portType name="VimPortType">\n')
    for m in methods:
        out.append('      <operation name="%s">\n'
                   '         <input message="vim25:%sRequestMsg" />\n'
                   '         <output message="vim25:%sResponseMsg" />\n'
                   '      </operation>\n' % (m.name, m.name, m.name))
    out.append('   </portType>\n'
               '   <binding name="VimBinding" type="vim25:VimPortType">\n'
               '      <soap:binding style="document"'
               ' transport="http://schemas.xmlsoap.org/soap/http" />\n')
    for m in methods:
        out.append('      <operation name="%s">\n'
                   '         <soap:operation soapAction="%s"'
                   ' style="document" />\n'
                   '         <input><soap:body use="literal" /></input>\n'
                   '         <output><soap:body use="literal" /></output>\n'
                   '      </operation>\n' % (m.name, soap_action))
    out.append('   </binding>\n</definitions>\n')
    return ''.join(out)


def service_wsdl(comment):
    """``vimService.wsdl``: the service, importing ``vim.wsdl``."""
    # The address is a placeholder, as on a real vCenter: oslo.vmware
    # always passes the endpoint (soap_url) to suds explicitly.
    return (header(comment) +
            '<definitions targetNamespace="urn:vimService"'
            ' xmlns="http://schemas.xmlsoap.org/wsdl/"'
            ' xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"'
            ' xmlns:interface="urn:vim25">\n'
            '   <import location="vim.wsdl" namespace="urn:vim25" />\n'
            '   <service name="VimService">\n'
            '      <port binding="interface:VimBinding" name="VimPort">\n'
            '         <soap:address'
            ' location="https://localhost/sdk/vimService" />\n'
            '      </port>\n'
            '   </service>\n'
            '</definitions>\n')


def _vim25(qname):
    """``Foo`` for ``vim25:Foo``; None for a built-in (``xsd:...``)."""
    prefix, _, name = qname.rpartition(':')
    return name if prefix == 'vim25' else None


class Schemas:
    """The ``urn:vim25`` types of a folder of oslo.vmware's schemas.

    :param schema_dir: ``oslo_vmware/wsdl/<version>``
    :ivar base: ``{type: the type it extends or restricts}``
    :ivar refs: ``{type: the types of its elements and attributes}``
    :ivar subtypes: ``{type: the types that extend it directly}``
    """

    def __init__(self, schema_dir):
        self._blocks = {}
        self.base, self.refs = {}, {}
        self.subtypes = collections.defaultdict(set)
        for fname in TYPE_FILES:
            path = os.path.join(schema_dir, fname)
            self._read(path)

    @property
    def names(self):
        return set(self._blocks)

    def _read(self, path):
        root = ET.parse(path).getroot()
        parsed = 0
        for el in root:
            if el.tag not in (XSD_NS + 'complexType', XSD_NS + 'simpleType'):
                continue
            parsed += 1
            name = el.get('name')
            self.refs[name] = set()
            for child in el.iter():
                if child.tag in (XSD_NS + 'extension',
                                 XSD_NS + 'restriction'):
                    base = _vim25(child.get('base'))
                    if base:
                        self.base[name] = base
                        self.subtypes[base].add(name)
                elif child.tag in (XSD_NS + 'element', XSD_NS + 'attribute'):
                    ref = _vim25(child.get('type') or '')
                    if ref:
                        self.refs[name].add(ref)
        # The text of each type, as written: VMware's files put every
        # top-level type at an indentation of three and nothing else there.
        with open(path, encoding='utf-8') as f:
            lines = f.readlines()
        found = 0
        for number, line in enumerate(lines):
            top = _TOP.match(line)
            if not top:
                continue
            end = lines.index('   </%s>\n' % top.group(1), number)
            self._blocks[top.group(2)] = ''.join(lines[number:end + 1])
            found += 1
        if found != parsed:
            raise ValueError('%s: %d top-level types parsed, %d found as '
                             'text' % (path, parsed, found))

    def descendants(self, name):
        """Every type derived from ``name``, however indirectly."""
        out, pending = set(), [name]
        while pending:
            for sub in self.subtypes[pending.pop()]:
                if sub not in out:
                    out.add(sub)
                    pending.append(sub)
        return out

    def closure(self, roots, keep_subtypes_of=lambda name: True):
        """Every type a value of one of ``roots`` can hold.

        That is the roots, what they derive from, the types of their
        elements and attributes, the ``ArrayOf`` of each, and, where
        ``keep_subtypes_of(type)`` says so, the types derived from them
        (a value declared as a type may be any type derived from it,
        named by ``xsi:type``); all of it transitively.

        :raises: KeyError naming a root the schemas do not define
        """
        missing = [name for name in roots if name not in self._blocks]
        if missing:
            raise KeyError('not in the schemas: %s' % ', '.join(missing))
        seen, pending = set(), list(roots)
        while pending:
            name = pending.pop()
            if name in seen or name not in self._blocks:
                continue
            seen.add(name)
            pending.extend(self.refs[name])
            if name in self.base:
                pending.append(self.base[name])
            pending.append('ArrayOf' + name)
            if keep_subtypes_of(name):
                pending.extend(self.subtypes[name])
        return seen

    def types_xsd(self, names, comment):
        """A ``vim-types.xsd`` of the types ``names``, in the schemas'
        order, each as written there.
        """
        out = [header(comment), _SCHEMA]
        for name, block in self._blocks.items():
            if name in names:
                out.append(block)
        out.append('</schema>\n')
        return ''.join(out)

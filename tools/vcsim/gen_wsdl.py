#!/usr/bin/env python3
"""Generate the VIM WSDL that vcsim does not serve (fix 1 of tools/vcsim).

A real vCenter serves ``/sdk/vimService.wsdl`` and oslo.vmware builds its
suds client from it; vcsim answers 404.  VMware's WSDL is not shipped with
anything we can install offline, but its two halves are:

* the data types: oslo.vmware ships ``vim-types.xsd`` and the schemas it
  includes (``core-types.xsd``, ``query-types.xsd``, ``reflect-types.xsd``)
  under ``oslo_vmware/wsdl/<version>/``;
* the method signatures: govmomi's ``vim25/types/types.go`` declares, for
  every VIM method ``M``, an alias ``type M XRequestType`` (the request
  parameters, with their XML names) and a ``MResponse`` struct (the
  ``returnval``).

This script joins the two and writes the missing files next to copies of
the schemas, so the launcher can serve the whole set under ``/sdk/``:

* ``vim-messagetypes.xsd``: one ``XRequestType`` complex type per method;
* ``vim.wsdl``: request/response elements, messages, port type, binding;
* ``vimService.wsdl``: the service, importing ``vim.wsdl``.

Methods whose signature names a type the schemas do not define are left out
and counted on stderr (a couple: the schemas and govmomi differ slightly in
vSphere version).  Fault declarations are omitted: suds parses SOAP faults
without them and oslo.vmware reads the fault detail from the raw document.

Only the standard library is used; the script is run by ``tools/vcsim/build``.
"""

import argparse
import os
import re
import shutil
import sys
import xml.etree.ElementTree as ET
from xml.sax.saxutils import quoteattr

SCHEMA_FILES = ('vim-types.xsd', 'core-types.xsd', 'query-types.xsd',
                'reflect-types.xsd')
XSD_NS = '{http://www.w3.org/2001/XMLSchema}'

# Go scalar types and their XML schema built-in equivalents.
GO_BUILTINS = {
    'string': 'xsd:string',
    'bool': 'xsd:boolean',
    'int8': 'xsd:byte',
    'byte': 'xsd:byte',
    'int16': 'xsd:short',
    'int32': 'xsd:int',
    'int64': 'xsd:long',
    'float32': 'xsd:float',
    'float64': 'xsd:double',
    'time.Time': 'xsd:dateTime',
    'AnyType': 'xsd:anyType',
}

# "type RetrievePropertiesEx RetrievePropertiesExRequestType": the element
# name is the method name (tasks keep their "_Task" suffix there).
ALIAS_RE = re.compile(r'^type (\w+) (\w+RequestType)$', re.M)
STRUCT_RE = re.compile(r'^type (\w+) struct \{\n(.*?)^\}', re.M | re.S)
FIELD_RE = re.compile(r'^\s*(\w+)\s+(\S+)\s+`xml:"([^"]*)"`\s*$')


class UnknownType(Exception):
    """A Go type with no counterpart in the shipped schemas."""


def parse_structs(types_go):
    """Map struct name to its list of (xml name, go type, optional)."""
    structs = {}
    for name, body in STRUCT_RE.findall(types_go):
        fields = []
        for line in body.splitlines():
            if not line.strip():
                continue
            m = FIELD_RE.match(line)
            if not m:
                # An embedded struct: never occurs in request or response
                # types, which are the only structs used here.
                fields = None
                break
            _, gotype, tag = m.groups()
            parts = tag.split(',')
            fields.append((parts[0], gotype, 'omitempty' in parts[1:]))
        structs[name] = fields
    return structs


def schema_type_names(schema_dir):
    """Names of all complex and simple types the shipped schemas define."""
    names = set()
    for fname in SCHEMA_FILES:
        root = ET.parse(os.path.join(schema_dir, fname)).getroot()
        for tag in ('complexType', 'simpleType'):
            for el in root.findall(XSD_NS + tag):
                names.add(el.get('name'))
    return names


def element_xml(name, gotype, optional, known):
    """One <element> of a sequence for a Go field."""
    many = gotype.startswith('[]')
    base = gotype[2:] if many else gotype
    if base.startswith('*'):
        # Pointers are how govmomi spells "may be absent".
        base = base[1:]
        optional = True
    if many and base in ('byte', 'uint8'):
        xsd, many = 'xsd:base64Binary', False
    elif base in GO_BUILTINS:
        xsd = GO_BUILTINS[base]
    else:
        # BaseFoo is govmomi's interface for Foo and its subtypes.
        if base.startswith('Base') and base[4:] in known:
            base = base[4:]
        if base not in known:
            raise UnknownType(base)
        xsd = 'vim25:' + base
    attrs = ' name=%s type="%s"' % (quoteattr(name), xsd)
    if optional:
        attrs += ' minOccurs="0"'
    if many:
        attrs += ' maxOccurs="unbounded"'
    return '<element%s />' % attrs


def sequence_xml(fields, known, indent):
    if not fields:
        return indent + '<sequence />\n'
    lines = [indent + '<sequence>\n']
    for name, gotype, optional in fields:
        lines.append(indent + '   ' + element_xml(name, gotype, optional,
                                                  known) + '\n')
    lines.append(indent + '</sequence>\n')
    return ''.join(lines)


def collect_methods(structs, aliases, known):
    """Return [(method, request type, request xml, response xml)]."""
    methods, skipped = [], []
    for method, reqtype in aliases:
        req = structs.get(reqtype)
        res = structs.get(method + 'Response')
        if req is None or res is None:
            skipped.append((method, 'no request/response struct'))
            continue
        try:
            req_xml = sequence_xml(req, known, '      ')
            res_xml = sequence_xml(res, known, '                  ')
        except UnknownType as exc:
            skipped.append((method, 'unknown type %s' % exc))
            continue
        methods.append((method, reqtype, req_xml, res_xml))
    return methods, skipped


HEADER = ('<?xml version="1.0" encoding="UTF-8" ?>\n'
          '<!-- Generated by nova-vmware-owner tools/vcsim/gen_wsdl.py from'
          ' govmomi vim25/types and oslo.vmware\'s schemas. -->\n')


def write_messagetypes(path, methods):
    with open(path, 'w') as f:
        f.write(HEADER)
        f.write('<schema targetNamespace="urn:vim25"'
                ' xmlns="http://www.w3.org/2001/XMLSchema"'
                ' xmlns:vim25="urn:vim25"'
                ' xmlns:xsd="http://www.w3.org/2001/XMLSchema"'
                ' elementFormDefault="qualified">\n'
                '   <include schemaLocation="vim-types.xsd" />\n')
        for _, reqtype, req_xml, _ in methods:
            f.write('   <complexType name="%s">\n%s   </complexType>\n'
                    % (reqtype, req_xml))
        f.write('</schema>\n')


def write_vim_wsdl(path, methods, soap_action):
    with open(path, 'w') as f:
        f.write(HEADER)
        f.write('<definitions targetNamespace="urn:vim25"'
                ' xmlns="http://schemas.xmlsoap.org/wsdl/"'
                ' xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"'
                ' xmlns:vim25="urn:vim25"'
                ' xmlns:xsd="http://www.w3.org/2001/XMLSchema">\n'
                '   <types>\n'
                '      <schema targetNamespace="urn:vim25"'
                ' xmlns="http://www.w3.org/2001/XMLSchema"'
                ' xmlns:vim25="urn:vim25"'
                ' xmlns:xsd="http://www.w3.org/2001/XMLSchema"'
                ' elementFormDefault="qualified">\n'
                '         <include schemaLocation="vim-messagetypes.xsd" />\n')
        for method, reqtype, _, res_xml in methods:
            f.write('         <element name="%s" type="vim25:%s" />\n'
                    '         <element name="%sResponse">\n'
                    '            <complexType>\n%s'
                    '            </complexType>\n'
                    '         </element>\n'
                    % (method, reqtype, method, res_xml))
        f.write('      </schema>\n   </types>\n')
        for method, _, _, _ in methods:
            f.write('   <message name="%sRequestMsg">\n'
                    '      <part name="parameters" element="vim25:%s" />\n'
                    '   </message>\n'
                    '   <message name="%sResponseMsg">\n'
                    '      <part name="parameters"'
                    ' element="vim25:%sResponse" />\n'
                    '   </message>\n' % (method, method, method, method))
        f.write('   <portType name="VimPortType">\n')
        for method, _, _, _ in methods:
            f.write('      <operation name="%s">\n'
                    '         <input message="vim25:%sRequestMsg" />\n'
                    '         <output message="vim25:%sResponseMsg" />\n'
                    '      </operation>\n' % (method, method, method))
        f.write('   </portType>\n'
                '   <binding name="VimBinding" type="vim25:VimPortType">\n'
                '      <soap:binding style="document"'
                ' transport="http://schemas.xmlsoap.org/soap/http" />\n')
        for method, _, _, _ in methods:
            f.write('      <operation name="%s">\n'
                    '         <soap:operation soapAction="%s"'
                    ' style="document" />\n'
                    '         <input><soap:body use="literal" /></input>\n'
                    '         <output><soap:body use="literal" /></output>\n'
                    '      </operation>\n' % (method, soap_action))
        f.write('   </binding>\n</definitions>\n')


def write_service_wsdl(path):
    with open(path, 'w') as f:
        f.write(HEADER)
        # The address is a placeholder, as on a real vCenter: oslo.vmware
        # always passes the endpoint (soap_url) to suds explicitly.
        f.write('<definitions targetNamespace="urn:vimService"'
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--types-go', required=True,
                        help="govmomi's vim25/types/types.go")
    parser.add_argument('--schema-dir', required=True,
                        help="oslo_vmware/wsdl/<version> directory")
    parser.add_argument('--soap-action', default='urn:vim25/7.0')
    parser.add_argument('--out', required=True, help='output directory')
    args = parser.parse_args(argv)

    with open(args.types_go) as f:
        types_go = f.read()
    structs = parse_structs(types_go)
    aliases = ALIAS_RE.findall(types_go)
    known = schema_type_names(args.schema_dir)
    methods, skipped = collect_methods(structs, aliases, known)
    if len(methods) < 800:
        # Guard against a silently broken parse (e.g. a reformatted
        # types.go): a WSDL without most methods would fail much later.
        sys.exit('gen_wsdl: only %d methods understood in %s; refusing'
                 % (len(methods), args.types_go))

    os.makedirs(args.out, exist_ok=True)
    for fname in SCHEMA_FILES:
        shutil.copyfile(os.path.join(args.schema_dir, fname),
                        os.path.join(args.out, fname))
    write_messagetypes(os.path.join(args.out, 'vim-messagetypes.xsd'),
                       methods)
    write_vim_wsdl(os.path.join(args.out, 'vim.wsdl'), methods,
                   args.soap_action)
    write_service_wsdl(os.path.join(args.out, 'vimService.wsdl'))
    print('gen_wsdl: %d methods, %d left out (%s)'
          % (len(methods), len(skipped),
             ', '.join('%s: %s' % s for s in skipped)), file=sys.stderr)


if __name__ == '__main__':
    main()

"""A small VIM WSDL, laid out as vCenter serves it, for the WSDL tests.

Four documents (``WSDL_DOCUMENTS``) describing ``RetrieveServiceContent``
alone, the answer vCenter gives to it (``WSDL_REPLY``), and
``soap_exchange``, which runs one request and reply through a suds client
built from them without sending anything.
"""

_WSDL_NS = ('xmlns="http://schemas.xmlsoap.org/wsdl/" '
            'xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"')
_XSD_NS = ('xmlns="http://www.w3.org/2001/XMLSchema" '
           'xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
           'xmlns:vim25="urn:vim25" targetNamespace="urn:vim25" '
           'elementFormDefault="qualified"')

WSDL_DOCUMENTS = {
    # Laid out as vCenter's: a service WSDL importing the interface, which
    # includes the message types, which include the data types.
    'vimService.wsdl': """<?xml version="1.0" encoding="UTF-8"?>
<definitions targetNamespace="urn:vim25Service" %s
    xmlns:interface="urn:vim25">
  <import location="vim.wsdl" namespace="urn:vim25" />
  <service name="VimService">
    <port binding="interface:VimBinding" name="VimPort">
      <soap:address location="https://localhost/sdk/vimService" />
    </port>
  </service>
</definitions>
""" % _WSDL_NS,
    'vim.wsdl': """<?xml version="1.0" encoding="UTF-8"?>
<definitions targetNamespace="urn:vim25" %s xmlns:vim25="urn:vim25">
  <types>
    <schema %s>
      <include schemaLocation="vim-messagetypes.xsd" />
      <element name="RetrieveServiceContent"
               type="vim25:RetrieveServiceContentRequestType" />
      <element name="RetrieveServiceContentResponse">
        <complexType><sequence>
          <element name="returnval" type="vim25:ServiceContent" />
        </sequence></complexType>
      </element>
    </schema>
  </types>
  <message name="RetrieveServiceContentRequestMsg">
    <part name="parameters" element="vim25:RetrieveServiceContent" />
  </message>
  <message name="RetrieveServiceContentResponseMsg">
    <part name="parameters" element="vim25:RetrieveServiceContentResponse" />
  </message>
  <portType name="VimPortType">
    <operation name="RetrieveServiceContent">
      <input message="vim25:RetrieveServiceContentRequestMsg" />
      <output message="vim25:RetrieveServiceContentResponseMsg" />
    </operation>
  </portType>
  <binding name="VimBinding" type="vim25:VimPortType">
    <soap:binding style="document"
                  transport="http://schemas.xmlsoap.org/soap/http" />
    <operation name="RetrieveServiceContent">
      <soap:operation soapAction="urn:vim25/6.5" />
      <input><soap:body use="literal" /></input>
      <output><soap:body use="literal" /></output>
    </operation>
  </binding>
</definitions>
""" % (_WSDL_NS, _XSD_NS),
    'vim-messagetypes.xsd': """<?xml version="1.0" encoding="UTF-8"?>
<schema %s>
  <include schemaLocation="vim-types.xsd" />
  <complexType name="RetrieveServiceContentRequestType">
    <sequence>
      <element name="_this" type="vim25:ManagedObjectReference" />
    </sequence>
  </complexType>
</schema>
""" % _XSD_NS,
    'vim-types.xsd': """<?xml version="1.0" encoding="UTF-8"?>
<schema %s>
  <complexType name="ManagedObjectReference">
    <simpleContent>
      <extension base="xsd:string">
        <attribute name="type" type="xsd:string" />
      </extension>
    </simpleContent>
  </complexType>
  <complexType name="AboutInfo">
    <sequence>
      <element name="name" type="xsd:string" />
      <element name="instanceUuid" type="xsd:string" minOccurs="0" />
    </sequence>
  </complexType>
  <complexType name="ServiceContent">
    <sequence>
      <element name="rootFolder" type="vim25:ManagedObjectReference" />
      <element name="about" type="vim25:AboutInfo" />
    </sequence>
  </complexType>
  <complexType name="RetrieveOptions">
    <sequence>
      <element name="maxObjects" type="xsd:int" minOccurs="0" />
    </sequence>
  </complexType>
</schema>
""" % _XSD_NS,
}
"""A small VIM WSDL of four documents, as vCenter serves them (bytes)."""
WSDL_DOCUMENTS = {name: text.encode() for name, text in WSDL_DOCUMENTS.items()}

WSDL_REPLY = b"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
<soapenv:Body><RetrieveServiceContentResponse xmlns="urn:vim25"><returnval>
<rootFolder type="Folder">group-d1</rootFolder>
<about><name>VMware &amp; co</name><instanceUuid>abc</instanceUuid></about>
</returnval></RetrieveServiceContentResponse></soapenv:Body>
</soapenv:Envelope>"""
"""vCenter's answer to RetrieveServiceContent, in ``WSDL_DOCUMENTS``' terms."""


def soap_exchange(client):
    """(the envelope a suds ``client`` of ``WSDL_DOCUMENTS`` sends for
    RetrieveServiceContent, what it makes of ``WSDL_REPLY``), sending
    nothing
    """
    client.set_options(nosend=True)
    moref = client.factory.create('ns0:ManagedObjectReference')
    moref.value = moref._type = 'ServiceInstance'
    request = client.service.RetrieveServiceContent(_this=moref)
    return request.envelope, str(request.process_reply(WSDL_REPLY))

"""vCenter's answers as it sends them, for the client's unit tests.

A ``RetrievePropertiesEx`` answer of a cluster's ``customValue``
(``values``), one whose value is a fault (``missing``), a SOAP fault
(``fault``), each with the types given, and the ``ServiceContent``
(``SERVICE_CONTENT``), to feed through the client without sending
anything (suds' ``__inject``, or ``reply`` at the session's transport).
"""

from suds import transport

ENVELOPE = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<soapenv:Envelope '
    'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    '<soapenv:Body>%s</soapenv:Body></soapenv:Envelope>')
OBJECTS = ('<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval>'
           '<objects><obj type="ClusterComputeResource">domain-c7</obj>'
           '%s</objects></returnval></RetrievePropertiesExResponse>')
VALUES = ('<propSet><name>customValue</name>'
          '<val xsi:type="%s">%s</val></propSet>')
VALUE = ('<CustomFieldValue xsi:type="%s"><key>101</key>%s'
         '</CustomFieldValue>')
MISSING = ('<missingSet><path>customValue</path><fault>'
           '<fault xsi:type="%s">%s</fault></fault></missingSet>')
FAULT = ('<soapenv:Fault><faultcode>ServerFaultCode</faultcode>'
         '<faultstring></faultstring><detail>'
         '<%sFault xmlns="urn:vim25" xsi:type="%s">%s</%sFault>'
         '</detail></soapenv:Fault>')
SERVICE_CONTENT = (
    '<RetrieveServiceContentResponse xmlns="urn:vim25"><returnval>'
    '<rootFolder type="Folder">group-d1</rootFolder>'
    '<propertyCollector type="PropertyCollector">propertyCollector'
    '</propertyCollector></returnval></RetrieveServiceContentResponse>')


def values(array='ArrayOfCustomFieldValue', kind='CustomFieldStringValue',
           inner='<value>compute-a</value>'):
    """The cluster's ``customValue``: an ``array`` of one ``kind``."""
    return ENVELOPE % OBJECTS % VALUES % (array, VALUE % (kind, inner))


def missing(fault, inner=''):
    """The cluster's ``customValue`` could not be read: ``fault``."""
    return ENVELOPE % OBJECTS % MISSING % (fault, inner)


def fault(name, inner=''):
    """A SOAP fault ``name`` with ``inner`` as its properties."""
    return ENVELOPE % FAULT % (name, name, inner, name)


def reply(answer, status=200):
    """``answer`` (a whole envelope, or a body) as the transport hands it
    to suds.
    """
    if not answer.startswith('<?xml'):
        answer = ENVELOPE % answer
    return transport.Reply(status, {'Content-Type': 'text/xml'},
                           answer.encode())

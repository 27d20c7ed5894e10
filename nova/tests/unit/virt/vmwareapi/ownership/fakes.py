"""In-memory fakes shared by the unit tests: a store, a clock, settings.

``FakeStore`` implements the interface the lock and the guard use
(``read``, ``write``, ``ensure_field``, ``create_lock``, ``remove_lock``,
``location``, ``lock_name``) with plain values and counts every call, so
tests assert the number of vCenter round trips a real store would make.
"""

import datetime
import types

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import store

CLUSTER = 'DC0_C0'
MOREF = 'domain-c7'
VCENTER = 'https://vc.example.test:443'
ATTRIBUTE = 'openstack.nova.owner'
OTHER_HOLDER = 'other-machine:4242:beefcafe'
WALL = datetime.datetime(2026, 11, 25, 12, 0, 0,
                         tzinfo=datetime.timezone.utc)


def location():
    return exceptions.Location(CLUSTER, VCENTER, cluster_moref=MOREF,
                               attribute=ATTRIBUTE)


def settings(**overrides):
    """The ``[vmware_ownership]`` values of DESIGN section 8, overridden."""
    values = dict(mode='enforce', attribute_name=ATTRIBUTE,
                  lease_duration=180, renew_interval=60, standby_wait=True,
                  standby_timeout=0, sync_node_identity=True)
    values.update(overrides)
    return types.SimpleNamespace(**values)


class FakeClock:
    """A monotonic clock whose ``sleep`` advances it instead of waiting.

    ``on_sleep`` callbacks run after each sleep (to let the world change
    while the code under test waits). Sleeping past ``limit`` seconds fails
    the test, so a wait that never ends is a failure, not a hang.
    """

    def __init__(self, start=1000.0, limit=86400.0):
        self.start = self.now = start
        self.limit = limit
        self.sleeps = []
        self.on_sleep = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0, seconds
        self.sleeps.append(seconds)
        self.now += seconds
        if self.now - self.start > self.limit:
            raise AssertionError('slept %d fake seconds: endless wait'
                                 % (self.now - self.start))
        for callback in list(self.on_sleep):
            callback()

    def advance(self, seconds):
        self.now += seconds


def wall_now():
    return WALL


class FakeStore:
    """A cluster's attribute and its lock, in memory.

    More than ``MAX_CALLS`` calls fail the test (an endless loop).
    """

    MAX_CALLS = 100000

    def __init__(self, raw=None, field=True):
        self.raw = raw
        self.location = location()
        self.attribute_name = ATTRIBUTE
        self.lock_name = store.lock_name(ATTRIBUTE, MOREF)
        self._next_key = 100
        self.field_key = self._new_key() if field else None
        self.lock_key = None
        self.calls = []
        self.writes = []

    def _new_key(self):
        self._next_key += 1
        return self._next_key

    def _count(self, name):
        self.calls.append(name)
        if len(self.calls) > self.MAX_CALLS:
            raise AssertionError('%d store calls: endless loop'
                                 % len(self.calls))

    def read(self):
        self._count('read')
        return store.Reading(self.raw, self.field_key, self.lock_key,
                             CLUSTER)

    def write(self, text, field_key):
        self._count('write')
        if field_key is None or field_key != self.field_key:
            raise AssertionError('write with key %r, field is %r'
                                 % (field_key, self.field_key))
        self.raw = text
        self.writes.append(text)

    def ensure_field(self):
        self._count('ensure_field')
        if self.field_key is None:
            self.field_key = self._new_key()
        return self.field_key

    def create_lock(self):
        self._count('create_lock')
        if self.lock_key is not None:
            raise store.LockHeld(self.lock_key)
        self.lock_key = self._new_key()
        return self.lock_key

    def remove_lock(self, key):
        self._count('remove_lock')
        if key is None or key != self.lock_key:
            return False
        self.lock_key = None
        return True


class FakeIdentity:
    """The local compute node identity (nova's ``compute_id`` file)."""

    path = '/var/lib/nova/compute_id'

    def __init__(self, node=None):
        self.node = node
        self.written = []

    def read(self):
        return self.node

    def write(self, node):
        self.written.append(node)
        self.node = node


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

"""The reduced VIM client, the package's, against the simulator.

Its signatures are those of the simulator's whole WSDL (generated from
govmomi's, ``tools/vcsim/gen_wsdl.py``), and the store's calls, the faults
of the fencing and ``list``'s reading go through it as through the whole
client; an answer holding a type it lacks is refused by name.
"""

import xml.etree.ElementTree as ET

import requests
import testtools

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors
from nova.virt.vmwareapi.ownership.vsphere import fleet
from nova.virt.vmwareapi.ownership.vsphere import vcenter
from nova.virt.vmwareapi.ownership.vsphere.wsdl import reduced
from support import base

XSD = '{http://www.w3.org/2001/XMLSchema}'
WSDL = '{http://schemas.xmlsoap.org/wsdl/}'


def sequences(document, methods):
    """``{method: (request elements, response elements)}``.

    :param document: ``{name: parsed root}`` of vim.wsdl and
                     vim-messagetypes.xsd
    """
    def elements(node):
        return [(e.get('name'), e.get('type'), e.get('minOccurs', '1'),
                 e.get('maxOccurs', '1')) for e in node.iter(XSD + 'element')]
    requests_ = {t.get('name'): t for t in
                 document['vim-messagetypes.xsd'].iter(XSD + 'complexType')}
    schema = document['vim.wsdl'].find(WSDL + 'types').find(XSD + 'schema')
    answers = {e.get('name'): e for e in schema.findall(XSD + 'element')}
    return {m: (elements(requests_[m + 'RequestType']),
                elements(answers[m + 'Response'])) for m in methods}


def fields(reading):
    return (reading.attribute_raw, reading.attribute_key, reading.lease_key,
            reading.lease_raw)


class TestReducedClient(base.SimulatorTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The same readings through vCenter's whole client.
        cls.full = cls.simulator.full_session()

    @classmethod
    def tearDownClass(cls):
        cls.full.logout()
        super().tearDownClass()

    def test_the_session_is_on_it(self):
        self.assertEqual(reduced.WSDL_URL, self.session.vim.wsdl_url)
        self.assertNotEqual(reduced.WSDL_URL, self.full.vim.wsdl_url)

    def test_signatures_are_the_simulators(self):
        def parse(read, name):
            return ET.fromstring(read(name))

        def served(name):
            reply = requests.get(self.simulator.url + '/' + name,
                                 verify=self.simulator.ca_file, timeout=30)
            reply.raise_for_status()
            return reply.content

        def shipped(name):
            with open('%s/%s' % (reduced.FOLDER, name), 'rb') as f:
                return f.read()
        names = ('vim.wsdl', 'vim-messagetypes.xsd')
        ours = {name: parse(shipped, name) for name in names}
        methods = [op.get('name') for op in ours['vim.wsdl'].find(
            WSDL + 'portType').findall(WSDL + 'operation')]
        self.assertGreater(len(methods), 10)
        theirs = {name: parse(served, name) for name in names}
        self.assertEqual(sequences(theirs, methods), sequences(ours, methods))

    def test_the_store_goes_through_it(self):
        store = self.make_store()
        counter = self.round_trips()
        self.assertIsNone(store.read().attribute_key)
        self.assertEqual(['RetrievePropertiesEx'], counter.methods)
        key = store.ensure_attribute()
        lease = store.create_lease()
        self.assertRaises(exceptions.DuplicateName, store.create_lease)
        store.write_lease(lease, '{"v":1,"host":"compute-a"}')
        store.write_attribute(key, '{"v":1,"host":"compute-a"}')
        reading = store.read()
        self.assertEqual((key, lease, '{"v":1,"host":"compute-a"}'),
                         (reading.attribute_key, reading.lease_key,
                          reading.lease_raw))
        store.post_event('reduced client')
        store.remove_lease(lease)
        self.assertRaises(exceptions.DefinitionGone, store.remove_lease,
                          lease)
        self.assertRaises(exceptions.DefinitionGone, store.write_lease,
                          lease, 'late')
        # The same reading through the whole client.
        self.assertEqual(fields(store.read()),
                         fields(self.make_store(session=self.full).read()))

    def test_list_reads_through_it(self):
        self.make_store().ensure_attribute()
        counter = self.round_trips()
        clusters = fleet.read(self.session, self.attribute,
                              self.simulator.url)
        self.assertEqual(['DC0_C0', 'DC0_C1'],
                         [c.location.cluster for c in clusters])
        self.assertEqual(['CreateContainerView', 'RetrievePropertiesEx',
                          'DestroyView'], counter.methods)

    def test_an_answer_of_unknown_types_is_refused_by_name(self):
        # Events of every type: the simulator's first is of a type the
        # reduced schemas do not hold.
        content = vcenter.service_content(self.session)
        spec = self.session.vim.client.factory.create('ns0:EventFilterSpec')
        error = self.assertRaises(
            vsphere_errors.AnswerNotUnderstood, vcenter.invoke, self.session,
            'QueryEvents', content.eventManager, filter=spec)
        self.assertEqual(('QueryEvents', self.session.endpoint, '6.5',
                          'QueryEventsResponse/returnval'),
                         (error.operation, error.endpoint, error.api_version,
                          error.path))
        self.assertThat(error.unknown, testtools.matchers.MatchesRegex(
            'type \\w+Event'))
        self.assertIn('does not know (it speaks the vSphere API 6.5)',
                      str(error))

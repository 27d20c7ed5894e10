"""Tests of the pickled VIM client, on a small VIM WSDL in local files.

These pin the private details of oslo.vmware and suds that
``wsdl_client`` relies on; when one fails after an upgrade, read that
module's docstring before changing anything.
"""

import gc
import io
import logging
import os
import pickle

import fixtures
from oslo_vmware import service
from oslo_vmware import vim as vim_mod
from oslotest import base
import suds.sax.text

from nova.virt.vmwareapi.ownership.vsphere.wsdl import client as wsdl_client
from support import vim_wsdl

ARGS = dict(protocol='https', host='vc.example.test', port=443,
            cacert='/ca.pem', insecure=False, pool_maxsize=10,
            connection_timeout=7, op_id_prefix='test')


class ClientTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.logger = self.useFixture(fixtures.FakeLogger(
            level=logging.WARNING))
        folder = self.useFixture(fixtures.TempDir()).path
        for name, content in vim_wsdl.WSDL_DOCUMENTS.items():
            with open(os.path.join(folder, name), 'wb') as f:
                f.write(content)
        self.url = 'file://' + os.path.join(folder, 'vimService.wsdl')
        self.real = wsdl_client.build(self.url, **ARGS)
        self.payload = wsdl_client.dumps(self.real)

    def loads(self, payload=None):
        return wsdl_client.loads(
            self.payload if payload is None else payload, self.url, **ARGS)

    def test_unreadable_payload_gives_none(self):
        for payload in (b'', b'junk', pickle.dumps({}),
                        pickle.dumps(object).replace(b'builtins',
                                                     b'builtinz')):
            with self.subTest(payload=payload):
                self.assertIsNone(self.loads(payload))
        self.assertIn('slow way', self.logger.output)

    def test_changed_client_shape_gives_none(self):
        self.useFixture(fixtures.MockPatchObject(
            wsdl_client._CachedVim, '__init__', autospec=True,
            side_effect=lambda self, *args: setattr(self, 'client', None)))
        self.assertIsNone(self.loads())
        self.assertIn('changed the shape', self.logger.output)

    def test_cached_client_is_oslo_vmware_client(self):
        # suds.client.Client.__init__ and oslo_vmware.service.Service
        # .__init__ set what _CachedClient and _CachedVim set.
        cached = self.loads()
        self.assertIs(type(self.real), vim_mod.Vim)
        self.assertIsInstance(cached, vim_mod.Vim)
        self.assertIsInstance(cached.client,
                              service.CompatibilitySudsClient)
        self.assertEqual(sorted(vars(self.real)), sorted(vars(cached)))
        self.assertEqual(sorted(vars(self.real.client)),
                         sorted(vars(cached.client)))
        for name in ('soap_url', 'op_id_prefix', 'wsdl_url'):
            with self.subTest(name=name):
                self.assertEqual(getattr(self.real, name),
                                 getattr(cached, name))
        for vim in (self.real, cached):
            with self.subTest(vim=vim):
                options = vim.client.options
                self.assertEqual('https://vc.example.test:443/sdk',
                                 options.location)
                self.assertIsInstance(options.transport,
                                      service.RequestsTransport)
                self.assertEqual('/ca.pem', options.transport.verify)
                self.assertEqual(7, options.transport._connection_timeout)
                self.assertEqual([service.ServiceMessagePlugin],
                                 [type(p) for p in options.plugins])
                self.assertIs(options, vim.client.wsdl.options)

    def test_cached_client_speaks_as_the_real_one(self):
        cached = self.loads()
        exchange = vim_wsdl.soap_exchange(cached.client)
        self.assertEqual(vim_wsdl.soap_exchange(self.real.client), exchange)
        self.assertIn(b'ServiceInstance', exchange[0])
        self.assertIn('VMware & co', exchange[1])
        # The ns0... prefixes pushed by ServiceDefinition come back too.
        self.assertIsNotNone(
            cached.client.factory.create('ns0:RetrieveOptions'))

    def test_each_load_is_a_client_of_its_own(self):
        first, second = self.loads(), self.loads()
        self.assertIsNot(first.client.wsdl, second.client.wsdl)
        first.client.set_options(location='https://other/sdk')
        self.assertEqual('https://vc.example.test:443/sdk',
                         second.client.wsdl.options.location)

    def test_definitions_pickle_without_options(self):
        # Definitions.__getstate__ leaves out the options, hence the
        # transport (its CA file, cookies): the pickle holds the WSDL only.
        self.assertNotIn('options', self.real.client.wsdl.__getstate__())
        for secret in (b'RequestsTransport', b'/ca.pem', b'cookiejar',
                       b'vc.example.test'):
            with self.subTest(secret=secret):
                self.assertNotIn(secret, bytes(self.payload))

    def test_text_slots(self):
        text = suds.sax.text.Text
        self.assertEqual(('lang', 'escaped'), text.__slots__)
        for kind in (text, suds.sax.text.Raw):
            with self.subTest(kind=kind):
                value = kind('a &amp; b', lang='en', escaped=True)
                again = pickle.loads(self.dumps(value))
                self.assertIs(kind, type(again))
                self.assertEqual((value, 'en', True),
                                 (again, again.lang, again.escaped))
        self.assertIn(b'_text', self.dumps(text('x')))

    def test_text_of_another_shape_pickled_as_suds_does(self):
        self.useFixture(fixtures.MockPatchObject(
            wsdl_client._Pickler, '_TEXTS', ()))
        value = suds.sax.text.Text('x', lang='en')
        self.assertNotIn(b'_text', self.dumps(value))
        self.assertEqual('en', pickle.loads(self.dumps(value)).lang)

    @staticmethod
    def dumps(value):
        """``wsdl_client``'s pickle of ``value`` alone."""
        out = io.BytesIO()
        wsdl_client._Pickler(out).dump(value)
        return out.getvalue()

    def test_collector_paused_then_restored(self):
        states = []
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            self.addCleanup(gc.enable)
            with wsdl_client.gc_paused():
                states.append(gc.isenabled())
            states.append(gc.isenabled())
        self.assertEqual([False, True, False, False], states)

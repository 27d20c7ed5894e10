"""Tests of fetching the VIM WSDL within bounds (no network: a fake HTTP
session serves the documents; silent servers are in the functional tests).
"""

import itertools
import types

import fixtures
from oslo_vmware import service
from oslotest import base
import requests

from nova.virt.vmwareapi.ownership.vsphere.wsdl import fetch as wsdl_fetch
from support import fakes
from support import vim_wsdl

BASE = 'https://vc.example.test:443/sdk/'
ROOT = BASE + 'vimService.wsdl'


class FakeReply:

    def __init__(self, content, status=200, headers=None, chunk=1 << 16,
                 on_chunk=None):
        self.content = content
        self.status = status
        self.headers = headers or {'Content-Type': 'text/xml'}
        self.chunk = chunk
        self.on_chunk = on_chunk
        self.closed = False

    def raise_for_status(self):
        if self.status >= 400:
            raise requests.exceptions.HTTPError('%d Client Error' %
                                                self.status)

    def iter_content(self, size):
        for start in range(0, len(self.content), min(size, self.chunk)):
            if self.on_chunk:
                self.on_chunk()
            yield self.content[start:start + min(size, self.chunk)]

    def close(self):
        self.closed = True


class FakeHttp:
    """Serves ``documents`` (name to bytes or ``FakeReply``) under BASE."""

    def __init__(self, documents):
        self.documents = documents
        self.calls = []
        self.replies = []

    def get(self, url, **kwargs):
        self.calls.append((url, kwargs))
        found = self.documents.get(url[len(BASE):] if url.startswith(BASE)
                                   else None, FakeReply(b'', status=404))
        reply = found if isinstance(found, FakeReply) else FakeReply(found)
        self.replies.append(reply)
        return reply


def fetch(documents, timeout=10, clock=None, root=ROOT):
    http = FakeHttp(documents)
    found = wsdl_fetch.fetch_documents(root, '/ca.pem', timeout,
                                       session=http,
                                       clock=clock or fakes.FakeClock())
    return found, http


def wsdl(*references, tag='import', attribute='location'):
    """A WSDL document referring to ``references``."""
    refs = [b'<%s %s="%s" />' % (tag.encode(), attribute.encode(),
                                 ref.encode()) for ref in references]
    return (b'<definitions xmlns="http://schemas.xmlsoap.org/wsdl/">' +
            b''.join(refs) + b'</definitions>')


class FetchFailureTestCase(base.BaseTestCase):

    def test_reference_outside_the_root_folder_is_refused(self):
        for reference in ('../secret.xsd', 'https://other.test/sdk/x.xsd',
                          '/etc/x.xsd', 'x.xsd?y=1', 'file:///etc/passwd',
                          'sub/../../x.xsd', '.hidden.xsd'):
            with self.subTest(reference=reference):
                error = self.assertRaises(wsdl_fetch.WsdlFetchError, fetch,
                                          {'vimService.wsdl': wsdl(reference)})
                self.assertIn(reference, str(error))
                self.assertIn(BASE, str(error))

    def test_root_that_is_no_wsdl_is_refused(self):
        page = FakeReply(b'<html>Welcome</html>',
                         headers={'Content-Type': 'text/html'})
        error = self.assertRaises(wsdl_fetch.WsdlFetchError, fetch,
                                  {'vimService.wsdl': page})
        self.assertIn(ROOT, str(error))
        self.assertIn('text/html', str(error))

    def test_http_error_is_requests_error(self):
        self.assertRaises(requests.exceptions.HTTPError, fetch,
                          {'vimService.wsdl': wsdl('vim.wsdl')})

    def test_errors_are_request_errors(self):
        # So that callers translating request failures need nothing new.
        self.assertTrue(issubclass(wsdl_fetch.WsdlFetchError,
                                   requests.exceptions.RequestException))
        self.assertTrue(issubclass(wsdl_fetch.WsdlFetchTimeout,
                                   requests.exceptions.Timeout))

    def test_too_many_documents(self):
        names = ['d%d.xsd' % i for i in range(wsdl_fetch.MAX_DOCUMENTS)]
        documents = {name: wsdl() for name in names}
        documents['vimService.wsdl'] = wsdl(*names)
        error = self.assertRaises(wsdl_fetch.WsdlFetchError, fetch,
                                  documents)
        self.assertIn('more than %d documents' % wsdl_fetch.MAX_DOCUMENTS,
                      str(error))

    def test_too_many_bytes(self):
        self.useFixture(fixtures.MockPatchObject(wsdl_fetch, 'MAX_BYTES',
                                                 1000))
        documents = {'vimService.wsdl': wsdl('big.xsd'),
                     'big.xsd': b'x' * 2000}
        error = self.assertRaises(wsdl_fetch.WsdlFetchError, fetch,
                                  documents)
        self.assertIn('exceed 1000 bytes', str(error))

    def test_trickling_server_hits_the_deadline(self):
        clock = fakes.FakeClock()
        tick = lambda: clock.sleep(1.0)  # noqa: E731 - one second a chunk
        documents = {'vimService.wsdl': wsdl('vim.wsdl'),
                     'vim.wsdl': FakeReply(b'<x/>' * 100, chunk=4,
                                           on_chunk=tick)}
        error = self.assertRaises(wsdl_fetch.WsdlFetchTimeout, fetch,
                                  documents, timeout=10, clock=clock)
        self.assertIn('within 30 s', str(error))
        self.assertIn(BASE, str(error))
        self.assertLessEqual(clock.now() - clock.start, 31)

    def test_late_requests_get_what_is_left(self):
        # a.xsd takes 29.5 of the 30 s: b.xsd gets 0.5 s as its timeouts;
        # it takes a second, so c.xsd is never asked for.
        clock = fakes.FakeClock()
        documents = {
            'vimService.wsdl': wsdl('a.xsd'),
            'a.xsd': FakeReply(wsdl('b.xsd'),
                               on_chunk=lambda: clock.sleep(29.5)),
            'b.xsd': FakeReply(wsdl('c.xsd'),
                               on_chunk=lambda: clock.sleep(1.0)),
            'c.xsd': wsdl()}
        http = FakeHttp(documents)
        error = self.assertRaises(wsdl_fetch.WsdlFetchTimeout,
                                  wsdl_fetch.fetch_documents, ROOT, True, 10,
                                  session=http, clock=clock)
        self.assertIn('within 30 s', str(error))
        self.assertEqual(30.5, clock.now() - clock.start)
        self.assertEqual([(10, 10), (10, 10), (0.5, 0.5)],
                         [kwargs['timeout'] for _, kwargs in http.calls])


class FetchTestCase(base.BaseTestCase):

    def test_vcenter_layout(self):
        found, http = fetch(vim_wsdl.WSDL_DOCUMENTS)
        self.assertEqual(list(vim_wsdl.WSDL_DOCUMENTS), list(found))
        self.assertEqual(vim_wsdl.WSDL_DOCUMENTS, found)
        self.assertTrue(all(reply.closed for reply in http.replies))

    def test_each_document_once(self):
        documents = {
            'vimService.wsdl': wsdl('vim.wsdl'),
            'vim.wsdl': wsdl('types.xsd', 'core.xsd', tag='xsd:include',
                             attribute='schemaLocation'),
            'types.xsd': wsdl('core.xsd', 'reflect/r.xsd',
                              tag='xsd:import', attribute='schemaLocation'),
            'core.xsd': wsdl(),
            'reflect/r.xsd': wsdl('../core.xsd', BASE + 'types.xsd'),
        }
        found, http = fetch(documents)
        self.assertEqual(documents, found)
        self.assertEqual(['vimService.wsdl', 'vim.wsdl', 'types.xsd',
                          'core.xsd', 'reflect/r.xsd'], list(found))
        self.assertEqual(len(documents), len(http.calls))

    def test_addresses_are_not_references(self):
        root = (b'<definitions><service><port><soap:address '
                b'location="https://localhost/sdk/vimService" /></port>'
                b'</service></definitions>')
        found, _ = fetch({'vimService.wsdl': root})
        self.assertEqual(['vimService.wsdl'], list(found))

    def test_every_request_bounded_and_verified(self):
        _, http = fetch(vim_wsdl.WSDL_DOCUMENTS, timeout=7)
        for url, kwargs in http.calls:
            self.assertEqual(dict(verify='/ca.pem', stream=True,
                                  timeout=(7, 7)), kwargs)

    def test_tls_verification_follows_oslo_vmware(self):
        for ca_file, insecure in itertools.product((None, '/ca.pem'),
                                                   (False, True)):
            with self.subTest(ca_file=ca_file, insecure=insecure):
                endpoint = types.SimpleNamespace(ca_file=ca_file,
                                                 insecure=insecure)
                transport = service.RequestsTransport(cacert=ca_file,
                                                      insecure=insecure)
                self.assertEqual(transport.verify,
                                 wsdl_fetch.tls_verify(endpoint))
        self.assertIs(True, wsdl_fetch.tls_verify(types.SimpleNamespace(
            ca_file=None, insecure=False)))

    def test_soap_url(self):
        endpoint = types.SimpleNamespace(scheme='https', host='::1',
                                         port=8443)
        self.assertEqual('https://[::1]:8443/sdk',
                         wsdl_fetch.soap_url(endpoint))

"""Tests of the VIM client cache (no network: the documents of a small
VIM WSDL stand in for the download).

``SessionDetailsTestCase`` pins the private details of oslo.vmware's
session that ``open_session`` relies on (``test_wsdl_client`` those of the
client); when one fails after an upgrade, read the module docstring
before changing anything.
"""

import functools
import hashlib
import logging
import os
import pickle
import stat
import time
import types
from unittest import mock

import fixtures
from oslo_vmware import api
from oslo_vmware import vim as vim_mod
from oslotest import base

from nova.virt.vmwareapi.ownership.vsphere.wsdl import cache as wsdl_cache
from nova.virt.vmwareapi.ownership.vsphere.wsdl import client as wsdl_client
from nova.virt.vmwareapi.ownership.vsphere.wsdl import fetch as wsdl_fetch
from support import vim_wsdl

ENDPOINT = types.SimpleNamespace(
    scheme='https', host='vc.example.test', port=443, ca_file='/ca.pem',
    insecure=False, username='admin', password='s3cret-Pa55')
SOAP_URL = 'https://vc.example.test:443/sdk'


def answer(client):
    return vim_wsdl.soap_exchange(client)[1]


class CacheTestCase(base.BaseTestCase):
    """A cache in a temporary folder; the download replaced."""

    def setUp(self):
        super().setUp()
        self.root = self.useFixture(fixtures.TempDir()).path
        self.folder = os.path.join(self.root, 'nova-vmware-owner', 'wsdl')
        self.documents = dict(vim_wsdl.WSDL_DOCUMENTS)
        self.fetch = self.useFixture(fixtures.MockPatchObject(
            wsdl_fetch, 'fetch_documents', autospec=True,
            side_effect=lambda *a, **k: dict(self.documents))).mock

    def vim(self, folder=None, cache=None):
        cache = cache or wsdl_cache.WsdlCache(
            self.folder if folder is None else folder)
        made = cache.vim(ENDPOINT, 7)
        return made, cache.last_source

    def entry(self):
        return os.path.join(self.folder,
                            wsdl_cache.cache_key(self.documents))

    def pickle_path(self):
        return os.path.join(self.entry(), 'client.pickle')


class SessionDetailsTestCase(base.BaseTestCase):
    """The private details of oslo.vmware's session ``open_session`` uses."""

    def test_session_takes_vim_and_logs_in(self):
        # VMwareAPISession.vim returns _vim once set; __init__ logs in with
        # _create_session.
        session = api.VMwareAPISession('vc', 'u', 'p', 1, 0.5,
                                       create_session=False)
        self.assertIsNone(vars(session)['_vim'])
        session._vim = sentinel = object()
        self.assertIs(sentinel, session.vim)
        with mock.patch.object(api.VMwareAPISession, '_create_session',
                               autospec=True) as login:
            session = api.VMwareAPISession('vc', 'u', 'p', 1, 0.5)
        login.assert_called_once_with(session)


class FallbackTestCase(CacheTestCase):
    """Every failure of the cache falls back; nothing is fatal."""

    def assert_rebuilt(self):
        vim, source = self.vim()
        self.assertEqual(wsdl_cache.BUILT, source)
        self.assertEqual(answer(vim.client), answer(self.vim()[0].client))
        self.assertEqual(wsdl_cache.HIT, self.vim()[1])

    def corrupt(self, change):
        self.vim()
        with open(self.pickle_path(), 'rb') as f:
            data = f.read()
        with open(self.pickle_path(), 'wb') as f:
            f.write(change(data))

    def test_flipped_byte_rebuilt(self):
        self.corrupt(lambda data: data[:-100] + bytes([data[-100] ^ 1]) +
                     data[-99:])
        self.assert_rebuilt()

    def test_truncated_rebuilt(self):
        self.corrupt(lambda data: data[:len(data) // 2])
        self.assert_rebuilt()

    def test_empty_or_foreign_format_rebuilt(self):
        for change in (lambda data: b'', lambda data: b'garbage' + data):
            with self.subTest(change=change):
                self.corrupt(change)
                self.assert_rebuilt()

    def test_unloadable_pickle_rebuilt(self):
        # Checksummed but written by other code (a class gone since).
        self.vim()
        payload = pickle.dumps(types.SimpleNamespace())
        payload = payload.replace(b'types', b'typez')
        with open(self.pickle_path(), 'wb') as f:
            f.write(wsdl_cache._MAGIC + hashlib.sha256(payload).digest() +
                    payload)
        self.assert_rebuilt()

    def test_entry_the_client_cannot_use_rebuilt(self):
        self.vim()
        self.useFixture(fixtures.MockPatchObject(
            wsdl_client, 'loads', autospec=True, return_value=None))
        self.assertEqual(wsdl_cache.BUILT, self.vim()[1])

    def test_missing_documents_not_needed_when_cached(self):
        self.vim()
        os.unlink(os.path.join(self.entry(), 'vim-types.xsd'))
        self.assertEqual(wsdl_cache.HIT, self.vim()[1])

    def test_no_cache_folder_configured(self):
        vim, source = self.vim(folder='')
        self.assertEqual(wsdl_cache.UNCACHED, source)
        self.assertIn('VMware & co', answer(vim.client))
        self.assertFalse(os.path.exists(self.folder))

    def test_folder_that_cannot_be_made(self):
        blocker = os.path.join(self.root, 'file')
        open(blocker, 'w').close()
        vim, source = self.vim(folder=os.path.join(blocker, 'wsdl'))
        self.assertEqual(wsdl_cache.UNCACHED, source)
        self.assertIn('VMware & co', answer(vim.client))

    def test_folder_not_ours(self):
        if os.geteuid() != 0:
            self.skipTest('needs root to give a folder to someone else')
        os.makedirs(self.folder, mode=0o700)
        os.chown(self.folder, 65534, 65534)
        self.assertEqual(wsdl_cache.UNCACHED, self.vim()[1])
        self.assertEqual([], os.listdir(self.folder))

    def test_symlinked_folder_not_followed(self):
        real = os.path.join(self.root, 'elsewhere')
        os.makedirs(real, mode=0o700)
        os.makedirs(os.path.dirname(self.folder))
        os.symlink(real, self.folder)
        self.assertEqual(wsdl_cache.UNCACHED, self.vim()[1])
        self.assertEqual([], os.listdir(real))

    def test_pickle_writable_by_others_not_loaded(self):
        self.vim()
        os.chmod(self.pickle_path(), 0o666)
        self.assert_rebuilt()
        self.assertEqual(0o600, stat.S_IMODE(os.stat(
            self.pickle_path()).st_mode))

    def test_scratch_folder_lives_with_the_cache(self):
        cache = wsdl_cache.WsdlCache(None)
        self.vim(cache=cache)
        scratch = cache._scratch.name
        self.assertTrue(os.path.exists(os.path.join(scratch,
                                                    'vimService.wsdl')))
        cache._scratch.cleanup()
        self.assertFalse(os.path.exists(scratch))


class LayoutTestCase(CacheTestCase):

    def test_entry_files_and_permissions(self):
        self.vim()
        self.assertEqual(0o700, stat.S_IMODE(os.stat(self.folder).st_mode))
        self.assertEqual(0o700, stat.S_IMODE(os.stat(self.entry()).st_mode))
        self.assertEqual(sorted(list(self.documents) + ['client.pickle']),
                         sorted(os.listdir(self.entry())))
        for name in os.listdir(self.entry()):
            self.assertEqual(0o600, stat.S_IMODE(os.stat(os.path.join(
                self.entry(), name)).st_mode))

    def test_loose_folder_tightened(self):
        os.makedirs(self.folder)
        os.chmod(self.folder, 0o755)
        self.assertEqual(wsdl_cache.BUILT, self.vim()[1])
        self.assertEqual(0o700, stat.S_IMODE(os.stat(self.folder).st_mode))

    def test_other_wsdl_other_entry(self):
        first, _ = self.vim()
        self.documents['vim-types.xsd'] = self.documents[
            'vim-types.xsd'].replace(b'AboutInfo">', b'AboutInfo">\n ')
        self.assertEqual(wsdl_cache.BUILT, self.vim()[1])
        self.assertEqual(2, len(os.listdir(self.folder)))

    def test_key(self):
        key = wsdl_cache.cache_key(self.documents)
        self.assertEqual(key, wsdl_cache.cache_key(dict(self.documents)))
        renamed = {('x' + name): content
                   for name, content in self.documents.items()}
        changed = dict(self.documents, **{'vim.wsdl': b' '})
        self.assertEqual(3, len({key, wsdl_cache.cache_key(renamed),
                                 wsdl_cache.cache_key(changed)}))
        with mock.patch.object(wsdl_cache.suds, '__version__', '0.0'):
            self.assertNotEqual(key, wsdl_cache.cache_key(self.documents))

    def test_unused_entries_and_leftovers_pruned(self):
        self.vim()
        old = time.time() - wsdl_cache.MAX_AGE - 10
        os.utime(self.pickle_path(), (old, old))
        os.utime(self.entry(), (old, old))
        stale = self.entry()
        others = [os.path.join(self.folder, 'vcsim'),
                  os.path.join(self.folder, 'notes.txt')]
        os.makedirs(others[0])
        os.utime(others[0], (old, old))
        open(others[1], 'w').close()
        self.documents['vim.wsdl'] += b' '
        self.vim()
        leftover = os.path.join(self.entry(), '.tmp-killed')
        open(leftover, 'w').close()
        os.utime(leftover, (time.time() - 7200,) * 2)
        self.documents['vim.wsdl'] += b' '
        self.vim()
        self.assertFalse(os.path.exists(stale))
        self.assertFalse(os.path.exists(leftover))
        for other in others:
            self.assertTrue(os.path.exists(other))

    def test_default_directory(self):
        cases = [
            ({'NOVA_VMWARE_OWNER_WSDL_CACHE': '/srv/c'}, '/srv/c'),
            ({'NOVA_VMWARE_OWNER_WSDL_CACHE': ''}, None),
            ({'XDG_CACHE_HOME': '/x'}, '/x/nova-vmware-owner/wsdl'),
            ({'XDG_CACHE_HOME': 'rel'},
             os.path.expanduser('~/.cache/nova-vmware-owner/wsdl')),
            ({}, os.path.expanduser('~/.cache/nova-vmware-owner/wsdl')),
        ]
        for environ, expected in cases:
            self.assertEqual(expected,
                             wsdl_cache.default_directory(environ))

    def test_download_arguments(self):
        self.vim()
        self.fetch.assert_called_once_with(
            SOAP_URL + '/vimService.wsdl', '/ca.pem', 7)


class OpenSessionTestCase(CacheTestCase):

    class Session(api.VMwareAPISession):
        logins = 0

        def _create_session(self):
            self.logins += 1

    def session(self, session_class):
        return functools.partial(session_class, 'vc.example.test', 'admin',
                                 's3cret-Pa55', 1, 0.5,
                                 connection_timeout=7)

    def test_session_gets_the_vim_and_logs_in(self):
        cache = wsdl_cache.WsdlCache(self.folder)
        made = []

        def new_session(**kwargs):
            made.append(kwargs)
            return self.session(self.Session)(**kwargs)
        session = wsdl_cache.open_session(new_session, ENDPOINT, 7,
                                          cache=cache)
        self.assertIsInstance(session.vim, vim_mod.Vim)
        self.assertIs(session._vim, session.vim)
        self.assertEqual(1, session.logins)
        self.assertEqual([dict(wsdl_loc=session.vim.wsdl_url,
                               create_session=False)], made)
        self.assertTrue(
            session.vim.wsdl_url.startswith('file://' + self.folder))
        self.assertEqual(wsdl_cache.BUILT, cache.last_source)
        again = wsdl_cache.open_session(self.session(self.Session),
                                        ENDPOINT, 7, cache=cache)
        self.assertEqual(wsdl_cache.HIT, cache.last_source)
        self.assertIsInstance(again.vim, wsdl_client._CachedVim)

    def test_session_that_builds_its_own_vim(self):
        class Own(self.Session):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                del self._vim

        logger = self.useFixture(fixtures.FakeLogger(level=logging.WARNING))
        session = wsdl_cache.open_session(
            self.session(Own), ENDPOINT, 7,
            cache=wsdl_cache.WsdlCache(self.folder))
        self.assertEqual(1, session.logins)
        self.assertIn('builds its own', logger.output)

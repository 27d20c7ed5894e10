"""nova's compute_id files, read as nova-compute reads them."""

import os

import fixtures
from oslotest import base

from nova.virt.vmwareapi.ownership.novadb import identity
from support import fakes


class ReadTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.etc = self.useFixture(fixtures.TempDir()).path
        self.state = self.useFixture(fixtures.TempDir()).path
        self.conf = os.path.join(self.etc, 'nova.conf')

    def write(self, folder, text):
        path = os.path.join(folder, 'compute_id')
        with open(path, 'w') as f:
            f.write(text)
        return path

    def read(self):
        return identity.read([self.conf], self.state)

    def test_none_yet(self):
        found = self.read()
        self.assertEqual((None, None), (found.node, found.error))
        self.assertEqual(os.path.join(self.state, 'compute_id'), found.path)
        self.assertEqual((os.path.join(self.etc, 'compute_id'),
                          os.path.join(self.state, 'compute_id')),
                         found.looked_in)

    def test_state_path_or_beside_a_config_file(self):
        for folder in (self.state, self.etc):
            with self.subTest(folder=folder):
                path = self.write(folder, fakes.NODE_A + '\n')
                found = self.read()
                self.assertEqual((fakes.NODE_A, path, None),
                                 (found.node, found.path, found.error))
                os.unlink(path)

    def test_the_same_uuid_twice_is_fine(self):
        self.write(self.etc, fakes.NODE_A)
        self.write(self.state, fakes.NODE_A)
        self.assertEqual(fakes.NODE_A, self.read().node)

    def test_what_nova_refuses(self):
        self.write(self.etc, fakes.NODE_A)
        self.write(self.state, fakes.NODE_B)
        found = self.read()
        self.assertIsNone(found.node)
        self.assertIn('they differ', found.error)
        self.write(self.state, 'not-a-uuid')
        self.assertIn('does not hold a uuid', self.read().error)

    def test_unreadable(self):
        os.mkdir(os.path.join(self.state, 'compute_id'))
        found = self.read()
        self.assertIsNone(found.node)
        self.assertIn(os.path.join(self.state, 'compute_id'), found.error)

"""Where a record lives, as messages name it."""

from oslotest import base

from nova.virt.vmwareapi.ownership import location as location_mod
from support import messages

LOCATION = location_mod.Location('DC0_C0', 'https://vc.example.test:443',
                                 cluster_moref='domain-c7',
                                 attribute='openstack.nova.owner')


class LocationTestCase(base.BaseTestCase):

    def test_location(self):
        self.assertEqual("cluster 'DC0_C0' (domain-c7) on vCenter "
                         "https://vc.example.test:443", str(LOCATION))
        self.assertIn('openstack.nova.owner', repr(LOCATION))
        self.assertIn('?', str(location_mod.Location('c', 'vc')))

    def test_values_as_vcenter_hands_them_over_are_escaped(self):
        forged = messages.vim_text(messages.FORGED)
        text = str(location_mod.Location(forged, forged, forged))
        self.assertTrue(text.isprintable(), text)

    def test_a_value(self):
        self.assertEqual(LOCATION, location_mod.Location(
            'DC0_C0', 'https://vc.example.test:443', 'domain-c7',
            'openstack.nova.owner'))
        self.assertRaises(AttributeError, setattr, LOCATION, 'cluster', 'x')

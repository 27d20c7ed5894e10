"""The release's metadata: licence, dependency bounds, nova range.

``tox -e lower`` installs ``lower-constraints.txt``; it must say exactly
setup.cfg's lower bounds, or the tier would test versions setup.cfg does
not allow (or miss one it does). The built wheel itself is checked by
``tools/check-release`` (``tox -e release``).
"""

import configparser
import os
import re

from oslotest import base

import support

REQUIREMENT = re.compile(r'^([A-Za-z0-9_.\[\]-]+?)\s*([<>=!~].*)?$')


def setup_cfg():
    parser = configparser.ConfigParser()
    parser.read(os.path.join(support.REPO_ROOT, 'setup.cfg'))
    return parser


def requirements(text):
    found = {}
    for line in text.splitlines():
        line = line.split('#')[0].strip()
        if line:
            name, spec = REQUIREMENT.match(line).groups()
            found[name.lower().replace('_', '-')] = spec or ''
    return found


class PackagingTestCase(base.BaseTestCase):

    def test_lower_constraints_are_the_lower_bounds(self):
        bounds = {name: spec for name, spec in requirements(
            setup_cfg()['options']['install_requires']).items()}
        for name, spec in bounds.items():
            self.assertRegex(spec, r'^>=[\d.]+$', name)
        with open(os.path.join(support.REPO_ROOT,
                               'lower-constraints.txt')) as f:
            pins = requirements(f.read())
        self.assertEqual({name: '==' + spec[2:]
                          for name, spec in bounds.items()}, pins)

    def test_the_licence_ships(self):
        metadata = setup_cfg()['metadata']
        self.assertEqual('Apache-2.0', metadata['license'])
        self.assertEqual('LICENSE', metadata['license_files'].strip())
        with open(os.path.join(support.REPO_ROOT, 'LICENSE')) as f:
            text = f.read()
        self.assertIn('Apache License', text)
        self.assertIn('Version 2.0, January 2004', text)
        self.assertIn('END OF TERMS AND CONDITIONS', text)

    def test_nova_is_capped_to_the_releases_made_for(self):
        extra = setup_cfg()['options.extras_require']['nova'].strip()
        self.assertEqual('nova[vmware]>=31.0.0,<35', extra)

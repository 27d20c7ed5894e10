# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""Sphinx configuration of the nova-vmware-owner documentation.

The build needs no network: no intersphinx, and the option reference and
the sample configuration are generated from the installed package's
``oslo.config.opts`` entry point (namespace
``nova.virt.vmwareapi.ownership``). Diagrams need Graphviz's ``dot``. The
releases page's tables are generated here too, from the installed
package's ``nova_releases`` and the recorded test runs
(``tools/release-matrix render``).
"""

import os
import subprocess
import sys

subprocess.run([sys.executable, os.path.join(
    os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir,
    'tools', 'release-matrix'), 'render'], check=True)

extensions = [
    'sphinx.ext.graphviz',
    'oslo_config.sphinxext',
    'oslo_config.sphinxconfiggen',
]

# oslo_config.sphinxconfiggen: write the sample configuration into _static,
# so that it is published beside the pages (configuration.rst links it).
config_generator_config_file = (
    '../../etc/nova-vmware-owner-config-generator.conf')
sample_config_basename = '_static/nova-vmware-owner'

project = 'nova-vmware-owner'
copyright = 'nova-vmware-owner developers'
master_doc = 'index'
source_suffix = '.rst'
exclude_patterns = ['_build']
pygments_style = 'native'

graphviz_output_format = 'svg'
graphviz_dot_args = ['-Gfontname=sans-serif', '-Nfontname=sans-serif',
                     '-Efontname=sans-serif']

# openstackdocstheme when installed (doc/requirements.txt), Sphinx's default
# theme otherwise; neither fetches anything at build time.
try:
    import openstackdocstheme  # noqa: F401
except ImportError:
    html_theme = 'alabaster'
else:
    extensions.append('openstackdocstheme')
    html_theme = 'openstackdocs'
    openstackdocs_repo_name = 'openstack/nova-vmware-owner'
    openstackdocs_bug_project = 'nova-vmware-owner'
    openstackdocs_bug_tag = 'doc'
    openstackdocs_auto_name = False
    openstackdocs_use_storyboard = False

html_static_path = ['_static']
html_title = 'nova-vmware-owner'

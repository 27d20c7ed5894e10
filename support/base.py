"""The simulator's test case and its helpers: stores, config files, counts.

Settings, the fake clock and the fake node identity are ``fakes``',
defined once for every tier.
"""

import collections
import os
import re
import secrets
import shutil
import subprocess
import sys

import fixtures
import testtools

from nova.virt.vmwareapi.ownership import location as location_mod
from nova.virt.vmwareapi.ownership import view as view_mod
from nova.virt.vmwareapi.ownership.vsphere import clusters
from nova.virt.vmwareapi.ownership.vsphere import store as store_mod
from nova.virt.vmwareapi.ownership.vsphere import vcenter
from support import fakes
from support import sharing

CLUSTER = 'DC0_C0'

COMMAND_TIMEOUT = 60
"""Bound of one ``nova-vmware-owner`` subprocess (seconds)."""


settings = fakes.settings
FakeClock = fakes.FakeClock
FakeIdentity = fakes.FakeIdentity


def unique_attribute():
    """An attribute name of its own.

    Tests sharing a simulator and a cluster then do not see each other's
    records.
    """
    return 'test.owner.' + secrets.token_hex(4)


def make_store(session, attribute, cluster=CLUSTER, where=None):
    """The ``VCenterStore`` of ``cluster`` through ``session``.

    :param where: the vCenter as messages name it (default: the endpoint)
    """
    ref = clusters.find_cluster(session, cluster)
    location = location_mod.Location(cluster, where or str(session.endpoint),
                                     cluster_moref=ref.value,
                                     attribute=attribute)
    return store_mod.VCenterStore(session, ref, attribute, location)


def view_of(store):
    """What a reader sees now: the ``view.View`` of one fresh reading."""
    return view_mod.interpret(store.read(), store.location)


class RoundTrips:
    """Counts the SOAP requests a session sends, by vSphere method.

    Counted at the HTTP transport, so every request is seen, oslo.vmware's
    own (session checks, logins) included.

    :param before: called with the method of each request before it is
                   sent; it may return a ``suds.transport.Reply`` that
                   answers in vCenter's place (the request is then not
                   sent), or raise what the transport would raise
    """

    _METHOD = re.compile(rb'<(?:[\w-]+:)?Body[^>]*>\s*<(?:[\w-]+:)?(\w+)')

    def __init__(self, session, before=None):
        self.methods = []
        transport = session.vim.client.options.transport
        send = transport.send

        def counting_send(request):
            found = self._METHOD.search(request.message or b'')
            method = found.group(1).decode() if found else '?'
            self.methods.append(method)
            reply = before(method) if before is not None else None
            return reply if reply is not None else send(request)

        transport.send = counting_send
        self._undo = lambda: setattr(transport, 'send', send)

    def __len__(self):
        return len(self.methods)

    def by_method(self):
        return collections.Counter(self.methods)

    def stop(self):
        self._undo()


class SimulatorTestCase(sharing.SharedSimulatorMixin, testtools.TestCase):
    """A test case on the run's simulator (``sharing``), its session and
    helpers; each test its own attribute.
    """

    SIMULATOR_OPTIONS = sharing.RUN_OPTIONS

    def setUp(self):
        super().setUp()
        self.attribute = unique_attribute()

    def make_store(self, session=None, cluster=CLUSTER, attribute=None):
        return make_store(session or self.session,
                          attribute or self.attribute, cluster,
                          where=self.simulator.url)

    def write_raw(self, store, text):
        """Write a value as a vSphere admin would, bypassing the guard."""
        store.write_attribute(store.ensure_attribute(), text)

    def remove_definition(self, store, name):
        """Remove the attribute or the lease by name, as an admin would."""
        reading = store.read()
        key = {store.attribute_name: reading.attribute_key,
               store.lease_name: reading.lease_key}[name]
        vcenter.invoke(self.session, 'RemoveCustomFieldDef',
                       vcenter.service_content(
                           self.session).customFieldsManager, key=key)

    def round_trips(self, session=None):
        """A ``RoundTrips`` counter of ``session``, undone at clean-up."""
        counter = RoundTrips(session or self.session)
        self.addCleanup(counter.stop)
        return counter

    def config_file(self, host, attribute=None, **changes):
        """A nova.conf for ``nova-vmware-owner`` against the simulator.

        :param changes: of ``write_config``
        """
        return write_config(self.useFixture(fixtures.TempDir()).path,
                            self.simulator, host, attribute or self.attribute,
                            **changes)

    def run_command(self, *args, timeout=COMMAND_TIMEOUT):
        """Run ``nova-vmware-owner`` as a subprocess; return the result."""
        return run_command(*args, timeout=timeout)


def write_config(folder, sim, host, attribute, cluster=CLUSTER, password=None,
                 port=None, ca_file=None, extra='', restricted=False):
    """Write a nova.conf for ``nova-vmware-owner`` against ``sim``.

    :param folder: where (``nova.conf`` in it)
    :param password: ``port``, ``ca_file``: instead of the simulator's
    :param extra: more lines of ``[vmware_ownership]``
    :param restricted: as the simulator's restricted user
    :returns: its path
    """
    username = sim.username
    if restricted:
        username = sim.restricted_username
        password = password or sim.restricted_password
    path = os.path.join(folder, 'nova.conf')
    with open(path, 'w') as conf:
        conf.write(
            '[DEFAULT]\nhost = %s\n'
            '[vmware]\nhost_ip = 127.0.0.1\nhost_port = %d\n'
            'host_username = %s\nhost_password = %s\nca_file = %s\n'
            'cluster_name = %s\napi_retry_count = 1\n'
            '[vmware_ownership]\nattribute_name = %s\n%s'
            % (host, port or sim.port, username, password or sim.password,
               ca_file or sim.ca_file, cluster, attribute, extra))
    return path


def run_command(*args, timeout=COMMAND_TIMEOUT):
    """Run ``nova-vmware-owner`` as a subprocess; return the result."""
    return subprocess.run(command_argv() + list(args), capture_output=True,
                          text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def command_argv():
    """How to run ``nova-vmware-owner``.

    The installed console script when there is one (tox installs the
    wheel), else the same entry point from the source tree.
    """
    command = shutil.which('nova-vmware-owner')
    return [command] if command else [
        sys.executable, '-c',
        'from nova.virt.vmwareapi.ownership import cmd; cmd.main()']

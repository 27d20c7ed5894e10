"""A cluster moved from host-a to host-b in nova's harness: the base class.

``RehomeTestCase`` runs the operator's steps in process against the
harness: stop host-a, mark it down, ``takeover --host host-b`` (the
operations layer against the simulator), and ``rehome`` (the command's own
``cli.rehome.rehome`` on the harness's cell database; the harness keeps its
databases in this process, where a subprocess could not reach them).
"""

import types

from nova import context as nova_context
from nova import objects

from nova.virt.vmwareapi.ownership.cli import console as console_mod
from nova.virt.vmwareapi.ownership.cli import context
from nova.virt.vmwareapi.ownership.cli import rehome as rehome_cli
from nova.virt.vmwareapi.ownership import decision
from nova.virt.vmwareapi.ownership import fencing
from nova.virt.vmwareapi.ownership.novadb import rehome as rehome_nova
from nova.virt.vmwareapi.ownership import operations
from nova.virt.vmwareapi.ownership import opts
from nova.virt.vmwareapi.ownership.vsphere import vcenter
from support import base
from support import service

CONF = service.CONF
OLD = 'host-a'
NEW = 'host-b'


class NoTerminal(console_mod.Console):
    """A console without a terminal that records what it was asked.

    :param on_confirm: called when the command asks for confirmation,
                       after planning and before writing
    """

    def __init__(self, on_confirm=None):
        super().__init__(stdin=_NotATerminal(), stdout=_NotATerminal(),
                         stderr=_NotATerminal())
        self.on_confirm = on_confirm

    def confirm(self, command, summary, expected=None, assume_yes=False):
        super().confirm(command, summary, expected, assume_yes)
        if self.on_confirm is not None:
            self.on_confirm()


class _NotATerminal:

    def isatty(self):
        return False

    def write(self, text):
        pass

    def flush(self):
        pass


class RehomeTestCase(service.ServiceTestCase):

    def setUp(self):
        super().setUp()
        self.ctxt = nova_context.get_admin_context()
        # The cell database, as [database] connection names it for the
        # command.
        nova_context.set_target_cell(self.ctxt, self.cell_mappings['cell1'])
        self.store = base.make_store(
            self.vcenter, CONF.vmware_ownership.attribute_name,
            service.harness.CLUSTER, where='simulator')
        self.location = self.store.location
        self.node_name = '%s.%s' % (self.location.cluster_moref,
                                    vcenter.vcenter_uuid(self.vcenter))

    # The operator's steps.

    def stop_and_mark_down(self, host=OLD):
        self.computes.pop(host).stop()
        (svc,) = self.services(host)
        self.admin_api.put_service_force_down(svc['id'], True)

    def takeover(self, host=NEW):
        plan = operations.plan(decision.Change.TAKEOVER,
                               fencing.settle(self.store), host,
                               self.vcenter_context().now(), self.location)
        return operations.apply(self.store, plan)

    def vcenter_context(self, command=None, vmware=True, nova=None):
        """The command's context, on the harness's configuration."""
        conf = types.SimpleNamespace(host=NEW, command=command)
        if not vmware:
            return context.Context(conf, nova=nova)
        return context.Context(conf, opts.settings(CONF.vmware_ownership),
                               self.store, vcenter.vcenter_uuid(self.vcenter),
                               nova=nova)

    def rehome(self, old=OLD, new=NEW, dry_run=False, yes=True,
               vmware=True, console=None):
        """Run the ``rehome`` command's body; returns ``(state, text)``."""
        command = types.SimpleNamespace(from_host=old, to_host=new,
                                        dry_run=dry_run, yes=yes)
        nova = context.NovaDatabases(rehome_nova, self.ctxt,
                                     CONF.service_down_time)
        ctx = self.vcenter_context(command, vmware, nova)
        try:
            return rehome_cli.rehome(ctx, console=console or NoTerminal())
        finally:
            # The harness maps a compute's host at its first start, as
            # "nova-manage cell_v2 discover_hosts" would; like that command
            # it must skip a host that is mapped already (the moved one).
            for mapping in objects.HostMappingList.get_all(self.ctxt):
                self.host_mappings.setdefault(mapping.host, mapping)

    WAIT_RETRIES = 60
    """Polls (0.5 s apart) for a server's state, 30 s at most."""

    def boot(self):
        """Boot a server to ACTIVE from an image of its own.

        The simulator does not answer nova's search of an image cache
        folder that already holds the image (nova's second boot of one
        image); each server gets its own image instead.
        """
        server = self.api.post_server({'server': self._build_server(
            image_uuid=self._create_vmdk_image(), flavor_id=self.flavor,
            networks='none')})
        return self._wait_for_state_change(server, 'ACTIVE',
                                           self.WAIT_RETRIES)

    def power(self, server, action, status):
        """``os-stop``/``os-start`` a server; wait for ``status``."""
        self.api.post_server_action(server['id'], {action: None})
        return self._wait_for_state_change(server, status,
                                           self.WAIT_RETRIES)

    def move(self, servers=2):
        """host-a boots ``servers``, stops; the cluster moves to host-b."""
        self.start_compute(OLD)
        booted = [self.boot() for _ in range(servers)]
        self.stop_and_mark_down()
        self.takeover()
        return booted

    # What nova's database says.

    def records(self):
        """Every host-named record of the cluster, to compare states."""
        hosts = self.db_hosts()
        with nova_context.target_cell(
                self.ctxt, self.cell_mappings['cell1']) as cell:
            hosts['instances'] = sorted(
                (i.uuid, i.host) for i in objects.InstanceList.get_all(cell))
            hosts['forced_down'] = sorted(
                (s.host, s.forced_down)
                for s in objects.ServiceList.get_all(cell)
                if s.binary == 'nova-compute')
        hosts['aggregates'] = sorted(
            (a.name, tuple(a.hosts or ()))
            for a in objects.AggregateList.get_all(self.ctxt))
        return hosts

    def record(self):
        return base.view_of(self.store).record


class TakenOverTestCase(RehomeTestCase):
    """host-a booted ``SERVERS`` servers and stopped; host-b took over.

    :ivar before: every host-named record, as ``records()`` gives it
    """

    SERVERS = 1

    def setUp(self):
        super().setUp()
        self.servers = self.move(self.SERVERS)
        self.before = self.records()

"""What every command works with, and how a command is declared.

A command is a ``Command`` value: its name, its help, the arguments it
adds to its own parser, how its ``Context`` is opened and its handler.
``main`` builds the parsers from these values and runs the one that was
asked for; nothing else lists the commands.

The ``Context`` is the same for every command: the parsed configuration,
the validated ``[vmware_ownership]`` settings and the clock, and what the
command opened: a vCenter session, the configured cluster's store, nova's
databases. ``close`` ends what was opened.
"""

import dataclasses
import typing

from nova.virt.vmwareapi.ownership import clock as clock_mod
from nova.virt.vmwareapi.ownership import decision
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import fencing
from nova.virt.vmwareapi.ownership import liveness
from nova.virt.vmwareapi.ownership import location as location_mod
from nova.virt.vmwareapi.ownership.novadb import loader
from nova.virt.vmwareapi.ownership import opts
from nova.virt.vmwareapi.ownership import state as state_mod
from nova.virt.vmwareapi.ownership import text as text_mod
from nova.virt.vmwareapi.ownership import view as view_mod
from nova.virt.vmwareapi.ownership.vsphere import clusters
from nova.virt.vmwareapi.ownership.vsphere import store as store_mod
from nova.virt.vmwareapi.ownership.vsphere import vcenter
from nova.virt.vmwareapi.ownership.vsphere import vmware_opts


@dataclasses.dataclass(frozen=True)
class NovaDatabases:
    """nova's databases, configured as nova-manage's, for one command.

    :ivar records: the ``novadb`` module the command reads nova through
                   (``novadb.rehome``, ``novadb.fleet``)
    :ivar context: nova's admin ``RequestContext``
    :ivar service_down_time: nova's ``service_down_time``, seconds
    """

    records: typing.Any
    context: typing.Any = None
    service_down_time: int = 60

    @classmethod
    def open(cls, conf, module, command):
        """Import nova and configure it from the command's files.

        :param module: the name of the ``novadb`` module to read through
        :param command: the command, for ``NovaNotInstalled``
        :raises: NovaNotInstalled, NovaDatabaseUnavailable
        """
        database = loader.load_nova('database', command)
        records = loader.load_nova(module, command)
        ctxt, service_down_time = database.configure(
            conf.config_file or (), conf.config_dir or ())
        return cls(records, ctxt, service_down_time)


@dataclasses.dataclass
class Context:
    """What a command works with: its options, and what it opened.

    ``connect`` opens one from the configuration; the constructor takes
    what it is given (tests give it an in-memory store).

    :ivar conf: the parsed configuration (``host``, ``command``)
    :ivar settings: the validated ``opts.Settings`` (``None`` for a
                    command that does not use vCenter)
    :ivar store: the configured cluster's ``store.ClusterStore`` (``None``
                 for a command without a cluster); its ``location`` names
                 the cluster
    :ivar vcenter_uuid: the vCenter's instance UUID, for the output
    :ivar session: the ``session.Session`` to log out of at the end
    :ivar nova: ``NovaDatabases`` for a command that reads nova's records
    :ivar clock: a ``clock.Clock``
    :ivar namesakes: when several clusters have the configured name, each
                     of them (``clusters.NamedCluster``), the one acted on
                     first; else empty
    """

    conf: typing.Any
    settings: opts.Settings = None
    store: typing.Any = None
    vcenter_uuid: str = None
    session: typing.Any = None
    nova: NovaDatabases = None
    clock: clock_mod.Clock = clock_mod.SYSTEM
    namesakes: tuple = ()
    _watch: liveness.HolderWatch = dataclasses.field(default=None,
                                                     init=False, repr=False)

    @classmethod
    def connect(cls, conf, cluster=True, nova=None, clock=clock_mod.SYSTEM,
                login=True):
        """Validate the options, open nova if asked, log in to vCenter.

        The options are checked before anything is opened, nova's
        databases before vCenter is.

        :param cluster: find the cluster of ``--cluster-moref`` or
                        ``[vmware] cluster_name`` and make its store
        :param nova: called to open ``NovaDatabases``, or ``None``
        :param login: log in to vCenter; without, a command without a
                      cluster logs in by itself (``list --serve``, again
                      after each failure)
        :raises: ConfigurationError (NovaNotInstalled,
                 NovaDatabaseUnavailable), VCenterError
        """
        settings = opts.settings(conf.vmware_ownership)
        endpoint = vmware_opts.endpoint(conf)
        moref = conf.cluster_moref if cluster else None
        if cluster and not moref:
            vmware_opts.cluster_name(conf)  # raises when it is not set
        databases = nova() if nova is not None else None
        if not login:
            return cls(conf, settings, nova=databases, clock=clock)
        session = vcenter.connect(endpoint, conf.timeout)
        store, namesakes = None, ()
        if cluster:
            found = _find_cluster(session, conf, moref)
            namesakes = found if len(found) > 1 else ()
            location = location_mod.Location(
                found[0].name, str(endpoint), cluster_moref=found[0].moref,
                attribute=settings.attribute_name)
            store = store_mod.VCenterStore(session, found[0].ref,
                                           settings.attribute_name, location)
        return cls(conf, settings, store, vcenter.vcenter_uuid(session),
                   session, databases, clock, namesakes)

    @property
    def this_host(self):
        """nova's ``[DEFAULT] host`` of this machine."""
        return self.conf.host

    @property
    def location(self):
        """The cluster, a ``location.Location``."""
        return self.store.location

    @property
    def watch(self):
        """The ``liveness.HolderWatch`` that judges the holders read."""
        if self._watch is None:
            self._watch = liveness.HolderWatch(
                liveness.new_holder_id(), self.settings.lease_duration,
                self.clock.now)
        return self._watch

    def now(self):
        return self.clock.utcnow()

    def view(self):
        """One reading of the cluster (1 round trip)."""
        return view_mod.interpret(self.store.read(), self.location)

    def settled_view(self, on_wait=None):
        """A reading with no change in progress (see ``fencing.settle``)."""
        return fencing.settle(self.store, self.clock, on_wait=on_wait)

    def state(self, view):
        """``show``'s JSON object of ``view`` for this host.

        With ``namesakes``: the other clusters of the same name.
        """
        assessment = decision.assess(view, self.this_host, self.watch,
                                     sync_node_identity=False)
        state = state_mod.state_dict(view, assessment.liveness,
                                     self.this_host, self.location,
                                     self.vcenter_uuid, self.store.lease_name,
                                     self.settings.cloud)
        state['namesakes'] = self.namesake_list()[1:]
        return state

    def namesake_list(self):
        """``namesakes`` as plain values: ``cluster_moref``, ``datacenter``.
        """
        return [{'cluster_moref': found.moref, 'datacenter': found.datacenter}
                for found in self.namesakes]

    def close(self):
        """Log out of vCenter, if logged in."""
        if self.session is None:
            return
        try:
            self.session.logout()
        except Exception:  # noqa: BLE001 - logout is best effort at exit
            pass


def _find_cluster(session, conf, moref):
    """The cluster of ``--cluster-moref`` or ``[vmware] cluster_name``.

    By name, as nova's driver finds it (``clusters.find_clusters``).

    :returns: ``clusters.NamedCluster`` values, the one to act on first;
              several only when several clusters have the name
    :raises: ClusterNotFound, ConfigurationError (the cluster of
             ``--cluster-moref`` has another name than ``[vmware]
             cluster_name``), VCenterError
    """
    if not moref:
        return clusters.find_clusters(session, conf.vmware.cluster_name)
    found = clusters.cluster_by_moref(session, moref)
    name = conf.vmware.cluster_name
    if name and found.name != name:
        raise exceptions.ConfigurationError(
            options=('--cluster-moref', '[vmware] cluster_name'),
            problem='cluster %s is named %r, not %r: the command acts on '
            'the cluster of this configuration' % (
                moref, text_mod.printable(found.name), name))
    return (found,)


def connect_cluster(conf):
    """The context of a command on the configured cluster."""
    return Context.connect(conf)


def _no_arguments(parser):
    pass


def _nothing_to_check(conf):
    pass


@dataclasses.dataclass(frozen=True)
class Command:
    """One command of ``nova-vmware-owner``, declared where it is handled.

    :ivar name: the command's name
    :ivar help: what it does, for ``--help``
    :ivar run: the handler, ``run(ctx, fmt)``: prints the result and
               returns the exit code; refusals and failures are raised
    :ivar arguments: adds the command's own arguments to its parser
    :ivar open: makes the command's ``Context`` from the configuration
    :ivar check: checks the command's own arguments (``conf.command``)
                 before anything is opened; raises ``ConfigurationError``
    :ivar formats: the choices of its ``--format``
    :ivar format_help: the help of its ``--format``
    """

    name: str
    help: str
    run: typing.Callable
    arguments: typing.Callable = _no_arguments
    open: typing.Callable = connect_cluster
    check: typing.Callable = _nothing_to_check
    formats: tuple = ('text', 'json')
    format_help: str = 'Output format (overrides the global one).'

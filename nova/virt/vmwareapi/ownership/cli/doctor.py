"""``doctor``: a preflight of the vCenter, the cluster, the user and nova.

Read-mostly: it reads the cluster's record and writes nothing of it; the
only things it writes are scratch definitions named
``<attribute>.doctor.<random>`` (the probe's, and its lease
``...lease.<moref>``) and values through them on the configured cluster,
and it removes them all, also when it fails midway or is interrupted
(SIGINT, SIGTERM). One line per check as it completes (``doctor.report``),
or one JSON object. The verdicts are ``doctor.checks``'s, the vSphere
calls ``vsphere.preflight``'s and ``vsphere.authorization``'s, the nova
side ``novadb``'s.

Exit codes (``main``): 0 nothing failed; 4 a check failed
(``ChecksFailed``); 2 doctor could not go on: configuration, connection,
TLS, login, the cluster, or vCenter stopped answering (the error itself,
after the lines so far). Every request is bounded by ``--timeout``, and a
request vCenter does not answer ends the vCenter checks.
"""

import secrets
import statistics
import sys

from oslo_config import cfg

from nova.virt.vmwareapi.ownership.cli import console
from nova.virt.vmwareapi.ownership.cli import context
from nova.virt.vmwareapi.ownership.cli import render
from nova.virt.vmwareapi.ownership import clock as clock_mod
from nova.virt.vmwareapi.ownership.doctor import checks
from nova.virt.vmwareapi.ownership.doctor import probe
from nova.virt.vmwareapi.ownership.doctor import report as report_mod
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import guard as guard_mod
from nova.virt.vmwareapi.ownership import location as location_mod
from nova.virt.vmwareapi.ownership.novadb import exceptions as nova_errors
from nova.virt.vmwareapi.ownership.novadb import identity
from nova.virt.vmwareapi.ownership.novadb import loader
from nova.virt.vmwareapi.ownership import opts
from nova.virt.vmwareapi.ownership import privileges
from nova.virt.vmwareapi.ownership import view as view_mod
from nova.virt.vmwareapi.ownership.vsphere import authorization
from nova.virt.vmwareapi.ownership.vsphere import clusters
from nova.virt.vmwareapi.ownership.vsphere import exceptions as vsphere_errors
from nova.virt.vmwareapi.ownership.vsphere import preflight
from nova.virt.vmwareapi.ownership.vsphere import store as store_mod
from nova.virt.vmwareapi.ownership.vsphere import vcenter
from nova.virt.vmwareapi.ownership.vsphere import vmware_opts

NAME = 'doctor'
HELP = ('Preflight before mode = enforce: the connection, TLS, login and '
        'latency; the cluster; every vCenter privilege nova-vmware-owner '
        'needs, one by one; the fencing probed on a scratch definition '
        '(removed again); the vCenter events a renewal costs; the clock; '
        'and nova\'s side where configured. One line per check: ok, warn or '
        'fail, and the fix. Exits 0 when no check failed, 4 when one did, '
        '2 on a configuration or connection error.')

READS = 5
"""Reads of the record whose median is the latency."""

RENEWALS = 2
"""Renewals of the scratch lease whose events are counted."""

EVENT_WAITS = (0.5, 1.0)
"""Seconds to wait before asking again for events not recorded yet."""

SCRATCH_HOST = 'nova-vmware-owner-doctor'
"""The host the scratch record names (never a real host)."""

_DATABASES = ('database', 'api_database')


def open_context(conf):
    """doctor's context: checked options, nothing opened yet.

    :raises: ConfigurationError
    """
    settings = opts.settings(conf.vmware_ownership)
    vmware_opts.endpoint(conf)
    vmware_opts.cluster_name(conf)
    for group in _DATABASES:
        conf.register_opts([cfg.StrOpt('connection', secret=True)], group)
    return context.Context(conf, settings)


class Doctor:
    """One run: the checks in order, printed as they complete.

    :param ctx: the command's ``context.Context`` (not connected)
    :param fmt: ``text`` (lines as they come) or ``json`` (at the end)
    """

    def __init__(self, ctx, fmt, clock=clock_mod.SYSTEM, out=None):
        self.conf = ctx.conf
        self.settings = ctx.settings
        self.fmt = fmt
        self.clock = clock
        self.out = out or sys.stdout
        self.endpoint = vmware_opts.endpoint(self.conf)
        self.cluster_name = vmware_opts.cluster_name(self.conf)
        self.attribute = self.settings.attribute_name
        self.prefix = '%s.doctor.' % self.attribute
        self.scratch = self.prefix + secrets.token_hex(4)
        self.checks = []
        self.not_checked = []
        self.session = self.cluster_ref = self.location = None
        self.view = None
        self.since = None
        self.lacking = set()
        self.probed = False
        self.about = (('vcenter', str(self.endpoint)),
                      ('user', self.endpoint.username),
                      ('cluster', self.cluster_name),
                      ('attribute', self.attribute),
                      ('scratch', self.scratch))

    def add(self, check):
        self.checks.append(check)
        if self.fmt == 'text':
            self.out.write(report_mod.line(check) + '\n')
            self.out.flush()

    def run(self):
        """Every check, in order.

        :returns: ``(checks.Report, the error that stopped it or None)``
        """
        if self.fmt == 'text':
            self.out.write(report_mod.heading(self.about) + '\n')
        stopped = None
        with console.terminated_as_interrupted():
            try:
                self.vcenter_checks()
            except exceptions.VCenterError as exc:
                stopped = exc
            finally:
                self.close(silent=isinstance(
                    stopped, vsphere_errors.VCenterUnreachable))
        self.nova_checks()
        return checks.Report(
            self.about + (('vcenter_uuid', vcenter.vcenter_uuid(
                self.session) if self.session else None),),
            tuple(self.checks), tuple(self.not_checked),
            str(stopped) if stopped else None), stopped

    # vCenter, in order: each step may stop the run with a VCenterError.

    def vcenter_checks(self):
        timeout = self.conf.timeout
        address = '%s:%s' % (self.endpoint.host, self.endpoint.port)
        try:
            seconds = preflight.connect_time(self.endpoint, timeout)
        except exceptions.VCenterError as exc:
            self.add(checks.connection(address, error=exc))
            raise
        self.add(checks.connection(address, seconds))
        try:
            mode, detail = preflight.tls(self.endpoint, timeout)
        except exceptions.VCenterError as exc:
            self.add(checks.tls('failed', None, exc))
            raise
        self.add(checks.tls(mode, detail))
        try:
            self.session = vcenter.connect(self.endpoint, timeout)
        except exceptions.VCenterError as exc:
            self.add(checks.login(self.endpoint.username, error=exc))
            raise
        about = vcenter.service_content(self.session).about
        self.add(checks.login(self.endpoint.username,
                              getattr(about, 'fullName', None)))
        self.find_cluster()
        self.step('latency', self.latency)
        self.step('clock', self.clock_offset)
        self.step('privileges', self.privileges)
        self.step('scratch definitions', self.leftovers)
        self.step('fencing', self.fencing)
        if self.probed:
            self.step('events', self.events)

    def step(self, name, call):
        """Run one step; a fault of vCenter fails it, silence stops all."""
        try:
            call()
        except (vsphere_errors.VCenterUnreachable,
                vsphere_errors.VCenterLoginFailed) as exc:
            self.add(checks.fail(name, str(exc), 'Run doctor again once '
                                 'vCenter answers.'))
            raise
        except exceptions.VCenterError as exc:
            self.add(checks.fail(name, str(exc), 'See the error.'))

    def find_cluster(self):
        """The cluster nova's driver manages, found as it finds it."""
        try:
            found = clusters.find_clusters(self.session, self.cluster_name)
        except vsphere_errors.ClusterNotFound:
            self.add(checks.cluster(self.cluster_name, ()))
            raise
        except exceptions.VCenterError as exc:
            self.add(checks.cluster(self.cluster_name, (), exc))
            raise
        self.add(checks.cluster(self.cluster_name, [
            (cluster.moref, cluster.datacenter) for cluster in found]))
        self.cluster_ref = found[0].ref
        self.location = location_mod.Location(
            self.cluster_name, str(self.endpoint),
            cluster_moref=found[0].moref, attribute=self.attribute)

    def store(self, attribute):
        return store_mod.VCenterStore(self.session, self.cluster_ref,
                                      attribute, self.location)

    def latency(self):
        store = self.store(self.attribute)
        times = []
        for _ in range(READS):
            started = self.clock.now()
            reading = store.read()
            times.append(self.clock.now() - started)
        self.view = view_mod.interpret(reading, self.location)
        self.add(checks.latency(statistics.median(times), READS,
                                self.settings.request_timeout))

    def clock_offset(self):
        before = self.clock.utcnow()
        self.since = preflight.vcenter_time(self.session)
        after = self.clock.utcnow()
        self.add(checks.clock((self.since - (before + (after - before) / 2))
                              .total_seconds()))

    def privileges(self):
        scope = authorization.Scope(self.cluster_ref, store_mod.cluster_text(
            self.cluster_name, self.location.cluster_moref))
        places = (privileges.ROOT_FOLDER, privileges.CLUSTER)
        refs = {on: scope.ref(self.session, on) for on in places}
        held = authorization.held(self.session, refs.values(),
                                  privileges.ids(privileges.ALL))
        where = {on: scope.text(self.session, on) for on in places}
        for wanted in privileges.ALL:
            granted = {on: held.get((vcenter.moref_value(refs[on]),
                                     wanted.id), False) for on in places}
            if not granted[wanted.on]:
                self.lacking.add(wanted.id)
            self.add(checks.privilege(wanted, granted, where,
                                      self.endpoint.username))

    def leftovers(self):
        self.add(checks.leftovers(sorted(preflight.definitions(
            self.session, self.prefix))))

    def fencing(self):
        needed = [p.id for p in privileges.CHANGE if p.id in self.lacking]
        if needed:
            why = 'the user lacks %s' % ' and '.join(needed)
            fix = 'Grant the privileges above, then run doctor again.'
            self.add(checks.not_checked('fencing', why, fix))
            self.add(checks.not_checked('events', why, fix))
            return
        self.probed = True
        for check in probe.verdicts(probe.run(self.store(self.scratch))):
            self.add(check)

    def events(self):
        """What renewals cost: two renewals of a scratch lease, counted."""
        scratch = self.store(self.scratch)
        if not self.settings.leased:
            self.add(checks.events(0, 0, self.settings.renew_interval, 0,
                                   self.produced()))
            return
        guard = guard_mod.OwnershipGuard(scratch, SCRATCH_HOST,
                                         self.settings, clock=self.clock)
        guard.start()
        names = (scratch.attribute_name, scratch.lease_name)
        before = self.value_events(names)
        for _ in range(RENEWALS):
            guard.renew()
        after = self.value_events(names)
        for wait in EVENT_WAITS:
            if after > before:
                break
            self.clock.sleep(wait)  # vCenter may record events late
            after = self.value_events(names)
        per_renewal = (after - before) / float(RENEWALS) \
            if after > before else None
        self.add(checks.events(per_renewal, RENEWALS,
                               self.settings.renew_interval,
                               self.settings.lease_duration,
                               self.produced()))

    def value_events(self, names):
        return sum(1 for event in preflight.field_events(
            self.session, (preflight.VALUE_CHANGED,), self.since,
            self.cluster_ref) if event.name in names)

    def produced(self):
        """``{event type: count}`` of the events of the scratch names."""
        found = {}
        for kinds, entity in (((preflight.VALUE_CHANGED,), self.cluster_ref),
                              (preflight.DEFINITION_EVENTS, None)):
            for event in preflight.field_events(self.session, kinds,
                                                self.since, entity):
                if event.name.startswith(self.scratch):
                    found[event.kind] = found.get(event.kind, 0) + 1
        return found

    def close(self, silent=False):
        """Remove every scratch definition of this run; log out.

        :param silent: vCenter stopped answering: no logout to wait for
        """
        if self.session is None:
            return
        with console.uninterrupted():
            if self.probed:
                self.add(checks.cleanup(self.remove_scratch()))
            if silent:
                return
            try:
                self.session.logout()
            except Exception:  # noqa: BLE001 - best effort at the end
                pass

    def remove_scratch(self):
        """Remove this run's scratch definitions; returns those left."""
        try:
            made = preflight.definitions(self.session, self.scratch)
            for key in made.values():
                preflight.remove_definition(self.session, key)
            return sorted(preflight.definitions(self.session, self.scratch))
        except exceptions.VCenterError as exc:
            return ['%s* (%s)' % (self.scratch, exc)]

    # nova's side, where configured.

    def nova_checks(self):
        conf = self.conf
        self.add(checks.host(conf.host))
        local = identity.read(conf.config_file or (), conf.state_path)
        self.add(checks.identity(local.path, local.node, local.error,
                                 self.view.record if self.view else None,
                                 conf.host))
        if not any(getattr(conf, group).connection for group in _DATABASES):
            self.not_checked.append('nova\'s databases ([database] and '
                                    '[api_database] connection are not set '
                                    'here)')
            return
        try:
            database = loader.load_nova('database', NAME)
        except nova_errors.NovaNotInstalled:
            self.not_checked.append('nova\'s databases (nova is not '
                                    'installed here)')
            return
        for option, error in database.check(conf.config_file or (),
                                            conf.config_dir or ()):
            self.add(checks.database(option, error))


def run(ctx, fmt):
    """The handler of ``doctor``.

    :raises: the error that stopped it (exit 2); ChecksFailed (exit 4)
    """
    report, stopped = Doctor(ctx, fmt).run()
    if fmt == 'json':
        render.emit(report.to_dict(), fmt, None)
    else:
        print(report_mod.summary(report))
    if stopped is not None:
        raise stopped
    if report.failed():
        raise checks.ChecksFailed(names=report.failed())
    return 0


COMMAND = context.Command(NAME, HELP, run, open=open_context)

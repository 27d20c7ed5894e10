"""doctor's verdicts: from what was measured to ok, warn or fail, and the fix.

Pure values and functions, no I/O: each function takes what
``vsphere.preflight``, ``novadb`` and the fencing probe (``probe``)
measured and returns a ``Check``. ``cli.doctor`` runs them in order; the
exit code follows from the report: 0 when nothing failed, 4 when a check
failed (``ChecksFailed``), 2 when doctor could not go on (configuration,
connection, login, the cluster: the error itself).
"""

import dataclasses
import enum

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import text as text_mod

DAY = 86400
RETENTION_DAYS = 30
"""How long vCenter keeps events by default (``event.maxAge``)."""

LATENCY_WARN = 1.0
"""Median seconds of a read from which the latency is a warning."""


class Verdict(enum.Enum):
    OK = 'ok'
    WARN = 'warn'
    FAIL = 'fail'


@dataclasses.dataclass(frozen=True)
class Check:
    """One line of doctor's report.

    :ivar name: what was checked (stable: scripts match on it)
    :ivar verdict: a ``Verdict``
    :ivar detail: what was found, in words
    :ivar fix: what to do about it (``None`` when ok)
    :ivar values: what was measured, ``((name, value), ...)``, for JSON
    """

    name: str
    verdict: Verdict
    detail: str
    fix: str = None
    values: tuple = ()

    def to_dict(self):
        return {'name': self.name, 'verdict': self.verdict.value,
                'detail': self.detail, 'fix': self.fix,
                'values': dict(self.values)}


def ok(name, detail, **values):
    return Check(name, Verdict.OK, detail, None, tuple(sorted(
        values.items())))


def warn(name, detail, fix, **values):
    return Check(name, Verdict.WARN, detail, fix, tuple(sorted(
        values.items())))


def fail(name, detail, fix, **values):
    return Check(name, Verdict.FAIL, detail, fix, tuple(sorted(
        values.items())))


class ChecksFailed(exceptions.OwnershipError):
    """``doctor`` completed and at least one check failed.

    :param names: the names of the checks that failed (a tuple)
    """

    msg_fmt = ('doctor: %(count)d check(s) failed: %(listed)s. Each failed '
               'line above says what to fix; run doctor again afterwards.')

    def computed(self):
        return {'count': len(self.names), 'listed': ', '.join(self.names)}


# vCenter: the connection, the cluster, the time it takes.

def connection(address, seconds=None, error=None):
    if error is not None:
        return fail('connection', str(error), 'Check [vmware] host_ip and '
                    'host_port, name resolution and firewalls from this '
                    'machine.')
    return ok('connection', '%s accepts connections (%.1f ms)'
              % (address, seconds * 1000), milliseconds=seconds * 1000)


def tls(mode, detail, error=None):
    """:param mode: ``verified``, ``insecure``, ``plain`` or ``failed``"""
    if mode == 'verified':
        return ok('tls', 'certificate verified: %s' % detail)
    if mode == 'insecure':
        return warn('tls', 'certificate NOT verified ([vmware] insecure = '
                    'true): %s' % detail, 'Set [vmware] ca_file to the CA '
                    'bundle that signed vCenter\'s certificate, and '
                    'insecure = false.')
    if mode == 'plain':
        return warn('tls', 'plain HTTP, nothing encrypted: %s' % detail,
                    'Use vCenter\'s HTTPS port.')
    return fail('tls', str(error), 'Set [vmware] ca_file to the CA bundle '
                'that signed vCenter\'s certificate (see the error).')


def login(username, version=None, error=None):
    if error is not None:
        return fail('login', str(error), 'Check [vmware] host_username and '
                    'host_password; that the account is not locked.')
    return ok('login', 'logged in as %r%s' % (
        username, ' (%s)' % text_mod.printable(version) if version else ''))


def cluster(name, found, error=None):
    """:param found: ``[(moref, datacenter)]`` of the clusters so named, in
    the order nova's driver finds them (it manages the first)
    """
    if error is not None:
        return fail('cluster', str(error), 'Check [vmware] cluster_name.')
    if len(found) == 1:
        (moref, datacenter), = found
        return ok('cluster', '%r (%s)%s, found once' % (
            name, moref, ' in datacenter %s' % text_mod.printable(datacenter)
            if datacenter else ''), moref=moref)
    if not found:
        return fail('cluster', 'no cluster named %r' % name,
                    'Check [vmware] cluster_name (the name as the vSphere '
                    'Client shows it).')
    return warn('cluster', '%d clusters are named %r: %s; nova\'s driver '
                'manages %s, the first it finds, and so does '
                'nova-vmware-owner' % (
                    len(found), name, ', '.join(
                        '%s in datacenter %s' % (
                            moref, text_mod.printable(dc))
                        for moref, dc in found), found[0][0]),
                'Nothing to do if %s is the cluster meant; otherwise rename '
                'the others in the vSphere Client (nova finds clusters by '
                'name only).' % found[0][0],
                morefs=[moref for moref, _ in found])


def latency(median, reads, request_timeout):
    """:param median: median seconds of ``reads`` reads of the record"""
    detail = 'median of %d reads of the record: %.1f ms' % (
        reads, median * 1000)
    if median * 2 >= request_timeout:
        return fail('latency', detail, 'A renewal (two requests) does not '
                    'fit the guard\'s request timeout of %g s: make vCenter '
                    'answer faster, or raise [vmware_ownership] '
                    'renew_deadline.' % request_timeout,
                    milliseconds=median * 1000)
    if median >= LATENCY_WARN:
        return warn('latency', detail, 'vCenter answers slowly: every start '
                    'and every renewal waits for it; look at vCenter\'s '
                    'load and the network.', milliseconds=median * 1000)
    return ok('latency', detail, milliseconds=median * 1000)


def clock(offset):
    """Informational: nothing compares clocks of two machines.

    :param offset: vCenter's clock minus this machine's, seconds
    """
    return ok('clock', 'vCenter\'s clock is %.1f s %s this machine\'s '
              '(informational: liveness is judged on each process\'s own '
              'clock; the record\'s timestamps are the writer\'s)'
              % (abs(offset), 'ahead of' if offset >= 0 else 'behind'),
              seconds=offset)


def privilege(wanted, held, where, username):
    """One privilege, where vCenter checks it.

    :param wanted: a ``privileges.Privilege``
    :param held: ``{privileges.ROOT_FOLDER: bool, privileges.CLUSTER:
                 bool}``
    :param where: the same keys: the objects in words
    """
    name = 'privilege %s' % wanted.id
    needed_by = ', '.join(wanted.needed_by)
    also = [on for on in held if on != wanted.on]
    elsewhere = ''.join('; %s on %s' % ('held' if held[on] else 'not held',
                                        where[on]) for on in also)
    if held[wanted.on]:
        return ok(name, 'held on %s: %s (%s)' % (
            where[wanted.on], wanted.used_for, needed_by))
    return fail(name, 'user %r lacks it on %s, where vCenter checks it: '
                'needed for %s (%s)%s' % (username, where[wanted.on],
                                          wanted.used_for, needed_by,
                                          elsewhere),
                'Grant %s (%s) to the role of user %r on the vCenter root '
                'object, propagating to its children.'
                % (wanted.id, wanted.label, username))


def not_checked(name, why, fix):
    """A check that could not run: a warning, never a pass."""
    return warn(name, 'not checked: %s' % why, fix)


def leftovers(names):
    """Scratch definitions an earlier doctor run could not remove."""
    if not names:
        return ok('scratch definitions', 'none left by earlier doctor runs')
    return warn('scratch definitions', '%d left by earlier doctor runs '
                '(interrupted, or vCenter stopped answering): %s' % (
                    len(names), ', '.join(text_mod.printable(n)
                                          for n in names)),
                'Remove them in the vSphere Client (Menu > Tags & Custom '
                'Attributes > Custom Attributes) when no doctor runs.')


def cleanup(left):
    """What this run's clean-up could not remove."""
    if not left:
        return ok('clean-up', 'every scratch definition removed, and its '
                  'values with it')
    return fail('clean-up', 'could not remove: %s' % ', '.join(
        text_mod.printable(n) for n in left), 'Remove them in the vSphere '
        'Client (Menu > Tags & Custom Attributes > Custom Attributes).')


# The cost of the renewals.

def events_per_day(per_renewal, renew_interval, lease_duration):
    """vCenter events per cluster and day from the renewals alone."""
    if not lease_duration:
        return 0.0
    return per_renewal * DAY / float(renew_interval)


def events(per_renewal, renewals, renew_interval, lease_duration,
           produced):
    """The events the probe produced and what the renewals will cost.

    :param per_renewal: events per renewal, measured (``None``: unknown)
    :param renewals: renewals measured
    :param produced: ``{event type: count}`` the probe produced
    """
    seen = ', '.join('%d %s' % (count, kind)
                     for kind, count in sorted(produced.items())) or 'none'
    if not lease_duration:
        return ok('events', 'the probe produced %s; lease_duration = 0: no '
                  'renewals, no events between changes' % seen,
                  per_renewal=per_renewal, per_day=0)
    if per_renewal is None or not produced:
        return warn('events', 'the probe produced %s: cannot tell what a '
                    'renewal costs' % seen, 'Check that QueryEvents works '
                    'for this user and that vCenter records events.')
    per_day = events_per_day(per_renewal, renew_interval, lease_duration)
    return ok('events', '%g per renewal (measured over %d renewals; the '
              'probe produced %s): at renew_interval = %d s, %s per cluster '
              'per day, %s kept at vCenter\'s default retention of %d days'
              % (per_renewal, renewals, seen, renew_interval,
                 '{:,.0f}'.format(per_day),
                 '{:,.0f}'.format(per_day * RETENTION_DAYS), RETENTION_DAYS),
              per_renewal=per_renewal, per_day=per_day)


# The nova side.

def host(name):
    if record_mod.is_host_name(name):
        return ok('nova: [DEFAULT] host', '%r is a host name' % name)
    return fail('nova: [DEFAULT] host', '%r is not a host name: the guard '
                'refuses to write it' % text_mod.printable(name),
                'Set [DEFAULT] host to the name of this nova-compute '
                '(letters, digits, ".", "-", "_", ":").')


def identity(path, local, error=None, record=None, this_host=None):
    """The node identity file, and the record's ``node``.

    :param local: the uuid the file holds (``None``: no file yet)
    :param record: the ownership record of the cluster, if any
    """
    name = 'nova: compute_id'
    if error is not None:
        return fail(name, 'nova-compute refuses to start: %s' % error,
                    'Keep one readable compute_id holding this node\'s '
                    'uuid (nova\'s state_path), or none on a new node.')
    ours = record is not None and record.host == this_host
    if local is None:
        return ok(name, 'no %s yet: %s' % (
            path, 'restored from the record (node %s) at start'
            % record.node if ours and record.node
            else 'nova creates it at its first start'))
    if ours and record.node and record.node != local:
        return fail(name, '%s holds %s, the record of the cluster names '
                    'node %s: nova-compute refuses to start'
                    % (path, local, text_mod.printable(record.node)),
                    'If this machine is a standby of the same host, remove '
                    '%s (restored from the record at start).' % path)
    return ok(name, '%s holds %s%s' % (
        path, local, ', as the record' if ours and record.node else ''))


def database(option, error=None):
    name = 'nova: %s' % option
    if error is not None:
        return fail(name, str(error), 'Fix %s (nova-manage\'s) or the '
                    'database it names.' % option)
    return ok(name, 'reachable through nova\'s objects')


@dataclasses.dataclass(frozen=True)
class Report:
    """Every check of one run, and what it was about.

    :ivar about: ``((name, value), ...)``: vCenter, user, cluster, ...
    :ivar checks: the ``Check`` values, in the order they ran
    :ivar not_checked: what did not apply here, in words
    :ivar stopped: why doctor could not go on (exit 2), or ``None``
    """

    about: tuple
    checks: tuple
    not_checked: tuple = ()
    stopped: str = None

    def counts(self):
        return {verdict.value: sum(1 for c in self.checks
                                   if c.verdict is verdict)
                for verdict in Verdict}

    def failed(self):
        return tuple(c.name for c in self.checks
                     if c.verdict is Verdict.FAIL)

    def to_dict(self):
        return dict(self.about, checks=[c.to_dict() for c in self.checks],
                    counts=self.counts(), not_checked=list(self.not_checked),
                    stopped=self.stopped)

"""The nova releases the guarded driver knows: what differs between them.

One table, measured by reading each release's installed sources and
checked against each release by the nova tier (``test_nova_releases``
runs in every ``nova-<release>`` environment). The driver looks its nova
up here when it is constructed (``of``): it refuses a release outside the
supported range and warns where that release's stop outlasts the lease
(``slow_stop``). ``tools/release-matrix`` renders the table on the
releases page, so the page and the driver cannot disagree.

Plain values, no nova import: the driver passes nova's version in.
"""

import dataclasses

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import opts

EVENTLET = 'eventlet'
NATIVE = 'native threads'


@dataclasses.dataclass(frozen=True)
class NovaRelease:
    """What the guarded driver depends on in one nova release.

    :ivar major: nova's major version (31 for nova 31.3.1)
    :ivar name: the OpenStack release (``2025.1``)
    :ivar slurp: whether a skip-level upgrade may start or end here
    :ivar refused_because: why the driver refuses to start on this
                           release, or ``None`` where it is supported
    :ivar identity_checked_first: nova-compute checks its node identity
                                  (``compute_id``, a new host beside
                                  instances) before the driver's
                                  ``init_host``, so before the guard can
                                  restore the identity or name the owner
    :ivar thread_modes: how nova-compute can run its threads, its default
                        first (``EVENTLET``, ``NATIVE``)
    :ivar stop_sleeps: on SIGTERM nova-compute waits ``[DEFAULT]
                       manager_shutdown_timeout`` seconds, its periodic
                       tasks going on, before the driver's
                       ``cleanup_host``
    :ivar service_version: nova's ``SERVICE_VERSION``
    """

    major: int
    name: str
    slurp: bool
    refused_because: str
    identity_checked_first: bool
    thread_modes: tuple
    stop_sleeps: bool
    service_version: int

    @property
    def supported(self):
        return self.refused_because is None

    @property
    def default_threads(self):
        """How nova-compute runs its threads unless told otherwise."""
        return self.thread_modes[0]


RELEASES = (
    NovaRelease(29, '2024.1', slurp=True,
                refused_because='its nova-compute checks the node identity '
                'before the driver starts, so nova refuses the passive node '
                'of a pair before the guard can restore its compute_id',
                identity_checked_first=True, thread_modes=(EVENTLET,),
                stop_sleeps=False, service_version=67),
    NovaRelease(30, '2024.2', slurp=False,
                refused_because='it was never tested with this driver',
                identity_checked_first=False, thread_modes=(EVENTLET,),
                stop_sleeps=False, service_version=67),
    NovaRelease(31, '2025.1', slurp=True, refused_because=None,
                identity_checked_first=False, thread_modes=(EVENTLET,),
                stop_sleeps=False, service_version=68),
    NovaRelease(32, '2025.2', slurp=False, refused_because=None,
                identity_checked_first=False,
                thread_modes=(EVENTLET, NATIVE), stop_sleeps=False,
                service_version=70),
    NovaRelease(33, '2026.1', slurp=True, refused_because=None,
                identity_checked_first=False,
                thread_modes=(EVENTLET, NATIVE), stop_sleeps=True,
                service_version=72),
    NovaRelease(34, '2026.2', slurp=False, refused_because=None,
                identity_checked_first=False,
                thread_modes=(NATIVE, EVENTLET), stop_sleeps=False,
                service_version=74),
)
"""Every release measured, oldest first."""

SUPPORTED = tuple(r for r in RELEASES if r.supported)
"""The supported range, oldest first (contiguous, up to the newest)."""


def supported_range():
    """The supported range for messages: ``nova 31 to 34 (2025.1 to ...)``."""
    oldest, newest = SUPPORTED[0], SUPPORTED[-1]
    return 'nova %d to %d (OpenStack %s to %s)' % (
        oldest.major, newest.major, oldest.name, newest.name)


def major_of(version):
    """nova's major version in a version string (``'31.3.1'``: 31)."""
    return int(version.split('.')[0])


def of(version):
    """The row of nova ``version``, refusing a release not supported.

    :param version: nova's version string (``nova.version.version_string``)
    :returns: the ``NovaRelease``, or ``None`` for a release newer than
              every row (not tested yet: the caller warns)
    :raises: UnsupportedNovaRelease for a release before the supported
             range
    """
    major = major_of(version)
    if major > RELEASES[-1].major:
        return None
    for release in RELEASES:
        if release.major == major:
            if release.supported:
                return release
            _refuse(version, release.name, release.refused_because)
    _refuse(version, 'older than %s' % RELEASES[0].name,
            'it is older than every release tested')


def _refuse(version, name, reason):
    raise exceptions.UnsupportedNovaRelease(
        version=version, release=name, reason=reason,
        supported=supported_range())


@dataclasses.dataclass(frozen=True)
class SlowStop:
    """A stop of nova-compute that outlasts what the lease leaves it.

    :ivar sleep: seconds nova-compute waits after SIGTERM before the
                 driver's ``cleanup_host``
    :ivar grace: seconds the lease leaves a holder that stepped down before
                 a standby may take over (``lease_duration -
                 renew_deadline``)
    """

    sleep: float
    grace: float

    @property
    def message(self):
        return (
            'nova-compute of this release waits [DEFAULT] '
            'manager_shutdown_timeout (%(sleep)d s) after SIGTERM before it '
            "calls the driver's cleanup_host, its periodic tasks going on: "
            'a clean stop hands the cluster to the standby only after that '
            'wait, and a holder that steps down (a lost lease) cannot stop '
            'cleanly within the %(grace)d s the lease leaves it '
            '([vmware_ownership] lease_duration - renew_deadline). Set '
            '[DEFAULT] manager_shutdown_timeout = %(grace)d or lower on '
            'this host.' % {'sleep': self.sleep, 'grace': self.grace})


def slow_stop(release, settings, conf):
    """Whether nova-compute's stop outlasts the grace the lease leaves.

    :param release: the ``NovaRelease`` running (``None``: not known)
    :param settings: the guard's ``opts.Settings``
    :param conf: nova's configuration; its ``[DEFAULT]
                 manager_shutdown_timeout`` and ``graceful_shutdown_timeout``
                 (which caps the wait) are read where the release sleeps
    :returns: a ``SlowStop``, or ``None`` when the stop fits
    """
    if release is None or not release.stop_sleeps or \
            settings.mode != opts.MODE_ENFORCE or not settings.leased:
        return None
    # nova 33's ComputeManager.graceful_shutdown: a wait longer than the
    # graceful shutdown timeout is cut to 10 s below it.
    sleep = conf.manager_shutdown_timeout
    if sleep > conf.graceful_shutdown_timeout:
        sleep = max(0, conf.graceful_shutdown_timeout - 10)
    grace = settings.lease_duration - settings.renew_deadline
    if sleep <= grace:
        return None
    return SlowStop(sleep, grace)

"""Options of nova-vmware-owner, group ``[vmware_ownership]``.

Every option is defined here. ``register_opts`` is idempotent and takes the
``ConfigOpts`` to register on; nothing reads a global ``CONF`` at import.
``list_opts`` feeds oslo-config-generator (namespace
``nova.virt.vmwareapi.ownership``). ``settings`` validates the group and
returns the frozen ``Settings`` value the rest of the code works with.
"""

import copy
import dataclasses

from oslo_config import cfg

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import record as record_mod

GROUP_NAME = 'vmware_ownership'

MODE_ENFORCE = 'enforce'
MODE_AUDIT = 'audit'
MODE_DISABLED = 'disabled'

ownership_group = cfg.OptGroup(
    GROUP_NAME,
    title='VMware cluster ownership',
    help="""
Ownership of the vCenter cluster by one nova-compute host.

The cluster named by ``[vmware] cluster_name`` carries a custom attribute
naming the ``[DEFAULT] host`` that owns it. nova-compute refuses to start
against a cluster owned by another host; two processes of the same host
coordinate through a lease so only one manages the cluster at a time.
""")

ownership_opts = [
    cfg.StrOpt('mode',
               default=MODE_ENFORCE,
               # The generator lists the choices with these descriptions;
               # the help does not repeat them.
               choices=[
                   (MODE_ENFORCE, 'Claim the cluster when unowned, refuse '
                    'to start when another host owns it or the record is '
                    'unreadable.'),
                   (MODE_AUDIT, 'Log at WARNING what enforce would refuse, '
                    'start anyway, write nothing. Use it to roll the guard '
                    'out on an existing cloud.'),
                   (MODE_DISABLED, 'The guard does nothing (it logs a '
                    'WARNING at start).'),
               ],
               help="""
How the ownership guard acts at start.
"""),
    cfg.StrOpt('attribute_name',
               default='openstack.nova.owner',
               help="""
Name of the vSphere custom attribute holding the ownership record.

The attribute is created on first use, scoped to ClusterComputeResource.
All nova-compute services and the nova-vmware-owner command of one cloud
must use the same name. Clouds sharing a vCenter must use the same name
too, each with its own ``cloud``: with different names they do not see
each other's records, and nothing stops both from managing one cluster.

Related options:

* ``cloud``: tells the records of clouds sharing the vCenter apart.
"""),
    cfg.StrOpt('cloud',
               default='',
               help="""
Name of this cloud, when several clouds share the vCenter.

Written into every record this cloud writes, so that the owner of a
cluster is the pair (cloud, host): a nova-compute host is refused on a
cluster owned by another cloud even when that cloud has a host of the same
name, and ``nova-vmware-owner list`` shows another cloud's clusters as
``other-cloud`` instead of as disagreements. Set it on every nova-compute
and command of the cloud before its first claim; a record written without
it belongs to the default cloud.

Possible values:

* Empty (the default): the default cloud; records carry no cloud.
* A name of letters, digits, ``.``, ``_``, ``:`` and ``-`` (at most 64
  characters), the same on every host of this cloud and different from
  every other cloud of the vCenter.

Related options:

* ``attribute_name``: must be the same in every cloud of the vCenter.
"""),
    cfg.IntOpt('lease_duration',
               default=180,
               min=0,
               help="""
Seconds without a renewal after which a holder is considered dead.

A standby judges liveness by its own monotonic clock: the holder is dead
once the record's sequence number has not changed for this long while the
standby watched it. ``0`` turns liveness off: no heartbeat writes, and the
record is a plain owner tag.

Related options:

* ``renew_interval``: must be at most half of this value.
* ``renew_deadline``: must be below this value.
"""),
    cfg.IntOpt('renew_interval',
               default=60,
               min=1,
               help="""
Seconds between two renewals of the lease by its holder.

Each renewal is one read and one write (of the cluster's lease attribute),
and vCenter logs one event for the write. A failed renewal is tried again
every third of the time between ``renew_interval`` and ``renew_deadline``
(at most every ``renew_interval``; every 20 seconds with the defaults)
until ``renew_deadline``, when the holder steps down.

Related options:

* ``lease_duration``: this must be at most half of it.
* ``renew_deadline``: must be above this value.
"""),
    cfg.IntOpt('renew_deadline',
               min=1,
               # A value that stays valid when uncommented in the sample:
               # what "unset" gives with the defaults.
               sample_default='120',
               help="""
Seconds a holder may go without a successful renewal before it steps down.

Counted on the holder's own monotonic clock from the start of its last
successful renewal. A holder that cannot renew for this long (vCenter
unreachable, slow or silent) logs CRITICAL, stops nova-compute and never
writes again. It must be below ``lease_duration`` with a margin, so that the
old holder has stopped before any standby may judge it dead: a standby
waits ``lease_duration`` from the last renewal it saw, and clocks of two
machines may run at slightly different rates.

It also bounds every vCenter request of the guard (its
``request_timeout``): each ends within ``(renew_deadline -
renew_interval) / 2`` seconds, at most 30, from connecting to the last
byte of the answer, whatever vCenter or the network does (its login
within twice that), so a renewal (two requests) that fails leaves time
for another before the deadline.

Possible values:

* Unset (the default): halfway between ``renew_interval`` and
  ``lease_duration`` (120 with the defaults).
* An integer with ``renew_interval`` < ``renew_deadline`` <= 90% of
  ``lease_duration`` (the 10% cover clock-rate differences and the time
  nova-compute takes to stop).

Related options:

* ``lease_duration``, ``renew_interval``.
"""),
    cfg.BoolOpt('standby_wait',
                default=True,
                help="""
Wait as a hot standby instead of refusing to start.

When the record names this host but another live process holds it (the
active node of an active/passive pair with identical configuration), wait
inside the compute service's start until it is released or its lease
expires, then take over.

Related options:

* ``standby_timeout``: bounds the wait.
"""),
    cfg.IntOpt('standby_timeout',
               default=0,
               min=0,
               help="""
Seconds to wait as a standby before refusing to start; ``0`` waits forever.

Related options:

* ``standby_wait``: must be true for this to matter.
"""),
    cfg.BoolOpt('sync_node_identity',
                default=True,
                help="""
Keep nova's compute node identity (``compute_id``) in the record.

When true, the record carries the compute node UUID; a node of the same host
without a local ``compute_id`` file (the passive node of a pair) restores it
from the record, and a node whose local file differs refuses to start.
"""),
]


def register_opts(conf):
    """Register the options on ``conf``; calling it twice is harmless."""
    # A fresh group per ConfigOpts: oslo.config copies a registered group
    # shallowly, so sharing the module's group would share its overrides
    # (set_override) between every ConfigOpts of the process.
    conf.register_group(cfg.OptGroup(GROUP_NAME, title=ownership_group.title,
                                     help=ownership_group.help))
    conf.register_opts(ownership_opts, group=GROUP_NAME)


def list_opts():
    """The options for oslo-config-generator.

    Deep copies: a caller that changes them (a default overridden for a
    sample file) must not change the options every ConfigOpts registers.
    """
    return [(copy.deepcopy(ownership_group), copy.deepcopy(ownership_opts))]


DEADLINE_MARGIN = 0.1
"""The share of ``lease_duration`` that ``renew_deadline`` must leave free."""


@dataclasses.dataclass(frozen=True)
class Settings:
    """The validated ``[vmware_ownership]`` values (see the options)."""

    mode: str = MODE_ENFORCE
    attribute_name: str = 'openstack.nova.owner'
    lease_duration: int = 180
    renew_interval: int = 60
    renew_deadline: float = 120
    standby_wait: bool = True
    standby_timeout: int = 0
    sync_node_identity: bool = True
    cloud: str = None

    @property
    def leased(self):
        """Whether a holder keeps a lease (``lease_duration`` > 0)."""
        return self.lease_duration > 0

    @property
    def standby_poll(self):
        """Seconds between two reads of a waiting standby."""
        return max(1.0, min(10.0, self.renew_interval / 2.0))

    @property
    def request_timeout(self):
        """Seconds each vCenter request of the guard may take, from
        connecting to the last byte of the answer (``vsphere.transport``).

        Short enough that a renewal (two requests) that vCenter does not
        answer, or answers a byte at a time, fails well inside
        ``renew_deadline``.
        """
        if not self.leased:
            return 30.0
        return max(1.0, min(30.0, (self.renew_deadline -
                                   self.renew_interval) / 2.0))


def settings(group):
    """Validate the ``[vmware_ownership]`` group and freeze it.

    :param group: ``conf.vmware_ownership`` (or any object with the same
                  attributes)
    :returns: a ``Settings``
    :raises: ConfigurationError naming the options
    """
    def name(option):
        return '[%s] %s' % (GROUP_NAME, option)

    if group.mode not in (MODE_ENFORCE, MODE_AUDIT, MODE_DISABLED):
        raise exceptions.ConfigurationError(
            options=(name('mode'),),
            problem='must be enforce, audit or disabled, not %r'
            % (group.mode,))
    if not group.attribute_name or not group.attribute_name.strip():
        raise exceptions.ConfigurationError(
            options=(name('attribute_name'),), problem='must not be empty')
    cloud = (group.cloud or '').strip() or None
    if cloud is not None and not record_mod.is_cloud_name(cloud):
        raise exceptions.ConfigurationError(
            options=(name('cloud'),),
            problem='%r is not a cloud name: use letters, digits, ".", "_", '
            '":" and "-", at most 64 characters' % (cloud,))
    lease, interval = group.lease_duration, group.renew_interval
    deadline = group.renew_deadline
    if lease and interval * 2 > lease:
        raise exceptions.ConfigurationError(
            options=(name('renew_interval'), name('lease_duration')),
            problem='renew_interval (%d) must be at most half of '
            'lease_duration (%d), or a healthy holder looks dead after one '
            'slow renewal' % (interval, lease))
    if deadline is None:
        deadline = (interval + lease) / 2.0
    elif lease and not interval < deadline <= lease * (1 - DEADLINE_MARGIN):
        raise exceptions.ConfigurationError(
            options=(name('renew_deadline'), name('renew_interval'),
                     name('lease_duration')),
            problem='renew_deadline (%d) must be above renew_interval (%d), '
            'so a failed renewal is retried, and at most %d%% of '
            'lease_duration (%d), so the holder has stopped before a standby '
            'may judge it dead; leave it unset for (renew_interval + '
            'lease_duration) / 2'
            % (deadline, interval, 100 * (1 - DEADLINE_MARGIN), lease))
    if group.standby_timeout and not group.standby_wait:
        raise exceptions.ConfigurationError(
            options=(name('standby_timeout'), name('standby_wait')),
            problem='standby_timeout is set but standby_wait is false, so '
            'there is no wait to bound')
    return Settings(
        mode=group.mode, attribute_name=group.attribute_name.strip(),
        lease_duration=lease, renew_interval=interval,
        renew_deadline=deadline, standby_wait=group.standby_wait,
        standby_timeout=group.standby_timeout,
        sync_node_identity=group.sync_node_identity, cloud=cloud)

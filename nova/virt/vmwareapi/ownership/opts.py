"""Options of nova-vmware-owner, group ``[vmware_ownership]``.

Every option is defined here. ``register_opts`` is idempotent and takes the
``ConfigOpts`` to register on; nothing reads a global ``CONF`` at import.
``list_opts`` feeds oslo-config-generator (namespace
``nova.virt.vmwareapi.ownership``).
"""

from oslo_config import cfg

from nova.virt.vmwareapi.ownership import exceptions

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
               choices=[
                   (MODE_ENFORCE, 'Claim the cluster, refuse to start when '
                    'another host owns it.'),
                   (MODE_AUDIT, 'Log what would be refused, never refuse '
                    'and never write.'),
                   (MODE_DISABLED, 'Do nothing.'),
               ],
               help="""
How the ownership guard acts at start.

Possible values:

* ``enforce``: claim the cluster when unowned, refuse to start when it is
  owned by another host or the record is unreadable.
* ``audit``: log at WARNING what ``enforce`` would refuse, start anyway,
  write nothing. Use it to roll the guard out on an existing cloud.
* ``disabled``: the guard does nothing.
"""),
    cfg.StrOpt('attribute_name',
               default='openstack.nova.owner',
               help="""
Name of the vSphere custom attribute holding the ownership record.

The attribute is created on first use, scoped to ClusterComputeResource.
All nova-compute services and the nova-vmware-owner command of one cloud
must use the same name; two clouds sharing a vCenter must use the same name
too, or they do not see each other's claims.
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
"""),
    cfg.IntOpt('renew_interval',
               default=60,
               min=1,
               help="""
Seconds between two renewals of the lease by its holder.

Each renewal is one read and one write of the attribute, and vCenter logs
one event for the write.

Related options:

* ``lease_duration``: this must be at most half of it.
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
    """The options for oslo-config-generator."""
    return [(ownership_group, ownership_opts)]


def validate(group):
    """Check option combinations.

    :param group: the ``conf.vmware_ownership`` group (or any object with
                  the same attributes)
    :raises: ConfigurationError naming the options
    """
    def name(option):
        return '[%s] %s' % (GROUP_NAME, option)

    if group.mode not in (MODE_ENFORCE, MODE_AUDIT, MODE_DISABLED):
        raise exceptions.ConfigurationError(
            [name('mode')], 'must be enforce, audit or disabled, not %r'
            % (group.mode,))
    if not group.attribute_name or not group.attribute_name.strip():
        raise exceptions.ConfigurationError(
            [name('attribute_name')], 'must not be empty')
    if group.lease_duration and \
            group.renew_interval * 2 > group.lease_duration:
        raise exceptions.ConfigurationError(
            [name('renew_interval'), name('lease_duration')],
            'renew_interval (%d) must be at most half of lease_duration '
            '(%d), or a healthy holder looks dead after one slow renewal'
            % (group.renew_interval, group.lease_duration))
    if group.standby_timeout and not group.standby_wait:
        raise exceptions.ConfigurationError(
            [name('standby_timeout'), name('standby_wait')],
            'standby_timeout is set but standby_wait is false, so there is '
            'no wait to bound')

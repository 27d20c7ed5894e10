"""Refusals: this process must not manage the cluster, or not change it so.

Each says who owns or holds the cluster, why this host or command may not
act, and what the operator does about it. They derive from
``exceptions.OwnershipRefused`` (nova's ``InvalidConfiguration`` when nova
is installed), so nova-compute logs a refusal at start as a configuration
error and exits non-zero; the command maps each
to its exit code (3 for another owner, 4 for the others).
"""

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import text as text_mod


class UnreadableRecord(exceptions.OwnershipRefused):
    """The attribute holds a value that is not a record we understand.

    Never overwritten except by ``nova-vmware-owner takeover --force``.

    :param raw: the value as stored
    :param reason: why it cannot be read
    :param location: where it was found, when known
    """

    msg_fmt = ('The ownership record%(attribute)s%(where)s is unreadable '
               '(%(why)s): %(value)s. It is never overwritten '
               'automatically. Fix or clear the value in the vSphere '
               'Client, or replace it with "nova-vmware-owner takeover '
               '--force".')
    location = None

    def computed(self):
        attribute = self.location.attribute if self.location else None
        return {'attribute': ' (attribute %r)' % attribute
                if attribute else '',
                'where': ' on %s' % self.location if self.location else '',
                'why': text_mod.printable(self.reason),
                'value': text_mod.shorten(self.raw)}

    def at(self, location):
        """Return the same error, located on a cluster."""
        return UnreadableRecord(raw=self.raw, reason=self.reason,
                                location=location)


class ClusterOwnedByAnotherHost(exceptions.OwnershipRefused):
    """The record names a different nova-compute host."""

    msg_fmt = ('Refusing to manage %(location)s: it is owned by nova-compute '
               'host %(owner)r (claimed %(claimed)s), and this service runs '
               'as host %(this_host)r. Running two hosts against one '
               'cluster partitions its instances. If this machine replaces '
               '%(owner)r in an active/passive pair, set [DEFAULT] host = '
               '%(owner)s here. To move the cluster to %(this_host)r for '
               'good, stop %(owner)r, run "nova-vmware-owner takeover --host '
               '%(this_host)s", then "nova-vmware-owner rehome --from '
               '%(owner)s --to %(this_host)s".')
    since = None

    def computed(self):
        return {'claimed': text_mod.printable(
            self.since or 'at an unknown time')}


class ClusterOwnedByAnotherCloud(ClusterOwnedByAnotherHost):
    """The record names a host of another cloud sharing the vCenter.

    Whatever the host's name: a host of the same name in another cloud is
    another host.
    """

    msg_fmt = ('Refusing to manage %(location)s: it is owned by host '
               '%(owner)r of %(owner_cloud_text)s (claimed %(claimed)s), and '
               'this service is host %(this_host)r of %(this_cloud_text)s '
               '([vmware_ownership] cloud). Two clouds must never manage one '
               'cluster: its instances would be partitioned between them. '
               'Check [vmware] cluster_name here: this cluster belongs to the '
               'other cloud. If the record is this cloud\'s own, written '
               'before [vmware_ownership] cloud was set here, set %(fix)s on '
               'every host of this cloud. To move the cluster to this cloud '
               'for good, stop its nova-compute in %(owner_cloud_text)s, then '
               'run "nova-vmware-owner takeover --host %(this_host)s" with '
               'this cloud\'s configuration.')
    owner_cloud = None
    this_cloud = None

    def computed(self):
        return dict(
            super().computed(),
            owner_cloud_text=text_mod.cloud_text(self.owner_cloud),
            this_cloud_text=text_mod.cloud_text(self.this_cloud),
            fix='[vmware_ownership] cloud = %s' % text_mod.printable(
                self.owner_cloud) if self.owner_cloud else
            '[vmware_ownership] cloud empty (the default cloud)')


def owned_elsewhere(location, record, this_host, this_cloud=None):
    """The refusal of a cluster that ``record``'s owner holds, not this one.

    :param record: the ``record.OwnershipRecord`` that counts
    :param this_host: the host refused; ``this_cloud``: its cloud
    :returns: a ``ClusterOwnedByAnotherCloud`` when the record is of
              another cloud, else a ``ClusterOwnedByAnotherHost``
    """
    if record.cloud != (this_cloud or None):
        return ClusterOwnedByAnotherCloud(
            location=location, owner=record.host, owner_cloud=record.cloud,
            this_host=this_host, this_cloud=this_cloud, since=record.since)
    return ClusterOwnedByAnotherHost(location=location, owner=record.host,
                                     this_host=this_host, since=record.since)


class NotTheOwner(exceptions.OwnershipRefused):
    """``release`` run on a host that does not own the cluster.

    :param owner_cloud, this_cloud: the clouds, when they differ
    """

    msg_fmt = ('Refusing to release %(location)s: it is owned by '
               'nova-compute host %(owner)r%(of_owner_cloud)s, not by this '
               'host %(this_host)r%(of_this_cloud)s ([DEFAULT] '
               'host%(and_cloud)s). Run the release on '
               '%(owner)r%(of_owner_cloud)s, or add --force to clear the '
               'ownership of %(owner)r from here.')
    owner_cloud = None
    this_cloud = None

    def computed(self):
        if (self.owner_cloud or None) == (self.this_cloud or None):
            return {'of_owner_cloud': '', 'of_this_cloud': '',
                    'and_cloud': ''}
        owner_cloud = text_mod.cloud_text(self.owner_cloud)
        this_cloud = text_mod.cloud_text(self.this_cloud)
        return {'of_owner_cloud': ' of %s' % owner_cloud,
                'of_this_cloud': ' of %s' % this_cloud,
                'and_cloud': ', [vmware_ownership] cloud'}


class NodeIdentityMismatch(exceptions.OwnershipRefused):
    """The local compute node identity differs from the record's."""

    msg_fmt = ('Refusing to start: %(location)s records compute node '
               '%(recorded_text)s, but the local node identity%(where)s is '
               '%(local_text)s. Starting would give the cluster a second '
               'compute node in nova. If this machine is a standby of the '
               'same host, remove its local compute_id file: it is restored '
               'from the record at the next start. If the record is out of '
               'date (the compute node was deliberately recreated), stop '
               'every nova-compute of this host, run "nova-vmware-owner '
               'release", and start this one: it records its own identity.')
    path = None

    def computed(self):
        return {'recorded_text': text_mod.printable(self.recorded),
                'local_text': text_mod.printable(self.local),
                'where': ' (%s)' % self.path if self.path else ''}


class ClusterHeldByAnotherProcess(exceptions.OwnershipRefused):
    """Another live process of this same host holds the cluster."""

    msg_fmt = ('Refusing to start%(after)s: %(location)s is held by another '
               'live nova-compute process of host %(this_host)r (holder '
               '%(holder_text)s). Only one process may manage a cluster. '
               'Stop the other process, or let this one wait for it with '
               '[vmware_ownership] standby_wait = true and standby_timeout '
               '= 0.')
    waited = None

    def computed(self):
        return {'after': ' after waiting %d seconds' % self.waited
                if self.waited is not None else '',
                'holder_text': text_mod.printable(self.holder)}


_WHERE_REHOME_RUNS = (
    'Run it where nova-manage runs, with nova-manage\'s configuration '
    '([database] and [api_database]) and, to check the ownership record, '
    'this cluster\'s [vmware] options')


class ClusterNodeOnAnotherHost(exceptions.OwnershipRefused):
    """The cluster's compute node belongs to another host in nova."""

    msg_fmt = ('Refusing to start as host %(this_host)r: nova\'s compute '
               'node of this cluster (%(node_name)s, uuid %(node_uuid)s) and '
               'the cluster\'s instances belong to host %(owner)r. Move them '
               'to this host first, with %(owner)r stopped and marked down: '
               '"%(command)s". ' + _WHERE_REHOME_RUNS + '. Then start this '
               'nova-compute again.')

    def computed(self):
        return {'command': text_mod.rehome_command(self.owner,
                                                   self.this_host)}


class HolderIsAlive(exceptions.OwnershipRefused):
    """The holder renewed the record while a takeover observed it."""

    msg_fmt = ('Refusing: holder %(holder_text)s renewed the ownership '
               'record of %(location)s within %(observed_seconds)d seconds '
               'of observation, so a nova-compute process is managing the '
               'cluster now. Stop that nova-compute (it releases the record '
               'on a clean stop) and run the command again, or add --force '
               'to replace the record anyway (the process then stops at its '
               'next renewal).')

    def computed(self):
        return {'holder_text': text_mod.printable(self.holder)}


class ConfirmationRequired(exceptions.OwnershipRefused):
    """A change needs confirmation and none was given.

    :param command: the command, e.g. ``takeover``
    :param reason: why it was not confirmed
    """

    msg_fmt = ('Not confirmed: %(reason)s; nothing was written. Run '
               '"nova-vmware-owner %(command)s" from a terminal and confirm, '
               'or add --yes.')

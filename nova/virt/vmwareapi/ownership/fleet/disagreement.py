"""Where nova's records and the clusters' ownership records disagree.

Pure values and functions, no I/O. ``find`` joins one cluster (the record
that counts, a ``view.View``) with nova's compute nodes of that cluster
(found by ``hypervisor_hostname``, which nova's VMware driver makes
``<cluster moref>.<vCenter instanceUuid>``: ``nova_records.node_name``)
and with the hosts of nova's nova-compute services, and returns each
disagreement as a short code and a one-line fix:

========================  ===============================================
code                      found when
========================  ===============================================
``two-nova-hosts``        nova has compute nodes of two or more hosts for
                          the cluster
``owned-by-other-cloud``  nova manages the cluster, and its record is of
                          another cloud sharing the vCenter
``nova-host-differs``     nova's host for the cluster is not the host the
                          record names
``no-record``             nova manages the cluster, and it has no record
``unknown-owner``         the record names a host that has no
                          nova-compute service in nova
``node-differs``          the record's ``node`` is not nova's compute
                          node uuid of the cluster
``record-unreadable``     nova manages the cluster, and its record is
                          unreadable (its nova-compute refuses to start)
========================  ===============================================

A record of another cloud (``[vmware_ownership] cloud``) is none of this
nova's business unless this nova manages the cluster: its owner is not
expected among nova's services, nor its node among nova's nodes.

``NovaDisagrees`` is what the command raises once it has printed them
(exit code 3, ``cli.main``).
"""

import collections
import dataclasses

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import text

TWO_NOVA_HOSTS = 'two-nova-hosts'
OWNED_BY_OTHER_CLOUD = 'owned-by-other-cloud'
NOVA_HOST_DIFFERS = 'nova-host-differs'
NO_RECORD = 'no-record'
UNKNOWN_OWNER = 'unknown-owner'
NODE_DIFFERS = 'node-differs'
RECORD_UNREADABLE = 'record-unreadable'

CODES = (TWO_NOVA_HOSTS, OWNED_BY_OTHER_CLOUD, NOVA_HOST_DIFFERS, NO_RECORD,
         UNKNOWN_OWNER, NODE_DIFFERS, RECORD_UNREADABLE)
"""Every code, in the order a cluster's disagreements are listed."""


@dataclasses.dataclass(frozen=True)
class Disagreement:
    """One disagreement of a cluster: its code and what fixes it."""

    code: str
    fix: str


_CMD = 'nova-vmware-owner --config-file <its nova.conf>'


def nodes_by_name(nodes):
    """``{hypervisor_hostname: [node, ...]}`` of nova's nodes."""
    found = collections.defaultdict(list)
    for node in nodes:
        found[node.hypervisor_hostname].append(node)
    return found


def _listed(hosts):
    return ' and '.join(sorted(hosts))


def find(view, nodes, service_hosts, cloud=None):
    """The disagreements between one cluster's record and nova.

    :param view: the cluster's ``view.View``
    :param nodes: nova's ``nova_records.Node`` values of this cluster
    :param service_hosts: the hosts of every nova-compute service of nova
    :param cloud: nova's cloud (``[vmware_ownership] cloud``)
    :returns: a list of ``Disagreement``, in the order of ``CODES``
    """
    record = view.record
    foreign = record is not None and record.cloud != (cloud or None)
    nova_hosts = {node.host for node in nodes}
    found = []
    if len(nova_hosts) > 1:
        keep = record.host if record and not foreign and \
            record.host in nova_hosts else 'the host that should manage it'
        found.append(Disagreement(TWO_NOVA_HOSTS, (
            'nova manages the cluster as host %s: stop the nova-compute of '
            'every host but %s, delete their services ("openstack compute '
            'service delete <id>") and restart %s.'
            % (_listed(nova_hosts), keep, keep))))
    if foreign:
        if nova_hosts:
            nova_host = sorted(nova_hosts)[0]
            found.append(Disagreement(OWNED_BY_OTHER_CLOUD, (
                'nova manages the cluster as host %s, and its record names '
                'host %s of %s: two clouds manage one cluster. If it is the '
                'other cloud\'s, stop the nova-compute of %s here and delete '
                'its service ("openstack compute service delete <id>"); if '
                'it moved to this cloud, stop its nova-compute in the other '
                'cloud and on %s run "%s takeover --host %s".'
                % (_listed(nova_hosts), record.host,
                   text.cloud_text(record.cloud), _listed(nova_hosts),
                   nova_host, _CMD, nova_host))))
        return found
    if record is not None and nova_hosts and record.host not in nova_hosts:
        nova_host = sorted(nova_hosts)[0]
        found.append(Disagreement(NOVA_HOST_DIFFERS, (
            'nova manages the cluster as host %s, the record names host %s: '
            'if %s is right, stop %s and on %s run "%s takeover --host %s"; '
            'if %s is right, stop %s and run "nova-vmware-owner rehome '
            '--from %s --to %s" where nova-manage runs.'
            % (_listed(nova_hosts), record.host, nova_host, record.host,
               nova_host, _CMD, nova_host, record.host, nova_host,
               nova_host, record.host))))
    if view.unowned and nova_hosts:
        found.append(Disagreement(NO_RECORD, (
            'nova manages the cluster as host %s, and it has no ownership '
            'record: on that host run "%s claim" (or start its nova-compute '
            'with [vmware_ownership] mode = enforce, which claims it).'
            % (_listed(nova_hosts), _CMD))))
    if record is not None and record.host not in service_hosts:
        found.append(Disagreement(UNKNOWN_OWNER, (
            'the record names host %s, which has no nova-compute service in '
            'nova: if another cloud sharing the vCenter owns the cluster, '
            'give each cloud its own [vmware_ownership] cloud; if the host '
            'was renamed, run "%s takeover --host <its new name>"; if '
            'nothing manages the cluster, run "%s release --force".'
            % (record.host, _CMD, _CMD))))
    uuids = {node.uuid for node in nodes if node.host == getattr(
        record, 'host', None)}
    if record is not None and record.node and len(uuids) == 1 and \
            record.node not in uuids:
        (uuid,) = uuids
        found.append(Disagreement(NODE_DIFFERS, (
            'the record names compute node %s, nova\'s compute node of host '
            '%s is %s: stop that nova-compute, run "%s release --force" and '
            '"%s claim", then start it: it records its node.'
            % (record.node, record.host, uuid, _CMD, _CMD))))
    if view.error is not None and nova_hosts:
        found.append(Disagreement(RECORD_UNREADABLE, (
            'nova manages the cluster as host %s, and its record is '
            'unreadable, so that nova-compute refuses to start in enforce '
            'mode: fix the value in the vSphere Client, or on that host run '
            '"%s takeover --force".' % (_listed(nova_hosts), _CMD))))
    return found


class NovaDisagrees(exceptions.OwnershipError):
    """``list --nova`` found clusters where nova and vCenter disagree.

    :param counts: ``{code: number of clusters}``
    :param clusters: the number of clusters with a disagreement
    :param total: the number of clusters read
    """

    msg_fmt = ('nova and the ownership records disagree on %(clusters)d of '
               '%(total)d cluster(s) (%(listed)s). "nova-vmware-owner list '
               '--nova" lists each one with its fix, and the troubleshooting '
               'page of the documentation explains each code.')

    def computed(self):
        return {'listed': ', '.join('%s: %d' % (code, self.counts[code])
                                    for code in CODES
                                    if self.counts.get(code))}

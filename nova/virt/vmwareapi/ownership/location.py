"""Where a record lives: the cluster and the vCenter holding it."""

from nova.virt.vmwareapi.ownership import text as text_mod


class Location:
    """Where a record lives: the cluster and the vCenter holding it."""

    def __init__(self, cluster, vcenter, cluster_moref=None,
                 attribute=None):
        self.cluster = cluster
        self.vcenter = vcenter
        self.cluster_moref = cluster_moref
        self.attribute = attribute

    def __str__(self):
        return 'cluster %r (%s) on vCenter %s' % (
            self.cluster, text_mod.printable(self.cluster_moref or '?'),
            text_mod.printable(self.vcenter))

    def __repr__(self):
        return 'Location(%r, %r, %r, %r)' % (
            self.cluster, self.vcenter, self.cluster_moref, self.attribute)

"""Where a record lives: the cluster and the vCenter holding it."""

import dataclasses

from nova.virt.vmwareapi.ownership import text as text_mod


@dataclasses.dataclass(frozen=True)
class Location:
    """Where a record lives: the cluster and the vCenter holding it.

    :ivar cluster: the cluster's name
    :ivar vcenter: the vCenter, as messages name it
    :ivar cluster_moref: the cluster's managed object id
    :ivar attribute: the custom attribute holding the record
    """

    cluster: str
    vcenter: str
    cluster_moref: str = None
    attribute: str = None

    def __str__(self):
        return 'cluster %s (%s) on vCenter %s' % (
            text_mod.shorten(self.cluster),
            text_mod.printable(self.cluster_moref or '?'),
            text_mod.printable(self.vcenter))

"""vCenter's errors: what ``vcenter`` translates oslo.vmware's into.

Connection, login and inventory failures, each naming the option that
fixes it. All are ``exceptions.VCenterError``
(exit 2); the faults the record's protocol relies on (``DuplicateName``,
``DefinitionGone``) and a missing privilege (``MissingPrivilege``) are the
core's, since every store raises them
(``store.ClusterStore``); ``vsphere.store`` makes ``DefinitionGone`` of the
two faults below.
"""

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import text as text_mod


class VCenterUnreachable(exceptions.VCenterError):
    """No answer from vCenter: refused, timed out, TLS failure."""

    msg_fmt = ('Cannot reach vCenter at %(endpoint)s: %(why)s. Check '
               '[vmware] host_ip and host_port, that vCenter is up and '
               'reachable from this machine, and for TLS errors [vmware] '
               'ca_file (or insecure).')

    def computed(self):
        return {'why': text_mod.printable(self.reason)}


class VCenterLoginFailed(exceptions.VCenterError):
    """vCenter rejected the credentials."""

    msg_fmt = ('vCenter at %(endpoint)s rejected the login of user '
               '%(username)r. Check [vmware] host_username and '
               'host_password.')


class ClusterNotFound(exceptions.VCenterError):
    """No cluster has the configured name (or the given id)."""

    msg_fmt = ('Cluster %(cluster)r not found on vCenter %(vcenter)s: '
               '%(problem)s.')
    by_moref = False

    def computed(self):
        if self.by_moref:
            return {'problem': 'no cluster has that managed object id. '
                               'Check --cluster-moref ("nova-vmware-owner '
                               'list" shows each cluster\'s)'}
        return {'problem': 'no such cluster. Check [vmware] cluster_name'}


class AnswerNotUnderstood(exceptions.VCenterError):
    """vCenter answered with a type this client's schemas do not have.

    Nothing of the answer is used: read without the type it would be
    wrong (a value without its content, a list as one object).
    """

    msg_fmt = ('vCenter at %(endpoint)s answered %(operation)s with '
               '%(unknown_text)s%(at)s, which nova-vmware-owner\'s VIM '
               'client does not know (it speaks the vSphere API '
               '%(api_version)s): nothing of that answer was used. Report '
               'it with the vCenter version and this message.')
    path = None

    def computed(self):
        return {'unknown_text': text_mod.printable(self.unknown),
                'at': ' (at %s)' % text_mod.printable(self.path)
                if self.path else ''}


class ManagedObjectNotFound(exceptions.VCenterFault):
    """A managed object (the cluster) no longer exists."""


class NotFound(exceptions.VCenterFault):
    """vCenter's ``NotFound``: the object or the key does not exist."""


class InvalidArgument(exceptions.VCenterFault):
    """vCenter's ``InvalidArgument``: an argument was refused."""

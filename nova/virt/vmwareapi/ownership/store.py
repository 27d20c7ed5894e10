"""The store: what the core needs of the place a cluster's record lives.

Everything the guard, the fencing and the operator changes do to a
cluster goes through these calls and nothing else: one read, the lease's
three calls, the attribute's two, and an audit event. ``ClusterStore`` is
that interface, written down once (as client-go's leader election writes
down its ``resourcelock.Interface``); ``vsphere.store.VCenterStore`` is the
one implementation that talks to vCenter, and the test doubles implement
it in memory. One contract test suite runs against every implementation,
so none can drift from what the fencing relies on.

The fencing (``fencing``) needs exactly these semantics of vCenter's
custom fields, which every store must keep:

- ``create_lease`` creates the cluster's lease definition and returns its
  key (the fencing token); it raises ``exceptions.DuplicateName`` when the
  definition exists: of several creators exactly one wins;
- ``remove_lease(key)`` removes that definition and its value, once: it
  raises ``exceptions.DefinitionGone`` when the key is gone already;
- a write through a removed key (``write_lease``, ``write_attribute``)
  raises ``exceptions.DefinitionGone``, however late it arrives (which
  relies on a removed key never being handed out again);
- ``read`` sees the state after every completed call, in one round trip.

Any other failure to reach or use vCenter is an ``exceptions.VCenterError``.
"""

import typing


@typing.runtime_checkable
class ClusterStore(typing.Protocol):
    """The record of one cluster: where it is read and written.

    :ivar location: the cluster, a ``location.Location`` (for messages)
    :ivar attribute_name: the custom attribute that vSphere admins see
    :ivar lease_name: the name of this cluster's lease definition
                      (``view.lease_name``)
    """

    location: object
    attribute_name: str
    lease_name: str

    def read(self):
        """Read the attribute and the lease, with their keys.

        :returns: a ``view.Reading``
        :raises: ClusterNotFound when the cluster is gone; VCenterError
        """

    def create_lease(self):
        """Create the lease definition; its key is the new token.

        :raises: DuplicateName when it exists; VCenterError
        """

    def remove_lease(self, key):
        """Remove the lease definition ``key`` (and its value).

        :raises: DefinitionGone when that key is gone already; VCenterError
        """

    def write_lease(self, key, text):
        """Store ``text`` as the lease's value, through its key ``key``.

        :raises: DefinitionGone when that definition was removed (the
                 token was revoked); VCenterError
        """

    def write_attribute(self, key, text):
        """Store ``text`` ('' clears it) as the attribute's value.

        :raises: DefinitionGone when that definition was removed;
                 VCenterError
        """

    def ensure_attribute(self):
        """The attribute's definition key, created when missing.

        :raises: VCenterError
        """

    def post_event(self, message):
        """Post an audit event on the cluster.

        :raises: VCenterError
        """

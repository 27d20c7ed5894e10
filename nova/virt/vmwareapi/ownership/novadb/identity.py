"""nova's local compute node identity, read as nova reads it, without nova.

nova-compute looks for a ``compute_id`` file in the directory of each of
its configuration files and in ``[DEFAULT] state_path`` (nova 34,
``nova.virt.node.read_local_node_uuid``): each must hold a uuid, and all
the same one. ``doctor`` reads them the same way, to tell before a start
what nova and the guard will find; it imports no nova, so it runs where
nova is not installed.
"""

import dataclasses
import os
import uuid

COMPUTE_ID_FILE = 'compute_id'
"""nova's name of the file (``nova.virt.node.COMPUTE_ID_FILE``)."""


@dataclasses.dataclass(frozen=True)
class LocalIdentity:
    """What the ``compute_id`` files say.

    :ivar looked_in: the files looked for, in nova's order
    :ivar found: ``((path, uuid), ...)`` of the files that exist
    :ivar error: why they cannot be used (unreadable, not a uuid, two
                 different uuids), or ``None``
    """

    looked_in: tuple
    found: tuple = ()
    error: str = None

    @property
    def node(self):
        """The local node uuid, ``None`` when there is no file yet."""
        return self.found[0][1] if self.found and not self.error else None

    @property
    def path(self):
        """Where it is (or would be written: ``state_path``)."""
        return self.found[0][0] if self.found else self.looked_in[-1]


def read(config_files, state_path):
    """Read the ``compute_id`` files nova-compute would read.

    :param config_files: nova-compute's ``--config-file`` values
    :param state_path: ``[DEFAULT] state_path``
    :returns: a ``LocalIdentity``
    """
    paths = tuple(os.path.join(location, COMPUTE_ID_FILE) for location in
                  [os.path.dirname(os.path.abspath(f))
                   for f in config_files] + [state_path])
    found = []
    for path in dict.fromkeys(paths):
        try:
            with open(path) as f:
                content = f.read(40)
        except FileNotFoundError:
            continue
        except OSError as exc:
            return LocalIdentity(paths, tuple(found), '%s: %s' % (
                path, exc.strerror or exc))
        try:
            found.append((path, str(uuid.UUID(content.strip()))))
        except ValueError:
            return LocalIdentity(paths, tuple(found), '%s does not hold a '
                                 'uuid' % path)
    if len({node for _, node in found}) > 1:
        return LocalIdentity(paths, tuple(found), 'they differ: %s' % (
            ', '.join('%s in %s' % (node, path) for path, node in found)))
    return LocalIdentity(paths, tuple(found))

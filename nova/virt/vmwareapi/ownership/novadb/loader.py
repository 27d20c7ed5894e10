"""Loading the modules of ``novadb`` when a command needs nova.

Imported when needed, not at the top: the other commands run without
nova, and importing it costs seconds. This module imports no nova itself.
"""

import importlib

from nova.virt.vmwareapi.ownership.novadb import exceptions


def load_nova(module, command):
    """Import one of ``novadb``'s modules, which import nova.

    :param module: the module's name in ``novadb``, e.g. ``rehome``
    :param command: the command that needs it, for the message
    :raises: NovaNotInstalled
    """
    try:
        return importlib.import_module('%s.%s' % (__package__, module))
    except ImportError as exc:
        raise exceptions.NovaNotInstalled(detail=str(exc), command=command)

"""Console script entry point of ``nova-vmware-owner``."""

import sys
import warnings


def main():
    """Run the operator command.

    oslo.vmware imports eventlet (through oslo.service), which warns on
    import that it is deprecated. The operator cannot act on that, so the
    warning is silenced before the command's modules are imported (hence
    the import inside this function).
    """
    warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')
    from nova.virt.vmwareapi.ownership import cli
    sys.exit(cli.main())

"""nova's own options that the operator command reads.

The command reads the same configuration files as nova-compute. When nova
is importable its own option definitions are registered, so defaults and
validation are nova's; otherwise identical copies of the few options used
here are registered (same names, types and defaults as nova 34, but for
``state_path``'s default).
"""

import os
import socket

from oslo_config import cfg

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership.vsphere import vcenter

_vmware_group = cfg.OptGroup('vmware', title='VMware vCenter driver')

# Copies of nova/conf/vmware.py, limited to what connecting needs.
_vmware_opts = [
    cfg.HostAddressOpt('host_ip',
                       help='Hostname or IP address of the vCenter server.'),
    cfg.PortOpt('host_port', default=443,
                help='Port of the vCenter server.'),
    cfg.StrOpt('host_username', help='Username of the vCenter server.'),
    cfg.StrOpt('host_password', secret=True,
               help='Password of the vCenter user.'),
    cfg.StrOpt('ca_file',
               help='CA bundle file to verify the vCenter certificate.'),
    cfg.BoolOpt('insecure', default=False,
                help='Skip verification of the vCenter certificate; '
                     'ignored when ca_file is set.'),
    cfg.StrOpt('cluster_name',
               help='Name of the vCenter cluster nova-compute manages.'),
    cfg.FloatOpt('task_poll_interval', default=0.5,
                 help='Seconds between polls of a remote task.'),
    cfg.IntOpt('api_retry_count', default=10, min=0,
               help='Times an API call is retried on connection errors.'),
    cfg.IntOpt('connection_pool_size', min=10, default=10,
               help='Maximum HTTP connections to vCenter.'),
]

_default_opts = [
    cfg.HostDomainOpt('host', default=socket.gethostname(),
                      sample_default='<current_hostname>',
                      help='Name of this nova-compute service (nova '
                           '[DEFAULT] host).'),
    # nova's default is '$pybasedir' (where nova is installed), which means
    # nothing without nova; its packages' /var/lib/nova stands in.
    cfg.StrOpt('state_path', default='/var/lib/nova',
               help="Top-level directory for nova's state (nova [DEFAULT] "
                    "state_path)."),
]


def copies():
    """Our copies of nova's options: ``[(group name, [opts])]``.

    ``None`` names ``[DEFAULT]``. A test compares them with nova's own.
    """
    return [(None, _default_opts), (_vmware_group.name, _vmware_opts)]


def register_nova_opts(conf):
    """Register ``[DEFAULT] host``, ``state_path`` and ``[vmware]`` options.

    Uses nova's definitions when nova is installed, our copies otherwise.

    :returns: True when nova's definitions were used
    """
    try:
        from nova.conf import netconf
        from nova.conf import paths
        from nova.conf import vmware
    except ImportError:
        conf.register_opts(_default_opts)
        conf.register_group(_vmware_group)
        conf.register_opts(_vmware_opts, group=_vmware_group)
        return False
    netconf.register_opts(conf)
    paths.register_opts(conf)
    vmware.register_opts(conf)
    return True


def _required(conf, name):
    value = getattr(conf.vmware, name)
    if value in (None, ''):
        raise exceptions.ConfigurationError(
            options=('[vmware] %s' % name,),
            problem='must be set in the configuration file (the same file '
            'nova-compute reads; pass it with --config-file)')
    return value


def endpoint(conf):
    """The ``vcenter.Endpoint`` of the ``[vmware]`` options.

    :raises: ConfigurationError naming the option that is missing or wrong
    """
    vmware = conf.vmware
    ca_file = vmware.ca_file
    if ca_file and not os.path.isfile(ca_file):
        raise exceptions.ConfigurationError(
            options=('[vmware] ca_file',),
            problem='no such file: %r (the CA bundle that verifies the '
            'vCenter certificate)' % ca_file)
    if ca_file and not os.access(ca_file, os.R_OK):
        raise exceptions.ConfigurationError(
            options=('[vmware] ca_file',),
            problem='%r cannot be read by this user' % ca_file)
    return vcenter.Endpoint(
        _required(conf, 'host_ip'), vmware.host_port,
        _required(conf, 'host_username'), _required(conf, 'host_password'),
        ca_file=ca_file, insecure=vmware.insecure)


def cluster_name(conf):
    """``[vmware] cluster_name``; raises ConfigurationError when unset."""
    return _required(conf, 'cluster_name')

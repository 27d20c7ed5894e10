"""nova's own options that the operator command reads.

The command reads the same configuration files as nova-compute. When nova
is importable its own option definitions are registered, so defaults and
validation are nova's; otherwise identical copies of the few options used
here are registered (same names, types and defaults as nova 34, but for
``state_path``'s default).
"""

import os
import re
import socket
import ssl

from oslo_config import cfg

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership.vsphere import vcenter

VMWARE_GROUP = 'vmware'

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
    return [(None, _default_opts), (VMWARE_GROUP, _vmware_opts)]


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
        # A group of its own per configuration: oslo.config keeps the
        # overrides of a group's options in the group, which a module-level
        # OptGroup would share between configurations.
        conf.register_group(cfg.OptGroup(VMWARE_GROUP,
                                         title='VMware vCenter driver'))
        conf.register_opts(_vmware_opts, group=VMWARE_GROUP)
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


# "[X509: NO_CERTIFICATE_OR_CRL_FOUND] no certificate or crl found
# (_ssl.c:4154)": the words in the middle are the operator's.
_SSL_NOISE = re.compile(r'^\[[^\]]*\]\s*|\s*\(_ssl\.c:\d+\)$')


def _ca_file_problem(path):
    """What is wrong with ``[vmware] ca_file``, or ``None``.

    Checked here, before connecting: urllib3 would report each of these
    as a TLS failure of its own words, or as "no such file".
    """
    if not os.path.exists(path):
        return 'no such file'
    if os.path.isdir(path):
        return 'a directory, not a file'
    if not os.access(path, os.R_OK):
        return 'this user cannot read it'
    if os.path.getsize(path) == 0:
        return 'the file is empty'
    try:
        ssl.create_default_context(cafile=path)
    except ssl.SSLError as exc:
        return 'no certificate could be read from it (%s)' % (
            _SSL_NOISE.sub('', str(exc.args[-1])))
    except (OSError, ValueError, UnicodeError) as exc:
        return 'it cannot be read as certificates (%s)' % exc
    return None


def endpoint(conf):
    """The ``vcenter.Endpoint`` of the ``[vmware]`` options.

    :raises: ConfigurationError naming the option that is missing or wrong
    """
    vmware = conf.vmware
    ca_file = vmware.ca_file
    problem = _ca_file_problem(ca_file) if ca_file else None
    if problem is not None:
        raise exceptions.ConfigurationError(
            options=('[vmware] ca_file',),
            problem='%r: %s. It must be a PEM file of the CA certificates '
            'that verify the vCenter certificate' % (ca_file, problem))
    return vcenter.Endpoint(
        _required(conf, 'host_ip'), vmware.host_port,
        _required(conf, 'host_username'), _required(conf, 'host_password'),
        ca_file=ca_file, insecure=vmware.insecure)


def cluster_name(conf):
    """``[vmware] cluster_name``; raises ConfigurationError when unset."""
    return _required(conf, 'cluster_name')

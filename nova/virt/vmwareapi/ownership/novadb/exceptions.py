"""The errors of the commands that use nova's databases.

``NovaNotInstalled`` and ``NovaDatabaseUnavailable`` say why nova's records
cannot be read at all (exit 2); ``NovaRecordsChanged`` that they changed
while ``rehome`` ran (exit 5). This module imports no nova: the commands
raise these errors exactly where nova is missing.
"""

from nova.virt.vmwareapi.ownership import exceptions


class NovaNotInstalled(exceptions.ConfigurationError):
    """A command needs nova's objects and nova is not importable.

    :param detail: why nova could not be imported
    :param command: the command, e.g. ``rehome`` or ``list --nova``
    """

    msg_fmt = ('%(command)s needs nova: install nova-vmware-owner with its '
               '[nova] extra (pip install \'nova-vmware-owner[nova]\') where '
               'nova-manage runs%(why)s.')
    detail = None
    command = 'rehome'

    def computed(self):
        return {'why': ' (%s)' % self.detail if self.detail else ''}


class NovaDatabaseUnavailable(exceptions.ConfigurationError):
    """A nova database option is missing, or its database cannot be used.

    :param option: the option, e.g. ``[database] connection``
    :param reason: what is wrong (never the connection URL: it may hold a
                   password)
    """

    msg_fmt = ('Cannot use nova\'s database of %(option)s: %(reason)s. '
               'nova-vmware-owner reads nova\'s databases with the same '
               'configuration as nova-manage: pass its file with '
               '--config-file (before the command name), and check that the '
               'database is up, reachable from this machine and synced '
               '(nova-manage db sync, nova-manage api_db sync).')

    @property
    def options(self):
        return (self.option,)


class NovaRecordsChanged(exceptions.OwnershipError):
    """nova's records changed while ``rehome`` ran; it wrote nothing.

    :param what: the record or the difference found
    """

    msg_fmt = ('nova\'s records changed while rehome was running (%(what)s). '
               'Nothing of this run was written. Run the command again (with '
               '--dry-run first) to decide afresh.')

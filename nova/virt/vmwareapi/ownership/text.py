"""Text for the operator: values escaped for a terminal, command lines.

Values that come from vCenter or nova are escaped (``printable``,
``shorten``) before they go into a message, a log line or the command's
output: a control character in a cluster name must not forge a line.
"""

RAW_SHOWN = 200
"""How many characters of a raw attribute value an error message shows."""


def printable(value):
    """``value`` as text safe for a terminal or a log line.

    Control and format characters (newlines, C1 controls, bidirectional
    overrides such as U+202E) could forge lines or reorder what an
    operator reads; they are shown as escapes, the rest as is.
    """
    text = '%s' % (value,)
    if text.isprintable():
        return text
    return ''.join(c if c.isprintable() else
                   c.encode('unicode_escape').decode('ascii') for c in text)


def shorten(raw, limit=RAW_SHOWN):
    """``raw`` quoted, escaped and truncated, for a message."""
    if raw is None:
        return 'None'
    text = raw if len(raw) <= limit else raw[:limit] + '...'
    return repr(text) + (' (%d characters)' % len(raw)
                         if len(raw) > limit else '')


def cloud_text(cloud):
    """A cloud as messages name it: ``cloud 'x'`` or the default cloud."""
    if not cloud:
        return 'the default cloud'
    return 'cloud %r' % printable(cloud)


def owner_text(host, cloud):
    """An owner as the audit names it: ``host`` or ``host (cloud x)``."""
    if not cloud:
        return printable(host)
    return '%s (cloud %s)' % (printable(host), printable(cloud))


def rehome_command(old, new, config_files=()):
    """The exact ``rehome`` command line that moves ``old``'s records."""
    options = ''.join(' --config-file %s' % path for path in config_files)
    return 'nova-vmware-owner%s rehome --from %s --to %s' % (options, old, new)

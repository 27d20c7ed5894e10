"""Text for the operator: values escaped for a terminal, command lines.

Values that come from vCenter or nova are escaped (``printable``,
``shorten``) before they go into a message, a log line or the command's
output: a control character in a cluster name must not forge a line.
Everything that is not printable is escaped: C0 and C1 controls
(newline, CR, ESC, NEL), the line and paragraph separators U+2028 and
U+2029, the bidirectional embeddings, overrides and isolates (U+202A to
U+202E, U+2066 to U+2069) and every other format character. Both work on
plain ``str``: a value still in the type suds hands out
(``suds.sax.text.Text``, whose ``repr()`` is the raw text) is converted
first, although ``vsphere`` converts every value it hands out.
"""

RAW_SHOWN = 200
"""How many characters of a raw attribute value an error message shows."""


def printable(value):
    """``value`` as text safe for a terminal or a log line.

    Control and format characters (newlines, C1 controls, bidirectional
    overrides such as U+202E) could forge lines or reorder what an
    operator reads; they are shown as escapes, the rest as is.
    """
    text = str('%s' % (value,))
    if text.isprintable():
        return text
    return ''.join(c if c.isprintable() else
                   c.encode('unicode_escape').decode('ascii') for c in text)


def shorten(raw, limit=RAW_SHOWN):
    """``raw`` quoted, escaped and truncated, for a message."""
    if raw is None:
        return 'None'
    raw = str(raw)
    text = raw if len(raw) <= limit else raw[:limit] + '...'
    # repr() of a plain str escapes what printable() escapes.
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

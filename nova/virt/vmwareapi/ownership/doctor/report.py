"""doctor's text: a heading, one line per check as it completes, a summary.

Pure functions of ``checks.Check`` and ``checks.Report`` values; every
line is escaped (``text.printable``): a detail may quote vCenter.
"""

from nova.virt.vmwareapi.ownership.doctor import checks
from nova.virt.vmwareapi.ownership import text as text_mod

_MARK = {checks.Verdict.OK: 'ok', checks.Verdict.WARN: 'warn',
         checks.Verdict.FAIL: 'fail'}


def heading(about):
    """What the run is about: ``about`` as in ``checks.Report``."""
    about = dict(about)
    return text_mod.printable(
        'nova-vmware-owner doctor: cluster %r on vCenter %s, as user %r, '
        'attribute %r (scratch definitions %s*)' % (
            about['cluster'], about['vcenter'], about['user'],
            about['attribute'], about['scratch']))


def line(check):
    """One check: ``<verdict>  <name>: <detail>`` and its fix below."""
    text = '%-4s  %s: %s' % (_MARK[check.verdict],
                             text_mod.printable(check.name),
                             text_mod.printable(check.detail))
    if check.fix:
        text += '\n      fix: %s' % text_mod.printable(check.fix)
    return text


def summary(report):
    """The last lines: the counts, what did not apply, why it stopped."""
    counts = report.counts()
    lines = ['%d checks: %d ok, %d warn, %d fail.' % (
        len(report.checks), counts['ok'], counts['warn'], counts['fail'])]
    lines += ['Not checked: %s.' % text_mod.printable(what)
              for what in report.not_checked]
    if report.stopped:
        lines.append('Stopped: %s' % text_mod.printable(report.stopped))
    return '\n'.join(lines)

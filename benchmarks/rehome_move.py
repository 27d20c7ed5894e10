"""Time and database queries of ``rehome`` moving a cluster of N instances.

Makes its own nova 34 databases (SQLite files, ``_novadb.py``) holding a
stopped host-a with one cluster of N instances (default 50), then runs the
real command in this process,
``nova-vmware-owner --config-file nova.conf rehome --from host-a --to host-b
--yes``, three ways: ``--dry-run``, the move, and a second run (no-op). It
counts SQL statements with SQLAlchemy's ``before_cursor_execute`` event,
per database, and the time of each run (``cli.main`` end to end: importing
and configuring nova, the reads, the transactions; no vCenter: ``[vmware]``
is not configured, which adds a constant few vCenter round trips
otherwise). Each run is a process of its own, as the command is.

Needs nova: run it with a Python that has nova 34 and this package
(``$NOVA_PYTHON``, default ``.tox/nova/bin/python`` after ``tox -e nova
--notest``); started with another Python it re-runs itself with that one.
"""

import argparse
import collections
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NOVA_PYTHON = os.environ.get('NOVA_PYTHON') or os.path.join(
    HERE, os.pardir, '.tox', 'nova', 'bin', 'python')


def _has_nova():
    try:
        import nova.conf  # noqa: F401
    except ImportError:
        return False
    return True


class StatementCounter:
    """Counts SQL statements per database file."""

    def __init__(self):
        from sqlalchemy import engine
        from sqlalchemy import event
        self.counts = collections.Counter()
        event.listen(engine.Engine, 'before_cursor_execute', self._count)

    def _count(self, conn, cursor, statement, parameters, context,
               executemany):
        name = os.path.basename(conn.engine.url.database or 'memory')
        kind = statement.split(None, 1)[0].upper()
        self.counts[(name, kind)] += 1

    def take(self):
        counts = dict(self.counts)
        self.counts.clear()
        return counts


def run(conf, *extra):
    from nova.virt.vmwareapi.ownership import cli
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        start = time.perf_counter()
        code = cli.main(['--config-file', conf, 'rehome', '--from', 'host-a',
                         '--to', 'host-b', '--yes'] + list(extra))
        seconds = time.perf_counter() - start
    if code != 0:
        raise SystemExit('rehome exited %d: %s' % (code, err.getvalue()))
    return seconds, out.getvalue()


def summary(counts):
    by_db = collections.Counter()
    for (name, _kind), n in counts.items():
        by_db[name] += n
    kinds = collections.Counter()
    for (_name, kind), n in counts.items():
        kinds[kind] += n
    return {'total': sum(counts.values()), 'by_database': dict(by_db),
            'by_statement': dict(kinds)}


def child(conf, extra):
    """One run of the command, measured, in this process."""
    counter = StatementCounter()
    seconds, out = run(conf, *extra)
    print('CHILD %s' % json.dumps(dict(seconds=round(seconds, 3),
                                       first_line=out.splitlines()[0],
                                       **summary(counter.take()))))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--instances', type=int, default=50)
    parser.add_argument('--child', metavar='CONF', help=argparse.SUPPRESS)
    args, extra = parser.parse_known_args()
    if not _has_nova():
        if not os.path.exists(NOVA_PYTHON):
            raise SystemExit('needs nova: run "tox -e nova --notest" or set '
                             'NOVA_PYTHON to a Python with nova 34')
        os.execv(NOVA_PYTHON, [NOVA_PYTHON] + sys.argv)
    if args.child:
        return child(args.child, extra)
    with tempfile.TemporaryDirectory() as directory:
        start = time.perf_counter()
        conf = subprocess.run(
            [sys.executable, os.path.join(HERE, '_novadb.py'), directory,
             '--instances', str(args.instances)],
            check=True, capture_output=True, text=True).stdout.strip()
        results = {'instances': args.instances,
                   'setup_seconds': round(time.perf_counter() - start, 2)}
        for name, extra in (('dry_run', ['--dry-run']), ('move', []),
                            ('again', [])):
            argv = [sys.executable, os.path.abspath(__file__), '--child',
                    conf] + extra
            out = subprocess.run(argv, check=True, capture_output=True,
                                 text=True).stdout
            (line,) = [x for x in out.splitlines() if x.startswith('CHILD ')]
            results[name] = json.loads(line[len('CHILD '):])
            print('%-8s %6.3f s  %3d statements %s  %s'
                  % (name, results[name]['seconds'],
                     results[name]['total'],
                     json.dumps(results[name]['by_database']),
                     results[name]['first_line']))
    print('RESULT %s' % json.dumps(results, sort_keys=True))


if __name__ == '__main__':
    main()

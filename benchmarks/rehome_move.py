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

Needs nova: started with a Python without it (``tox -e benchmarks --
--only rehome_move``), it re-runs itself with the Python of ``startup``
(``$NOVA_PYTHON``, else the benchmarks' nova 34 venv, made once).

    python benchmarks/rehome_move.py [--instances N ...]
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
    from nova.virt.vmwareapi.ownership.cli import main as cli
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
    parser.add_argument('--instances', type=int, nargs='+',
                        default=[50, 500],
                        help='cluster sizes to measure (instances)')
    parser.add_argument('--child', metavar='CONF', help=argparse.SUPPRESS)
    args, extra = parser.parse_known_args()
    if not _has_nova():
        import _common
        python = _common.nova_python()
        os.execv(python, [python] + sys.argv)
    if args.child:
        return child(args.child, extra)
    results = {'instances': args.instances, 'nova': _nova_version()}
    for instances in args.instances:
        results[str(instances)] = measure(instances)
    print('RESULT %s' % json.dumps(results, sort_keys=True))


def _nova_version():
    from importlib import metadata
    return metadata.version('nova')


def measure(instances):
    """The three runs on a database of ``instances`` instances."""
    with tempfile.TemporaryDirectory() as directory:
        start = time.perf_counter()
        conf = subprocess.run(
            [sys.executable, os.path.join(HERE, '_novadb.py'), directory,
             '--instances', str(instances)],
            check=True, capture_output=True, text=True).stdout.strip()
        results = {'setup_seconds': round(time.perf_counter() - start, 2)}
        for name, extra in (('dry_run', ['--dry-run']), ('move', []),
                            ('again', [])):
            argv = [sys.executable, os.path.abspath(__file__), '--child',
                    conf] + extra
            out = subprocess.run(argv, check=True, capture_output=True,
                                 text=True).stdout
            (line,) = [x for x in out.splitlines() if x.startswith('CHILD ')]
            results[name] = json.loads(line[len('CHILD '):])
            print('N=%-4d %-8s %6.3f s  %4d statements %s  %s'
                  % (instances, name, results[name]['seconds'],
                     results[name]['total'],
                     json.dumps(results[name]['by_database']),
                     results[name]['first_line']))
    return results


if __name__ == '__main__':
    main()

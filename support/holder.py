"""A process that guards a cluster as nova-compute's driver does.

The HA tests run several of these at once: each is a separate process with
its own vCenter session (every request bounded by the settings'
``request_timeout``, as the driver's), guard and lease keeper (renew
deadline included), like nova-compute with ``compute_driver =
vmwareapi.ownership.driver.VMwareVCDriver``, without the rest of nova. It
reports on stdout, one JSON object a line::

    {"event": "standby"} (once, when it begins to wait for another holder)
    {"event": "held", "holder": "...", "seq": 1, "token": 17}
    {"event": "refused", "error": "ClusterHeldByAnotherProcess", ...}
    {"event": "lost", "message": "..."} / {"event": "released"} /
    {"event": "renewed", "renewals": 2, "seq": 3}

Modes:

- ``hold``: start (standing by if needed), renew until SIGTERM (then
  release and exit 0) or until the cluster is lost or the renew deadline
  passed (exit 5).
- ``race``: for each attribute name read from stdin, try once to start
  without standing by and report; exit at end of input.
"""

import argparse
import json
import logging
import signal
import sys
import threading
import time

from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import guard as guard_mod
from nova.virt.vmwareapi.ownership import lease as lease_mod
from nova.virt.vmwareapi.ownership import location as location_mod
from nova.virt.vmwareapi.ownership.vsphere import store as store_mod
from nova.virt.vmwareapi.ownership.vsphere import vcenter
from support import fakes

EXIT_LOST = 5


def report(event, **data):
    data['event'] = event
    data['t'] = time.monotonic()
    sys.stdout.write(json.dumps(data) + '\n')
    sys.stdout.flush()


def parse_args(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument('mode', choices=['hold', 'race'])
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--user', required=True)
    parser.add_argument('--password', required=True)
    parser.add_argument('--ca-file', required=True)
    parser.add_argument('--cluster', default='DC0_C0')
    parser.add_argument('--attribute', default='openstack.nova.owner')
    parser.add_argument('--host', required=True)
    parser.add_argument('--lease', type=int, default=4)
    parser.add_argument('--renew', type=int, default=1)
    parser.add_argument('--standby-timeout', type=int, default=0)
    parser.add_argument('--deadline', type=float, default=None,
                        help='renew_deadline in seconds (default: halfway '
                             'between --renew and --lease)')
    parser.add_argument('--timeout', type=float, default=None,
                        help='seconds of each vCenter request (default: '
                             "the settings' request_timeout, as the "
                             "driver's)")
    return parser.parse_args(argv)


def make_settings(args, attribute=None, standby_wait=True):
    """The ``opts.Settings`` of the command line."""
    times = {} if args.deadline is None else {
        'renew_deadline': args.deadline}
    return fakes.settings(
        attribute_name=attribute or args.attribute,
        lease_duration=args.lease, renew_interval=args.renew,
        standby_wait=standby_wait, standby_timeout=args.standby_timeout,
        **times)


def make_guard(session, ref, args, attribute, standby_wait=True):
    settings = make_settings(args, attribute, standby_wait)
    location = location_mod.Location(args.cluster, str(session.endpoint),
                                     ref.value, attribute)
    store = store_mod.VCenterStore(session, ref, attribute, location)
    return guard_mod.OwnershipGuard(store, args.host, settings)


class _StandingBy(logging.Handler):
    """Reports ``standby`` once the guard says it stands by.

    The guard says so at its first decision to wait: a test then knows the
    standby is waiting.
    """

    def __init__(self):
        super().__init__(logging.INFO)
        self.reported = False

    def emit(self, record):
        if not self.reported and record.getMessage().startswith(
                'Standing by:'):
            self.reported = True
            report('standby')


def hold(session, ref, args):
    guard = make_guard(session, ref, args, args.attribute)
    logging.getLogger(guard_mod.__name__).addHandler(_StandingBy())
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        record = guard.start()
    except exceptions.OwnershipError as exc:
        report('refused', error=type(exc).__name__, message=str(exc))
        return 3
    report('held', holder=guard.holder, seq=record.seq,
           token=guard.tenure.key if guard.tenure else None)

    def lost(error):
        report('lost', message=str(error))
        stopping.set()

    keeper = lease_mod.LeaseKeeper(guard, guard.settings, lost,
                                   last_renewal=guard.taken_at)
    keeper.start()
    renewals = 0
    while not stopping.wait(0.1):
        if keeper.renewals != renewals:
            renewals = keeper.renewals
            report('renewed', renewals=renewals,
                   seq=guard.tenure.record.seq)
    keeper.stop(timeout=guard.settings.request_timeout * 2)
    if keeper.lost:
        return EXIT_LOST
    guard.release()
    report('released', renewals=keeper.renewals)
    return 0


def race(session, ref, args):
    for line in sys.stdin:
        attribute = line.strip()
        if not attribute:
            continue
        guard = make_guard(session, ref, args, attribute, standby_wait=False)
        try:
            guard.start()
        except exceptions.OwnershipError as exc:
            report('refused', round=attribute, error=type(exc).__name__)
        else:
            report('held', round=attribute, holder=guard.holder)
    return 0


def _green_threads():
    """Whether eventlet monkey-patched threading in this process."""
    patcher = sys.modules.get('eventlet.patcher')
    return bool(patcher and patcher.is_monkey_patched('thread'))


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format='%(asctime)s %(name)s %(message)s')
    # What the test needs to see when a holder misbehaves: our decisions.
    logging.getLogger('suds').setLevel(logging.ERROR)
    logging.getLogger('oslo_vmware').setLevel(logging.WARNING)
    logging.getLogger('nova.virt.vmwareapi.ownership').setLevel(
        logging.DEBUG)
    endpoint = vcenter.Endpoint('127.0.0.1', args.port, args.user,
                                args.password, ca_file=args.ca_file)
    # As the guarded driver: a session of its own, bounded to fit the
    # renew deadline.
    session = vcenter.connect(endpoint, args.timeout or
                              make_settings(args).request_timeout)
    ref = vcenter.find_cluster(session, args.cluster)
    report('connected', green_threads=_green_threads())
    return (hold if args.mode == 'hold' else race)(session, ref, args)


if __name__ == '__main__':
    sys.exit(main())

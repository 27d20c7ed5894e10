#!/usr/bin/env python3
"""vCenter round trips per guard operation, against DESIGN section 9.

Counts HTTP POSTs at the session's transport (every SOAP request) and
``invoke_api`` calls by method, for: the check at start when the record is
already ours (lease off and on), a first claim, a renewal, a release
(clean stop) and an operator takeover (``operations.plan_takeover`` +
``apply``, what ``nova-vmware-owner takeover`` runs after observing).

    tox -e benchmarks -- --only round_trips

or, in that environment:

    python benchmarks/round_trips.py [--repeat N]
"""

import argparse
import datetime

import _common

from nova.virt.vmwareapi.ownership import guard as guard_mod
from nova.virt.vmwareapi.ownership import lock as lock_mod
from nova.virt.vmwareapi.ownership import operations

TARGETS = {'check_lease_off': 1, 'first_claim': 6, 'renewal': 2}


def measure_once(counter, session, number):
    """One pass over every operation, each on its own attribute."""
    out = {}

    def guard(attribute, **overrides):
        store = _common.make_store(session, attribute)
        return guard_mod.OwnershipGuard(
            store, 'compute-a', _common.settings(attribute_name=attribute,
                                                 **overrides))

    # Lease off: the record is a plain owner tag.
    plain = 'bench.plain.%d' % number
    out['first_claim_lease_off'] = counter.measure(
        guard(plain, lease_duration=0).start)
    out['check_lease_off'] = counter.measure(
        guard(plain, lease_duration=0).start)

    # Lease on (the default 180 s): claim, renew, release, restart.
    leased = 'bench.leased.%d' % number
    holder = guard(leased)
    out['first_claim'] = counter.measure(holder.start)
    out['renewal'] = counter.measure(holder.renew)
    out['release'] = counter.measure(holder.release)
    out['check_lease_on'] = counter.measure(guard(leased).start)

    # Operator takeover of a released record (no holder to observe).
    store = _common.make_store(session, 'bench.takeover.%d' % number)
    guard_mod.OwnershipGuard(store, 'compute-a', _common.settings(
        attribute_name=store.attribute_name, lease_duration=0)).start()
    lock = lock_mod.RecordLock(store)

    def takeover():
        now = datetime.datetime.now(datetime.timezone.utc)
        plan = operations.plan_takeover(store.read(), 'compute-b', now,
                                        store.location)
        return operations.apply(store, lock, plan, who='benchmark')
    out['takeover'] = counter.measure(takeover)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeat', type=int, default=5)
    args = parser.parse_args()
    sim = _common.start_simulator(clusters=1, hosts=1, vms=1)
    try:
        session = _common.connect(sim)
        counter = _common.RoundTrips(session)
        runs = [measure_once(counter, session, n) for n in range(args.repeat)]
        session.logout()
    finally:
        sim.cleanUp()
    data = {}
    for name in runs[0]:
        posts = sorted({run[name][0] for run in runs})
        methods = runs[-1][name][1]
        seconds = _common.summary([run[name][2] for run in runs])
        data[name] = {'round_trips': posts, 'methods': methods,
                      'seconds': seconds, 'target': TARGETS.get(name)}
        target = TARGETS.get(name)
        verdict = '' if target is None else (
            '  target <= %d: %s' % (target, 'met' if max(posts) <= target
                                    else 'NOT MET'))
        print('%-22s %-6s %6.1f ms  %s%s' % (
            name, '/'.join(map(str, posts)), seconds['median'] * 1000,
            ', '.join('%s %d' % kv for kv in sorted(methods.items())),
            verdict))
    _common.result('round_trips', data)


if __name__ == '__main__':
    main()

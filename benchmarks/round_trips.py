#!/usr/bin/env python3
"""vCenter round trips per operation ("Cost on vCenter", how-it-works.rst).

Counts the SOAP requests a session sends, by method, at its HTTP transport
(``base.RoundTrips``: every request, oslo.vmware's own included), for:

- ``check_lease_off``: a start when the record already names this host,
  ``lease_duration = 0`` (the record is a plain owner tag; target 1);
- ``first_claim`` (lease on; target <= 6) and ``first_claim_lease_off``;
- ``renewal`` (target 2: a read and a ``SetField`` through the lease);
- ``take_lease``: a start of the owning host when the record is released
  (a restart): read, revoke the old lease, create a new one, write
  through it, copy into the attribute;
- ``release``: the clean stop (read, write through the lease, copy);
- ``takeover``: what ``nova-vmware-owner takeover`` does once observed
  (read, ``operations.plan``, ``operations.apply`` with its audit event);
- ``list``: the reading of ``list`` (``vsphere.fleet.read``).

    tox -e benchmarks -- --only round_trips

or, in that environment:

    python benchmarks/round_trips.py [--repeat N]
"""

import argparse
import datetime

import _common

from nova.virt.vmwareapi.ownership import decision
from nova.virt.vmwareapi.ownership import fencing
from nova.virt.vmwareapi.ownership import guard as guard_mod
from nova.virt.vmwareapi.ownership import operations
from nova.virt.vmwareapi.ownership.vsphere import fleet as vsphere_fleet

TARGETS = {'check_lease_off': 1, 'first_claim': 6, 'renewal': 2}
ORDER = ['check_lease_off', 'first_claim', 'first_claim_lease_off',
         'renewal', 'take_lease', 'release', 'takeover', 'list']


def measure_once(counter, session, number):
    """One pass over every operation, each on an attribute of its own."""
    out = {}

    def measure(name, function):
        out[name] = _common.measure(counter, function)[:3]

    def guard(attribute, **overrides):
        store = _common.make_store(session, attribute)
        return guard_mod.OwnershipGuard(
            store, 'compute-a', _common.settings(attribute_name=attribute,
                                                 **overrides))

    # Lease off: the record is a plain owner tag.
    plain = 'bench.plain.%d' % number
    measure('first_claim_lease_off', guard(plain, lease_duration=0).start)
    measure('check_lease_off', guard(plain, lease_duration=0).start)

    # Lease on (the default 180 s): claim, renew, release, restart.
    leased = 'bench.leased.%d' % number
    holder = guard(leased)
    measure('first_claim', holder.start)
    measure('renewal', holder.renew)
    measure('release', holder.release)
    measure('take_lease', guard(leased).start)

    # An operator's takeover of a released record (no holder to observe).
    store = _common.make_store(session, 'bench.takeover.%d' % number)
    guard_mod.OwnershipGuard(store, 'compute-a', _common.settings(
        attribute_name=store.attribute_name, lease_duration=0)).start()

    def takeover():
        now = datetime.datetime.now(datetime.timezone.utc)
        plan = operations.plan(decision.Change.TAKEOVER,
                               fencing.settle(store), 'compute-b', now,
                               store.location)
        return operations.apply(store, plan, who='benchmark')
    measure('takeover', takeover)
    measure('list', lambda: vsphere_fleet.read(session, leased, 'simulator'))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeat', type=int, default=5)
    args = parser.parse_args()
    sim = _common.start_simulator(clusters=1, hosts=1, vms=1)
    try:
        session = sim.session()
        counter = _common.RoundTrips(session)
        runs = [measure_once(counter, session, n) for n in range(args.repeat)]
        session.logout()
    finally:
        sim.cleanUp()
    data = {}
    for name in ORDER:
        trips = sorted({run[name][0] for run in runs})
        methods = runs[-1][name][1]
        seconds = _common.summary([run[name][2] for run in runs])
        target = TARGETS.get(name)
        data[name] = {'round_trips': trips, 'methods': methods,
                      'seconds': seconds, 'target': target}
        verdict = '' if target is None else (
            '  target <= %d: %s' % (target, 'met' if max(trips) <= target
                                    else 'NOT MET'))
        print('%-22s %-6s %6.1f ms  %s%s' % (
            name, '/'.join(map(str, trips)), seconds['median'] * 1000,
            ', '.join('%s %d' % kv for kv in sorted(methods.items())),
            verdict))
    _common.result('round_trips', data)


if __name__ == '__main__':
    main()

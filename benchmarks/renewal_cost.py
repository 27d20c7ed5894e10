#!/usr/bin/env python3
"""What keeping the lease costs vCenter per day: round trips and events.

Measures renewals (and one standby poll) at the default options: their
round trips counted at the session's transport, and the vCenter events
they cause counted with ``QueryEvents`` (the ``CustomFieldValueChangedEvent``
events on the cluster that name the lease or the attribute, before and
after ``--renewals`` renewals), not assumed. Then scales to a day:
``86400 / renew_interval`` renewals; a standby reads every
``min(10, max(1, renew_interval / 2))`` seconds.

    tox -e benchmarks -- --only renewal_cost

or, in that environment:

    python benchmarks/renewal_cost.py [--lease S] [--renew S] [--renewals N]
"""

import argparse

import _common

from nova.virt.vmwareapi.ownership.doctor import checks
from nova.virt.vmwareapi.ownership import guard as guard_mod
from nova.virt.vmwareapi.ownership.vsphere import clusters
from nova.virt.vmwareapi.ownership.vsphere import preflight

DAY = checks.DAY


def value_events(session, cluster, names):
    """The value events vCenter recorded on ``cluster`` for ``names``."""
    return sum(1 for event in preflight.field_events(
        session, (preflight.VALUE_CHANGED,), entity=cluster)
        if event.name in names)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--lease', type=int, default=180)
    parser.add_argument('--renew', type=int, default=60)
    parser.add_argument('--renewals', type=int, default=10,
                        help='renewals whose events are counted')
    args = parser.parse_args()
    sim = _common.start_simulator(clusters=1, hosts=1, vms=1)
    try:
        session = sim.session()
        counter = _common.RoundTrips(session)
        settings = _common.settings(attribute_name='bench.cost',
                                    lease_duration=args.lease,
                                    renew_interval=args.renew)
        store = _common.make_store(session, 'bench.cost')
        cluster = clusters.find_cluster(session, _common.CLUSTER)
        names = (store.lease_name, store.attribute_name)
        active = guard_mod.OwnershipGuard(store, 'compute-a', settings)
        active.start()
        renewal = _common.measure(counter, active.renew)[1]
        before = value_events(session, cluster, names)
        for _ in range(args.renewals):
            active.renew()
        counted = value_events(session, cluster, names) - before
        standby = guard_mod.OwnershipGuard(store, 'compute-a', settings)
        poll = _common.measure(counter, standby.assess)[1]
        session.logout()
    finally:
        sim.cleanUp()
    renewals = DAY / args.renew
    per_renewal = counted / float(args.renewals)
    per_day = checks.events_per_day(per_renewal, args.renew, args.lease)
    data = {
        'lease': args.lease, 'renew': args.renew,
        'renewal_methods': renewal, 'standby_poll_seconds':
        settings.standby_poll,
        'renewals_per_day': renewals,
        'writes_per_day': renewals * renewal.get('SetField', 0),
        'renewals_counted': args.renewals, 'events_counted': counted,
        'events_per_renewal': per_renewal, 'events_per_day': per_day,
        'events_kept': per_day * checks.RETENTION_DAYS,
        'reads_per_day': renewals * renewal.get('RetrievePropertiesEx', 0),
        'standby_reads_per_day': DAY / settings.standby_poll *
        sum(poll.values()),
    }
    print('one renewal: %s' % renewal)
    print('events of %d renewals (QueryEvents): %d, %g per renewal'
          % (args.renewals, counted, per_renewal))
    for key in ('renewals_per_day', 'writes_per_day', 'events_per_day',
                'events_kept', 'reads_per_day', 'standby_reads_per_day'):
        print('%-22s %8.0f' % (key, data[key]))
    _common.result('renewal_cost', data)


if __name__ == '__main__':
    main()

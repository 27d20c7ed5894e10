#!/usr/bin/env python3
"""What keeping the lease costs vCenter per day, from measured round trips.

Measures one renewal (and one standby poll) at the default options, then
scales to a day: ``86400 / renew_interval`` renewals, each one read and
one ``SetField`` through the lease (the attribute's copy is written only
when the record changes, or to repair it); every ``SetField`` is one event
in vCenter's event log (``CustomFieldValueChangedEvent``); a standby reads
every ``min(10, max(1, renew_interval / 2))`` seconds.

    tox -e benchmarks -- --only renewal_cost

or, in that environment:

    python benchmarks/renewal_cost.py [--lease S] [--renew S]
"""

import argparse

import _common

from nova.virt.vmwareapi.ownership import guard as guard_mod

DAY = 86400


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--lease', type=int, default=180)
    parser.add_argument('--renew', type=int, default=60)
    args = parser.parse_args()
    sim = _common.start_simulator(clusters=1, hosts=1, vms=1)
    try:
        session = sim.session()
        counter = _common.RoundTrips(session)
        settings = _common.settings(attribute_name='bench.cost',
                                    lease_duration=args.lease,
                                    renew_interval=args.renew)
        store = _common.make_store(session, 'bench.cost')
        active = guard_mod.OwnershipGuard(store, 'compute-a', settings)
        active.start()
        renewal = _common.measure(counter, active.renew)[1]
        standby = guard_mod.OwnershipGuard(store, 'compute-a', settings)
        poll = _common.measure(counter, standby.assess)[1]
        session.logout()
    finally:
        sim.cleanUp()
    renewals = DAY / args.renew
    poll_every = settings.standby_poll
    data = {
        'lease': args.lease, 'renew': args.renew,
        'renewal_methods': renewal, 'standby_poll_seconds': poll_every,
        'renewals_per_day': renewals,
        'writes_per_day': renewals * renewal.get('SetField', 0),
        'events_per_day': renewals * renewal.get('SetField', 0),
        'reads_per_day': renewals * renewal.get('RetrievePropertiesEx', 0),
        'standby_reads_per_day': DAY / poll_every * sum(poll.values()),
    }
    print('one renewal: %s' % renewal)
    for key in ('renewals_per_day', 'writes_per_day', 'events_per_day',
                'reads_per_day', 'standby_reads_per_day'):
        print('%-22s %8.0f' % (key, data[key]))
    _common.result('renewal_cost', data)


if __name__ == '__main__':
    main()

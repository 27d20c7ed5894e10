#!/usr/bin/env python3
"""Fencing where it runs (issue 19): overlap and late writes, by fault.

The scenarios of ``support/scenarios.py``, the ones the functional tests
run once or twice, repeated ``--rounds`` times each (lease 6 s, renewed
every 2 s, renew deadline 4 s):

- ``pid_namespace``: holder A in a PID namespace of its own (``unshare
  --pid``, as a pod with ``hostNetwork: true``), standby B with the same
  host name outside it; A renews for longer than a lease, then is killed;
- ``restart_paused``: A paused (SIGSTOP) between the reading and the write
  of a renewal, the simulator restarted empty on the same port, new holder
  B given A's lease key, A resumed;
- ``vanished``: both custom attributes deleted while A renews and B waits;
- ``not_authenticated``: every renewal write of A answered
  ``NotAuthenticated``, its session still active.

Per scenario: the seconds both A and B held (target 0 in every round), the
readings of a raw reader naming A after B's lease appeared (target 0),
whether B was deposed (target never), renewals A counted that vCenter
never held (``not_authenticated``, target 0), and the time from the fault
to B's take (or, for ``restart_paused``, to A's step-down after it was
resumed).

    tox -e benchmarks -- --only fencing_faults

or, in that environment:

    python benchmarks/fencing_faults.py [--rounds N] [--only NAME ...]
"""

import argparse
import contextlib

import _common

from nova.virt.vmwareapi.ownership.vsphere import vcenter
from support import faults
from support import members
from support import processes
from support import scenarios
from support import simulator
from support import tcpproxy

BOUND = 2.0
"""Seconds of each request of the in-process holders, as in the tests."""


def remove_definition(session):
    """Remove a custom attribute by name, as a vSphere admin would."""
    def remove(store, name):
        reading = store.read()
        key = {store.attribute_name: reading.attribute_key,
               store.lease_name: reading.lease_key}[name]
        vcenter.invoke(session, 'RemoveCustomFieldDef', vcenter.
                       service_content(session).customFieldsManager,
                       key=key)
    return remove


def run(name, rounds):
    """``rounds`` rounds of one scenario, on a simulator of its own."""
    results = []
    with contextlib.ExitStack() as cleanups:
        sim = simulator.VCenterSimulator(clusters=1, hosts=1, vms=0)
        sim.setUp()
        cleanups.callback(sim.cleanUp)
        session = faults.connect(sim)
        if name in ('vanished', 'not_authenticated'):
            rig = members.Rig(sim, BOUND, reading=session)
            cleanups.callback(rig.close)
        if name == 'restart_paused':
            proxy = tcpproxy.TCPProxy(sim.port, tls=tcpproxy.TLSFiles(
                sim.ca_file, sim.key_file, sim.ca_file))
            cleanups.callback(proxy.close)
        for number in range(1, rounds + 1):
            with contextlib.ExitStack() as round_cleanups:
                scene = scenarios.Scene(sim, session, round_cleanups.callback)
                try:
                    if name == 'pid_namespace':
                        seen = scenarios.container(
                            scene, processes.PidNamespace(scene))
                    elif name == 'restart_paused':
                        seen = scenarios.restart_paused(scene, proxy)
                    elif name == 'vanished':
                        seen = scenarios.vanished(
                            scene, rig.direct, rig.direct,
                            remove_definition(session))
                    else:
                        seen = scenarios.not_authenticated(
                            scene, rig.via_proxy, rig.direct)
                except members.HandOverFailed as exc:
                    results.append({'failed': 'round %d: %s' % (number,
                                                                exc)})
                    continue
                finally:
                    if name == 'restart_paused':
                        sim.restart()
            results.append({'overlap': seen.overlap,
                            'late_writes': seen.late_writes,
                            'waited': seen.waited, 'b_lost': seen.b_lost,
                            'counted': seen.counted})
    return results


def summarize(results):
    done = [r for r in results if 'failed' not in r]
    row = {'rounds': len(results),
           'failed': [r['failed'] for r in results if 'failed' in r]}
    if not done:
        return dict(row, met=False)
    row.update(
        overlap_total=round(sum(r['overlap'] for r in done), 3),
        overlaps=sum(1 for r in done if r['overlap'] > 0),
        late_writes=sum(r['late_writes'] for r in done),
        deposed=sum(1 for r in done if r['b_lost']),
        counted=sum(r['counted'] for r in done),
        waited=_common.summary([r['waited'] for r in done]))
    row['met'] = not row['failed'] and not row['overlaps'] and \
        not row['late_writes'] and not row['deposed'] and not row['counted']
    return row


SCENARIOS = ('pid_namespace', 'restart_paused', 'vanished',
             'not_authenticated')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rounds', type=int, default=10)
    parser.add_argument('--only', nargs='*', choices=SCENARIOS)
    args = parser.parse_args()
    data = {'lease': scenarios.SETTINGS.lease_duration,
            'renew': scenarios.SETTINGS.renew_interval,
            'renew_deadline': scenarios.SETTINGS.renew_deadline,
            'scenarios': {}}
    for name in args.only or SCENARIOS:
        if name == 'pid_namespace' and \
                not processes.can_have_pid_namespaces():
            data['scenarios'][name] = {'skipped': 'needs unshare --pid '
                                                  '(root)'}
            continue
        row = data['scenarios'][name] = summarize(run(name, args.rounds))
        print('%-18s %d rounds (%d failed): overlap %.3f s in %s rounds, '
              'late writes %s, new holder deposed %s, renewals counted '
              'unlanded %s; %.2f s median from the fault' % (
                  name, row['rounds'], len(row['failed']),
                  row.get('overlap_total', -1), row.get('overlaps'),
                  row.get('late_writes'), row.get('deposed'),
                  row.get('counted'),
                  row.get('waited', {}).get('median', -1)))
        for failure in row['failed']:
            print('    failed: %s' % failure)
    _common.result('fencing_faults', data)


if __name__ == '__main__':
    main()

"""The operator's forced takeover racing a renewal of the holder it evicts.

The scenario of ``test_fencing.TestForcedTakeoverRacingARenewal`` and of
``benchmarks/fencing.py``, defined once: holder A renews through the
proxy of a ``members.Rig``; its next renewal write is held in the network
while ``nova-vmware-owner takeover --force`` (host ``compute-b``) runs,
then delivered late. vCenter must refuse that write (A's lease is gone),
A must step down at its next renewal, and from the takeover on a raw
reader must see nothing but compute-b's record.
"""

import os
import tempfile
import time

from nova.virt.vmwareapi.ownership import fencing
from support import base
from support import members
from support import wait

NEW_HOST = 'compute-b'


class RaceOutcome:
    """What one race left.

    :ivar a: holder A (``members.Member``)
    :ivar took: when the takeover command returned (monotonic clock)
    :ivar views: ``[(time, view.View)]`` of the raw reader
    :ivar late_answers: vCenter's answers to A's held writes, delivered
                        after the takeover (proxy events; each must be
                        ``InvalidArgument``)
    """

    def __init__(self, a, took, views, late_answers):
        self.a = a
        self.took = took
        self.views = views
        self.late_answers = late_answers

    @property
    def step_down(self):
        """Seconds from the takeover to A's step-down."""
        return self.a.lost_at - self.took

    @property
    def not_taken_over(self):
        """Readings naming another host after the first that named
        compute-b: the takeover undone by a late write.
        """
        hosts = [v.record.host if v.record else None for _, v in self.views]
        if NEW_HOST not in hosts:
            return list(self.views)
        first = hosts.index(NEW_HOST)
        return [tv for tv, host in zip(self.views[first:], hosts[first:])
                if host != NEW_HOST]


def race_a_renewal(rig, settings, add_cleanup, slack=1.0,
                   abandoned_after=fencing.ABANDONED_AFTER,
                   label=''):
    """Hold with A through ``rig``'s proxy, hold its renewal write, take
    the cluster over with the command, deliver the write.

    :param rig: a ``members.Rig`` (its proxy is left healed)
    :param settings: A's ``opts.Settings``; the command gets the same
                     lease times
    :param add_cleanup: registers a clean-up (``TestCase.addCleanup``)
    :param slack: seconds of scheduling allowed on top of each bound
    :param label: names the round in failures
    :returns: a ``RaceOutcome``
    :raises: members.HandOverFailed when a step did not happen in time
    """
    def expect(done, what):
        if not done:
            raise members.HandOverFailed('%s: %s' % (label, what))

    proxy = rig.proxy
    attribute = base.unique_attribute()
    reader = members.RawReader(rig.reading, attribute)
    add_cleanup(reader.stop)
    a = members.Member(rig.via_proxy, attribute, settings,
                       abandoned_after=abandoned_after)
    add_cleanup(a.stop)
    expect(a.start().held.wait(30), 'A did not take the lease: %s' % a.error)

    def since(moment, kind):
        return [e for e in proxy.events_of(kind, 'SetField') if e.t > moment]

    holding = time.monotonic()
    proxy.hold_requests('SetField')
    expect(wait.wait_until(lambda: since(holding, 'held'), 10),
           'no renewal write of A was held')
    folder = tempfile.mkdtemp()
    add_cleanup(os.rmdir, folder)
    config = base.write_config(
        folder, rig.simulator, NEW_HOST, attribute,
        extra='lease_duration = %d\nrenew_interval = %d\n'
              % (settings.lease_duration, settings.renew_interval))
    add_cleanup(os.unlink, config)
    done = base.run_command('--config-file', config, 'takeover', '--force',
                            '--yes')
    expect(done.returncode == 0, 'the takeover failed (exit %d): %s'
           % (done.returncode, done.stderr))
    took = time.monotonic()
    members.heal(proxy)
    expect(wait.wait_until(lambda: since(took, 'late-answer'), 10),
           'the held write never reached vCenter')
    expect(a.stepped_down.wait(settings.renew_interval + 2 * rig.bound +
                               slack), 'A never stepped down')
    reader.stop()
    return RaceOutcome(a, took, reader.views(), since(took, 'late-answer'))

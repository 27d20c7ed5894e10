"""The fencing probe: does this vCenter keep what the fencing relies on?

The fencing (``fencing``) needs four things of vCenter's custom field
definitions (``store``'s contract): a name is created once
(``DuplicateName``), a key is removed once, a write through a removed key
is refused, and a removed key is never handed out again (the reference
promises a key unique "for the lifetime of the field" and no more; a
vCenter restored from a backup, or another implementation, may hand one
out again). ``run`` tries each on a scratch store, a ``store.ClusterStore``
whose lease is a definition of its own on the configured cluster, and
removes what it made, whatever happens; ``checks`` turns what it saw into
doctor's lines: FAIL where the fencing cannot hold.
"""

import dataclasses

from nova.virt.vmwareapi.ownership.doctor import checks
from nova.virt.vmwareapi.ownership import exceptions

ROUNDS = 3
"""Definitions created and removed again to see whether a key comes back
(a vCenter that hands out the lowest free key shows it at the first)."""

VALUE = 'nova-vmware-owner doctor: probe'
LATE = 'nova-vmware-owner doctor: late write through a removed key'


@dataclasses.dataclass(frozen=True)
class Result:
    """What the probe saw.

    :ivar keys: every key handed out, in order
    :ivar read_back: the value written was read back
    :ivar removed: removing the definition removed it and its value
    :ivar duplicate_refused: a second definition of the same name was
                             refused
    :ivar removed_again: the fault of the second removal of a key
                         (``None``: vCenter accepted it)
    :ivar late_refused: the fault of a write through a removed key
                        (``None``: vCenter accepted it)
    :ivar late_landed: that write shows in a reading
    :ivar reused: keys handed out a second time
    """

    keys: tuple = ()
    read_back: bool = False
    removed: bool = False
    duplicate_refused: bool = False
    removed_again: str = None
    late_refused: str = None
    late_landed: bool = False
    reused: tuple = ()


def _refused(call, *args):
    """The fault name a call is refused with as a gone key, or ``None``."""
    try:
        call(*args)
    except exceptions.DefinitionGone as exc:
        return exc.fault
    return None


def run(store, rounds=ROUNDS):
    """Probe the fencing's needs on ``store``; remove what it made.

    :param store: a ``store.ClusterStore`` of a scratch attribute name
    :returns: a ``Result``
    :raises: VCenterError (what was made is removed first, if it can be)
    """
    keys = []
    try:
        first = store.create_lease()
        keys.append(first)
        try:
            keys.append(store.create_lease())
            duplicate_refused = False
        except exceptions.DuplicateName:
            duplicate_refused = True
        store.write_lease(first, VALUE)
        read_back = store.read().lease_raw == VALUE
        store.remove_lease(first)
        reading = store.read()
        removed = reading.lease_key is None and reading.lease_raw is None
        removed_again = _refused(store.remove_lease, first)
        late_refused = _refused(store.write_lease, first, LATE)
        late_landed = store.read().lease_raw == LATE
        reused = []
        for _ in range(rounds):
            key = store.create_lease()
            if key in keys:
                reused.append(key)
            keys.append(key)
            store.remove_lease(key)
    finally:
        _remove_left(store)
    return Result(tuple(keys), read_back, removed, duplicate_refused,
                  removed_again, late_refused, late_landed, tuple(reused))


def _remove_left(store, attempts=ROUNDS + 2):
    """Remove the scratch lease if one is left (the probe failed).

    A bounded number of times: a vCenter that made two definitions of one
    name shows one at a time.
    """
    for _ in range(attempts):
        try:
            key = store.read().lease_key
            if key is None:
                return
            store.remove_lease(key)
        except exceptions.DefinitionGone:
            continue
        except exceptions.VCenterError:
            return  # the caller's clean-up removes it by name, or says so


_FIX = ('Fencing cannot hold on this vCenter: keep [vmware_ownership] '
        'mode = audit, and report the vCenter version with this output.')


def verdicts(result):
    """doctor's lines of the probe's ``Result``."""
    keys = ', '.join(str(k) for k in result.keys)
    out = []
    name = 'fencing: create, write, remove'
    if result.read_back and result.removed:
        out.append(checks.ok(name, 'a definition was created, its value '
                             'written and read back, and removed with it'))
    else:
        out.append(checks.fail(name, 'value read back: %s; definition and '
                               'value gone after the removal: %s' % (
                                   result.read_back, result.removed), _FIX))
    name = 'fencing: a name is created once'
    if result.duplicate_refused:
        out.append(checks.ok(name, 'a second definition of the same name '
                             'was refused (DuplicateName)'))
    else:
        out.append(checks.fail(name, 'vCenter created a second definition '
                               'of the same name: of two processes taking '
                               'the lease, both would win', _FIX))
    name = 'fencing: a key is removed once'
    if result.removed_again:
        out.append(checks.ok(name, 'removing the removed key again was '
                             'refused (%s%s)' % (result.removed_again, (
                                 ': govmomi\'s simulator; vCenter answers '
                                 'InvalidArgument, both mean the same')
                                 if result.removed_again == 'NotFound'
                                 else '')))
    else:
        out.append(checks.fail(name, 'vCenter accepted removing a key '
                               'twice: two processes revoking one lease '
                               'would both win', _FIX))
    name = 'fencing: a write through a removed key is refused'
    if result.late_refused and not result.late_landed:
        out.append(checks.ok(name, 'refused (%s)' % result.late_refused))
    else:
        out.append(checks.fail(name, 'vCenter accepted it%s: a deposed '
                               'holder\'s late write would not be stopped'
                               % (' and it landed' if result.late_landed
                                  else ' (it wrote nothing)'), _FIX))
    name = 'fencing: no key is handed out twice'
    if not result.reused:
        out.append(checks.ok(name, 'keys handed out: %s' % keys, keys=list(
            result.keys)))
    else:
        out.append(checks.fail(name, 'key(s) %s handed out again (in '
                               'order: %s): a late write through a revoked '
                               'lease could land in a new one' % (
                                   ', '.join(str(k) for k in result.reused),
                                   keys), _FIX, keys=list(result.keys)))
    return out

"""The ownership record: the value of the custom attribute on a cluster.

Pure values and functions, no I/O. The stored form is compact JSON::

    {"v":1,"host":"compute-a","node":"<uuid>","holder":"m:123:ab12",
     "state":"held","since":"...","renewed":"...","seq":42,
     "transitions":1,"previous":"compute-old","token":17}

``token`` is the key of the lease definition the record was written under
(see ``fencing``); a value typed by hand has none. ``cloud`` names the
cloud of the owning host when clouds share the vCenter (``[vmware_ownership]
cloud``); absent, the host is of the default cloud. The owner of a cluster
is the pair (cloud, host): ``owned_by``. ``lease_duration`` is the
holder's own ``[vmware_ownership] lease_duration`` (seconds), while it
holds: whoever judges the holder's liveness observes at least that long,
whatever its own configuration says. Both keys are additive: ``v`` stays
1. A bare host name typed by a vSphere admin is a pre-assignment
(``{"host": value}``, a host of the default cloud). Anything else
(including a JSON object that names a key twice) raises
``UnreadableRecord``; such a value is never overwritten except by an
explicit forced takeover.
"""

import dataclasses
import datetime
import json
import re

from nova.virt.vmwareapi.ownership import refusals
from nova.virt.vmwareapi.ownership import text as text_mod

VERSION = 1
"""The newest record format this code reads and writes."""

HELD = 'held'
RELEASED = 'released'
STATES = (HELD, RELEASED)

# nova's [DEFAULT] host is free text in principle; in practice it is a host
# name, an FQDN or an address. Accept those and nothing with spaces, quotes or
# control characters, so a stray sentence is not mistaken for an owner.
_HOST_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,254}$')
_CLOUD_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$')

# Key order of the stored JSON; unknown keys of the same version follow and
# are preserved, so a newer minor writer's data is not lost by us.
_KNOWN_KEYS = ('v', 'host', 'cloud', 'node', 'holder', 'state', 'since',
               'renewed', 'lease_duration', 'seq', 'transitions',
               'previous', 'token')


def is_host_name(value):
    """Tell whether ``value`` can be a nova-compute host name."""
    return isinstance(value, str) and bool(_HOST_RE.fullmatch(value))


def is_cloud_name(value):
    """Tell whether ``value`` can name a cloud ([vmware_ownership] cloud)."""
    return isinstance(value, str) and bool(_CLOUD_RE.fullmatch(value))


def timestamp(moment):
    """Format an aware or naive-UTC datetime as ``YYYY-MM-DDTHH:MM:SSZ``."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc)
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


@dataclasses.dataclass(frozen=True, repr=False)
class OwnershipRecord:
    """An immutable ownership record.

    Use the transition methods (``held_by``, ``renewed``, ``released``,
    ``moved_to``) to derive the next record; each increases ``seq``.
    ``state`` defaults to ``held`` when there is a ``holder``; a record
    that is not held has no holder, and no ``lease_duration`` (the
    holder's lease, in seconds). ``cloud`` is ``None`` for the default
    cloud (an empty name is the same).
    """

    host: str
    node: str = None
    holder: str = None
    state: str = None
    since: str = None
    renewed_at: str = None
    seq: int = 0
    transitions: int = 0
    previous: str = None
    token: int = None
    extra: dict = None
    cloud: str = None
    lease_duration: int = None

    def __post_init__(self):
        if not is_host_name(self.host):
            raise ValueError('not a host name: %r' % (self.host,))
        object.__setattr__(self, 'cloud', self.cloud or None)
        if self.cloud is not None and not is_cloud_name(self.cloud):
            raise ValueError('not a cloud name: %r' % (self.cloud,))
        state = self.state
        if state is None:
            state = HELD if self.holder else RELEASED
        if state not in STATES:
            raise ValueError('state must be one of %s' % (STATES,))
        object.__setattr__(self, 'state', state)
        if state != HELD:
            object.__setattr__(self, 'holder', None)
            object.__setattr__(self, 'lease_duration', None)
        object.__setattr__(self, 'extra', dict(self.extra or {}))

    @property
    def is_held(self):
        """True when a process claims to be holding the cluster now."""
        return self.state == HELD and bool(self.holder)

    def owned_by(self, host, cloud=None):
        """True when ``host`` of ``cloud`` owns the cluster.

        The owner is the pair: a host of the same name in another cloud
        sharing the vCenter is another owner.

        :param cloud: the cloud's name; ``None`` or empty: the default cloud
        """
        return self.host == host and self.cloud == (cloud or None)

    @classmethod
    def claimed(cls, host, now, node=None, holder=None, transitions=0,
                cloud=None, lease_duration=None):
        """A new record for an unowned cluster."""
        stamp = timestamp(now)
        return cls(host, node=node, holder=holder,
                   state=HELD if holder else RELEASED, since=stamp,
                   renewed_at=stamp, seq=1, transitions=transitions,
                   cloud=cloud, lease_duration=lease_duration)

    def held_by(self, holder, now, node=None, lease_duration=None):
        """The record taken by ``holder`` of the same host.

        :param lease_duration: the holder's lease (seconds)
        """
        return dataclasses.replace(
            self, holder=holder, state=HELD, renewed_at=timestamp(now),
            seq=self.seq + 1, node=node or self.node,
            lease_duration=lease_duration)

    def renewed(self, now):
        """The record after one lease renewal by its holder."""
        return dataclasses.replace(self, renewed_at=timestamp(now),
                                   seq=self.seq + 1)

    def released(self, now):
        """The record with no live holder; the host still owns it."""
        return dataclasses.replace(
            self, holder=None, state=RELEASED, renewed_at=timestamp(now),
            seq=self.seq + 1)

    def with_node(self, node):
        """The record carrying compute node ``node``."""
        return dataclasses.replace(self, node=node, seq=self.seq + 1)

    def with_token(self, token):
        """The same record, written under lease definition ``token``."""
        return dataclasses.replace(self, token=token)

    def moved_to(self, host, now, holder=None, cloud=None):
        """The record after ownership moved to ``host`` of ``cloud``.

        The compute node identity belongs to the old owner's service, so
        it is dropped; the new host records its own. A host of the same
        name in another cloud is another owner.
        """
        state = HELD if holder else RELEASED
        if self.owned_by(host, cloud):
            return dataclasses.replace(
                self, holder=holder, state=state, lease_duration=None,
                renewed_at=timestamp(now), seq=self.seq + 1)
        stamp = timestamp(now)
        return dataclasses.replace(
            self, host=host, cloud=cloud, node=None, holder=holder,
            state=state, lease_duration=None, since=stamp,
            renewed_at=stamp, seq=self.seq + 1,
            transitions=self.transitions + 1, previous=self.host)

    def to_dict(self):
        """The record as the dictionary that is stored (Nones omitted)."""
        values = {'v': VERSION, 'host': self.host, 'cloud': self.cloud,
                  'node': self.node,
                  'holder': self.holder, 'state': self.state,
                  'since': self.since, 'renewed': self.renewed_at,
                  'lease_duration': self.lease_duration,
                  'seq': self.seq, 'transitions': self.transitions,
                  'previous': self.previous, 'token': self.token}
        out = {k: values[k] for k in _KNOWN_KEYS if values[k] is not None}
        out.update(self.extra)
        return out

    def __hash__(self):
        return hash(format_record(self))

    def __repr__(self):
        return 'OwnershipRecord(%s)' % text_mod.printable(format_record(self))


def format_record(record):
    """Serialise a record to the compact JSON stored in vCenter."""
    return json.dumps(record.to_dict(), separators=(',', ':'),
                      ensure_ascii=False)


def _unreadable(raw, reason):
    return refusals.UnreadableRecord(raw=raw, reason=reason)


def _optional(data, key, kind, raw):
    value = data.get(key)
    if value is None:
        return None
    # bool is an int in Python; a JSON true is never a valid counter.
    if not isinstance(value, kind) or isinstance(value, bool):
        raise _unreadable(
            raw, 'field %r must be %s, not %r' % (key, kind.__name__, value))
    return value


def _counter(data, key, raw):
    value = _optional(data, key, int, raw)
    if value is not None and value < 0:
        raise _unreadable(raw, 'field %r is negative' % key)
    return value or 0


def _seconds(data, key, raw):
    value = _optional(data, key, int, raw)
    if value is not None and value < 0:
        raise _unreadable(raw, 'field %r is negative' % key)
    return value


def parse_record(raw):
    """Parse a stored value.

    :param raw: the attribute value as read from vCenter (``None`` if unset)
    :returns: an ``OwnershipRecord``, or ``None`` when absent or empty
    :raises: UnreadableRecord for anything else
    """
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise _unreadable(repr(raw), 'not a text value')
    text = raw.strip()
    if not text:
        return None
    if not text.startswith('{'):
        if is_host_name(text):
            return OwnershipRecord(text)
        raise _unreadable(
            raw, 'neither a JSON record nor a plain host name')
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys)
    except _DuplicateKey as exc:
        raise _unreadable(
            raw, 'the key %r appears twice, so readers may disagree on '
            'its value' % exc.args[0])
    except (ValueError, RecursionError) as exc:
        # RecursionError: nesting deeper than the parser's stack.
        raise _unreadable(raw, 'invalid JSON: %s' % exc)
    if not isinstance(data, dict):
        raise _unreadable(raw, 'JSON is not an object')
    version = _optional(data, 'v', int, raw)
    if version is None:
        version = VERSION
    if version > VERSION:
        raise _unreadable(
            raw, 'written by a newer nova-vmware-owner (format v%d; this '
            'version reads up to v%d): upgrade this host' % (version,
                                                             VERSION))
    if version < 1:
        raise _unreadable(raw, 'unknown format v%d' % version)
    host = data.get('host')
    if not host:
        raise _unreadable(raw, 'no "host" field')
    if not is_host_name(host):
        raise _unreadable(
            raw, '"host" is not a host name: %r' % (host,))
    state = _optional(data, 'state', str, raw)
    if state is not None and state not in STATES:
        raise _unreadable(raw, 'unknown state %r' % state)
    cloud = _optional(data, 'cloud', str, raw)
    if cloud and not is_cloud_name(cloud):
        raise _unreadable(raw, '"cloud" is not a cloud name: %r' % (cloud,))
    extra = {k: v for k, v in data.items() if k not in _KNOWN_KEYS}
    return OwnershipRecord(
        host,
        node=_optional(data, 'node', str, raw),
        holder=_optional(data, 'holder', str, raw),
        state=state,
        since=_optional(data, 'since', str, raw),
        renewed_at=_optional(data, 'renewed', str, raw),
        seq=_counter(data, 'seq', raw),
        transitions=_counter(data, 'transitions', raw),
        previous=_optional(data, 'previous', str, raw),
        token=_optional(data, 'token', int, raw),
        extra=extra,
        cloud=cloud,
        lease_duration=_seconds(data, 'lease_duration', raw))


class _DuplicateKey(ValueError):
    """A JSON object names the same key twice."""


def _unique_keys(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result

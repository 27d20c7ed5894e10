"""Test doubles shared by every tier: a store, a clock, settings, identity.

Each is defined here once. ``FakeStore`` implements ``store.ClusterStore``'s
interface in memory with vCenter's semantics (unique definition names,
removal by key once, writes through a removed key refused); the store
contract suite (``store_contract``) runs against it and against the real
store on the simulator, so the two cannot drift apart. It counts calls,
so tests assert round trips, and runs ``hooks`` before a call, so a test
can let another process act at an exact step; ``lost_answers`` carries a
write out and loses its answer (``WriteUnconfirmed``, as ``vsphere``
raises it for a timeout or a re-login). What other processes and
vSphere admins do to the cluster (``put``, ``renew``, ``start_change``,
``type_by_hand``, ``remove_definition``) and what a test reads back
(``view``) are not counted.
"""

import datetime
import itertools
import threading

from nova.virt.vmwareapi.ownership import clock as clock_mod
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import location as location_mod
from nova.virt.vmwareapi.ownership import opts
from nova.virt.vmwareapi.ownership import privileges
from nova.virt.vmwareapi.ownership import record as record_mod
from nova.virt.vmwareapi.ownership import view as view_mod

HOST = 'compute-a'
OTHER_HOST = 'compute-b'
CLUSTER = 'DC0_C0'
MOREF = 'domain-c7'
VCENTER = 'https://vc.example.test:443'
ATTRIBUTE = 'openstack.nova.owner'
OTHER_HOLDER = 'other-machine:4242:beefcafe'
NODE_A = '9d3e5f5c-0f43-4d1f-8f6c-6a3c2b1f0a01'
NODE_B = '2b7c1f0e-9a4d-4c61-8e0f-0d5a1c2e3f4b'
WALL = datetime.datetime(2026, 11, 25, 12, 0, 0,
                         tzinfo=datetime.timezone.utc)


def record(host=HOST, holder=None, seq=5, **kwargs):
    """An ``OwnershipRecord`` of ``host``, claimed at ``WALL`` by default."""
    kwargs.setdefault('since', record_mod.timestamp(WALL))
    return record_mod.OwnershipRecord(host, holder=holder, seq=seq,
                                      **kwargs)


def location(attribute=ATTRIBUTE):
    return location_mod.Location(CLUSTER, VCENTER, cluster_moref=MOREF,
                                 attribute=attribute)


def settings(**overrides):
    """An ``opts.Settings`` with the documented defaults, overridden.

    ``renew_deadline`` follows the other times unless given.
    """
    values = dict(mode='enforce', attribute_name=ATTRIBUTE,
                  lease_duration=180, renew_interval=60, standby_wait=True,
                  standby_timeout=0, sync_node_identity=True)
    values.update(overrides)
    if 'renew_deadline' not in values:
        values['renew_deadline'] = (values['renew_interval'] +
                                    values['lease_duration']) / 2.0
    return opts.Settings(**values)


class FakeClock(clock_mod.Clock):
    """A clock whose sleeps and waits advance it instead of waiting.

    ``on_sleep`` callbacks run after each sleep or wait (to let the world
    change while the code under test waits). Waiting more than ``limit``
    fake seconds fails the test: a wait that never ends is a failure, not
    a hang.
    """

    def __init__(self, start=1000.0, limit=86400.0, wall=WALL):
        self.start = self._now = start
        self.limit = limit
        self.wall = wall
        self.slept = []
        self.on_sleep = []

    def now(self):
        return self._now

    def advance(self, seconds):
        self._now += seconds

    def sleep(self, seconds):
        assert seconds >= 0, seconds
        self.slept.append(seconds)
        self._now += seconds
        if self._now - self.start > self.limit:
            raise AssertionError('waited %d fake seconds: endless wait'
                                 % (self._now - self.start))
        for callback in list(self.on_sleep):
            callback()

    def wait(self, event, seconds):
        if not event.is_set():
            self.sleep(seconds)
        return event.is_set()

    def utcnow(self):
        return self.wall + datetime.timedelta(seconds=self._now - self.start)


class FakeIdentity:
    """The local compute node identity (nova's ``compute_id`` file)."""

    path = '/var/lib/nova/compute_id'

    def __init__(self, node=None):
        self.node = node
        self.written = []

    def read(self):
        return self.node

    def write(self, node):
        self.written.append(node)
        self.node = node


class FakeVCenter:
    """The custom fields of one vCenter, shared by the stores of a test.

    ``definitions``: name -> key; ``values``: (cluster, key) -> text;
    ``events``: a ``(kind, name, cluster)`` per change, as vCenter posts
    them. It answers as vCenter does, or as the simulator's run options
    make it (tools/vcsim/README.rst): ``native_faults`` (``NotFound`` for a
    removed key), and, misbehaving, ``reuse_removed_keys`` and
    ``accept_stale_setfield``.
    """

    def __init__(self, native_faults=False, reuse_removed_keys=False,
                 accept_stale_setfield=False):
        self.definitions = {}
        self.values = {}
        self.events = []
        # Keys are handed out from 0, as vcsim does: key 0 is a key.
        self._keys = itertools.count()
        self.lock = threading.Lock()
        self.gone_fault = 'NotFound' if native_faults else 'InvalidArgument'
        self.reuse_removed_keys = reuse_removed_keys
        self.accept_stale_setfield = accept_stale_setfield

    def _name_of(self, key):
        names = [n for n, k in self.definitions.items() if k == key]
        return names[0] if names else None

    def _new_key(self):
        if not self.reuse_removed_keys:
            return next(self._keys)
        held = set(self.definitions.values())
        return next(k for k in itertools.count() if k not in held)

    def add(self, name):
        if name in self.definitions:
            raise exceptions.DuplicateName(operation='AddCustomFieldDef',
                                           fault='DuplicateName')
        key = self.definitions[name] = self._new_key()
        self.events.append(('CustomFieldDefAddedEvent', name, None))
        return key

    def remove(self, key):
        name = self._name_of(key)
        if name is None:
            raise exceptions.DefinitionGone(
                operation='RemoveCustomFieldDef', fault=self.gone_fault)
        del self.definitions[name]
        for where in [w for w in self.values if w[1] == key]:
            del self.values[where]
        self.events.append(('CustomFieldDefRemovedEvent', name, None))

    def set(self, cluster, key, text):
        name = self._name_of(key)
        if name is None:
            if self.accept_stale_setfield:
                return
            raise exceptions.DefinitionGone(
                operation='SetField', fault='InvalidArgument')
        self.values[(cluster, key)] = text
        self.events.append(('CustomFieldValueChangedEvent', name, cluster))


class FakeStore:
    """A cluster's record in a ``FakeVCenter``: a ``store.ClusterStore``.

    More than ``MAX_CALLS`` calls fail the test (an endless loop).
    ``hooks[(method, n)]`` runs before the n-th call of ``method``; the
    n-th call of a write in ``lost_answers`` (``(method, n)``) is carried
    out, then raises ``WriteUnconfirmed``. A hook that raises
    ``unconfirmed`` is a write that never reached vCenter, its answer lost
    all the same. ``withheld``: the privilege ids the user lacks; each call
    needing one is refused as vCenter refuses it, and ``require`` names them
    (unless ``check_withheld`` says otherwise: a check that answers
    otherwise than the calls).
    """

    MAX_CALLS = 100000
    USERNAME = 'svc-nova'
    ROOT = 'the root folder (group-d1)'

    def __init__(self, vcenter=None, attribute=ATTRIBUTE, moref=MOREF,
                 withheld=()):
        self.vcenter = vcenter or FakeVCenter()
        self.attribute_name = attribute
        self.location = location(attribute)
        self.lease_name = view_mod.lease_name(attribute, moref)
        self.moref = moref
        self.calls = []
        self.events = []
        self.hooks = {}
        self.withheld = set(withheld)
        self.check_withheld = None
        self.lost_answers = set()

    def _call(self, name, privilege=None):
        self.calls.append(name)
        if len(self.calls) > self.MAX_CALLS:
            raise AssertionError('%d store calls: endless loop'
                                 % len(self.calls))
        hook = self.hooks.pop((name, self.calls.count(name)), None)
        if hook is not None:
            hook()
        if privilege is not None and privilege.id in self.withheld:
            raise exceptions.MissingPrivilege(
                privilege=privilege.id, operation=name,
                username=self.USERNAME, entity=self._where(privilege))

    def _where(self, privilege):
        if privilege.on == privileges.ROOT_FOLDER:
            return self.ROOT
        return "cluster %r (%s)" % (self.location.cluster, self.moref)

    def require(self, needed, operation):
        self._call('require')
        withheld = self.withheld if self.check_withheld is None \
            else self.check_withheld
        missing = [(p.id, self._where(p)) for p in needed
                   if p.id in withheld]
        if missing:
            (privilege, entity), rest = missing[0], missing[1:]
            raise exceptions.MissingPrivilege(
                privilege=privilege, entity=entity, also=tuple(rest),
                operation=operation, username=self.USERNAME, checked=True)

    def _answer(self, name):
        if (name, self.calls.count(name)) in self.lost_answers:
            unconfirmed(name)

    def read(self):
        self._call('read')
        with self.vcenter.lock:
            return self._reading()

    def _reading(self):
        keys = self.vcenter.definitions
        attribute_key = keys.get(self.attribute_name)
        lease_key = keys.get(self.lease_name)
        values = self.vcenter.values
        return view_mod.Reading(
            values.get((self.moref, attribute_key)), attribute_key,
            lease_key, values.get((self.moref, lease_key)))

    def create_lease(self):
        self._call('create_lease', privileges.MANAGE_FIELDS)
        with self.vcenter.lock:
            key = self.vcenter.add(self.lease_name)
        self._answer('create_lease')
        return key

    def remove_lease(self, key):
        self._call('remove_lease', privileges.MANAGE_FIELDS)
        with self.vcenter.lock:
            self.vcenter.remove(key)
        self._answer('remove_lease')

    def write_lease(self, key, text):
        self._call('write_lease', privileges.SET_FIELD)
        with self.vcenter.lock:
            self.vcenter.set(self.moref, key, text)
        self._answer('write_lease')

    def write_attribute(self, key, text):
        self._call('write_attribute', privileges.SET_FIELD)
        with self.vcenter.lock:
            self.vcenter.set(self.moref, key, text)
        self._answer('write_attribute')

    def ensure_attribute(self):
        self._call('ensure_attribute', privileges.MANAGE_FIELDS)
        with self.vcenter.lock:
            try:
                key = self.vcenter.add(self.attribute_name)
            except exceptions.DuplicateName:
                key = self.vcenter.definitions[self.attribute_name]
        self._answer('ensure_attribute')
        return key

    def post_event(self, message):
        self._call('post_event', privileges.LOG_EVENT)
        self.events.append(message)
        self._answer('post_event')

    # What a test looks at, and what others do; none of it is counted.

    def view(self):
        """What a reader sees now (``view.interpret`` of a reading)."""
        with self.vcenter.lock:
            reading = self._reading()
        return view_mod.interpret(reading, self.location)

    def twin(self):
        """The same cluster as another process's store sees it."""
        return FakeStore(self.vcenter, self.attribute_name, self.moref)

    def start_change(self):
        """Another process begins a change: a new lease without a value.

        :returns: the new lease's key
        """
        with self.vcenter.lock:
            return self._new_lease()

    def _new_lease(self):
        old = self.vcenter.definitions.get(self.lease_name)
        if old is not None:
            self.vcenter.remove(old)
        return self.vcenter.add(self.lease_name)

    def put(self, record, copy=True):
        """Another process's completed change: ``record`` under a new lease.

        :param copy: whether the attribute gets its copy too
        :returns: the record as written (carrying its token)
        """
        with self.vcenter.lock:
            record = record.with_token(self._new_lease())
            text = record_mod.format_record(record)
            self.vcenter.set(self.moref, record.token, text)
            if copy:
                self._type(self.attribute_name, text)
        return record

    def renew(self):
        """The lease's holder (another process) renews it: ``seq`` + 1."""
        with self.vcenter.lock:
            key = self.vcenter.definitions[self.lease_name]
            current = record_mod.parse_record(
                self.vcenter.values[(self.moref, key)])
            self.vcenter.set(self.moref, key, record_mod.format_record(
                current.renewed(WALL)))

    # What a vSphere admin does in the vSphere Client.

    def type_by_hand(self, text, name=None):
        """Set a custom attribute's value (default: the record's)."""
        with self.vcenter.lock:
            self._type(name or self.attribute_name, text)

    def _type(self, name, text):
        try:
            key = self.vcenter.add(name)
        except exceptions.DuplicateName:
            key = self.vcenter.definitions[name]
        self.vcenter.set(self.moref, key, text)

    def remove_definition(self, name):
        """Remove a custom attribute by name, as in the vSphere Client."""
        with self.vcenter.lock:
            self.vcenter.remove(self.vcenter.definitions[name])

    # What a vCenter restored from a backup (or vcsim restarted) does.

    def restore(self, record, key):
        """Everything gone but a lease of ``key`` holding ``record``.

        The key may be one handed out before: a restored vCenter may hand
        out the same key again to a new writer (issue 19).

        :returns: the record as it is there (carrying the token ``key``)
        """
        record = record.with_token(key)
        with self.vcenter.lock:
            self.vcenter.definitions = {self.lease_name: key}
            self.vcenter.values = {(self.moref, key):
                                   record_mod.format_record(record)}
        return record


def unconfirmed(operation='SetField'):
    """Raise what ``vsphere`` raises for a write whose answer was lost."""
    raise exceptions.WriteUnconfirmed(endpoint=VCENTER, operation=operation,
                                      reason='no answer (timed out)')

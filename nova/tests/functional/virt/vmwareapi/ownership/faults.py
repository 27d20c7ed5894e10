"""Helpers of the fault injection tests (``test_faults*.py``).

- ``CallHook`` runs an action (break the proxy, restart the simulator, raise
  a fault) just before the n-th vCenter call of a given method, so a fault
  lands at an exact step of a claim or a renewal instead of at a random
  moment.
- ``report_time`` appends the measured time to a defined outcome to the
  file named by ``$NOVA_VMWARE_OWNER_FAULT_REPORT`` (JSON lines), which is
  how ``doc/source/faults.rst`` got its numbers. Times are reported, never
  asserted beyond generous bounds.
"""

import json
import os
import time
from unittest import mock

from nova.tests.functional.virt.vmwareapi.ownership import base
from nova.virt.vmwareapi.ownership import connection
from nova.virt.vmwareapi.ownership import exceptions
from nova.virt.vmwareapi.ownership import guard as guard_mod
from nova.virt.vmwareapi.ownership import lock as lock_mod
from nova.virt.vmwareapi.ownership import store as store_mod

REPORT_ENV = 'NOVA_VMWARE_OWNER_FAULT_REPORT'

TIMEOUT = 2.0
"""Seconds of each TCP connect and HTTP answer of the sessions under test:
short, so a black-holed call fails fast."""

LOCK_STALE = 2.0
"""Seconds after which the tests' record locks are broken as abandoned
(30 s by default): a claim interrupted while holding the lock leaves it."""


def report_time(test, seconds, outcome):
    """Record ``seconds`` to ``outcome`` of ``test`` for the docs."""
    path = os.environ.get(REPORT_ENV)
    if not path:
        return
    with open(path, 'a') as out:
        out.write(json.dumps({'test': test.id().rsplit('.', 2)[-2:],
                              'seconds': round(seconds, 3),
                              'outcome': outcome}) + '\n')


def connect(simulator, port=None, timeout=TIMEOUT):
    """A session as the guarded driver's: bounded login and retries."""
    endpoint = connection.Endpoint(simulator.host, port or simulator.port,
                                   simulator.username, simulator.password,
                                   ca_file=simulator.ca_file)
    return connection.connect(endpoint, timeout=timeout, api_retry_count=1)


def make_store(session, attribute, cluster=base.CLUSTER):
    """The ``ClusterStore`` of ``cluster`` through ``session``."""
    ref = connection.find_cluster(session, cluster)
    location = exceptions.Location(cluster, 'simulator', ref.value,
                                   attribute)
    return store_mod.ClusterStore(session, ref, attribute, location)


def make_guard(store, host='compute-a', lease=4, renew=1,
               standby_wait=False):
    """A guard with a real clock and a short-lived lock."""
    settings = base.settings(attribute_name=store.attribute_name,
                             lease_duration=lease, renew_interval=renew,
                             standby_wait=standby_wait)
    lock = lock_mod.RecordLock(store, stale_after=LOCK_STALE, timeout=30)
    return guard_mod.OwnershipGuard(store, host, settings, lock=lock)


class CallHook:
    """Intercepts a session's ``invoke_api`` to inject faults at a step.

    :param test: the test case (the patch is undone at its clean-up)
    :param session: the ``VMwareAPISession`` whose calls are intercepted
    """

    def __init__(self, test, session):
        self.calls = []
        self._actions = {}
        real = session.invoke_api

        def invoke(module, method, *args, **kwargs):
            self.calls.append(method)
            action = self._actions.pop((method, self.calls.count(method)),
                                       None)
            if action is not None:
                action()
            return real(module, method, *args, **kwargs)

        self._patcher = mock.patch.object(session, 'invoke_api',
                                          autospec=True, side_effect=invoke)
        self._patcher.start()
        test.addCleanup(self.stop)

    def stop(self):
        """Give the session its own ``invoke_api`` back (idempotent)."""
        if self._patcher is not None:
            self._patcher.stop()
            self._patcher = None

    def before(self, method, action, nth=None):
        """Run ``action()`` before the ``nth`` call of ``method``.

        :param nth: 1 for the first call; default: the next one
        """
        if nth is None:
            nth = self.calls.count(method) + 1
        self._actions[(method, nth)] = action

    def raising(self, method, error, nth=None):
        """Raise ``error`` instead of the ``nth`` call of ``method``."""
        def fail():
            raise error
        self.before(method, fail, nth)


def wait_until(predicate, timeout, interval=0.05):
    """Poll ``predicate`` until true or ``timeout``; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)

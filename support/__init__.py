"""What the tests of every tier share: doubles, the simulator, scenarios.

One package, imported as ``support`` by the unit, functional and nova
tiers and by the benchmarks, each helper defined once:

- ``fakes``: the in-memory store and vCenter, the fake clock and node
  identity, sample records and settings; ``store_contract``: the one
  suite every ``store.ClusterStore`` runs; ``vim_answers``: vCenter's
  answers for the client's unit tests; ``sample_fleet``,
  ``sample_rehome``: the sample a test reads;
- ``simulator``: the vCenter simulator fixture; ``tcpproxy``: a proxy
  that holds, stalls, delays, trickles and drops its traffic;
  ``vim_cache``, ``vim_pickle``: vCenter's whole VIM client, pickled,
  for nova's computes and the tests past the package's list; ``base``: the
  simulator test case, stores on it, configuration files and the
  command as a subprocess, the round-trip counter; ``faults``: vCenter
  faults and silent endpoints; ``wait``: the one polling wait;
- ``holder`` (a guard and its lease keeper in a process of its own,
  ``python -m support.holder``), ``processes`` (such processes, seen
  from a test), ``members`` (the fencing hand-over scenario, which the
  benchmarks run too);
- ``harness``, ``service``, ``rehoming``: nova's own harness with the
  guarded driver (they import nova: the nova tier only).

It lives at the top of the repository, not under ``nova/tests``:
installed nova's ``nova.tests`` is a regular package, which hides any
``nova/tests/...`` directory of ours in the nova tier, so helpers there
could only be reached by extending nova's packages' ``__path__``. Every
tier runs from the repository root (stestr runs the tests with ``python
-m`` there, and the subprocesses the tests start get it as their working
directory), which puts this package on ``sys.path``. The wheel ships only
``nova/virt/vmwareapi/ownership`` (``setup.cfg``), never this package.
"""

import os

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
"""The repository's root directory."""

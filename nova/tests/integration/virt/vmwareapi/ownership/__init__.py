"""Integration tests: the guarded driver inside a real nova.

Run with ``tox -e nova``, which installs nova and our wheel beside it, as
an operator does, and runs::

    stestr --test-path ./nova/tests/integration/virt/vmwareapi/ownership \\
        --top-dir ./nova/tests/integration/virt/vmwareapi run

Installed nova's ``nova`` and ``nova.tests`` are regular packages, which
hide namespace portions of the same names elsewhere on ``sys.path``: this
directory cannot be imported as ``nova.tests.integration...``. The
``--top-dir`` makes discovery import it as the top-level package
``ownership`` instead; its modules import nothing of ``nova.tests`` but
nova's own harness, and their helpers come from the repository's
``support`` package (stestr runs the tests from the repository root).
"""

# nova's test packages set the threading mode when they are first imported
# (as OS_NOVA_DISABLE_EVENTLET_PATCHING says) and eventlet must patch
# before anything imports ssl or threading, as oslo.vmware and requests do:
# they are imported here, before any test module, as nova's own tests
# import them. Which one patches depends on the release: nova.test in nova
# 29 to 32, nova.tests.functional in 29 to 31 and 33 on.
import nova.tests.functional  # noqa: F401,I100
import nova.test  # noqa: F401,H306,I100

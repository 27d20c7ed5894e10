"""Integration tests: the guarded driver inside a real nova 34.

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

# nova's functional test package sets the threading mode when it is first
# imported (native threads here: OS_NOVA_DISABLE_EVENTLET_PATCHING=1) and
# refuses to once something imported eventlet, as oslo.vmware does: it is
# imported here, before any test module, as nova's own tests import it.
import nova.tests.functional  # noqa: F401

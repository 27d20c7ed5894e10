"""The one polling wait of the tests: bounded, never a hang."""

import time


def wait_until(predicate, timeout, interval=0.02):
    """Poll ``predicate`` until it is true or ``timeout`` seconds passed.

    :returns: its last value (false when the time ran out)
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)

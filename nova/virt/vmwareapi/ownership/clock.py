"""Time, as everything here reads it: the one thing tests replace.

Liveness and deadlines are judged on the monotonic clock (never on the
wall clock, never on another machine's timestamps); the wall clock only
stamps records for people to read.
"""

import datetime
import time


class Clock:
    """Monotonic time, waiting, and the wall clock for timestamps."""

    def now(self):
        """Seconds on this process's monotonic clock."""
        return time.monotonic()

    def sleep(self, seconds):
        time.sleep(seconds)

    def wait(self, event, seconds):
        """Wait for ``event`` up to ``seconds``; True when it is set."""
        return event.wait(seconds)

    def utcnow(self):
        """The wall clock, for the record's informational timestamps."""
        return datetime.datetime.now(datetime.timezone.utc)


SYSTEM = Clock()

"""The cyclic garbage collector, paused while a spec is loaded, validated and rendered.

Loading builds hundreds of thousands of small objects that all stay alive (nodes, data, the
model), and Python's collector walks every live object each time enough new ones have been made:
on a 5,000-command spec, 60% of a validate went on such walks, and more the larger the spec
(time grew faster than the spec). Reference counting still frees everything that is not in a
cycle; the rest is collected once at the end.

Except in a command-line run, which ends soon after: there what the run made is frozen (moved
where the collector never looks) rather than walked, which on a large spec saves another tenth of
a second or more. `one_command()` says so; `eventforge mcp`, which lives on and runs many
commands in one process, leaves it off. Pausing nests; the collector is left on if it was on.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_freeze_at_end = False


def one_command() -> None:
    """This process runs one command and exits: skip the final collection."""
    global _freeze_at_end
    _freeze_at_end = True


def long_lived() -> None:
    """This process runs many commands: collect after each."""
    global _freeze_at_end
    _freeze_at_end = False


@contextmanager
def paused_gc() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if _freeze_at_end:
                gc.freeze()
            gc.enable()
            if not _freeze_at_end:
                # Only the youngest generation: everything made while paused is still there
                # (no collection ran to move it), so its cycles are found, without walking
                # whatever else the process holds (in a long-lived process, or a test run,
                # a full collection took 30 ms to 200 ms a spec, more than validating it).
                gc.collect(0)

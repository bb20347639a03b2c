"""`eventforge generate --watch`: generate again each time the spec changes.

A process that stays running keeps Python, eventforge's modules and their caches warm, so a
generate after an edit costs only what the edit changed: at 100 commands, starting Python and
importing are most of a one-command generate run as a new process (benchmarks/README.md).

The spec is polled, not watched through the operating system, so it works the same with every
editor and file system, including editors that save by writing a new file and renaming it: its
size, times and inode first, then its content, so that a save that changes nothing generates
nothing. A spec that does not validate while it is being edited is reported and waited out.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import click

from generator.support.gcpause import long_lived

POLL_SECONDS = 0.2
# A file's times come from a clock that ticks every few milliseconds, or in whole seconds on some
# file systems (two on FAT): a save within the same tick as the last one leaves them as they
# were. Times this recent prove nothing: the content is read again at the next poll.
_SETTLED_NS = 3_000_000_000


def watch(spec: Path, generate: Callable[[], int], *, poll: float = POLL_SECONDS) -> None:
    """Call `generate` now, then each time the content of `spec` changes, until Ctrl-C."""
    long_lived()  # many generates in one process: collect after each, do not freeze
    # Read before the first generate: a save while it runs is a change, generated next.
    stamp, content = _settled(_stamp(spec)), _content(spec)
    try:
        generate()
        click.echo(f"watching {spec} for changes (Ctrl-C to stop)", err=True)
        while True:
            time.sleep(poll)
            now = _stamp(spec)
            if now is None or now == stamp:
                continue
            text = _content(spec)
            if text is None:
                continue
            stamp = _settled(now)
            if text == content:
                continue
            content = text
            click.echo(f"{spec} changed: generating", err=True)
            generate()
            click.echo(f"watching {spec} for changes (Ctrl-C to stop)", err=True)
    except KeyboardInterrupt:
        return


def _stamp(spec: Path) -> tuple[int, int, int, int] | None:
    try:
        found = os.stat(spec)
    except OSError:
        return None  # gone for a moment while an editor replaces it
    return found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino


def _settled(stamp: tuple[int, int, int, int] | None) -> tuple[int, int, int, int] | None:
    """`stamp` if its times are old enough to tell any later save from it, else None (the
    content is read again at the next poll)."""
    if stamp is None or max(stamp[1], stamp[2]) > time.time_ns() - _SETTLED_NS:
        return None
    return stamp


def _content(spec: Path) -> bytes | None:
    try:
        return spec.read_bytes()
    except OSError:
        return None

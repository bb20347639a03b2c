"""The analysis cache (`.eventforge/cache/analysis.bin`): the units of the last generate's
analysis (one per aggregate's declarations, its scenarios, each read model), so that the next
generate analyses again only those whose reads changed (see spec/analyze/reuse.py).

A unit holds what it read (where, key, digest of the value) and what it made, pickled; the
pickle is read back by an unpickler that names only the model's classes. Stored with `marshal`
(plain data only). What a unit made becomes generated code, and an output folder may come from
anywhere (a cache committed to a repository, or crafted), so the file is signed (HMAC-SHA256) with
a key kept in the user's cache folder, which only the user can write: a file this user's
eventforge did not write is ignored, not trusted. No such folder (or
`EVENTFORGE_NO_TEMPLATE_CACHE` set): no analysis cache. Like the other caches (cache.py):
optional, ignored when missing, broken or written by another eventforge build, never read by
`check`, never the reason a generate fails, and kept only for a spec that passed validation.
"""

from __future__ import annotations

import hashlib
import hmac
import marshal
import os
from pathlib import Path
from typing import Any

from generator.build.cache import CACHE_DIR, FORMAT, _ignored_by_git, entries_of
from generator.build.toolkey import user_cache
from generator.build.write import UnsafePathError, atomic_write, safe_target
from generator.spec.analyze.reuse import ATTRIBUTES, ITEMS, KEYS, MAPS, Unit, UnitMemo

ANALYSIS_FILE = f"{CACHE_DIR}/analysis.bin"
_KEY_FILE = "analysis.key"
_SIGNATURE = 32  # bytes of HMAC-SHA256 before the document


class AnalysisCache:
    """The units of the last analysis, for one output directory."""

    def __init__(
        self, out: Path, tool: str, key: bytes | None, memo: UnitMemo | None = None
    ) -> None:
        self.out = out
        self.tool = tool
        self.key = key
        # None without a key: the analysis then neither reuses nor records units.
        self.memo = None if key is None else memo if memo is not None else UnitMemo()

    @classmethod
    def open(cls, out: Path, tool: str) -> AnalysisCache:
        key = signing_key()
        if key is None:
            return cls(out, tool, None)
        try:
            target = safe_target(out, ANALYSIS_FILE)
            signed = target.read_bytes()
            signature, blob = signed[:_SIGNATURE], signed[_SIGNATURE:]
            if not hmac.compare_digest(signature, _sign(key, blob)):
                return cls(out, tool, key)  # not written by this user's eventforge
            document = marshal.loads(blob)
        except (OSError, UnsafePathError, ValueError, EOFError, TypeError):
            return cls(out, tool, key)
        units = entries_of(document, tool, "units")
        if units is None or not _well_formed(units):
            return cls(out, tool, key)
        known = {name: Unit(reads, made) for name, (reads, made) in units.items()}
        return cls(out, tool, key, UnitMemo(known=known))

    def save(self) -> None:
        """Record this analysis's units; never fails a generate."""
        if self.key is None or self.memo is None:
            return
        current, known = self.memo.current, self.memo.known
        if current.keys() == known.keys() and all(current[n] is known[n] for n in current):
            return  # every unit reused: the file holds them already
        units = {name: (unit.reads, unit.made) for name, unit in current.items()}
        document = {"format": FORMAT, "tool": self.tool, "units": units}
        try:
            blob = marshal.dumps(document)
            target = safe_target(self.out, ANALYSIS_FILE)
            _ignored_by_git(self.out)
            atomic_write(target, _sign(self.key, blob) + blob, durable=False)
        except (OSError, UnsafePathError, ValueError):
            return


def _sign(key: bytes, blob: bytes) -> bytes:
    return hmac.new(key, blob, hashlib.sha256).digest()


def signing_key() -> bytes | None:
    """This user's key for signing analysis caches, made once (32 random bytes, readable by the
    user only) in eventforge's folder of the user's cache; None when there is none."""
    folder = user_cache("keys")
    if folder is None:
        return None
    path = folder / _KEY_FILE
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        # Written whole under another name, then linked into place, which fails if another
        # generate made the key first (that key is then read): never half a key, never two.
        key = os.urandom(_SIGNATURE)
        temporary = folder / f".{_KEY_FILE}.{os.getpid()}.{key.hex()[:8]}"
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as file:
                file.write(key)
            try:
                os.link(temporary, path)
            except FileExistsError:
                key = path.read_bytes()
            finally:
                temporary.unlink()
        except OSError:
            return None
    except OSError:
        return None
    return key if len(key) == _SIGNATURE else None


def _well_formed(units: dict[Any, Any]) -> bool:
    return all(
        isinstance(name, str)
        and isinstance(unit, tuple)
        and len(unit) == 2
        and isinstance(unit[0], tuple)
        and isinstance(unit[1], bytes)
        and all(_a_read(read) for read in unit[0])
        for name, unit in units.items()
    )


def _a_read(read: object) -> bool:
    """(where, key, digest) as reuse.py notes them: a Context map, an attribute, the spec or a
    section of it; a name or a whole-map marker."""
    if not (isinstance(read, tuple) and len(read) == 3 and isinstance(read[2], bytes)):
        return False
    where, key = read[0], read[1]
    if not isinstance(where, str):
        return False
    if where == "attr":
        return key in ATTRIBUTES or key in MAPS
    if where in MAPS or where == "data" or where.startswith("data."):
        return isinstance(key, str) or key in (KEYS, ITEMS)
    return False

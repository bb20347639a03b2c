"""The analysis cache (`.eventforge/cache/analysis.bin`): the units of the last generate's
analysis (one per aggregate's declarations, its scenarios, each read model), so that the next
generate analyses again only those whose reads changed (see spec/analyze/reuse.py).

A unit holds what it read (where, key, digest of the value) and what it made, pickled; the
pickle is read back by an unpickler that names only the model's classes. Stored with `marshal`
(plain data only), signed like every cache (cachefile.py): what a unit made becomes generated
code. Without a signing key there is no analysis cache, and the analysis records nothing. Like
the other caches (cache.py): optional, ignored when missing, broken or written by another
eventforge build, never read by `check`, never the reason a generate fails, and kept only for a
spec that passed validation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.build import cachefile
from generator.build.cache import load_entries, save_entries
from generator.build.cachefile import CACHE_DIR
from generator.spec.analyze.reuse import ATTRIBUTES, ITEMS, KEYS, MAPS, Unit, UnitMemo

ANALYSIS_FILE = f"{CACHE_DIR}/analysis.bin"


class AnalysisCache:
    """The units of the last analysis, for one output directory."""

    def __init__(self, out: Path, tool: str, memo: UnitMemo | None) -> None:
        self.out = out
        self.tool = tool
        # None without a signing key: the analysis then neither reuses nor records units.
        self.memo = memo

    @classmethod
    def open(cls, out: Path, tool: str) -> AnalysisCache:
        if cachefile.signing_key() is None:
            return cls(out, tool, None)
        units = load_entries(out, ANALYSIS_FILE, tool, "units")
        if units is None or not _well_formed(units):
            return cls(out, tool, UnitMemo())
        known = {name: Unit(reads, made) for name, (reads, made) in units.items()}
        return cls(out, tool, UnitMemo(known=known))

    def save(self) -> None:
        """Record this analysis's units; never fails a generate."""
        if self.memo is None:
            return
        current, known = self.memo.current, self.memo.known
        if current.keys() == known.keys() and all(current[n] is known[n] for n in current):
            return  # every unit reused: the file holds them already
        units = {name: (unit.reads, unit.made) for name, unit in current.items()}
        save_entries(self.out, ANALYSIS_FILE, self.tool, "units", units)


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

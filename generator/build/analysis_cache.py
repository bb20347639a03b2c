"""The analysis cache (`.eventforge/cache/analysis.bin`): the units of the last generate's
analysis (one per aggregate's declarations, its scenarios, each read model), so that the next
generate analyses again only those whose reads changed (see spec/analyze/reuse.py).

A unit holds what it read (where, key, digest of the value) and what it made, pickled; the
pickle is read back by an unpickler that names only the model's classes. Stored with `marshal`
(plain data only). Like the other caches (cache.py): optional, ignored when missing, broken or
written by another eventforge build, never read by `check`, never the reason a generate fails,
and kept only for a spec that passed validation.
"""

from __future__ import annotations

import marshal
from pathlib import Path

from generator.build.cache import CACHE_DIR, FORMAT, _ignored_by_git
from generator.build.write import UnsafePathError, atomic_write, safe_target
from generator.spec.analyze.reuse import Unit, UnitMemo

ANALYSIS_FILE = f"{CACHE_DIR}/analysis.bin"


class AnalysisCache:
    """The units of the last analysis, for one output directory."""

    def __init__(self, out: Path, tool: str, memo: UnitMemo | None = None) -> None:
        self.out = out
        self.tool = tool
        self.memo = memo if memo is not None else UnitMemo()

    @classmethod
    def open(cls, out: Path, tool: str) -> AnalysisCache:
        try:
            target = safe_target(out, ANALYSIS_FILE)
            document = marshal.loads(target.read_bytes())
        except (OSError, UnsafePathError, ValueError, EOFError, TypeError):
            return cls(out, tool)
        if not _well_formed(document) or document["tool"] != tool:
            return cls(out, tool)
        known = {name: Unit(reads, made) for name, (reads, made) in document["units"].items()}
        return cls(out, tool, UnitMemo(known=known))

    def save(self) -> None:
        """Record this analysis's units; never fails a generate."""
        current, known = self.memo.current, self.memo.known
        if current.keys() == known.keys() and all(current[n] is known[n] for n in current):
            return  # every unit reused: the file holds them already
        units = {name: (unit.reads, unit.made) for name, unit in current.items()}
        document = {"format": FORMAT, "tool": self.tool, "units": units}
        try:
            blob = marshal.dumps(document)
            target = safe_target(self.out, ANALYSIS_FILE)
            _ignored_by_git(self.out)
            atomic_write(target, blob, durable=False)
        except (OSError, UnsafePathError, ValueError):
            return


def _well_formed(document: object) -> bool:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return False
    units = document.get("units")
    if not isinstance(units, dict) or not isinstance(document.get("tool"), str):
        return False
    return all(
        isinstance(name, str)
        and isinstance(unit, tuple)
        and len(unit) == 2
        and isinstance(unit[0], tuple)
        and isinstance(unit[1], bytes)
        and all(
            isinstance(read, tuple)
            and len(read) == 3
            and isinstance(read[0], str)
            and isinstance(read[2], bytes)
            for read in unit[0]
        )
        for name, unit in units.items()
    )

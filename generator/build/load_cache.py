"""The load cache (`.eventforge/cache/load.bin`): the pieces of the last generate's spec, parsed,
so that the next generate parses only the entries whose text changed (see spec/pieces.py).

A piece is keyed by a digest of its block and its text; its data and positions are what parsing
that text alone gives, so a piece found here is exactly what parsing would return. Stored with
`marshal` (plain data only: it builds no objects but dicts, lists, tuples, strings and numbers,
and runs nothing), which reads ten times faster than JSON would and keeps the tuples positions are
keyed by; the positions of each piece stay marshalled until an error or warning asks for one.
Only pieces of a spec that passed validation are kept, so the shape check skips them (schema.py).
Like the other caches (cache.py): signed (cachefile.py: a crafted file could make the model say
what the spec does not), optional, ignored when missing, broken or written by another eventforge
build, never read by `check`, and never the reason a generate fails.
"""

from __future__ import annotations

import marshal
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from generator.build.cache import load_entries, save_entries
from generator.build.cachefile import CACHE_DIR
from generator.spec.load import PathKey
from generator.spec.pieces import Piece

LOAD_FILE = f"{CACHE_DIR}/load.bin"

Stored = tuple[dict[str, Any], bytes, bytes]  # a piece's data, positions, key positions


class LoadCache:
    """Parsed pieces by the digest of their text, for one output directory."""

    def __init__(self, out: Path, tool: str, stored: Mapping[str, Stored] | None = None):
        self.out = out
        self.tool = tool
        self._stored = dict(stored or {})
        self.known: dict[str, Piece] = {
            digest: Piece(data, _Marshalled(positions), _Marshalled(keys), checked=True)
            for digest, (data, positions, keys) in self._stored.items()
        }
        self._current: dict[str, Stored] = {}

    @classmethod
    def open(cls, out: Path, tool: str) -> LoadCache:
        pieces = load_entries(out, LOAD_FILE, tool, "pieces")
        if pieces is None or not _well_formed(pieces):
            return cls(out, tool)
        return cls(out, tool, pieces)

    def remember(self, pieces: Mapping[str, Piece]) -> None:
        """This generate's pieces: the ones to keep (only them). Only for a spec that passed
        validation: pieces read back from the cache count as shape-checked."""
        for digest, piece in pieces.items():
            stored = self._stored.get(digest)
            if stored is None:
                try:
                    stored = (
                        piece.data,
                        marshal.dumps(dict(piece.positions)),
                        marshal.dumps(dict(piece.key_positions)),
                    )
                    marshal.dumps(piece.data)
                except ValueError:
                    continue  # a value marshal cannot keep (a date): parsed again next time
            self._current[digest] = stored

    def save(self) -> None:
        """Record this run's pieces; never fails a generate."""
        if not self._current or self._current.keys() == self._stored.keys():
            return
        save_entries(self.out, LOAD_FILE, self.tool, "pieces", self._current)


def _well_formed(pieces: dict[Any, Any]) -> bool:
    return all(
        isinstance(digest, str)
        and isinstance(stored, tuple)
        and len(stored) == 3
        and isinstance(stored[0], dict)
        and len(stored[0]) == 1
        and isinstance(stored[1], bytes)
        and isinstance(stored[2], bytes)
        for digest, stored in pieces.items()
    )


class _Marshalled(Mapping[PathKey, tuple[int, int]]):
    """A piece's positions, unmarshalled the first time one is asked for."""

    def __init__(self, blob: bytes) -> None:
        self._blob = blob
        self._table: dict[PathKey, tuple[int, int]] | None = None

    def _loaded(self) -> dict[PathKey, tuple[int, int]]:
        if self._table is None:
            table = marshal.loads(self._blob)
            self._table = table if isinstance(table, dict) else {}
        return self._table

    def __getitem__(self, path: PathKey) -> tuple[int, int]:
        return self._loaded()[path]

    def __iter__(self) -> Iterator[PathKey]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())

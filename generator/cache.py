"""A cache of formatted files, so that a generate formats only the files whose text changed.

Formatting (ruff, three passes over a temporary tree) is most of the cost of a generate. Its
result depends only on a file's rendered text, the ruff version and the formatting
configuration, so `.eventforge/cache/format.json` in the output directory records, for each
generated Python file, the hash of its rendered text and the hash of its formatted text. The
formatted text itself is the file on disk when its hash matches; for the few files whose disk
content is not the generated text (user-owned stubs, a refused conflict) it is kept in the cache.

The cache is an optimisation only: a missing, stale, foreign or broken cache means formatting
from scratch, and the output is byte-for-byte the same either way. `check` never reads it, so a
tampered cache cannot hide a difference from the CI gate. The folder carries its own
`.gitignore`, like pytest's and ruff's caches, so it is never committed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from generator.write import SafeTargets, UnsafePathError, atomic_write, safe_target

CACHE_DIR = ".eventforge/cache"
CACHE_FILE = f"{CACHE_DIR}/format.json"
_GITIGNORE = f"{CACHE_DIR}/.gitignore"
FORMAT = 1


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class FormatCache:
    """Formatted text by rendered text, for one output directory."""

    def __init__(self, out: Path, key: str, entries: Mapping[str, list[str]] | None = None):
        self.out = out
        self.key = key
        self._entries = dict(entries or {})
        self._current: dict[str, tuple[str, str]] = {}  # this run: path -> (rendered, formatted)
        self._targets = SafeTargets(out)

    @classmethod
    def open(cls, out: Path, key: str) -> FormatCache:
        """The cache in `out`; an empty one when there is none or it cannot be used."""
        entries: dict[str, list[str]] = {}
        try:
            data = json.loads(safe_target(out, CACHE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError, UnsafePathError):
            data = None
        if isinstance(data, dict) and data.get("format") == FORMAT and data.get("key") == key:
            files = data.get("files")
            if isinstance(files, dict):
                entries = {
                    path: entry
                    for path, entry in files.items()
                    if isinstance(entry, list)
                    and len(entry) in (2, 3)
                    and all(isinstance(part, str) for part in entry)
                }
        return cls(out, key, entries)

    def lookup(self, path: str, rendered: str) -> str | None:
        """The formatted text of `rendered` at `path`, when this cache knows it; else None."""
        entry = self._entries.get(path)
        rendered_hash = sha256(rendered)
        if entry is None or entry[0] != rendered_hash:
            return None
        if len(entry) == 3:
            text: str | None = entry[2]
        else:
            text = self._read(path)
        if text is None or sha256(text) != entry[1]:
            return None
        self._current[path] = (rendered_hash, entry[1])
        return text

    def remember(self, path: str, rendered: str, formatted: str) -> None:
        self._current[path] = (sha256(rendered), sha256(formatted))

    def save(self, files: Mapping[str, str], on_disk: Iterable[str]) -> None:
        """Record this run's files; `on_disk` are the paths whose disk content is now the
        formatted text. Writes nothing when the cache is unchanged; never fails a generate."""
        written = set(on_disk)
        entries: dict[str, list[str]] = {}
        for path, (rendered_hash, formatted_hash) in sorted(self._current.items()):
            if path not in files:
                continue
            entry = [rendered_hash, formatted_hash]
            if path not in written:
                entry.append(files[path])
            entries[path] = entry
        document: dict[str, Any] = {"format": FORMAT, "key": self.key, "files": entries}
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
        try:
            target = safe_target(self.out, CACHE_FILE)
            ignore = safe_target(self.out, _GITIGNORE)
            if not ignore.is_file():
                atomic_write(ignore, "# eventforge's format cache: never commit it.\n*\n")
            if self._read(CACHE_FILE) != text:
                atomic_write(target, text)
        except (OSError, UnsafePathError):
            return

    def _read(self, path: str) -> str | None:
        try:
            return self._targets(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError, UnsafePathError):
            return None

"""Caches in the output folder that make a repeated generate fast, without changing its output.

All three live in `.eventforge/cache/` (with the load and analysis caches), which carries its own
`.gitignore` (like pytest's and ruff's caches) so that it is never committed, and may be deleted
at any time. Each file is signed with a key of this user's (cachefile.py): one this user's
eventforge did not write is ignored. All are optimisations only: a missing, stale, foreign,
unsigned or broken cache means working from scratch, and the output is byte-for-byte the same
either way (tests/build/test_render_cache_property.py). `check` reads none of them, so a cache
cannot hide a difference from the CI gate.

- `FormatCache` (format.json): formatting (ruff, three passes over a temporary tree) is most of
  the cost of a generate, and its result depends only on a file's rendered text, the ruff version
  and the formatting configuration. For each generated Python file it records the hash of the
  rendered text and the hash of the formatted text; the formatted text itself is the file on disk
  when its hash matches, or is kept in the cache for the few files whose disk content is not the
  generated text (user-owned stubs). A generate formats only the files whose text changed.
- `GenerateMemo` (generate.json): the inputs and results of the last generate, so that a generate
  with nothing changed skips validating, rendering and formatting altogether.
- `RenderCache` (render.json): the hash of the rendered text of each file of one aggregate or of
  one read model, keyed by exactly what its template can read (that aggregate's or read model's
  slice of the spec, see slices.py), so that a generate after an edit renders again only the
  files of the aggregates and read models the edit touched (and the files that read the whole
  spec): the format cache knows the formatted text of the others by that hash.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import marshal
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.build import cachefile, produced
from generator.build.cachefile import CACHE_DIR
from generator.build.write import MANIFEST, SafeTargets, UnsafePathError
from generator.spec.diagnostics import Diagnostic, Level

CACHE_FILE = f"{CACHE_DIR}/format.json"
FORMAT = 1


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class FormatCache:
    """Formatted text by rendered text, for one output directory."""

    def __init__(
        self,
        out: Path,
        key: str,
        entries: Mapping[str, list[str]] | None = None,
        targets: SafeTargets | None = None,
        on_disk: Mapping[str, tuple[str, list[int]]] | None = None,
    ):
        self.out = out
        self.key = key
        self._entries = dict(entries or {})
        self._current: dict[str, tuple[str, str]] = {}  # this run: path -> (rendered, formatted)
        self.targets = targets if targets is not None else SafeTargets(out)
        # Generated files as the last generate left them, known by fingerprint (see
        # GenerateMemo.on_disk): path -> (sha256, fingerprint).
        self.on_disk = dict(on_disk or {})

    @classmethod
    def open(
        cls,
        out: Path,
        key: str,
        targets: SafeTargets | None = None,
        on_disk: Mapping[str, tuple[str, list[int]]] | None = None,
    ) -> FormatCache:
        """The cache in `out`; an empty one when there is none or it cannot be used."""
        entries = _read_files(out, CACHE_FILE, ("key", key), lengths=(2, 3))
        return cls(out, key, entries, targets, on_disk)

    def settled(self, path: str, rendered_hash: str) -> bool:
        """Whether the file at `path` is the formatted text of the rendered text whose hash is
        given, known without reading it: this cache knows that text, and the disk holds a file
        of the formatted text's hash that nobody touched since the last generate (see
        produced.py)."""
        entry = self._entries.get(path)
        known = self.on_disk.get(path)
        if entry is None or known is None or known[0] != entry[1]:
            return False
        if entry[0] != rendered_hash:
            return False
        try:
            self.targets.check_folder(path)  # a folder linked out of `out` is refused, as before
        except (OSError, UnsafePathError):
            return False
        self._current[path] = (rendered_hash, entry[1])
        return True

    def lookup(self, path: str, rendered: str, rendered_hash: str | None = None) -> str | None:
        """The formatted text of `rendered` at `path` (or of the rendered text whose hash is
        given), when this cache knows it; else None."""
        entry = self._entries.get(path)
        rendered_hash = rendered_hash or sha256(rendered)
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
        _save_json(self.out, CACHE_FILE, document)

    def _read(self, path: str) -> str | None:
        try:
            text = self.targets.read(path)
        except (OSError, UnsafePathError):
            return None
        return None if text == "\0unreadable" else text


def _read_files(
    out: Path, name: str, owner: tuple[str, str], *, lengths: tuple[int, ...]
) -> dict[str, list[str]]:
    """The `files` of a cache file in `out` (path -> a list of texts), when it is of this format
    and its `owner` field has the value given; else none (a missing or broken cache is empty)."""
    data = _load_json(out, name)
    field, value = owner
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get(field) != value:
        return {}
    files = data.get("files")
    if not isinstance(files, dict):
        return {}
    return {
        path: entry
        for path, entry in files.items()
        if isinstance(entry, list)
        and len(entry) in lengths
        and all(isinstance(part, str) for part in entry)
    }


def load_entries(out: Path, name: str, tool: str, section: str) -> dict[Any, Any] | None:
    """The `section` map of the marshalled cache file `name` in `out` (load.bin, analysis.bin),
    when it is of this format and was written by this eventforge build (`tool`); None for a
    missing, unsigned, broken or foreign one."""
    blob = cachefile.read(out, name)
    try:
        document = marshal.loads(blob) if blob is not None else None
    except (ValueError, EOFError, TypeError):
        return None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return None
    entries = document.get(section)
    return entries if document.get("tool") == tool and isinstance(entries, dict) else None


def save_entries(out: Path, name: str, tool: str, section: str, entries: Mapping[Any, Any]) -> None:
    """Write the marshalled cache file `name` holding `entries`; never fails a generate (an
    entry marshal cannot keep means no file)."""
    try:
        blob = marshal.dumps({"format": FORMAT, "tool": tool, section: dict(entries)})
    except ValueError:
        return
    cachefile.write(out, name, blob)


def _fingerprint(stat: os.stat_result) -> list[int]:
    # The change time too: unlike the modification time, no program can set it back.
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_dev, stat.st_ino]


def _diagnostics(items: list[dict[str, Any]]) -> list[Diagnostic]:
    return [Diagnostic(**{**item, "level": Level(item["level"])}) for item in items]


def _load_json(out: Path, name: str) -> Any:
    """The JSON document of the cache file `name` (None if there is none this user wrote)."""
    content = cachefile.read(out, name)
    try:
        return json.loads(content) if content is not None else None
    except ValueError:  # UnicodeDecodeError too
        return None


def _save_json(out: Path, name: str, document: Any) -> None:
    """Write the cache file `name` unless it holds `document` already; never fails a generate."""
    content = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if cachefile.read(out, name) != content:
        cachefile.write(out, name, content)


MEMO_FILE = f"{CACHE_DIR}/generate.json"
# How far apart two file times must be to tell which came first: file systems take times from a
# clock that ticks every few milliseconds; this is a margin well above that.
_TICK_NS = 100_000_000


def memo_key(*parts: bytes | str) -> str:
    """One hash of several inputs, each length-prefixed so that no two sequences collide."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


@dataclass(frozen=True)
class Recalled:
    files: dict[str, str]  # empty when `untouched`: nothing was read
    owners: dict[str, str]
    signatures: dict[str, str]
    diagnostics: list[Diagnostic]
    # Every file (and the manifest) is as the last generate left it (see _untouched): nothing
    # to compare and nothing to write.
    untouched: bool = False


class GenerateMemo:
    """What the last generate into a folder produced, and from which inputs.

    The key covers every input of a generate: the spec's bytes and path, the lock file, the
    options, and eventforge itself (its code, templates, schema and the versions of Python and of
    the libraries whose output it keeps). When a generate finds the same key and every generated
    file still on disk with the recorded hash, the files are what validating, rendering and
    formatting would produce again, so it skips them. Like the format cache it is only an
    optimisation, and `check` never reads it.
    """

    def __init__(self, out: Path) -> None:
        self.out = out
        self._data: Any = None

    def _document(self) -> Any:
        """The memo file as read the first time it is asked for (None when unreadable)."""
        if self._data is None:
            self._data = _load_json(self.out, MEMO_FILE) or False
        return self._data or None

    def recall(self, key: str) -> Recalled | None:
        data = self._document()
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != key:
            return None
        try:
            if self._untouched(data.get("stat"), data["files"]):
                return Recalled(
                    {},
                    {path: entry[0] for path, entry in data["files"].items()},
                    {path: entry[2] for path, entry in data["files"].items() if entry[2]},
                    _diagnostics(data["diagnostics"]),
                    untouched=True,
                )
            targets = SafeTargets(self.out)
            files: dict[str, str] = {}
            owners: dict[str, str] = {}
            signatures: dict[str, str] = {}
            for path, (owner, digest, signature, text) in data["files"].items():
                if text is None:
                    text = targets(path).read_text(encoding="utf-8")
                if sha256(text) != digest:
                    return None  # edited, removed or replaced since: produce it again
                files[path], owners[path] = text, owner
                if signature:
                    signatures[path] = signature
            diagnostics = _diagnostics(data["diagnostics"])
        except (OSError, UnicodeDecodeError, UnsafePathError, TypeError, ValueError, KeyError):
            return None
        return Recalled(files, owners, signatures, diagnostics)

    def _untouched(self, stat: Any, files: dict[str, list[Any]]) -> bool:
        """Whether every generated file (and the manifest) is as the last generate left it,
        known the way git's index knows it: by size, modification and change times, device and
        inode, which an edit or a replacement (even by a copy, or through a link) changes. A
        time too close to the memo's own is no proof (an edit in the same clock tick would not
        show): such a file is read and hashed instead. User files need only exist: their
        content is theirs."""
        try:
            racy_from = stat["written_ns"] - _TICK_NS
            entries = [(MANIFEST, stat["manifest"], stat["manifest_sha256"])]
            entries += [(path, stat["files"][path], entry[1]) for path, entry in files.items()]
        except (TypeError, KeyError, IndexError):
            return False  # no fingerprints recorded (or not these)
        for path, recorded, digest in entries:
            try:
                now = os.stat(self.out / path)
            except OSError:
                return False
            if recorded is None:  # a user file
                continue
            if _fingerprint(now) != recorded:
                return False
            if max(now.st_mtime_ns, now.st_ctime_ns) >= racy_from:
                try:
                    text = (self.out / path).read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    return False
                if sha256(text) != digest:
                    return False
        return True

    def on_disk(self) -> dict[str, tuple[str, list[int]]]:
        """The generated files that are still as the last generate left them, whatever its key:
        path -> (sha256, fingerprint), known the way _untouched knows them (by fingerprint,
        never for a file whose times are too close to the memo's own). Empty when the last
        generate did not settle every file (see remember)."""
        data = self._document()
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return {}
        known: dict[str, tuple[str, list[int]]] = {}
        try:
            stat = data["stat"]
            racy_from = stat["written_ns"] - _TICK_NS
            recorded = stat["files"]
            for path, entry in data["files"].items():
                fingerprint = recorded.get(path)
                if entry[0] != "generated" or not isinstance(fingerprint, list):
                    continue
                try:
                    now = os.lstat(self.out / path)  # a link is not the file it was
                except OSError:
                    continue
                if _fingerprint(now) != fingerprint:
                    continue
                if max(now.st_mtime_ns, now.st_ctime_ns) >= racy_from:
                    continue
                known[path] = (str(entry[1]), fingerprint)
        except (TypeError, KeyError, IndexError, AttributeError):
            return {}
        return known

    def remember(
        self,
        key: str,
        files: Mapping[str, str],
        owners: Mapping[str, str],
        signatures: Mapping[str, str],
        diagnostics: Iterable[Diagnostic],
        settled: bool = False,
        seen: Mapping[str, os.stat_result] | None = None,
    ) -> None:
        """Record a generate whose files are now on disk; never fails the generate.

        `settled`: every file is now exactly as generated and the manifest lists exactly these
        files (nothing orphaned or refused), so that the next generate may know them by their
        fingerprints (see _untouched) instead of reading them. `seen`: each file's status as
        this generate read or wrote it (SafeTargets.seen).
        """
        written_ns = time.time_ns()
        entries = {
            path: [
                str(owners[path]),
                produced.digest(files, path),
                signatures.get(path, ""),
                # User files are the user's: their text is kept (a settled file is generated).
                files[path] if str(owners[path]) != "generated" else None,
            ]
            for path in sorted(files)
        }
        document = {
            "format": FORMAT,
            "key": key,
            "files": entries,
            "diagnostics": [{**dataclasses.asdict(d), "level": str(d.level)} for d in diagnostics],
            "stat": self._fingerprints(files, owners, written_ns, seen or {}) if settled else None,
        }
        _save_json(self.out, MEMO_FILE, document)

    def _fingerprints(
        self,
        files: Mapping[str, str],
        owners: Mapping[str, str],
        written_ns: int,
        seen: Mapping[str, os.stat_result],
    ) -> dict[str, Any] | None:
        # A file is recorded by the fingerprint it had when this generate last knew its text:
        # as it was read (and found as generated) or right after it was written. A settled file
        # keeps the one it was known by. An edit made since (while the generate ran on) then
        # shows as a changed fingerprint, and the next generate reads the file instead of
        # trusting it; the fingerprint taken now would be the edited file's own.
        kept = produced.settled(files)
        try:
            manifest = (self.out / MANIFEST).read_text(encoding="utf-8")
            return {
                "written_ns": written_ns,
                "manifest": _fingerprint(os.stat(self.out / MANIFEST)),
                "manifest_sha256": sha256(manifest),
                "files": {
                    path: None
                    if str(owners[path]) != "generated"
                    else kept[path][1]
                    if path in kept
                    else _fingerprint(seen[path] if path in seen else os.stat(self.out / path))
                    for path in sorted(files)
                },
            }
        except (OSError, UnicodeDecodeError):
            return None


RENDER_FILE = f"{CACHE_DIR}/render.json"


class RenderCache:
    """The hash of rendered text by what its template read, for one output directory
    (render.json). A file found here is rendered only if its formatted text is not known
    (produced.Rendered): the format cache knows formatted text by the hash of rendered text.

    Only the files of one aggregate or of one read model are cached (see slices.py): each is
    rendered from that aggregate's or read model's slice of the spec, so the slice's content,
    the file's own context (its command, its scenarios), its template, its origin and `tool`
    (eventforge's code, templates and libraries, the same material as the generate memo's key)
    are everything it can read.
    Like the other caches: optional, never read by `check`, and a broken or foreign one is
    ignored (everything is rendered)."""

    def __init__(self, out: Path, tool: str, entries: Mapping[str, list[str]] | None = None):
        self.out = out
        self.tool = tool
        self._entries = dict(entries or {})
        self._current: dict[str, list[str]] = {}  # this run's files: path -> [key, hash]

    @classmethod
    def open(cls, out: Path, tool: str) -> RenderCache:
        return cls(out, tool, _read_files(out, RENDER_FILE, ("tool", tool), lengths=(2,)))

    def key(self, *parts: str) -> str:
        return memo_key("eventforge render 2", self.tool, *parts)

    def lookup(self, path: str, key: str) -> str | None:
        """The hash of the text rendered last time with this key, if any."""
        entry = self._entries.get(path)
        if entry is None or entry[0] != key:
            return None
        self._current[path] = entry
        return entry[1]

    def remember(self, path: str, key: str, text: str) -> None:
        self._current[path] = [key, sha256(text)]

    def save(self) -> None:
        """Record this run's files (only them); never fails a generate."""
        if self._current == self._entries:
            return
        document = {
            "format": FORMAT,
            "tool": self.tool,
            "files": dict(sorted(self._current.items())),
        }
        _save_json(self.out, RENDER_FILE, document)

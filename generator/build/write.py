"""Step 7, write: compare the produced files with the disk and the manifest, then write atomically.

Every file gets a verdict first (create, update, identical, conflict, keep, orphan, remove), so that
a generate that would overwrite a hand edit stops before touching anything. Files are written
through a temporary file and `os.replace`, and the manifest goes last: a generate killed part way
leaves files the next generate recognises and completes.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from generator.build.plan import Owner
from generator.build.produced import digest, settled
from generator.support.jsontext import indented

MANIFEST = ".eventforge/manifest.json"
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)  # POSIX only


class Verdict(StrEnum):
    CREATE = "create"  # missing: will be written
    UPDATE = "update"  # generated, unedited, out of date: will be rewritten
    IDENTICAL = "identical"  # already what the spec produces: not touched
    CONFLICT = "conflict"  # generated file edited by hand: refused unless forced
    KEEP = "keep"  # user-owned and present: never touched
    ORPHAN = "orphan"  # no longer produced, but edited or user-owned: reported, kept
    REMOVE = "remove"  # no longer produced, generated and unedited: deleted


@dataclass(frozen=True)
class FileState:
    path: str
    owner: Owner
    verdict: Verdict
    reason: str = ""


class UnsafePathError(Exception):
    pass


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def manifest_path(out: Path) -> Path:
    """Where the manifest is, refused (UnsafePathError) when `.eventforge` or the manifest is a
    symbolic link: the manifest is written over whatever is there, and through a link that would
    overwrite the file it points to, which may be one of the user's own."""
    safe_target(out, MANIFEST)  # a link that leads out of the folder is refused as such
    folder = out / ".eventforge"
    for path in (folder, folder / "manifest.json"):
        if path.is_symlink():
            raise UnsafePathError(
                f"{path.relative_to(out).as_posix()} is a symbolic link; eventforge keeps its"
                " own record of the files it generated there and never writes through a link."
                " Remove the link and generate again"
            )
    return folder / "manifest.json"


def read_manifest(out: Path) -> dict[str, dict[str, str]]:
    path = manifest_path(out)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files", {}) if isinstance(data, dict) else {}
    return {k: v for k, v in files.items() if isinstance(v, dict)}


def safe_target(out: Path, relative: str) -> Path:
    """The absolute path for `relative`, refusing any that would leave `out` (`..`, symlinks)."""
    root = out.resolve()
    target = (root / relative).resolve()
    if target != root and root not in target.parents:
        raise UnsafePathError(f"{relative} resolves outside the output directory ({target})")
    # resolve() followed every symbolic link on the way, so a link that leads out is caught above.
    return target


class SafeTargets:
    """`safe_target` for many files of one output directory, resolving each folder only once
    (a generate of a large spec checks thousands of paths)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self._folders: dict[str, Path] = {}
        self._texts: dict[str, str | None] = {}
        # Each file's status as it was read or written here, for the generate memo (see
        # GenerateMemo._fingerprints): what this generate knows of a file is as of then.
        self.seen: dict[str, os.stat_result] = {}

    def read(self, relative: str) -> str | None:
        """The text of a file (None if missing), read once per generate: the format cache and
        the comparison with the disk both need it, and on a large spec reading is not free."""
        if relative not in self._texts:
            text, status = _read_with_status(self(relative))
            if status is not None:
                self.seen[relative] = status
            self._texts[relative] = text
        return self._texts[relative]

    def check_folder(self, relative: str) -> None:
        """Raise UnsafePathError when the folder of `relative` leads out of the output directory
        (a file known by its fingerprint is itself no link: a link has a fingerprint of its own)."""
        folder = relative.rpartition("/")[0]
        if folder not in self._folders:
            self._folders[folder] = safe_target(self.out, folder or ".")

    def __call__(self, relative: str) -> Path:
        folder, _, name = relative.rpartition("/")
        if name in ("", ".", ".."):
            return safe_target(self.out, relative)
        real = self._folders.get(folder)
        if real is None:
            real = self._folders[folder] = safe_target(self.out, folder or ".")
        target = real / name
        if target.is_symlink():
            safe_target(self.out, relative)  # refused when the link leads out of the folder
        # The link itself, not what it points to: a write replaces the link with the generated
        # file and a removal removes the link, so the file it points to (perhaps one of the
        # user's own) is never written through it.
        return target


def plan_writes(
    out: Path,
    files: Mapping[str, str],
    owners: dict[str, Owner],
    signatures: dict[str, str] | None = None,
    targets: SafeTargets | None = None,
) -> list[FileState]:
    manifest = read_manifest(out)  # refused before any write when it is a link
    signatures = signatures or {}
    states: list[FileState] = []
    targets = targets if targets is not None and targets.out == out else SafeTargets(out)
    known = settled(files)
    for path in sorted(files):
        owner = owners[path]
        if owner is Owner.GENERATED and path in known:
            # On disk as the last generate left it, and that is the text produced now.
            states.append(FileState(path, owner, Verdict.IDENTICAL))
            continue
        current = targets.read(path)
        if current is None:
            states.append(FileState(path, owner, Verdict.CREATE))
        elif owner is Owner.USER:
            before = manifest.get(path, {}).get("signature", "")
            after = signatures.get(path, "")
            reason = (
                f"needs attention: the spec now expects {after} (was {before})"
                if before and before != after
                else ""
            )
            states.append(FileState(path, owner, Verdict.KEEP, reason))
        elif current == files[path]:
            states.append(FileState(path, owner, Verdict.IDENTICAL))
        elif manifest.get(path, {}).get("sha256") == sha256(current):
            states.append(FileState(path, owner, Verdict.UPDATE))
        else:
            why = (
                "edited by hand"
                if path in manifest
                else "exists and was not generated by eventforge"
            )
            states.append(FileState(path, owner, Verdict.CONFLICT, why))
    for path, entry in sorted(manifest.items()):
        if path in files:
            continue
        target = targets(path)
        current = _read(target)
        if current is None:
            continue
        owner = Owner(entry.get("owner", "generated"))
        if owner is Owner.GENERATED and entry.get("sha256") == sha256(current):
            states.append(FileState(path, owner, Verdict.REMOVE, "no longer produced by the spec"))
        else:
            why = "user-owned" if owner is Owner.USER else "edited by hand"
            states.append(
                FileState(
                    path, owner, Verdict.ORPHAN, f"no longer produced by the spec; {why}, so kept"
                )
            )
    return _rename_hints(states)


def _rename_hints(states: list[FileState]) -> list[FileState]:
    """A user file orphaned while another is created beside it was most likely renamed: say so."""
    created = [s for s in states if s.verdict is Verdict.CREATE and s.owner is Owner.USER]
    hinted = []
    for state in states:
        if state.verdict is Verdict.ORPHAN and state.owner is Owner.USER:
            folder = state.path.rsplit("/", 1)[0]
            twins = [c.path for c in created if c.path.rsplit("/", 1)[0] == folder]
            if len(twins) == 1:
                state = FileState(
                    state.path,
                    state.owner,
                    state.verdict,
                    f"{state.reason}; if it was renamed, move your code to {twins[0]}",
                )
        hinted.append(state)
    return hinted


def apply_writes(
    out: Path,
    files: Mapping[str, str],
    states: list[FileState],
    *,
    force: bool,
    manifest_extra: dict[str, str],
    before_manifest: Callable[[], None] | None = None,
    signatures: dict[str, str] | None = None,
    targets: SafeTargets | None = None,
) -> None:
    """Carry out the verdicts. Conflicts are overwritten only with `force`. Each file written
    has its status as written in `targets.seen` (see SafeTargets)."""
    manifest = read_manifest(out)
    targets = targets if targets is not None and targets.out == out else SafeTargets(out)
    pending: list[tuple[str, Path, str]] = []
    for state in states:
        if state.verdict in (Verdict.CREATE, Verdict.UPDATE) or (
            state.verdict is Verdict.CONFLICT and force
        ):
            pending.append((state.path, targets(state.path), files[state.path]))
        elif state.verdict is Verdict.REMOVE:
            target = targets(state.path)
            target.unlink(missing_ok=True)
            _remove_empty_parents(target.parent, out)
            manifest.pop(state.path, None)
        if state.path in files and (state.verdict is not Verdict.CONFLICT or force):
            entry = {"owner": str(state.owner), "sha256": digest(files, state.path)}
            if state.owner is Owner.USER:
                # The hash of the stub as first written; the file itself is the user's.
                entry = {
                    **manifest.get(state.path, entry),
                    "signature": (signatures or {}).get(state.path, ""),
                }
                if not entry["signature"]:
                    entry.pop("signature")
            manifest[state.path] = entry
    _write_all(pending, targets.seen)
    if before_manifest is not None:
        before_manifest()
    payload = {**manifest_extra, "files": dict(sorted(manifest.items()))}
    text = indented(payload) + "\n"
    target = manifest_path(out)
    if _read(target) != text:
        atomic_write(target, text)


def _write_all(pending: list[tuple[str, Path, str]], seen: dict[str, os.stat_result]) -> None:
    """Write every file, each atomically, before the lock and the manifest.

    Each file goes through a temporary file and `os.replace`, so a reader or a generate killed
    part way never sees half a file. Unlike the manifest and the lock, they are not fsync'ed one
    by one (that cost more than rendering them): every generated file can be produced again,
    and after a power cut a file the disk lost no longer matches the manifest, so the next
    generate reports it instead of trusting it.
    """
    made: set[Path] = set()
    for relative, target, text in pending:
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        _replace(target, text, durable=False)
        seen[relative] = os.stat(target)


def atomic_write(target: Path, text: str | bytes, *, durable: bool = True) -> None:
    """Write `text` to `target` through a temporary file in the same folder, fsync and
    `os.replace`: readers see the old file or the new one, and the new one survives a crash
    (without `durable`, no fsync: for caches, which may be lost)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    _replace(target, text, durable=durable)


def _replace(target: Path, text: str | bytes, *, durable: bool) -> None:
    """The new file gets the mode of the one it replaces, or the usual one for a new file (what
    the umask leaves of rw-rw-rw-), not mkstemp's owner-only mode."""
    try:
        mode: int | None = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mode = None
    temp = target.parent / f".{target.name}.{os.getpid()}.tmp"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _CLOEXEC, 0o666)
    except FileExistsError:  # left by a killed process that had our pid: make a fresh one
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        temp = Path(name)
        mode = _new_file_mode() if mode is None else mode
    try:
        try:
            if mode is not None:
                os.chmod(temp, mode)
            data = text.encode("utf-8") if isinstance(text, str) else text
            while data:
                data = data[os.write(fd, data) :]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _read(path: Path) -> str | None:
    return _read_with_status(path)[0]


def _read_with_status(path: Path) -> tuple[str | None, os.stat_result | None]:
    """The file's text (None if missing), and its status as of the read: taken on the open file
    before reading it, so that an edit after the read shows in the status's times."""
    try:
        with path.open(encoding="utf-8") as handle:
            status = os.fstat(handle.fileno())
            return handle.read(), status
    except FileNotFoundError:
        return None, None
    except (UnicodeDecodeError, IsADirectoryError):
        return "\0unreadable", None


def _remove_empty_parents(folder: Path, out: Path) -> None:
    root = out.resolve()
    current = folder.resolve()
    while current != root and root in current.parents:
        try:
            current.rmdir()
        except OSError:
            return
        current = current.parent

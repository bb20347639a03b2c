"""Editing the spec in place: apply one operation, validate the result, write it atomically.

The order is fixed: read the spec (with positions), change the round-trip tree, render the new
text (untouched lines byte for byte as they were), validate that text with the usual validator,
and only then replace the file. An edit that would leave the spec invalid raises `SpecError` with
the located diagnostics, and the file is not touched.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.build.pipeline import reusable
from generator.build.write import MANIFEST, atomic_write
from generator.edit.entries import EntryTrees, NeedsWhole, WholeTree
from generator.edit.ops import Change, Editing
from generator.edit.yaml_roundtrip import Document, RoundTripError
from generator.evolution.lock import breaking_changes, lock_path, read_lock
from generator.spec.analyze.reuse import UnitMemo
from generator.spec.diagnostics import Diagnostic, Level, SpecError, has_errors
from generator.spec.load import LoadedSpec, spec_text
from generator.spec.model import Spec
from generator.spec.names import snake
from generator.spec.pieces import load_in_pieces
from generator.spec.validate import validate_loaded

Operation = Callable[[Editing], Change]
MAX_MENTIONS = 50


class EditRefused(SpecError):
    """The edited spec would be invalid; `diff` is the refused change (error positions are in
    the edited text)."""

    def __init__(self, diagnostics: list[Diagnostic], diff: str) -> None:
        super().__init__(diagnostics)
        self.diff = diff


@dataclass(frozen=True)
class Mention:
    """A line of a user-owned file that names something an edit renamed or removed."""

    path: str
    line: int
    text: str

    def as_json(self) -> dict[str, str | int]:
        return {"path": self.path, "line": self.line, "text": self.text}


@dataclass(frozen=True)
class EditResult:
    action: str
    spec: Path
    change: Change
    diff: str
    written: bool
    dry_run: bool
    warnings: list[Diagnostic] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)

    @property
    def next_steps(self) -> list[str]:
        steps = []
        if self.diff:
            steps.append(f"eventforge generate {self.spec}")
        if self.mentions:
            steps.append("update the user-owned files listed under mentions")
        return steps

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": True,
            "action": self.action,
            "spec": str(self.spec),
            "summary": self.change.summary,
            "changed": self.change.changed,
            "notes": self.change.notes,
            "written": self.written,
            "dry_run": self.dry_run,
            "diff": self.diff,
            "warnings": [d.as_json() for d in self.warnings],
            "mentions": [m.as_json() for m in self.mentions],
            "next": self.next_steps,
        }


def run_edit(
    spec_path: Path,
    action: str,
    operation: Operation,
    *,
    dry_run: bool = False,
    out: Path | None = None,
    mention: tuple[str, ...] = (),
) -> EditResult:
    """Apply `operation` to the spec at `spec_path`. Raises SpecError, writing nothing, when the
    spec cannot be read or the edited spec would be invalid."""
    raw = _read(spec_path)
    folder = out or _folder(spec_path)
    # The last generate's parsed pieces and analysis: only what differs is parsed and analysed.
    known, units = reusable(folder)
    # Loaded in pieces, so that the edited text below parses only the entries the edit changed.
    original, pieces = load_in_pieces(spec_text(raw, str(spec_path)), str(spec_path), known)
    bom = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
    crlf = "\r\n" in original.text
    before = original.text.replace("\r\n", "\n")
    change, after = _apply(operation, before, original)
    edited, _ = load_in_pieces(after, str(spec_path), pieces)
    spec, diagnostics = validate_loaded(edited, units)
    if spec is None or has_errors(diagnostics):
        raise EditRefused(diagnostics, _diff(before, after, spec_path))
    if after != before and not dry_run:
        text = after.replace("\n", "\r\n") if crlf else after
        # The spec is the user's: when it is a link, the file it points to is edited (the
        # atomic replace of the link itself would leave that file unedited and the link gone).
        atomic_write(spec_path.resolve(), bom + text)
    return EditResult(
        action=action,
        spec=spec_path,
        change=change,
        diff=_diff(before, after, spec_path),
        written=after != before and not dry_run,
        dry_run=dry_run,
        warnings=_new_warnings(original, diagnostics, units)
        + _lock_warnings(spec_path, edited, spec),
        mentions=find_mentions(folder, mention),
    )


def _apply(operation: Operation, before: str, original: LoadedSpec) -> tuple[Change, str]:
    """The change and the edited text: from the entries the operation asks for, parsed one by
    one, or when it needs more, from the whole document (see entries.py)."""
    entries = EntryTrees(before, original)
    try:
        return operation(Editing(entries, original)), entries.text()
    except NeedsWhole:
        pass
    try:
        document = Document.parse(before)
    except RoundTripError as exc:
        raise SpecError([_diag("E102", f"the spec cannot be edited: {exc}", original)]) from None
    whole = WholeTree(document)
    return operation(Editing(whole, original)), whole.text()


def _read(spec_path: Path) -> bytes:
    try:
        return spec_path.read_bytes()
    except OSError as exc:
        message = f"cannot read the spec: {exc.strerror or exc}"
        raise SpecError(
            [Diagnostic(code="E100", message=message, file=str(spec_path), line=1, column=1)]
        ) from None


def _diag(code: str, message: str, loaded: LoadedSpec) -> Diagnostic:
    return Diagnostic(code=code, message=message, file=loaded.file, line=1, column=1)


def _folder(spec_path: Path) -> Path:
    return spec_path.parent if str(spec_path.parent) else Path(".")


def _diff(before: str, after: str, spec_path: Path) -> str:
    name = spec_path.name
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{name}",
        tofile=f"b/{name}",
    )
    return "".join(lines)


def _new_warnings(
    original: LoadedSpec, diagnostics: list[Diagnostic], units: UnitMemo | None
) -> list[Diagnostic]:
    """Warnings the edit introduced (those the spec had before are not news)."""
    if not any(d.level is Level.WARNING for d in diagnostics):
        return []  # nothing to compare: the spec before need not be validated
    _, old = validate_loaded(original, units)
    seen = {(d.code, d.message) for d in old}
    return [d for d in diagnostics if d.level is Level.WARNING and (d.code, d.message) not in seen]


def _lock_warnings(spec_path: Path, edited: LoadedSpec, spec: Spec) -> list[Diagnostic]:
    """Changes that would break stored events: allowed as an intermediate step, but said now,
    because generate will refuse them (unless --allow-breaking)."""
    try:
        lock = read_lock(lock_path(spec_path))
    except SpecError as exc:
        return [_as_warning(d) for d in exc.diagnostics]
    if lock is None:
        return []
    return [_as_warning(d) for d in breaking_changes(edited, spec, lock)]


def _as_warning(diagnostic: Diagnostic) -> Diagnostic:
    return Diagnostic(
        code=diagnostic.code,
        message=f"{diagnostic.message} (generate will refuse this)",
        file=diagnostic.file,
        line=diagnostic.line,
        column=diagnostic.column,
        path=diagnostic.path,
        hint=diagnostic.hint,
        level=Level.WARNING,
    )


# -- user-owned files that mention a name ------------------------------------------------------


def user_files(out: Path) -> list[Path]:
    """Files that are the user's: listed as such in the manifest, or under a `custom/` folder."""
    found: set[Path] = set()
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        entries = manifest.get("files", {}) if isinstance(manifest, dict) else {}
    except (OSError, ValueError):
        entries = {}
    for relative, entry in entries.items():
        if isinstance(entry, dict) and entry.get("owner") == "user":
            found.add(out / relative)
    source = out / "src"
    if source.is_dir():
        found.update(
            p
            for p in source.rglob("*.py")
            if "custom" in p.relative_to(out).parts and "__pycache__" not in p.parts
        )
    return sorted(p for p in found if p.is_file())


def find_mentions(out: Path, names: tuple[str, ...]) -> list[Mention]:
    """Lines of user-owned files naming any of `names` (or their snake_case module names)."""
    if not names:
        return []
    words = sorted({w for n in names for w in (n, snake(n))})
    pattern = re.compile(
        r"(?<![A-Za-z0-9_])(" + "|".join(map(re.escape, words)) + r")(?![A-Za-z0-9_])"
    )
    mentions: list[Mention] = []
    for path in user_files(out):
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        relative = path.relative_to(out).as_posix()
        for number, line in enumerate(lines, start=1):
            if pattern.search(line) and len(mentions) < MAX_MENTIONS:
                mentions.append(Mention(relative, number, line.strip()[:160]))
    return mentions

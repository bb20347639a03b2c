"""The pipeline end to end: spec file -> validated model -> planned, rendered, formatted files.

The CLI (and tests) call these; each step lives in its own module.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from generator import __version__
from generator.diagnostics import Diagnostic, Level, SpecError, has_errors
from generator.cache import FormatCache
from generator.format import format_key, format_sources
from generator.load import load_file
from generator.lock import (
    Lock,
    breaking_changes,
    build_lock,
    lock_path,
    read_lock,
    read_lock_at,
    render_lock,
)
from generator.model import Spec
from generator.plan import Owner, plan
from generator.render import render_all
from generator.validate import validate_loaded
from generator.write import FileState, Verdict, apply_writes, atomic_write, plan_writes


@dataclass(frozen=True)
class Output:
    spec: Spec
    files: dict[str, str]
    owners: dict[str, Owner]
    signatures: dict[str, str]  # what each user file must provide
    diagnostics: list[Diagnostic]  # warnings (and breaking changes, when allowed)
    lock_path: Path
    lock_text: str
    lock_on_disk: str | None
    format_cache: FormatCache | None = None  # saved with the files by write()


def produce(
    spec_path: Path,
    *,
    against: str | None = None,
    allow_breaking: bool = False,
    cache_in: Path | None = None,
) -> Output:
    """Validate and render a spec. Raises SpecError with every problem found.

    Breaking event changes are checked against the lock next to the spec, or against the lock in
    git revision `against`; with `allow_breaking` they are reported as warnings instead.
    With `cache_in` (the output directory), files formatted before are taken from its format
    cache (see cache.py); the output is the same with or without it.
    """
    loaded = load_file(spec_path)
    spec, diagnostics = validate_loaded(loaded)
    if spec is None or has_errors(diagnostics):
        raise SpecError(diagnostics)
    path = lock_path(spec_path)
    on_disk = read_lock(path)
    baseline: Lock | None = read_lock_at(spec_path, against) if against else on_disk
    if baseline is not None:
        breaking = breaking_changes(loaded, spec, baseline)
        if allow_breaking:
            breaking = [replace(d, level=Level.WARNING) for d in breaking]
        diagnostics = diagnostics + breaking
        if has_errors(breaking):
            raise SpecError(diagnostics)
    lock = build_lock(spec, on_disk)
    planned = plan(spec, lock)
    rendered = render_all(spec, planned, lock)
    cache = FormatCache.open(cache_in, format_key()) if cache_in is not None else None
    formatted = format_sources(rendered, spec.package, cache)
    text = render_lock(lock)
    current = path.read_text(encoding="utf-8") if on_disk is not None else None
    owners = {p.path: p.owner for p in planned}
    signatures = {p.path: p.signature for p in planned if p.signature}
    return Output(spec, formatted, owners, signatures, diagnostics, path, text, current, cache)


def compare(output: Output, out: Path) -> list[FileState]:
    return plan_writes(out, output.files, output.owners, output.signatures)


def write(
    output: Output, out: Path, states: list[FileState], *, spec_path: Path, force: bool
) -> None:
    spec_hash = hashlib.sha256(spec_path.read_bytes()).hexdigest()
    extra = {"generator": f"eventforge {__version__}", "spec_sha256": spec_hash}
    # Order matters for a generate killed part way: files, then the lock, then the manifest.
    apply_writes(
        out,
        output.files,
        states,
        force=force,
        manifest_extra=extra,
        before_manifest=lambda: _write_lock(output),
        signatures=output.signatures,
    )
    if output.format_cache is not None and output.format_cache.out == out:
        # Generated files now hold their formatted text; user files are the user's.
        written = (Verdict.CREATE, Verdict.UPDATE, Verdict.IDENTICAL)
        output.format_cache.save(
            output.files,
            (
                s.path
                for s in states
                if s.owner is Owner.GENERATED
                and (s.verdict in written or (s.verdict is Verdict.CONFLICT and force))
            ),
        )


def lock_is_current(output: Output) -> bool:
    return output.lock_on_disk == output.lock_text


def _write_lock(output: Output) -> None:
    if not lock_is_current(output):
        atomic_write(output.lock_path, output.lock_text)

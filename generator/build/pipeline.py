"""The pipeline end to end: spec file -> validated model -> planned, rendered, formatted files.

The CLI (and tests) call these; each step lives in its own module.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from generator import __version__
from generator.build.cache import FormatCache, GenerateMemo, RenderCache, memo_key
from generator.build.format import format_key
from generator.build.plan import Owner
from generator.build.toolkey import library_versions, remembered, stamp
from generator.build.write import (
    FileState,
    SafeTargets,
    Verdict,
    apply_writes,
    atomic_write,
    plan_writes,
)
from generator.evolution.lock import (
    Lock,
    breaking_changes,
    build_lock,
    judged,
    lock_path,
    read_lock,
    read_lock_at,
    render_lock,
)
from generator.spec.diagnostics import Diagnostic, SpecError, has_errors
from generator.support.gcpause import paused_gc
from generator.support.resources import schema_path, templates_dir

# generator/: all of eventforge's own code is an input of a generate (see _memo_key).
_PACKAGE = Path(__file__).resolve().parent.parent

if TYPE_CHECKING:
    from generator.build.analysis_cache import AnalysisCache
    from generator.build.load_cache import LoadCache
    from generator.spec.analyze.reuse import UnitMemo
    from generator.spec.load import LoadedSpec
    from generator.spec.model import Spec
    from generator.spec.pieces import Piece


@dataclass(frozen=True)
class Memo:
    """How write() records this generate for the next one (see GenerateMemo in cache.py)."""

    store: GenerateMemo
    key: str
    diagnostics: list[Diagnostic]  # what a generate of the same inputs reports next time


@dataclass(frozen=True)
class Output:
    spec: Spec | None  # None when recalled from the generate memo: nothing was validated
    files: Mapping[str, str]  # a settled file is read only if asked for (produced.py)
    owners: dict[str, Owner]
    signatures: dict[str, str]  # what each user file must provide
    diagnostics: list[Diagnostic]  # warnings (and breaking changes, when allowed)
    lock_path: Path
    lock_text: str
    lock_on_disk: str | None
    format_cache: FormatCache | None = None  # saved with the files by write()
    memo: Memo | None = None  # likewise
    render_cache: RenderCache | None = None  # likewise
    load_cache: LoadCache | None = None  # likewise
    analysis_cache: AnalysisCache | None = None  # likewise
    # Recalled from the memo with every file on disk as the last generate left it: `files` is
    # empty (nothing was read), there is nothing to compare and nothing to write.
    untouched: bool = False
    # The hash of the spec's bytes this output was produced from (None: read it at write time).
    spec_sha256: str | None = None


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
    With `cache_in` (the output directory), a generate whose inputs did not change since the last
    one is recalled from its memo, and files formatted before are taken from its format cache (see
    cache.py); the output is the same with or without them.
    """
    with paused_gc():
        return _produce(
            spec_path, against=against, allow_breaking=allow_breaking, cache_in=cache_in
        )


def _produce(
    spec_path: Path,
    *,
    against: str | None,
    allow_breaking: bool,
    cache_in: Path | None,
) -> Output:
    path = lock_path(spec_path)
    raw = _bytes(spec_path)
    store = GenerateMemo(cache_in) if cache_in is not None and against is None else None
    if store is not None and raw is not None:
        recalled = store.recall(_memo_key(spec_path, raw, _bytes(path), allow_breaking))
        if recalled is not None:
            lock_text = path.read_text(encoding="utf-8")  # the key says it is the lock produced
            owners = {name: Owner(owner) for name, owner in recalled.owners.items()}
            return Output(
                None,
                recalled.files,
                owners,
                recalled.signatures,
                recalled.diagnostics,
                path,
                lock_text,
                lock_text,
                untouched=recalled.untouched,
                spec_sha256=hashlib.sha256(raw).hexdigest(),
            )
    # Imported here, not at the top: a generate recalled from its memo needs none of them, and
    # Jinja2, jsonschema and the model take a good part of the time such a generate takes.
    from generator.build.analysis_cache import AnalysisCache
    from generator.build.format import format_sources
    from generator.build.load_cache import LoadCache
    from generator.build.plan import plan
    from generator.build.render import render_all
    from generator.spec.load import load_bytes, load_file, spec_text
    from generator.spec.pieces import load_in_pieces
    from generator.spec.validate import validate_loaded

    pieces = LoadCache.open(cache_in, _tool_key()) if cache_in is not None else None
    if raw is None:
        loaded = load_file(spec_path)  # reports why it cannot be read
    elif pieces is None:
        loaded = load_bytes(raw, str(spec_path))  # `check` and --dry-run: no cache, whole
    else:
        loaded, parsed = load_in_pieces(
            spec_text(raw, str(spec_path)), str(spec_path), pieces.known
        )
    units = AnalysisCache.open(cache_in, _tool_key()) if cache_in is not None else None
    spec, diagnostics = validate_loaded(loaded, units.memo if units is not None else None)
    if spec is None or has_errors(diagnostics):
        raise SpecError(diagnostics)
    if pieces is not None:
        pieces.remember(parsed)  # valid: the load cache keeps only pieces of valid specs
    checked = diagnostics
    on_disk = read_lock(path)
    baseline: Lock | None = read_lock_at(spec_path, against) if against else on_disk
    if baseline is not None:
        breaking = judged(breaking_changes(loaded, spec, baseline), allow_breaking=allow_breaking)
        diagnostics = diagnostics + breaking
        if has_errors(breaking):
            raise SpecError(diagnostics)
    lock = build_lock(spec, on_disk)
    planned = plan(spec, lock)
    renders = RenderCache.open(cache_in, _tool_key()) if cache_in is not None else None
    rendered = render_all(spec, planned, lock, renders)
    cache = None
    if cache_in is not None:
        # What the last generate left on disk untouched, known by fingerprint (produced.py).
        settled = store.on_disk() if store is not None else None
        cache = FormatCache.open(cache_in, format_key(), on_disk=settled)
    formatted = format_sources(rendered, spec.package, cache)
    text = render_lock(lock)
    current = path.read_text(encoding="utf-8") if on_disk is not None else None
    owners = {p.path: p.owner for p in planned}
    signatures = {p.path: p.signature for p in planned if p.signature}
    memo = None
    if store is not None and raw is not None:
        # Next time the lock on disk is the one produced now; so are the breaking changes.
        following = diagnostics if current == text else _against(loaded, spec, lock, allow_breaking)
        if following is not None:
            key = _memo_key(spec_path, raw, text.encode("utf-8"), allow_breaking)
            memo = Memo(store, key, checked + following if current != text else following)
    return Output(
        spec,
        formatted,
        owners,
        signatures,
        diagnostics,
        path,
        text,
        current,
        cache,
        memo,
        renders,
        load_cache=pieces,
        analysis_cache=units,
        spec_sha256=hashlib.sha256(raw).hexdigest() if raw is not None else None,
    )


def _against(
    loaded: LoadedSpec, spec: Spec, lock: Lock, allow_breaking: bool
) -> list[Diagnostic] | None:
    """The breaking changes a generate would report against `lock`; None if they are errors."""
    breaking = judged(breaking_changes(loaded, spec, lock), allow_breaking=allow_breaking)
    return None if has_errors(breaking) else breaking


def _bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def reusable(out: Path) -> tuple[Mapping[str, Piece], UnitMemo | None]:
    """What the last generate into `out` left that an edit's validation can reuse: the spec's
    parsed pieces and its analysis units, read from the signed caches (empty without them). An
    edit changes an entry or two, so the rest is neither parsed nor analysed again. Read only:
    the next generate keeps what it uses."""
    from generator.build.analysis_cache import AnalysisCache
    from generator.build.load_cache import LoadCache

    tool = _tool_key()
    return LoadCache.open(out, tool).known, AnalysisCache.open(out, tool).memo


_TOOL: list[str] = []


def _tool_key() -> str:
    """eventforge itself as an input of a generate: its code, templates and schema, and the
    versions of Python and of the libraries whose output it keeps (computed once a process)."""
    if not _TOOL:
        sources = [(_PACKAGE, path) for path in sorted(_PACKAGE.rglob("*.py"))]
        sources += [(templates_dir(), path) for path in sorted(templates_dir().rglob("*"))]
        sources.append((schema_path().parent, schema_path()))
        versions = library_versions()

        def compute() -> dict[str, str]:
            parts: list[bytes | str] = [__version__, sys.version, format_key()]
            parts += [versions[name] for name in ("Jinja2", "PyYAML", "jsonschema")]
            for root, source in sources:
                if source.is_file():
                    parts += [source.relative_to(root).as_posix(), source.read_bytes()]
            return {"key": memo_key(*parts)}

        # Remembered between processes by the sources' fingerprints (see toolkey.py).
        named = [
            (f"{root.name}/{path.relative_to(root).as_posix()}", path) for root, path in sources
        ]
        material = [__version__, sys.version, json.dumps(versions, sort_keys=True), format_key()]
        _TOOL.append(remembered("tool", stamp(*material, files=named), compute)["key"])
    return _TOOL[0]


def _memo_key(spec_path: Path, spec: bytes, lock: bytes | None, allow_breaking: bool) -> str:
    """Everything a generate's output depends on, eventforge itself included."""
    parts: list[bytes | str] = ["eventforge generate memo 1", _tool_key()]
    parts += [str(spec_path), spec, "allow" if allow_breaking else "refuse"]
    parts += ["lock", lock] if lock is not None else ["no lock"]
    return memo_key(*parts)


def compare(output: Output, out: Path) -> list[FileState]:
    if output.untouched:
        return [
            FileState(path, owner, Verdict.IDENTICAL if owner is Owner.GENERATED else Verdict.KEEP)
            for path, owner in sorted(output.owners.items())
        ]
    return plan_writes(out, output.files, output.owners, output.signatures, _targets(output, out))


def _targets(output: Output, out: Path) -> SafeTargets | None:
    """The format cache's view of `out`: the files it read (shared with the comparison) and, once
    written, their status as this generate read or wrote them (for the memo)."""
    cache = output.format_cache
    return cache.targets if cache is not None and cache.targets.out == out else None


def write(
    output: Output, out: Path, states: list[FileState], *, spec_path: Path, force: bool
) -> None:
    if output.untouched:
        return
    # The spec generated, not the file as it is now (it may have been saved again since).
    spec_hash = output.spec_sha256 or hashlib.sha256(spec_path.read_bytes()).hexdigest()
    extra = {"generator": f"eventforge {__version__}", "spec_sha256": spec_hash}
    targets = _targets(output, out)
    # Order matters for a generate killed part way: files, then the lock, then the manifest.
    apply_writes(
        out,
        output.files,
        states,
        force=force,
        manifest_extra=extra,
        before_manifest=lambda: _write_lock(output),
        signatures=output.signatures,
        targets=targets,
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
    if output.render_cache is not None and output.render_cache.out == out:
        output.render_cache.save()
    if output.load_cache is not None and output.load_cache.out == out:
        output.load_cache.save()
    if output.analysis_cache is not None and output.analysis_cache.out == out:
        output.analysis_cache.save()
    if output.memo is not None and output.memo.store.out == out:
        output.memo.store.remember(
            output.memo.key,
            output.files,
            output.owners,
            output.signatures,
            output.memo.diagnostics,
            settled=all(_settled(s, force) for s in states),
            seen=targets.seen if targets is not None else None,
        )


def _settled(state: FileState, force: bool) -> bool:
    """Whether a file is, after this write, exactly what was produced (or a user file, with
    nothing to say about it), and listed so in the manifest; or removed, and out of it."""
    if state.verdict is Verdict.CONFLICT:
        return force
    if state.verdict is Verdict.KEEP:
        return not state.reason
    return state.verdict in (Verdict.CREATE, Verdict.UPDATE, Verdict.IDENTICAL, Verdict.REMOVE)


def lock_is_current(output: Output) -> bool:
    return output.lock_on_disk == output.lock_text


def _write_lock(output: Output) -> None:
    if not lock_is_current(output):
        atomic_write(output.lock_path, output.lock_text)

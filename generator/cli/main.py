"""The command line: turns pipeline results into text or JSON and exit codes.

Exit codes: 0 fine, 1 the spec is invalid or check found differences, 2 usage or I/O error.
"""

from __future__ import annotations

import difflib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from generator import __version__
from generator.build.pipeline import Output, compare, lock_is_current, produce, write
from generator.build.stubs import unwritten_handlers
from generator.build.write import MANIFEST, FileState, UnsafePathError, Verdict
from generator.cli.output import JsonGroup
from generator.spec.diagnostics import Diagnostic, Level, SpecError, error
from generator.spec.load import DEFAULT_SPEC
from generator.support.gcpause import one_command
from generator.support.resources import examples_dir

_SPEC = click.argument(
    "spec", required=False, default=DEFAULT_SPEC, type=click.Path(path_type=Path)
)
_FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format; json prints one JSON document on stdout.",
)
_AGAINST = click.option(
    "--against",
    metavar="REV",
    default=None,
    help="Check event changes against the lock file in this git revision.",
)
_OUT = click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output directory (default: the spec's directory).",
)


@click.group(cls=JsonGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="eventforge")
def main() -> None:
    """eventforge: generate a tested, event-sourced Python package from a YAML domain spec.

    \b
    The loop:  edit eventforge.yaml -> eventforge generate -> write the custom
    handlers the stubs ask for -> run the tests -> eventforge check (in CI).
    """


@main.command()
@click.argument(
    "directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path)
)
@click.option(
    "--example", default="bank", show_default=True, help="Which example spec to start from."
)
@_FORMAT
def init(directory: Path, example: str, fmt: str) -> None:
    """Write a starter eventforge.yaml into DIRECTORY (never overwrites one).

    \b
    Example:
      eventforge init shop --example orders
    """
    source = examples_dir() / example / DEFAULT_SPEC
    if not source.is_file():
        names = sorted(p.parent.name for p in examples_dir().glob(f"*/{DEFAULT_SPEC}"))
        _fail_usage(f"there is no example {example!r}; choose one of: {', '.join(names)}", fmt)
    target = directory / DEFAULT_SPEC
    if target.exists():
        _fail_usage(f"{target} exists already; init never overwrites a spec", fmt, code="E902")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        target.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    except OSError as exc:
        _fail_usage(f"cannot write {target}: {exc.strerror or exc}", fmt, code="E100")
    if fmt == "json":
        _emit_json(
            {
                "ok": True,
                "spec": str(target),
                "example": example,
                "next": [f"eventforge generate {target}"],
            }
        )
        return
    click.echo(f"wrote {target} (from the {example} example)")
    click.echo(f"next: eventforge generate {target}")


@main.command()
@_SPEC
@_AGAINST
@click.option(
    "--allow-breaking",
    is_flag=True,
    help="Report event changes that would break stored events as warnings, as generate does.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Fail on warnings too (information completeness W440-W442, past-tense names...).",
)
@_FORMAT
def validate(spec: Path, against: str | None, allow_breaking: bool, strict: bool, fmt: str) -> None:
    """Check SPEC (default ./eventforge.yaml) and report every problem with its location.

    With an eventforge.lock next to the spec (or in git revision --against), also report the
    event changes that would break stored events, as generate does. Warnings say where the model
    is incomplete (a field nothing sets or uses, an event nothing emits); --strict fails on them.

    \b
    Example:
      eventforge validate --format json   # a list of {code, message, hint, path, line, column}
    """
    # Not at the top: see pipeline.produce.
    from generator.evolution.lock import lock_problems
    from generator.spec.validate import validate_path

    loaded, model, diagnostics = validate_path(spec)
    if loaded is not None:
        diagnostics += lock_problems(
            spec, loaded, model, against=against, allow_breaking=allow_breaking
        )
    errors = [d for d in diagnostics if d.level is Level.ERROR or strict]
    if fmt == "json":
        _emit_json([d.as_json() for d in diagnostics])
    else:
        _print_diagnostics(diagnostics)
        if not errors:
            click.echo(f"{spec}: valid", err=True)
        elif strict and all(d.level is not Level.ERROR for d in errors):
            click.echo(f"{spec}: valid, but --strict fails on its warnings", err=True)
    sys.exit(_exit_code(diagnostics) if errors else 0)


@main.command()
@_SPEC
@_OUT
@click.option("--force", is_flag=True, help="Overwrite generated files that were edited by hand.")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--diff", "show_diff", is_flag=True, help="Print unified diffs of what would change.")
@_AGAINST
@click.option(
    "--allow-breaking",
    is_flag=True,
    help="Generate even when stored events would break (reported as warnings).",
)
@click.option(
    "--watch",
    is_flag=True,
    help="Stay running and generate again each time the spec changes (Ctrl-C stops).",
)
@_FORMAT
def generate(
    spec: Path,
    out: Path | None,
    force: bool,
    dry_run: bool,
    show_diff: bool,
    against: str | None,
    allow_breaking: bool,
    watch: bool,
    fmt: str,
) -> None:
    """Generate the package for SPEC into --out (default: the spec's directory).

    Also updates eventforge.lock next to the spec (commit it): the schema of every event, against
    which later edits are checked for changes that would break stored events.

    \b
    Example:
      eventforge generate --dry-run --diff   # see what would change first
      eventforge generate --watch            # again after every save of the spec
    """
    options = (spec, out, force, dry_run, show_diff, against, allow_breaking, fmt)
    if watch:
        from generator.cli.watch import watch as watching

        # It generates first: the spec it watches for changes is the one read before that.
        watching(spec, lambda: _status(lambda: _generate(*options)))
        sys.exit(0)
    sys.exit(_status(lambda: _generate(*options)))


def _status(run: Callable[[], int]) -> int:
    """The exit status of one generate, whether it returns it or exits with it."""
    try:
        return run()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1


def _generate(
    spec: Path,
    out: Path | None,
    force: bool,
    dry_run: bool,
    show_diff: bool,
    against: str | None,
    allow_breaking: bool,
    fmt: str,
) -> int:
    output, target = _produce(
        spec, out, fmt, against=against, allow_breaking=allow_breaking, cached=True
    )
    states = _compare(output, target, fmt)
    conflicts = [s for s in states if s.verdict is Verdict.CONFLICT]
    refused = bool(conflicts) and not force
    if show_diff:
        _print_diffs(output, target, states)
    if not dry_run and not refused:
        try:
            write(output, target, states, spec_path=spec, force=force)
        except OSError as exc:
            _fail_io(f"cannot write to {target}: {exc.strerror or exc}", fmt)
    if fmt == "json":
        _emit_json(
            {
                "ok": not refused,
                "dry_run": dry_run,
                "out": str(target),
                "files": [_state_json(s) for s in states],
                "warnings": [d.as_json() for d in output.diagnostics],
                "lock": {
                    "path": str(output.lock_path),
                    "updated": not lock_is_current(output) and not dry_run,
                },
            }
        )
    else:
        _print_diagnostics(output.diagnostics)
        _print_states(states, dry_run=dry_run, force=force)
        if not lock_is_current(output) and not refused:
            click.echo(
                f"{'would update' if dry_run else 'updated'} {output.lock_path} (commit it)",
                err=True,
            )
        if refused:
            for state in conflicts:
                click.echo(
                    f"{state.path}: error: {state.reason}; generate refuses to overwrite it. Move your "
                    "change into the spec or a user-owned file, restore the file, or pass --force "
                    "to overwrite it.",
                    err=True,
                )
    return 1 if refused else 0


@main.command()
@_SPEC
@_OUT
@_AGAINST
@_FORMAT
def check(spec: Path, out: Path | None, against: str | None, fmt: str) -> None:
    """Exit 1 unless the files on disk are exactly what SPEC generates (the CI gate).

    Also fails on event changes that would break stored events (against eventforge.lock, or the
    lock in git revision --against) and on a lock file that generate would change.

    \b
    Example:
      eventforge check --against origin/main   # in CI
    """
    output, target = _produce(spec, out, fmt, against=against)
    states = _compare(output, target, fmt)
    problems = [s for s in states if s.verdict not in (Verdict.IDENTICAL, Verdict.KEEP)]
    lock_stale = not lock_is_current(output)
    problems_count = len(problems) + int(lock_stale)
    attention = _attention(output, target, states)
    stubs = [entry for entry in attention if entry["kind"] == "stub"]
    if fmt == "json":
        differences = [_check_json(s) for s in problems]
        if lock_stale:
            differences.append(
                {
                    "path": str(output.lock_path),
                    "owner": "generated",
                    "verdict": "update",
                    "reason": "",
                    "kind": "lock",
                    "message": _LOCK_STALE,
                }
            )
        _emit_json(
            {
                "ok": not differences and not stubs,
                "out": str(target),
                "differences": differences,
                "attention": attention,
            }
        )
    else:
        for state in problems:
            click.echo(f"{state.path}: {_check_text(state)}")
        if lock_stale:
            click.echo(f"{output.lock_path}: {_LOCK_STALE}")
        for entry in attention:
            click.echo(f"{entry['path']}: {entry['reason']}")
        if problems_count:
            click.echo(
                f"check: {problems_count} difference(s); run `eventforge generate {spec}` "
                "(hand edits belong in the spec or in user-owned files)",
                err=True,
            )
        if stubs:
            click.echo(
                f"check: {len(stubs)} hand-written function(s) still the generated stub; "
                "write them (their scenarios fail until then)",
                err=True,
            )
        if not problems_count and not stubs:
            click.echo(f"check: {len(states)} files match {spec}", err=True)
    sys.exit(1 if problems_count or stubs else 0)


_LOCK_STALE = "out of date (the spec's events changed since the last generate)"


def _attention(output: Output, target: Path, states: list[FileState]) -> list[dict[str, str]]:
    """User files to look at: a handler whose expected signature changed, and a handler function
    that is still the stub generate created (which fails check: CI must not pass on it)."""
    kept = [s for s in states if s.verdict is Verdict.KEEP]
    found = [{**_state_json(s), "kind": "signature", "function": ""} for s in kept if s.reason]
    handlers = [s.path for s in kept if s.path in output.signatures]
    for handler in unwritten_handlers(target, handlers):
        for function in handler.functions:
            reason = (
                f"{function}() is still the generated stub (it raises NotImplementedError); "
                "write it"
            )
            found.append(
                {
                    "path": handler.path,
                    "owner": "user",
                    "verdict": str(Verdict.KEEP),
                    "reason": reason,
                    "kind": "stub",
                    "function": function,
                }
            )
    return found


# -- helpers -----------------------------------------------------------------------------------


def _produce(
    spec: Path,
    out: Path | None,
    fmt: str,
    *,
    against: str | None = None,
    allow_breaking: bool = False,
    cached: bool = False,
) -> tuple[Output, Path]:
    # Only generate uses the format cache in the output directory; check never trusts it.
    target = out if out is not None else (spec.parent if str(spec.parent) else Path("."))
    try:
        output = produce(
            spec,
            against=against,
            allow_breaking=allow_breaking,
            cache_in=target if cached else None,
        )
    except SpecError as exc:
        if fmt == "json":
            _emit_json({"ok": False, "errors": [d.as_json() for d in exc.diagnostics]})
        else:
            _print_diagnostics(exc.diagnostics)
        sys.exit(_exit_code(exc.diagnostics))
    return output, target


def _compare(output: Output, target: Path, fmt: str) -> list[FileState]:
    try:
        return compare(output, target)
    except UnsafePathError as exc:
        _fail_io(str(exc), fmt)
    except OSError as exc:
        _fail_io(f"cannot read {target}: {exc.strerror or exc}", fmt)
    raise AssertionError("unreachable")


def _exit_code(diagnostics: list[Diagnostic]) -> int:
    return 2 if any(d.code == "E100" for d in diagnostics) else 1


def _print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        click.echo(diagnostic.as_text(), err=True)


def _emit_json(document: Any) -> None:
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


def _fail_usage(message: str, fmt: str = "text", *, code: str = "E900") -> None:
    if fmt == "json":
        _emit_json({"ok": False, "errors": [error(code, message).as_json()]})
    else:
        click.echo(f"error: {message}", err=True)
    sys.exit(2)


def _fail_io(message: str, fmt: str) -> None:
    if fmt == "json":
        code = "E701" if "outside" in message or "link" in message else "E100"
        _emit_json({"ok": False, "errors": [error(code, message).as_json()]})
    else:
        click.echo(f"error: {message}", err=True)
    sys.exit(2)


_LABEL = {
    Verdict.CREATE: "create",
    Verdict.UPDATE: "update",
    Verdict.IDENTICAL: "unchanged",
    Verdict.CONFLICT: "conflict",
    Verdict.KEEP: "keep",
    Verdict.ORPHAN: "orphan",
    Verdict.REMOVE: "remove",
}


def _print_states(states: list[FileState], *, dry_run: bool, force: bool) -> None:
    counts: dict[str, int] = {}
    for state in states:
        label = _LABEL[state.verdict]
        if state.verdict is Verdict.CONFLICT and force:
            label = "overwrite"
        counts[label] = counts.get(label, 0) + 1
        if state.verdict is not Verdict.IDENTICAL:
            reason = f"  ({state.reason})" if state.reason else ""
            click.echo(f"{label:>9}  {state.path}{reason}")
    summary = ", ".join(f"{n} {label}" for label, n in sorted(counts.items()))
    click.echo(f"{'would: ' if dry_run else ''}{summary}", err=True)


def _print_diffs(output: Output, target: Path, states: list[FileState]) -> None:
    for state in states:
        if state.verdict not in (Verdict.CREATE, Verdict.UPDATE, Verdict.CONFLICT, Verdict.REMOVE):
            continue
        path = target / state.path
        before = path.read_text(encoding="utf-8") if path.exists() else ""
        after = output.files.get(state.path, "")
        diff = difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"a/{state.path}",
            tofile=f"b/{state.path}",
        )
        click.echo("".join(diff), nl=False)


def _state_json(state: FileState) -> dict[str, str]:
    return {
        "path": state.path,
        "owner": str(state.owner),
        "verdict": str(state.verdict),
        "reason": state.reason,
    }


def _check_text(state: FileState) -> str:
    return {
        Verdict.CREATE: "missing (the spec produces it)",
        Verdict.UPDATE: "out of date (differs from what the spec produces)",
        Verdict.CONFLICT: f"edited by hand ({state.reason})",
        Verdict.ORPHAN: f"orphan ({state.reason})",
        Verdict.REMOVE: "stale (the spec no longer produces it)",
    }[state.verdict]


def _check_json(state: FileState) -> dict[str, str]:
    kind = {
        Verdict.CREATE: "missing",
        Verdict.UPDATE: "outdated",
        Verdict.CONFLICT: "edited",
        Verdict.ORPHAN: "orphan",
        Verdict.REMOVE: "stale",
    }[state.verdict]
    return {**_state_json(state), "kind": kind, "message": _check_text(state)}


def run() -> None:
    """The `eventforge` command: one command, then the process ends (see gcpause.py)."""
    one_command()
    main()


main.lazy = {
    "add": "generator.cli.add:add",
    "remove": "generator.cli.edit:remove",
    "rename": "generator.cli.edit:rename",
    "context": "generator.cli.agent:context",
    "slices": "generator.cli.agent:slices",
    "prompt": "generator.cli.agent:prompt",
    "mcp": "generator.cli.agent:mcp",
    "mutants": "generator.cli.mutants:mutants",
    "model": "generator.cli.model:model",
    "import": "generator.cli.interchange:import_board",
    "export": "generator.cli.interchange:export",
}

__all__ = ["MANIFEST", "main", "run"]

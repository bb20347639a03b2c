"""`eventforge mutants`: which rules of the spec no scenario pins (spec-level mutation analysis).

Exit codes: 0 every mutant was killed, 1 some survived (or the spec is invalid), 2 usage or I/O.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from generator.cli.output import FORMAT, emit_json, fail
from generator.mutants.locate import slice_names
from generator.mutants.report import analyze
from generator.spec.diagnostics import Level, SpecError, error, listing
from generator.spec.load import DEFAULT_SPEC, load_file
from generator.spec.validate import validate_loaded


@click.command()
@click.argument("spec", required=False, default=DEFAULT_SPEC, type=click.Path(path_type=Path))
@click.option(
    "--slice",
    "name",
    default=None,
    metavar="NAME",
    help="Only the rules of one command, read model, automation or aggregate.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the generated package is, for its hand-written handlers (default: the spec's "
    "directory).",
)
@FORMAT
def mutants(spec: Path, name: str | None, out: Path | None, fmt: str) -> None:
    """Change each rule of SPEC one way at a time (a comparison's boundary, a dropped rule or
    event, swapped arithmetic, a wrong field sent...), run the spec's scenarios against each
    change in memory, and list every change no scenario notices, with where the rule is written
    and the scenario that would notice it. Exit 1 when any survives.

    \b
    Examples:
      eventforge mutants                          # after adding a rule: what to pin next
      eventforge mutants --slice WithdrawMoney --format json
    """
    try:
        loaded = load_file(spec)
    except SpecError as exc:
        fail(exc.diagnostics, fmt)
    model, diagnostics = validate_loaded(loaded)
    if model is None:
        fail([d for d in diagnostics if d.level is Level.ERROR], fmt)
    known = slice_names(model)
    if name is not None and name not in known:
        message = f"the spec has no slice {name!r}"
        fail([error("E901", message, file=str(spec), hint=f"slices: {listing(known, name)}")], fmt)
    project = out if out is not None else (spec.parent if str(spec.parent) else Path("."))
    try:
        report = analyze(model, loaded, project=project, slice=name)
    except OSError as exc:
        fail([error("E100", f"cannot run the scenarios: {exc.strerror or exc}")], fmt)
    if fmt == "json":
        emit_json(report.as_json())
    else:
        for survivor in report.survivors:
            click.echo(survivor.as_text(report.file))
        for note in report.notes:
            click.echo(f"note: {note}", err=True)
        click.echo(report.summary(), err=True)
    sys.exit(0 if report.ok else 1)

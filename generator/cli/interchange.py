"""`eventforge import FILE` and `eventforge export --eventmodelers FILE`: the event-modeling
exchange format (an Eventmodelers / Nebulit board's slice export)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from generator.cli.output import FORMAT, as_text, emit_json, fail
from generator.interchange.eventmodelers import BoardError, read_board
from generator.interchange.merge import merge
from generator.interchange.naming import strip_prefix
from generator.interchange.to_spec import board_to_spec
from generator.interchange.yamltext import board_ids, dump
from generator.spec.diagnostics import Diagnostic, Level, SpecError, error, has_errors
from generator.spec.load import DEFAULT_SPEC, load_text
from generator.spec.validate import validate_loaded, validate_path

BOARD_HINT = (
    "give a board export: a config.json with a 'slices' list, a slice.json, or a folder of "
    "slice.json files (an Eventmodelers .slices/<context> folder)"
)
HEADER = "# Imported from an event-modeling board by `eventforge import`: `# board:` comments keep\n# the board's ids, so that importing the board again updates this spec."


@click.command("import", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("board", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--spec",
    "spec",
    default=DEFAULT_SPEC,
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The spec to write; one that exists is updated (its additions are kept).",
)
@click.option(
    "--domain",
    default=None,
    help="The domain's title (default: the spec's, else the board's context).",
)
@click.option("--dry-run", is_flag=True, help="Print the spec instead of writing it.")
@FORMAT
def import_board(board: Path, spec: Path, domain: str | None, dry_run: bool, fmt: str) -> None:
    """Import an Eventmodelers board: a config.json, a slice.json, or a folder of slice.json files.

    Commands with their events (per aggregate), read models, automations and the board's
    specifications as scenarios. What the board does not say (rules, how an event changes a row,
    what an automation sends) becomes a custom handler with a TODO comment; `eventforge check`
    lists them until written. Element ids stay in the spec as `# board:` comments, so importing
    the board again updates the spec and keeps what was added by hand. What could not be used is
    reported, with the element's title.

    Example: eventforge import .slices/Shop --spec shop/eventforge.yaml && eventforge generate shop/eventforge.yaml
    """
    try:
        parsed = read_board(board)
    except BoardError as problem:
        fail([error("E100", str(problem), file=str(board), hint=BOARD_HINT)], fmt)
    try:
        old_text = spec.read_text(encoding="utf-8") if spec.is_file() else ""
        old = load_text(old_text, str(spec)).data if old_text else {}
    except SpecError as problem:  # the spec to update must be readable (it is left as it is)
        fail(problem.diagnostics, fmt)
    except (OSError, UnicodeDecodeError) as problem:
        fail([error("E100", f"cannot read {spec}: {problem}", file=str(spec))], fmt)
    known = board_ids(old_text)
    title = domain or str(old.get("domain") or "") or _context(parsed) or board.stem
    imported = board_to_spec(parsed, title, known)
    document = merge(old, imported.document, known) if old else imported.document
    text = dump(document, HEADER)
    _, diagnostics = validate_loaded(load_text(text, str(spec)))
    ok = not has_errors(diagnostics)
    written = ok and not dry_run
    if written:
        spec.parent.mkdir(parents=True, exist_ok=True)
        spec.write_text(text, encoding="utf-8")
    if fmt == "json":
        emit_json(
            {
                "ok": ok,
                "spec": str(spec),
                "written": written,
                "dry_run": dry_run,
                "updated": bool(old_text),
                "notes": imported.notes,
                "diagnostics": [d.as_json() for d in diagnostics],
                "text": text if dry_run else None,
            }
        )
    else:
        for note in imported.notes:
            click.echo(f"{board}: warning[import]: {note}", err=True)
        for diagnostic in diagnostics:
            click.echo(as_text(diagnostic), err=True)
        if dry_run:
            click.echo(text, nl=False)
        elif written:
            verb = "updated" if old_text else "wrote"
            click.echo(
                f"{verb} {spec} ({len(imported.notes)} notes); next: eventforge generate {spec}"
            )
        else:
            click.echo(f"{spec}: not written, the imported spec is invalid (see above)", err=True)
    sys.exit(0 if ok else 1)


def _context(board: Any) -> str:
    for slice_ in board.slices:
        if slice_.context:
            return strip_prefix(slice_.context)
    return ""


@click.command("export", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("spec", default=DEFAULT_SPEC, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--eventmodelers",
    "target",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The board file to write (a config.json with every slice).",
)
@FORMAT
def export(spec: Path, target: Path, fmt: str) -> None:
    """Write the spec as an Eventmodelers board (eventmodeling.schema.json): one slice per
    command, read model and automation, with the scenarios as specifications.

    Rules, expressions and state checks stay in the spec: a board cannot hold them. Ids are
    the `# board:` ids the spec keeps from an import, so the board's elements stay the same.

    Example: eventforge export eventforge.yaml --eventmodelers config.json
    """
    from generator.interchange.from_spec import spec_to_board

    loaded, _, diagnostics = validate_path(spec)
    if loaded is None or has_errors(diagnostics):
        fail([d for d in diagnostics if d.level is Level.ERROR] or _missing(spec), fmt)
    board = spec_to_board(loaded.data, board_ids(loaded.text))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(board, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as problem:
        fail([error("E100", f"cannot write {target}: {problem}", file=str(target))], fmt)
    counts = {
        kind: sum(len(s[kind]) for s in board["slices"])
        for kind in ("commands", "events", "readmodels", "processors", "specifications")
    }
    if fmt == "json":
        emit_json(
            {
                "ok": True,
                "spec": str(spec),
                "board": str(target),
                "slices": len(board["slices"]),
                **counts,
            }
        )
    else:
        click.echo(
            f"wrote {target}: {len(board['slices'])} slices, {counts['specifications']} specifications"
        )


def _missing(spec: Path) -> list[Diagnostic]:
    return [error("E100", f"cannot read {spec}", file=str(spec))]

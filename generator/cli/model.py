"""`eventforge model`: the event model as a picture (an HTML page) or a Mermaid diagram."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from generator.cli.agent import _SPEC, _valid
from generator.cli.output import FORMAT, emit_json, fail
from generator.drawing.html import render_board
from generator.drawing.layout import layout
from generator.drawing.mermaid import TooManyFrames, render_mermaid
from generator.spec.diagnostics import error

_FILE = click.Path(dir_okay=False, path_type=Path)


@click.command(short_help="Draw the event model: an HTML board or a Mermaid diagram.")
@_SPEC
@click.option(
    "--html",
    "html_file",
    type=_FILE,
    default=None,
    metavar="FILE",
    help="Write the board as one self-contained HTML page to FILE ('-': stdout).",
)
@click.option(
    "--mermaid",
    "with_mermaid",
    is_flag=True,
    help="Print the model as a Mermaid `eventmodeling` diagram (to --out FILE if given).",
)
@click.option(
    "--out",
    "out_file",
    type=_FILE,
    default=None,
    metavar="FILE",
    help="With --mermaid: write the diagram to FILE instead of stdout.",
)
@FORMAT
def model(
    spec: Path, html_file: Path | None, with_mermaid: bool, out_file: Path | None, fmt: str
) -> None:
    """Draw the event model: slices on a timeline left to right, events in a swimlane per
    aggregate, commands and read models above them, automations on top, arrows for what emits,
    feeds and sends, and under each slice its scenarios as given / when / then.

    --html FILE writes one HTML page that needs nothing else (no network; hover or click a box
    to see its fields). --mermaid prints a Mermaid `eventmodeling` diagram for Markdown.

    \b
    Examples:
      eventforge model --html model.html          # open it in a browser
      eventforge model --mermaid --out model.mmd  # paste into a ```mermaid block
      eventforge model shop/eventforge.yaml --mermaid
    """
    if html_file is None and not with_mermaid:
        hint = "add --html FILE for the page, or --mermaid for the diagram"
        fail([error("E900", "say what to draw: --html FILE or --mermaid", hint=hint)], fmt)
    if out_file is not None and not with_mermaid:
        hint = "--out names the Mermaid file; the page's file is the value of --html"
        fail([error("E900", "--out goes with --mermaid", hint=hint)], fmt)
    validated, _ = _valid(spec, fmt)
    board = layout(validated)
    written: dict[str, str] = {}
    diagram = ""
    if with_mermaid:
        try:
            diagram = render_mermaid(board, validated)
        except TooManyFrames as exc:
            hint = "draw it with --html, which has no such limit"
            fail([error("E900", str(exc), file=str(spec), hint=hint)], fmt)
    if html_file is not None:
        written["html"] = _write(html_file, render_board(board), fmt)
    if with_mermaid and out_file is not None:
        written["mermaid"] = _write(out_file, diagram, fmt)
    elif with_mermaid and fmt == "text":
        click.echo(diagram, nl=False)
    if fmt == "json":
        document: dict[str, object] = {
            "ok": True,
            "spec": str(spec),
            **written,
            "slices": [{"kind": c.kind, "name": c.name} for c in board.columns],
        }
        if with_mermaid and out_file is None:
            document["mermaid_text"] = diagram
        emit_json(document)
    sys.exit(0)


def _write(path: Path, text: str, fmt: str) -> str:
    """Write `text` to `path` ("-": stdout); the path as reported."""
    if str(path) == "-":
        if fmt == "json":
            fail([error("E900", "'-' (stdout) cannot be used with --format json")], fmt)
        click.echo(text, nl=False)
        return "-"
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        hint = "choose a file in a directory that exists and can be written"
        fail([error("E100", f"cannot write {path}: {exc.strerror or exc}", hint=hint)], fmt)
    if fmt == "text":
        click.echo(f"wrote {path}", err=True)
    return str(path)

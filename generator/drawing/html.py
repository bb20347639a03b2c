"""The board as one self-contained HTML page: inline CSS, inline SVG, a few lines of JavaScript.

Every text from the spec goes through Jinja2's autoescaping; the page loads nothing from
anywhere, and the same spec gives the same bytes.
"""

from __future__ import annotations

import jinja2

from generator.drawing.layout import layout
from generator.drawing.shapes import BOX_H, BOX_W, Board
from generator.spec import model as m
from generator.support.resources import templates_dir

TEMPLATE = "drawing/model.html.jinja"

LEGEND = (
    ("command", "command"),
    ("event", "event"),
    ("read_model", "read model"),
    ("automation", "automation"),
    ("external", "external event"),
)


def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_board(board: Board) -> str:
    kinds = {b.kind for b in board.boxes}
    legend = [(kind, label) for kind, label in LEGEND if kind in kinds]
    return (
        environment()
        .get_template(TEMPLATE)
        .render(board=board, box_w=BOX_W, box_h=BOX_H, legend=legend)
    )


def html(spec: m.Spec) -> str:
    """The page of a validated spec."""
    return render_board(layout(spec))

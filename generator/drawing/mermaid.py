"""The board as a Mermaid `eventmodeling` diagram, for Markdown.

The syntax is Mermaid's own (packages/mermaid/src/docs/syntax/eventmodeling.md and the grammar
packages/parser/src/language/eventmodeling/event-modeling.langium): one time frame per line,
`tf NN TYPE Name` in timeline order, `rf` (a reset frame) where no arrow leads in, `->> NN` for
each frame an arrow comes from (given explicitly everywhere, so Mermaid infers none), events as
`Aggregate.Event` so each aggregate gets its swimlane, fields as inline data `{ name: type }`.

A spec of one aggregate writes its events without the namespace: they share Mermaid's "Events"
lane. (Mermaid 12.3's renderer opens a new lane for every namespaced frame, because it never
records a lane's namespace; one aggregate's diagram then stays one lane of events.)

Mermaid's frames are numbered with at most three digits, so a diagram holds 999 frames at most;
scenarios are not drawn (the documented syntax has no form for them).
"""

from __future__ import annotations

from generator.drawing.layout import layout
from generator.drawing.shapes import Board, Box
from generator.spec import model as m

MAX_FRAMES = 999

_TYPE = {
    "command": "cmd",
    "event": "evt",
    "external": "evt",
    "read_model": "rmo",
    "automation": "pcr",
}


class TooManyFrames(ValueError):
    """The model needs more time frames than Mermaid can number."""


def mermaid(spec: m.Spec) -> str:
    return render_mermaid(layout(spec), spec)


def render_mermaid(board: Board, spec: m.Spec) -> str:
    order = sorted(board.boxes, key=_timeline_key)
    if len(order) > MAX_FRAMES:
        raise TooManyFrames(
            f"the model has {len(order)} elements; Mermaid's eventmodeling diagram numbers "
            f"at most {MAX_FRAMES} time frames"
        )
    digits = max(2, len(str(len(order))))
    number: dict[str, str] = {}
    frames: list[str] = []
    sources = _sources(board)
    namespaced = len(spec.aggregates) > 1
    for box in order:
        frame = str(len(number) + 1).zfill(digits)
        earlier = [number[s] for s in sources.get(box.id, ()) if s in number]
        keyword = "tf" if earlier else "rf"
        links = "".join(f" ->> {n}" for n in dict.fromkeys(earlier))
        frames.append(
            f"{keyword} {frame} {_TYPE[box.kind]} {_identifier(box, namespaced)}{links}{_data(box)}"
        )
        number[box.id] = frame
    title = " ".join(spec.domain.split())  # one line, whatever the spec's title holds
    header = [f"%% {title}: the event model, written by `eventforge model --mermaid`"]
    return "\n".join(["eventmodeling", *header, "", *frames]) + "\n"


def _timeline_key(box: Box) -> tuple[int, int, int]:
    """Column by column; in a column the automation, then the command, then its events."""
    rank = {"automation": 0, "command": 1, "read_model": 1, "event": 2, "external": 2}
    return (box.column, rank[box.kind], box.x)


def _sources(board: Board) -> dict[str, list[str]]:
    """For each box, the boxes its incoming arrows come from, in the arrows' order."""
    found: dict[str, list[str]] = {}
    for arrow in board.arrows:
        found.setdefault(arrow.target, []).append(arrow.source)
    return found


def _identifier(box: Box, namespaced: bool) -> str:
    """Events carry their swimlane as a namespace: the aggregate, or External."""
    if box.kind == "event" and namespaced:
        return f"{box.lane}.{box.name}"
    if box.kind == "external":
        return f"External.{box.name}"
    return box.name


def _data(box: Box) -> str:
    if not box.fields:
        return ""
    fields = ", ".join(f"{f.label}: {f.text}" for f in box.fields)
    return f" {{ {fields} }}"

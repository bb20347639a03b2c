"""The validated model laid out as an event-modeling board: plain frozen data, positions in pixels.

Columns are slices on a timeline, left to right. Lanes run top to bottom: automations, then
commands and read models, then one lane of events per aggregate (in spec order), then external
events. A command's column holds the automations that send it (the first command each sends),
the command, and the events it may emit, each in its aggregate's lane; boxes of one column that
share a lane sit side by side, so no two boxes ever overlap.

The timeline order, derived from the spec because it does not state one:
  1. commands in declaration order, aggregate by aggregate, except that a command comes after
     the commands that must happen first: its aggregate's creating commands (`creates: true` or
     `if-missing`), and the commands whose events (or rejection) trigger an automation that
     sends it. Among the commands free to go next, the one declared first goes; a cycle is broken
     the same way.
  2. external events (nothing in the spec emits them) at the very start, in spec order;
  3. each read model right after the last column that shows an event it handles (at the end
     when none does), several at one place in spec order;
  4. events no command emits, each in a column of its own at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.drawing.content import command_cards, details, view_cards
from generator.drawing.shapes import (
    AUTOMATIONS,
    BOX_H,
    BOX_W,
    COLUMN_PAD,
    COMMANDS,
    EXTERNAL,
    GAP,
    LANE_PAD,
    LEFT,
    TOP,
    Arrow,
    Board,
    Box,
    Card,
    Column,
    Lane,
)
from generator.spec import model as m

# -- the order -------------------------------------------------------------------------------


def command_order(spec: m.Spec) -> list[tuple[m.Aggregate, m.Command]]:
    """Commands in timeline order (rule 1 of the module's docstring)."""
    declared = [(a, c) for a in spec.aggregates for c in a.commands]
    emitters: dict[str, set[str]] = {}
    for _, command in declared:
        for event in command.emitted:
            emitters.setdefault(event, set()).add(command.name)
    after: dict[str, set[str]] = {c.name: set() for _, c in declared}
    for aggregate in spec.aggregates:
        creators = {c.name for c in aggregate.commands if c.creates or c.if_missing}
        for command in aggregate.commands:
            if command.name not in creators:
                after[command.name] |= creators
    for automation in spec.automations:
        causes = set(automation.rejected)
        for event in automation.events:
            causes |= emitters.get(event, set())
        for sent in automation.commands:
            after[sent] |= causes - {sent}
    placed: list[tuple[m.Aggregate, m.Command]] = []
    done: set[str] = set()
    waiting = list(declared)
    while waiting:
        ready = next((p for p in waiting if after[p[1].name] <= done), waiting[0])
        waiting.remove(ready)
        placed.append(ready)
        done.add(ready[1].name)
    return placed


# -- the layout ------------------------------------------------------------------------------


@dataclass
class _Column:
    kind: str
    name: str
    cells: dict[str, list[tuple[str, str, object]]] = field(default_factory=dict)  # lane -> boxes
    cards: tuple[Card, ...] = ()

    def add(self, lane: str, kind: str, name: str, item: object) -> None:
        self.cells.setdefault(lane, []).append((kind, name, item))

    @property
    def slots(self) -> int:
        return max((len(c) for c in self.cells.values()), default=1)


def layout(spec: m.Spec) -> Board:
    """The board of a validated spec."""
    columns = _columns(spec)
    lane_ids = _lane_ids(spec, columns)
    lanes: list[Lane] = []
    y = TOP
    for lane_id in lane_ids:
        height = BOX_H + 2 * LANE_PAD  # boxes of one column share a lane side by side
        lanes.append(
            Lane(
                id=lane_id, label=_lane_label(lane_id), kind=_lane_kind(lane_id), y=y, height=height
            )
        )
        y += height
    lane_y = {lane.id: lane.y for lane in lanes}
    boxes: list[Box] = []
    placed: list[Column] = []
    x = LEFT
    for index, column in enumerate(columns):
        width = column.slots * (BOX_W + GAP) - GAP + 2 * COLUMN_PAD
        for lane_id, cell in column.cells.items():
            for slot, (kind, name, item) in enumerate(cell):
                boxes.append(
                    _box(
                        kind,
                        name,
                        item,
                        index,
                        lane_id,
                        x + COLUMN_PAD + slot * (BOX_W + GAP),
                        lane_y[lane_id] + LANE_PAD,
                        spec,
                    )
                )
        placed.append(
            Column(
                index=index,
                kind=column.kind,
                name=column.name,
                x=x,
                width=width,
                cards=column.cards,
            )
        )
        x += width
    boxes = _unique_ids(boxes)
    return Board(
        title=spec.domain,
        description=spec.description,
        columns=tuple(placed),
        lanes=tuple(lanes),
        boxes=tuple(boxes),
        arrows=tuple(_arrows(spec, boxes)),
        width=x + COLUMN_PAD,
        height=y + TOP,
    )


def _columns(spec: m.Spec) -> list[_Column]:
    columns: list[_Column] = []
    for event in spec.external_events:
        column = _Column("external", event.name)
        column.add(EXTERNAL, "external", event.name, event)
        columns.append(column)
    sender: dict[str, list[m.Automation]] = {}
    for automation in spec.automations:
        if automation.commands:
            sender.setdefault(automation.commands[0], []).append(automation)
    emitted: set[str] = set()
    for aggregate, command in command_order(spec):
        column = _Column("command", command.name, cards=command_cards(aggregate, command))
        cards = list(column.cards)
        for automation in sender.get(command.name, []):
            column.add(AUTOMATIONS, "automation", automation.name, automation)
            cards += view_cards(automation.scenarios, "then sends", "no command")
        column.cards = tuple(cards)
        column.add(COMMANDS, "command", command.name, command)
        events = {e.name: e for e in aggregate.events}
        for name in command.emitted:
            column.add(aggregate.name, "event", name, events[name])
            emitted.add(name)
        columns.append(column)
    for aggregate in spec.aggregates:
        for event in aggregate.events:
            if event.name not in emitted:
                column = _Column("event", event.name)
                column.add(aggregate.name, "event", event.name, event)
                columns.append(column)
    for read_model in spec.read_models:
        handled = set(read_model.handled_events)
        at = max(
            (
                i + 1
                for i, c in enumerate(columns)
                for cell in c.cells.values()
                for kind, name, _ in cell
                if kind in ("event", "external") and name in handled
            ),
            default=len(columns),
        )
        while at < len(columns) and columns[at].kind == "read_model":
            at += 1  # after the read models already placed here: spec order
        column = _Column(
            "read_model",
            read_model.name,
            cards=view_cards(read_model.scenarios, "then rows", "no rows"),
        )
        column.add(COMMANDS, "read_model", read_model.name, read_model)
        columns.insert(at, column)
    return columns


def _lane_ids(spec: m.Spec, columns: list[_Column]) -> list[str]:
    used = {lane for column in columns for lane in column.cells}
    ids = [AUTOMATIONS] if AUTOMATIONS in used else []
    ids.append(COMMANDS)
    ids += [a.name for a in spec.aggregates]
    if EXTERNAL in used:
        ids.append(EXTERNAL)
    return ids


def _lane_label(lane: str) -> str:
    return {
        AUTOMATIONS: "Automations",
        COMMANDS: "Commands &\nread models",
        EXTERNAL: "External events",
    }.get(lane, lane)


def _lane_kind(lane: str) -> str:
    return lane if lane in (AUTOMATIONS, COMMANDS, EXTERNAL) else "events"


def _unique_ids(boxes: list[Box]) -> list[Box]:
    """An event shown in several columns gets its column in its id after the first."""
    seen: set[str] = set()
    unique: list[Box] = []
    for box in boxes:
        box_id = box.id if box.id not in seen else f"{box.id}-{box.column}"
        seen.add(box_id)
        unique.append(box if box_id == box.id else _renamed(box, box_id))
    return unique


def _renamed(box: Box, box_id: str) -> Box:
    return Box(
        id=box_id,
        kind=box.kind,
        name=box.name,
        column=box.column,
        lane=box.lane,
        x=box.x,
        y=box.y,
        description=box.description,
        fields=box.fields,
        facts=box.facts,
    )


# -- the boxes -------------------------------------------------------------------------------

_PREFIX = {
    "command": "cmd",
    "event": "evt",
    "external": "ext",
    "read_model": "rm",
    "automation": "auto",
}


def _box(
    kind: str, name: str, item: object, column: int, lane: str, x: int, y: int, spec: m.Spec
) -> Box:
    description, fields, facts = details(item, spec)
    return Box(
        id=f"{_PREFIX[kind]}-{name}",
        kind=kind,
        name=name,
        column=column,
        lane=lane,
        x=x,
        y=y,
        description=description,
        fields=fields,
        facts=facts,
    )


# -- the arrows ------------------------------------------------------------------------------


def _arrows(spec: m.Spec, boxes: list[Box]) -> list[Arrow]:
    by_kind: dict[tuple[str, str], list[Box]] = {}
    for box in boxes:
        kind = "event" if box.kind == "external" else box.kind
        by_kind.setdefault((kind, box.name), []).append(box)

    def nearest(kind: str, name: str, column: int) -> Box | None:
        """The copy of an element last shown before `column` (or in it), else its first."""
        found = by_kind.get((kind, name), [])
        before = [b for b in found if b.column <= column]
        return before[-1] if before else (found[0] if found else None)

    command_of = {b.column: b for b in boxes if b.kind == "command"}
    arrows: list[Arrow] = []
    for box in boxes:
        if box.kind == "event" and box.column in command_of:
            arrows.append(_arrow("emits", command_of[box.column], box))
    for box in boxes:
        if box.kind == "read_model":
            read_model = next(r for r in spec.read_models if r.name == box.name)
            for event in dict.fromkeys(read_model.handled_events):
                source = nearest("event", event, box.column)
                if source is not None:
                    arrows.append(_arrow("feeds", source, box))
        elif box.kind == "automation":
            automation = next(a for a in spec.automations if a.name == box.name)
            for listened in automation.listens:
                if listened.rejected:
                    source = nearest("command", listened.rejected, box.column)
                    kind = "rejected"
                else:
                    source = nearest("event", listened.name, box.column)
                    kind = "triggers"
                if source is not None:
                    arrows.append(_arrow(kind, source, box))
            for sent in automation.commands:
                target = nearest("command", sent, box.column)
                if target is not None:
                    arrows.append(_arrow("sends", box, target))
    return arrows


def _arrow(kind: str, source: Box, target: Box) -> Arrow:
    """A curve from the side of `source` that faces `target` to the side of `target` facing back."""
    if source.y == target.y:  # one lane: side to side
        forward = target.x > source.x
        x1 = source.x + (BOX_W if forward else 0)
        x2 = target.x + (0 if forward else BOX_W)
        y1 = y2 = source.y + BOX_H // 2
        bend = (x2 - x1) // 2
        path = f"M{x1} {y1} C{x1 + bend} {y1} {x2 - bend} {y2} {x2} {y2}"
    else:
        down = target.y > source.y
        x1, x2 = source.x + BOX_W // 2, target.x + BOX_W // 2
        y1 = source.y + (BOX_H if down else 0)
        y2 = target.y + (0 if down else BOX_H)
        middle = (y1 + y2) // 2
        path = f"M{x1} {y1} C{x1} {middle} {x2} {middle} {x2} {y2}"
    return Arrow(kind=kind, source=source.id, target=target.id, path=path)

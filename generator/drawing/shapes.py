"""The board's shapes: plain frozen data with positions in pixels, made by layout.py and read
by the HTML template and the Mermaid writer."""

from __future__ import annotations

from dataclasses import dataclass

BOX_W, BOX_H = 172, 60  # a box
GAP = 16  # between boxes side by side in one column
COLUMN_PAD = 22  # a column's margin on each side
LANE_PAD = 18  # above and below the boxes of a lane
LEFT = 148  # the lane labels' margin
TOP = 8

AUTOMATIONS, COMMANDS, EXTERNAL = "automations", "commands", "external"


@dataclass(frozen=True, kw_only=True)
class Detail:
    """One line of an element's details: a label and its text (a field: its name and type)."""

    label: str
    text: str


@dataclass(frozen=True, kw_only=True)
class Box:
    id: str  # unique in the page: kind, name and, for an event shown in several columns, column
    kind: str  # "command", "event", "read_model", "automation", "external"
    name: str
    column: int
    lane: str
    x: int
    y: int
    description: str = ""
    fields: tuple[Detail, ...] = ()
    facts: tuple[Detail, ...] = ()  # rules, emits, key, handled events, sends...

    @property
    def width(self) -> int:
        return BOX_W

    @property
    def height(self) -> int:
        return BOX_H

    @property
    def words(self) -> tuple[str, ...]:
        """The name cut where its words start, so a long name wraps between words."""
        parts: list[str] = []
        for char in self.name:
            if parts and char.isupper() and not parts[-1][-1:].isupper():
                parts.append(char)
            elif parts:
                parts[-1] += char
            else:
                parts.append(char)
        return tuple(parts)


@dataclass(frozen=True, kw_only=True)
class Lane:
    id: str
    label: str
    kind: str  # "automations", "commands", "events", "external"
    y: int
    height: int


@dataclass(frozen=True, kw_only=True)
class Card:
    """A scenario under its slice, as given / when / then."""

    name: str
    description: str
    given: tuple[str, ...]
    when: str  # "" for read-model and automation scenarios
    then: tuple[str, ...]
    then_label: str  # "then", "then error", "then rows", "then sends"


@dataclass(frozen=True, kw_only=True)
class Column:
    index: int
    kind: str  # "command", "read_model", "external", "event"
    name: str
    x: int
    width: int
    cards: tuple[Card, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Arrow:
    kind: str  # "emits", "feeds", "triggers", "sends", "rejected"
    source: str  # box ids
    target: str
    path: str  # SVG path data


@dataclass(frozen=True, kw_only=True)
class Board:
    title: str
    description: str
    columns: tuple[Column, ...]
    lanes: tuple[Lane, ...]
    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]
    width: int
    height: int  # of the lanes; the cards follow below

    def box(self, box_id: str) -> Box:
        return next(b for b in self.boxes if b.id == box_id)

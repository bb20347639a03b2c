"""The Eventmodelers (Nebulit) board export, read into plain frozen dataclasses.

The format is the slice export described by `eventmodeling.schema.json` of the public repository
dilgerma/event-modeling-spec: `{"slices": [Slice]}` in a `config.json`, or one Slice per
`.slices/<context>/<slice>/slice.json`. Real exports carry more than the schema says (extra keys,
statuses like "Planned", a bare list of slices, empty examples, links to elements that are not on
the board); reading is lenient: whatever cannot be used is skipped with a note naming the element.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SLICE_TYPES = ("STATE_CHANGE", "STATE_VIEW", "AUTOMATION")
STEP_TYPES = ("SPEC_EVENT", "SPEC_COMMAND", "SPEC_READMODEL", "SPEC_ERROR")
ELEMENT_LISTS = {
    "commands": "COMMAND",
    "events": "EVENT",
    "readmodels": "READMODEL",
    "processors": "AUTOMATION",
}


@dataclass(frozen=True)
class BoardField:
    name: str
    type: str
    list: bool = False
    optional: bool = False
    id_attribute: bool = False
    example: Any = None
    subfields: tuple[BoardField, ...] = ()


@dataclass(frozen=True)
class Link:
    id: str
    inbound: bool
    title: str
    element_type: str


@dataclass(frozen=True)
class Element:
    id: str
    kind: str  # COMMAND, EVENT, READMODEL, AUTOMATION
    title: str
    fields: tuple[BoardField, ...]
    links: tuple[Link, ...] = ()
    aggregate: str = ""
    description: str = ""
    creates: bool = False
    external: bool = False
    list_element: bool = False
    slice: str = ""
    context: str = ""


@dataclass(frozen=True)
class Step:
    id: str
    type: str  # SPEC_EVENT, SPEC_COMMAND, SPEC_READMODEL, SPEC_ERROR
    title: str
    linked_id: str
    values: dict[str, Any] = field(default_factory=dict)  # field name -> example
    rows: tuple[dict[str, Any], ...] = ()  # a read model's `examples`
    expect_empty: bool = False


@dataclass(frozen=True)
class Specification:
    id: str
    title: str
    given: tuple[Step, ...]
    when: tuple[Step, ...]
    then: tuple[Step, ...]
    linked_id: str = ""
    comments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Slice:
    id: str
    title: str
    type: str
    context: str
    elements: tuple[Element, ...]
    specifications: tuple[Specification, ...]
    aggregates: tuple[str, ...] = ()
    index: int = 0


@dataclass(frozen=True)
class Board:
    slices: tuple[Slice, ...]
    notes: tuple[str, ...] = ()  # what was skipped, with the element's title

    def elements(self) -> dict[str, Element]:
        """Every element by id, once: the copy from the slice it belongs to wins (an event
        shown again in a read model's slice is the same element)."""
        found: dict[str, Element] = {}
        for slice_ in self.slices:
            for element in slice_.elements:
                known = found.get(element.id)
                if known is None or (known.slice != slice_.title and element.slice == slice_.title):
                    found[element.id] = element
        return found


class BoardError(Exception):
    """The file is not a board export at all (not JSON, no slices)."""


def read_board(path: Path) -> Board:
    """A board from a `config.json`, a `slice.json`, or a folder of `slice.json` files."""
    notes: list[str] = []
    if path.is_dir():
        files = sorted(path.rglob("slice.json"))
        if not files:
            config = path / "config.json"
            if config.is_file():
                return read_board(config)
            raise BoardError("no slice.json files (nor a config.json) in this folder")
        raw = [_load(f) for f in files]
        slices = [s for s in raw if isinstance(s, dict)]
        slices.sort(key=lambda s: (_int(s.get("index")), str(s.get("title", ""))))
    else:
        data = _load(path)
        if isinstance(data, list):
            slices = [s for s in data if isinstance(s, dict)]
        elif isinstance(data, dict) and isinstance(data.get("slices"), list):
            slices = [s for s in data["slices"] if isinstance(s, dict)]
        elif isinstance(data, dict) and "sliceType" in data:
            slices = [data]
        else:
            raise BoardError("not a board export (no 'slices' list)")
    return Board(tuple(_slice(s, n, notes) for n, s in enumerate(slices)), tuple(notes))


def _load(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as problem:
        raise BoardError(f"cannot read it as JSON: {problem}") from problem


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _id(value: Any, fallback: str) -> str:
    """An element's id, one word (the spec keeps it in a comment): spaces become `_`."""
    return "_".join((_text(value) or fallback).split())


def _slice(raw: dict[str, Any], position: int, notes: list[str]) -> Slice:
    title = _text(raw.get("title")) or f"slice {position + 1}"
    kind = _text(raw.get("sliceType"))
    if kind and kind not in SLICE_TYPES:
        notes.append(f"slice {title!r}: unknown sliceType {kind!r}, read as its elements say")
    context = _text(raw.get("context"))
    elements: list[Element] = []
    for key, element_kind in ELEMENT_LISTS.items():
        for item in raw.get(key) or ():
            if isinstance(item, dict):
                element = _element(item, element_kind, title, context, notes)
                if element is not None:
                    elements.append(element)
    specs = tuple(
        _specification(s, title, notes)
        for s in raw.get("specifications") or ()
        if isinstance(s, dict)
    )
    aggregates = tuple(a for a in raw.get("aggregates") or () if isinstance(a, str))
    return Slice(
        id=_id(raw.get("id"), title),
        title=title,
        type=kind or _guess_type(elements),
        context=context,
        elements=tuple(elements),
        specifications=specs,
        aggregates=aggregates,
        index=_int(raw.get("index")) or position + 1,
    )


def _guess_type(elements: list[Element]) -> str:
    kinds = {e.kind for e in elements}
    if "AUTOMATION" in kinds:
        return "AUTOMATION"
    return "STATE_CHANGE" if "COMMAND" in kinds else "STATE_VIEW"


def _element(
    raw: dict[str, Any], kind: str, slice_title: str, context: str, notes: list[str]
) -> Element | None:
    title = _text(raw.get("title"))
    if not title:
        notes.append(f"slice {slice_title!r}: a {kind.lower()} without a title was skipped")
        return None
    links = tuple(
        Link(
            id=_id(d.get("id"), ""),
            inbound=d.get("type") == "INBOUND",
            title=_text(d.get("title")),
            element_type=_text(d.get("elementType")),
        )
        for d in raw.get("dependencies") or ()
        if isinstance(d, dict)
    )
    aggregate = _text(raw.get("aggregate"))
    return Element(
        id=_id(raw.get("id"), f"{slice_title}/{title}"),
        kind=kind,
        title=title,
        fields=_fields(raw.get("fields"), title, notes),
        links=links,
        aggregate="" if aggregate.lower() == "default" else aggregate,
        description=_text(raw.get("description")),
        creates=raw.get("createsAggregate") is True,
        external=raw.get("context") == "EXTERNAL",
        list_element=raw.get("listElement") is True,
        slice=_text(raw.get("slice")) or slice_title,
        context=_text(raw.get("modelContext")) or context,
    )


def _fields(raw: Any, owner: str, notes: list[str]) -> tuple[BoardField, ...]:
    out: list[BoardField] = []
    for item in raw or ():
        if not isinstance(item, dict) or not _text(item.get("name")):
            notes.append(f"{owner!r}: a field without a name was skipped")
            continue
        out.append(
            BoardField(
                name=_text(item["name"]),
                type=_text(item.get("type")) or "String",
                list=item.get("cardinality") == "List",
                optional=item.get("optional") is True,
                id_attribute=item.get("idAttribute") is True,
                example=item.get("example"),
                subfields=_fields(item.get("subfields"), owner, notes),
            )
        )
    return tuple(out)


def _specification(raw: dict[str, Any], slice_title: str, notes: list[str]) -> Specification:
    title = _text(raw.get("title")) or f"{slice_title} specification"

    def steps(part: str) -> tuple[Step, ...]:
        out = []
        for item in raw.get(part) or ():
            if not isinstance(item, dict):
                continue
            kind = _text(item.get("type"))
            if kind not in STEP_TYPES:
                kind = {"EVENT": "SPEC_EVENT", "COMMAND": "SPEC_COMMAND"}.get(kind, kind)
            if kind not in STEP_TYPES:
                notes.append(f"specification {title!r}: a {part} step of type {kind!r} skipped")
                continue
            values = {
                _text(f.get("name")): f.get("example")
                for f in item.get("fields") or ()
                if isinstance(f, dict) and _text(f.get("name"))
            }
            rows = tuple(e for e in item.get("examples") or () if isinstance(e, dict))
            out.append(
                Step(
                    id=_id(item.get("id"), ""),
                    type=kind,
                    title=_text(item.get("title")),
                    linked_id=_id(item.get("linkedId"), ""),
                    values=values,
                    rows=rows,
                    expect_empty=item.get("expectEmptyList") is True,
                )
            )
        return tuple(out)

    comments = tuple(
        _text(c.get("description"))
        for c in raw.get("comments") or ()
        if isinstance(c, dict) and _text(c.get("description"))
    )
    return Specification(
        id=_id(raw.get("id"), title),
        title=title,
        given=steps("given"),
        when=steps("when"),
        then=steps("then"),
        linked_id=_text(raw.get("linkedId")),
        comments=comments,
    )

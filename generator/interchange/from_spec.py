"""A spec written back as an Eventmodelers board (`{"slices": [...]}`, eventmodeling.schema.json).

One STATE_CHANGE slice per command (the command, its events, its scenarios), one STATE_VIEW slice
per read model (it and the events it takes), one AUTOMATION slice per automation (it, its events
and the commands it sends); an event no command emits gets a slice of its own. Element ids are
the board ids the spec keeps as comments, else `eventforge:<kind>:<Name>`. What a board cannot
hold (rules, expressions, `apply`, state checks of scenarios) stays in the spec only.
"""

from __future__ import annotations

from typing import Any

from generator.interchange.naming import BOARD_TYPES, field_name, pascal
from generator.spec.names import words

Data = dict[str, Any]


def title(name: str) -> str:
    """DepositMoney -> 'Deposit money' (read back as DepositMoney); a name that does not come
    back from its words (APIKeyIssued) is its own title."""
    text = words(name)
    text = text[:1].upper() + text[1:]
    return text if pascal(text, "") == name else name


def board_field_name(name: str) -> str:
    head, *rest = name.split("_")
    camel = head + "".join(w[:1].upper() + w[1:] for w in rest)
    return camel if field_name(camel) == name else name


def _type_of(value: Any) -> tuple[str, bool]:
    if isinstance(value, dict):
        kind = str(value.get("type", "str"))
        return kind, value.get("optional") is True or kind.endswith("?")
    kind = str(value)
    return kind, kind.endswith("?")


class _Export:
    def __init__(self, data: Data, ids: dict[tuple[str, str], str]) -> None:
        self.data = data
        self.by_name = {(kind, name): board_id for (kind, board_id), name in ids.items()}
        self.types: Data = data.get("types") or {}
        self.slices: list[Data] = []
        self.events: dict[str, Data] = {}  # name -> element (its aggregate known)
        self.commands: dict[str, Data] = {}
        self.event_aggregate: dict[str, str] = {}
        self.readers: dict[str, list[str]] = {}  # event -> read models taking it

    def id(self, kind: str, name: str) -> str:
        return self.by_name.get((kind, name), f"eventforge:{kind}:{name}")

    def fields(self, fields: Data | None, id_field: tuple[str, str] | None = None) -> list[Data]:
        out = []
        if id_field:
            out.append({**self.field(id_field[0], id_field[1]), "idAttribute": True})
        for name, value in (fields or {}).items():
            kind, optional = _type_of(value)
            out.append(self.field(name, kind, optional))
        return out

    def field(self, name: str, kind: str, optional: bool = False) -> Data:
        kind = kind.rstrip("?")
        many = kind.startswith("list[") and kind.endswith("]")
        if many:
            kind = kind[5:-1].rstrip("?")
        out: Data = {"name": board_field_name(name)}
        definition = self.types.get(kind)
        if kind in BOARD_TYPES:
            out["type"] = BOARD_TYPES[kind]
        elif isinstance(definition, dict) and "fields" in definition:
            out["type"] = "Custom"
            out["subfields"] = self.fields(definition["fields"])
        else:  # enums, maps: text on a board
            out["type"] = "String"
        if many:
            out["cardinality"] = "List"
        if optional:
            out["optional"] = True
        return out

    def element(
        self, kind: str, board_kind: str, name: str, fields: list[Data], body: Data, aggregate: str
    ) -> Data:
        out: Data = {
            "id": self.id(kind, name),
            "title": title(name),
            "type": board_kind,
            "fields": fields,
            "dependencies": [],
        }
        if body.get("description"):
            out["description"] = str(body["description"])
        if aggregate:
            out["aggregate"] = aggregate
        return out

    @staticmethod
    def link(element: Data, other: Data, inbound: bool) -> None:
        link = {
            "id": other["id"],
            "type": "INBOUND" if inbound else "OUTBOUND",
            "title": other["title"],
            "elementType": other["type"],
        }
        if link not in element["dependencies"]:
            element["dependencies"].append(link)

    def run(self) -> Data:
        from generator.interchange.from_spec_slices import build

        build(self)
        return {"slices": self.slices}


def spec_to_board(data: Data, ids: dict[tuple[str, str], str] | None = None) -> Data:
    """The spec's plain data (as loaded) and its board ids -> a board document."""
    return _Export(data, ids or {}).run()

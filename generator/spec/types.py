"""Field types of the spec language: parsing `list[T]`, `map[K, V]`, `T?`, names, and their
Python spelling."""

from __future__ import annotations

import re
from dataclasses import dataclass

PRIMITIVES = ("str", "int", "float", "decimal", "bool", "uuid", "date", "datetime", "duration")
# What a map may be keyed by (and an enum): kinds whose values are JSON object keys as text.
MAP_KEYS = ("str", "int", "uuid", "date")

_PY = {
    "str": "str",
    "int": "int",
    "float": "float",
    "decimal": "Decimal",
    "bool": "bool",
    "uuid": "UUID",
    "date": "date",
    "datetime": "datetime",
    "duration": "timedelta",
}


@dataclass(frozen=True)
class TypeRef:
    """A resolved field type. `kind` is a primitive name, 'enum', 'record', 'list' or 'map'.

    A list has its `item` type; a map its `key` type and its values' type as `item`.
    """

    kind: str
    name: str = ""
    item: TypeRef | None = None
    optional: bool = False
    key: TypeRef | None = None

    @property
    def python(self) -> str:
        """How the type is spelled in generated code (lists become immutable tuples)."""
        if self.kind == "list":
            assert self.item is not None
            base = f"tuple[{self.item.python}, ...]"
        elif self.kind == "map":
            assert self.key is not None and self.item is not None
            base = f"Mapping[{self.key.python}, {self.item.python}]"
        elif self.kind in ("enum", "record"):
            base = self.name
        else:
            base = _PY[self.kind]
        return f"{base} | None" if self.optional else base

    @property
    def spec(self) -> str:
        """How the type is spelled in the spec (for messages and the lock file)."""
        if self.kind == "list":
            assert self.item is not None
            base = f"list[{self.item.spec}]"
        elif self.kind == "map":
            assert self.key is not None and self.item is not None
            base = f"map[{self.key.spec}, {self.item.spec}]"
        else:
            base = self.name or self.kind
        return f"{base}?" if self.optional else base

    def required(self) -> TypeRef:
        return TypeRef(self.kind, self.name, self.item, optional=False, key=self.key)


_LIST = re.compile(r"^list\[(.+)\]$")
_MAP = re.compile(r"^map\[(.+)\]$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class TypeSyntaxError(ValueError):
    pass


def parse_type(text: str, enums: set[str], records: set[str]) -> TypeRef:
    """Parse a type string. Raises TypeSyntaxError (bad syntax) or KeyError (unknown name)."""
    text = text.strip()
    optional = text.endswith("?")
    if optional:
        text = text[:-1].rstrip()
    match = _LIST.match(text)
    if match:
        item = parse_type(match.group(1), enums, records)
        return TypeRef("list", item=item, optional=optional)
    match = _MAP.match(text)
    if match:
        inner = _split_pair(match.group(1))
        if inner is None:
            raise TypeSyntaxError(text)
        key = parse_type(inner[0], enums, records)
        if key.optional or (key.kind not in MAP_KEYS and key.kind != "enum"):
            raise TypeSyntaxError(
                f"{text}: a map's key is one of {', '.join(MAP_KEYS)} or an enum, not {key.spec}"
            )
        item = parse_type(inner[1], enums, records)
        return TypeRef("map", key=key, item=item, optional=optional)
    if not _NAME.match(text):
        raise TypeSyntaxError(text)
    if text in PRIMITIVES:
        return TypeRef(text, optional=optional)
    if text in enums:
        return TypeRef("enum", name=text, optional=optional)
    if text in records:
        return TypeRef("record", name=text, optional=optional)
    raise KeyError(text)


def _split_pair(text: str) -> tuple[str, str] | None:
    """`K, V` split at the comma outside brackets (`str, map[int, str]`); None if not two."""
    depth = 0
    for index, char in enumerate(text):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == "," and depth == 0:
            key, value = text[:index].strip(), text[index + 1 :].strip()
            return (key, value) if key and value and "," not in key else None
    return None

"""Field types of the spec language: parsing `list[T]`, `T?`, names, and their Python spelling."""

from __future__ import annotations

import re
from dataclasses import dataclass

PRIMITIVES = ("str", "int", "float", "decimal", "bool", "uuid", "date", "datetime")

_PY = {
    "str": "str",
    "int": "int",
    "float": "float",
    "decimal": "Decimal",
    "bool": "bool",
    "uuid": "UUID",
    "date": "date",
    "datetime": "datetime",
}


@dataclass(frozen=True)
class TypeRef:
    """A resolved field type. `kind` is a primitive name, 'enum', 'record' or 'list'."""

    kind: str
    name: str = ""
    item: TypeRef | None = None
    optional: bool = False

    @property
    def python(self) -> str:
        """How the type is spelled in generated code (lists become immutable tuples)."""
        if self.kind == "list":
            assert self.item is not None
            base = f"tuple[{self.item.python}, ...]"
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
        else:
            base = self.name or self.kind
        return f"{base}?" if self.optional else base

    def required(self) -> TypeRef:
        return TypeRef(self.kind, self.name, self.item, optional=False)


_LIST = re.compile(r"^list\[(.+)\]$")
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
    if not _NAME.match(text):
        raise TypeSyntaxError(text)
    if text in PRIMITIVES:
        return TypeRef(text, optional=optional)
    if text in enums:
        return TypeRef("enum", name=text, optional=optional)
    if text in records:
        return TypeRef("record", name=text, optional=optional)
    raise KeyError(text)

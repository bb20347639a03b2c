"""Board titles to eventforge names, board field types to spec types, and example values.

Names follow eventforge's own rules (generator.spec.names): PascalCase for kinds, snake_case for
fields; a name taken by another kind gets a suffix, deterministically, and the clash is noted.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar
from uuid import UUID

from generator.spec.names import PASCAL, RESERVED_FIELDS, SNAKE, is_keyword, snake

# What a board's field types become (the board's `Custom` is a value object or, with no
# subfields, text).
TYPES = {
    "string": "str",
    "boolean": "bool",
    "int": "int",
    "integer": "int",
    "long": "int",
    "double": "float",
    "decimal": "decimal",
    "date": "date",
    "datetime": "datetime",
    "uuid": "uuid",
}
# ... and back, for the export.
BOARD_TYPES = {
    "str": "String",
    "bool": "Boolean",
    "int": "Int",
    "float": "Double",
    "decimal": "Decimal",
    "date": "Date",
    "datetime": "DateTime",
    "uuid": "UUID",
}
_PREFIX = re.compile(r"^\s*(slice|spec|specification|automation|processor)\s*:\s*", re.IGNORECASE)


def ascii_words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return [w for w in re.split(r"[^A-Za-z0-9]+", folded) if w]


def strip_prefix(title: str) -> str:
    """'slice: Add Item' -> 'Add Item'; 'spec: At most 3 items' -> 'At most 3 items'."""
    return _PREFIX.sub("", title).strip()


def pascal(title: str, fallback: str) -> str:
    """'Customer registered' -> CustomerRegistered; 'cart items' -> CartItems."""
    words = ascii_words(strip_prefix(title))
    name = "".join(w[0].upper() + w[1:] for w in words)
    if name and not name[0].isalpha():
        name = f"{fallback}{name}"
    return name if PASCAL.match(name or "") else fallback


def field_name(title: str) -> str:
    """'aggregateId' -> aggregate_id; 'Order Date' -> order_date; '2nd line' -> f_2nd_line."""
    words = ascii_words(title)
    name = "_".join(snake(w) for w in words) or "field"
    name = re.sub(r"_+", "_", name.lower()).strip("_") or "field"
    if not name[0].isalpha():
        name = f"f_{name}"
    if name in RESERVED_FIELDS:
        name = f"{name}_value"
    return name if SNAKE.match(name) else "field"


class Names:
    """Names are unique across kinds in a spec (E302): the first taker keeps a name, a later one
    of another kind gets its kind's suffix (then a number); every such change is noted."""

    SUFFIX: ClassVar[dict[str, str]] = {
        "aggregate": "Aggregate",
        "command": "Command",
        "event": "Event",
        "error": "Error",
        "read model": "View",
        "automation": "Automation",
        "type": "Type",
        "external event": "Event",
    }

    def __init__(self, taken: Iterable[tuple[str, str]] = ()) -> None:
        self.kinds: dict[str, str] = dict(taken)
        self.notes: list[str] = []

    def claim(self, title: str, kind: str, fallback: str) -> str:
        wanted = pascal(title, fallback)
        if is_keyword(wanted.lower()) and wanted.lower() == wanted:
            wanted = f"{wanted}{self.SUFFIX[kind]}"
        name = wanted
        if name in self.kinds:
            name = f"{wanted}{self.SUFFIX[kind]}"
            number = 2
            while name in self.kinds:
                name = f"{wanted}{self.SUFFIX[kind]}{number}"
                number += 1
            self.notes.append(
                f"{kind} {title!r}: the name {wanted} is taken by "
                f"{'an' if self.kinds[wanted][0] in 'aeiou' else 'a'} {self.kinds[wanted]}; "
                f"named {name}"
            )
        self.kinds[name] = kind
        return name

    def keep(self, name: str, kind: str) -> str:
        self.kinds[name] = kind
        return name


def placeholder(name: str, kind: str) -> Any:
    """A value for a field the board gives no example for: the same field name gets the same
    value everywhere in a scenario, so an event copied from its command matches."""
    if kind.endswith("?"):
        return None
    if kind.startswith("list["):
        return []
    return {
        "str": name.replace("_", " "),
        "bool": False,
        "int": 1,
        "float": 1.5,
        "decimal": "1.50",
        "date": "2024-01-01",
        "datetime": "2024-01-01T00:00:00Z",
        "uuid": f"{name.replace('_', '-')}-1",
    }.get(kind)


_NAMED_ID = re.compile(r"^[a-z]+(-[a-z0-9]+)*-[0-9]+$")


def example(value: Any, kind: str) -> tuple[bool, Any]:
    """The board's example as a spec value of the field's type: (True, value), or (False, None)
    when there is none or it does not fit."""
    if value is None or value == "" or isinstance(value, (dict, list)):
        return False, None
    text = str(value).strip()
    base = kind.rstrip("?")
    try:
        if base == "str":
            return True, text
        if base == "bool":
            if text.lower() in ("true", "false"):
                return True, text.lower() == "true"
            return False, None
        if base == "int":
            return True, int(text)
        if base in ("float", "decimal"):
            number = Decimal(text)
            if not number.is_finite():
                return False, None
            return True, (text if base == "decimal" else float(text))
        if base == "uuid":
            if _NAMED_ID.match(text):
                return True, text
            return True, str(UUID(text))
        if base == "date":
            return True, date.fromisoformat(text).isoformat()
        if base == "datetime":
            datetime.fromisoformat(text.replace("Z", "+00:00"))
            return True, text
    except (ValueError, InvalidOperation):
        return False, None
    return False, None

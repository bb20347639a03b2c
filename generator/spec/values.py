"""Literal values from the spec (defaults, `apply`/`set`/`send` literals, scenario data) as code.

Every value is checked against its field's type and rendered as a Python literal expression;
strings go through `repr`, so quotes, newlines or `{{ }}` in spec text stay data. Text may not
hold NUL (U+0000): PostgreSQL's text columns refuse it, so a scenario with one could never pass there.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from generator.spec.durations import DurationError, duration_code, parse_duration
from generator.spec.types import TypeRef


class ValueMismatch(ValueError):
    """A value that does not fit its type; `path` locates it inside nested values, and `key`
    says the fault is in the last step's key (a map's key), not in its value."""

    def __init__(
        self, message: str, path: tuple[str | int, ...] = (), *, key: bool = False
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.key = key


NUL = "\0"
NUL_MESSAGE = "text cannot hold the NUL character (U+0000): PostgreSQL cannot store it"

# (enum name -> value -> member name), (record name -> fields) as the renderer needs them.
EnumTable = Mapping[str, Mapping[str, str]]
RecordTable = Mapping[str, Any]  # record name -> tuple[Field, ...]


def render_value(value: Any, typ: TypeRef, enums: EnumTable, records: RecordTable) -> str:
    """Python source for `value` as type `typ`. Raises ValueMismatch."""
    if value is None:
        if typ.optional:
            return "None"
        raise ValueMismatch(f"null is not allowed for a {typ.spec} (make the field optional)")
    if typ.kind == "list":
        if not isinstance(value, list):
            raise ValueMismatch(f"expected a list for {typ.spec}, got {kind_of(value)}")
        assert typ.item is not None
        items = []
        for index, item in enumerate(value):
            try:
                items.append(render_value(item, typ.item, enums, records))
            except ValueMismatch as exc:
                raise ValueMismatch(exc.message, (index, *exc.path), key=exc.key) from None
        if len(items) == 1:
            return f"({items[0]},)"
        return "(" + ", ".join(items) + ")"
    if typ.kind == "enum":
        members = enums[typ.name]
        if not isinstance(value, str) or value not in members:
            allowed = ", ".join(repr(v) for v in members)
            raise ValueMismatch(f"{value!r} is not a value of {typ.name} (one of {allowed})")
        return f"{typ.name}.{members[value]}"
    if typ.kind == "record":
        return _record(value, typ.name, enums, records)
    if typ.kind == "map":
        return _map(value, typ, enums, records)
    return _PRIMITIVE[typ.kind](value)


def _map(value: Any, typ: TypeRef, enums: EnumTable, records: RecordTable) -> str:
    """A mapping as a dict literal, each key checked as its type (the loader gives keys as the
    text written: `5`, `2024-01-31`, an enum's value, a UUID) and given once."""
    assert typ.key is not None and typ.item is not None
    if not isinstance(value, dict):
        raise ValueMismatch(f"expected a mapping for {typ.spec}, got {kind_of(value)}")
    entries: dict[str, tuple[str, str]] = {}  # key code -> (key as written, value code)
    for written, item in value.items():
        code = _map_key(written, typ.key, enums)
        if code in entries:
            first = entries[code][0]
            raise ValueMismatch(
                f"the key {written!r} is the same {typ.key.spec} as {first!r}", (written,), key=True
            )
        try:
            entries[code] = (written, render_value(item, typ.item, enums, records))
        except ValueMismatch as exc:
            raise ValueMismatch(exc.message, (written, *exc.path), key=exc.key) from None
    return "{" + ", ".join(f"{k}: {v}" for k, (_, v) in entries.items()) + "}"


_INT_KEY = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")


def _map_key(written: Any, typ: TypeRef, enums: EnumTable) -> str:
    """A map key as code; keys of JSON objects are text, so an int or date key may be written
    as text too (a JSON spec can write no other)."""
    try:
        if typ.kind == "int" and isinstance(written, str):
            if not _INT_KEY.match(written.strip()):
                raise ValueMismatch(f"the key {written!r} is not an integer (like 3 or -12)")
            return repr(int(written))
        return render_value(written, typ, enums, {})
    except ValueMismatch as exc:
        message = exc.message
        if not message.startswith("the key "):
            message = f"a key of a map[{typ.spec}, ...]: {message}"
        raise ValueMismatch(message, (str(written),), key=True) from None


def _record(value: Any, name: str, enums: EnumTable, records: RecordTable) -> str:
    if not isinstance(value, dict):
        raise ValueMismatch(f"expected a mapping of {name}'s fields, got {kind_of(value)}")
    if name not in records:  # only while reading the records themselves, inside a cycle (E405)
        raise ValueMismatch(f"{name} refers back to itself through this value (a type cycle)")
    fields = {f.name: f for f in records[name]}
    unknown = [k for k in value if k not in fields]
    if unknown:
        raise ValueMismatch(f"{name} has no field {unknown[0]!r}", (unknown[0],))
    parts = []
    for field in records[name]:
        if field.name in value:
            try:
                code = render_value(value[field.name], field.type, enums, records)
            except ValueMismatch as exc:
                raise ValueMismatch(exc.message, (field.name, *exc.path), key=exc.key) from None
            parts.append(f"{field.attribute}={code}")
        elif field.default_code is None and not field.type.optional:
            raise ValueMismatch(f"{name} needs a value for {field.name!r}")
    return f"{name}(" + ", ".join(parts) + ")"


def kind_of(value: Any) -> str:
    """What a YAML value is, in words, for messages: 'a boolean', 'a list', 'null'..."""
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, dt.date):
        return "a date"
    return type(value).__name__


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueMismatch(f"expected a string, got {kind_of(value)} (quote it)")
    if NUL in value:
        raise ValueMismatch(NUL_MESSAGE)
    return repr(value)


def _int(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueMismatch(f"expected an integer, got {kind_of(value)}")
    return repr(value)


def _float(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueMismatch(f"expected a number, got {kind_of(value)}")
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueMismatch("expected a finite number")
    return repr(number)


def _decimal(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueMismatch(f"expected a decimal number, got {kind_of(value)}")
    text = repr(value) if isinstance(value, float) else str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueMismatch(f"{value!r} is not a decimal number") from None
    if not number.is_finite():
        raise ValueMismatch("expected a finite decimal number")
    return f'Decimal("{number}")'


def _bool(value: Any) -> str:
    if not isinstance(value, bool):
        raise ValueMismatch(f"expected true or false, got {kind_of(value)}")
    return repr(value)


def _uuid(value: Any) -> str:
    try:
        parsed = UUID(str(value)) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValueMismatch(f"{value!r} is not a UUID")
    return f'UUID("{parsed}")'


def _date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        raise ValueMismatch("expected a date, got a date and time")
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise ValueMismatch(f"{value!r} is not an ISO 8601 date (YYYY-MM-DD)") from None
    if not isinstance(value, dt.date):
        raise ValueMismatch(f"expected a date, got {kind_of(value)}")
    return f"date({value.year}, {value.month}, {value.day})"


def _duration(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str):
        hint = " (write it with a unit, like 90s or 24h)" if isinstance(value, int | float) else ""
        raise ValueMismatch(f"expected a duration, got {kind_of(value)}{hint}")
    try:
        return duration_code(parse_duration(value))
    except DurationError as exc:
        raise ValueMismatch(str(exc)) from None


def _datetime(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValueMismatch(f"{value!r} is not an ISO 8601 date and time") from None
    if not isinstance(value, dt.datetime):
        raise ValueMismatch(f"expected a date and time, got {kind_of(value)}")
    # Times without a zone are read as UTC; all times are kept in UTC so they compare.
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    value = value.astimezone(dt.UTC)
    parts = [value.year, value.month, value.day, value.hour, value.minute, value.second]
    if value.microsecond:
        parts.append(value.microsecond)
    return "datetime(" + ", ".join(str(p) for p in parts) + ", tzinfo=UTC)"


_PRIMITIVE: dict[str, Callable[[Any], str]] = {
    "str": _str,
    "int": _int,
    "float": _float,
    "decimal": _decimal,
    "bool": _bool,
    "uuid": _uuid,
    "date": _date,
    "datetime": _datetime,
    "duration": _duration,
}

"""Test cases for event upcasting: a stored payload of each older version, and what it must become.

Old field lists come from the lock file's history. Payloads are JSON data, as the store holds them;
while every step from the old version is declarative, the expected JSON after upcasting is computed
here by applying the same renames, removals and additions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.spec import model as m
from generator.spec.names import snake
from generator.spec.types import TypeRef, TypeSyntaxError, parse_type


def upcast_cases(spec: m.Spec, lock: Mapping[str, Any]) -> list[dict[str, Any]]:
    cases = []
    events = lock.get("events", {})
    for aggregate in spec.aggregates:
        stream = (
            'UUID("00000000-0000-4000-8000-00000000abcd")'
            if aggregate.id_field.type.kind == "uuid"
            else repr(f"{snake(aggregate.name)}-upcast")
        )
        for event in aggregate.events:
            history = (events.get(event.name) or {}).get("history", {})
            for version in sorted((int(v) for v in history), reverse=False):
                if version >= event.version:
                    continue
                old_fields = history[str(version)]
                payload = {name: _sample(spec, info["type"]) for name, info in old_fields.items()}
                expected = _expected(event, version, dict(payload))
                cases.append(
                    {
                        "event": event.name,
                        "event_module": event.module,
                        "module": aggregate.module,
                        "version": version,
                        "current": event.version,
                        "stream": stream,
                        "payload": _literal(payload),
                        "expected": "None" if expected is None else _literal(expected),
                    }
                )
    return cases


def _expected(event: m.Event, version: int, data: dict[str, str]) -> dict[str, str] | None:
    for step in event.upcasts:
        if step.from_version < version:
            continue
        if step.custom:
            return None
        for old, new in step.renames:
            if old in data:
                data[new] = data.pop(old)
        for name in step.removes:
            data.pop(name, None)
        for add in step.adds:
            data.setdefault(add.target, add.code)
    return data


def _literal(values: Mapping[str, str]) -> str:
    return "{" + ", ".join(f"{k!r}: {v}" for k, v in values.items()) + "}"


def _sample(spec: m.Spec, type_text: str) -> str:
    """Python source of a JSON value of the given spec type, as an older version stored it."""
    try:
        typ = parse_type(type_text, {e.name for e in spec.enums}, {r.name for r in spec.records})
    except (TypeSyntaxError, KeyError):
        return repr("old value")
    return repr(_json(spec, typ))


def _json(spec: m.Spec, typ: TypeRef) -> Any:
    if typ.kind == "list":
        assert typ.item is not None
        return [_json(spec, typ.item)]
    if typ.kind == "enum":
        return next(e for e in spec.enums if e.name == typ.name).members[0].value
    if typ.kind == "record":
        record = next(r for r in spec.records if r.name == typ.name)
        return {f.name: _json(spec, f.type) for f in record.fields}
    if typ.kind == "map":  # a JSON object: its key as text
        assert typ.key is not None and typ.item is not None
        return {str(_json(spec, typ.key)): _json(spec, typ.item)}
    return {
        "str": "old value",
        "int": 7,
        "float": 1.5,
        "decimal": "12.50",
        "bool": True,
        "uuid": "00000000-0000-4000-8000-0000000000aa",
        "date": "2024-01-31",
        "datetime": "2024-01-31T10:00:00+00:00",
        "duration": "PT36H0.5S",
    }[typ.kind]

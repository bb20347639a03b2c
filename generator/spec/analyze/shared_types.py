"""The shared types under `types:`: enums, and records (value objects) in an order that resolves."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from generator.spec import model as m
from generator.spec.analyze.context import Context
from generator.spec.analyze.fields import declare_fields
from generator.spec.expressions.scope import ValueObject
from generator.spec.names import enum_members
from generator.spec.values import NUL, NUL_MESSAGE


def declare_types(ctx: Context) -> tuple[tuple[m.EnumType, ...], tuple[m.RecordType, ...]]:
    types = ctx.data.get("types") or {}
    for name, body in types.items():
        _declare_type(ctx, name, body or {})
    # Record fields may refer to any type, so parse them once all names are known, and each
    # record after the records it uses, so that a record-typed default finds their fields.
    records: dict[str, m.RecordType] = {}
    for name in _record_order(ctx, types):
        body = types[name]
        fields = declare_fields(
            ctx, body.get("fields") or {}, ("types", name, "fields"), owner=f"type {name}"
        )
        ctx.record_fields[name] = fields
        ctx.record_types[name] = ValueObject(
            {f.name: f.type for f in fields},
            defaults=frozenset(f.name for f in fields if f.default_code is not None),
        )
        description = str(body.get("description") or "")
        records[name] = m.RecordType(name=name, description=description, fields=fields)
    _check_cycles(ctx)
    enums = tuple(
        m.EnumType(
            name=name,
            description=str((types[name] or {}).get("description") or ""),
            members=tuple(
                m.EnumMember(name=member, value=value) for value, member in members.items()
            ),
        )
        for name, members in ctx.enum_values.items()
    )
    return enums, tuple(records[name] for name in ctx.record_types)


def _declare_type(ctx: Context, name: str, body: Mapping[str, Any]) -> None:
    """Make the name known as an enum (with its values) or a record (fields come later)."""
    has_enum, has_fields = "enum" in body, "fields" in body
    if has_enum == has_fields:
        ctx.error(
            "E411",
            f"type {name!r} needs exactly one of `enum:` or `fields:`",
            ("types", name),
            key=True,
        )
        return
    if has_enum:
        values = [str(v) if not isinstance(v, str) else v for v in body["enum"]]
        for index, value in enumerate(body["enum"]):
            if not isinstance(value, str):
                ctx.error(
                    "E200",
                    f"enum values are strings; quote {value!r}",
                    ("types", name, "enum", index),
                )
            elif NUL in value:
                ctx.error("E200", f"enum values: {NUL_MESSAGE}", ("types", name, "enum", index))
        ctx.enum_values[name] = dict(zip(values, enum_members(values), strict=True))
    else:
        ctx.record_types[name] = {}


def _record_order(ctx: Context, types: Mapping[str, Any]) -> list[str]:
    """Record names, each after the records its field types mention (any order in a cycle)."""
    order: list[str] = []

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if name in order or name in trail:
            return
        for spec in ((types[name] or {}).get("fields") or {}).values():
            text = spec.get("type") if isinstance(spec, dict) else spec
            for word in re.findall(r"\w+", str(text)):
                if word in ctx.record_types:
                    visit(word, (*trail, name))
        order.append(name)

    for name in ctx.record_types:
        visit(name, ())
    return order


def _check_cycles(ctx: Context) -> None:
    def refs(name: str) -> set[str]:
        found: set[str] = set()
        for typ in ctx.record_types[name].values():
            while typ.kind in ("list", "map") and typ.item is not None:
                typ = typ.item
            if typ.kind == "record":
                found.add(typ.name)
        return found

    for start in ctx.record_types:
        stack, seen = [(start, [start])], set()
        while stack:
            current, trail = stack.pop()
            for nxt in sorted(refs(current)):
                if nxt == start:
                    cycle = " -> ".join([*trail, start])
                    ctx.error(
                        "E405",
                        f"value types refer to each other in a cycle: {cycle}",
                        ("types", start),
                        key=True,
                    )
                    stack = []
                    break
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*trail, nxt]))

"""Fields wherever they are declared (records, state, events, commands, read models): their names,
their types and their defaults."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.spec import model as m
from generator.spec.analyze.assign import literal
from generator.spec.analyze.context import Context
from generator.spec.load import PathKey
from generator.spec.names import RESERVED_FIELDS, SNAKE, is_keyword
from generator.spec.types import TypeRef, TypeSyntaxError, parse_type


def declare_fields(
    ctx: Context,
    raw: Mapping[str, Any],
    path: PathKey,
    *,
    owner: str,
    reserved: tuple[str, ...] = (),
) -> tuple[m.Field, ...]:
    fields: list[m.Field] = []
    for name, spec in raw.items():
        field = _field(ctx, name, spec, (*path, name), owner=owner, reserved=reserved)
        if field is not None:
            fields.append(field)
        else:
            ctx.failed_fields.setdefault(str(path[-2]), set()).add(name)
    return tuple(fields)


def _field(
    ctx: Context,
    name: str,
    spec: Any,
    path: PathKey,
    *,
    owner: str,
    reserved: tuple[str, ...] = (),
) -> m.Field | None:
    ok = _field_name(ctx, name, path, owner=owner, reserved=reserved)
    if isinstance(spec, dict):
        typ = _type(ctx, spec.get("type"), (*path, "type"))
        if typ is not None and spec.get("optional") and not typ.optional:
            typ = TypeRef(typ.kind, typ.name, typ.item, optional=True)
        description = str(spec.get("description") or "")
    else:
        typ = _type(ctx, spec, path)
        description = ""
    if typ is None or not ok:
        return None
    default_code: str | None = None
    if isinstance(spec, dict) and "default" in spec:
        default_code = literal(
            ctx, spec["default"], typ, (*path, "default"), what=f"the default of {name!r}"
        )
        if default_code is None:
            return None
    elif typ.optional:
        default_code = "None"
    return m.Field(name=name, type=typ, default_code=default_code, description=description)


def _type(ctx: Context, text: Any, path: PathKey) -> TypeRef | None:
    if not isinstance(text, str):
        ctx.error(
            "E200", f"a type must be a string like 'decimal' or 'list[str]', not {text!r}", path
        )
        return None
    try:
        return parse_type(text, set(ctx.enum_values), set(ctx.record_types))
    except TypeSyntaxError:
        ctx.error(
            "E411",
            f"{text!r} is not a type (write str, int, list[T], T?, or a name from types:)",
            path,
        )
    except KeyError as exc:
        known = ", ".join(
            [
                *(["str", "int", "float", "decimal", "bool", "uuid", "date", "datetime"]),
                *ctx.enum_values,
                *ctx.record_types,
            ]
        )
        ctx.error("E400", f"unknown type {exc.args[0]!r} (known: {known})", path)
    return None


def _field_name(
    ctx: Context, name: str, path: PathKey, *, owner: str, reserved: tuple[str, ...] = ()
) -> bool:
    if not SNAKE.match(name):
        ctx.error("E300", f"the field name {name!r} in {owner} must be snake_case", path, key=True)
        return False
    if is_keyword(name):
        ctx.error("E301", f"the field name {name!r} in {owner} is a Python keyword", path, key=True)
        return False
    if name in RESERVED_FIELDS or name in reserved:
        why = (
            "is the aggregate's id field, which is implicit"
            if name in reserved
            else "is reserved by the generated runtime"
        )
        if name in reserved and owner.startswith("read model"):
            why = "is the read model's key, which is implicit"
        code = "E410" if name in reserved else "E301"
        ctx.error(code, f"the field name {name!r} in {owner} {why}", path, key=True)
        return False
    return True

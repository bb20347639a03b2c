"""Fields wherever they are declared (records, state, events, commands, read models): their names,
their types and their defaults."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.spec import model as m
from generator.spec.analyze.assign import literal
from generator.spec.analyze.context import Context
from generator.spec.load import PathKey
from generator.spec.names import SNAKE, UPCAST_METHOD, spelled_like_keyword
from generator.spec.types import PRIMITIVES, TypeRef, TypeSyntaxError, parse_type


def declare_fields(
    ctx: Context,
    raw: Mapping[str, Any],
    path: PathKey,
    *,
    owner: str,
    reserved: tuple[str, ...] = (),
    members: Mapping[str, str] | None = None,
) -> tuple[m.Field, ...]:
    """The fields under `raw`. `reserved` holds the implicit id or key field; `members` the names
    the runtime gives the class (a state's `version`...), with the reason they are taken."""
    fields: list[m.Field] = []
    for name, spec in raw.items():
        field = _field(
            ctx, name, spec, (*path, name), owner=owner, reserved=reserved, members=members or {}
        )
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
    reserved: tuple[str, ...],
    members: Mapping[str, str],
) -> m.Field | None:
    ok = field_name(ctx, name, path, owner=owner, reserved=reserved, members=members)
    if isinstance(spec, dict):
        typ = _type(ctx, spec.get("type"), (*path, "type"))
        if typ is not None and spec.get("optional") and not typ.optional:
            typ = TypeRef(typ.kind, typ.name, typ.item, optional=True, key=typ.key)
        description = str(spec.get("description") or "")
    else:
        typ = _type(ctx, spec, path)
        description = ""
    if typ is None or not ok:
        return None
    default_code: str | None = None
    if isinstance(spec, dict) and "default" in spec:
        # A default that does not fit is reported; the field stays declared with its type, so
        # what uses it is not reported again (nothing is generated while an error stands).
        default_code = literal(
            ctx, spec["default"], typ, (*path, "default"), what=f"the default of {name!r}"
        )
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
    except TypeSyntaxError as exc:
        reason = str(exc).partition(": ")[2]
        ctx.error(
            "E411",
            reason
            or f"{text!r} is not a type (write str, int, list[T], map[K, V], T?, or a name "
            "from types:)",
            path,
        )
    except KeyError as exc:
        known = ", ".join(
            [
                *PRIMITIVES,
                *ctx.enum_values,
                *ctx.record_types,
            ]
        )
        ctx.error("E400", f"unknown type {exc.args[0]!r} (known: {known})", path)
    return None


def field_name(
    ctx: Context,
    name: str,
    path: PathKey,
    *,
    owner: str,
    reserved: tuple[str, ...] = (),
    members: Mapping[str, str],
) -> bool:
    """Any snake_case name, except the few that generated code needs for itself."""
    if not SNAKE.match(name):
        ctx.error("E300", f"the field name {name!r} in {owner} must be snake_case", path, key=True)
        return False
    if spelled_like_keyword(name):
        ctx.error(
            "E301",
            f"the field name {name!r} in {owner} is how generated code spells the field "
            f"{name[:-1]!r} ({name[:-1]} is a Python keyword), so stored data could not tell "
            "them apart",
            path,
            key=True,
            hint=f"call the field {name[:-1]!r}: eventforge adds the underscore where Python needs it",
        )
        return False
    if name in reserved:
        what = "read model's key" if owner.startswith("read model") else "aggregate's id field"
        ctx.error(
            "E410",
            f"the field name {name!r} in {owner} is the {what}, which is implicit",
            path,
            key=True,
            hint=f"leave {name!r} out: it is there already",
        )
        return False
    reason = members.get(name)
    if reason is None and "class_version" in members and UPCAST_METHOD.match(name):
        reason = "an event's upcasting steps are methods of that name"
    if reason is not None:
        ctx.error(
            "E301",
            f"the field name {name!r} in {owner} is taken by the generated runtime: {reason}",
            path,
            key=True,
            hint=f"choose another name for the field, like {_other(name)!r}",
        )
        return False
    return True


def _other(name: str) -> str:
    others = {"version": "revision", "exists": "present", "id": "number", "state_schema": "shape"}
    return others.get(name, "schema_version" if name == "class_version" else f"{name}_value")

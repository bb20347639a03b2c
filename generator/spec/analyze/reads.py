"""A command's `reads:`: inputs from outside its stream, read before deciding and passed to
decide() by name. A read model's row by key (or None), its rows by equal fields (a list), another
aggregate's state by id (its initial state when there is no such stream) or by a list of ids.

Commands are checked before read models, and an aggregate before the next one, so the rows' and
states' field types are read here from the spec as written (quietly: their own checks report
what is wrong with them).
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from generator.spec import model as m
from generator.spec.analyze.assign import assign
from generator.spec.analyze.context import STATE_RUNTIME, Context
from generator.spec.expressions import Scope
from generator.spec.load import PathKey
from generator.spec.names import SNAKE, is_keyword, snake
from generator.spec.types import TypeRef, TypeSyntaxError, parse_type

# Names a read may not take: decide() takes reads as parameters, which would hide these.
_CONTEXT = ("command", "state", "event", "row", "reader", "events", "recorded")
_MODULE_NAMES = frozenset(
    {"runtime", "projections", "clock", "datetime", "date", "uuid", "dataclasses"}
)
_BUILTINS = frozenset(n for n in dir(builtins) if SNAKE.match(n))


@dataclass(frozen=True)
class Shape:
    """A row's or a state's fields, as the spec declares them."""

    cls: str  # the generated class
    record: str  # its name in expressions' types and messages
    key: str  # the key field, or the aggregate's id field
    key_type: TypeRef | None  # None: not known (the read model is wrong itself)
    fields: dict[str, TypeRef]  # every field, the key's included
    composite: tuple[tuple[str, TypeRef | None], ...] = ()  # a key of several fields: each


def command_reads(
    ctx: Context,
    command: str,
    raw: Mapping[str, Any],
    path: PathKey,
    scope: Scope,
    *,
    taken: Mapping[str, TypeRef],
) -> tuple[tuple[m.Read, ...], Scope]:
    """The reads, and the scope of the command's rules with each read's value in it."""
    reads: list[m.Read] = []
    values: dict[str, TypeRef] = {}
    unknown: set[str] = set()
    records = dict(scope.records)
    for name, body in raw.items():
        where = (*path, name)
        if not _free_name(ctx, command, name, where, scope, taken):
            unknown.add(name)
            continue
        found = _read(ctx, command, name, body or {}, where, scope)
        if found is None:
            unknown.add(name)
            continue
        read, shape, typ = found
        reads.append(read)
        values[name] = typ
        records[shape.record] = shape.fields
    if not raw:
        return (), scope
    return tuple(reads), Scope(
        scope.names, records, scope.enums, {**scope.values, **values}, frozenset(unknown)
    )


def _free_name(
    ctx: Context,
    command: str,
    name: str,
    where: PathKey,
    scope: Scope,
    taken: Mapping[str, TypeRef],
) -> bool:
    if not SNAKE.match(name):
        ctx.error(
            "E300", f"the read name {name!r} of {command} must be snake_case", where, key=True
        )
        return False
    reason = ""
    if is_keyword(name):
        reason = "it is a Python keyword"
    elif name in _CONTEXT:
        reason = f"`{name}` is a name expressions and the generated decide() use"
    elif name in scope.names.get("command", {}):
        reason = f"{command} has a field {name!r} (`command.{name}`): one name, one thing"
    elif name in taken:
        reason = f"the state has a field {name!r} (`state.{name}`): one name, one thing"
    elif name in _BUILTINS or name in _MODULE_NAMES:
        reason = f"the generated decide() uses `{name}` itself"
    if reason:
        ctx.error(
            "E415",
            f"the read {name!r} of {command} collides with another name: {reason}",
            where,
            key=True,
            hint=f"name the read after what it finds (like `found_{name}`), unlike any name in use",
        )
        return False
    return True


def _read(
    ctx: Context, command: str, name: str, body: Mapping[str, Any], where: PathKey, scope: Scope
) -> tuple[m.Read, Shape, TypeRef] | None:
    sources = [k for k in ("read_model", "aggregate") if k in body]
    if len(sources) != 1:
        _one_of(ctx, command, name, body, where, ("read_model", "aggregate"), "what it reads")
        return None
    source = str(body[sources[0]])
    if sources[0] == "read_model":
        shape = _row_shape(ctx, source)
        lookups = ("key", "where")
    else:
        shape = _state_shape(ctx, source)
        lookups = ("id", "ids")
    if shape is None:
        _unknown(ctx, command, name, sources[0], source, (*where, sources[0]))
        return None
    wrong = [k for k in ("key", "where", "id", "ids") if k in body and k not in lookups]
    if wrong:
        ctx.error(
            "E202",
            f"the read {name!r} of {command} reads {source}, which is looked up by "
            f"{' or '.join(f'`{k}:`' for k in lookups)}, not `{wrong[0]}:`",
            (*where, wrong[0]),
            key=True,
            hint=f'write `{lookups[0]}: "= command.<field>"`',
        )
        return None
    given = [k for k in lookups if k in body]
    if len(given) != 1:
        _one_of(ctx, command, name, body, where, lookups, f"how it finds {source}")
        return None
    return _lookup(ctx, command, name, given[0], body, where, scope, shape, source)


def _lookup(
    ctx: Context,
    command: str,
    name: str,
    kind: str,
    body: Mapping[str, Any],
    where: PathKey,
    scope: Scope,
    shape: Shape,
    source: str,
) -> tuple[m.Read, Shape, TypeRef] | None:
    what = f"{command}.reads.{name}.{kind}"
    row = TypeRef("record", name=shape.record)
    key_code = ""
    assignments: list[m.Assignment] = []
    if kind == "where":
        for field, value in (body["where"] or {}).items():
            typ = shape.fields.get(field)
            if typ is None:
                known = ", ".join(shape.fields) or "none"
                ctx.error(
                    "E404",
                    f"the read {name!r} of {command} looks {source} up by {field!r}, which is "
                    f"not one of its fields ({known})",
                    (*where, "where", field),
                    key=True,
                )
                return None
            code = assign(ctx, value, typ, scope, (*where, "where", field), what=f"{what}.{field}")
            if code is None:
                return None
            assignments.append(m.Assignment(target=field, code=code))
    elif shape.key_type is None:
        return None  # the read model's key is wrong, which its own checks report
    elif shape.composite:
        code = _composite_key(ctx, command, name, body["key"], shape, where, scope)
        if code is None:
            return None
        key_code = code
    else:
        expected = shape.key_type
        if kind == "ids":
            expected = TypeRef("list", item=expected)
        code = assign(ctx, body[kind], expected, scope, (*where, kind), what=what)
        if code is None:
            return None
        key_code = code
    typ, annotation = {
        "key": (TypeRef("record", shape.record, optional=True), f"{shape.cls} | None"),
        "where": (TypeRef("list", item=row), f"list[{shape.cls}]"),
        "id": (row, shape.cls),
        "ids": (TypeRef("list", item=row), f"list[{shape.cls}]"),
    }[kind]
    read = m.Read(
        name=name,
        kind={"key": "row", "where": "rows", "id": "state", "ids": "states"}[kind],
        source=source,
        source_module=snake(source),
        annotation=annotation,
        key=key_code,
        where=tuple(assignments),
        row_class=shape.cls,
    )
    return read, shape, typ


def _composite_key(
    ctx: Context,
    command: str,
    name: str,
    raw: Any,
    shape: Shape,
    where: PathKey,
    scope: Scope,
) -> str | None:
    """A key of several fields: a list of their values, in the order of the read model's key."""
    names = [k for k, _ in shape.composite]
    if not isinstance(raw, list) or len(raw) != len(names):
        ctx.error(
            "E408",
            f"the read {name!r} of {command}: {shape.cls[:-3]} is keyed by "
            f"[{', '.join(names)}], so its `key:` is a list of {len(names)} values in that order",
            (*where, "key"),
            hint="write `key: [" + ", ".join(f'"= command.{k}"' for k in names) + "]`",
        )
        return None
    codes = []
    for number, ((key, typ), value) in enumerate(zip(shape.composite, raw, strict=True)):
        if typ is None:
            return None  # the read model's key is wrong, which its own checks report
        code = assign(
            ctx, value, typ, scope, (*where, "key", number), what=f"{command}.reads.{name}.{key}"
        )
        if code is None:
            return None
        codes.append(code)
    return f"({', '.join(codes)},)"


def _one_of(
    ctx: Context,
    command: str,
    name: str,
    body: Mapping[str, Any],
    where: PathKey,
    keys: tuple[str, ...],
    what: str,
) -> None:
    options = " or ".join(f"`{k}:`" for k in keys)
    present = [k for k in keys if k in body]
    if present:
        ctx.error(
            "E202",
            f"the read {name!r} of {command} has both `{present[0]}:` and `{present[-1]}:`; it "
            f"takes one of {options}",
            (*where, present[-1]),
            key=True,
            hint=f"keep `{present[0]}:` and remove `{present[-1]}:`",
        )
    else:
        ctx.error(
            "E201",
            f"the read {name!r} of {command} needs {options}: {what}",
            where,
            key=True,
            hint='`{read_model: R, key: "= command.x"}`, `{read_model: R, where: {f: ...}}`, '
            '`{aggregate: A, id: "= command.x"}` or `{aggregate: A, ids: ...}`',
        )


def _unknown(ctx: Context, command: str, name: str, kind: str, source: str, where: PathKey) -> None:
    section = "read_models" if kind == "read_model" else "aggregates"
    known = ", ".join(ctx.data.get(section) or {}) or "none"
    what = "read model" if kind == "read_model" else "aggregate"
    ctx.error(
        "E414",
        f"the read {name!r} of {command} reads the {what} {source!r}, which the spec does not "
        f"declare ({section}: {known})",
        where,
        hint=f"declare {source} under `{section}:`, or read one that exists",
    )


def shape_of(ctx: Context, read: m.Read) -> Shape | None:
    """The fields of what `read` finds: a row of its read model, or a state of its aggregate."""
    if read.kind in ("row", "rows"):
        return _row_shape(ctx, read.source)
    return _state_shape(ctx, read.source)


def _row_shape(ctx: Context, name: str) -> Shape | None:
    body = (ctx.data.get("read_models") or {}).get(name)
    if not isinstance(body, dict):
        return None
    raw = body.get("key", "")
    keys = [str(k) for k in raw] if isinstance(raw, list) and raw else [str(raw)]
    fields = {k: t for k, t in _types(ctx, body.get("fields")).items() if k not in keys}
    types = [_key_type(ctx, key, body.get("on")) for key in keys]
    every = {k: t for k, t in zip(keys, types, strict=True) if t is not None} | fields
    return Shape(
        cls=f"{name}Row",
        record=f"{name} row",
        key=keys[0],
        key_type=types[0] if None not in types else None,
        fields=every,
        composite=tuple(zip(keys, types, strict=True)) if len(keys) > 1 else (),
    )


def _key_type(ctx: Context, key: str, handlers: Any) -> TypeRef | None:
    """The key's type on the first event the read model handles that carries it."""
    aggregates = ctx.data.get("aggregates") or {}
    for event in handlers if isinstance(handlers, dict | list) else ():
        handler = handlers.get(event) if isinstance(handlers, dict) else None
        if isinstance(handler, dict) and "delete_where" in handler:
            continue  # it need not carry the key
        owner = ctx.event_aggregate.get(event)
        if owner is None:
            continue
        id_field = ctx.id_fields.get(owner)
        if id_field is not None and id_field.name == key:
            return id_field.type.required()
        raw = ((aggregates.get(owner) or {}).get("events") or {}).get(event) or {}
        typ = _types(ctx, raw.get("fields") if isinstance(raw, dict) else None).get(key)
        if typ is not None:
            return typ.required()
    return None


def _state_shape(ctx: Context, name: str) -> Shape | None:
    id_field = ctx.id_fields.get(name)
    body = (ctx.data.get("aggregates") or {}).get(name)
    if id_field is None or not isinstance(body, dict):
        return None
    fields = {id_field.name: id_field.type} | _types(ctx, body.get("state")) | STATE_RUNTIME
    return Shape(
        cls=f"{name}State",
        record=f"{name} state",
        key=id_field.name,
        key_type=id_field.type,
        fields=fields,
    )


def _types(ctx: Context, raw: Any) -> dict[str, TypeRef]:
    """Field types declared under `raw`, the ones that parse (the others are reported there)."""
    types: dict[str, TypeRef] = {}
    for name, spec in (raw if isinstance(raw, dict) else {}).items():
        text = spec.get("type") if isinstance(spec, dict) else spec
        if not isinstance(text, str):
            continue
        try:
            typ = parse_type(text, set(ctx.enum_values), set(ctx.record_types))
        except (TypeSyntaxError, KeyError):
            continue
        if isinstance(spec, dict) and spec.get("optional") and not typ.optional:
            typ = TypeRef(typ.kind, typ.name, typ.item, optional=True, key=typ.key)
        types[str(name)] = typ
    return types

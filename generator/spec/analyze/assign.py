"""What a field is given: a literal value, an `= expression`, or a field of the same name."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from generator.spec import model as m
from generator.spec.analyze.context import Context
from generator.spec.expressions import Scope, compile_expression, widen
from generator.spec.load import PathKey
from generator.spec.types import TypeRef
from generator.spec.values import ValueMismatch, render_value

# A name not preceded by a dot, and the attribute after it if any: `state . closed` too.
_REFERENCE = re.compile(r"(?<![\w.])([^\W\d]\w*)(\s*\.\s*([^\W\d]\w*))?")


def literal(ctx: Context, value: Any, typ: TypeRef, path: PathKey, *, what: str) -> str | None:
    try:
        return render_value(value, typ, ctx.enum_values, ctx.record_fields)
    except ValueMismatch as exc:
        ctx.error("E408", f"{what}: {exc.message}", (*path, *exc.path), key=exc.key)
        return None


def assign(
    ctx: Context, value: Any, typ: TypeRef, scope: Scope, path: PathKey, *, what: str
) -> str | None:
    """A value where a literal or an `= expression` may stand."""
    if isinstance(value, str) and value.startswith("="):
        return expression(ctx, value[1:], scope, path, expected=typ, what=what)
    return literal(ctx, value, typ, path, what=what)


def expression(
    ctx: Context,
    text: str,
    scope: Scope,
    path: PathKey,
    *,
    expected: TypeRef | None,
    what: str,
    hint: str = "",
) -> str | None:
    # The same guard or rule is often written many times (each command of an aggregate
    # checks `state.closed`): compile it once per text and the types it refers to. The key
    # holds each `name.attribute` the text may use with that attribute's type (None when
    # there is no such attribute), and all of a name's fields when it is used bare;
    # identifiers are NFKC-normalised, as Python does. So the key covers everything the
    # code depends on, and the same guard in a hundred commands compiles once.
    normal = unicodedata.normalize("NFKC", text)
    used: dict[str, set[str] | None] = {}
    for found in _REFERENCE.finditer(normal):
        name, attribute = found[1], found[3]
        if name not in scope.names:
            continue
        attributes = used.setdefault(name, set())
        if attributes is not None:
            if attribute is None:
                used[name] = None  # the name itself: every field may matter
            else:
                attributes.add(attribute)
    seen = tuple(
        (
            name,
            tuple(sorted(scope.names[name].items()))
            if attributes is None
            else tuple((a, scope.names[name].get(a)) for a in sorted(attributes)),
        )
        for name, attributes in sorted(used.items())
    )
    values = tuple(sorted(scope.values.items())) if scope.values else ()
    key = (text, expected, seen, values, id(scope.records), id(scope.enums))
    known = ctx.compiled.get(key)
    if known is not None:
        return known
    compiled = compile_expression(text, scope, expected=expected)
    for code, message in compiled.errors:
        ctx.error(code, f"{what}: {message}", path, hint=hint if code == "E504" else "")
    if compiled.errors:
        return None
    ctx.compiled[key] = compiled.code
    return compiled.code


def fill_from(
    ctx: Context, source: str, typ: TypeRef, field: m.Field, path: PathKey, what: str
) -> str | None:
    """An event field filled from the command's or the state's field of the same name."""
    if (
        typ.required() != field.type.required()
        and not (typ.kind == "int" and field.type.kind in ("decimal", "float"))
    ) or (typ.optional and not field.type.optional):
        ctx.error(
            "E504",
            f"{what}: {source}.{field.name} is a {typ.spec} but the event field is a "
            f"{field.type.spec}; map it explicitly",
            path,
        )
        return None
    return widen(f"{source}.{field.attribute}", typ, field.type)

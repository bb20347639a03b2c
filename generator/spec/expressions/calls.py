"""Calls: the listed functions, the map methods and `.date()`, and value objects built by keyword
(`CartItem(product_id=..., price=...)`). Nothing else may be called."""

from __future__ import annotations

import ast
import keyword
from typing import TYPE_CHECKING

from generator.spec.expressions.containers import items_of
from generator.spec.expressions.fitting import (
    BOOL,
    DURATION,
    INT,
    NUMERIC,
    a,
    describe,
    list_of,
    orderable,
    view,
)
from generator.spec.expressions.scope import ValueObject
from generator.spec.types import TypeRef

if TYPE_CHECKING:
    from generator.spec.expressions.typecheck import Checker

FUNCTIONS = (
    "len",
    "abs",
    "min",
    "max",
    "now",
    "sum",
    "any",
    "all",
    "sorted",
    "round",
    "days",
    "hours",
    "minutes",
)
_ARITY = {
    "len": (1, 1),
    "abs": (1, 1),
    "min": (2, 99),
    "max": (2, 99),
    "now": (0, 0),
    "sum": (1, 1),
    "any": (1, 1),
    "all": (1, 1),
    "sorted": (1, 1),
    "round": (1, 2),
    "days": (1, 1),
    "hours": (1, 1),
    "minutes": (1, 1),
}
METHODS = {"get": (1, 2), "keys": (0, 0), "values": (0, 0), "items": (0, 0)}
DURATIONS = ("days", "hours", "minutes")


def call(ck: Checker, node: ast.Call) -> TypeRef | None:
    func = node.func
    if isinstance(func, ast.Attribute):
        return _method(ck, node, func)
    records = ck.scope.records
    if isinstance(func, ast.Name) and isinstance(records.get(func.id), ValueObject):
        return _build(ck, node, func.id)
    if not isinstance(func, ast.Name) or func.id not in FUNCTIONS:
        name = ast.unparse(func)
        allowed = ", ".join(FUNCTIONS)
        ck.fail(
            "E501",
            f"calling {name!r} is not allowed (allowed: {allowed}, and the value objects of "
            "`types:` by keyword)",
        )
        return None
    name = func.id
    refused = not_positional(node)
    if refused:
        # Refused, not dropped: `max(x, 5, key=abs)` compiled without `key` would compute
        # something other than what the spec says.
        ck.fail("E501", f"{name}() takes positional arguments only, not {refused}")
        return None
    args = [ck.check(arg) for arg in node.args]
    low, high = _ARITY[name]
    if not low <= len(args) <= high:
        ck.fail("E501", f"{name}() takes {low} argument(s) here, got {len(args)}")
        return None
    if name == "now":
        ck.result.uses.update({"datetime", "UTC"})
        return TypeRef("datetime")
    known = [t for t in args if t is not None]
    if len(known) < len(args):
        return None
    for arg, typ in zip(node.args, known, strict=True):
        if typ.optional or typ.kind == "null":
            ck.none_error(arg, f"given to {name}()")
            return None
    if name in ("min", "max"):
        return _extreme(ck, node, name)
    if name in ("sum", "any", "all", "sorted"):
        return _over(ck, node.args[0], known[0], name)
    return _single(ck, node, name, known)


def _single(ck: Checker, node: ast.Call, name: str, args: list[TypeRef]) -> TypeRef | None:
    first = args[0]
    if name == "len":
        if first.kind in ("list", "map", "str") or (
            first.kind == "view" and first.name != "generator"
        ):
            return INT
        ck.fail("E504", f"len() takes a list, a map or a str, not {a(first)}")
        return None
    if name == "abs":
        if first.kind in (*NUMERIC, "duration"):
            return first
        ck.fail("E504", f"abs() takes a number or a duration, not {a(first)}")
        return None
    if name in DURATIONS:
        if first.kind in ("int", "float"):
            ck.result.uses.add("timedelta")
            return DURATION
        ck.fail("E504", f"{name}() takes an int or a float, not {a(first)}")
        return None
    # round(x) gives an int; round(x, n) keeps x's type (a decimal stays a decimal).
    if first.kind not in NUMERIC:
        ck.fail("E504", f"round() takes a number, not {a(first)}")
        return None
    if len(args) == 2 and args[1] != INT:
        ck.fail("E504", f"round()'s second argument (the digits) is an int, not {a(args[1])}")
        return None
    return first if len(args) == 2 else INT


def _extreme(ck: Checker, node: ast.Call, name: str) -> TypeRef | None:
    typ = ck.unify(list(node.args), f"the arguments of {name}()")
    if typ is None:
        return None
    if not orderable(typ, typ) or typ.kind == "list":
        ck.fail("E504", f"{name}() cannot order {describe(typ)} values")
        return None
    return typ


def _over(ck: Checker, arg: ast.expr, typ: TypeRef, name: str) -> TypeRef | None:
    """sum, any, all and sorted go over a collection: a list, a map's keys or values, or a
    generator expression."""
    item = items_of(typ)
    if item is None or item.kind == "pair":
        ck.fail(
            "E504",
            f"{name}() goes over a list, a map's keys() or values(), or a generator "
            f"(x for x in ...), not {a(typ)}",
        )
        return None
    if item.optional or item.kind == "null":
        ck.fail("E504", f"{name}() cannot go over values that may be None ({describe(typ)})")
        return None
    if item.kind == "empty":
        ck.fail("E504", f"{name}() of an empty literal says nothing; write its value")
        return None
    if name == "sum":
        if item.kind in (*NUMERIC, "duration"):
            if item.kind == "decimal":
                ck.result.uses.add("Decimal")
            if item.kind == "duration":
                ck.result.uses.add("timedelta")
            return item
        ck.fail("E504", f"sum() adds numbers or durations, not {describe(item)} values")
        return None
    if name in ("any", "all"):
        if item == BOOL:
            return BOOL
        ck.fail(
            "E504",
            f"{name}() takes bools (like {name}(i.paid for i in ...)), not {describe(item)} values",
        )
        return None
    if item.kind == "list" or not orderable(item, item):
        ck.fail("E504", f"sorted() cannot order {describe(item)} values")
        return None
    return list_of(item)


def _method(ck: Checker, node: ast.Call, func: ast.Attribute) -> TypeRef | None:
    """get, keys, values, items of a map; index() of a list; date() of a datetime."""
    name = func.attr
    if name.startswith("_"):
        ck.fail("E501", f"attributes starting with '_' ({name!r}) are not allowed")
        return None
    base = ck.check(func.value)
    subject = ast.unparse(func.value)
    refused = not_positional(node)
    if refused:
        ck.fail("E501", f"{subject}.{name}() takes positional arguments only, not {refused}")
        return None
    args = [ck.check(arg) for arg in node.args]
    if base is None:
        return None
    if base.optional or base.kind == "null":
        ck.none_error(func.value, f"asked for .{name}()")
        return None
    if base.kind == "datetime" and name == "date":
        if args:
            ck.fail("E501", f"{subject}.date() takes no arguments")
            return None
        return TypeRef("date")
    if base.kind == "list" and name == "index":
        return _index(ck, node, base, subject, args)
    if base.kind != "map" or name not in METHODS:
        methods = "get, keys, values, items" if base.kind == "map" else "none"
        if base.kind in ("datetime", "list"):
            methods = "date" if base.kind == "datetime" else "index"
        ck.fail(
            "E501",
            f"calling {subject}.{name}() is not allowed: {subject} is {a(base)} "
            f"(its methods here: {methods})",
        )
        return None
    low, high = METHODS[name]
    if not low <= len(args) <= high:
        ck.fail("E501", f"{subject}.{name}() takes {low} to {high} argument(s), got {len(args)}")
        return None
    assert base.key is not None and base.item is not None
    if name != "get":
        if name == "items":
            return view(name, TypeRef("pair", key=base.key, item=base.item))
        return view(name, base.key if name == "keys" else base.item)
    if None in args or not ck.fit(node.args[0], base.key, where=f"a key of {subject}"):
        return None
    if len(args) == 1:
        return TypeRef(base.item.kind, base.item.name, base.item.item, True, base.item.key)
    if not ck.fit(node.args[1], base.item, where=f"the default of {subject}.get()"):
        return None
    return base.item


def _index(
    ck: Checker, node: ast.Call, base: TypeRef, subject: str, args: list[TypeRef | None]
) -> TypeRef | None:
    """`xs.index(x)`: where x first is in the list, an int (a value not in it fails at run time,
    as a missing key of `m[k]` does: check `x in xs` first)."""
    if len(args) != 1:
        ck.fail(
            "E501", f"{subject}.index() takes the value to look for, got {len(args)} argument(s)"
        )
        return None
    assert base.item is not None
    if base.item.kind == "empty":
        ck.fail("E504", f"{subject} is empty: .index() of it never finds anything")
        return None
    if args[0] is None or not ck.fit(node.args[0], base.item, where=f"a value of {subject}"):
        return None
    return INT


def _build(ck: Checker, node: ast.Call, name: str) -> TypeRef | None:
    """A value object by keyword: every field without a default given, each of its type."""
    fields = ck.scope.records[name]
    assert isinstance(fields, ValueObject)
    if node.args:
        ck.fail("E501", f"{name}(...) takes its fields by keyword: {name}(field=..., ...)")
        return None
    given: set[str] = set()
    ok = True
    for argument in node.keywords:
        if argument.arg is None:
            ck.fail("E501", f"{name}(...) takes its fields by keyword, not unpacking (**)")
            return None
        field = argument.arg
        spelled = field.removesuffix("_")
        if field not in fields and keyword.iskeyword(spelled) and spelled in fields:
            field = spelled  # `from_=` for the field `from`, as the generated class names it
        ck.check(argument.value)
        if field not in fields:
            known = ", ".join(sorted(fields)) or "none"
            ck.fail("E503", f"{name} has no field {field!r} (fields: {known})")
            ok = False
            continue
        given.add(field)
        typ = fields[field]
        ok = ck.fit(argument.value, typ, where=f"{name}.{field} ({describe(typ)})") and ok
    missing = [f for f in fields if f not in given and f not in fields.defaults]
    if missing:
        ck.fail(
            "E504",
            f"{name}(...) needs {', '.join(missing)}: every field without a default is given",
        )
        return None
    ck.result.uses.add(name)
    return TypeRef("record", name=name) if ok else None


def not_positional(node: ast.Call) -> str:
    """What a call passes other than plain positional arguments ("" when nothing)."""
    if node.keywords:
        argument = node.keywords[0].arg
        return "unpacking (**)" if argument is None else f"the keyword argument {argument}="
    if any(isinstance(arg, ast.Starred) for arg in node.args):
        return "unpacking (*)"
    return ""

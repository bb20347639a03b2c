"""Ill-typed cases of the section-4 forms (conditionals, subscripts, comprehensions, dict literals
and `|`, map methods, sum/any/all/sorted/round, days/hours/minutes, `.date()`, time arithmetic,
value objects by keyword), for tests/spec/test_expression_property.py. Each breaks one rule that
collection_expressions.py's docstring states; the forms are the section-4 part of ILL_FORMS in
expression_cases.py, which calls `ill_section4`.
"""

from __future__ import annotations

from hypothesis import strategies as st

from generator.spec.expressions.scope import ValueObject
from generator.spec.types import TypeRef
from spec_strategies.collection_expressions import build, ordered
from spec_strategies.expression_cases import _fits, _pair, _typed
from spec_strategies.typed_expressions import (
    ARITHMETIC,
    BOOL,
    INT,
    NUMERIC,
    Grammar,
    Unbuildable,
    _list,
)

TIMES = ("date", "datetime")
MAP_KEYS = ("str", "int", "uuid", "date", "enum")


def shared(x: TypeRef, y: TypeRef) -> bool:
    """Whether two values have a common type (a conditional's branches may be both)."""
    a, b = x.required(), y.required()
    kinds = {a.kind, b.kind}
    if kinds <= set(NUMERIC):
        return kinds != {"decimal", "float"}
    if kinds == {"enum", "str"}:
        return True
    if a.kind == b.kind and a.kind in ("list", "map"):
        keys = a.key is None or b.key is None or shared(a.key, b.key)
        assert a.item is not None and b.item is not None
        return keys and shared(a.item, b.item)
    return a == b


def time_rule(op: str, left: TypeRef, right: TypeRef) -> bool:
    """Whether `left op right` has a rule, with a date, datetime or duration among them."""
    lk, rk = left.kind, right.kind
    if op == "-" and lk == rk and lk in TIMES:
        return True
    if op in "+-" and lk in TIMES and rk == "duration":
        return True
    if op == "+" and lk == "duration" and rk in TIMES:
        return True
    if lk == rk == "duration":
        return op in ("+", "-", "%", "/", "//")
    if op == "*" and {lk, rk} in ({"duration", "int"}, {"duration", "float"}):
        return True
    return op in ("/", "//") and lk == "duration" and rk in ("int", "float")


def _path_of(g: Grammar, where: object) -> tuple[TypeRef, str]:
    found = sorted((t for t in g.paths if where(t)), key=lambda t: t.spec)  # type: ignore[operator]
    if not found:
        raise Unbuildable
    typ = g.draw(st.sampled_from(found))
    return typ, g.path(typ)


def _collection(g: Grammar) -> tuple[TypeRef, str]:
    return _path_of(g, lambda t: t.kind in ("list", "map") and not t.optional)


def _item(typ: TypeRef) -> TypeRef:
    item = typ.item if typ.kind == "list" else typ.key
    assert item is not None
    return item


def _value_object(g: Grammar) -> tuple[str, ValueObject]:
    built = sorted(n for n, f in g.scope.records.items() if isinstance(f, ValueObject))
    if not built:
        raise Unbuildable
    name = g.draw(st.sampled_from(built))
    fields = g.scope.records[name]
    assert isinstance(fields, ValueObject)
    return name, fields


def ill_section4(g: Grammar, form: str) -> tuple[str, TypeRef | None]:
    """`form` broken once: the text, and the expected type (None: any)."""
    if form == "cond-no-common":
        x, a, _, b = _pair(g, lambda x, y: not shared(x, y))
        return f"{a} if {g.operand(BOOL, 1)} else {b}", x
    if form == "cond-test-not-bool":
        typ, a = _typed(g, lambda t: True)
        _, test = _typed(g, lambda t: t != BOOL)
        return f"{a} if {test} else {a}", typ
    if form == "index-not-int":
        coll, xs = _path_of(g, lambda t: t.kind == "list" and not t.optional)
        _, index = _typed(g, lambda t: t != INT)
        return f"{xs}[{index}]", _item(coll)
    if form == "map-key-wrong":
        m, path = _path_of(g, lambda t: t.kind == "map" and not t.optional)
        assert m.key is not None and m.item is not None
        key = m.key
        _, k = _typed(g, lambda t: not _fits(t, key))
        if g.draw(st.booleans()):
            return f"{path}.get({k})", TypeRef(
                m.item.kind, m.item.name, m.item.item, True, m.item.key
            )
        return f"{path}[{k}]", m.item
    if form == "subscript-non-collection":
        typ, a = _typed(g, lambda t: t.kind not in ("list", "map") or t.optional)
        return f"{a}[0]", None
    if form == "slice-bad":
        if g.draw(st.booleans()):
            typ, a = _typed(g, lambda t: t.kind != "list" or t.optional)
            return f"{a}[0:1]", typ
        typ, a = _path_of(g, lambda t: t.kind == "list" and not t.optional)
        return f"{a}[::{g.draw(st.sampled_from([1, 2, -1]))}]", typ
    if form == "comp-over-non-collection":
        typ, a = _typed(g, lambda t: t.kind not in ("list", "map") or t.optional)
        return f"[it for it in {a}]", None
    if form == "comp-two-fors":
        coll, a = _collection(g)
        _, b = _collection(g)
        return f"[it for it in {a} for jt in {b}]", _list(_item(coll))
    if form == "comp-nested":
        coll, a = _collection(g)
        _, b = _collection(g)
        item = _item(coll)
        shape = g.draw(st.sampled_from(["list", "over", "any"]))
        if shape == "list":
            return f"[[jt for jt in {b}] for it in {a}]", None
        if shape == "over":
            return f"[it for it in [jt for jt in {a}]]", _list(item)
        return f"any(any(True for jt in {b}) for it in {a})", BOOL
    if form == "comp-over-empty":
        source = g.draw(st.sampled_from(["[]", "[{}]", "[[], []]", "{}"]))
        return f"[it for it in {source}]", g.any_type(lambda t: t.kind == "list")
    if form == "comp-if-not-bool":
        coll, a = _collection(g)
        _, test = _typed(g, lambda t: t != BOOL)
        return f"[it for it in {a} if {test}]", _list(_item(coll))
    if form == "sum-non-number":
        coll, a = _path_of(g, lambda t: t.kind == "list" and not t.optional
                           and _item(t).kind not in (*NUMERIC, "duration"))  # fmt: skip
        return f"sum({a})", _item(coll)
    if form == "any-non-bool":
        _, a = _path_of(g, lambda t: t.kind == "list" and not t.optional and _item(t) != BOOL)
        return f"{g.draw(st.sampled_from(['any', 'all']))}({a})", BOOL
    if form == "sorted-unorderable":
        coll, a = _path_of(g, lambda t: t.kind == "list" and not t.optional
                           and not ordered(_item(t)) and _item(t).kind not in ("bool", "uuid"))  # fmt: skip
        return f"sorted({a})", coll
    if form == "round-non-number":
        if g.draw(st.booleans()):
            _, a = _typed(g, lambda t: t.kind not in NUMERIC or t.optional)
            return f"round({a})", INT
        typ, a = _typed(g, lambda t: t.kind in NUMERIC and not t.optional)
        _, digits = _typed(g, lambda t: t != INT)
        return f"round({a}, {digits})", typ
    if form == "duration-fn-non-number":
        _, a = _typed(g, lambda t: t.kind not in ("int", "float") or t.optional)
        return f"{g.draw(st.sampled_from(['days', 'hours', 'minutes']))}({a})", TypeRef("duration")
    if form.startswith("build-"):
        return _bad_build(g, form)
    if form == "time-mixed":
        op = g.draw(st.sampled_from(ARITHMETIC))
        x, a, _, b = _pair(g, lambda x, y: not (x.optional or y.optional)
                           and bool({x.kind, y.kind} & {*TIMES, "duration"})
                           and not time_rule(op, x, y))  # fmt: skip
        return f"{a} {op} {b}", x
    if form == "date-of-non-datetime":
        typ, a = _typed(g, lambda t: t.kind != "datetime" or t.optional)
        return f"{a}.date()", TypeRef("date")
    if form == "merge-non-map":
        x, a, _, b = _pair(g, lambda x, y: not (x.kind == y.kind == "map" and shared(x, y)))
        return f"{a} | {b}", x
    if form == "map-method-on-non-map":
        _, a = _typed(g, lambda t: t.kind != "map" or t.optional)
        return f"{a}.{g.draw(st.sampled_from(['get(0)', 'keys()', 'values()', 'items()']))}", None
    assert form == "dict-literal-bad-key", form
    typ, k = _typed(g, lambda t: t.optional or t.kind not in MAP_KEYS)
    return f"{{{k}: 1}}", None


def _bad_build(g: Grammar, form: str) -> tuple[str, TypeRef | None]:
    name, fields = _value_object(g)
    want = TypeRef("record", name=name)
    if form == "build-missing-field":
        needed = [f for f in fields if f not in fields.defaults]
        if not needed:
            raise Unbuildable
        return build(g, name, 1, leave_out=g.draw(st.sampled_from(needed))), want
    if form == "build-positional":
        _, a = _typed(g, lambda t: True)
        return f"{name}({a})", want
    text = build(g, name, 1)
    if form == "build-unknown-field":
        extra = g.draw(
            st.sampled_from([w for w in ("nosuch", "amount", "size") if w not in fields])
        )
        return f"{text[:-1]}{', ' if text[-2] != '(' else ''}{extra}=1)", want
    assert form == "build-wrong-field", form
    field = g.draw(st.sampled_from(sorted(fields)))
    typ = fields[field]
    _, value = _typed(g, lambda t: not _fits(t, typ))
    others = build(g, name, 1, leave_out=field)
    return f"{others[:-1]}{', ' if others[-2] != '(' else ''}{field}={value})", want

"""Cases for tests/spec/test_expression_property.py: `batches()` draws a scope and well-typed
and ill-typed cases over it (the scope and the typed grammar are in typed_expressions.py).

An ill-typed case is built from well-typed parts put together against one rule of the language,
named by its `form` (ILL_FORMS); where the language refuses something Python allows, a comment
says so.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import strategies as st

from generator.spec.types import TypeRef
from spec_strategies.typed_expressions import (
    ARITHMETIC,
    BOOL,
    CONTEXTS,
    DATE,
    DATETIME,
    DECIMAL,
    DURATION,
    ENUM_VALUES,
    FLOAT,
    INT,
    NUMERIC,
    ORDER,
    STR,
    WORDS,
    Batch,
    Case,
    Grammar,
    Unbuildable,
    _list,
    arithmetic,
    orderable,
    overlapping,
    scopes,
    undecided,
)

# Ill-typed forms: each breaks one rule; the compiler must refuse it with an E5xx error.
ILL_FORMS = (
    "arith-types",  # + - * / // % on types with no rule (also str * int, bool + int, list * int,
    # str % x, which Python allows: the language refuses them on purpose, arithmetic is on numbers)
    "decimal-float",  # a decimal and a float value (not a literal) in arithmetic
    "arith-optional",  # an optional number in arithmetic
    "list-minus",  # list - list (Python refuses it too)
    "list-literal-operand",  # a list literal as an operand of arithmetic: `state.ids - [1]`
    "order-types",  # < between kinds with no order between them (date < datetime: TypeError)
    "order-optional",  # an optional value in <
    "order-unorderable",  # < between two maps or two records
    "eq-unrelated",  # == between unrelated types: always False (mypy --strict refuses it)
    "in-scalar",  # x in <a value that is not a collection>
    "in-wrong-item",  # x in a list of another item type (always False; mypy refuses it)
    "len-scalar",  # len() of a number, date, ...
    "abs-non-number",
    "minmax-mixed",  # min/max of a number and a str, a decimal and a float value, ...
    "neg-non-number",  # -x of a str, bool (Python gives an int), date, ...
    "unknown-field",
    "unknown-method",
    "unknown-function",
    "unknown-name",
    "arg-count",
    "wrong-expected",  # the expression's type does not fit the field (an enum in a str field
    # and a datetime in a date field type-check in Python; the language refuses them on purpose)
    "enum-bad-literal",
    "list-literal-wrong-items",  # ['x'] for a list[int]
    "attribute-of-non-record",
    # section 4
    "cond-no-common",  # a if c else b, a and b of no common type
    "cond-test-not-bool",  # a if <not a bool> else b (Python takes any value's truth)
    "index-not-int",  # xs[<not an int>] (a bool index is an int in Python; refused here)
    "map-key-wrong",  # m[k] or m.get(k) with k of another type than the map's keys
    "subscript-non-collection",  # x[0] of a number, a str (refused: not a list or map), ...
    "slice-bad",  # a slice of a map or a str, or with a step
    "comp-over-non-collection",  # [i for i in <not a list or map>]
    "comp-two-fors",  # [i for i in xs for j in ys]
    "comp-nested",  # a comprehension or generator inside another
    "comp-if-not-bool",  # [i for i in xs if <not a bool>]
    "comp-over-empty",  # [i for i in []] or [i for i in [{}]]: its items have no type
    "sum-non-number",  # sum of str, bool (Python counts them), records, ... values
    "any-non-bool",  # any/all of values that are not bools
    "sorted-unorderable",  # sorted of records, maps, lists, optional values
    "round-non-number",  # round of a str, a duration, ...; round(x, <not an int>)
    "duration-fn-non-number",  # days/hours/minutes of a decimal (TypeError), a str, ...
    "build-missing-field",  # a value object without a field that has no default
    "build-unknown-field",
    "build-wrong-field",  # a field given a value of another type
    "build-positional",
    "time-mixed",  # date - datetime, duration * duration, date + date, duration + int, ...
    "date-of-non-datetime",  # .date() of a date, a str, an optional datetime
    "merge-non-map",  # | of a map and a list (or of two maps of unrelated types)
    "map-method-on-non-map",  # xs.get(0), xs.keys() of a list, ...
    "dict-literal-bad-key",  # {k: v} with k a decimal, float, list, optional, ...
)
SECTION4_FORMS = ILL_FORMS[ILL_FORMS.index("cond-no-common") :]  # built in collection_cases.py


# -- ill-typed cases -----------------------------------------------------------------------------


def _typed(g: Grammar, where: Callable[[TypeRef], bool]) -> tuple[TypeRef, str]:
    """A type and an expression of it that is not a literal (a float literal next to a decimal
    and a list literal are read in their context, so they would not break the rule)."""
    plain = (INT, STR, BOOL, DATE, DATETIME, DURATION)  # built without a literal of their own
    typ = g.any_type(lambda t: where(t) and (t in g.paths or t in plain))
    if typ in g.paths:
        return typ, g.path(typ)
    return typ, g.operand(typ, 1, literal_ok=False)


def _pair(g: Grammar, bad: Callable[[TypeRef, TypeRef], bool]) -> tuple[TypeRef, str, TypeRef, str]:
    """Two typed expressions whose types make `bad` true."""
    left, left_text = _typed(g, lambda t: any(bad(t, u) for u in g.wantable if g.buildable(u)))
    right, right_text = _typed(g, lambda u: bad(left, u))
    return left, left_text, right, right_text


def _ill(g: Grammar, form: str) -> tuple[str, TypeRef | None]:
    """`form` broken once: the text, and the expected type (None: any the case picks)."""
    op = g.draw(st.sampled_from(ARITHMETIC))
    if form == "arith-types":
        x, a, _, b = _pair(
            g,
            lambda x, y: (
                not (x.optional or y.optional or undecided(op, x, y)) and not arithmetic(op, x, y)
            ),
        )
        return f"{a} {op} {b}", x
    if form == "decimal-float":
        a = g.path(DECIMAL)  # and a float value, never a signed literal:
        b = g.path(FLOAT) if FLOAT in g.paths else f"({g.expr(FLOAT, 1)} * 1.0)"
        return f"{a} {op} {b}" if g.draw(st.booleans()) else f"{b} {op} {a}", DECIMAL
    if form == "arith-optional":
        typ, a = _typed(g, lambda t: t.optional and t.kind in NUMERIC)
        return f"{a} {op} {g.expr(typ.required(), 1)}", typ
    if form == "list-minus":
        typ, a = _typed(g, lambda t: t.kind == "list" and not t.optional)
        _, b = _typed(g, lambda t: t.kind == "list" and not t.optional)
        return f"{a} - {b}", typ
    if form == "list-literal-operand":
        typ, a = _typed(g, lambda t: True)
        item = g.any_type(lambda t: not t.optional and t.kind != "list")
        op = g.draw(st.sampled_from(["-", "*", "/", "%"]))
        return f"{a} {op} [{g.expr(item, 0)}]", typ
    cmp = g.draw(st.sampled_from(ORDER))
    if form == "order-types":
        _, a, _, b = _pair(g, lambda x, y: not (x.optional or y.optional) and not orderable(x, y)
                           and x.kind != y.kind)  # fmt: skip
        return f"{a} {cmp} {b}", BOOL
    if form == "order-optional":
        typ, a = _typed(g, lambda t: t.optional and orderable(t, t) is True)
        return f"{a} {cmp} {g.operand(typ.required(), 1)}", BOOL
    if form == "order-unorderable":
        typ, a = _typed(g, lambda t: not t.optional and t.kind in ("map", "record"))
        return f"{a} {cmp} {g.path(typ)}", BOOL
    if form == "eq-unrelated":
        _, a, _, b = _pair(g, lambda x, y: not overlapping(x, y))
        return f"{a} {g.draw(st.sampled_from(['==', '!=']))} {b}", BOOL
    if form == "in-scalar":
        _, a = _typed(g, lambda t: True)
        _, b = _typed(g, lambda t: t.kind not in ("list", "map", "str"))
        return f"{a} in {b}", BOOL
    if form == "in-wrong-item":
        lists = [t for t in g.paths if t.kind == "list" and not t.optional]
        if not lists:
            raise Unbuildable
        coll = g.draw(st.sampled_from(sorted(lists, key=str)))
        assert coll.item is not None
        _, a = _typed(g, lambda t: not overlapping(t, coll.item))  # type: ignore[arg-type]
        return f"{a} in {g.path(coll)}", BOOL
    if form == "len-scalar":
        _, a = _typed(g, lambda t: t.kind not in ("list", "map", "str"))
        return f"len({a})", INT
    if form == "abs-non-number":
        typ, a = _typed(g, lambda t: t.kind not in (*NUMERIC, "duration") or t.optional)
        return f"abs({a})", typ
    if form == "minmax-mixed":
        # one a number and one not, two kinds of something else, or a decimal and a float
        x, a, _, b = _pair(
            g,
            lambda x, y: (
                x.kind != y.kind
                and (
                    not {x.kind, y.kind} <= set(NUMERIC) or {x.kind, y.kind} == {"decimal", "float"}
                )
            ),
        )
        return f"{g.draw(st.sampled_from(['min', 'max']))}({a}, {b})", x
    if form == "neg-non-number":
        typ, a = _typed(g, lambda t: t.kind not in (*NUMERIC, "duration") or t.optional)
        return f"-{a}", typ
    if form == "unknown-field":
        ctx = g.draw(st.sampled_from(CONTEXTS))
        missing = [w for w in WORDS if w not in g.scope.names[ctx]]
        return f"{ctx}.{g.draw(st.sampled_from(missing))}", None
    if form == "unknown-method":
        _, a = _typed(g, lambda t: True)
        method = g.draw(st.sampled_from(["upper", "strip", "pop", "append", "copy", "isoformat"]))
        return f"{a}.{method}()", None
    if form == "unknown-function":
        _, a = _typed(g, lambda t: True)
        return f"{g.draw(st.sampled_from(['print', 'eval', 'sumx', 'str', 'int']))}({a})", None
    if form == "unknown-name":
        return g.draw(st.sampled_from(["balance", "self.count", "row.amount", "x"])), None
    if form == "arg-count":
        _, a = _typed(g, lambda t: t.kind in NUMERIC and not t.optional)
        return g.draw(st.sampled_from(
            ["len()", f"len({a}, {a})", "abs()", f"abs({a}, {a})", f"min({a})", f"max({a})",
             "now(1)", f"now({a})"])), None  # fmt: skip
    if form == "enum-bad-literal":
        enum = g.draw(st.sampled_from(sorted(g.scope.enums)))
        bad = g.draw(
            st.sampled_from([v for v in (*ENUM_VALUES, "no") if v not in g.scope.enums[enum]])
        )
        typ = TypeRef("enum", name=enum)
        if typ in g.paths and g.draw(st.booleans()):
            return f"{g.path(typ)} {g.draw(st.sampled_from(['==', '!=']))} {bad!r}", BOOL
        return repr(bad), typ
    if form == "list-literal-wrong-items":
        item = g.any_type(lambda t: not t.optional and t.kind != "list")
        other = g.any_type(  # not a map (`{}` fits any map), nor a float literal for a decimal
            lambda t: (
                not t.optional
                and t.kind not in ("list", "map")
                and not _fits(t, item)
                and (t.kind, item.kind) != ("float", "decimal")
            )
        )
        return f"[{g.expr(other, 0)}]", _list(item)
    if form == "attribute-of-non-record":
        typ, a = _typed(g, lambda t: t.kind != "record" or t.optional)
        fields = g.scope.records.get(typ.name, {"real": INT, "days": INT})
        return f"{a}.{g.draw(st.sampled_from(sorted(fields)))}", None
    if form in SECTION4_FORMS:
        from spec_strategies.collection_cases import ill_section4  # it imports this module

        return ill_section4(g, form)
    assert form == "wrong-expected", form
    typ, a = _typed(g, lambda t: True)
    want = g.any_type(lambda t: not _fits(typ, t))
    return a, want


def _fits(actual: TypeRef, expected: TypeRef, *, top: bool = True) -> bool:
    """Whether a value of `actual` goes into a field of `expected`: an int widens (not inside
    a list or map, where nothing converts it), a list's items and a map's values may be wider
    (a list[int] is a list[int?]), a map's keys must be the same."""
    if actual.optional and not expected.optional:
        return False
    a, e = actual.required(), expected.required()
    if a == e or (top and a.kind == "int" and e.kind in ("decimal", "float")):
        return True
    if a.kind == e.kind == "list" and a.item is not None and e.item is not None:
        return _fits(a.item, e.item, top=False)
    if a.kind == e.kind == "map" and a.item is not None and e.item is not None:
        return a.key == e.key and _fits(a.item, e.item, top=False)
    return False


def ill_case(g: Grammar, form: str) -> Case:
    """A case of `form`. Its field has the type a lax reading would give the expression (the
    left operand's, a bool for a comparison), so that the fit to the field does not refuse it in
    place of the rule it breaks."""
    text, expected = _ill(g, form)
    if expected is None:  # unknown names, wrong argument counts: any field will do
        expected = g.any_type()
    return Case(text, expected, False, form)


@st.composite
def batches(draw: st.DrawFn, well: int = 10, ill: int = 18) -> Batch:
    """A scope, `well` well-typed cases and up to `ill` ill-typed ones over it, of different
    forms (a form the scope has nothing to break with gives way to the next)."""
    scope = draw(scopes())
    g = Grammar(draw, scope)
    cases = [g.root() for _ in range(well)]
    # the forms in turn from a random one on: over a few batches, each form is drawn
    start = draw(st.integers(0, len(ILL_FORMS) - 1))
    for form in ILL_FORMS[start:] + ILL_FORMS[:start]:
        if len(cases) == well + ill:
            break
        try:
            cases.append(ill_case(g, form))
        except Unbuildable:  # this scope has nothing to break the rule with
            continue
    return Batch(scope, tuple(cases))

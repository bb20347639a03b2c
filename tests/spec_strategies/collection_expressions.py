"""The section-4 forms of the typed grammar (typed_expressions.py), for
tests/spec/test_expression_property.py: conditionals, list subscripts and slices, map subscripts
and get/keys/values/items, dict literals and map merge `|`, list and dict comprehensions and
generator expressions (one `for`, a name or a `k, v` pair, an optional `if`), sum, any, all,
sorted, round, days/hours/minutes, `.date()`, time arithmetic with durations, and value objects
built by keyword.

The rules, as section 4 of spec-language-next.md and docs/spec-language.md state them (written
here independently of generator/spec/expressions/):

- `a if c else b`: c a bool, the branches of one type (ints widen);
- `xs[i]` an int index of a list, `xs[a:b]` int bounds, no step; `m[k]` and `m.get(k[, d])` a
  key of the map's key type (`get(k)` may be None); iterating a map gives its keys;
- comprehensions go over a list, a map, or its keys(), values() or items() (then `for k, v`),
  never inside another comprehension (and a generator inside sum/any/all/sorted is one);
- `{k: v}` keys of one key type, `m | n` of two maps of one type;
- sum of numbers or durations (of the items' type), any/all of bools, sorted of ordered items
  (numbers, str, date, datetime, duration, an enum), round(x) an int, round(x, n) x's type;
- days/hours/minutes of an int or a float; `.date()` of a datetime; time minus time of one kind
  is a duration, a time plus or minus a duration a time, durations add, subtract, take %,
  scale by and divide by a number, and divide by a duration (a float, // an int);
- a value object by keyword: every field without a default, each of its type.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from hypothesis import strategies as st

from generator.spec.expressions.scope import ValueObject
from generator.spec.types import TypeRef
from spec_strategies.typed_expressions import (
    BOOL,
    DATE,
    DATETIME,
    DURATION,
    FLOAT,
    INT,
    NUMERIC,
    Grammar,
    Unbuildable,
    _list,
    _opt,
)

Forms = list[tuple[str, Callable[[], str]]]
ORDERED = (*NUMERIC, "str", "date", "datetime", "duration", "enum")
# Every well-typed form the grammar draws (the root's forms and the nodes below it): the CI
# examples must reach each (test_the_ci_examples_reach_every_well_typed_form).
WELL_FORMS = (
    "expr", "none", "widen", "enum-literal", "path", "required", "literal", "now",
    "list-literal", "compare", "eq", "and-or", "not", "in", "is-none", "arith", "neg", "abs",
    "min-max", "len", "concat",
    # section 4
    "conditional", "conditional-none", "index", "slice", "map-subscript", "map-get",
    "map-get-default", "dict-literal", "merge", "list-comp", "dict-comp", "pair-comp",
    "generator", "keys-values", "sum", "any-all", "sorted", "round", "duration-fn", "date-of",
    "time-arith", "build", "today", "collection", "comp-narrow",
)  # fmt: skip


def ordered(typ: TypeRef) -> bool:
    return not typ.optional and typ.kind in ORDERED


def section4(g: Grammar, want: TypeRef, depth: int) -> Forms:
    """The section-4 forms giving `want` (a required type), parts at most `depth` deep."""
    kind = want.kind
    out: Forms = [("conditional", lambda: _conditional(g, want, depth))]
    if g.buildable(_list(want), 1):
        out.append(("index", lambda: _index(g, want, depth)))
    if _maps(g, lambda m: m.item == want):
        out.append(("map-subscript", lambda: _map_subscript(g, want, depth)))
        out.append(("map-get-default", lambda: _map_get(g, want, depth, default=True)))
    if kind == "list":
        out.append(("slice", lambda: _slice(g, want, depth)))
        out.append(("list-comp", lambda: _list_comp(g, want, depth)))
        out.append(("comp-narrow", lambda: _narrowing_comp(g, want)))
        assert want.item is not None
        if ordered(want.item):
            out.append(("sorted", lambda: _sorted(g, want.item, depth)))  # type: ignore[arg-type]
    if kind == "map":
        out.append(("dict-literal", lambda: dict_literal(g, want, depth)))
        out.append(("merge", lambda: f"{g.operand(want, depth)} | {g.operand(want, depth)}"))
        out.append(("dict-comp", lambda: _dict_comp(g, want, depth)))
    if kind in (*NUMERIC, "duration"):
        out.append(("sum", lambda: _sum(g, want, depth)))
    if kind == "bool":
        out.append(("any-all", lambda: _any_all(g, depth)))
    if kind == "int":
        out.append(("round", lambda: f"round({g.expr(_number(g), depth)})"))
    if kind in ("float", "decimal"):
        digits = lambda: str(g.draw(st.integers(0, 3)))  # noqa: E731
        out.append(("round", lambda: f"round({g.expr(want, depth)}, {digits()})"))
    if kind == "duration":
        out.append(("duration-fn", lambda: duration_fn(g, depth)))
        out.append(("neg", lambda: "-" + g.operand(want, depth)))
        out.append(("abs", lambda: f"abs({g.expr(want, depth)})"))
    if kind == "date":
        out.append(("date-of", lambda: f"{g.operand(DATETIME, depth)}.date()"))
    if kind in ("duration", "date", "datetime", "float", "int"):
        out.append(("time-arith", lambda: _time_arith(g, want, depth)))
    if kind == "record" and isinstance(g.scope.records.get(want.name), ValueObject):
        out.append(("build", lambda: build(g, want.name, depth)))
    return out


def optional_forms(g: Grammar, want: TypeRef, depth: int) -> Forms:
    """Section-4 forms giving an optional type (`want` is optional)."""
    need = want.required()
    out: Forms = []
    if depth > 0 and g.buildable(need):
        out += [("conditional-none", lambda: _conditional(g, need, depth - 1, none=True))] * 2
    if _maps(g, lambda m: m.item == need):
        out += [("map-get", lambda: _map_get(g, need, depth, default=False))] * 2
    return out


def leaf(want: TypeRef, g: Grammar) -> Forms:
    """Forms of no depth for types with no literal."""
    if want.kind == "date":
        return [("today", lambda: "now().date()")]
    if want.kind == "duration":
        return [("duration-fn", lambda: f"days({g.draw(st.integers(-3, 30))})")]
    if want.kind == "map":
        return [("dict-literal", lambda: dict_literal(g, want, 0))]
    if want.kind == "record" and isinstance(g.scope.records.get(want.name), ValueObject):
        return [("build", lambda: build(g, want.name, 0))]
    return []


def _number(g: Grammar) -> TypeRef:
    return g.draw(st.sampled_from([INT, FLOAT, TypeRef("decimal")]))


def _conditional(g: Grammar, want: TypeRef, depth: int, *, none: bool = False) -> str:
    body = g.operand(want, depth)
    other = "None" if none else g.operand(want, depth)
    if none and g.draw(st.booleans()):
        body, other = other, body
    return f"{body} if {g.condition(depth)} else {other}"


def _maps(g: Grammar, where: Callable[[TypeRef], bool]) -> list[TypeRef]:
    found = [t for t in g.paths if t.kind == "map" and not t.optional and where(t)]
    return sorted(found, key=lambda t: t.spec)


def key_text(g: Grammar, key: TypeRef, depth: int) -> str:
    """A key of a map: an expression of the key type, or an enum's value written as text."""
    if key.kind == "enum" and g.draw(st.booleans()):
        return repr(g.draw(st.sampled_from(list(g.scope.enums[key.name]))))
    return g.expr(key, depth)


def _map_subscript(g: Grammar, want: TypeRef, depth: int) -> str:
    m = g.draw(st.sampled_from(_maps(g, lambda t: t.item == want)))
    assert m.key is not None
    return f"{g.path(m)}[{key_text(g, m.key, depth)}]"


def _map_get(g: Grammar, want: TypeRef, depth: int, *, default: bool) -> str:
    m = g.draw(st.sampled_from(_maps(g, lambda t: t.item == want)))
    assert m.key is not None
    extra = f", {g.expr(want, depth)}" if default else ""
    return f"{g.path(m)}.get({key_text(g, m.key, depth)}{extra})"


def _index(g: Grammar, want: TypeRef, depth: int) -> str:
    # an item taken out of a list is not fitted to the field: no ints widened in it
    exact, g.exact_lists = g.exact_lists, True
    try:
        items = g.operand(_list(want), depth)
    finally:
        g.exact_lists = exact
    if fixed_length(ast.parse(items, mode="eval").body):
        # `[a][5]` is refused (E504: mypy --strict knows the length, B10), and `[][0]` has no
        # type: ill-typed, so not drawn here
        raise Unbuildable
    return f"{items}[{g.operand(INT, depth)}]"


def fixed_length(node: ast.expr) -> bool:
    """Whether the compiled list is a tuple of a length mypy knows: a list literal, a slice of
    one, a conditional choosing one, two of them added."""
    if isinstance(node, ast.List):
        return True
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
        return fixed_length(node.value)
    if isinstance(node, ast.IfExp):
        return fixed_length(node.body) or fixed_length(node.orelse)
    if isinstance(node, ast.BinOp):
        return fixed_length(node.left) or fixed_length(node.right)
    return False


def _slice(g: Grammar, want: TypeRef, depth: int) -> str:
    assert want.item is not None
    low = g.operand(INT, depth) if g.draw(st.booleans()) else ""
    high = g.operand(INT, depth) if g.draw(st.booleans()) else ""
    items = g.path(want) if want in g.paths and g.draw(st.booleans()) else g.operand(want, depth)
    if fixed_length(ast.parse(items, mode="eval").body):
        # `[5][0:-8]` is refused (E504, B10): to mypy it is a `tuple[()]`, so `sum(...)` of it
        # returns Any; ill-typed, so not drawn here
        raise Unbuildable
    return f"{items}[{low}:{high}]"


def dict_literal(g: Grammar, want: TypeRef, depth: int) -> str:
    assert want.key is not None and want.item is not None
    entries: dict[str, str] = {}
    for _ in range(g.draw(st.integers(0, 2))):
        key = key_text(g, want.key, min(depth, 1))
        item = (
            INT if want.item.kind in ("decimal", "float") and g.draw(st.booleans()) else want.item
        )
        entries.setdefault(key, g.expr(item, min(depth, 1)))  # a key written twice is refused
    return "{" + ", ".join(f"{k}: {v}" for k, v in entries.items()) + "}"


def _sources(g: Grammar) -> list[tuple[str, tuple[TypeRef, ...]]]:
    """What a comprehension can go over here, and the types of its variable(s)."""
    if g.in_comprehension:
        return []
    out: list[tuple[str, tuple[TypeRef, ...]]] = []
    for typ in sorted(g.paths, key=lambda t: t.spec):
        if typ.optional or typ.kind not in ("list", "map"):
            continue
        for path in g.paths[typ]:
            if typ.kind == "list":
                assert typ.item is not None
                out.append((path, (typ.item,)))
                continue
            assert typ.key is not None and typ.item is not None
            out += [(path, (typ.key,)), (f"{path}.keys()", (typ.key,))]
            out += [(f"{path}.values()", (typ.item,)), (f"{path}.items()", (typ.key, typ.item))]
    return out


def _loop(g: Grammar, depth: int, body: Callable[[], str]) -> str:
    """`<body> for <var(s)> in <source> [if <cond>]`, the variables in scope for body and cond."""
    sources = _sources(g)
    if g.in_comprehension:
        raise Unbuildable
    if (
        not sources or g.draw(st.integers(0, 4)) == 0
    ):  # over a list literal (an empty one is refused)
        typ = g.any_type(lambda t: not t.optional and t.kind not in ("list", "map", "empty"))
        items = [g.expr(typ, 0) for _ in range(g.draw(st.integers(1, 2)))]
        sources = [(f"[{', '.join(items)}]", (typ,))]
    source, types = g.draw(st.sampled_from(sources))
    names = ("it",) if len(types) == 1 else ("k", "v")
    g.used.add("pair-comp" if len(types) == 2 else "keys-values" if "()" in source else "path")
    saved = {t: list(p) for t, p in g.paths.items()}
    g.in_comprehension = True
    try:
        for name, typ in zip(names, types, strict=True):
            g.add_path(name, typ)
        text = f"{body()} for {', '.join(names)} in {source}"
        if g.draw(st.booleans()):
            text += f" if {g.condition(depth)}"
        return text
    finally:
        g.paths = saved
        g.in_comprehension = False


def _list_comp(g: Grammar, want: TypeRef, depth: int) -> str:
    assert want.item is not None
    item = want.item
    return "[" + _loop(g, depth, lambda: g.expr(item, depth)) + "]"


def _narrowing_comp(g: Grammar, want: TypeRef) -> str:
    """`[it for it in xs if it is not None]`: the optional items of xs, narrowed."""
    assert want.item is not None
    found = [(text, types) for text, types in _sources(g) if types == (_opt(want.item),)]
    if not found:
        raise Unbuildable
    source = g.draw(st.sampled_from(found))[0]
    return f"[it for it in {source} if it is not None]"


def _dict_comp(g: Grammar, want: TypeRef, depth: int) -> str:
    assert want.key is not None and want.item is not None
    key, item = want.key, want.item
    return "{" + _loop(g, depth, lambda: f"{g.expr(key, depth)}: {g.expr(item, depth)}") + "}"


def _generator(g: Grammar, item: TypeRef, depth: int) -> str:
    text = _loop(g, depth, lambda: g.expr(item, depth))
    g.used.add("generator")
    return text


def _collection(g: Grammar, item: TypeRef, depth: int) -> str:
    """Something sum/any/all/sorted go over, of items of `item`: a list, a map's keys or values,
    or a generator expression (a map itself stands for its keys)."""
    options: Forms = [("collection", lambda: _not_empty(g.expr(_list(item), depth)))]
    options.append(("generator", lambda: _generator(g, item, depth)))
    keyed = _maps(g, lambda m: m.key == item)
    valued = _maps(g, lambda m: m.item == item)
    if keyed:
        ways = ["", ".keys()"]
        options.append(
            (
                "keys-values",
                lambda: g.path(g.draw(st.sampled_from(keyed))) + g.draw(st.sampled_from(ways)),
            )
        )
    if valued:
        options.append(
            ("keys-values", lambda: g.path(g.draw(st.sampled_from(valued))) + ".values()")
        )
    return g.pick(options)[1]


def _not_empty(text: str) -> str:
    if _empty(ast.parse(text, mode="eval").body):
        raise Unbuildable  # sum([]), sorted([]): refused, the language says to write the value
    return text


def _empty(node: ast.expr) -> bool:
    """Whether a list expression is made of empty literals only (its items have no type)."""
    if isinstance(node, ast.List):
        return not node.elts
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
        return _empty(node.value)
    if isinstance(node, ast.IfExp):
        return _empty(node.body) and _empty(node.orelse)
    if isinstance(node, ast.BinOp):
        return _empty(node.left) and _empty(node.right)
    return False


def _sum(g: Grammar, want: TypeRef, depth: int) -> str:
    # A list literal of ints summed is an int, also where a decimal goes: no int items then,
    # or `0.5 + sum([n])` (a float literal beside what is taken for a decimal) is drawn as a
    # decimal while it is a float (found by the long profile)
    exact, g.exact_lists = g.exact_lists, True
    try:
        return f"sum({_collection(g, want, depth)})"  # sum(m) adds m's keys (B11, fixed)
    finally:
        g.exact_lists = exact


def _any_all(g: Grammar, depth: int) -> str:
    return f"{g.draw(st.sampled_from(['any', 'all']))}({_collection(g, BOOL, depth)})"


def _sorted(g: Grammar, item: TypeRef, depth: int) -> str:
    exact, g.exact_lists = g.exact_lists, True
    try:
        return f"sorted({_collection(g, item, depth)})"
    finally:
        g.exact_lists = exact


def duration_fn(g: Grammar, depth: int) -> str:
    fn = g.draw(st.sampled_from(["days", "hours", "minutes"]))
    return f"{fn}({g.expr(g.draw(st.sampled_from([INT, FLOAT])), depth)})"


def _time_arith(g: Grammar, want: TypeRef, depth: int) -> str:
    d = lambda: g.operand(DURATION, depth)  # noqa: E731
    n = lambda: g.operand(g.draw(st.sampled_from([INT, FLOAT])), depth)  # noqa: E731
    kind = want.kind
    if kind == "int":
        return f"{d()} // {d()}"
    if kind == "float":
        return f"{d()} / {d()}"
    if kind in ("date", "datetime"):
        shape = g.draw(st.sampled_from(["+", "-", "dur+"]))
        if shape == "dur+":
            return f"{d()} + {g.operand(want, depth)}"
        return f"{g.operand(want, depth)} {shape} {d()}"
    shape = g.draw(st.sampled_from(["time-time", "dur-dur", "scale", "divide"]))
    if shape == "time-time":
        time = g.draw(st.sampled_from([DATE, DATETIME]))
        return f"{g.operand(time, depth)} - {g.operand(time, depth)}"
    if shape == "dur-dur":
        return f"{d()} {g.draw(st.sampled_from(['+', '-', '%']))} {d()}"
    if shape == "scale":
        return f"{d()} * {n()}" if g.draw(st.booleans()) else f"{n()} * {d()}"
    return f"{d()} {g.draw(st.sampled_from(['/', '//']))} {g.operand(INT, depth)}"


def build(g: Grammar, name: str, depth: int, *, leave_out: str = "") -> str:
    """`Name(field=..., ...)`: every field without a default (some with one), in any order."""
    fields = g.scope.records[name]
    assert isinstance(fields, ValueObject)
    given = [f for f in fields if f not in fields.defaults or g.draw(st.booleans())]
    given = [f for f in g.draw(st.permutations(given)) if f != leave_out]
    parts = [f"{f}={_field_value(g, fields[f], depth)}" for f in given]
    return f"{name}({', '.join(parts)})"


def _field_value(g: Grammar, typ: TypeRef, depth: int) -> str:
    if typ.optional and g.draw(st.integers(0, 3)) == 0:
        return "None"
    return g.expr(typ, min(depth, 1))

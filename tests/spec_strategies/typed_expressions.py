"""Random scopes and expressions built by type over them, for tests/spec/test_expression_property.py.

`batches()` draws a scope (enums, value objects, and the fields of `state`, `command` and `event`
of every field type: primitives, enums, records, optionals, lists and maps, nested a little) and
cases over it. A well-typed case is built by a typed grammar: for the wanted type, a form that
gives it is picked (a field of that type, a literal, an operator or function whose result is that
type) and its parts are built the same way. An ill-typed case breaks one rule of the language on
purpose (expression_cases.py, collection_cases.py): the property checks the compiler refuses it.
The section-4 forms (conditionals, subscripts, comprehensions, maps, durations, ...) are in
collection_expressions.py, which `compound` and `Grammar.expr` call.

The typing rules here are the language's (docs/spec-language.md and section 4 of
spec-language-next.md), written down independently of generator/spec/expressions/typecheck.py;
where the language refuses something Python allows, a comment says so.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import strategies as st

from generator.spec.expressions import Scope
from generator.spec.expressions.scope import ValueObject
from generator.spec.types import TypeRef

INT, FLOAT, DECIMAL, STR, BOOL = (TypeRef(k) for k in ("int", "float", "decimal", "str", "bool"))
UUID, DATE, DATETIME, DURATION = (TypeRef(k) for k in ("uuid", "date", "datetime", "duration"))
PRIMITIVES = (INT, FLOAT, DECIMAL, STR, BOOL, UUID, DATE, DATETIME, DURATION)
NUMERIC = ("int", "float", "decimal")
CONTEXTS = ("state", "command", "event")
ARITHMETIC = ("+", "-", "*", "/", "//", "%")
ORDER = ("<", "<=", ">", ">=")

_ENUMS = ("Status", "Colour")
_RECORDS = ("Money", "Slot", "Place")
ENUM_VALUES = ("open", "paid", "in progress", "closed", "new", "gold")
WORDS = (
    "amount", "count", "total", "price", "name", "label", "note", "due", "opened", "ref", "tags",
    "lines", "qty", "rate", "flag", "kind", "stock", "limit", "start", "delay", "owner", "code",
    "level", "score", "seen", "until", "size", "unit", "weight", "place",
)  # fmt: skip
_FLOATS = ("0.5", "2.5", "0.1", "1.0", "100.25", "-1.5")


@dataclass(frozen=True)
class Case:
    text: str
    expected: TypeRef
    well_typed: bool
    form: str  # well-typed: the root's form; ill-typed: one of ILL_FORMS
    forms: frozenset[str] = frozenset()  # well-typed: every form drawn in it (WELL_FORMS)


@dataclass(frozen=True)
class Batch:
    scope: Scope
    cases: tuple[Case, ...]


def _list(item: TypeRef) -> TypeRef:
    return TypeRef("list", item=item)


def _opt(typ: TypeRef) -> TypeRef:
    return TypeRef(typ.kind, typ.name, typ.item, optional=True, key=typ.key)


# -- scopes --------------------------------------------------------------------------------------


def _field_types(enums: list[str], records: list[str], depth: int) -> st.SearchStrategy[TypeRef]:
    choices: list[st.SearchStrategy[TypeRef]] = [st.sampled_from(PRIMITIVES)] * 4
    if enums:
        choices.append(st.sampled_from(enums).map(lambda n: TypeRef("enum", name=n)))
    if records:
        choices.append(st.sampled_from(records).map(lambda n: TypeRef("record", name=n)))
    if depth < 2:
        inner = st.deferred(lambda: _field_types(enums, records, depth + 1))
        choices.append(inner.map(_list))
        keys = [STR, INT, UUID, DATE, *(TypeRef("enum", name=n) for n in enums)]
        choices.append(
            st.tuples(st.sampled_from(keys), inner).map(
                lambda kv: TypeRef("map", key=kv[0], item=kv[1])
            )
        )
    plain = st.one_of(choices)
    return st.tuples(plain, st.integers(0, 4)).map(lambda t: _opt(t[0]) if t[1] == 0 else t[0])


@st.composite
def _fields(
    draw: st.DrawFn, enums: list[str], records: list[str], low: int, high: int
) -> dict[str, TypeRef]:
    names = draw(st.lists(st.sampled_from(WORDS), min_size=low, max_size=high, unique=True))
    return {n: draw(_field_types(enums, records, 0)) for n in names}


@st.composite
def scopes(draw: st.DrawFn) -> Scope:
    enums: dict[str, dict[str, str]] = {}
    for name in _ENUMS[: draw(st.integers(1, 2))]:
        values = draw(st.lists(st.sampled_from(ENUM_VALUES), min_size=1, max_size=4, unique=True))
        enums[name] = {v: re.sub(r"\W", "_", v).upper() for v in values}
    records: dict[str, ValueObject] = {}
    for name in _RECORDS[: draw(st.sampled_from([2, 1, 3, 0]))]:
        # a value object holds fields of earlier ones only: no cycles; an optional field may
        # have a default (None), and building one by keyword may leave it out
        fields = draw(_fields(list(enums), list(records), 1, 3))
        optional = sorted(f for f, t in fields.items() if t.optional)
        defaults = draw(st.sets(st.sampled_from(optional))) if optional else set()
        records[name] = ValueObject(fields, defaults=frozenset(defaults))
    names = {ctx: draw(_fields(list(enums), list(records), 3, 8)) for ctx in CONTEXTS}
    return Scope(names=names, records=records, enums=enums)


# -- the language's typing rules -----------------------------------------------------------------


def arithmetic(op: str, left: TypeRef, right: TypeRef) -> TypeRef | None:
    """The type of `left op right` (neither a literal), or None when the language refuses it."""
    if left.optional or right.optional:
        return None
    kinds = {left.kind, right.kind}
    if kinds <= set(NUMERIC):
        if kinds == {"decimal", "float"}:
            return None
        if "decimal" in kinds:
            return DECIMAL
        return FLOAT if "float" in kinds or op == "/" else INT
    if op == "+" and left == right and left.kind in ("str", "list"):
        return left
    return None


def undecided(op: str, left: TypeRef, right: TypeRef) -> bool:
    """Pairs the section-4 rules decide (time arithmetic, `|` of maps): arith-types leaves them
    to time-mixed and merge-non-map (collection_cases.py), time-arith and merge build them."""
    kinds = {left.kind, right.kind}
    return bool(kinds & {"duration", "date", "datetime"}) or (op == "|" and "map" in kinds)


def orderable(left: TypeRef, right: TypeRef) -> bool | None:
    """Whether `<` works on the two (required) types; None when the language leaves it open."""
    kinds = {left.kind, right.kind}
    if kinds <= set(NUMERIC) or kinds == {"enum", "str"}:
        return True
    if len(kinds) == 1 and left.kind in ("str", "date", "datetime", "duration", "int"):
        return True
    if left == right and left.kind == "enum":
        return True
    if len(kinds) == 1 and left.kind in ("map", "record"):
        return False
    if len(kinds) == 1:
        return None  # bool < bool, uuid < uuid, list < list, two enums: Python decides
    return False


def overlapping(left: TypeRef, right: TypeRef) -> bool:
    """Whether values of the two types can be equal (mypy --strict's strict equality)."""
    a, b = left.required(), right.required()
    kinds = {a.kind, b.kind}
    if a == b or kinds <= set(NUMERIC) or kinds in ({"enum", "str"}, {"date", "datetime"}):
        return True
    if a.kind == b.kind == "list" and a.item is not None and b.item is not None:
        return overlapping(a.item, b.item)
    if a.kind == b.kind == "map" and a.item is not None and b.item is not None:
        assert a.key is not None and b.key is not None
        return overlapping(a.key, b.key) and overlapping(a.item, b.item)
    return False


# -- the grammar ---------------------------------------------------------------------------------


class Unbuildable(Exception):
    """No expression of the wanted type can be built in this scope."""


class Grammar:
    """Builds expressions of a wanted type over a scope (see the module docstring)."""

    def __init__(self, draw: st.DrawFn, scope: Scope) -> None:
        self.draw = draw
        self.scope = scope
        self.used: set[str] = set()  # the forms drawn (and kept) since the last root
        self.in_comprehension = False  # a comprehension may not hold another
        # a list literal's ints are not widened where the literal is no field's value
        # (`sorted([1, 2])` is a list[int], which does not go into a list[decimal])
        self.exact_lists = False
        self.paths: dict[TypeRef, list[str]] = {}
        for ctx, fields in scope.names.items():
            for name, typ in fields.items():
                self._add(f"{ctx}.{name}", typ, 0)
        literal = [INT, FLOAT, STR, BOOL, DATETIME, DATE, DURATION, _list(INT), _list(STR)]
        literal += [_opt(INT), _opt(STR), _list(DECIMAL), TypeRef("map", key=STR, item=INT)]
        literal += [TypeRef("map", key=STR, item=DECIMAL)]  # ints in it widen
        built = [TypeRef("record", name=n) for n in scope.records]
        self.wantable = sorted({*self.paths, *literal, *built}, key=lambda t: t.spec)

    def add_path(self, path: str, typ: TypeRef) -> None:
        """A name in scope (a comprehension's variable), with its fields if it is a record."""
        self._add(path, typ, 0)

    def _add(self, path: str, typ: TypeRef, depth: int) -> None:
        self.paths.setdefault(typ, []).append(path)
        if typ.kind == "record" and not typ.optional and depth < 2:
            for name, field_type in self.scope.records[typ.name].items():
                self._add(f"{path}.{name}", field_type, depth + 1)

    def pick(self, options: list[tuple[str, Callable[[], str]]]) -> tuple[str, str]:
        if options:
            for name, build in self.draw(st.permutations(options)):
                used = set(self.used)
                try:
                    text = build()
                except Unbuildable:  # a part of this form cannot be built here: another form
                    self.used = used
                    continue
                self.used.add(name)
                return name, text
        raise Unbuildable

    def path(self, want: TypeRef) -> str:
        if want not in self.paths:
            raise Unbuildable
        return self.draw(st.sampled_from(self.paths[want]))

    def literal(self, want: TypeRef) -> str | None:
        kind = want.kind
        if kind == "int":
            return str(self.draw(st.integers(-20, 20)))
        if kind == "float":
            return self.draw(st.sampled_from(_FLOATS))
        if kind == "str":
            return repr(self.draw(st.text("abz ", max_size=3)))
        if kind == "bool":
            return self.draw(st.sampled_from(["True", "False"]))
        return None

    def buildable(self, want: TypeRef, depth: int = 0) -> bool:
        if want in self.paths or self.literal_kind(want):
            return True
        if want.optional:
            return self.buildable(want.required(), depth)
        if want.kind == "list" and want.item is not None and depth < 2:
            return self.buildable(want.item, depth + 1)
        if want.kind == "map" and want.key is not None and want.item is not None and depth < 2:
            return self.buildable(want.key, depth + 1) and self.buildable(want.item, depth + 1)
        record = self.scope.records.get(want.name) if want.kind == "record" else None
        if isinstance(record, ValueObject) and depth < 2:
            return all(self.buildable(t, depth + 1) for t in record.values())
        return want.kind in ("datetime", "date", "duration")

    @staticmethod
    def literal_kind(want: TypeRef) -> bool:
        return not want.optional and want.kind in ("int", "float", "str", "bool")

    def any_type(self, where: Callable[[TypeRef], bool] = lambda t: True) -> TypeRef:
        found = [t for t in self.wantable if where(t) and self.buildable(t)]
        if not found:
            raise Unbuildable
        return self.draw(st.sampled_from(found))

    def expr(self, want: TypeRef, depth: int, *, literal_ok: bool = True) -> str:
        """An expression of type `want` at most `depth` operators deep."""
        options: list[tuple[str, Callable[[], str]]] = []
        if want in self.paths:
            options += [("path", lambda: self.path(want))] * (1 if depth else 3)
        if want.optional:
            if self.buildable(want.required()):
                options.append(("required", lambda: self.expr(want.required(), depth)))
            options += section4_optional(self, want, depth)
            return self.pick(options)[1]
        text = self.literal(want) if literal_ok else None
        if text is not None:
            options.append(("literal", lambda: text))
        if depth > 0:
            options += compound(self, want, depth - 1)
        elif want.kind == "datetime":
            options.append(("now", lambda: "now()"))
        else:
            options += section4_leaf(want, self)
        if want.kind == "list" and want.item is not None and self.buildable(want.item):
            options.append(("list-literal", lambda: self.list_literal(want, depth)))
        return self.pick(options)[1]

    def operand(self, want: TypeRef, depth: int, *, literal_ok: bool = True) -> str:
        text = self.expr(want, depth, literal_ok=literal_ok)
        return text if _atom(text) else f"({text})"

    def condition(self, depth: int) -> str:
        """A bool that changes: the language refuses a literal part in a condition (`True`,
        `x or 1 == 1`: mypy --strict drops the branch it rules out; B16)."""
        for _ in range(6):
            text = self.operand(BOOL, depth)
            if _changes(ast.parse(text, mode="eval").body):
                return text
        raise Unbuildable

    def list_literal(self, want: TypeRef, depth: int) -> str:
        assert want.item is not None
        item = want.item
        n = self.draw(st.integers(0, 2))
        if item.kind in ("decimal", "float") and not self.exact_lists and self.draw(st.booleans()):
            item = INT  # an int item is widened, as in a field of that type
        return "[" + ", ".join(self.expr(item, min(depth, 1)) for _ in range(n)) + "]"

    def root(self) -> Case:
        """A well-typed case: an expression and the type of the field it goes to (another
        type when `buildable` promised one that no form could build after all)."""
        for _ in range(4):
            try:
                return self._root()
            except Unbuildable:
                continue
        return Case("True", BOOL, True, "literal", frozenset({"literal"}))

    def _root(self) -> Case:
        simple = (BOOL, INT, FLOAT, DECIMAL, STR, DATETIME, DATE, DURATION, _opt(INT))
        simple += tuple(TypeRef("enum", name=e) for e in self.scope.enums)
        simple += tuple(TypeRef("record", name=r) for r in self.scope.records)  # built by keyword
        maps = sorted((t for t in self.paths if t.kind == "map" and not t.optional), key=str)
        choice = self.draw(st.integers(0, 5))
        if choice < 3:  # mostly a type with operators, else any field's, a collection, or
            want = self.any_type(lambda t: t in simple)
        elif choice == 3:
            want = self.any_type()
        elif choice == 4 or not maps:  # a collection; often one whose ints widen
            widening = (_list(DECIMAL), TypeRef("map", key=STR, item=DECIMAL))
            widen = self.draw(st.booleans()) and any(self.buildable(t) for t in widening)
            want = self.any_type(
                (lambda t: t in widening)
                if widen
                else (lambda t: t.kind in ("list", "map") and not t.optional)
            )
        else:  # the values of a map (subscripts and get)
            item = self.draw(st.sampled_from(maps)).item
            assert item is not None
            want = _opt(item) if self.draw(st.booleans()) else item
        depth = self.draw(st.sampled_from([0, 1, 2, 2, 3, 3]))
        forms: list[tuple[str, Callable[[], str]]] = [("expr", lambda: self.expr(want, depth))]
        if want.optional:
            forms.append(("none", lambda: "None"))
        if want.required().kind in ("decimal", "float"):
            forms.append(("widen", lambda: self.expr(INT, depth)))
        if want.kind == "enum":
            values = list(self.scope.enums[want.name])
            forms.append(("enum-literal", lambda: repr(self.draw(st.sampled_from(values)))))
        self.used = set()
        form, text = self.pick(forms)
        if form == "expr" and text.startswith("[") and want.item is not None:
            form = "list-literal"
        return Case(text, want, True, form, frozenset(self.used))


def _atom(text: str) -> bool:
    """Whether `text` needs no parentheses as an operand (a name, a call, a subscript, ...)."""
    node = ast.parse(text, mode="eval").body
    if isinstance(node, ast.Constant):
        return not (isinstance(node.value, int | float) and text.startswith("-"))
    atoms = (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.List, ast.Dict, ast.ListComp)
    return isinstance(node, (*atoms, ast.DictComp))


def compound(g: Grammar, want: TypeRef, depth: int) -> list[tuple[str, Callable[[], str]]]:
    """The forms with parts that give `want` (parts at most `depth` deep)."""
    kind = want.kind
    out: list[tuple[str, Callable[[], str]]] = []
    if kind == "bool":
        out += [("compare", lambda: _compare(g, depth)), ("eq", lambda: _eq(g, depth))]
        out += [("and-or", lambda: _and_or(g, depth)), ("not", lambda: _not(g, depth))]
        out += [("in", lambda: _in(g, depth))]
        if any(t.optional for t in g.paths):
            out.append(("is-none", lambda: _is_none(g)))
    if kind in NUMERIC:
        out += [("arith", lambda: _arith(g, want, depth))] * 2
        out += [("neg", lambda: "-" + g.operand(want, depth))]
        out += [("abs", lambda: f"abs({g.expr(want, depth)})")]
    if kind in (*NUMERIC, "str", "date", "datetime", "duration"):
        out.append(("min-max", lambda: _min_max(g, want, depth)))
    if kind == "int":
        out.append(("len", lambda: _len(g, depth)))
    if kind == "str":
        out.append(("concat", lambda: f"{g.operand(STR, depth)} + {g.operand(STR, depth)}"))
    if kind == "datetime":
        out.append(("now", lambda: "now()"))
    if kind == "list" and want in g.paths:
        out.append(("concat", lambda: _list_concat(g, want, depth)))
    return out + section4(g, want, depth)


def section4(g: Grammar, want: TypeRef, depth: int) -> list[tuple[str, Callable[[], str]]]:
    from spec_strategies.collection_expressions import section4 as forms  # it imports this module

    return forms(g, want, depth)


def section4_optional(g: Grammar, want: TypeRef, depth: int) -> list[tuple[str, Callable[[], str]]]:
    from spec_strategies.collection_expressions import optional_forms

    return optional_forms(g, want, depth)


def section4_leaf(want: TypeRef, g: Grammar) -> list[tuple[str, Callable[[], str]]]:
    from spec_strategies.collection_expressions import leaf

    return leaf(want, g)


def _numeric_pair(g: Grammar, want: TypeRef) -> tuple[TypeRef, TypeRef, bool]:
    """Operand types giving `want`, and whether a float operand must be a literal (next to a
    decimal, a float literal is read as a decimal; a float value is refused)."""
    if want.kind == "int":
        return INT, INT, False
    if want.kind == "float":
        pair = g.draw(st.sampled_from([(FLOAT, FLOAT), (FLOAT, INT), (INT, FLOAT), (INT, INT)]))
        return pair[0], pair[1], False
    other = g.draw(st.sampled_from([DECIMAL, INT, FLOAT]))
    swap = g.draw(st.booleans())
    return (other, DECIMAL, True) if swap else (DECIMAL, other, True)


def _number(g: Grammar, typ: TypeRef, depth: int, float_literal: bool) -> str:
    if typ.kind == "float" and float_literal:
        return g.draw(st.sampled_from(_FLOATS))
    return g.operand(typ, depth)


def _arith(g: Grammar, want: TypeRef, depth: int) -> str:
    left, right, literal = _numeric_pair(g, want)
    if want.kind == "float" and left == right == INT:
        op = "/"
    elif want.kind == "int":
        op = g.draw(st.sampled_from(["+", "-", "*", "//", "%"]))
    else:
        op = g.draw(st.sampled_from(ARITHMETIC))
    return f"{_number(g, left, depth, literal)} {op} {_number(g, right, depth, literal)}"


def _min_max(g: Grammar, want: TypeRef, depth: int) -> str:
    fn = g.draw(st.sampled_from(["min", "max"]))
    n = g.draw(st.integers(2, 3))
    if want.kind in NUMERIC:
        args = [_numeric_pair(g, want) for _ in range(n)]
        parts = [_number(g, a[0], depth, a[2]) for a in args]
        parts[0] = g.expr(want, depth)  # one argument of the result's own type
    else:
        parts = [g.expr(want, depth) for _ in range(n)]
    return f"{fn}({', '.join(parts)})"


def _len(g: Grammar, depth: int) -> str:
    typ = g.any_type(lambda t: not t.optional and t.kind in ("list", "str", "map"))
    return f"len({g.expr(typ, depth)})"


def _compare(g: Grammar, depth: int) -> str:
    typ = g.any_type(lambda t: not t.optional and orderable(t, t) is True)
    if typ.kind in NUMERIC:
        other = g.draw(st.sampled_from([INT, FLOAT, typ]))
        right = g.operand(other, depth) if other != FLOAT or typ.kind != "decimal" else "0.5"
    elif typ.kind == "enum":
        right = repr(g.draw(st.sampled_from(list(g.scope.enums[typ.name]))))
    else:
        right = g.operand(typ, depth)
    ops = g.draw(st.lists(st.sampled_from(ORDER), min_size=1, max_size=2))
    text = f"{g.operand(typ, depth)} {ops[0]} {right}"
    if len(ops) == 2 and typ.kind != "enum":
        text += f" {ops[1]} {g.operand(typ, depth)}"
    return text


def _eq(g: Grammar, depth: int) -> str:
    typ = g.any_type()
    op = g.draw(st.sampled_from(["==", "!="]))
    if typ.required().kind == "enum" and g.draw(st.booleans()):
        value = g.draw(st.sampled_from(list(g.scope.enums[typ.required().name])))
        return f"{g.operand(typ, depth)} {op} {value!r}"
    left, right = g.operand(typ, depth), g.operand(typ, depth)
    if _literal_shaped(left) and _literal_shaped(right):
        # `1 == 2` and `[a, b] == [c]` are refused (E504: mypy --strict refuses them as
        # non-overlapping; B9 in /work/notes/expression-bugs.md, fixed): not drawn as well-typed.
        right = left
    return f"{left} {op} {right}"


def _changes(condition: ast.expr) -> bool:
    """Whether every part of a condition's truth (under not, and, or) reads some value: a name
    that is not only called, or the clock."""
    if isinstance(condition, ast.UnaryOp) and isinstance(condition.op, ast.Not):
        return _changes(condition.operand)
    if isinstance(condition, ast.BoolOp):
        return all(_changes(v) for v in condition.values)
    called = {id(c.func) for c in ast.walk(condition) if isinstance(c, ast.Call)}
    names = [n for n in ast.walk(condition) if isinstance(n, ast.Name)]
    return any(id(n) not in called or n.id == "now" for n in names)


def _literal_shaped(text: str) -> bool:
    """An int or str literal, or a list literal (mypy types it as a tuple of its length)."""
    return bool(re.fullmatch(r"\(*(-?\d+|'[^']*'|\[.*\])\)*", text))


def _and_or(g: Grammar, depth: int) -> str:
    op = g.draw(st.sampled_from([" and ", " or "]))
    n = g.draw(st.integers(2, 3))
    # and/or on any value is allowed (its truth); the result is a bool
    types = [BOOL if g.draw(st.integers(0, 3)) else g.any_type() for _ in range(n)]
    return op.join(g.operand(t, depth) for t in types)


def _not(g: Grammar, depth: int) -> str:
    typ = BOOL if g.draw(st.booleans()) else g.any_type()
    return f"not {g.operand(typ, depth)}"


def _in(g: Grammar, depth: int) -> str:
    op = g.draw(st.sampled_from([" in ", " not in "]))
    collections = [t for t in g.paths if t.kind in ("list", "map") and not t.optional]
    if collections and g.draw(st.booleans()):
        coll = g.draw(st.sampled_from(collections))
        assert coll.item is not None
        item = coll.key if coll.kind == "map" else coll.item
        assert item is not None
        if g.buildable(item):
            return g.operand(item, depth) + op + g.path(coll)
    typ = g.any_type(lambda t: not t.optional and t.kind != "list")
    if typ.kind == "enum":
        values = g.draw(st.lists(st.sampled_from(list(g.scope.enums[typ.name])), min_size=1))
        return g.operand(typ, depth) + op + repr(values)
    items = ", ".join(g.expr(typ, 0) for _ in range(g.draw(st.integers(1, 3))))
    return g.operand(typ, depth) + op + f"[{items}]"


def _is_none(g: Grammar) -> str:
    typ = g.draw(st.sampled_from(sorted((t for t in g.paths if t.optional), key=str)))
    return g.path(typ) + g.draw(st.sampled_from([" is None", " is not None"]))


def _list_concat(g: Grammar, want: TypeRef, depth: int) -> str:
    assert want.item is not None
    other = g.draw(st.sampled_from(["list", "items-right", "items-left"]))
    if other == "list":
        return f"{g.operand(want, depth)} + {g.operand(want, depth)}"
    items = g.list_literal(TypeRef("list", item=want.item), depth)
    if other == "items-right":
        return f"{g.path(want)} + {items}"
    return f"{items} + {g.path(want)}"

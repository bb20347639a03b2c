"""The allow-list and the types: which nodes an expression may hold and what type each has.

The checker gives every node a type or reports why it cannot (only a name declared wrongly
elsewhere, `Scope.unknown`, stays untyped without an error). Operators live in operators.py,
calls in calls.py, literals, subscripts and comprehensions in containers.py, and what fits where
in fitting.py; this module walks the tree and knows names, attributes and conditionals.
"""

from __future__ import annotations

import ast

from generator.spec.expressions import calls, containers, operators
from generator.spec.expressions.fitting import BOOL, NULL, a, common, describe, fits, list_of
from generator.spec.expressions.narrowing import not_none_when, path
from generator.spec.expressions.rewrite import signed_number
from generator.spec.expressions.scope import Compiled, Scope
from generator.spec.types import TypeRef

FUNCTIONS = calls.FUNCTIONS


class Checker:
    def __init__(
        self, scope: Scope, result: Compiled, keywords: frozenset[tuple[int, int]] = frozenset()
    ) -> None:
        self.scope = scope
        self.result = result
        self.types: dict[int, TypeRef | None] = {}
        # Where a value is converted to the type it goes to (an int into a decimal).
        self.coerce: dict[int, TypeRef] = {}
        # Where the attributes end that were written as keywords (`command.from`, parsed as
        # `command.from_`): their spec name has no underscore.
        self.keywords = keywords
        self.not_none: set[str] = set()  # names and attributes proved not None where it is
        self.locals: dict[str, TypeRef] = {}  # a comprehension's variables
        self.depth = 0  # comprehensions around the node being checked
        self.sets: set[int] = set()  # set literals allowed (right of `in`)
        self.vague = False  # a name declared wrongly was used: its type is unknown
        self.widen_root = False  # the whole expression is an int going to a decimal or float

    def fail(self, code: str, message: str) -> None:
        self.result.errors.append((code, message))

    def check(self, node: ast.expr) -> TypeRef | None:
        typ = self._check(node)
        self.types[id(node)] = typ
        return typ

    def _check(self, node: ast.expr) -> TypeRef | None:
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.Attribute):
            return self._attribute(node)
        if isinstance(node, ast.BoolOp):
            # `p is not None and p.price > 0`: each operand sees what the ones before it proved.
            before = self.not_none
            for value in node.values:
                self.check(value)
                self.not_none = self.not_none | not_none_when(
                    value, holds=isinstance(node.op, ast.And)
                )
            self.not_none = before
            return BOOL
        if isinstance(node, ast.UnaryOp):
            return operators.unary(self, node)
        if isinstance(node, ast.BinOp):
            return operators.binop(self, node)
        if isinstance(node, ast.Compare):
            return operators.compare(self, node)
        if isinstance(node, ast.Call):
            return calls.call(self, node)
        if isinstance(node, ast.IfExp):
            return self._conditional(node)
        if isinstance(node, ast.List | ast.Tuple) or (
            isinstance(node, ast.Set) and id(node) in self.sets
        ):
            return containers.sequence(self, node)
        if isinstance(node, ast.Dict):
            return containers.dictionary(self, node)
        if isinstance(node, ast.Subscript):
            return containers.subscript(self, node)
        if isinstance(node, ast.ListComp | ast.DictComp | ast.GeneratorExp):
            return containers.comprehension(self, node)
        self.fail("E501", f"{_describe(node)} is not allowed in expressions")
        return None

    def _constant(self, node: ast.Constant) -> TypeRef | None:
        value = node.value
        if value is None:
            return NULL
        if isinstance(value, bool):
            return BOOL
        if isinstance(value, int):
            return TypeRef("int")
        if isinstance(value, float):
            return TypeRef("float")
        if isinstance(value, str):
            return TypeRef("str")
        self.fail("E501", f"the literal {value!r} is not allowed in expressions")
        return None

    def _name(self, node: ast.Name) -> TypeRef | None:
        if node.id in self.locals:
            typ = self.locals[node.id]
            return typ.required() if node.id in self.not_none else typ
        if node.id in ("True", "False"):
            return BOOL
        if node.id in self.scope.values:
            typ = self.scope.values[node.id]
            return typ.required() if node.id in self.not_none else typ
        if node.id in self.scope.unknown:
            self.vague = True
            return None  # declared, but wrongly: reported where it is declared
        if node.id in self.scope.names:
            self.fail(
                "E501",
                f"use a field of {node.id!r} (like {node.id}.<field>), not {node.id!r} itself",
            )
            return None
        names = [*self.scope.names, *self.scope.values, *self.locals]
        available = ", ".join(sorted(names)) or "none"
        self.fail("E502", f"the name {node.id!r} is not available here (available: {available})")
        return None

    def _attribute(self, node: ast.Attribute) -> TypeRef | None:
        name = node.attr
        if (node.end_lineno, node.end_col_offset) in self.keywords:
            name = name.removesuffix("_")
        if name.startswith("_"):
            self.fail("E501", f"attributes starting with '_' ({name!r}) are not allowed")
            return None
        value = node.value
        if (
            isinstance(value, ast.Name)
            and value.id not in self.scope.values
            and value.id not in self.locals
        ):
            fields = self.scope.names.get(value.id)
            if fields is None:
                self.check(value)
                return None
            owner = value.id
        else:
            base = self.check(value)
            if base is None:
                return None
            if base.optional and isinstance(value, ast.Name) and value.id in self.scope.values:
                read = ast.unparse(value)
                self.fail(
                    "E503",
                    f"{read} is None when the read finds nothing, so {read}.{name} needs a rule "
                    f"before it that stops when `{read} is None` (or an `if: {read} is not None`)",
                )
                return None
            if base.kind != "record" or base.optional:
                what = "an optional value" if base.optional else a(base)
                self.fail(
                    "E503", f"{ast.unparse(value)} is {what}, which has no attribute {name!r}"
                )
                return None
            fields = self.scope.records[base.name]
            owner = base.name
        if name not in fields:
            known = ", ".join(sorted(fields)) or "none"
            self.fail("E503", f"{owner} has no field {name!r} (fields: {known})")
            return None
        typ = fields[name]
        if typ.optional and self.not_none and path(node) in self.not_none:
            return typ.required()
        return typ

    def _conditional(self, node: ast.IfExp) -> TypeRef | None:
        """`a if c else b`: c a bool; each branch sees what c proves there; one common type."""
        test = self.check(node.test)
        if test is not None and test != BOOL:
            self.fail(
                "E504",
                f"the condition of `... if {ast.unparse(node.test)} else ...` must be a bool, "
                f"not {a(test)}",
            )
            return None
        self.changing(
            node.test, "the condition of `... if ... else ...`", "write the branch it picks"
        )
        before = self.not_none
        self.not_none = before | not_none_when(node.test, holds=True)
        body = self.check(node.body)
        self.not_none = before | not_none_when(node.test, holds=False)
        orelse = self.check(node.orelse)
        self.not_none = before
        if body is None or orelse is None:
            return None
        return self.unify([node.body, node.orelse], "the branches of `... if ... else ...`")

    def changing(self, test: ast.expr, what: str, advice: str = "leave it out") -> None:
        """Refuse a literal among a condition's parts (`True`, `1 == 1`, the `0` in `x or not 0`):
        it never changes, so it is dead code, and mypy --strict drops the branch it rules out,
        which can leave literals that it then refuses to compare (B16: `(-17 if True else None)
        != -2` is `-17 != -2` to mypy)."""
        for part in _truth_parts(test):
            if _fixed(part):
                self.fail(
                    "E504",
                    f"{what} has a part that never changes ({ast.unparse(part)}); {advice}",
                )
                return

    def unify(self, nodes: list[ast.expr], what: str) -> TypeRef | None:
        """The common type of checked `nodes`, each converted to it where it must be."""
        types = [self.types[id(n)] for n in nodes]
        known = [t for t in types if t is not None]
        if len(known) < len(types):
            return None
        floats = [n for n, t in zip(nodes, known, strict=True) if t.kind == "float"]
        literal = all(isinstance(signed_number(n), float) for n in floats)
        typ = common(known, literal_floats=literal)
        if typ is None:
            kinds = ", ".join(dict.fromkeys(describe(t) for t in known))
            self.fail("E504", f"{what} have no common type ({kinds})")
            return None
        if typ.kind == "null":
            return typ
        if all(self.fit(n, typ, where=f"{what} ({describe(typ)})") for n in nodes):
            return typ
        return None

    def fit(
        self, node: ast.expr, expected: TypeRef, *, where: str = "", root: bool = False
    ) -> bool:
        """Whether checked `node` may go where `expected` goes; marks the conversions needed
        (an int to Decimal, a text to an enum member, inside literals too) and reports the
        first value that does not fit."""
        actual = self.types.get(id(node))
        if actual is None:
            return True  # reported already, or declared wrongly elsewhere
        target = where or f"{a(expected)} field"
        required = expected.required()
        if isinstance(node, ast.IfExp):
            return self.fit(node.body, expected, where=where) and self.fit(
                node.orelse, expected, where=where
            )
        if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice):
            # an item of a list written out here: the list is written with the field's items
            listed = self.types.get(id(node.value))
            as_list = list_of(expected)
            if listed is not None and listed.kind == "list" and _inner(node.value, as_list):
                return self.fit(node.value, as_list, where=where)
        inner = _inner(node, required)
        if inner is not None:
            return all(self.fit(n, t, where=f"{a(expected)} {what}") for n, t, what in inner)
        if actual.kind == "null":
            if not expected.optional:
                self.fail("E504", f"None does not fit {where or a(expected)}")
                return False
            return True
        if required.kind == "enum" and isinstance(node, ast.Constant) and actual.kind == "str":
            if node.value not in self.scope.enums[required.name]:
                values = ", ".join(repr(v) for v in self.scope.enums[required.name])
                self.fail(
                    "E504", f"{node.value!r} is not a value of {required.name} (one of {values})"
                )
                return False
            self.types[id(node)] = required
            return True
        literal_float = isinstance(signed_number(node), float)
        if actual.kind == "float" and required.kind == "decimal" and literal_float:
            self.coerce[id(node)] = required
            return True
        if fits(actual, expected):
            if actual.kind == "int" and required.kind in ("decimal", "float"):
                if root:
                    self.widen_root = True
                else:
                    self.coerce[id(node)] = expected
            return True
        if actual.kind == "view" and required.kind == "list":
            self.fail(
                "E504",
                f"{a(actual)} is not a list; make one with [x for x in ...] or sorted(...)",
            )
            return False
        self.fail("E504", f"{a(actual)} value does not fit {target}")
        return False

    def none_error(self, node: ast.expr, use: str) -> None:
        text = ast.unparse(node)
        self.fail(
            "E504",
            f"{text} may be None here, so it cannot be {use}; check `{text} is not None` first",
        )


def _inner(node: ast.expr, expected: TypeRef) -> list[tuple[ast.expr, TypeRef, str]] | None:
    """The values inside a literal (or a comprehension, a merge) that must each fit the
    corresponding part of `expected`; None when `node` is not such a value."""
    item, key = expected.item, expected.key
    if expected.kind == "list" and item is not None:
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            return [(e, item, "item") for e in node.elts]
        if isinstance(node, ast.ListComp):
            return [(node.elt, item, "item")]
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
            return [(node.value, expected, "field")]  # a slice has the items of its list
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return [(node.left, expected, "field"), (node.right, expected, "field")]
        return None
    if expected.kind != "map" or key is None or item is None:
        return None
    if isinstance(node, ast.Dict):
        pairs = zip(node.keys, node.values, strict=True)
        return [x for k, v in pairs if k is not None for x in ((k, key, "key"), (v, item, "value"))]
    if isinstance(node, ast.DictComp):
        return [(node.key, key, "key"), (node.value, item, "value")]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return [(node.left, expected, "part"), (node.right, expected, "part")]
    return None


def _describe(node: ast.AST) -> str:
    return {
        ast.Lambda: "a lambda",
        ast.SetComp: "a set comprehension (use a list: [x for x in ...])",
        ast.Set: "a set literal (use a list: [a, b])",
        ast.JoinedStr: "an f-string",
        ast.NamedExpr: "an assignment expression (:=)",
        ast.Await: "await",
        ast.Yield: "yield",
        ast.YieldFrom: "yield",
        ast.Starred: "unpacking (*)",
        ast.Slice: "slicing",
    }.get(type(node), type(node).__name__)


def _truth_parts(test: ast.expr) -> list[ast.expr]:
    """The parts whose truth decides a condition's: through `not`, `and` and `or`."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _truth_parts(test.operand)
    if isinstance(test, ast.BoolOp):
        return [part for value in test.values for part in _truth_parts(value)]
    return [test]


def _fixed(node: ast.expr) -> bool:
    """Whether `node` is built from literals alone: no name but a function's (now() changes)."""
    called = {id(n.func) for n in ast.walk(node) if isinstance(n, ast.Call)}
    return not any(
        isinstance(n, ast.Name) and (id(n) not in called or n.id == "now") for n in ast.walk(node)
    )

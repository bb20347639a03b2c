"""Spec expressions: parsed with `ast`, checked against an allow-list, typed, compiled to Python.

An expression may use literals; the names the context offers (`command`, `state`, `event`, `row`)
and attribute access on them; arithmetic; comparisons; `and`/`or`/`not`; `in`; and the functions
`len`, `abs`, `min`, `max`, `now`. Nothing is `eval`ed: the checked tree is rewritten (enum strings
become members, float literals next to decimals become `Decimal("...")`) and unparsed to source.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise

from generator.spec.types import TypeRef

FUNCTIONS = ("len", "abs", "min", "max", "now")

_BIN_OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod)
_CMP_OPS = (
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
    ast.Is,
    ast.IsNot,
)
_NUMERIC = ("int", "float", "decimal")

_BOOL = TypeRef("bool")
_NULL = TypeRef("null")


@dataclass(frozen=True)
class Scope:
    """What an expression can see: context names with their fields, and the spec's types."""

    names: Mapping[str, Mapping[str, TypeRef]]
    records: Mapping[str, Mapping[str, TypeRef]]
    enums: Mapping[str, Mapping[str, str]]  # enum -> value -> member name


@dataclass
class Compiled:
    code: str = ""
    type: TypeRef | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)  # (code, message)
    uses: set[str] = field(default_factory=set)  # names the generated module must import


def compile_expression(text: str, scope: Scope, *, expected: TypeRef | None = None) -> Compiled:
    """Check and compile `text`. With `expected`, also check the result fits that type."""
    try:
        return _compile(text, scope, expected)
    except RecursionError:  # `- - - ... x` or `a + a + ... + a` thousands deep
        return Compiled(errors=[("E501", "the expression is nested too deeply")])


def _compile(text: str, scope: Scope, expected: TypeRef | None) -> Compiled:
    result = Compiled()
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        result.errors.append(("E500", f"not a valid expression: {exc.msg}"))
        return result
    checker = _Checker(scope, result)
    checker.check(tree.body)
    if result.errors:
        return result
    result.type = checker.types.get(id(tree.body))
    if expected is not None:
        _check_fits(tree.body, result.type, expected, scope, result)
        if result.errors:
            return result
    rewritten = _Rewriter(checker.types, scope, result, expected).visit(tree.body)
    result.code = ast.unparse(rewritten)
    if expected is not None and result.type is not None:
        result.code = widen(result.code, result.type, expected)
        if result.code.startswith("Decimal(") or " else Decimal(" in result.code:
            result.uses.add("Decimal")
    return result


def widen(code: str, actual: TypeRef, expected: TypeRef) -> str:
    """An int where a decimal or float is expected, converted: the field holds its own type
    (an int in a Decimal field would compare, store and type-check as an int)."""
    if actual.kind != "int" or expected.kind not in ("decimal", "float"):
        return code
    convert = "Decimal" if expected.kind == "decimal" else "float"
    if actual.optional:
        return f"None if {code} is None else {convert}({code})"
    return f"{convert}({code})"


def _check_fits(
    node: ast.expr, actual: TypeRef | None, expected: TypeRef, scope: Scope, result: Compiled
) -> None:
    if actual is None:
        return
    if actual.kind == "null":
        if not expected.optional:
            result.errors.append(("E504", f"None does not fit a {expected.spec}"))
        return
    if expected.kind == "enum" and isinstance(node, ast.Constant) and isinstance(node.value, str):
        if node.value not in scope.enums[expected.name]:
            result.errors.append(("E504", f"{node.value!r} is not a value of {expected.name}"))
        return
    if not _compatible(actual, expected):
        result.errors.append(
            ("E504", f"a {actual.spec} value does not fit a {expected.spec} field")
        )


def _compatible(actual: TypeRef, expected: TypeRef) -> bool:
    if actual.optional and not expected.optional:
        return False
    a, e = actual.required(), expected.required()
    if a == e:
        return True
    if e.kind in ("decimal", "float") and a.kind == "int":
        return True
    if e.kind == "decimal" and a.kind == "float":
        return False
    return False


class _Checker:
    def __init__(self, scope: Scope, result: Compiled) -> None:
        self.scope = scope
        self.result = result
        self.types: dict[int, TypeRef | None] = {}

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
            if node.id in ("True", "False"):
                return _BOOL
            if node.id in self.scope.names:
                self.fail(
                    "E501",
                    f"use a field of {node.id!r} (like {node.id}.<field>), not {node.id!r} itself",
                )
                return None
            available = ", ".join(sorted(self.scope.names)) or "none"
            self.fail(
                "E502", f"the name {node.id!r} is not available here (available: {available})"
            )
            return None
        if isinstance(node, ast.Attribute):
            return self._attribute(node)
        if isinstance(node, ast.BoolOp):
            for value in node.values:
                self.check(value)
            return _BOOL
        if isinstance(node, ast.UnaryOp):
            operand = self.check(node.operand)
            if isinstance(node.op, ast.Not):
                return _BOOL
            if isinstance(node.op, ast.USub | ast.UAdd):
                return operand
            self.fail("E501", "the operator ~ is not allowed in expressions")
            return None
        if isinstance(node, ast.BinOp):
            return self._binop(node)
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    self.fail("E501", "unpacking (*) is not allowed in expressions")
                    continue
                self.check(element)
            return None
        self.fail("E501", f"{_describe(node)} is not allowed in expressions")
        return None

    def _constant(self, node: ast.Constant) -> TypeRef | None:
        value = node.value
        if value is None:
            return _NULL
        if isinstance(value, bool):
            return _BOOL
        if isinstance(value, int):
            return TypeRef("int")
        if isinstance(value, float):
            return TypeRef("float")
        if isinstance(value, str):
            return TypeRef("str")
        self.fail("E501", f"the literal {value!r} is not allowed in expressions")
        return None

    def _attribute(self, node: ast.Attribute) -> TypeRef | None:
        if node.attr.startswith("_"):
            self.fail("E501", f"attributes starting with '_' ({node.attr!r}) are not allowed")
            return None
        if isinstance(node.value, ast.Name):
            fields = self.scope.names.get(node.value.id)
            if fields is None:
                self.check(node.value)
                return None
            owner = node.value.id
        else:
            base = self.check(node.value)
            if base is None:
                return None
            if base.kind != "record" or base.optional:
                what = "an optional value" if base.optional else f"a {base.spec}"
                self.fail(
                    "E503",
                    f"{ast.unparse(node.value)} is {what}, which has no attribute {node.attr!r}",
                )
                return None
            fields = self.scope.records[base.name]
            owner = base.name
        if node.attr not in fields:
            known = ", ".join(sorted(fields)) or "none"
            self.fail("E503", f"{owner} has no field {node.attr!r} (fields: {known})")
            return None
        return fields[node.attr]

    def _binop(self, node: ast.BinOp) -> TypeRef | None:
        left = self.check(node.left)
        right = self.check(node.right)
        if not isinstance(node.op, _BIN_OPS):
            self.fail("E501", f"the operator {_op_text(node.op)} is not allowed in expressions")
            return None
        if isinstance(node.op, ast.Add):
            appended = self._list_concat(node, left, right)
            if appended is not None:
                return appended
        if left is None or right is None:
            return None
        kinds = {left.kind, right.kind}
        if kinds <= set(_NUMERIC):
            if kinds == {"decimal", "float"} and not _is_float_literal(node.left, node.right):
                self.fail("E504", "decimal and float values cannot be mixed; make both decimal")
                return None
            if "decimal" in kinds:
                return TypeRef("decimal")
            if "float" in kinds or isinstance(node.op, ast.Div):
                return TypeRef("float")
            return TypeRef("int")
        if kinds == {"str"} and isinstance(node.op, ast.Add):
            return TypeRef("str")
        self.fail("E504", f"cannot apply {_op_text(node.op)} to {left.spec} and {right.spec}")
        return None

    def _list_concat(
        self, node: ast.BinOp, left: TypeRef | None, right: TypeRef | None
    ) -> TypeRef | None:
        """`list + list` or `list + [items]`: the list type, with literal items checked against it."""
        for typ, other, other_type in ((left, node.right, right), (right, node.left, left)):
            if typ is None or typ.kind != "list" or typ.optional or typ.item is None:
                continue
            if isinstance(other, ast.List | ast.Tuple):
                for element in other.elts:
                    found = self.types.get(id(element))
                    if found is not None and not _compatible(found, typ.item):
                        self.fail("E504", f"a {found.spec} value does not fit a {typ.spec} item")
                return typ
            if other_type is not None and other_type.required() == typ and not other_type.optional:
                return typ
        return None

    def _compare(self, node: ast.Compare) -> TypeRef:
        operands = [node.left, *node.comparators]
        types = [self.check(o) for o in operands]
        for op, (left, right), (lt, rt) in zip(
            node.ops, pairwise(operands), pairwise(types), strict=True
        ):
            if not isinstance(op, _CMP_OPS):
                self.fail("E501", "this comparison is not allowed in expressions")
            if isinstance(op, ast.Is | ast.IsNot) and not (_is_none(left) or _is_none(right)):
                self.fail("E501", "'is' and 'is not' may only compare with None")
            if isinstance(op, ast.Lt | ast.LtE | ast.Gt | ast.GtE) and not _orderable(lt, rt):
                assert lt is not None and rt is not None
                sign = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}[type(op)]
                self.fail("E504", f"cannot compare a {lt.spec} with a {rt.spec} using {sign}")
            self._enum_literal(left, lt, right)
            self._enum_literal(right, rt, left)
            if isinstance(op, ast.In | ast.NotIn) and isinstance(
                right, ast.List | ast.Tuple | ast.Set
            ):
                for element in right.elts:
                    self._enum_literal(left, lt, element)
        return _BOOL

    def _enum_literal(self, typed: ast.expr, typ: TypeRef | None, other: ast.expr) -> None:
        if typ is None or typ.kind != "enum":
            return
        if isinstance(other, ast.Constant) and isinstance(other.value, str):
            if other.value not in self.scope.enums[typ.name]:
                values = ", ".join(repr(v) for v in self.scope.enums[typ.name])
                self.fail("E504", f"{other.value!r} is not a value of {typ.name} (one of {values})")
            else:
                self.types[id(other)] = typ

    def _call(self, node: ast.Call) -> TypeRef | None:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            name = ast.unparse(node.func)
            self.fail("E501", f"calling {name!r} is not allowed (allowed: {', '.join(FUNCTIONS)})")
            return None
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            self.fail("E501", f"{node.func.id}() takes positional arguments only")
            return None
        args = [self.check(a) for a in node.args]
        name = node.func.id
        wanted = {"len": (1, 1), "abs": (1, 1), "min": (2, 99), "max": (2, 99), "now": (0, 0)}[name]
        if not wanted[0] <= len(args) <= wanted[1]:
            self.fail("E501", f"{name}() takes {wanted[0]} argument(s) here, got {len(args)}")
            return None
        if name == "now":
            self.result.uses.update({"datetime", "UTC"})
            return TypeRef("datetime")
        if name == "len":
            return TypeRef("int")
        known = [a for a in args if a is not None]
        if name in ("min", "max") and any(a.kind == "decimal" for a in known):
            return TypeRef("decimal")
        if name in ("min", "max") and any(a.kind == "float" for a in known):
            return TypeRef("float")
        return known[0] if known else None


def _orderable(left: TypeRef | None, right: TypeRef | None) -> bool:
    """Whether `<` and friends work on the two types (unknown types are not judged)."""
    if left is None or right is None:
        return True
    kinds = {left.kind, right.kind}
    return (
        kinds <= set(_NUMERIC)
        or kinds == {"enum", "str"}
        or (len(kinds) == 1 and "record" not in kinds)
    )


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _is_float_literal(*nodes: ast.expr) -> bool:
    return any(isinstance(n, ast.Constant) and isinstance(n.value, float) for n in nodes)


def _op_text(op: ast.AST) -> str:
    texts: dict[type[ast.AST], str] = {
        ast.Pow: "**",
        ast.MatMult: "@",
        ast.LShift: "<<",
        ast.RShift: ">>",
        ast.BitOr: "|",
        ast.BitAnd: "&",
        ast.BitXor: "^",
        ast.Add: "+",
        ast.Sub: "-",
        ast.Mult: "*",
        ast.Div: "/",
        ast.FloorDiv: "//",
        ast.Mod: "%",
    }
    return texts.get(type(op), type(op).__name__)


def _describe(node: ast.AST) -> str:
    return {
        ast.Subscript: "subscripting ([...])",
        ast.Lambda: "a lambda",
        ast.ListComp: "a comprehension",
        ast.SetComp: "a comprehension",
        ast.DictComp: "a comprehension",
        ast.GeneratorExp: "a generator expression",
        ast.IfExp: "a conditional expression (x if c else y)",
        ast.Dict: "a dict literal",
        ast.JoinedStr: "an f-string",
        ast.NamedExpr: "an assignment expression (:=)",
        ast.Await: "await",
        ast.Yield: "yield",
        ast.YieldFrom: "yield",
        ast.Starred: "unpacking (*)",
        ast.Slice: "slicing",
    }.get(type(node), type(node).__name__)


class _Rewriter(ast.NodeTransformer):
    """Turns a checked tree into the Python the generated module runs."""

    def __init__(
        self,
        types: dict[int, TypeRef | None],
        scope: Scope,
        result: Compiled,
        expected: TypeRef | None,
    ) -> None:
        self.types = types
        self.scope = scope
        self.result = result
        self.expected = expected
        self.root = True

    def visit(self, node: ast.AST) -> ast.AST:
        if self.root and isinstance(node, ast.Constant) and isinstance(node.value, str):
            self.root = False
            if self.expected is not None and self.expected.kind == "enum":
                return self._member(self.expected.name, node.value)
        self.root = False
        result: ast.AST = super().visit(node)
        return result

    def _expr(self, node: ast.expr) -> ast.expr:
        result = self.visit(node)
        assert isinstance(result, ast.expr)  # every rewrite of an expression is an expression
        return result

    def visit_Constant(self, node: ast.Constant) -> ast.expr:
        typ = self.types.get(id(node))
        if typ is not None and typ.kind == "enum" and isinstance(node.value, str):
            return self._member(typ.name, node.value)
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        left, right = self.types.get(id(node.left)), self.types.get(id(node.right))
        decimal = any(t is not None and t.kind == "decimal" for t in (left, right))
        new = ast.BinOp(left=self._expr(node.left), op=node.op, right=self._expr(node.right))
        if isinstance(node.op, ast.Add) and any(
            isinstance(n, ast.List | ast.Tuple) for n in (node.left, node.right)
        ):
            # Lists are tuples in generated code: `state.lines + [x]` becomes `(*state.lines, x)`.
            items: list[ast.expr] = []
            for side in (new.left, new.right):
                items.extend(
                    side.elts if isinstance(side, ast.Tuple) else [ast.Starred(value=side)]
                )
            return ast.Tuple(elts=items)
        if decimal:
            new.left = self._decimal_literal(new.left)
            new.right = self._decimal_literal(new.right)
        return new

    def visit_Compare(self, node: ast.Compare) -> ast.expr:
        operands = [node.left, *node.comparators]
        new = [self._expr(o) for o in operands]
        if any((t := self.types.get(id(o))) is not None and t.kind == "decimal" for o in operands):
            # `command.amount == 0.1` must compare with Decimal("0.1"), not with the float 0.1.
            for n in new:
                if isinstance(n, ast.Tuple | ast.Set):
                    elts = map(self._decimal_literal, n.elts)
                    n.elts = [e for e in elts if isinstance(e, ast.expr)]
            new = [self._decimal_literal(n) for n in new]
        exprs = [n for n in new if isinstance(n, ast.expr)]
        return ast.Compare(left=exprs[0], ops=node.ops, comparators=exprs[1:])

    def visit_List(self, node: ast.List) -> ast.expr:
        return ast.Tuple(elts=[e for e in map(self._expr, node.elts) if isinstance(e, ast.expr)])

    def visit_Call(self, node: ast.Call) -> ast.expr:
        assert isinstance(node.func, ast.Name)
        if node.func.id == "now":
            func = ast.Attribute(value=ast.Name(id="datetime"), attr="now")
            return ast.Call(
                func=func, args=[], keywords=[ast.keyword(arg="tz", value=ast.Name(id="UTC"))]
            )
        args = [self._expr(a) for a in node.args]
        typ = self.types.get(id(node))
        if node.func.id in ("min", "max") and typ is not None and typ.kind == "decimal":
            # `max(state.total, 0)` must give a Decimal whichever argument wins.
            args = [self._decimal_literal(a, numbers=(int, float)) for a in args]
        if node.func.id in ("min", "max") and typ is not None and typ.kind in ("decimal", "float"):
            # ... and so must an int field among the arguments (a float likewise).
            args = [
                self._widen_int(new, old, typ.kind)
                for new, old in zip(args, node.args, strict=True)
            ]
        return ast.Call(func=node.func, args=args, keywords=[])

    def _widen_int(self, new: ast.expr, old: ast.expr, kind: str) -> ast.expr:
        typ = self.types.get(id(old))
        if typ is None or typ.kind != "int":
            return new
        if isinstance(old, ast.Constant) and isinstance(old.value, int):
            # a literal: Decimal("2") already, or 2.0
            return new if kind == "decimal" else ast.Constant(float(old.value))
        convert = "Decimal" if kind == "decimal" else "float"
        return ast.Call(func=ast.Name(id=convert), args=[new], keywords=[])

    def _decimal_literal(self, node: ast.expr, numbers: tuple[type, ...] = (float,)) -> ast.expr:
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, numbers)
            and not isinstance(node.value, bool)
        ):
            self.result.uses.add("Decimal")
            return ast.Call(
                func=ast.Name(id="Decimal"), args=[ast.Constant(repr(node.value))], keywords=[]
            )
        return node

    def _member(self, enum: str, value: str) -> ast.expr:
        self.result.uses.add(enum)
        member = self.scope.enums[enum][value]
        return ast.Attribute(value=ast.Name(id=enum), attr=member)

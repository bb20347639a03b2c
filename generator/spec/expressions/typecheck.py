"""The allow-list and the types: which nodes an expression may hold and what type each has."""

from __future__ import annotations

import ast
from itertools import pairwise

from generator.spec.expressions.narrowing import not_none_when
from generator.spec.expressions.rewrite import signed_number
from generator.spec.expressions.scope import Compiled, Scope
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


def compatible(actual: TypeRef, expected: TypeRef) -> bool:
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


class Checker:
    def __init__(
        self, scope: Scope, result: Compiled, keywords: frozenset[tuple[int, int]] = frozenset()
    ) -> None:
        self.scope = scope
        self.result = result
        self.types: dict[int, TypeRef | None] = {}
        # Where the attributes end that were written as keywords (`command.from`, parsed as
        # `command.from_`): their spec name has no underscore.
        self.keywords = keywords
        self.not_none: set[str] = set()  # values proved not None where the checker is

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
            if node.id in self.scope.values:
                typ = self.scope.values[node.id]
                return typ.required() if node.id in self.not_none else typ
            if node.id in self.scope.unknown:
                return None  # declared, but wrongly: reported where it is declared
            if node.id in self.scope.names:
                self.fail(
                    "E501",
                    f"use a field of {node.id!r} (like {node.id}.<field>), not {node.id!r} itself",
                )
                return None
            available = ", ".join(sorted([*self.scope.names, *self.scope.values])) or "none"
            self.fail(
                "E502", f"the name {node.id!r} is not available here (available: {available})"
            )
            return None
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
        name = node.attr
        if (node.end_lineno, node.end_col_offset) in self.keywords:
            name = name.removesuffix("_")
        if name.startswith("_"):
            self.fail("E501", f"attributes starting with '_' ({name!r}) are not allowed")
            return None
        if isinstance(node.value, ast.Name) and node.value.id not in self.scope.values:
            fields = self.scope.names.get(node.value.id)
            if fields is None:
                self.check(node.value)
                return None
            owner = node.value.id
        else:
            base = self.check(node.value)
            if base is None:
                return None
            if base.optional and _is_read(node.value, self.scope):
                read = ast.unparse(node.value)
                self.fail(
                    "E503",
                    f"{read} is None when the read finds nothing, so {read}.{name} needs a rule "
                    f"before it that stops when `{read} is None` (or an `if: {read} is not None`)",
                )
                return None
            if base.kind != "record" or base.optional:
                what = "an optional value" if base.optional else f"a {base.spec}"
                self.fail(
                    "E503",
                    f"{ast.unparse(node.value)} is {what}, which has no attribute {name!r}",
                )
                return None
            fields = self.scope.records[base.name]
            owner = base.name
        if name not in fields:
            known = ", ".join(sorted(fields)) or "none"
            self.fail("E503", f"{owner} has no field {name!r} (fields: {known})")
            return None
        return fields[name]

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
                    if found is not None and not compatible(found, typ.item):
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
        refused = _not_positional(node)
        if refused:
            # Refused, not dropped: `max(x, 5, key=abs)` compiled without `key` would compute
            # something other than what the spec says.
            self.fail("E501", f"{node.func.id}() takes positional arguments only, not {refused}")
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


def _not_positional(node: ast.Call) -> str:
    """What a call passes other than plain positional arguments ("" when nothing)."""
    if node.keywords:
        keyword = node.keywords[0].arg
        return "unpacking (**)" if keyword is None else f"the keyword argument {keyword}="
    if any(isinstance(a, ast.Starred) for a in node.args):
        return "unpacking (*)"
    return ""


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


def _is_read(node: ast.expr, scope: Scope) -> bool:
    """Whether `node` is one of a command's reads (which may find nothing)."""
    return isinstance(node, ast.Name) and node.id in scope.values


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _is_float_literal(*nodes: ast.expr) -> bool:
    """A float literal, signed or not, which next to a decimal is read as a decimal."""
    return any(isinstance(signed_number(n), float) for n in nodes)


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

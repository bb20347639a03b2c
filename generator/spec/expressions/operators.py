"""The types of operators: arithmetic (numbers, text, lists, times and durations), map merge `|`,
unary signs, and comparisons (equality, order, `in`, `is None`)."""

from __future__ import annotations

import ast
from itertools import pairwise
from typing import TYPE_CHECKING

from generator.spec.expressions.fitting import (
    BOOL,
    DURATION,
    INT,
    NUMERIC,
    a,
    comparable,
    describe,
    orderable,
)
from generator.spec.expressions.rewrite import signed_number
from generator.spec.types import TypeRef

if TYPE_CHECKING:
    from generator.spec.expressions.typecheck import Checker

_BIN_OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.BitOr)
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
_SIGNS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
_TIMES = ("date", "datetime")


def unary(ck: Checker, node: ast.UnaryOp) -> TypeRef | None:
    operand = ck.check(node.operand)
    if isinstance(node.op, ast.Not):
        return BOOL
    if not isinstance(node.op, ast.USub | ast.UAdd):
        ck.fail("E501", "the operator ~ is not allowed in expressions")
        return None
    if operand is None:
        return None
    sign = "-" if isinstance(node.op, ast.USub) else "+"
    if operand.optional or operand.kind == "null":
        ck.none_error(node.operand, f"used with unary {sign}")
        return None
    if operand.kind not in (*NUMERIC, "duration"):
        ck.fail("E504", f"cannot apply unary {sign} to {a(operand)}")
        return None
    return operand


def binop(ck: Checker, node: ast.BinOp) -> TypeRef | None:
    left = ck.check(node.left)
    right = ck.check(node.right)
    op = node.op
    if not isinstance(op, _BIN_OPS):
        ck.fail("E501", f"the operator {op_text(op)} is not allowed in expressions")
        return None
    if left is None or right is None:
        return None
    for side, typ in ((node.left, left), (node.right, right)):
        if typ.optional or typ.kind == "null":
            ck.none_error(side, f"used with {op_text(op)}")
            return None
    if isinstance(op, ast.BitOr):
        return _merge(ck, node, left, right)
    kinds = {left.kind, right.kind}
    if left.kind == right.kind == "list":
        if isinstance(op, ast.Add):
            return ck.unify([node.left, node.right], "the lists added")
        if isinstance(op, ast.Sub):
            ck.fail(
                "E504",
                "cannot subtract lists (list - list); keep the items not in the other with a "
                "comprehension: [i for i in a if i not in b]",
            )
            return None
    if kinds <= set(NUMERIC):
        if kinds == {"decimal", "float"}:
            floating = node.left if left.kind == "float" else node.right
            if not _decimal_literal(ck, floating):
                ck.fail("E504", "decimal and float values cannot be mixed; make both decimal")
                return None
            ck.fit(floating, TypeRef("decimal"))  # `x * (0.9 if c else 1)`: Decimal("0.9")
        if "decimal" in kinds:
            return TypeRef("decimal")
        if "float" in kinds or isinstance(op, ast.Div):
            return TypeRef("float")
        return INT
    if kinds == {"str"} and isinstance(op, ast.Add):
        return TypeRef("str")
    found = _time(op, left, right)
    if found is not None:
        return found
    ck.fail("E504", f"cannot apply {op_text(op)} to {describe(left)} and {describe(right)}")
    return None


def _time(op: ast.operator, left: TypeRef, right: TypeRef) -> TypeRef | None:
    """Dates, datetimes and durations: a time minus one of the same kind is a duration; a time
    plus or minus a duration is a time; durations add, subtract, scale and divide."""
    lk, rk = left.kind, right.kind
    if isinstance(op, ast.Sub) and lk == rk and lk in _TIMES:
        return DURATION
    if isinstance(op, ast.Add | ast.Sub) and lk in _TIMES and rk == "duration":
        return left
    if isinstance(op, ast.Add) and lk == "duration" and rk in _TIMES:
        return right
    if lk == rk == "duration":
        if isinstance(op, ast.Add | ast.Sub | ast.Mod):
            return DURATION
        if isinstance(op, ast.Div):
            return TypeRef("float")
        if isinstance(op, ast.FloorDiv):
            return INT
    if isinstance(op, ast.Mult) and {lk, rk} in ({"duration", "int"}, {"duration", "float"}):
        return DURATION
    if isinstance(op, ast.Div | ast.FloorDiv) and lk == "duration" and rk in ("int", "float"):
        return DURATION
    return None


def _merge(ck: Checker, node: ast.BinOp, left: TypeRef, right: TypeRef) -> TypeRef | None:
    """`a | b` of two maps: b's entries over a's (`state.stock | {event.product: 1}`)."""
    if left.kind != "map" or right.kind != "map":
        ck.fail(
            "E504",
            f"cannot apply | to {describe(left)} and {describe(right)}: | merges two maps",
        )
        return None
    return ck.unify([node.left, node.right], "the maps merged")


def compare(ck: Checker, node: ast.Compare) -> TypeRef:
    operands = [node.left, *node.comparators]
    for op, right in zip(node.ops, node.comparators, strict=True):
        if isinstance(op, ast.In | ast.NotIn) and isinstance(right, ast.Set):
            ck.sets.add(id(right))
    types = [ck.check(o) for o in operands]
    for op, (left, right), (lt, rt) in zip(
        node.ops, pairwise(operands), pairwise(types), strict=True
    ):
        if not isinstance(op, _CMP_OPS):
            ck.fail("E501", "this comparison is not allowed in expressions")
            continue
        if isinstance(op, ast.Is | ast.IsNot):
            if not (_is_none(left) or _is_none(right)):
                ck.fail("E501", "'is' and 'is not' may only compare with None")
            continue
        if lt is None or rt is None:
            continue
        _enum_literal(ck, lt, right)
        _enum_literal(ck, rt, left)
        if isinstance(op, ast.In | ast.NotIn):
            _membership(ck, left, lt, right, rt)
        elif isinstance(op, ast.Eq | ast.NotEq):
            if _constants(left, right):
                # mypy --strict refuses `1 == 2` (and `(a, 'b') == ('c',)`): never equal.
                sign = _SIGNS[type(op)]
                ck.fail(
                    "E504",
                    f"{ast.unparse(left)} {sign} {ast.unparse(right)} compares literals that "
                    "always differ, so it never changes; leave it out",
                )
            elif not comparable(lt, rt) and not _is_float_literal(left, right):
                sign = _SIGNS[type(op)]
                ck.fail("E504", f"cannot compare {a(lt)} with {a(rt)} using {sign}")
        else:
            _order(ck, op, (left, lt), (right, rt))
    return BOOL


def _order(
    ck: Checker, op: ast.cmpop, left: tuple[ast.expr, TypeRef], right: tuple[ast.expr, TypeRef]
) -> None:
    sign = _SIGNS[type(op)]
    for node, typ in (left, right):
        if typ.optional or typ.kind == "null":
            ck.none_error(node, f"compared with {sign}")
            return
    lt, rt = left[1], right[1]
    if not orderable(lt, rt):
        ck.fail("E504", f"cannot compare {a(lt)} with {a(rt)} using {sign}")


def _membership(ck: Checker, left: ast.expr, lt: TypeRef, right: ast.expr, rt: TypeRef) -> None:
    if rt.optional or rt.kind == "null":
        ck.none_error(right, "searched with in")
        return
    if rt.kind == "str":
        item: TypeRef | None = rt if lt.required().kind in ("str", "enum") else None
    elif rt.kind == "map":
        item = rt.key
    elif rt.kind == "list" or (rt.kind == "view" and rt.name in ("keys", "values")):
        item = rt.item
    else:
        item = None
    if item is None:
        ck.fail("E504", f"cannot look for {a(lt)} in {a(rt)}")
        return
    if isinstance(right, ast.List | ast.Tuple | ast.Set):
        for element in right.elts:
            _enum_literal(ck, lt, element)
        if lt.kind == "decimal" and item.kind in ("float", "int"):
            return  # literals beside a decimal are decimals (the rewriter makes them so)
    if not comparable(lt, item):
        ck.fail("E504", f"cannot look for {a(lt)} in {a(rt)}")


def _enum_literal(ck: Checker, typ: TypeRef, other: ast.expr) -> None:
    if typ.kind != "enum":
        return
    if isinstance(other, ast.Constant) and isinstance(other.value, str):
        if other.value not in ck.scope.enums[typ.name]:
            values = ", ".join(repr(v) for v in ck.scope.enums[typ.name])
            ck.fail("E504", f"{other.value!r} is not a value of {typ.name} (one of {values})")
        else:
            ck.types[id(other)] = typ.required()


def _decimal_literal(ck: Checker, node: ast.expr) -> bool:
    """A float literal, or a conditional choosing between such literals and other numbers:
    beside a decimal, it is read as a decimal."""
    if isinstance(signed_number(node), float):
        return True
    if isinstance(node, ast.IfExp):
        branches = (node.body, node.orelse)
        return all(_decimal_literal(ck, b) or _kind(ck, b) in ("int", "decimal") for b in branches)
    return False


def _kind(ck: Checker, node: ast.expr) -> str:
    typ = ck.types.get(id(node))
    return "" if typ is None else typ.kind


def _constants(left: ast.expr, right: ast.expr) -> bool:
    """Two different int or text literals (signs too: mypy reads `-17` as Literal[-17]), or
    two list literals of different lengths."""
    values = (_literal(left), _literal(right))
    if values[0] is not None and values[1] is not None:
        return values[0] != values[1] or type(values[0]) is not type(values[1])
    sequences = (ast.List, ast.Tuple)
    return (
        isinstance(left, sequences)
        and isinstance(right, sequences)
        and len(left.elts) != len(right.elts)
    )


def _literal(node: ast.expr) -> int | str | None:
    """The int or text a literal (with signs) stands for; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    number = signed_number(node)
    return number if isinstance(number, int) else None


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _is_float_literal(*nodes: ast.expr) -> bool:
    """A float literal, signed or not, which next to a decimal is read as a decimal."""
    return any(isinstance(signed_number(n), float) for n in nodes)


def op_text(op: ast.AST) -> str:
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

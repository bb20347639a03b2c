"""Mutation operators on compiled spec expressions, done with `ast` on the validated Python code.

Each operator changes one node of the expression and the result is unparsed back to code; nothing
is evaluated here. The code mutated is the model's compiled code (never raw spec text), so every
mutant is built from the same allow-listed constructs as the original.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

# Operator codes, with what they do (README, "eventforge mutants"). Codes are stable.
OPERATORS = {
    "M101": "a comparison negated (`==`/`!=`, `in`/`not in`, `is`/`is not`)",
    "M102": "a comparison boundary moved (`<`/`<=`, `>`/`>=`)",
    "M103": "a number in a comparison moved by one step",
    "M104": "`and` and `or` swapped",
    "M105": "a `not` dropped",
    "M106": "arithmetic swapped (`+`/`-`, `*`/`/`)",
    "M201": "a rule (`rejects` entry) dropped",
    "M202": "an emitted event dropped",
    "M203": "two emitted events swapped",
    "M204": "a field filled with another value of the same type",
    "M205": "a constant changed",
    "M206": "an `apply` or `set` assignment dropped",
    "M207": "a read-model `delete` or `delete_where` that does nothing",
    "M208": "an `emits` entry's `if:` dropped (the event is always emitted)",
    "M209": "a read-model handler's `if:` dropped (the event is always handled)",
}

_NEGATED: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
_BOUNDARY: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
}
_ARITHMETIC: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
}
SYMBOLS: dict[type[ast.AST], str] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
}


@dataclass(frozen=True)
class Comparison:
    """One comparison of the original expression, for the suggestion: `left op right`."""

    left: str
    op: str
    right: str
    whole: bool  # the comparison is the whole expression (or its negation)
    negated: bool  # ... under a `not`


@dataclass(frozen=True)
class CodeMutant:
    operator: str  # M1xx
    code: str  # the whole mutated expression
    before: str  # the node that changed, as it was
    after: str  # and as it became
    comparison: Comparison | None = None  # for M101-M103
    operands: tuple[str, ...] = ()  # the sides of the `and`/`or`, the `not`, or the arithmetic


def expression_mutants(code: str) -> list[CodeMutant]:
    """Every single-node mutant of `code`, in a stable order (breadth first through the tree)."""
    found: list[CodeMutant] = []
    tree = ast.parse(code, mode="eval")
    parents = _parents(tree)
    for index, node in enumerate(ast.walk(tree)):
        for operator, change in _changes(node, parents):
            mutant = _apply(code, index, operator, change)
            if mutant is not None:
                found.append(_described(mutant, node, parents, tree))
    return found


Change = Callable[[ast.AST], ast.AST]


def _changes(node: ast.AST, parents: dict[int, ast.AST]) -> Iterator[tuple[str, Change]]:
    if isinstance(node, ast.Compare):
        for position, op in enumerate(node.ops):
            if type(op) in _NEGATED:
                yield "M101", _swap_op(position, _NEGATED[type(op)])
            if type(op) in _BOUNDARY:
                yield "M102", _swap_op(position, _BOUNDARY[type(op)])
        for position, operand in enumerate([node.left, *node.comparators]):
            if _number(operand) is not None:
                for sign in (1, -1):
                    yield "M103", _shift_operand(position, sign)
    elif isinstance(node, ast.BoolOp):
        yield "M104", _swap_bool
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield "M105", lambda n: n.operand  # type: ignore[attr-defined]
    elif isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
        yield "M106", _swap_arithmetic


def _swap_op(position: int, new: type[ast.cmpop]) -> Change:
    def change(node: ast.AST) -> ast.AST:
        assert isinstance(node, ast.Compare)
        node.ops[position] = new()
        return node

    return change


def _shift_operand(position: int, sign: int) -> Change:
    def change(node: ast.AST) -> ast.AST:
        assert isinstance(node, ast.Compare)
        operands = [node.left, *node.comparators]
        value = _number(operands[position])
        assert value is not None
        shifted = number_node(value + sign * step(value), decimal=_is_decimal(operands[position]))
        if position == 0:
            node.left = shifted
        else:
            node.comparators[position - 1] = shifted
        return node

    return change


def _swap_bool(node: ast.AST) -> ast.AST:
    assert isinstance(node, ast.BoolOp)
    node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    return node


def _swap_arithmetic(node: ast.AST) -> ast.AST:
    assert isinstance(node, ast.BinOp)
    node.op = _ARITHMETIC[type(node.op)]()
    return node


def _apply(code: str, index: int, operator: str, change: Change) -> CodeMutant | None:
    """The mutant made by `change` on the index-th node of a fresh parse of `code`."""
    tree = ast.parse(code, mode="eval")
    node = next(n for i, n in enumerate(ast.walk(tree)) if i == index)
    before = ast.unparse(node)
    replaced = change(node)
    if replaced is not node:
        _replace(tree, node, replaced)
    new_code = ast.unparse(tree)
    if new_code == ast.unparse(ast.parse(code, mode="eval")):
        return None  # the same code: an equivalent mutant, not worth a run
    return CodeMutant(operator=operator, code=new_code, before=before, after=ast.unparse(replaced))


def _described(
    mutant: CodeMutant, node: ast.AST, parents: dict[int, ast.AST], tree: ast.Expression
) -> CodeMutant:
    """Add what a suggestion needs: the comparison's sides, or the operands that matter."""
    if isinstance(node, ast.Compare):
        left, op, right = node.left, node.ops[0], node.comparators[0]
        parent = parents.get(id(node))
        negated = isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not)
        whole = tree.body is node or (negated and tree.body is parent)
        comparison = Comparison(
            left=ast.unparse(left),
            op=SYMBOLS[type(op)],
            right=ast.unparse(right),
            whole=whole,
            negated=negated,
        )
        return _with(mutant, comparison=comparison)
    if isinstance(node, ast.BoolOp):
        return _with(mutant, operands=tuple(ast.unparse(v) for v in node.values))
    if isinstance(node, ast.UnaryOp):
        return _with(mutant, operands=(ast.unparse(node.operand),))
    if isinstance(node, ast.BinOp):
        return _with(mutant, operands=(ast.unparse(node.left), ast.unparse(node.right)))
    return mutant


def _with(
    mutant: CodeMutant,
    *,
    comparison: Comparison | None = None,
    operands: tuple[str, ...] = (),
) -> CodeMutant:
    return CodeMutant(
        operator=mutant.operator,
        code=mutant.code,
        before=mutant.before,
        after=mutant.after,
        comparison=comparison,
        operands=operands,
    )


def _parents(tree: ast.AST) -> dict[int, ast.AST]:
    return {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _replace(tree: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for node in ast.walk(tree):
        for name, value in ast.iter_fields(node):
            if value is old:
                setattr(node, name, new)
            elif isinstance(value, list) and any(v is old for v in value):
                setattr(node, name, [new if v is old else v for v in value])


# -- numbers -----------------------------------------------------------------------------------


def _number(node: ast.AST) -> Decimal | None:
    """The value of a number literal as the compiler writes it: `5`, `-1`, `Decimal('0.5')`."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _number(node.operand)
        return None if inner is None else -inner
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return Decimal(repr(node.value))
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Decimal"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        try:
            return Decimal(node.args[0].value)
        except ArithmeticError:
            return None
    return None


def _is_decimal(node: ast.AST) -> bool:
    return isinstance(node, ast.Call)


def step(value: Decimal) -> Decimal:
    """One unit of the literal's last digit: 1 for `5`, 0.01 for `2.50`."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # a literal is finite
    return Decimal(1).scaleb(min(exponent, 0))


def number_node(value: Decimal, *, decimal: bool) -> ast.expr:
    if decimal:
        return ast.Call(
            func=ast.Name(id="Decimal", ctx=ast.Load()),
            args=[ast.Constant(value=str(value))],
            keywords=[],
        )
    exponent = value.as_tuple().exponent
    number: int | float = (
        int(value) if isinstance(exponent, int) and exponent >= 0 else float(value)
    )
    if number < 0:
        return ast.UnaryOp(op=ast.USub(), operand=ast.Constant(value=-number))
    return ast.Constant(value=number)


def number(code: str) -> Decimal | None:
    """The value of `code` when it is a number literal, else None."""
    try:
        return _number(ast.parse(code, mode="eval").body)
    except SyntaxError:
        return None

"""Which names a condition proves not None: `x is not None and ...` where it holds, and
`x is None or ...` where it fails (a rule that stops when its condition holds).

The generated code is checked by mypy, which narrows the same way; so a value read as optional
(`product is None` rejected first) may be used as a value after that rule, here as there.
"""

from __future__ import annotations

import ast

from generator.spec.expressions.spelling import respell_keywords


def path(node: ast.expr) -> str | None:
    """`state.note` for a name or a chain of attributes on one; None for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = path(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def not_none_when(node: ast.expr, *, holds: bool) -> set[str]:
    """The names, and attributes of names (`state.note`), that are not None when `node` holds
    (or, with holds=False, fails). mypy narrows both alike within an expression."""
    if isinstance(node, ast.BoolOp):
        # `a and b` holds when both hold; `a or b` fails when both fail.
        if isinstance(node.op, ast.And) == holds:
            return set().union(*(not_none_when(v, holds=holds) for v in node.values))
        return set()
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return not_none_when(node.operand, holds=not holds)
    if (
        isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and isinstance(node.comparators[0], ast.Constant)
        and node.comparators[0].value is None
    ):
        op, name = node.ops[0], path(node.left)
        if name is not None and (
            (isinstance(op, ast.IsNot) and holds) or (isinstance(op, ast.Is) and not holds)
        ):
            return {name}
    return set()


def not_none_after(text: str, *, holds: bool) -> set[str]:
    """not_none_when for a condition's text (nothing when it does not parse)."""
    try:
        tree = ast.parse(respell_keywords(text.strip())[0], mode="eval")
    except SyntaxError:
        return set()
    return not_none_when(tree.body, holds=holds)

"""Which names a condition proves not None: `x is not None and ...` where it holds, and
`x is None or ...` where it fails (a rule that stops when its condition holds).

The generated code is checked by mypy, which narrows the same way; so a value read as optional
(`product is None` rejected first) may be used as a value after that rule, here as there.
"""

from __future__ import annotations

import ast

from generator.spec.expressions.spelling import respell_keywords


def not_none_when(node: ast.expr, *, holds: bool) -> set[str]:
    """The bare names that are not None when `node` holds (or, with holds=False, fails)."""
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
        and isinstance(node.left, ast.Name)
        and isinstance(node.comparators[0], ast.Constant)
        and node.comparators[0].value is None
    ):
        op = node.ops[0]
        if (isinstance(op, ast.IsNot) and holds) or (isinstance(op, ast.Is) and not holds):
            return {node.left.id}
    return set()


def not_none_after(text: str, *, holds: bool) -> set[str]:
    """not_none_when for a condition's text (nothing when it does not parse)."""
    try:
        tree = ast.parse(respell_keywords(text.strip())[0], mode="eval")
    except SyntaxError:
        return set()
    return not_none_when(tree.body, holds=holds)

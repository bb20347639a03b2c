"""How a scenario's values read on a card: the spec's text, not the generated Python.

Scenario records hold compiled Python (`Decimal("10")`, `ADA_1`, `'Ada'`); a card shows what the
spec said (`10`, `ada-1`, `Ada`).
"""

from __future__ import annotations

import ast

from generator.spec import model as m

_WRAPPERS = frozenset({"Decimal", "UUID"})


class _Plain(ast.NodeTransformer):
    """Unwraps `Decimal("1")`/`UUID("…")` to their text and named-id constants to their names."""

    def __init__(self, ids: dict[str, str]) -> None:
        self.ids = ids

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        func = node.func
        if (
            isinstance(func, ast.Name)
            and func.id in _WRAPPERS
            and len(node.args) == 1
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            return ast.Name(id=node.args[0].value)
        return node

    def visit_Name(self, node: ast.Name) -> ast.AST:
        return ast.Name(id=self.ids.get(node.id, node.id))


def plain(code: str, ids: tuple[m.NamedId, ...] = ()) -> str:
    """The value of `code` as a person reads it; the code itself when it is not a value."""
    try:
        tree = ast.parse(code, mode="eval")
    except SyntaxError:
        return code
    body = _Plain({i.constant: i.name for i in ids if i.constant}).visit(tree.body)
    if isinstance(body, ast.Constant) and isinstance(body.value, str):
        return body.value
    return ast.unparse(body)


def record(item: m.Record, ids: tuple[m.NamedId, ...] = ()) -> str:
    """`MoneyDeposited(amount: 10)`: a record with its values, as a card line."""
    values = ", ".join(f"{v.target}: {plain(v.code, ids)}" for v in item.values)
    return f"{item.name}({values})" if values else item.name


def assignments(items: tuple[m.Assignment, ...], ids: tuple[m.NamedId, ...] = ()) -> str:
    return ", ".join(f"{a.target}: {plain(a.code, ids)}" for a in items)

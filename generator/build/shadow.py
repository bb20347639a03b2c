"""Part of step 5, render: class bodies whose fields are named like the names the body uses.

A field may be called `date`, `str` or `field`. In a class body that name then means the field
from its line on: mypy reads a later `due: date` as the field, a later default `date(2024, 1, 1)`
or `field(default_factory=...)` calls the field's default, and `typing.get_type_hints` looks in
the class before the module. So where a class has such a field, its annotations and defaults
spell those names through their modules (`dt.date`, `builtins.str`, `dataclasses.field`), and
through a private alias of the module (`_dt.date`) when a field takes the module's name too.
Every other class reads as usual.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from generator.spec.names import SHADOWABLE

# How a shadowed name is reached instead: (module alias, attribute). The templates import each
# module under both its alias and the private one; the import tidier drops what is unused.
_QUALIFIED = {
    "str": ("builtins", "str"),
    "int": ("builtins", "int"),
    "float": ("builtins", "float"),
    "bool": ("builtins", "bool"),
    "tuple": ("builtins", "tuple"),
    "date": ("dt", "date"),
    "datetime": ("dt", "datetime"),
    "timedelta": ("dt", "timedelta"),
    "field": ("dataclasses", "field"),
    "uuid4": ("uuid", "uuid4"),
    "new_id": ("runtime", "new_id"),
}
assert set(_QUALIFIED) == SHADOWABLE


class Spelling:
    """How one class body spells the module names it uses, given the attributes it declares."""

    def __init__(self, attributes: Iterable[str]) -> None:
        taken = frozenset(attributes)
        self.names: dict[str, str] = {}
        for name in sorted(SHADOWABLE & taken):
            module, member = _QUALIFIED[name]
            self.names[name] = f"_{module}.{member}" if module in taken else f"{module}.{member}"

    def code(self, code: str) -> str:
        """`code` (an annotation or a default) with every shadowed name spelled safely."""
        if not self.names or not any(name in code for name in self.names):
            return code
        tree = ast.parse(code, mode="eval")
        return ast.unparse(_Respell(self.names).visit(tree))


class _Respell(ast.NodeTransformer):
    def __init__(self, names: dict[str, str]) -> None:
        self.names = names

    def visit_Name(self, node: ast.Name) -> ast.expr:
        spelled = self.names.get(node.id)
        if spelled is None:
            return node
        return ast.parse(spelled, mode="eval").body

"""A checked tree rewritten into the Python the generated module runs."""

from __future__ import annotations

import ast

from generator.spec.expressions.scope import Compiled, Scope
from generator.spec.types import TypeRef


class Rewriter(ast.NodeTransformer):
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
            for side, old in ((new.left, node.left), (new.right, node.right)):
                if isinstance(side, ast.Tuple) and isinstance(old, ast.List | ast.Tuple):
                    items.extend(self._items(side.elts, old.elts, self.types.get(id(node))))
                elif isinstance(side, ast.Tuple):  # an inner `+` of lists, already made a tuple
                    items.extend(side.elts)
                else:
                    items.append(ast.Starred(value=side))
            return ast.Tuple(elts=items)
        if decimal:
            new.left = self._decimal_literal(new.left)
            new.right = self._decimal_literal(new.right)
        return new

    def _items(
        self, new: list[ast.expr], old: list[ast.expr], typ: TypeRef | None
    ) -> list[ast.expr]:
        """Items added to a list of decimals or floats, as that type: an int becomes one."""
        item = typ.item if typ is not None else None
        if item is None or item.kind not in ("decimal", "float"):
            return new
        if item.kind == "decimal":
            new = [self._decimal_literal(n, numbers=(int,)) for n in new]
        return [self._widen_int(n, o, item.kind) for n, o in zip(new, old, strict=True)]

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.expr:
        new = ast.BoolOp(op=node.op, values=[self._expr(v) for v in node.values])
        types = [self.types.get(id(v)) for v in node.values]
        if all(t == TypeRef("bool") for t in types):
            return new
        # `and`/`or` give one of their operands; the expression is a bool, so make it one.
        return ast.Call(func=ast.Name(id="bool"), args=[new], keywords=[])

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

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.expr:
        operand = self._expr(node.operand)
        if (
            isinstance(node.op, ast.USub | ast.UAdd)
            and isinstance(operand, ast.UnaryOp)
            and type(operand.op) is type(node.op)
        ):
            # `-(-x)` would print as `--x`, which reads as a decrement (ruff B002); it is `+x`.
            return ast.UnaryOp(op=ast.UAdd(), operand=operand.operand)
        return ast.UnaryOp(op=node.op, operand=operand)

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
        value = signed_number(old)
        if isinstance(value, int):
            # a literal: Decimal("2") already, or 2.0
            return new if kind == "decimal" else ast.Constant(float(value))
        convert = "Decimal" if kind == "decimal" else "float"
        return ast.Call(func=ast.Name(id=convert), args=[new], keywords=[])

    def _decimal_literal(self, node: ast.expr, numbers: tuple[type, ...] = (float,)) -> ast.expr:
        value = signed_number(node)
        if isinstance(value, numbers) and not isinstance(value, bool):
            # `-0.1` is a minus and a literal in the tree; as a decimal it is Decimal("-0.1").
            self.result.uses.add("Decimal")
            return ast.Call(
                func=ast.Name(id="Decimal"), args=[ast.Constant(repr(value))], keywords=[]
            )
        return node

    def _member(self, enum: str, value: str) -> ast.expr:
        self.result.uses.add(enum)
        member = self.scope.enums[enum][value]
        return ast.Attribute(value=ast.Name(id=enum), attr=member)


def signed_number(node: ast.expr) -> int | float | None:
    """The number a literal, or a literal with signs (`-0.1`), stands for; None otherwise."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = signed_number(node.operand)
        return -inner if inner is not None and isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return None if isinstance(node.value, bool) else node.value
    return None

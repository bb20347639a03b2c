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
        coerce: dict[int, TypeRef],
        scope: Scope,
        result: Compiled,
        expected: TypeRef | None,
    ) -> None:
        self.types = types
        self.coerce = coerce
        self.scope = scope
        self.result = result
        self.expected = expected
        self.root = True
        # A generator that is a call's only argument, by the placeholder standing for it:
        # ast.unparse writes `any((x for x in xs))`, which ruff refuses (UP034).
        self.generators: dict[str, ast.GeneratorExp] = {}

    def unparse(self, node: ast.expr) -> str:
        """The rewritten `node` as source, a lone generator argument without extra brackets."""
        text = ast.unparse(self._expr(node))
        while self.generators:
            name, generator = self.generators.popitem()
            text = text.replace(name, ast.unparse(generator)[1:-1])
        return text

    def _sole(self, args: list[ast.expr]) -> list[ast.expr]:
        if len(args) == 1 and isinstance(args[0], ast.GeneratorExp):
            name = f"_generator_{len(self.generators)}_"
            self.generators[name] = args[0]
            return [ast.Name(id=name)]
        return args

    def visit(self, node: ast.AST) -> ast.AST:
        if self.root and isinstance(node, ast.Constant) and isinstance(node.value, str):
            self.root = False
            if self.expected is not None and self.expected.kind == "enum":
                return self._member(self.expected.name, node.value)
        self.root = False
        result: ast.AST = super().visit(node)
        target = self.coerce.get(id(node))
        if target is not None and isinstance(node, ast.expr) and isinstance(result, ast.expr):
            return self._convert(result, node, target)
        return result

    def _expr(self, node: ast.expr) -> ast.expr:
        result = self.visit(node)
        assert isinstance(result, ast.expr)  # every rewrite of an expression is an expression
        return result

    def _kind(self, node: ast.expr) -> str:
        typ = self.types.get(id(node))
        return "" if typ is None else typ.kind

    def visit_Constant(self, node: ast.Constant) -> ast.expr:
        typ = self.types.get(id(node))
        if typ is not None and typ.kind == "enum" and isinstance(node.value, str):
            return self._member(typ.name, node.value)
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        if isinstance(node.op, ast.BitOr):
            return self._merge(node)
        decimal = "decimal" in (self._kind(node.left), self._kind(node.right))
        new = ast.BinOp(left=self._expr(node.left), op=node.op, right=self._expr(node.right))
        if isinstance(node.op, ast.Add) and any(
            isinstance(n, ast.List | ast.Tuple) for n in (node.left, node.right)
        ):
            # Lists are tuples in generated code: `state.lines + [x]` becomes `(*state.lines, x)`.
            items: list[ast.expr] = []
            for side in (new.left, new.right):
                if isinstance(side, ast.Tuple):  # a literal, or an inner `+` already a tuple
                    items.extend(side.elts)
                else:
                    items.append(ast.Starred(value=side))
            return ast.Tuple(elts=items)
        if decimal:
            new.left = self._decimal_literal(new.left)
            new.right = self._decimal_literal(new.right)
        return new

    def _merge(self, node: ast.BinOp) -> ast.expr:
        """`a | b` of maps as `{**a, **b}` (Mapping has no `|`); a literal's entries inline,
        unless a key is written on both sides (ruff would call it repeated)."""
        keys: list[ast.expr | None] = []
        values: list[ast.expr] = []
        for side in (self._expr(node.left), self._expr(node.right)):
            written = {ast.dump(k) for k in keys if k is not None}
            if isinstance(side, ast.Dict) and not any(
                k is not None and ast.dump(k) in written for k in side.keys
            ):
                keys.extend(side.keys)
                values.extend(side.values)
            else:
                keys.append(None)
                values.append(side)
        return ast.Dict(keys=keys, values=values)

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
        for index, op in enumerate(node.ops):
            if isinstance(op, ast.In | ast.NotIn):
                new[index + 1] = _without_keys(new[index + 1])  # `k in m`, not `k in m.keys()`
        if any(self._kind(o) == "decimal" for o in operands):
            # `command.amount == 0.1` must compare with Decimal("0.1"), not with the float 0.1.
            for n in new:
                if isinstance(n, ast.Tuple | ast.Set):
                    n.elts = [self._decimal_literal(e) for e in n.elts]
            new = [self._decimal_literal(n) for n in new]
        return ast.Compare(left=new[0], ops=node.ops, comparators=new[1:])

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

    def visit_IfExp(self, node: ast.IfExp) -> ast.expr:
        test, body, orelse = self._expr(node.test), self._expr(node.body), self._expr(node.orelse)
        boolean = True  # whether `test` is a bool (a conditional's test is, but `not x`'s x?)
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            # the spec's `not x`, or one the rewriting made (SIM211 in a nested conditional:
            # its operand's type is not known here, so it is not taken for a bool)
            original, inner = node.test, None
            if isinstance(original, ast.UnaryOp) and isinstance(original.op, ast.Not):
                inner = self.types.get(id(original.operand))
            test, body, orelse = test.operand, orelse, body  # ruff SIM212 reads it this way
            boolean = inner is not None and inner.kind == "bool" and not inner.optional
            if inner is not None and not inner.optional and inner.kind in _ALWAYS_TRUE:
                # mypy takes a condition that is always true (no __bool__ or __len__) as
                # leaving the other branch out, and `d + (x if now() else y)` as Any
                test, boolean = _call("bool", [test]), True
        if ast.dump(body) == ast.dump(orelse):
            return body  # both branches alike (ruff RUF034): the condition changes nothing
        if _is_bool(body, value=True) and _is_bool(orelse, value=False):
            # ruff SIM210; `False if not xs else True` is bool(xs), not xs itself
            return test if boolean else _call("bool", [test])
        if _is_bool(body, value=False) and _is_bool(orelse, value=True):
            return ast.UnaryOp(op=ast.Not(), operand=test)  # ruff SIM211
        return ast.IfExp(test=test, body=body, orelse=orelse)

    def visit_List(self, node: ast.List) -> ast.expr:
        return ast.Tuple(elts=[self._expr(e) for e in node.elts])

    def visit_ListComp(self, node: ast.ListComp) -> ast.expr:
        """A list built by a comprehension is a tuple too: `tuple(x for x in ...)`."""
        loops = [self._loop(g) for g in node.generators]
        generator = ast.GeneratorExp(elt=self._expr(node.elt), generators=loops)
        return _call("tuple", self._sole([generator]))

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> ast.expr:
        loops = [self._loop(g) for g in node.generators]
        return ast.GeneratorExp(elt=self._expr(node.elt), generators=loops)

    def visit_DictComp(self, node: ast.DictComp) -> ast.expr:
        loops = [self._loop(g) for g in node.generators]
        return ast.DictComp(
            key=self._expr(node.key), value=self._expr(node.value), generators=loops
        )

    def _loop(self, loop: ast.comprehension) -> ast.comprehension:
        if isinstance(loop.iter, ast.List):
            # a list written out stays a list here: over a tuple of constants, mypy types the
            # variable as their literal (`for it in (-16,)` makes `6 == it` a non-overlapping
            # comparison under --strict), over a list as their type
            iterated: ast.expr = ast.List(elts=[self._expr(e) for e in loop.iter.elts])
        else:
            iterated = _without_keys(self._expr(loop.iter))  # `for k in m`, not `in m.keys()`
        return ast.comprehension(
            target=loop.target,
            iter=iterated,
            ifs=[self._expr(c) for c in loop.ifs],
            is_async=0,
        )

    def visit_Call(self, node: ast.Call) -> ast.expr:
        args = [self._expr(arg) for arg in node.args]
        keywords = [ast.keyword(arg=k.arg, value=self._expr(k.value)) for k in node.keywords]
        if not isinstance(node.func, ast.Name):  # a method: get, keys, values, items, date
            return ast.Call(func=self._expr(node.func), args=args, keywords=keywords)
        name = node.func.id
        if name == "now":
            # The package's clock: real UTC time unless the application or a test fixed it.
            self.result.uses.add("clock")
            func = ast.Attribute(value=ast.Name(id="clock"), attr="now")
            return ast.Call(func=func, args=[], keywords=[])
        if name in ("days", "hours", "minutes"):
            self.result.uses.add("timedelta")
            return _call("timedelta", [], [ast.keyword(arg=name, value=args[0])])
        if name == "sorted":
            return _call("tuple", [_call("sorted", self._sole(args))])
        if name == "sum":
            start = self._start(node.args[0])
            return _call("sum", self._sole(args) if start is None else [*args, start])
        return ast.Call(func=node.func, args=self._sole(args), keywords=keywords)

    def _start(self, collection: ast.expr) -> ast.expr | None:
        """What sum() starts from: 0 for ints, and otherwise a zero of the items' own type, so
        that the result has that type (mypy types `sum` of Decimals as `Decimal | int`)."""
        typ = self.types.get(id(collection))
        items = None if typ is None else typ.key if typ.kind == "map" else typ.item  # a map: keys
        item = "" if items is None else items.kind
        if item == "decimal":
            self.result.uses.add("Decimal")
            return _call("Decimal", [ast.Constant(0)])
        if item == "float":
            return ast.Constant(0.0)
        if item == "duration":
            self.result.uses.add("timedelta")
            return _call("timedelta", [])
        return None

    def _convert(self, new: ast.expr, old: ast.expr, target: TypeRef) -> ast.expr:
        """`new` (rewritten from `old`) as a value of `target`: an int, or beside a decimal a
        float literal, converted."""
        kind = target.kind
        value = signed_number(old)
        if kind == "decimal" and isinstance(value, int | float):
            return self._decimal_literal(new, numbers=(int, float))
        if kind == "float" and isinstance(value, int):
            return ast.Constant(float(value))
        if kind not in ("decimal", "float") or self._kind(old) != "int":
            return new
        convert = "Decimal" if kind == "decimal" else "float"
        if kind == "decimal":
            self.result.uses.add("Decimal")
        typ = self.types.get(id(old))
        if typ is not None and typ.optional:
            none = ast.Compare(left=new, ops=[ast.Is()], comparators=[ast.Constant(None)])
            return ast.IfExp(test=none, body=ast.Constant(None), orelse=_call(convert, [new]))
        return _call(convert, [new])

    def _decimal_literal(self, node: ast.expr, numbers: tuple[type, ...] = (float,)) -> ast.expr:
        value = signed_number(node)
        if isinstance(value, numbers) and not isinstance(value, bool):
            # `-0.1` is a minus and a literal in the tree; as a decimal it is Decimal("-0.1").
            self.result.uses.add("Decimal")
            return _call("Decimal", [ast.Constant(repr(value))])
        return node

    def _member(self, enum: str, value: str) -> ast.expr:
        self.result.uses.add(enum)
        member = self.scope.enums[enum][value]
        return ast.Attribute(value=ast.Name(id=enum), attr=member)


def _call(name: str, args: list[ast.expr], keywords: list[ast.keyword] | None = None) -> ast.Call:
    return ast.Call(func=ast.Name(id=name), args=args, keywords=keywords or [])


def _without_keys(node: ast.expr) -> ast.expr:
    """`m` for `m.keys()` where a map means its keys anyway (ruff SIM118)."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "keys"
        and not node.args
    ):
        return node.func.value
    return node


# Values that are always true to mypy: no __bool__ or __len__ (records are dataclasses).
_ALWAYS_TRUE = ("date", "datetime", "uuid", "record")


def _is_bool(node: ast.expr, *, value: bool) -> bool:
    return isinstance(node, ast.Constant) and node.value is value


def signed_number(node: ast.expr) -> int | float | None:
    """The number a literal, or a literal with signs (`-0.1`), stands for; None otherwise."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = signed_number(node.operand)
        return -inner if inner is not None and isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return None if isinstance(node.value, bool) else node.value
    return None

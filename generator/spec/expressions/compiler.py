"""Compile one expression: parse, type-check, check it fits where it goes, rewrite, unparse."""

from __future__ import annotations

import ast

from generator.spec.expressions.rewrite import Rewriter
from generator.spec.expressions.scope import Compiled, Scope
from generator.spec.expressions.spelling import respell_keywords
from generator.spec.expressions.typecheck import Checker, compatible
from generator.spec.types import TypeRef


def compile_expression(text: str, scope: Scope, *, expected: TypeRef | None = None) -> Compiled:
    """Check and compile `text`. With `expected`, also check the result fits that type."""
    try:
        return _compile(text, scope, expected)
    except RecursionError:  # `- - - ... x` or `a + a + ... + a` thousands deep
        return Compiled(errors=[("E501", "the expression is nested too deeply")])


def _compile(text: str, scope: Scope, expected: TypeRef | None) -> Compiled:
    result = Compiled()
    source, keywords = respell_keywords(text.strip())
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        result.errors.append(("E500", f"not a valid expression: {exc.msg}"))
        return result
    checker = Checker(scope, result, keywords)
    checker.check(tree.body)
    if result.errors:
        return result
    result.type = checker.types.get(id(tree.body))
    if expected is not None:
        _check_fits(tree.body, result.type, expected, scope, result)
        if result.errors:
            return result
    rewritten = Rewriter(checker.types, scope, result, expected).visit(tree.body)
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
    if not compatible(actual, expected):
        result.errors.append(
            ("E504", f"a {actual.spec} value does not fit a {expected.spec} field")
        )

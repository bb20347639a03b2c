"""Compile one expression: parse, type-check, check it fits where it goes, rewrite, unparse."""

from __future__ import annotations

import ast

from generator.spec.expressions.rewrite import Rewriter
from generator.spec.expressions.scope import Compiled, Scope
from generator.spec.expressions.spelling import respell_keywords
from generator.spec.expressions.typecheck import Checker
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
    result.type = checker.check(tree.body)
    if result.errors:
        return result
    if result.type is None:
        if not checker.vague:  # every node has a type, or the reason it has none was said
            result.errors.append(("E501", "the type of this expression cannot be told"))
        return result
    if expected is not None and not checker.fit(tree.body, expected, root=True):
        return result
    rewriter = Rewriter(checker.types, checker.coerce, scope, result, expected)
    result.code = rewriter.unparse(tree.body)
    if expected is not None and checker.widen_root:
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

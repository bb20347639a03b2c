"""Spec expressions: parsed with `ast`, checked against an allow-list, typed, compiled to Python.

An expression may use literals; the names the context offers (`command`, `state`, `event`, `row`)
and attribute access on them; arithmetic; comparisons; `and`/`or`/`not`; `in`; and the functions
`len`, `abs`, `min`, `max`, `now`. Nothing is `eval`ed: the checked tree is rewritten (enum strings
become members, float literals next to decimals become `Decimal("...")`) and unparsed to source.

The package holds the compiler (compiler.py), the allow-list and type checker (typecheck.py) and
the rewriter (rewrite.py); it imports only generator.spec.types.
"""

from generator.spec.expressions.compiler import compile_expression, widen
from generator.spec.expressions.scope import Compiled, Scope
from generator.spec.expressions.typecheck import FUNCTIONS

__all__ = ["FUNCTIONS", "Compiled", "Scope", "compile_expression", "widen"]

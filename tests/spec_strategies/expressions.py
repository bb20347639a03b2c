"""Expressions of the spec language, drawn with their meaning.

Every drawn expression is kept twice: as the spec writes it, and as Python that computes what the
generated code must compute (a float literal next to a decimal is that decimal, `min` of a decimal
and an int is a decimal, `now()` is the clock). `Gen` draws them over the fields in reach (`refs`),
using every operator and function the language allows (generator/spec/expressions/typecheck.py);
each carries the features it uses, which the coverage test counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, localcontext
from functools import cache
from types import CodeType, SimpleNamespace
from typing import Any

from hypothesis import strategies as st

from spec_strategies.conditions import Conditions
from spec_strategies.names import TEXT
from spec_strategies.terms import INT, Expr, Refs, as_decimal, join, literal
from spec_strategies.values import (
    NOW,
    NUMERIC,
    STEP,
    UTC,
    Domain,
    T,
    coerce,
    to_yaml,
    values_of,
)

# -- evaluating ----------------------------------------------------------------------------------


@cache
def _code(py: str) -> CodeType:
    return compile(py, "<expr>", "eval")


def _probe(features: set[str], value: Any, pivot: Any, kind: str) -> Any:
    """Notes a compared value that sits on a guard's boundary or just beside it."""
    step = STEP[kind]
    if value == pivot:
        features.add("boundary:at")
    elif value == pivot - step:
        features.add("boundary:below")
    elif value == pivot + step:
        features.add("boundary:above")
    return value


_BUILTINS = {"len": len, "abs": abs, "min": min, "max": max, "float": float}


def evaluate(expr: Expr, domain: Domain, **names: dict[str, Any]) -> Any:
    scope = {k: SimpleNamespace(**v) for k, v in names.items()}
    env = {
        "__builtins__": _BUILTINS,
        "Decimal": Decimal,
        "NOW": NOW,
        "_clock": lambda: dt.datetime.now(UTC),
        "_probe": lambda value, pivot, kind: _probe(domain.features, value, pivot, kind),
    }
    # The generated package computes with 100 significant digits (runtime.ARITHMETIC): a
    # division that does not end is rounded there, not at Python's default 28.
    with localcontext(prec=100):
        return eval(_code(expr.py), env, scope)


# What a mapping says for a field (the spec value), and how to compute it from the context.
Assigned = tuple[Any, Callable[..., Any]]


def assignment(draw: Any, t: T, refs: Refs, domain: Domain, *, clock: bool = False) -> Assigned:
    """What an `apply`, `set`, `send` or `emits` mapping says for a field of type `t`; with
    `clock`, a datetime may be `now()`."""
    if draw(st.integers(0, 3)) > 0:
        expr = Gen(draw, refs, domain, clock=clock).value(t)
        if expr is not None:
            domain.features |= expr.features
            return "= " + expr.text, lambda **names: coerce(evaluate(expr, domain, **names), t)
    value = draw(values_of(t, domain))
    domain.features.add("literal")
    if isinstance(value, str) and value.startswith("="):
        # A literal string that starts with `=` would read as an expression: write it as one.
        return "= " + repr(value), lambda **_: value
    return to_yaml(value, t), lambda **_: value


def guard(draw: Any, refs: Refs, domain: Domain) -> Expr:
    """A `rejects` condition; three in five compare a number with a pivot, which the scenarios'
    values sit next to."""
    gen = Gen(draw, refs, domain)
    expr = (gen.draw(st.integers(0, 4)) < 3 and gen.boundary()) or gen.condition()
    domain.features |= expr.features
    return expr


# -- drawing -------------------------------------------------------------------------------------


def _stateful(expr: Expr) -> bool:
    """Whether `expr` reads the state, which a command may update many times over (the store
    test's racing writers send one command twenty times)."""
    return "state." in expr.text


class Gen(Conditions):
    """Draws typed expressions over the fields in reach: numbers with every operator and
    function, strings, lists, times, and (from Conditions) booleans."""

    def number(self, kind: str, depth: int = 0) -> Expr | None:
        """An expression of exactly type `kind` (int, decimal or float); at depth 0 one that
        computes something (a field alone is drawn elsewhere)."""
        leaves = self.of(T(kind))
        if kind == "int":
            leaves += [self.pivot("int"), *self._lengths()]
        elif kind == "float":
            leaves.append(self.pivot("float"))
        if depth >= 2 or (depth > 0 and leaves and self.chance(2)):
            return self.pick(leaves) if leaves else None
        shape = self.draw(st.sampled_from(["binary", "divide", "unary", "minmax"]))
        if shape == "unary":
            inner = self.number(kind, depth + 1)
            if inner is None:
                return None
            text, py = inner.wrapped()
            if self.chance(2):
                return Expr(
                    f"abs({inner.text})",
                    f"abs({inner.py})",
                    T(kind),
                    join(inner, extra=("fn:abs",)),
                )
            return Expr(f"-{text}", f"-{py}", T(kind), join(inner, extra=("op:neg",)), atom=False)
        if shape == "minmax":
            return self.minmax(kind, depth)
        left = self.number(kind, depth + 1)
        if left is None:
            return None
        if shape == "divide":
            op = self.pick(["//", "%"] if kind == "int" else ["/", "//", "%"])
            return self.binary(left, self.divisor(kind), op)
        right = self.operand(kind, depth + 1)
        op = self.pick(["+", "-", "*"])
        if op == "*" and _stateful(left) and _stateful(right):
            right = self.pivot("int")  # a square of the state grows past any bound when repeated
        return self.binary(*((right, left) if self.chance(2) else (left, right)), op=op)

    def binary(self, left: Expr, right: Expr, op: str) -> Expr:
        kinds = {left.type.kind, right.type.kind}
        kind = (
            "decimal" if "decimal" in kinds else "float" if "float" in kinds or op == "/" else "int"
        )
        lt, lp = left.wrapped()
        rt, rp = right.wrapped()
        if kind == "decimal":  # a float literal beside a decimal is that decimal
            lp, rp = as_decimal(left), as_decimal(right)
        features = join(left, right, extra=(f"op:{op}",))
        return Expr(f"{lt} {op} {rt}", f"{lp} {op} {rp}", T(kind), features, atom=False)

    def operand(self, kind: str, depth: int) -> Expr:
        """What may stand beside an expression of `kind` in + - *: the same kind or an int, and
        beside a decimal a float literal (which the language reads as that decimal)."""
        options = [k for k in ("int", kind) if self.of(T(k)) or k == "int"]
        choice = self.number(self.pick(options), depth)
        if kind == "decimal" and (choice is None or self.chance(3)):
            return literal(self.draw(st.integers(1, 40)) / 4)
        return choice or self.pivot("int")

    def divisor(self, kind: str) -> Expr:
        """Never zero: a positive or negative literal, or `abs(x) + k`."""
        shape = self.draw(st.integers(0, 2))
        if shape == 0:
            n = self.draw(st.integers(1, 9)) * self.pick([1, -1])
            return literal(n / 4 if kind == "float" and self.chance(2) else n)
        if shape == 1 and kind != "int":
            return literal(self.draw(st.integers(1, 12)) / 4)  # positive: see as_decimal
        base = self.number(self.pick(["int", kind]), 1) or self.pivot("int")
        k = self.draw(st.integers(1, 3))
        text = f"abs({base.text}) + {k}"
        return Expr(
            text,
            f"abs({base.py}) + {k}",
            base.type,
            join(base, extra=("fn:abs", "op:+")),
            atom=False,
        )

    def minmax(self, kind: str, depth: int) -> Expr | None:
        """min/max of `kind`: the result is a decimal (or float) whichever argument wins."""
        first = self.number(kind, depth + 1)
        if first is None:
            return None
        args = [first]
        for _ in range(self.draw(st.integers(1, 2))):
            other = self.pick(["int", kind])
            if other == "int" or self.chance(3):
                arg = self.number("int", depth + 1) if self.chance(2) else None
                args.append(
                    arg or self.pivot("float" if kind != "int" and self.chance(2) else "int")
                )
            else:
                args.append(self.number(kind, depth + 1) or self.pivot("int"))
        args = list(self.draw(st.permutations(args)))
        name = self.pick(["min", "max"])
        if kind == "decimal":
            pys = [
                as_decimal(a, ints=True)
                if a.type.kind != "int" or a.number is not None
                else f"Decimal({a.py})"
                for a in args
            ]
        elif kind == "float":
            pys = [f"float({a.py})" if a.type.kind == "int" else a.py for a in args]
        else:
            pys = [a.py for a in args]
        text = f"{name}({', '.join(a.text for a in args)})"
        return Expr(text, f"{name}({', '.join(pys)})", T(kind), join(*args, extra=(f"fn:{name}",)))

    def value(self, want: T) -> Expr | None:
        """An expression whose value fits a field of type `want`, or None when none is in reach:
        more often a computed one (operators, functions, `now()`) than a field or None."""
        kind, required = want.kind, want.required()
        simple = [r for r in self.refs if r.type == want or r.type == required]
        if kind in ("decimal", "float"):
            ints = [
                r for r in self.refs if r.type == INT or (want.optional and r.type == INT.maybe())
            ]
            simple += [Expr(r.text, r.py, r.type, r.features | {"widen"}) for r in ints]
        if want.optional:
            simple.append(Expr("None", "None", T("null")))
        computed = self._computed(want)
        # Two times in three a computed value (a time a command records: now(), three in four).
        if computed and (not simple or not self.chance(4 if kind == "datetime" else 3)):
            return self.pick(computed)
        return self.pick(simple) if simple else None

    def _computed(self, want: T) -> list[Expr]:
        kind, required = want.kind, want.required()
        found: list[Expr] = []
        if kind in NUMERIC:
            found += [e for e in (self.number(kind), self.number(kind)) if e is not None]
            if kind == "float":
                found.append(
                    self.binary(self.number("int") or self.pivot("int"), self.divisor("int"), "/")
                )
        elif kind == "str":
            found += self.strings()
        elif kind == "bool":
            found.append(self.condition())
        elif kind == "list":
            found += self.lists(required)
        elif kind == "enum":
            value = self.pick(self.domain.enums[want.name])
            found.append(Expr(repr(value), repr(value), required))
        elif kind == "datetime" and self.clock:
            found.append(Expr("now()", "NOW", required, frozenset({"fn:now-value"})))
        return found

    def strings(self) -> list[Expr]:
        strs = [r for r in self.of(T("str"))]
        if not strs:
            return []
        a, b, text = self.pick(strs), self.pick(strs), self.draw(TEXT)
        lit = Expr(repr(text), repr(text), T("str"))
        left, right = (a, lit) if self.chance(2) else (lit, b if self.chance(2) else a)
        return [
            Expr(
                f"{left.text} + {right.text}",
                f"{left.py} + {right.py}",
                T("str"),
                join(a, extra=("op:str+",)),
                atom=False,
            )
        ]

    def lists(self, want: T) -> list[Expr]:
        assert want.item is not None
        lists = self.of(want)
        items = [r for r in self.refs if r.type == want.item]
        if want.item.kind in ("decimal", "float"):
            items += self.of(INT)
        literal_item = self._item_literal(want.item)
        if literal_item is not None and (not items or self.chance(3)):
            items.append(literal_item)
        found = []
        if lists and items:
            a, b = self.pick(lists), self.pick(items)
            # Items are the list's type: an int added to decimals is a decimal.
            item = f"Decimal({b.py})" if want.item.kind == "decimal" and b.type == INT else b.py
            if self.chance(2):
                found.append(
                    Expr(
                        f"{a.text} + [{b.text}]",
                        f"{a.py} + ({item},)",
                        want,
                        join(a, b, extra=("op:list+",)),
                        atom=False,
                    )
                )
            else:
                found.append(
                    Expr(
                        f"[{b.text}] + {a.text}",
                        f"({item},) + {a.py}",
                        want,
                        join(a, b, extra=("op:list+",)),
                        atom=False,
                    )
                )
        if lists:
            a, b = self.pick(lists), self.pick(lists)
            if _stateful(a) and _stateful(b):  # doubling the state's list: a million items soon
                return found
            found.append(
                Expr(
                    f"{a.text} + {b.text}",
                    f"{a.py} + {b.py}",
                    want,
                    join(a, b, extra=("op:list+",)),
                    atom=False,
                )
            )
        return found

    def _item_literal(self, t: T) -> Expr | None:
        """A literal list item of type `t`, where the language has one."""
        if t.kind in ("int", "decimal"):  # an int literal is a decimal one too
            return self.pivot("int")
        if t.kind == "float":
            return self.pivot("float")
        if t.kind == "str":
            text = self.draw(TEXT)
            return Expr(repr(text), repr(text), t)
        if t.kind == "bool":
            value = self.pick(["True", "False"])
            return Expr(value, value, t)
        return None

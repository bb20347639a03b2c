"""The pieces drawn expressions are made of: `Expr` (spec text, Python meaning, type, the
features it uses) and `Reach`, the fields an expression can see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from spec_strategies.values import Domain, T

Refs = dict[str, dict[str, T]]  # context name -> field -> type
BOOL, INT = T("bool"), T("int")
OPS = {op: f"op:{op}" for op in ("<", "<=", ">", ">=", "==", "!=")}


@dataclass(frozen=True)
class Expr:
    text: str  # as the spec writes it
    py: str  # as this package computes it
    type: T
    features: frozenset[str] = frozenset()
    atom: bool = True  # needs no parentheses as an operand
    number: int | float | None = None  # the value of a (signed) number literal

    def wrapped(self) -> tuple[str, str]:
        if self.atom:
            return self.text, self.py
        return f"({self.text})", f"({self.py})"


def join(*parts: Expr, extra: tuple[str, ...] = ()) -> frozenset[str]:
    return frozenset().union(*(p.features for p in parts), extra)


def literal(value: int | float, kind: str | None = None) -> Expr:
    kind = kind or ("float" if isinstance(value, float) else "int")
    text = repr(value)
    features = ("lit:negative",) if value < 0 else ()
    return Expr(text, text, T(kind), frozenset(features), atom=value >= 0, number=value)


def as_decimal(e: Expr, *, ints: bool = False) -> str:
    """The Python of `e` where a decimal is meant: a float literal (or, with `ints`, an int
    literal) is that decimal number, exactly as written."""
    if e.number is not None and (isinstance(e.number, float) or ints):
        return f"Decimal({repr(e.number)!r})"
    return e.wrapped()[1]


class Reach:
    """The fields in reach of an expression (`refs`, and the fields of value objects in them,
    two levels deep), and the draws every kind of expression makes."""

    def __init__(self, draw: Any, refs: Refs, domain: Domain, *, clock: bool = False) -> None:
        self.draw, self.domain, self.clock = draw, domain, clock
        self.refs: list[Expr] = []
        for context, fields in refs.items():
            for name, t in fields.items():
                self._reach(f"{context}.{name}", t, frozenset(), 0)

    def _reach(self, path: str, t: T, features: frozenset[str], depth: int) -> None:
        self.refs.append(Expr(path, path, t, features))
        if t.kind == "record" and not t.optional and depth < 2:
            inner = features | {"attr:record" if depth == 0 else "attr:nested"}
            for f in self.domain.records[t.name]:
                self._reach(f"{path}.{f.name}", f.type, inner, depth + 1)

    def pick(self, options: list[Any]) -> Any:
        """One of `options`; a field inside a value object half the time there is one."""
        for feature in ("attr:nested", "attr:record"):
            inside = [o for o in options if isinstance(o, Expr) and feature in o.features]
            if inside and self.chance(2):
                options = inside
        return self.draw(st.sampled_from(options))

    def of(self, t: T) -> list[Expr]:
        return [r for r in self.refs if r.type == t]

    def chance(self, n: int) -> bool:
        return self.draw(st.integers(0, n - 1)) == 0

    def pivot(self, kind: str) -> Expr:
        """A literal guards compare with: one of the spec's pivots."""
        return self.literal_of(kind, self.pick(self.domain.pivots[kind]))

    @staticmethod
    def literal_of(kind: str, value: Any) -> Expr:
        """`value` as a literal; a decimal is written as a float literal, which the language
        reads as that decimal."""
        if kind == "decimal":
            return literal(float(f"{value:.2f}"))
        return literal(value, kind)

    def _lengths(self) -> list[Expr]:
        found = [r for r in self.refs if r.type.kind in ("list", "str") and not r.type.optional]
        return [Expr(f"len({r.text})", f"len({r.py})", INT, r.features | {"fn:len"}) for r in found]

"""Conditions drawn for guards and bool values: comparisons of every kind (numbers against the
pivots the scenarios' values sit next to, chains, `in` and `not in`, times against `now()`),
`is None`, `not`, and `and`/`or`, also over values that are not booleans."""

from __future__ import annotations

from hypothesis import strategies as st

from spec_strategies.terms import BOOL, INT, OPS, Expr, Reach, as_decimal, join, literal
from spec_strategies.values import NUMERIC, T


class Conditions(Reach):
    """Draws conditions; the numbers in them come from `number`, which Gen defines."""

    def condition(self, depth: int = 0) -> Expr:
        """A boolean expression (a guard, or a bool value)."""
        options = [
            self._compare_numbers,
            self._compare_other,
            self._flag,
            self._clock,
            self._membership,
        ]
        times = self.chance(4) and self._clock()  # times are few: give them a turn of their own
        chosen = times or self.pick(options)() or self._flag()
        if depth < 1 and self.chance(2):
            other = self.condition(depth + 1)
            truthy = [r for r in self.refs if r.type.kind in ("int", "str", "list", "bool")]
            if truthy and self.chance(4):  # `x and ...` reads x as true or false
                other = Expr(*self.pick(truthy).wrapped()[:2], BOOL, frozenset({"op:truthy"}))
            op = self.pick(["and", "or"])
            (lt, lp), (rt, rp) = chosen.wrapped(), other.wrapped()
            return Expr(
                f"{lt} {op} {rt}",
                f"{lp} {op} {rp}",
                BOOL,
                join(chosen, other, extra=(f"op:{op}",)),
                atom=False,
            )
        if depth < 1 and self.chance(5):
            text, py = chosen.wrapped()
            return Expr(
                f"not {text}", f"not {py}", BOOL, join(chosen, extra=("op:not",)), atom=False
            )
        return chosen

    def _flag(self) -> Expr:
        """A bool field, `not` one, or an optional one `is None`; now and then a constant (a
        guard that always or never holds says little, so rarely)."""
        options: list[Expr] = []
        for r in self.refs:
            if r.type == BOOL:
                options += [
                    r,
                    Expr(
                        f"not {r.text}",
                        f"not {r.py}",
                        BOOL,
                        join(r, extra=("op:not",)),
                        atom=False,
                    ),
                ]
            elif r.type.optional:
                for op in ("is", "is not"):
                    feature = f"op:{op.replace(' ', '-')}-None"
                    options.append(
                        Expr(
                            f"{r.text} {op} None",
                            f"{r.py} {op} None",
                            BOOL,
                            join(r, extra=(feature,)),
                            atom=False,
                        )
                    )
        if not options or self.chance(8):
            return Expr(*[self.pick(["True", "False"])] * 2, BOOL)
        return self.pick(options)

    def _compare_numbers(self) -> Expr | None:
        kinds = [k for k in NUMERIC if self.of(T(k))] + ["int"] * bool(self._lengths())
        if not kinds:
            return None
        kind = self.pick(kinds)
        fields = self.of(T(kind)) + self._lengths() * (kind == "int")
        left = self.number(kind) if self.chance(3) else None
        if left is None or left.number is not None:  # not a literal: `3 < 5` says nothing
            left = self.pick(fields)
        shape = self.draw(st.sampled_from([0, 1, 1, 2, 3]))
        if shape == 3:
            return self.boundary()
        if shape == 0:  # two expressions
            if kind != "decimal" and self.chance(3):  # a quotient is a float
                left = self.binary(left, self.divisor(kind), "/")
            right = self.number(self.pick([kind, "int"])) or self.pivot("int")
            return self.compare(left, self.pick(["<", "<=", ">", ">=", "==", "!="]), right)
        if shape == 1:  # a range, chained
            low, high = sorted((self.pivot(kind), self.pivot(kind)), key=lambda e: e.number or 0)
            return self.chain(low, (self.pick(["<", "<="]), self.pick(["<", "<="])), left, high)
        # in a list of literals
        items = [self.pivot(kind) for _ in range(self.draw(st.integers(1, 3)))]
        return self.member(left, items, self.pick(["in", "not in"]))

    def boundary(self) -> Expr | None:
        """A number field compared with a pivot; or the field shifted or scaled, compared with
        the pivot shifted or scaled alike (`x * 3 < 12` for the pivot 4), so that the boundary
        stays where the scenarios' values are."""
        kinds = [k for k in NUMERIC if self.of(T(k))]
        if not kinds:
            return None
        kind = self.pick(kinds)
        left = self.pick(self.of(T(kind)))
        value = self.pick(self.domain.pivots[kind])
        if self.chance(2):
            shift = self.pick(["+", "-", "*"])
            k = self.draw(st.integers(1, 5)) * (self.pick([1, -1]) if shift == "*" else 1)
            left = self.binary(left, literal(k), shift)
            value = value + k if shift == "+" else value - k if shift == "-" else value * k
        right = self.literal_of(kind, value)
        # Mostly an order: `<` and `<=` differ only on the boundary, which the scenarios meet.
        op = self.pick(["<", "<=", ">", ">="] * 2 + ["==", "!="])
        if self.chance(4):  # the literal on the left
            flipped = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(op, op)
            return self.compare(right, flipped, left, probe=True)
        return self.compare(left, op, right, probe=True)

    def compare(self, left: Expr, op: str, right: Expr, *, probe: bool = False) -> Expr:
        """`left op right`; with `probe`, notes whether the compared value sits at the literal."""
        decimal = "decimal" in (left.type.kind, right.type.kind)
        (lt, lp), (rt, rp) = left.wrapped(), right.wrapped()
        if decimal:  # a float literal compared with a decimal is that decimal
            lp, rp = as_decimal(left), as_decimal(right)
        if probe and left.number is not None:
            rp = f"_probe({rp}, {lp}, {right.type.kind!r})"
        elif probe:
            lp = f"_probe({lp}, {rp}, {left.type.kind!r})"
        features = join(left, right, extra=(OPS[op],))
        return Expr(f"{lt} {op} {rt}", f"{lp} {op} {rp}", BOOL, features, atom=False)

    def chain(self, low: Expr, ops: tuple[str, str], middle: Expr, high: Expr) -> Expr:
        """`low < middle <= high`."""
        decimal = middle.type.kind == "decimal"
        parts = [
            (o.wrapped()[0], as_decimal(o) if decimal else o.wrapped()[1])
            for o in (low, middle, high)
        ]
        text = f"{parts[0][0]} {ops[0]} {parts[1][0]} {ops[1]} {parts[2][0]}"
        py = f"{parts[0][1]} {ops[0]} {parts[1][1]} {ops[1]} {parts[2][1]}"
        features = join(low, middle, high, extra=(OPS[ops[0]], OPS[ops[1]], "op:chain"))
        return Expr(text, py, BOOL, features, atom=False)

    def member(self, left: Expr, items: list[Expr], op: str) -> Expr:
        decimal = left.type.kind == "decimal"
        pys = [as_decimal(i) if decimal else i.py for i in items]
        text = f"{left.wrapped()[0]} {op} [{', '.join(i.text for i in items)}]"
        py = f"{left.wrapped()[1]} {op} ({', '.join(pys)},)"
        feature = "op:in" if op == "in" else "op:not-in"
        return Expr(text, py, BOOL, join(left, *items, extra=(feature,)), atom=False)

    def _membership(self) -> Expr | None:
        """`x in [...]` or `x not in [...]`: a number among pivots, a text among the text pivots,
        an enum among its values."""
        refs = [r for r in self.refs if r.type.kind in ("int", "decimal", "float", "str", "enum")]
        refs = [r for r in refs if not r.type.optional]
        if not refs:
            return None
        r = self.pick(refs)
        count = self.draw(st.integers(1, 3))
        if r.type.kind in NUMERIC:
            items = [self.pivot(r.type.kind) for _ in range(count)]
        else:
            values = (
                self.domain.pivots["str"]
                if r.type.kind == "str"
                else self.domain.enums[r.type.name]
            )
            items = [
                Expr(repr(v), repr(v), r.type) for v in (self.pick(values) for _ in range(count))
            ]
        return self.member(r, items, self.pick(["in", "not in"]))

    def _clock(self) -> Expr | None:
        """A time compared with now(): the times drawn are far from today, so the outcome is
        known (a time now() took, compared, makes the scenario Indeterminate)."""
        times = [r for r in self.refs if r.type == T("datetime")]
        if not times:
            return None
        clock = Expr("now()", "_clock()", T("datetime"), frozenset({"fn:now"}))
        pair = (self.pick(times), clock)
        left, right = pair if self.chance(2) else pair[::-1]
        return self.compare(left, self.pick(["<", "<=", ">", ">="]), right)

    def _compare_other(self) -> Expr | None:
        """Strings, enums, lists, dates, times, UUIDs and value objects."""
        refs = [
            r
            for r in self.refs
            if not r.type.optional and r.type.kind not in (*NUMERIC, "bool", "map")
        ]
        if not refs:
            return None
        times = [r for r in refs if r.type.kind == "datetime"]
        r = self.pick(times if times and self.chance(2) else refs)
        kind, features = r.type.kind, r.features
        if kind in ("str", "enum"):
            values = self.domain.pivots["str"] if kind == "str" else self.domain.enums[r.type.name]
            chosen = [self.pick(values) for _ in range(self.draw(st.integers(1, 3)))]
            lits = [Expr(repr(v), repr(v), r.type) for v in chosen]
            shape = self.draw(st.integers(0, 3 if kind == "str" else 2))
            if shape == 0:
                if kind == "str" and self.chance(2):  # text joined, then compared
                    joined = Expr(
                        f"{r.text} + {lits[1 % len(lits)].text}",
                        f"{r.py} + {lits[1 % len(lits)].py}",
                        r.type,
                        features | {"op:str+"},
                        atom=False,
                    )
                    return self.compare(joined, self.pick(["==", "!="]), lits[0])
                return self.compare(r, self.pick(["==", "!="]), lits[0])
            if shape == 1 and kind == "str":
                return self.compare(r, self.pick(["<", ">="]), lits[0])
            if shape == 3:  # a substring
                lit = lits[0]
                op = self.pick(["in", "not in"])
                feature = "op:in" if op == "in" else "op:not-in"
                return Expr(
                    f"{lit.text} {op} {r.text}",
                    f"{lit.py} {op} {r.py}",
                    BOOL,
                    features | {feature},
                    atom=False,
                )
            return self.member(r, lits, self.pick(["in", "not in"]))
        if kind == "list":
            assert r.type.item is not None
            items = [i for i in self.refs if i.type == r.type.item]
            if r.type.item.kind == "int":
                items.append(self.pivot("int"))
            if items and self.chance(2):
                item = self.pick(items)
                op = self.pick(["in", "not in"])
                feature = "op:in" if op == "in" else "op:not-in"
                return Expr(
                    f"{item.wrapped()[0]} {op} {r.text}",
                    f"{item.wrapped()[1]} {op} {r.py}",
                    BOOL,
                    join(item, r, extra=(feature,)),
                    atom=False,
                )
            length = Expr(f"len({r.text})", f"len({r.py})", INT, features | {"fn:len"})
            return self.compare(
                length, self.pick(["<", ">=", "=="]), literal(self.draw(st.integers(0, 3)))
            )
        same = self.of(r.type)
        other = self.pick(same)
        ops = ["==", "!="] if kind == "record" else ["<", "<=", ">", ">=", "==", "!="]
        return self.compare(r, self.pick(ops), other)

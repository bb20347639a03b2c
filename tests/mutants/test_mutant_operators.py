"""The expression operators of `eventforge mutants`, one by one on small compiled expressions, and
the boundary values its suggestions name."""

from __future__ import annotations

from decimal import Decimal

import pytest

from generator.mutants.operators import OPERATORS, expression_mutants, step
from generator.mutants.suggest import Guard, Types, boundary, for_guard
from generator.spec.types import TypeRef


def _mutants(code: str) -> set[tuple[str, str]]:
    return {(m.operator, m.code) for m in expression_mutants(code)}


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (
            "command.amount <= 0",
            {
                ("M102", "command.amount < 0"),
                ("M103", "command.amount <= 1"),
                ("M103", "command.amount <= -1"),
            },
        ),
        (
            "state.count > 5",
            {
                ("M102", "state.count >= 5"),
                ("M103", "state.count > 6"),
                ("M103", "state.count > 4"),
            },
        ),
        ("state.count >= 3", {("M102", "state.count > 3"), ("M103", "state.count >= 4"),
                              ("M103", "state.count >= 2")}),
        ("state.count < 3", {("M102", "state.count <= 3"), ("M103", "state.count < 4"),
                             ("M103", "state.count < 2")}),
        ("len(state.lines) == 0", {("M101", "len(state.lines) != 0"),
                                   ("M103", "len(state.lines) == 1"),
                                   ("M103", "len(state.lines) == -1")}),
        ("state.status != Status.OPEN", {("M101", "state.status == Status.OPEN")}),
        ("state.tier in (Tier.A, Tier.B)", {("M101", "state.tier not in (Tier.A, Tier.B)")}),
        ("state.tier not in (Tier.A,)", {("M101", "state.tier in (Tier.A,)")}),
        ("state.coupon is not None", {("M101", "state.coupon is None")}),
        ("state.a and state.b", {("M104", "state.a or state.b")}),
        ("state.a or state.b", {("M104", "state.a and state.b")}),
        ("not state.on_loan", {("M105", "state.on_loan")}),
        ("state.balance + event.amount", {("M106", "state.balance - event.amount")}),
        ("state.balance - event.amount", {("M106", "state.balance + event.amount")}),
        ("event.quantity * event.price", {("M106", "event.quantity / event.price")}),
        ("event.total / event.count", {("M106", "event.total * event.count")}),
        (
            "command.weight > Decimal('2.50')",
            {
                ("M102", "command.weight >= Decimal('2.50')"),
                ("M103", "command.weight > Decimal('2.51')"),
                ("M103", "command.weight > Decimal('2.49')"),
            },
        ),
        ("command.x > -1", {("M102", "command.x >= -1"), ("M103", "command.x > 0"),
                            ("M103", "command.x > -2")}),
        ("event.name", set()),  # nothing to change in a plain reference
        ("max(row.count - 1, 0)", {("M106", "max(row.count + 1, 0)")}),  # not a comparison: kept
    ],
)  # fmt: skip
def test_each_operator_makes_its_mutant(code: str, expected: set[tuple[str, str]]) -> None:
    assert _mutants(code) == expected


def test_nested_expressions_mutate_one_node_at_a_time() -> None:
    code = "state.n >= 6 or state.tier in (T.A, T.B) and state.n >= 3"
    found = expression_mutants(code)
    assert len(found) == len({m.code for m in found}) == 9
    changed = {(m.before, m.after) for m in found}
    assert ("state.n >= 3", "state.n > 3") in changed
    assert (
        "state.tier in (T.A, T.B) and state.n >= 3",
        "state.tier in (T.A, T.B) or state.n >= 3",
    ) in changed
    assert all(m.code != code for m in found)


def test_every_operator_code_is_described() -> None:
    assert sorted(OPERATORS) == [f"M10{i}" for i in range(1, 7)] + [f"M20{i}" for i in range(1, 10)]


def test_a_literal_moves_by_its_last_digit() -> None:
    assert step(Decimal("5")) == 1
    assert step(Decimal("2.50")) == Decimal("0.01")
    assert step(Decimal("0.5")) == Decimal("0.1")


TYPES = Types(
    names={
        "command": {"amount": TypeRef("decimal"), "count": TypeRef("int"), "on": TypeRef("date")},
        "state": {"due": TypeRef("date"), "limit": TypeRef("decimal")},
    },
    records={},
)


@pytest.mark.parametrize(
    ("code", "subject", "low", "high"),
    [
        # int: n and n + 1; decimal: n and n + 0.01 (or the literal's last digit); date: a day
        ("command.count >= 3", "command.count", ("2", False), ("3", True)),
        ("command.count < 3", "command.count", ("2", True), ("3", False)),
        ("command.amount <= 0", "command.amount", ("0", True), ("0.01", False)),
        ("command.amount > Decimal('2.50')", "command.amount", ("2.50", False), ("2.51", True)),
        ("0 >= command.amount", "command.amount", ("0", True), ("0.01", False)),
        ("command.amount > state.limit", "command.amount", ("state.limit", False),
         ("state.limit + 0.01", True)),
        ("command.on <= state.due", "command.on", ("state.due", True), ("state.due + 1 day", False)),
        ("len(command.items) == 0", "len(command.items)", ("0", True), ("1", False)),
    ],
)  # fmt: skip
def test_boundary_values_are_each_side_in_the_field_type(
    code: str, subject: str, low: tuple[str, bool], high: tuple[str, bool]
) -> None:
    mutant = next(m for m in expression_mutants(code) if m.comparison is not None)
    assert mutant.comparison is not None
    found = boundary(mutant.comparison, TYPES)
    assert found is not None
    assert (found[0], (found[1].value, found[1].holds), (found[2].value, found[2].holds)) == (
        subject,
        low,
        high,
    )


def test_a_boundary_suggestion_names_both_scenarios_and_their_outcomes() -> None:
    mutant = expression_mutants("command.amount <= 0")[0]
    guard = Guard("DepositMoney", "InvalidAmount", "command.amount <= 0", last=True)
    assert for_guard(mutant, guard, TYPES) == (
        "add a scenario of DepositMoney with amount = 0 (rejected with InvalidAmount) and one "
        "with amount = 0.01 (accepted)"
    )
    earlier = Guard("DepositMoney", "InvalidAmount", "command.amount <= 0", last=False)
    assert "(not rejected by this rule)" in for_guard(mutant, earlier, TYPES)
    negated = expression_mutants("not command.amount <= 0")[1]
    assert negated.comparison is not None and negated.comparison.negated
    assert for_guard(negated, guard, TYPES).startswith(
        "add a scenario of DepositMoney with amount = 0 (accepted) and one with amount = 0.01 "
        "(rejected with InvalidAmount)"
    )

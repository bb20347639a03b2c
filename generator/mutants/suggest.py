"""What scenario would kill a surviving mutant, in the spec's words.

For a comparison the answer is the pair of values on each side of its boundary, in the type of the
compared field (an int moves by 1, a decimal by 0.01 or by the last digit of its literal, a date by
a day); for the other operators it is what the scenario's `then` must name.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from generator.mutants.operators import CodeMutant, Comparison, number, step
from generator.spec.types import TypeRef

Names = Mapping[str, Mapping[str, TypeRef]]  # `command` -> field -> type, and so on
Records = Mapping[str, Mapping[str, TypeRef]]  # value object -> field -> type

_MIRROR = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_STEPS = {"int": "1", "decimal": "0.01", "float": "0.01", "date": "1 day", "datetime": "1 second"}


@dataclass(frozen=True)
class Types:
    """The types an expression's names have, to pick the step of a boundary."""

    names: Names
    records: Records

    def of(self, code: str) -> TypeRef | None:
        try:
            node = ast.parse(code, mode="eval").body
        except SyntaxError:
            return None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return TypeRef("int") if node.func.id == "len" else None
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.insert(0, node.attr)
            node = node.value
        if not isinstance(node, ast.Name) or not parts or node.id not in self.names:
            return None
        fields: Mapping[str, TypeRef] = self.names[node.id]
        found: TypeRef | None = None
        for part in parts:
            found = fields.get(part)
            if found is None:
                return None
            fields = self.records.get(found.name, {}) if found.kind == "record" else {}
        return found


@dataclass(frozen=True)
class Side:
    """One side of a boundary: the value to write and whether the comparison then holds."""

    value: str
    holds: bool


def boundary(comparison: Comparison, types: Types) -> tuple[str, Side, Side] | None:
    """What to vary and the values just on each side, lowest first; None when not numeric."""
    left, op, right = comparison.left, comparison.op, comparison.right
    if number(left) is not None and number(right) is None:
        left, op, right = right, _MIRROR.get(op, op), left
    if op not in _MIRROR:
        return None
    typ = types.of(left)
    literal = number(right)
    if literal is not None:
        if typ is None or typ.kind not in ("int", "decimal", "float"):
            return None
        delta = step(literal) if typ.kind != "int" and literal != literal.to_integral() else None
        unit = delta or (Decimal(1) if typ.kind == "int" else Decimal("0.01"))
        below, at, above = str(literal - unit), str(literal), str(literal + unit)
    else:
        if typ is None or typ.kind not in _STEPS:
            return None
        below = f"{right} - {_STEPS[typ.kind]}"
        at, above = right, f"{right} + {_STEPS[typ.kind]}"
    pairs = {
        "<=": (Side(at, True), Side(above, False)),
        "<": (Side(below, True), Side(at, False)),
        ">": (Side(at, False), Side(above, True)),
        ">=": (Side(below, False), Side(at, True)),
        "==": (Side(at, True), Side(above, False)),
        "!=": (Side(at, False), Side(above, True)),
    }
    low, high = pairs[op]
    return left, low, high


def shown(code: str) -> str:
    """A command's field by its name, as a scenario's `when` writes it; anything else as code."""
    return code.removeprefix("command.")


@dataclass(frozen=True)
class Guard:
    """A rule of a command: what its outcomes are called."""

    command: str
    error: str
    source: str
    last: bool  # no later rule can reject, so passing it means accepted
    # What the scenario then expects, where it is not a rejection: a rule that records events
    # ("records CartLimitReached"), an `emits` entry's `if` ("emits CartCreated", "without it").
    held: str = ""
    failed: str = ""

    def outcome(self, holds: bool) -> str:
        if holds:
            return self.held or f"rejected with {self.error}"
        return self.failed or ("accepted" if self.last else "not rejected by this rule")


def for_guard(mutant: CodeMutant, guard: Guard, types: Types) -> str:
    """The scenario that kills a mutant of a rule's condition."""
    command = guard.command
    comparison = mutant.comparison
    if comparison is not None:
        sides = boundary(comparison, types)
        if sides is not None:
            subject, low, high = sides
            if comparison.whole:
                flip = comparison.negated
                return (
                    f"add a scenario of {command} with {shown(subject)} = {low.value} "
                    f"({guard.outcome(low.holds != flip)}) and one with {shown(subject)} = "
                    f"{high.value} ({guard.outcome(high.holds != flip)})"
                )
            return (
                f"add scenarios of {command} with {shown(subject)} = {low.value} and = "
                f"{high.value}, the rest of `{guard.source}` set so that this comparison decides"
            )
        text = f"`{comparison.left} {comparison.op} {comparison.right}`"
        if comparison.whole:
            holds = not comparison.negated
            return (
                f"add a scenario of {command} where {text} holds ({guard.outcome(holds)}) and "
                f"one where it does not ({guard.outcome(not holds)})"
            )
        return (
            f"add a scenario of {command} where {text} holds and one where it does not, the "
            f"rest of `{guard.source}` set so that it decides"
        )
    return f"add a scenario of {command} " + _operands(mutant, guard.source)


def for_value(mutant: CodeMutant, observed: str, types: Types) -> str:
    """The scenario that kills a mutant of a value (an emitted field, an apply, a set, a send):
    `observed` says where the scenario shows it, like "whose then lists MoneyWithdrawn.amount"."""
    comparison = mutant.comparison
    if comparison is not None:
        sides = boundary(comparison, types)
        if sides is not None:
            subject, low, high = sides
            return (
                f"add scenarios {observed}, with {shown(subject)} = {low.value} and = {high.value}"
            )
        text = f"`{comparison.left} {comparison.op} {comparison.right}`"
        return f"add scenarios {observed}, one where {text} holds and one where it does not"
    if mutant.operator == "M106" and number(mutant.operands[1]) is None:
        return f"add a scenario {observed}, with `{mutant.operands[1]}` not {_neutral(mutant)}"
    if mutant.operator in ("M104", "M105"):
        return f"add scenarios {observed}, " + _operands(mutant, mutant.before)
    return f"add a scenario {observed}"


def _operands(mutant: CodeMutant, whole: str) -> str:
    if mutant.operator == "M104":
        first, *rest = mutant.operands
        other = " / ".join(f"`{r}`" for r in rest)
        return f"where `{first}` holds but {other} does not, and one the other way round"
    if mutant.operator == "M105":
        return f"where `{mutant.operands[0]}` holds and one where it does not"
    if mutant.operator == "M106":
        return (
            f"where `{mutant.operands[1]}` is not {_neutral(mutant)} and decides the outcome "
            f"of `{whole}`"
        )
    return f"that pins `{whole}`"


def _neutral(mutant: CodeMutant) -> str:
    """The operand value that hides a swapped operator: 0 for `+`/`-`, 1 for `*`/`/`."""
    node = ast.parse(mutant.before, mode="eval").body
    return "1" if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult | ast.Div) else "0"

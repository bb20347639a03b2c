"""The mutants of one value written in the spec: an emitted field, an `apply`, a `set`, a sent
field. Its expression's operators, another value of the same type in its place, or a changed
constant.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from generator.mutants import suggest
from generator.mutants.mutant import Mutant, Replacement, Unit
from generator.mutants.operators import expression_mutants, number, number_node, step
from generator.spec import model as m
from generator.spec.load import PathKey
from generator.spec.types import TypeRef

_REFERENCE = re.compile(r"[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)+")
_TEXT = re.compile(r"'[^'\\]*'|\"[^\"\\]*\"")


@dataclass(frozen=True)
class Site:
    """One value written in the spec, and how to put a changed one in its place."""

    path: PathKey
    slices: tuple[str, ...]
    rule: str
    unit: Unit
    target: TypeRef  # the type of what it fills
    types: suggest.Types
    observed: str  # where a scenario shows the value: "of X whose then names Y.z"
    rebuild: Callable[[str], Replacement]  # the model with this value's code replaced


def value_mutants(site: Site, code: str, spec: m.Spec) -> Iterator[Mutant]:
    for mutant in expression_mutants(code):
        yield _mutant(
            site,
            mutant.operator,
            f"`{mutant.before}` became `{mutant.after}`",
            suggest.for_value(mutant, site.observed, site.types),
            mutant.code,
        )
    if _REFERENCE.fullmatch(code):
        for other in _references(site.types, site.target):
            if other != code:
                suggestion = f"add a scenario {site.observed}, with {code} and {other} different"
                yield _mutant(site, "M204", f"`{code}` became `{other}`", suggestion, other)
    changed = _changed_constant(code, site.target, spec)
    if changed is not None:
        yield _mutant(
            site, "M205", f"`{code}` became `{changed}`", f"add a scenario {site.observed}", changed
        )


def _mutant(site: Site, operator: str, mutation: str, suggestion: str, code: str) -> Mutant:
    return Mutant(
        operator,
        site.path,
        site.slices,
        site.rule,
        mutation,
        suggestion,
        site.unit,
        site.rebuild(code),
    )


def _references(types: suggest.Types, target: TypeRef) -> list[str]:
    """Every `name.field` (and `name.field.field` through value objects) of the target's type:
    what a value copied from the wrong field could be."""
    found: list[str] = []

    def walk(prefix: str, fields: Mapping[str, TypeRef], depth: int) -> None:
        for name, typ in fields.items():
            code = f"{prefix}.{name}"
            if typ.required() == target.required() and (target.optional or not typ.optional):
                found.append(code)
            if typ.kind == "record" and not typ.optional and depth < 2:
                walk(code, types.records.get(typ.name, {}), depth + 1)

    for root, fields in types.names.items():
        walk(root, fields, 0)
    return found


def _changed_constant(code: str, target: TypeRef, spec: m.Spec) -> str | None:
    """Another constant of the same type, when `code` is a constant."""
    if code in ("True", "False"):
        return "False" if code == "True" else "True"
    value = number(code)
    if value is not None:
        changed = ast.unparse(number_node(value + step(value), decimal=code.startswith("Decimal(")))
        return changed.replace("'", '"') if '"' in code else changed  # the original's quotes
    if _TEXT.fullmatch(code):
        return "''" if len(code) > 2 else "'x'"
    if target.kind == "enum":
        enum = next(e for e in spec.enums if e.name == target.name)
        members = [f"{enum.name}.{member.name}" for member in enum.members]
        if code in members and len(members) > 1:
            return members[(members.index(code) + 1) % len(members)]
    return None

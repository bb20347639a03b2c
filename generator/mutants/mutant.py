"""A mutant: one rule of the validated model changed one way, where the rule is written, and
the scenario that would notice the change.

A mutant holds a copy of one model object (a command, an aggregate, a read model or an
automation) made with `dataclasses.replace`, so the module rendered from it is exactly what
eventforge would generate for a spec with that one change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from generator.mutants import suggest
from generator.spec import model as m
from generator.spec.load import LoadedSpec, PathKey
from generator.spec.types import TypeRef

Replacement = m.Command | m.Aggregate | m.ReadModel | m.Automation
T = TypeVar("T")


@dataclass(frozen=True)
class Unit:
    """The generated module a mutant changes, and so whose scenarios can see it."""

    kind: str  # "command", "evolve" (an aggregate's), "read_model", "automation"
    name: str  # the command, aggregate, read model or automation


@dataclass(frozen=True)
class Mutant:
    operator: str  # M101 ... (operators.OPERATORS)
    path: PathKey  # the rule it changes, in the spec
    slices: tuple[str, ...]  # the `--slice` names that include it
    rule: str  # the rule as the spec writes it
    mutation: str  # what changed
    suggestion: str  # the scenario that would kill it
    unit: Unit
    replacement: Replacement


@dataclass(frozen=True)
class Source:
    """What the operators read: the model, the spec as written, and the value objects' fields."""

    spec: m.Spec
    loaded: LoadedSpec

    @property
    def records(self) -> suggest.Records:
        # By attribute: the operators read and write compiled code (`command.from_`).
        return {r.name: {f.attribute: f.type for f in r.fields} for r in self.spec.records}

    def event(self, name: str) -> tuple[m.Event, m.Aggregate]:
        for aggregate in self.spec.aggregates:
            for event in aggregate.events:
                if event.name == name:
                    return event, aggregate
        raise KeyError(name)  # a validated spec names only declared events


def fields_of(fields: tuple[m.Field, ...], *extra: m.Field) -> dict[str, TypeRef]:
    """Field types by attribute, the name compiled code uses (`from_` for `from`)."""
    return {f.attribute: f.type for f in (*extra, *fields)}


def put(items: tuple[T, ...], index: int, item: T) -> tuple[T, ...]:
    return (*items[:index], item, *items[index + 1 :])


def drop(items: tuple[T, ...], index: int) -> tuple[T, ...]:
    return (*items[:index], *items[index + 1 :])

"""What the analysis has declared so far, shared by every step, and where its diagnostics go."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from generator.spec import model as m
from generator.spec.diagnostics import Diagnostic, Level
from generator.spec.load import LoadedSpec, PathKey, path_text
from generator.spec.types import TypeRef

if TYPE_CHECKING:
    from generator.spec.analyze.named_ids import NamedIds

# What every state has besides its fields, readable wherever `state` is (`state.exists`).
STATE_RUNTIME: dict[str, TypeRef] = {"version": TypeRef("int"), "exists": TypeRef("bool")}


@dataclass
class Context:
    """One per analysis: each step reads what the steps before it declared and adds its own."""

    spec: LoadedSpec
    data: dict[str, Any]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    declared: dict[str, tuple[str, PathKey]] = field(default_factory=dict)  # name -> (kind, path)
    enum_values: dict[str, dict[str, str]] = field(default_factory=dict)
    record_fields: dict[str, tuple[m.Field, ...]] = field(default_factory=dict)
    record_types: dict[str, dict[str, TypeRef]] = field(default_factory=dict)
    events: dict[str, m.Event] = field(default_factory=dict)
    event_aggregate: dict[str, str] = field(default_factory=dict)
    # `external_events:` (automation_events.py), beside `events`, which holds the aggregates'
    # events only: an external event's `aggregate` is "" and it has no id field.
    external_events: dict[str, m.Event] = field(default_factory=dict)
    commands: dict[str, m.Command] = field(default_factory=dict)
    aggregates: dict[str, m.Aggregate] = field(default_factory=dict)
    id_fields: dict[str, m.Field] = field(default_factory=dict)
    package: str = ""
    # Fields whose declaration was reported (bad name or type), by the name declaring them,
    # so that uses of them are not reported again as missing.
    failed_fields: dict[str, set[str]] = field(default_factory=dict)
    compiled: dict[tuple[Any, ...], str] = field(default_factory=dict)  # see assign.expression
    aggregate_modules: dict[str, list[str]] | None = None  # package folder -> names
    named_ids: NamedIds | None = None  # of the scenario or timeline being analysed

    def error(
        self,
        code: str,
        message: str,
        path: PathKey,
        *,
        key: bool = False,
        hint: str = "",
        level: Level = Level.ERROR,
    ) -> None:
        line, column = self.spec.where(path, key=key)
        self.diagnostics.append(
            Diagnostic(
                code=code,
                message=message,
                file=self.spec.file,
                line=line,
                column=column,
                path=path_text(path),
                hint=hint,
                level=level,
            )
        )

    def failed(self, *owners: str) -> set[str]:
        return set[str]().union(*(self.failed_fields.get(owner, set()) for owner in owners))

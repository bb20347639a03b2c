"""Read models: rows keyed by a field the events carry, updated or deleted by each event they
handle, and their scenarios."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.spec import model as m
from generator.spec.analyze.assign import assign
from generator.spec.analyze.context import Context
from generator.spec.analyze.fields import declare_fields
from generator.spec.analyze.named_ids import NamedIds
from generator.spec.analyze.scenarios import (
    given_events,
    unique_tests,
    values_record,
    view_scenario,
)
from generator.spec.expressions import Scope
from generator.spec.load import PathKey
from generator.spec.names import snake
from generator.spec.types import TypeRef


def read_model(ctx: Context, name: str, body: Mapping[str, Any]) -> m.ReadModel | None:
    path: PathKey = ("read_models", name)
    key = str(body["key"])
    fields = declare_fields(
        ctx,
        body.get("fields") or {},
        (*path, "fields"),
        owner=f"read model {name}",
        reserved=(key,),
    )
    key_type, updates = _updates(ctx, name, key, body["on"], fields, path)
    key_field = m.Field(name=key, type=key_type or TypeRef("uuid"))
    row_fields = (key_field, *fields)
    scenarios = [
        _scenario(ctx, name, row_fields, scenario, (*path, "scenarios", index))
        for index, scenario in enumerate(body.get("scenarios") or [])
    ]
    unique_tests(ctx, scenarios, path, f"read model {name}")
    return m.ReadModel(
        name=name,
        module=snake(name),
        description=str(body.get("description") or ""),
        key=key_field,
        fields=fields,
        updates=tuple(updates),
        scenarios=tuple(scenarios),
    )


def _updates(
    ctx: Context,
    name: str,
    key: str,
    handlers: Mapping[str, Any],
    fields: tuple[m.Field, ...],
    path: PathKey,
) -> tuple[TypeRef | None, list[m.RowUpdate]]:
    """The row update for each handled event, and the key's type (the same on every event)."""
    key_type: TypeRef | None = None
    typed_by = ""  # the first event handled, which gives the key its type
    updates: list[m.RowUpdate] = []
    for event_name, handler in handlers.items():
        where = (*path, "on", event_name)
        keyed = _keyed_event(ctx, name, key, (key_type, typed_by), event_name, where)
        if keyed is None:
            continue
        event, event_types = keyed
        if key_type is None:
            key_type, typed_by = event_types[key].required(), event_name
            if key_type.kind in ("list", "map", "record"):
                # Rows are found by their key's text: a collection or a value object has no
                # one canonical text (`{"a": 1, "b": 2}` and `{"b": 2, "a": 1}` are one map).
                ctx.error(
                    "E413",
                    f"read model {name} is keyed by {key!r}, which is a {key_type.spec} on "
                    f"{event_name}: a key is one value (text, a number, an id, a date or an enum)",
                    where,
                    key=True,
                    hint="key the rows by a field that names them (an id, a code), and keep the "
                    "collection as a row field",
                )
                return None, updates
        module = snake(event.aggregate)
        if not isinstance(handler, dict):
            updates.append(
                m.RowUpdate(event=event_name, aggregate_module=module, delete=True, sets=())
            )
            continue
        sets = _sets(ctx, name, key, event_name, handler, fields, event_types, where)
        updates.append(
            m.RowUpdate(event=event_name, aggregate_module=module, delete=False, sets=sets)
        )
    return key_type, updates


def _keyed_event(
    ctx: Context,
    name: str,
    key: str,
    typed: tuple[TypeRef | None, str],
    event_name: str,
    where: PathKey,
) -> tuple[m.Event, dict[str, TypeRef]] | None:
    """The handled event and its field types, when it carries the key with the key's type."""
    event = ctx.events.get(event_name)
    if event is None:
        ctx.error(
            "E401",
            f"read model {name} handles {event_name!r}, which is not an event",
            where,
            key=True,
        )
        return None
    event_types = {f.name: f.type for f in event.fields}
    id_field = ctx.id_fields[event.aggregate]
    event_types[id_field.name] = id_field.type
    if key not in event_types:
        ctx.error(
            "E413",
            f"read model {name} is keyed by {key!r}, which event {event_name} does not carry",
            where,
            key=True,
        )
        return None
    key_type, typed_by = typed
    if key_type is not None and event_types[key].required() != key_type:
        line = ctx.spec.where((*where[:-1], typed_by), key=True)[0]
        ctx.error(
            "E413",
            f"read model {name} is keyed by {key!r}, which is a {event_types[key].spec} "
            f"on {event_name} (line {ctx.spec.where(where, key=True)[0]}) but a {key_type.spec} on "
            f"{typed_by} (line {line})",
            where,
            key=True,
            hint=f"give {key!r} the same type on every event the read model handles",
        )
        return None
    return event, event_types


def _sets(
    ctx: Context,
    name: str,
    key: str,
    event_name: str,
    handler: Mapping[str, Any],
    fields: tuple[m.Field, ...],
    event_types: dict[str, TypeRef],
    where: PathKey,
) -> tuple[m.Assignment, ...]:
    row_types = {f.name: f.type for f in fields} | {key: event_types[key]}
    scope = Scope(
        names={"event": event_types, "row": row_types},
        records=ctx.record_types,
        enums=ctx.enum_values,
    )
    by_name = {f.name: f for f in fields}
    sets: list[m.Assignment] = []
    for target, value in (handler.get("set") or {}).items():
        if target not in by_name:
            ctx.error(
                "E404",
                f"read model {name} sets {target!r}, which is not one of its fields",
                (*where, "set", target),
                key=True,
            )
            continue
        code = assign(
            ctx,
            value,
            by_name[target].type,
            scope,
            (*where, "set", target),
            what=f"{name}.on.{event_name}.set.{target}",
        )
        if code is not None:
            sets.append(m.Assignment(target=target, code=code))
    return tuple(sets)


def _scenario(
    ctx: Context,
    name: str,
    row_fields: tuple[m.Field, ...],
    scenario: Mapping[str, Any],
    where: PathKey,
) -> m.ViewScenario:
    label = f"scenario {scenario['name']!r}"
    ctx.named_ids = NamedIds(label)
    try:
        return _scenario_body(ctx, name, row_fields, scenario, where, label)
    finally:
        ctx.named_ids = None


def _scenario_body(
    ctx: Context,
    name: str,
    row_fields: tuple[m.Field, ...],
    scenario: Mapping[str, Any],
    where: PathKey,
    label: str,
) -> m.ViewScenario:
    given = given_events(ctx, scenario.get("given") or [], (*where, "given"), label)
    rows = []
    for row_index, row in enumerate(scenario["then"]):
        record = values_record(
            ctx, name, row_fields, row, (*where, "then", row_index), label, partial=True
        )
        if record is not None:
            rows.append(record)
    return view_scenario(ctx, scenario, where, given, rows)

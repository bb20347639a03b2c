"""Automations: on an event, send a command whose fields are mapped from the event; and their
scenarios."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.spec import model as m
from generator.spec.analyze.assign import assign
from generator.spec.analyze.context import Context
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


def automation(ctx: Context, name: str, body: Mapping[str, Any]) -> m.Automation | None:
    path: PathKey = ("automations", name)
    event = ctx.events.get(str(body["on"]))
    if event is None:
        ctx.error(
            "E401",
            f"automation {name} listens to {body['on']!r}, which is not an event",
            (*path, "on"),
        )
    command_name, mapping = next(iter(body["send"].items()))
    command = ctx.commands.get(command_name)
    if command is None:
        ctx.error(
            "E403",
            f"automation {name} sends {command_name!r}, which is not a command",
            (*path, "send", command_name),
            key=True,
        )
    if event is None or command is None:
        return None
    values = _send_values(ctx, name, event, command, mapping or {}, (*path, "send", command_name))
    scenarios = [
        _scenario(ctx, scenario, (*path, "scenarios", index))
        for index, scenario in enumerate(body.get("scenarios") or [])
    ]
    unique_tests(ctx, scenarios, path, f"automation {name}")
    return m.Automation(
        name=name,
        module=snake(name),
        description=str(body.get("description") or ""),
        on=event.name,
        on_module=snake(event.aggregate),
        sends=command_name,
        sends_aggregate=snake(command.aggregate),
        sends_module=command.module,
        values=values,
        scenarios=tuple(scenarios),
    )


def _send_values(
    ctx: Context,
    name: str,
    event: m.Event,
    command: m.Command,
    mapping: Mapping[str, Any],
    path: PathKey,
) -> tuple[m.Assignment, ...]:
    """The command's fields from the event: each mapped one must exist, each required one be mapped."""
    id_field = ctx.id_fields[command.aggregate]
    event_id = ctx.id_fields[event.aggregate]
    event_types = {f.name: f.type for f in event.fields} | {event_id.name: event_id.type}
    scope = Scope(names={"event": event_types}, records=ctx.record_types, enums=ctx.enum_values)
    targets = {f.name: f for f in command.fields}
    targets[id_field.name] = id_field
    values: list[m.Assignment] = []
    for key, value in mapping.items():
        where = (*path, key)
        if key not in targets:
            ctx.error(
                "E404",
                f"automation {name}: {command.name} has no field {key!r}",
                where,
                key=True,
            )
            continue
        code = assign(
            ctx, value, targets[key].type, scope, where, what=f"{name}.send.{command.name}.{key}"
        )
        if code is not None:
            values.append(m.Assignment(target=key, code=code))
    for field in targets.values():
        optional = field.default_code is not None or (
            command.creates and field.name == id_field.name
        )
        if field.name not in mapping and not optional:
            ctx.error(
                "E601",
                f"automation {name}: {command.name} needs a value for {field.name!r}",
                path,
                key=True,
            )
    return tuple(values)


def _scenario(ctx: Context, scenario: Mapping[str, Any], where: PathKey) -> m.ViewScenario:
    label = f"scenario {scenario['name']!r}"
    ctx.named_ids = NamedIds(label)
    try:
        return _scenario_body(ctx, scenario, where, label)
    finally:
        ctx.named_ids = None


def _scenario_body(
    ctx: Context, scenario: Mapping[str, Any], where: PathKey, label: str
) -> m.ViewScenario:
    given = given_events(ctx, scenario.get("given") or [], (*where, "given"), label)
    sent_records: list[m.Record] = []
    for sent_index, record in enumerate(scenario["then"]):
        sent_name, sent_values = next(iter(record.items()))
        sent = ctx.commands.get(sent_name)
        if sent is None:
            ctx.error(
                "E403",
                f"{label}: {sent_name!r} is not a command",
                (*where, "then", sent_index, sent_name),
                key=True,
            )
            continue
        sent_id = ctx.id_fields[sent.aggregate]
        item = values_record(
            ctx,
            sent_name,
            (sent_id, *sent.fields),
            sent_values or {},
            (*where, "then", sent_index, sent_name),
            label,
            partial=True,
            owners={sent_id.name: sent.aggregate},
        )
        if item is not None:
            sent_records.append(item)
    return view_scenario(ctx, scenario, where, given, sent_records)

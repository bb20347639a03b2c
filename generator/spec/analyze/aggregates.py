"""Aggregates: the id field first (for every aggregate), then state, errors, events, commands and
scenarios."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.spec import model as m
from generator.spec.analyze.commands import command
from generator.spec.analyze.context import Context
from generator.spec.analyze.declarations import module_collisions
from generator.spec.analyze.events import event
from generator.spec.analyze.fields import declare_fields
from generator.spec.diagnostics import Level
from generator.spec.load import PathKey
from generator.spec.names import SNAKE, STATE_MEMBERS, snake, spelled_like_keyword
from generator.spec.types import TypeRef


def aggregate_shell(ctx: Context, name: str, body: Mapping[str, Any]) -> None:
    """The id field, needed before any aggregate's events can be referenced."""
    raw = body.get("id", snake(name) + "_id")
    path: PathKey = ("aggregates", name, "id")
    id_name, id_type = (
        (raw, "uuid") if isinstance(raw, str) else (raw.get("name"), raw.get("type", "uuid"))
    )
    if not isinstance(id_name, str) or not SNAKE.match(id_name):
        ctx.error(
            "E410",
            f"the id field name {id_name!r} of {name} must be a snake_case name",
            (*path, "name") if isinstance(raw, dict) else path,
        )
        id_name = snake(name) + "_id"
    elif spelled_like_keyword(id_name):
        ctx.error(
            "E410",
            f"the id field name {id_name!r} of {name} is how generated code spells the name "
            f"{id_name[:-1]!r} (a Python keyword), so stored data could not tell them apart",
            (*path, "name") if isinstance(raw, dict) else path,
            hint=f"call it {id_name[:-1]!r}: eventforge adds the underscore where Python needs it",
        )
        id_name = snake(name) + "_id"
    elif id_name in STATE_MEMBERS and not (id_name == "id" and id_type == "uuid"):
        # A uuid id field may be called `id`: it is then the stream's id itself.
        ctx.error(
            "E410",
            f"the id field name {id_name!r} of {name} is taken by the generated runtime: "
            f"{STATE_MEMBERS[id_name]}",
            (*path, "name") if isinstance(raw, dict) else path,
            hint=f"call it {snake(name) + '_id'!r}",
        )
        id_name = snake(name) + "_id"
    if id_type not in ("uuid", "str"):
        ctx.error(
            "E410",
            f"the id of {name} must have type uuid or str, not {id_type!r}",
            (*path, "type"),
        )
        id_type = "uuid"
    ctx.id_fields[name] = m.Field(name=id_name, type=TypeRef(id_type))
    for event_name in body.get("events") or {}:
        ctx.event_aggregate[event_name] = name


def aggregate(ctx: Context, name: str, body: Mapping[str, Any]) -> m.Aggregate | None:
    base: PathKey = ("aggregates", name)
    id_field = ctx.id_fields[name]
    reserved = (id_field.name,)
    state_fields = declare_fields(
        ctx,
        body.get("state") or {},
        (*base, "state"),
        owner=f"{name}'s state",
        reserved=reserved,
        members=STATE_MEMBERS,
    )
    errors = _errors(ctx, name, body.get("errors") or {})
    state_types = {f.name: f.type for f in state_fields} | {id_field.name: id_field.type}
    events = []
    for event_name, event_body in (body.get("events") or {}).items():
        declared = event(
            ctx, name, event_name, event_body or {}, state_fields, state_types, reserved
        )
        if declared is not None:
            events.append(declared)
            ctx.events[event_name] = declared
    error_names = {e.name for e in errors}
    commands = []
    for command_name, command_body in (body.get("commands") or {}).items():
        handled = command(
            ctx, name, command_name, command_body or {}, state_types, error_names, reserved
        )
        if handled is not None:
            commands.append(handled)
            ctx.commands[command_name] = handled
    module_collisions(ctx, name, body)
    if not any(not c.needs_stream for c in commands) and commands:
        ctx.error(
            "W412",
            f"no command of {name} has `creates: true` or `creates: if-missing`, so no {name} "
            "stream can ever start",
            (*base, "commands"),
            key=True,
            level=Level.WARNING,
        )
    shell = m.Aggregate(
        name=name,
        module=snake(name),
        description=str(body.get("description") or ""),
        id_field=id_field,
        state_fields=state_fields,
        errors=errors,
        events=tuple(events),
        commands=tuple(commands),
        scenarios=(),
    )
    return shell


def with_scenarios(shell: m.Aggregate, scenarios: tuple[m.Scenario, ...]) -> m.Aggregate:
    """The aggregate with its scenarios (scenarios.py), analysed once every aggregate is built:
    their `given` may hold events of other aggregates (which the command reads)."""
    return m.Aggregate(**{**shell.__dict__, "scenarios": scenarios})


def _errors(ctx: Context, aggregate: str, raw: Mapping[str, Any]) -> tuple[m.ErrorDef, ...]:
    """The aggregate's errors; the built-in ones' names are taken (a scenario names them)."""
    errors = []
    for error, message in raw.items():
        if error in m.BUILT_IN_ERRORS:
            ctx.error(
                "E301",
                f"{error} is a built-in error of every stream (scenarios expect it by that "
                f"name), so {aggregate} cannot declare an error of that name",
                ("aggregates", aggregate, "errors", error),
                key=True,
                hint=f"call it after what went wrong in {aggregate}'s terms, like "
                f"`{aggregate}AlreadyRegistered`",
            )
            continue
        errors.append(m.ErrorDef(name=error, message=str(message)))
    return tuple(errors)

"""Commands: their fields, the guards that reject them, and the events they emit (each event field
mapped, or filled from the command or the state)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.spec import model as m
from generator.spec.analyze.assign import assign, expression, fill_from
from generator.spec.analyze.context import Context
from generator.spec.analyze.fields import declare_fields
from generator.spec.expressions import Scope
from generator.spec.load import PathKey
from generator.spec.names import snake
from generator.spec.types import TypeRef


def command(
    ctx: Context,
    aggregate: str,
    name: str,
    body: Mapping[str, Any],
    state_types: dict[str, TypeRef],
    error_names: set[str],
    reserved: tuple[str, ...],
) -> m.Command | None:
    path: PathKey = ("aggregates", aggregate, "commands", name)
    fields = declare_fields(
        ctx, body.get("fields") or {}, (*path, "fields"), owner=f"command {name}", reserved=reserved
    )
    id_field = ctx.id_fields[aggregate]
    command_types = {f.name: f.type for f in fields} | {id_field.name: id_field.type}
    scope = Scope(
        names={"command": command_types, "state": state_types},
        records=ctx.record_types,
        enums=ctx.enum_values,
    )
    guards = _guards(ctx, aggregate, name, body, path, scope, error_names)
    custom = body.get("handler") == "custom"
    emits = []
    for index, item in enumerate(body.get("emits") or []):
        emit = _emit(
            ctx,
            aggregate,
            name,
            item,
            (*path, "emits", index),
            fields,
            scope,
            state_types,
            custom=custom,
        )
        if emit is not None:
            emits.append(emit)
    if not body.get("emits") and not custom:  # listed but wrong events are reported above
        ctx.error(
            "E406", f"command {name} emits no events; list them under `emits:`", path, key=True
        )
    return m.Command(
        name=name,
        module=snake(name),
        aggregate=aggregate,
        description=str(body.get("description") or ""),
        creates=bool(body.get("creates", False)),
        custom=custom,
        fields=fields,
        guards=guards,
        emits=tuple(emits),
    )


def _guards(
    ctx: Context,
    aggregate: str,
    name: str,
    body: Mapping[str, Any],
    path: PathKey,
    scope: Scope,
    error_names: set[str],
) -> tuple[m.Guard, ...]:
    guards = []
    for index, rule in enumerate(body.get("rejects") or []):
        where = (*path, "rejects", index)
        if rule["error"] not in error_names:
            known = ", ".join(sorted(error_names)) or "none declared"
            ctx.error(
                "E402",
                f"command {name} rejects with {rule['error']!r}, which is not an error of "
                f"{aggregate} (errors: {known})",
                (*where, "error"),
            )
        condition = expression(
            ctx,
            str(rule["if"]),
            scope,
            (*where, "if"),
            expected=None,
            what=f"{name}.rejects[{index}].if",
        )
        if condition is not None:
            guards.append(m.Guard(condition=condition, source=str(rule["if"]), error=rule["error"]))
    return tuple(guards)


def _emit(
    ctx: Context,
    aggregate: str,
    command: str,
    item: Any,
    path: PathKey,
    command_fields: tuple[m.Field, ...],
    scope: Scope,
    state_types: dict[str, TypeRef],
    *,
    custom: bool = False,
) -> m.Emit | None:
    if isinstance(item, str):
        event_name, mapping = item, {}
    else:
        event_name, mapping = next(iter(item.items()))
        mapping = mapping or {}
    event = _own_event(ctx, aggregate, command, event_name, path)
    if event is None:
        return None
    id_field = ctx.id_fields[aggregate]
    by_command = {f.name: f for f in command_fields}
    values = [m.Assignment(target=id_field.name, code=f"command.{id_field.attribute}")]
    _unknown_keys(ctx, command, event, mapping, path)
    for field in event.fields:
        what = f"{command} -> {event_name}.{field.name}"
        if field.name in mapping:
            code = assign(
                ctx,
                mapping[field.name],
                field.type,
                scope,
                (*path, event_name, field.name),
                what=what,
            )
        elif custom:
            continue  # the hand-written decide() fills the event; only explicit mappings are checked
        elif field.name in by_command:
            code = fill_from(ctx, "command", by_command[field.name].type, field, path, what)
        elif field.name in state_types:
            code = fill_from(ctx, "state", state_types[field.name], field, path, what)
        elif field.default_code is not None or field.name in ctx.failed(command, aggregate):
            continue
        else:
            _unfilled(ctx, command, event_name, field.name, path)
            continue
        if code is not None:
            values.append(m.Assignment(target=field.name, code=code))
    return m.Emit(event=event_name, values=tuple(values))


def _own_event(
    ctx: Context, aggregate: str, command: str, event_name: str, path: PathKey
) -> m.Event | None:
    """The emitted event, when it is one of the aggregate's own (else it is reported)."""
    event = ctx.events.get(event_name)
    if event is not None and event.aggregate != aggregate:
        event = None  # another aggregate's event (E409), also when that aggregate was read first
    if event is None:
        owner = ctx.event_aggregate.get(event_name)
        if owner is not None and owner != aggregate:
            ctx.error(
                "E409",
                f"command {command} of {aggregate} emits {event_name}, an event of {owner}; "
                "a command emits its own aggregate's events (use an automation to cross over)",
                path,
            )
        elif owner is None:
            ctx.error(
                "E401",
                f"command {command} emits {event_name!r}, which is not an event of {aggregate}",
                path,
            )
    return event


def _unknown_keys(
    ctx: Context, command: str, event: m.Event, mapping: Mapping[str, Any], path: PathKey
) -> None:
    event_fields = {f.name: f for f in event.fields}
    for key in mapping:
        if key not in event_fields and key not in ctx.failed(event.name):
            ctx.error(
                "E404",
                f"{command} maps {key!r}, which is not a field of event {event.name}",
                (*path, event.name, key),
                key=True,
            )


def _unfilled(ctx: Context, command: str, event_name: str, field: str, path: PathKey) -> None:
    ctx.error(
        "E406",
        f"event {event_name} field {field!r} is not filled by command {command}: "
        "no mapping, no command or state field of that name",
        path,
        hint=f"add it to the command's fields, or map it: `- {event_name}: "
        f'{{{field}: "= command.<field>"}}`',
    )

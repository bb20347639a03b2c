"""What automations listen to: events of aggregates, external events (`external_events:`, from
other systems, with no aggregate), and the rejection of a command another automation sent
(`on: {rejected: C}`, seen as the event `CRejected`: the command's fields, `error`, `message`).

External events are declared here, into `ctx.external_events` (an `m.Event` whose `aggregate` is
""), before read models and automations are analysed, so both can look them up beside
`ctx.events` (which holds the aggregates' events only).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from generator.spec import model as m
from generator.spec.analyze.context import Context
from generator.spec.analyze.fields import declare_fields
from generator.spec.expressions import Scope
from generator.spec.load import PathKey
from generator.spec.names import snake
from generator.spec.types import TypeRef

_EVENT_FIELD = re.compile(r"\bevent\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)")
# The fields a rejection adds to its command's.
REJECTION_FIELDS = (
    m.Field(name="error", type=TypeRef("str")),
    m.Field(name="message", type=TypeRef("str"), default_code="''"),
)


def declare_external_events(ctx: Context) -> tuple[m.Event, ...]:
    """`external_events:`: events other systems report, recorded by the package as they are."""
    for name, body in (ctx.data.get("external_events") or {}).items():
        path: PathKey = ("external_events", name)
        body = body or {}
        fields = declare_fields(ctx, body.get("fields") or {}, (*path, "fields"), owner=name)
        ctx.external_events[name] = m.Event(
            name=name,
            aggregate="",
            description=str(body.get("description") or ""),
            fields=fields,
            updates=(),
            version=1,
            topic=f"{ctx.package}:{name}",
        )
    return tuple(ctx.external_events.values())


def listened(
    ctx: Context, name: str, body: Mapping[str, Any], path: PathKey
) -> tuple[m.Listened, ...] | None:
    """The events under `on:` (one, a list, or `{rejected: Command}`); None when one is wrong."""
    raw = body["on"]
    if isinstance(raw, dict):
        return _rejection(ctx, name, str(raw["rejected"]), (*path, "on", "rejected"))
    names = [raw] if isinstance(raw, str) else list(raw)
    found: list[m.Listened] = []
    for index, event_name in enumerate(names):
        where = (*path, "on") if isinstance(raw, str) else (*path, "on", index)
        event = ctx.events.get(str(event_name))
        external = ctx.external_events.get(str(event_name))
        if event is not None:
            found.append(m.Listened(name=event.name, module=f"{snake(event.aggregate)}.events"))
        elif external is not None:
            found.append(m.Listened(name=external.name, module="external_events"))
        else:
            ctx.error(
                "E401",
                f"automation {name} listens to {event_name!r}, which is not an event",
                where,
                hint="name an event of an aggregate or of `external_events:`, or "
                "`{rejected: Command}`",
            )
    return tuple(found) if len(found) == len(names) else None


def _rejection(
    ctx: Context, name: str, command_name: str, where: PathKey
) -> tuple[m.Listened, ...] | None:
    command = ctx.commands.get(command_name)
    if command is None:
        ctx.error(
            "E403",
            f"automation {name} listens to the rejection of {command_name!r}, which is not a "
            "command",
            where,
        )
        return None
    senders = [
        other
        for other, raw in (ctx.data.get("automations") or {}).items()
        if other != name and command_name in _sent_names(raw)
    ]
    if not senders:
        ctx.error(
            "E420",
            f"automation {name} listens to the rejection of {command_name}, which no other "
            "automation sends: only commands automations send are recorded when rejected",
            where,
            hint=f"send {command_name} from an automation, or listen to an event",
        )
        return None
    clash = [f.name for f in command.fields if f.name in ("error", "message")]
    if clash:
        ctx.error(
            "E415",
            f"automation {name} listens to the rejection of {command_name}, whose field "
            f"{clash[0]!r} is named like what a rejection adds (`error`, `message`)",
            where,
            hint=f"rename the field {clash[0]!r} of {command_name}",
        )
        return None
    return (
        m.Listened(
            name=f"{command_name}Rejected", module="automations.rejected", rejected=command_name
        ),
    )


def _sent_names(raw: Any) -> set[str]:
    send = raw.get("send") if isinstance(raw, dict) else None
    entries = [send] if isinstance(send, dict) else list(send or [])
    return {str(k) for e in entries if isinstance(e, dict) for k in e if k not in ("for", "if")}


def fields_of(ctx: Context, event: m.Listened) -> dict[str, TypeRef]:
    """The fields `event.` reaches on one listened event, its stream's id field included."""
    found = given_fields(ctx, event.name, event.rejected)
    return {} if found is None else {f.name: f.type for f in found[0]}


def given_fields(
    ctx: Context, name: str, rejected: str = ""
) -> tuple[tuple[m.Field, ...], dict[str, str]] | None:
    """The fields of an event as scenarios give it (with the id field of its stream, named ids'
    owner), or None when `name` is not an event: an aggregate's, an external one, or the
    rejection of the command `rejected`."""
    if rejected:
        command = ctx.commands[rejected]
        id_field = ctx.id_fields[command.aggregate]
        fields = (id_field, *command.fields, *REJECTION_FIELDS)
        return fields, {id_field.name: command.aggregate}
    event = ctx.events.get(name)
    if event is not None:
        id_field = ctx.id_fields[event.aggregate]
        return (id_field, *event.fields), {id_field.name: event.aggregate}
    external = ctx.external_events.get(name)
    if external is not None:
        return external.fields, {}
    return None


def event_scope(
    ctx: Context, listens: tuple[m.Listened, ...]
) -> tuple[tuple[m.Listened, ...], Scope]:
    """`event` in the automation's expressions: the fields every listened event has, of one type."""
    each = [fields_of(ctx, e) for e in listens]
    common = {k: t for k, t in each[0].items() if all(other.get(k) == t for other in each[1:])}
    return listens, Scope(names={"event": common}, records=ctx.record_types, enums=ctx.enum_values)


def missing_field(
    ctx: Context, name: str, events: tuple[m.Listened, ...], text: str, where: PathKey
) -> bool:
    """Whether `text` uses a field of `event` that some but not all of a list `on:`'s events
    have (or have with another type): reported here, with the event that lacks it."""
    if len(events) < 2:
        return False
    each = {e.name: fields_of(ctx, e) for e in events}
    for used in dict.fromkeys(_EVENT_FIELD.findall(text)):
        having = {e: fields[used] for e, fields in each.items() if used in fields}
        if not having:
            continue  # no event has it: the expression's own check says so
        lacking = [e for e in each if e not in having]
        if lacking:
            ctx.error(
                "E404",
                f"automation {name} uses event.{used}, but {lacking[0]} (one of the events "
                f"under `on:`) has no field {used!r}",
                where,
                hint=f"use fields all of {', '.join(each)} have, or split the automation",
            )
            return True
        if len(set(having.values())) > 1:
            kinds = ", ".join(f"{e}: {t.spec}" for e, t in having.items())
            ctx.error(
                "E504",
                f"automation {name} uses event.{used}, which the events under `on:` declare "
                f"with different types ({kinds})",
                where,
                hint="give the field one type in every event the automation listens to",
            )
            return True
    return False

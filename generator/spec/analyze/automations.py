"""Automations: on an event (or one of several, or the rejection of a command another automation
sent), when `if:` holds, send commands whose fields are mapped from the event and what the
automation reads; one per item of a list with `for:`; and their scenarios."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from generator.spec import model as m
from generator.spec.analyze.assign import assign, expression
from generator.spec.analyze.automation_events import (
    REJECTION_FIELDS,
    event_scope,
    listened,
    missing_field,
)
from generator.spec.analyze.context import Context
from generator.spec.analyze.named_ids import NamedIds
from generator.spec.analyze.reads import command_reads
from generator.spec.analyze.scenarios import (
    given_events,
    unique_tests,
    values_record,
    view_scenario,
)
from generator.spec.expressions import Scope, compile_expression
from generator.spec.load import PathKey
from generator.spec.names import SNAKE, is_keyword, snake
from generator.spec.types import TypeRef

_BOOL = TypeRef("bool")
_FOR = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s+in\s+(.+?)\s*", re.DOTALL)


def automation(ctx: Context, name: str, body: Mapping[str, Any]) -> m.Automation | None:
    path: PathKey = ("automations", name)
    listens = listened(ctx, name, body, path)
    raw_sends = body["send"]
    entries = [raw_sends] if isinstance(raw_sends, dict) else list(raw_sends)
    custom = body.get("handler") == "custom"
    if listens is None:
        _check_commands(ctx, name, entries, path, raw_sends)
        return None
    events, scope = event_scope(ctx, listens)
    reads, scope = command_reads(
        ctx, name, body.get("reads") or {}, (*path, "reads"), scope, taken={}
    )
    # What is wrong is reported; the automation is still built from the rest (its commands and
    # events), so that timelines and scenarios are checked against it. A spec with an error
    # builds no model anyway.
    condition = None
    if "if" in body:
        condition = _checked(ctx, name, events, body["if"], scope, (*path, "if"), f"{name}.if")
    sends: list[m.Send] = []
    for index, entry in enumerate(entries):
        where = (*path, "send") if isinstance(raw_sends, dict) else (*path, "send", index)
        send = _send(ctx, name, events, entry, where, scope, custom=custom)
        if send is None:  # an unknown command: its scenarios could only say so again
            return None
        sends.append(send)
    scenarios = [
        _scenario(ctx, listens, scenario, (*path, "scenarios", index))
        for index, scenario in enumerate(body.get("scenarios") or [])
    ]
    unique_tests(ctx, scenarios, path, f"automation {name}")
    return m.Automation(
        name=name,
        module=snake(name),
        description=str(body.get("description") or ""),
        listens=listens,
        sends=tuple(sends),
        condition=condition,
        source=str(body.get("if") or ""),
        reads=reads,
        custom=custom,
        scenarios=tuple(scenarios),
    )


def _check_commands(ctx: Context, name: str, entries: list[Any], path: PathKey, raw: Any) -> None:
    """The commands named under `send:` exist (reported also when `on:` is wrong)."""
    for index, entry in enumerate(entries):
        where = (*path, "send") if isinstance(raw, dict) else (*path, "send", index)
        command_name = _command_key(entry)
        if command_name and command_name not in ctx.commands:
            _unknown_command(ctx, name, command_name, (*where, command_name))


def _command_key(entry: Mapping[str, Any]) -> str:
    return next((str(k) for k in entry if k not in ("for", "if")), "")


def _unknown_command(ctx: Context, name: str, command: str, where: PathKey) -> None:
    ctx.error(
        "E403",
        f"automation {name} sends {command!r}, which is not a command",
        where,
        key=True,
    )


def _checked(
    ctx: Context,
    name: str,
    events: tuple[m.Listened, ...],
    text: Any,
    scope: Scope,
    where: PathKey,
    what: str,
    *,
    expected: TypeRef | None = _BOOL,
) -> str | None:
    """A condition (or another expression written without `=`), after checking that a list
    `on:`'s events all have the event fields it uses."""
    source = str(text)
    if missing_field(ctx, name, events, source, where):
        return None
    return expression(
        ctx,
        source[1:] if source.startswith("=") else source,
        scope,
        where,
        expected=expected,
        what=what,
        hint="a condition is a bool: compare (`event.amount > 0`) or use a bool field",
    )


def _send(
    ctx: Context,
    name: str,
    events: tuple[m.Listened, ...],
    entry: Mapping[str, Any],
    where: PathKey,
    scope: Scope,
    *,
    custom: bool,
) -> m.Send | None:
    command_name = _command_key(entry)
    command = ctx.commands.get(command_name)
    if command is None:
        _unknown_command(ctx, name, command_name, (*where, command_name))
        return None
    target = items = ""
    if "for" in entry:
        found = _for(ctx, name, events, str(entry["for"]), (*where, "for"), scope)
        if found is not None:
            target, items, scope = found
        else:  # its variable is unknown: what uses it is not judged again
            scope = _without_for(scope, str(entry["for"]))
    condition = None
    if "if" in entry:
        condition = _checked(
            ctx, name, events, entry["if"], scope, (*where, "if"), f"{name}.send.if"
        )
    values = _send_values(
        ctx,
        name,
        events,
        command,
        entry[command_name] or {},
        (*where, command_name),
        scope,
        custom=custom,
    )
    return m.Send(
        command=command.name,
        aggregate_module=snake(command.aggregate),
        module=command.module,
        values=values,
        condition=condition,
        source=str(entry.get("if") or ""),
        target=target,
        items=items,
    )


def _for(
    ctx: Context,
    name: str,
    events: tuple[m.Listened, ...],
    text: str,
    where: PathKey,
    scope: Scope,
) -> tuple[str, str, Scope] | None:
    """`for: item in items`: the variable, the compiled list, and the scope with the variable."""
    found = _FOR.fullmatch(text)
    if found is None:
        ctx.error(
            "E500",
            f"automation {name}: `for: {text}` is not `NAME in LIST`",
            where,
            hint="write `for: item in items`, over a list the automation reads or an event's list field",
        )
        return None
    target, source = found[1], found[2]
    taken = {*scope.names, *scope.values, *scope.records}
    if not SNAKE.match(target) or is_keyword(target) or target in taken:
        ctx.error(
            "E415",
            f"automation {name}: the `for:` variable {target!r} is not a free snake_case name",
            where,
            hint="name it after one item of the list (`item`, `line`), unlike the reads and `event`",
        )
        return None
    if missing_field(ctx, name, events, source, where):
        return None
    compiled = compile_expression(source, scope, expected=None)
    for code, message in compiled.errors:
        ctx.error(code, f"{name}.send.for: {message}", where)
    if compiled.errors or compiled.type is None:
        return None
    if compiled.type.kind != "list" or compiled.type.optional or compiled.type.item is None:
        ctx.error(
            "E504",
            f"automation {name}: `for:` goes over {source!r}, a {compiled.type.spec}, not a list",
            where,
            hint="go over a list: rows read by `where:`, or a `list[...]` field of the event",
        )
        return None
    values = {**scope.values, target: compiled.type.item}
    return (
        target,
        compiled.code,
        Scope(scope.names, scope.records, scope.enums, values, scope.unknown),
    )


def _without_for(scope: Scope, text: str) -> Scope:
    """The scope where a wrong `for:`'s variable is unknown (not reported again where used)."""
    found = _FOR.fullmatch(text)
    if found is None:
        return scope
    unknown = scope.unknown | {found[1]}
    return Scope(scope.names, scope.records, scope.enums, scope.values, unknown)


def _send_values(
    ctx: Context,
    name: str,
    events: tuple[m.Listened, ...],
    command: m.Command,
    mapping: Mapping[str, Any],
    path: PathKey,
    scope: Scope,
    *,
    custom: bool,
) -> tuple[m.Assignment, ...]:
    """The command's fields: each mapped one must exist, each required one be mapped (a custom
    automation's send() builds them itself: it maps none)."""
    id_field = ctx.id_fields[command.aggregate]
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
        if isinstance(value, str) and missing_field(ctx, name, events, value, where):
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
        if field.name not in mapping and not optional and not custom:
            ctx.error(
                "E601",
                f"automation {name}: {command.name} needs a value for {field.name!r}",
                path,
                key=True,
                hint=f'map it under `send:`, like `{field.name}: "= event.{field.name}"`',
            )
    return tuple(values)


def _scenario(
    ctx: Context, listens: tuple[m.Listened, ...], scenario: Mapping[str, Any], where: PathKey
) -> m.ViewScenario:
    label = f"scenario {scenario['name']!r}"
    ctx.named_ids = NamedIds(label)
    try:
        return _scenario_body(ctx, listens, scenario, where, label)
    finally:
        ctx.named_ids = None


def _scenario_body(
    ctx: Context,
    listens: tuple[m.Listened, ...],
    scenario: Mapping[str, Any],
    where: PathKey,
    label: str,
) -> m.ViewScenario:
    rejected = {f"{e.rejected}Rejected": e.rejected for e in listens if e.rejected}
    given = given_events(ctx, scenario.get("given") or [], (*where, "given"), label, rejected)
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


def rejected_commands(
    ctx: Context, automations: tuple[m.Automation, ...]
) -> tuple[m.RejectedCommand, ...]:
    """The events of rejected commands that automations listen to (`on: {rejected: C}`)."""
    names = dict.fromkeys(c for a in automations for c in a.rejected)
    found = []
    for name in names:
        command = ctx.commands[name]
        fields = (ctx.id_fields[command.aggregate], *command.fields, *REJECTION_FIELDS)
        found.append(m.RejectedCommand(command=name, fields=fields))
    return tuple(found)

"""Timelines (`timelines:`): stories of several steps on the real application.

Each timeline has a `name`, optional `given` events (of any aggregate, each with its stream's id
field) and `steps`; a step is a `when` (one command of any aggregate, its id field included), an
optional `at` (the time `now()` reads from that step on, until a later step sets another) and a
`then` that may check the command's events or its error, its stream's state (`version` and
`exists` too), the rows of read models (`rows: {ReadModel: [...]}`: all of its rows after the
step, each with its key; fields not given are not compared) and the commands automations sent
(`sent: [...]`). Between steps the read models catch up and the automations run, as in the
application. Named ids (named_ids.py) are one id throughout a timeline.

A `rows` check of a read model that handles none of the events the step can cause (its command's
events, and those of the commands automations send in turn), or a `sent` check when no automation
listens to them, could only pass by accident: E419.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.spec import model as m
from generator.spec.analyze.context import STATE_RUNTIME, Context
from generator.spec.analyze.named_ids import NamedIds, scenario_literal
from generator.spec.analyze.scenarios import clock_at, given_events, values_record
from generator.spec.load import PathKey
from generator.spec.names import snake, test_name


def timelines(
    ctx: Context,
    raw: list[Any],
    read_models: tuple[m.ReadModel, ...],
    automations: tuple[m.Automation, ...],
) -> tuple[m.Timeline, ...]:
    built: list[m.Timeline] = []
    seen: dict[str, PathKey] = {}
    for index, body in enumerate(raw):
        path: PathKey = ("timelines", index)
        name = str(body["name"])
        label = f"timeline {name!r}"
        ctx.named_ids = NamedIds(label)
        try:
            timeline = _timeline(ctx, body, path, label, read_models, automations)
        finally:
            ids = ctx.named_ids.constants()
            ctx.named_ids = None
        if timeline is None:
            continue
        if timeline.test_name in seen:
            ctx.error(
                "E602",
                f"{label} makes the test name {timeline.test_name}, like the timeline on line "
                f"{ctx.spec.where(seen[timeline.test_name])[0]}; rename one",
                (*path, "name"),
            )
            continue
        seen[timeline.test_name] = (*path, "name")
        built.append(
            m.Timeline(
                name=timeline.name,
                test_name=timeline.test_name,
                description=timeline.description,
                given=timeline.given,
                steps=timeline.steps,
                ids=ids,
            )
        )
    return tuple(built)


def _timeline(
    ctx: Context,
    body: Mapping[str, Any],
    path: PathKey,
    label: str,
    read_models: tuple[m.ReadModel, ...],
    automations: tuple[m.Automation, ...],
) -> m.Timeline | None:
    given = given_events(ctx, list(body.get("given") or []), (*path, "given"), label)
    steps = []
    for index, step in enumerate(body["steps"]):
        where = (*path, "steps", index)
        built = _step(ctx, step, where, f"{label}, step {index + 1}", read_models, automations)
        if built is not None:
            steps.append(built)
    if len(steps) != len(body["steps"]):
        return None
    name = str(body["name"])
    return m.Timeline(
        name=name,
        test_name=test_name(name),
        description=str(body.get("description") or ""),
        given=tuple(given),
        steps=tuple(steps),
    )


def _step(
    ctx: Context,
    body: Mapping[str, Any],
    path: PathKey,
    label: str,
    read_models: tuple[m.ReadModel, ...],
    automations: tuple[m.Automation, ...],
) -> m.Step | None:
    name, values = next(iter(body["when"].items()))
    command = ctx.commands.get(name)
    if command is None:
        known = ", ".join(sorted(ctx.commands)) or "none"
        ctx.error(
            "E403",
            f"{label}: {name!r} is not a command (commands: {known})",
            (*path, "when", name),
            key=True,
        )
        return None
    aggregate = ctx.aggregates.get(command.aggregate)
    if aggregate is None:
        return None  # an aggregate reported wrong already
    id_field = aggregate.id_field
    if command.creates:  # a creating command may leave its id out: a new one is made
        id_field = m.Field(name=id_field.name, type=id_field.type, default_code="new")
    record = values_record(
        ctx,
        name,
        (id_field, *command.fields),
        values or {},
        (*path, "when", name),
        label,
        partial=False,
        owners={id_field.name: aggregate.name},
    )
    then = body.get("then") or {}
    if isinstance(then, list):
        then = {"events": then}
    ok = record is not None
    step = m.Step(command=record or m.Record(name=name, values=()), aggregate=aggregate.name)
    fields: dict[str, Any] = {}
    if "events" in then:
        events = _events(ctx, aggregate, then["events"], (*path, "then", "events"), label)
        ok = ok and events is not None
        fields["then_events"] = events
    if "error" in then:
        error = str(then["error"])
        if error not in {e.name for e in aggregate.errors} | set(m.BUILT_IN_ERRORS):
            ctx.error(
                "E402",
                f"{label}: {error!r} is not an error of {aggregate.name}",
                (*path, "then", "error"),
            )
            ok = False
        built_in = m.BUILT_IN_ERRORS.get(error)
        fields["then_error"] = error
        errors = f"{snake(aggregate.name)}_errors"
        fields["error_class"] = f"runtime.{built_in}" if built_in else f"{errors}.{error}"
        if "events" in then or "state" in then:
            ctx.error(
                "E600",
                f"{label}: `then` has an error, so it cannot also expect events or state",
                (*path, "then"),
            )
            ok = False
    if "state" in then:
        state = _state(ctx, aggregate, then["state"], (*path, "then", "state"), label)
        ok = ok and state is not None
        fields["then_state"] = state or ()
    caused = _caused(ctx, command, automations)
    if "rows" in then:
        rows = _rows(ctx, then["rows"], (*path, "then", "rows"), label, read_models, caused)
        ok = ok and rows is not None
        fields["rows"] = rows or ()
    if "sent" in then:
        sent = _sent(ctx, then["sent"], (*path, "then", "sent"), label, automations, caused)
        ok = ok and sent is not None
        fields["sent"] = sent
    at = clock_at(ctx, body, path, label)
    if not ok or (at is None and "at" in body):
        return None
    return m.Step(command=step.command, aggregate=step.aggregate, at=at, **fields)


def _caused(ctx: Context, command: m.Command, automations: tuple[m.Automation, ...]) -> set[str]:
    """The events a step with `command` can cause: its own, and those of the commands the
    automations send in turn."""
    caused: set[str] = set()
    pending = [command]
    done: set[str] = set()
    while pending:
        current = pending.pop()
        if current.name in done:
            continue
        done.add(current.name)
        new = set(current.emitted) | {e.event for g in current.guards for e in g.emits}
        if current is not command:  # sent by an automation: it may be rejected
            new.add(f"{current.name}Rejected")
        caused |= new
        pending += [
            ctx.commands[c]
            for a in automations
            if new & set(a.events)
            for c in a.commands
            if c in ctx.commands
        ]
    return caused


def _events(
    ctx: Context, aggregate: m.Aggregate, raw: list[Any], path: PathKey, label: str
) -> tuple[m.Record, ...] | None:
    known = {e.name: e for e in aggregate.events}
    records = []
    for index, item in enumerate(raw):
        name, values = next(iter(item.items()))
        event = known.get(name)
        if event is None:
            ctx.error(
                "E401",
                f"{label}: {name!r} is not an event of {aggregate.name}",
                (*path, index, name),
                key=True,
            )
            return None
        record = values_record(
            ctx,
            name,
            (aggregate.id_field, *event.fields),
            values or {},
            (*path, index, name),
            label,
            partial=True,
            owners={aggregate.id_field.name: aggregate.name},
        )
        if record is None:
            return None
        records.append(record)
    return tuple(records)


def _state(
    ctx: Context, aggregate: m.Aggregate, raw: Mapping[str, Any], path: PathKey, label: str
) -> tuple[m.Assignment, ...] | None:
    fields = {f.name: f.type for f in aggregate.state_fields} | STATE_RUNTIME
    assignments = []
    for key, value in raw.items():
        if key not in fields:
            ctx.error(
                "E404",
                f"{label}: {key!r} is not a state field of {aggregate.name}",
                (*path, key),
                key=True,
            )
            return None
        code = scenario_literal(
            ctx, value, key, fields[key], (*path, key), what=f"{label}: state.{key}"
        )
        if code is None:
            return None
        assignments.append(m.Assignment(target=key, code=code))
    return tuple(assignments)


def _rows(
    ctx: Context,
    raw: Mapping[str, Any],
    path: PathKey,
    label: str,
    read_models: tuple[m.ReadModel, ...],
    caused: set[str],
) -> tuple[tuple[str, tuple[m.Record, ...]], ...] | None:
    by_name = {r.name: r for r in read_models}
    checked = []
    for name, rows in raw.items():
        read_model = by_name.get(name)
        where = (*path, name)
        if read_model is None:
            if name in (ctx.data.get("read_models") or {}):
                return None  # declared, and reported wrong already where it is declared
            known = ", ".join(by_name) or "none"
            ctx.error(
                "E414",
                f"{label}: {name!r} is not a read model (read models: {known})",
                where,
                key=True,
            )
            return None
        handled = {u.event for u in read_model.updates}
        if not handled & caused:
            ctx.error(
                "E419",
                f"{label}: the step cannot have updated {name}: it handles "
                f"{', '.join(sorted(handled))}, and the step causes "
                f"{', '.join(sorted(caused)) or 'no events'}",
                where,
                key=True,
            )
            return None
        records = []
        for index, row in enumerate(rows or []):
            missing = [k for k in read_model.key_names if k not in row]
            if missing:
                ctx.error(
                    "E601",
                    f"{label}: each row of {name} needs its key "
                    f"{', '.join(repr(k) for k in read_model.key_names)} ({missing[0]!r} is not "
                    "given)",
                    (*where, index),
                )
                return None
            record = values_record(
                ctx,
                f"{name}Row",
                read_model.row_fields,
                row,
                (*where, index),
                label,
                partial=True,
            )
            if record is None:
                return None
            records.append(record)
        checked.append((name, tuple(records)))
    return tuple(checked)


def _sent(
    ctx: Context,
    raw: list[Any],
    path: PathKey,
    label: str,
    automations: tuple[m.Automation, ...],
    caused: set[str],
) -> tuple[m.Record, ...] | None:
    listening = [a for a in automations if caused & set(a.events)]
    if not listening:
        ctx.error(
            "E419",
            f"{label}: no automation listens to the events the step causes "
            f"({', '.join(sorted(caused)) or 'none'}), so it sends nothing to check",
            path,
            key=True,
        )
        return None
    records = []
    for index, item in enumerate(raw):
        name, values = next(iter(item.items()))
        command = ctx.commands.get(name)
        if command is None or name not in {c for a in listening for c in a.commands}:
            sends = ", ".join(sorted({c for a in listening for c in a.commands}))
            ctx.error(
                "E403",
                f"{label}: {name!r} is not a command the automations listening here send "
                f"(they send: {sends})",
                (*path, index, name),
                key=True,
            )
            return None
        id_field = ctx.id_fields[command.aggregate]
        record = values_record(
            ctx,
            name,
            (id_field, *command.fields),
            values or {},
            (*path, index, name),
            label,
            partial=True,
            owners={id_field.name: command.aggregate},
        )
        if record is None:
            return None
        records.append(record)
    return tuple(records)

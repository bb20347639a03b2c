"""Scenarios: an aggregate's given/when/then, and the records and test names that read-model and
automation scenarios share with them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.spec import model as m
from generator.spec.analyze.automation_events import given_fields
from generator.spec.analyze.context import STATE_RUNTIME, Context
from generator.spec.analyze.named_ids import NamedIds, scenario_literal
from generator.spec.analyze.scenario_reads import scenario_reads
from generator.spec.load import PathKey
from generator.spec.names import snake, test_name
from generator.spec.types import parse_type
from generator.spec.values import ValueMismatch, render_value

AT_HINT = "write the time `now()` reads in ISO 8601 with its zone, like `at: 2024-05-01T10:00:00Z`"


def aggregate_scenarios(
    ctx: Context, aggregate: m.Aggregate, raw: list[Any], base: PathKey
) -> tuple[m.Scenario, ...]:
    scenarios: list[m.Scenario] = []
    seen: dict[str, tuple[str, PathKey]] = {}
    for index, body in enumerate(raw):
        path = (*base, "scenarios", index)
        scenario = _scenario(ctx, aggregate, body, path)
        if scenario is None:
            continue
        if scenario.test_name in seen:
            first, where = seen[scenario.test_name]
            ctx.error(
                "E602",
                f"scenario {scenario.name!r} makes the test name {scenario.test_name}, like "
                f"scenario {first!r} of {aggregate.name} (line {ctx.spec.where(where)[0]}); "
                "rename one",
                (*path, "name"),
            )
            continue
        seen[scenario.test_name] = (scenario.name, (*path, "name"))
        scenarios.append(scenario)
    return tuple(scenarios)


def _scenario(
    ctx: Context, aggregate: m.Aggregate, body: Mapping[str, Any], path: PathKey
) -> m.Scenario | None:
    name = str(body["name"])
    label = f"scenario {name!r}"
    ctx.named_ids = NamedIds.of_aggregate(aggregate, label)
    try:
        return _scenario_body(ctx, aggregate, body, path, name, label)
    finally:
        ctx.named_ids = None


def _scenario_body(
    ctx: Context,
    aggregate: m.Aggregate,
    body: Mapping[str, Any],
    path: PathKey,
    name: str,
    label: str,
) -> m.Scenario | None:
    events = {e.name: e for e in aggregate.events}
    given = []
    others: list[tuple[int, Mapping[str, Any]]] = []
    for index, record in enumerate(body.get("given") or []):
        if next(iter(record)) not in events and next(iter(record)) in ctx.events:
            others.append((index, record))  # another aggregate's: checked against the reads
            continue
        item = _record(
            ctx,
            record,
            events,
            (*path, "given", index),
            label,
            kind="event",
            aggregate=aggregate,
            partial=False,
        )
        if item is not None:
            given.append(item)
    when = _when(ctx, aggregate, body, path, label)
    then = body["then"]
    then_events = _then_events(ctx, aggregate, then, path, label)
    then_state: list[m.Assignment] = []
    then_error: str | None = None
    if isinstance(then, dict):
        then_state = _then_state(ctx, aggregate, then, path, label)
        if "error" in then:
            then_error = _then_error(ctx, aggregate, then, then_events is not None, path, label)
    if when is None:
        return None
    command = aggregate.command(when.name)
    _stream_outcome(ctx, aggregate, command, body, then_error, path, label)
    reads = scenario_reads(ctx, aggregate, command, body.get("reads") or {}, path, label)
    elsewhere = given_elsewhere(ctx, command, others, path, label)
    ids = ctx.named_ids.constants() if ctx.named_ids is not None else ()
    at = clock_at(ctx, body, path, label)
    if at is None and "at" in body:
        return None
    return m.Scenario(
        name=name,
        test_name=test_name(name),
        description=str(body.get("description") or ""),
        given=tuple(given),
        when=when,
        then_events=tuple(then_events) if then_events is not None else None,
        then_state=tuple(then_state),
        then_error=then_error,
        reads=reads,
        ids=ids,
        elsewhere=elsewhere,
        at=at,
    )


def clock_at(ctx: Context, body: Mapping[str, Any], path: PathKey, label: str) -> str | None:
    """The Python source of `at:` (the time `now()` reads); None without one, or (reported) when
    it is not a time. A time without a zone is read as UTC, like other spec times."""
    if "at" not in body:
        return None
    try:
        return render_value(body["at"], parse_type("datetime", set(), set()), {}, {})
    except ValueMismatch as exc:
        ctx.error("E408", f"{label}: at: {exc.message}", (*path, "at"), hint=AT_HINT)
        return None


def _when(
    ctx: Context, aggregate: m.Aggregate, body: Mapping[str, Any], path: PathKey, label: str
) -> m.Record | None:
    """The command of the scenario, which must fit whether the scenario has `given` events."""
    commands = {c.name: c for c in aggregate.commands}
    when_name, when_values = next(iter(body["when"].items()))
    command = commands.get(when_name)
    if command is None:
        ctx.error(
            "E403",
            f"{label}: {when_name!r} is not a command of {aggregate.name}",
            (*path, "when", when_name),
            key=True,
        )
        return None
    when = _record(
        ctx,
        {when_name: when_values},
        commands,
        (*path, "when"),
        label,
        kind="command",
        aggregate=aggregate,
        partial=False,
    )
    return when


def _then_events(
    ctx: Context, aggregate: m.Aggregate, then: Any, path: PathKey, label: str
) -> list[m.Record] | None:
    """The expected events: `then` itself when it is a list, else its `events:` (if any)."""
    raw_events = then if isinstance(then, list) else then.get("events")
    if raw_events is None:
        return None
    events = {e.name: e for e in aggregate.events}
    then_events = []
    for index, record in enumerate(raw_events):
        where = (
            (*path, "then", index) if isinstance(then, list) else (*path, "then", "events", index)
        )
        item = _record(
            ctx, record, events, where, label, kind="event", aggregate=aggregate, partial=True
        )
        if item is not None:
            then_events.append(item)
    return then_events


def _stream_outcome(
    ctx: Context,
    aggregate: m.Aggregate,
    command: m.Command,
    body: Mapping[str, Any],
    error: str | None,
    path: PathKey,
    label: str,
) -> None:
    """A scenario whose outcome the stream alone decides must expect it: a command that needs
    an existing stream fails with StreamNotFound without `given` events, and a `creates: true`
    command without rules fails with StreamExists with them; and the built-in errors come only
    from the commands that can fail with them."""
    name, given = command.name, bool(body.get("given"))
    problem, at = "", "when"
    if error == "StreamNotFound" and not command.needs_stream:
        form = "true" if command.creates else "if-missing"
        problem = f"{name} has `creates: {form}`, so it never fails with StreamNotFound"
    elif error == "StreamNotFound" and given:
        problem = f"`given` has events of the stream, so {name} cannot fail with StreamNotFound"
    elif error == "StreamExists" and not command.creates:
        problem = f"only a `creates: true` command fails with StreamExists, and {name} is not one"
    elif error == "StreamExists" and not given:
        problem = f"without `given` events there is no stream, so {name} cannot fail with it"
    elif command.needs_stream and not given and error != "StreamNotFound":
        problem = (
            f"{name} needs an existing {aggregate.name}: give the events that created it under "
            "`given`, or expect `error: StreamNotFound`"
        )
    elif command.creates and given and not command.guards and error != "StreamExists":
        problem, at = (
            f"{name} creates a new {aggregate.name} and has no rules, so on a stream with "
            "`given` events it can only fail with StreamExists: expect `error: StreamExists`, "
            "or leave `given` out",
            "given",
        )
    if problem:
        where = (*path, "then", "error") if error in m.BUILT_IN_ERRORS else (*path, at)
        ctx.error("E407", f"{label}: {problem}", where, key=where[-1] != "error")


def _then_state(
    ctx: Context, aggregate: m.Aggregate, then: Mapping[str, Any], path: PathKey, label: str
) -> list[m.Assignment]:
    state_fields = {f.name: f for f in aggregate.state_fields}
    state_fields |= {n: m.Field(name=n, type=t) for n, t in STATE_RUNTIME.items()}
    then_state = []
    for key, value in (then.get("state") or {}).items():
        where = (*path, "then", "state", key)
        if key not in state_fields:
            ctx.error(
                "E404",
                f"{label}: {key!r} is not a state field of {aggregate.name}",
                where,
                key=True,
            )
            continue
        code = scenario_literal(
            ctx, value, key, state_fields[key].type, where, what=f"{label}: state.{key}"
        )
        if code is not None:
            then_state.append(m.Assignment(target=key, code=code))
    return then_state


def _then_error(
    ctx: Context,
    aggregate: m.Aggregate,
    then: Mapping[str, Any],
    has_events: bool,
    path: PathKey,
    label: str,
) -> str:
    """The expected error, which must be the aggregate's and must come alone."""
    then_error = str(then["error"])
    errors = {e.name for e in aggregate.errors}
    if then_error not in errors and then_error not in m.BUILT_IN_ERRORS:
        known = ", ".join([*sorted(errors), *m.BUILT_IN_ERRORS])
        ctx.error(
            "E402",
            f"{label}: {then_error!r} is not an error of {aggregate.name} (errors: {known})",
            (*path, "then", "error"),
        )
    if has_events or then.get("state"):
        ctx.error(
            "E600",
            f"{label}: `then` has an error, so it cannot also expect events or state",
            (*path, "then"),
        )
    return then_error


def _record(
    ctx: Context,
    record: Mapping[str, Any],
    known: Mapping[str, Any],
    path: PathKey,
    label: str,
    *,
    kind: str,
    aggregate: m.Aggregate,
    partial: bool,
) -> m.Record | None:
    """An event or command of an aggregate scenario, whose stream (and so id) is implicit."""
    name, values = next(iter(record.items()))
    values = values or {}
    target = known.get(name)
    if target is None:
        code = "E401" if kind == "event" else "E403"
        ctx.error(
            code,
            f"{label}: {name!r} is not an {kind} of {aggregate.name}",
            (*path, name),
            key=True,
        )
        return None
    id_field = aggregate.id_field
    if id_field.name in values:
        ctx.error(
            "E404",
            f"{label}: {id_field.name!r} is implicit in aggregate scenarios; leave it out",
            (*path, name, id_field.name),
            key=True,
        )
        return None
    return values_record(ctx, name, target.fields, values, (*path, name), label, partial=partial)


def values_record(
    ctx: Context,
    name: str,
    fields: tuple[m.Field, ...],
    values: Mapping[str, Any],
    path: PathKey,
    label: str,
    *,
    partial: bool,
    owners: Mapping[str, str] | None = None,
) -> m.Record | None:
    """The values given for the fields of `name`: known fields only, all required ones unless
    `partial`. `owners`: the fields that are the id of an aggregate (named ids, named_ids.py)."""
    by_name = {f.name: f for f in fields}
    ok = True
    for key in values:
        if key not in by_name and key not in ctx.failed(name):
            known = ", ".join(by_name) or "none"
            ctx.error(
                "E404",
                f"{label}: {name} has no field {key!r} (fields: {known})",
                (*path, key),
                key=True,
            )
            ok = False
    assignments = []
    for field in fields:
        if field.name in values:
            code = scenario_literal(
                ctx,
                values[field.name],
                field.name,
                field.type,
                (*path, field.name),
                what=f"{label}: {name}.{field.name}",
                owner=(owners or {}).get(field.name, ""),
            )
            if code is None:
                ok = False
            else:
                assignments.append(m.Assignment(target=field.name, code=code))
        elif not partial and field.default_code is None:
            ctx.error("E601", f"{label}: {name} needs a value for {field.name!r}", path, key=True)
            ok = False
    return m.Record(name=name, values=tuple(assignments)) if ok else None


def given_events(
    ctx: Context,
    records: list[Any],
    path: PathKey,
    label: str,
    rejected: Mapping[str, str] | None = None,
) -> list[m.Record]:
    """Events given to read-model and automation scenarios, each with its fields as
    `given_fields` knows them: an aggregate's (naming its stream), an external one, or, for an
    automation, a rejection (`rejected`: `<Command>Rejected` -> the command)."""
    given: list[m.Record] = []
    for index, record in enumerate(records):
        event_name, values = next(iter(record.items()))
        found = given_fields(ctx, event_name, (rejected or {}).get(event_name, ""))
        if found is None:
            ctx.error(
                "E401",
                f"{label}: {event_name!r} is not an event",
                (*path, index, event_name),
                key=True,
            )
            continue
        fields, owners = found
        item = values_record(
            ctx,
            event_name,
            fields,
            values or {},
            (*path, index, event_name),
            label,
            partial=False,
            owners=owners,
        )
        if item is not None:
            given.append(item)
    return given


def view_scenario(
    ctx: Context,
    body: Mapping[str, Any],
    path: PathKey,
    given: list[m.Record],
    then: list[m.Record],
) -> m.ViewScenario:
    """Called while ctx.named_ids holds the scenario's named ids (read_models.py, automations.py)."""
    name = str(body["name"])
    return m.ViewScenario(
        ids=ctx.named_ids.constants() if ctx.named_ids is not None else (),
        name=name,
        test_name=test_name(name),
        description=str(body.get("description") or ""),
        given=tuple(given),
        then=tuple(then),
        at=clock_at(ctx, body, path, f"scenario {name!r}"),
    )


def unique_tests(ctx: Context, scenarios: list[m.ViewScenario], path: PathKey, owner: str) -> None:
    seen: dict[str, tuple[str, PathKey]] = {}
    for index, scenario in enumerate(scenarios):
        where: PathKey = (*path, "scenarios", index, "name")
        if scenario.test_name in seen:
            first, at = seen[scenario.test_name]
            ctx.error(
                "E602",
                f"scenario {scenario.name!r} makes the test name {scenario.test_name}, like "
                f"scenario {first!r} of {owner} (line {ctx.spec.where(at)[0]}); rename one",
                where,
            )
        seen[scenario.test_name] = (scenario.name, where)


def given_elsewhere(
    ctx: Context,
    command: m.Command,
    records: list[tuple[int, Mapping[str, Any]]],
    path: PathKey,
    label: str,
) -> tuple[m.Elsewhere, ...]:
    """Given events of other aggregates: allowed when the command reads their stream (a state
    by id) or a read model built from them; each names its stream with its id field."""
    if not records:
        return ()
    read_aggregates = {r.source for r in command.reads if r.kind in ("state", "states")}
    read_models = ctx.data.get("read_models") or {}
    built_from: set[str] = set()
    for read in command.reads:
        body = read_models.get(read.source) if read.kind in ("row", "rows") else None
        if isinstance(body, dict) and isinstance(body.get("on"), dict):
            built_from |= set(body["on"])
    by_aggregate: dict[str, list[m.Record]] = {}
    for index, record in records:
        event_name, values = next(iter(record.items()))
        event = ctx.events[event_name]
        where = (*path, "given", index, event_name)
        if event.aggregate not in read_aggregates and event_name not in built_from:
            ctx.error(
                "E418",
                f"{label}: {event_name!r} is an event of {event.aggregate}, and {command.name} "
                f"reads neither a {event.aggregate} stream nor a read model built from "
                f"{event_name}, so it cannot see it",
                where,
                key=True,
            )
            continue
        id_field = ctx.id_fields[event.aggregate]
        item = values_record(
            ctx,
            event_name,
            (id_field, *event.fields),
            values or {},
            where,
            label,
            partial=False,
            owners={id_field.name: event.aggregate},
        )
        if item is not None:
            by_aggregate.setdefault(event.aggregate, []).append(item)
    return tuple(
        m.Elsewhere(
            aggregate=name,
            aggregate_module=snake(name),
            events=tuple(items),
        )
        for name, items in by_aggregate.items()
    )

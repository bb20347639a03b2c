"""Aggregates of drawn specs: state, errors, events with `apply` rules, commands with guards and
`emits` mappings, and their scenarios, written by running those rules here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from hypothesis import strategies as st

from generator.spec.names import RESERVED_FIELDS, is_keyword, snake
from spec_strategies.expressions import Assigned, Expr, assignment, evaluate, guard
from spec_strategies.names import TEXT, Names, Reject
from spec_strategies.values import (
    Domain,
    FieldDef,
    Indeterminate,
    T,
    coerce,
    holds_now,
    to_yaml,
    values_of,
)


@dataclass
class EventDef:
    name: str
    fields: list[FieldDef]
    apply: dict[str, Assigned]


@dataclass
class CommandDef:
    name: str
    creates: bool
    fields: list[FieldDef]
    guards: list[tuple[Expr, str]]
    emits: list[tuple[str, dict[str, Assigned]]]  # event, explicit mapping
    custom: bool = False


@dataclass
class AggregateDef:
    name: str
    id_name: str
    id_type: T
    id_spec: Any
    state: list[FieldDef]
    errors: dict[str, str]
    events: dict[str, EventDef]
    commands: dict[str, CommandDef]


# -- fields ---------------------------------------------------------------------------------------

_SIMPLE = ["int", "decimal", "float", "str", "bool", "date", "datetime", "duration", "uuid"]
_MAP_KEYS = ["str", "int", "uuid", "date"]


def field_type(draw: Any, domain: Domain, *, nested: bool = True) -> T:
    kinds = list(_SIMPLE)
    kinds += ["enum", "enum"] if domain.enums else []
    kinds += ["record"] * 3 if domain.records else []
    kinds += ["list", "map"] if nested else []
    kind = draw(st.sampled_from(kinds))
    if kind == "enum":
        t = T("enum", draw(st.sampled_from(sorted(domain.enums))))
    elif kind == "record":  # the last one most often: it may hold the ones before it
        t = T("record", draw(st.sampled_from([*domain.records, list(domain.records)[-1]])))
    elif kind == "list":
        t = T("list", item=field_type(draw, domain, nested=False))
    elif kind == "map":
        keys = [T(k) for k in _MAP_KEYS] + [T("enum", e) for e in sorted(domain.enums)]
        t = T("map", key=draw(st.sampled_from(keys)), item=field_type(draw, domain, nested=False))
    else:
        t = T(kind)
    if nested and draw(st.integers(0, 4)) == 0:
        t = t.maybe()
    note_type(domain, t)
    return t


def note_type(domain: Domain, t: T) -> None:
    domain.features.add(f"type:{t.kind}")
    if t.optional:
        domain.features.add("type:optional")
    if t.item is not None:
        note_type(domain, t.item)
    if t.key is not None:
        note_type(domain, t.key)


def new_field(
    draw: Any, names: Names, taken: set[str], domain: Domain, *, defaults: bool = True
) -> FieldDef:
    name = names.snake_name(taken)
    t = field_type(draw, domain)
    if defaults and draw(st.integers(0, 3)) == 0:
        return FieldDef(name, t, draw(values_of(t, domain)))
    return FieldDef(name, t)


# -- the aggregate --------------------------------------------------------------------------------


def aggregate(draw: Any, names: Names, domain: Domain) -> AggregateDef:
    name = names.aggregate_name()
    taken: set[str] = set()
    style = draw(st.integers(0, 3))
    if style <= 1:
        id_name, id_type, id_spec = snake(name) + "_id", T("uuid"), None
        if id_name in RESERVED_FIELDS or is_keyword(id_name):
            raise Reject
        taken.add(id_name)
    else:
        id_name = names.snake_name(taken)
        id_type = T("uuid") if style == 2 else T("str")
        id_spec = id_name if style == 2 else {"name": id_name, "type": "str"}
    state = [new_field(draw, names, taken, domain) for _ in range(draw(st.integers(1, 4)))]
    errors = {names.pascal_name(): draw(TEXT) for _ in range(draw(st.integers(1, 2)))}
    state_refs = {f.name: f.type for f in state} | {id_name: id_type}
    id_field = FieldDef(id_name, id_type)
    events, extra_names = _events(draw, names, domain, (state, id_field), taken)
    commands: dict[str, CommandDef] = {}
    modules: set[str] = set()
    for index in range(draw(st.integers(1, 3))):
        command = _command(
            draw,
            names.pascal_name(module_of=modules),
            index == 0,
            list(events.values()),
            domain,
            (names, taken | extra_names, state, state_refs, errors, id_field),
        )
        commands[command.name] = command
    return AggregateDef(name, id_name, id_type, id_spec, state, errors, events, commands)


def _events(
    draw: Any,
    names: Names,
    domain: Domain,
    fields_of: tuple[list[FieldDef], FieldDef],
    taken: set[str],
) -> tuple[dict[str, EventDef], set[str]]:
    """Two to four events; the first sets most of the state, each may `apply` rules to it."""
    state, id_field = fields_of
    state_refs = {f.name: f.type for f in state} | {id_field.name: id_field.type}
    events: dict[str, EventDef] = {}
    extra_names: set[str] = set()  # event fields that are not state fields, unique per aggregate
    for index in range(draw(st.integers(2, 4))):
        event = names.pascal_name()
        if index == 0:  # the first event, which creates the stream, sets most of the state
            copies = [f for f in state if not f.has_default or draw(st.booleans())]
        else:
            copies = draw(st.lists(st.sampled_from(state), max_size=3, unique_by=lambda f: f.name))
        fields = [
            FieldDef(f.name, f.type.required() if draw(st.booleans()) else f.type) for f in copies
        ]
        used = taken | extra_names | {f.name for f in fields}
        fields += [new_field(draw, names, used, domain) for _ in range(draw(st.integers(0, 2)))]
        extra_names |= {f.name for f in fields} - taken
        event_refs = {f.name: f.type for f in fields} | {id_field.name: id_field.type}
        refs = {"state": state_refs, "event": event_refs}
        targets = draw(
            st.lists(
                st.sampled_from(state), min_size=index > 0, max_size=3, unique_by=lambda f: f.name
            )
        )
        apply = {t.name: assignment(draw, t.type, refs, domain) for t in targets}
        events[event] = EventDef(event, fields, apply)
    return events, extra_names


def _command(
    draw: Any,
    name: str,
    creates: bool,
    event_list: list[EventDef],
    domain: Domain,
    context: tuple[Names, set[str], list[FieldDef], dict[str, T], dict[str, str], FieldDef],
) -> CommandDef:
    names, taken, state, state_refs, errors, id_field = context
    state_names = {f.name for f in state}
    emitted = (
        [event_list[0]]
        if creates
        else draw(st.lists(st.sampled_from(event_list[1:]), min_size=1, max_size=2))
    )
    by_name: dict[str, FieldDef] = {}
    for event in emitted:
        for f in event.fields:
            if f.name in by_name or draw(st.integers(0, 3)) == 0:
                continue
            if f.name in state_names and not creates and draw(st.booleans()):
                continue  # left to be filled from the state
            t = f.type
            if t.kind in ("decimal", "float") and not t.optional and draw(st.booleans()):
                t = T("int")  # an int command field fills a decimal or float event field
                domain.features.add("widen")
            by_name[f.name] = FieldDef(f.name, t)
    fields = list(by_name.values())
    extra_taken = taken | set(by_name)
    fields += [new_field(draw, names, extra_taken, domain) for _ in range(draw(st.integers(0, 2)))]
    command_refs = {f.name: f.type for f in fields} | {id_field.name: id_field.type}
    refs = {"command": command_refs, "state": state_refs}
    guards = [
        (guard(draw, refs, domain), draw(st.sampled_from(sorted(errors))))
        for _ in range(draw(st.integers(1, 2)))
    ]
    emits = []
    for event in emitted:
        mapping: dict[str, Assigned] = {}
        for f in event.fields:
            source = _auto_source(f, command_refs, state_refs)
            # Mapped explicitly when nothing fills it, and now and then anyway (a time, often:
            # `now()` is for what a command records).
            often = f.type.kind == "datetime"
            if source in (None, "clash") or draw(st.integers(0, 1 if often else 2)) == 0:
                if source is None and f.has_default and draw(st.booleans()):
                    continue  # left to the event field's default
                mapping[f.name] = assignment(draw, f.type, refs, domain, clock=True)
        emits.append((event.name, mapping))
    custom = not creates and draw(st.integers(0, 5)) == 0
    if custom:
        _map_helper_arguments(emitted, emits, command_refs, state_refs)
    return CommandDef(name, creates, fields, guards, emits, custom)


def _map_helper_arguments(
    emitted: list[EventDef],
    emits: list[tuple[str, dict[str, Assigned]]],
    command_refs: dict[str, T],
    state_refs: dict[str, T],
) -> None:
    """A custom command's helper that builds an event from a mapping takes `command` and
    `state` first, and the event's fields the mapping leaves open after them (E415): an open
    field of either name is mapped, to what the spec's fill rules would give it. No draw, so
    that every other spec drawn stays the same."""
    for event, (_, mapping) in zip(emitted, emits, strict=True):
        if not mapping:
            continue  # no helper
        for f in event.fields:
            if f.name not in ("command", "state") or f.name in mapping:
                continue
            source = _auto_source(f, command_refs, state_refs)
            if source in ("command", "state"):
                mapping[f.name] = (
                    f"= {source}.{f.name}",
                    lambda _from=source, _name=f.name, **names: names[_from][_name],
                )
            else:  # left to its default
                mapping[f.name] = (to_yaml(f.default, f.type), lambda _value=f.default, **_: _value)


def _auto_source(f: FieldDef, command_refs: dict[str, T], state_refs: dict[str, T]) -> str | None:
    """Where an unmapped event field is filled from, by the spec's fill rules."""
    for context, refs in (("command", command_refs), ("state", state_refs)):
        t = refs.get(f.name)
        if t is None:
            continue
        widened = t.kind == "int" and f.type.kind in ("decimal", "float")
        fits = (t.required() == f.type.required() or widened) and (
            f.type.optional or not t.optional
        )
        return context if fits else "clash"
    return None


def aggregate_spec(draw: Any, a: AggregateDef, domain: Domain) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if draw(st.booleans()):
        body["description"] = draw(TEXT)
    if a.id_spec is not None:
        body["id"] = a.id_spec
    body["state"] = {f.name: f.spec() for f in a.state}
    body["errors"] = dict(a.errors)
    body["events"] = {}
    for event in a.events.values():
        spec: dict[str, Any] = {}
        if draw(st.integers(0, 3)) == 0:
            spec["description"] = draw(TEXT)
        spec["fields"] = {f.name: f.spec() for f in event.fields}
        if event.apply:
            spec["apply"] = {k: v for k, (v, _) in event.apply.items()}
        body["events"][event.name] = spec
    body["commands"] = {}
    for command in a.commands.values():
        spec = {"creates": True} if command.creates else {}
        if command.custom:
            spec["handler"] = "custom"
        if draw(st.integers(0, 3)) == 0:
            spec["description"] = draw(TEXT)
        if command.fields:
            spec["fields"] = {f.name: f.spec() for f in command.fields}
        if command.guards:
            spec["rejects"] = [{"if": g.text, "error": e} for g, e in command.guards]
        spec["emits"] = [
            {event: {k: v for k, (v, _) in mapping.items()}} if mapping else event
            for event, mapping in command.emits
        ]
        body["commands"][command.name] = spec
    scenarios = _scenarios(draw, a, domain)
    if scenarios:
        body["scenarios"] = scenarios
    return body


# -- running the spec's own rules -----------------------------------------------------------------


def evolve(
    a: AggregateDef, state: dict[str, Any], event: EventDef, values: dict[str, Any]
) -> dict[str, Any]:
    """The state after `event` (every update reads the state from before it)."""
    new = dict(state)
    state_names = {f.name for f in a.state}
    for f in event.fields:
        if f.name in state_names and f.name not in event.apply:
            new[f.name] = values[f.name]
    for target, (_, compute) in event.apply.items():
        new[target] = compute(state=state, event=values)
    return new


def decide(
    a: AggregateDef,
    domain: Domain,
    command: CommandDef,
    state: dict[str, Any],
    values: dict[str, Any],
) -> tuple[str | None, list[tuple[EventDef, dict[str, Any]]]]:
    """The error the guards raise, or the events the command emits with their values."""
    for rule, error in command.guards:
        if evaluate(rule, domain, command=values, state=state):
            return error, []
    emitted = []
    for event_name, mapping in command.emits:
        event = a.events[event_name]
        out: dict[str, Any] = {a.id_name: values[a.id_name]}
        for f in event.fields:
            if f.name in mapping:
                value = mapping[f.name][1](command=values, state=state)
            elif f.name in values:
                value = values[f.name]
            elif f.name in state:
                value = state[f.name]
            else:
                value = f.start(domain)
            out[f.name] = coerce(value, f.type)
        emitted.append((event, out))
    return None, emitted


def draw_values(
    draw: Any, fields: list[FieldDef], domain: Domain, *, every: bool = False
) -> tuple[dict[str, Any], set[str]]:
    """A value for every field, and which of them the scenario writes (the others default)."""
    values, shown = {}, set()
    for f in fields:
        if every or f.required or draw(st.booleans()):
            values[f.name] = coerce(draw(values_of(f.type, domain)), f.type)
            shown.add(f.name)
        else:
            values[f.name] = f.start(domain)
    return values, shown


def written(
    fields: list[FieldDef], values: dict[str, Any], keep: set[str] | None = None
) -> dict[str, Any]:
    """The values as a spec writes them; a time `now()` took is left out (not compared)."""
    return {
        f.name: to_yaml(values[f.name], f.type)
        for f in fields
        if (keep is None or f.name in keep) and not holds_now(values[f.name])
    }


# The stream the generated scenario tests use (render.py `_aggregate_context`).
_STREAM = UUID("00000000-0000-4000-8000-000000000001")


def _scenarios(draw: Any, a: AggregateDef, domain: Domain) -> list[dict[str, Any]]:
    scenarios: list[dict[str, Any]] = []
    for command in a.commands.values():
        if command.custom:
            continue
        for _ in range(domain.scenarios(draw)):
            try:
                scenario = _scenario(draw, a, domain, command)
            except Indeterminate:  # a rule compared a time now() took
                continue
            scenario["name"] = f"case {len(scenarios) + 1} {draw(TEXT)}"
            scenarios.append(scenario)
    return scenarios


def _scenario(draw: Any, a: AggregateDef, domain: Domain, command: CommandDef) -> dict[str, Any]:
    creating = next(c for c in a.commands.values() if c.creates)
    stream: Any = f"{snake(a.name)}-1" if a.id_type.kind == "str" else _STREAM
    state = {f.name: f.start(domain) for f in a.state} | {a.id_name: stream}
    given: list[dict[str, Any]] = []
    if not command.creates:
        later = draw(st.lists(st.sampled_from(list(a.events.values())), max_size=1))
        for event in [a.events[creating.emits[0][0]], *later]:
            values, shown = draw_values(draw, event.fields, domain)
            given.append({event.name: written(event.fields, values, shown)})
            state = evolve(a, state, event, {**values, a.id_name: stream})
    values, shown = draw_values(draw, command.fields, domain)
    error, emitted = decide(a, domain, command, state, {**values, a.id_name: stream})
    scenario: dict[str, Any] = {"name": ""}
    if given:
        scenario["given"] = given
    scenario["when"] = {command.name: written(command.fields, values, shown)}
    if error is not None:
        scenario["then"] = {"error": error}
        return scenario
    after, expected = state, []
    for event, out in emitted:
        keep = {f.name for f in event.fields if draw(st.integers(0, 4)) > 0}
        expected.append({event.name: written(event.fields, out, keep)})
        after = evolve(a, after, event, out)
    checked = {f.name for f in a.state if draw(st.booleans())}
    state_spec = written(a.state, after, checked)
    form = draw(st.integers(0, 3))
    if form == 0 or not state_spec:
        scenario["then"] = expected
    elif form == 1:
        scenario["then"] = {"events": expected}
    elif form == 2:
        scenario["then"] = {"events": expected, "state": state_spec}
    else:
        scenario["then"] = {"state": state_spec}
    return scenario

"""The read side of a board import (read models, automations) and the scenarios of every kind."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from generator.interchange.eventmodelers import Element, Specification, Step
from generator.interchange.naming import field_name, strip_prefix
from generator.interchange.yamltext import Key
from generator.spec.names import test_name

if TYPE_CHECKING:
    from generator.interchange.to_spec import _Import

_SCALARS = frozenset({"str", "bool", "int", "float", "decimal", "date", "datetime", "uuid"})


def with_id(run: _Import, element: Element) -> dict[str, str]:
    """An element's fields as a record of its stream carries them: the aggregate's id first."""
    types = run.field_types.get(element.id, {})
    aggregate = run.owner.get(element.id)
    if aggregate is None:
        return dict(types)
    return {aggregate.id_name: aggregate.id_type, **types}


def _known_events(run: _Import, events: list[Element]) -> list[Element]:
    return [e for e in events if e.id in run.name_of]


def read_models(run: _Import) -> dict[Key, dict[str, Any]]:
    out: dict[Key, dict[str, Any]] = {}
    for element in run.elements.values():
        if element.kind != "READMODEL":
            continue
        events = _known_events(run, run.linked(element, "EVENT", inbound=True))
        fields = run.fields(element.fields, element.title)
        scalar = [n for n, t in fields.items() if t in _SCALARS]
        marked = [field_name(f.name) for f in element.fields if f.id_attribute]
        candidates = [n for n in marked if n in scalar] + [n for n in scalar if n not in marked]
        key = next(
            (n for n in candidates if events and all(n in with_id(run, e) for e in events)),
            next(iter(candidates), ""),
        )
        # The key's type is the events' (key fields are not declared under `fields:`): the type
        # most of them give it; events that give it another are left out.
        kinds = [with_id(run, e)[key] for e in events if key in with_id(run, e)]
        kind = max(sorted(set(kinds)), key=kinds.count) if kinds else ""
        taken = [e for e in events if with_id(run, e).get(key) == kind]
        fields.pop(key, None)
        for event in events:
            if event not in taken:
                run.notes.append(
                    f"read model {element.title!r}: the event {event.title!r} does not carry its "
                    f"key {key or '(none)'} as {kind or 'a value'}; not handled"
                )
        if not key or not taken:
            run.notes.append(f"read model {element.title!r}: no event feeds it by a key; skipped")
            continue
        name = run.claim(element.title, "read model", element.id, "View")
        run.name_of[element.id] = name
        body: dict[str, Any] = {}
        if element.description:
            body["description"] = element.description
        body["key"] = key
        body["fields"] = fields
        run.field_types[element.id] = {key: kind, **fields}
        body["handler"] = "custom"
        body["on"] = [run.name_of[e.id] for e in taken]
        note = "write update(row, event) by hand: the board does not say how events change a row"
        out[run.key(name, "read model", element.id, (note,))] = body
    return out


def automations(run: _Import) -> dict[Key, dict[str, Any]]:
    out: dict[Key, dict[str, Any]] = {}
    for element in run.elements.values():
        if element.kind != "AUTOMATION":
            continue
        commands = [c for c in run.linked(element, "COMMAND", inbound=False) if c.id in run.name_of]
        events = run.linked(element, "EVENT", inbound=True)
        for view in run.linked(element, "READMODEL", inbound=True):
            events.extend(e for e in run.linked(view, "EVENT", inbound=True) if e not in events)
        events = _known_events(run, events)
        if not commands or not events:
            what = "command to send" if not commands else "event to start from"
            run.notes.append(f"automation {element.title!r}: no {what} on the board; skipped")
            continue
        name = run.claim(element.title, "automation", element.id, "Automation")
        run.name_of[element.id] = name
        body: dict[str, Any] = {}
        if element.description:
            body["description"] = element.description
        names = [run.name_of[e.id] for e in events]
        body["on"] = names[0] if len(names) == 1 else names
        body["handler"] = "custom"
        sends: list[dict[str, Any]] = [{run.name_of[c.id]: {}} for c in commands]
        body["send"] = sends[0] if len(sends) == 1 else sends
        note = "write send(event) by hand: the board does not say which values it sends"
        out[run.key(name, "automation", element.id, (note,))] = body
    return out


def scenarios(run: _Import, views: dict[Key, Any], policies: dict[Key, Any]) -> None:
    seen: set[str] = set()
    names: dict[str, set[str]] = {}
    for slice_ in run.board.slices:
        for spec in slice_.specifications:
            if spec.id in seen:
                continue
            seen.add(spec.id)
            _scenario(run, spec, views, policies, names)


def _name(spec: Specification, owner: str, names: dict[str, set[str]]) -> str:
    base = strip_prefix(spec.title) or "scenario"
    taken = names.setdefault(owner, set())
    name, number = base, 2
    while test_name(name) in taken:
        name = f"{base} {number}"
        number += 1
    taken.add(test_name(name))
    return name


def _scenario(
    run: _Import,
    spec: Specification,
    views: dict[Key, Any],
    policies: dict[Key, Any],
    names: dict[str, set[str]],
) -> None:
    run.shared = {}
    for step in (*spec.when, *spec.given, *spec.then):
        for name, value in step.values.items():
            if value not in (None, "") and field_name(name) not in run.shared:
                run.shared[field_name(name)] = value
    when = [s for s in spec.when if s.type == "SPEC_COMMAND"]
    if when:
        _command_scenario(run, spec, when[0], names)
        return
    view_steps = [s for s in spec.then if s.type == "SPEC_READMODEL"]
    if view_steps:
        _view_scenario(run, spec, view_steps, views, names)
        return
    commands = [s for s in spec.then if s.type == "SPEC_COMMAND"]
    if commands:
        _automation_scenario(run, spec, commands, policies, names)
        return
    run.notes.append(f"specification {spec.title!r}: neither a command nor a read model; skipped")


def _given(run: _Import, spec: Specification, owner: Any = None, ids: bool = True) -> list[Any]:
    given = []
    for step in spec.given:
        event = run.step_element(step, "EVENT") if step.type == "SPEC_EVENT" else None
        if event is None or event.id not in run.name_of:
            run.notes.append(f"specification {spec.title!r}: the given {step.title!r} skipped")
            continue
        if owner is not None and run.owner.get(event.id) is not owner:
            run.notes.append(
                f"specification {spec.title!r}: the given {step.title!r} is of another stream; "
                "skipped"
            )
            continue
        types = with_id(run, event) if ids else run.field_types[event.id]
        given.append({run.name_of[event.id]: run.record(step, types)})
    return given


def _command_scenario(
    run: _Import, spec: Specification, when: Step, names: dict[str, set[str]]
) -> None:
    command = run.step_element(when, "COMMAND")
    if command is None or command.id not in run.name_of:
        run.notes.append(f"specification {spec.title!r}: its command {when.title!r} is unknown")
        return
    aggregate = run.owner[command.id]
    scenario: dict[Key, Any] = {
        Key("name", ("scenario", spec.id)): _name(spec, aggregate.name, names)
    }
    given = _given(run, spec, aggregate, ids=False)
    if given:
        scenario[Key("given")] = given
    scenario[Key("when")] = {run.name_of[command.id]: run.record(when, run.field_types[command.id])}
    errors = [s for s in spec.then if s.type == "SPEC_ERROR"]
    if errors:
        scenario[Key("then")] = {"error": run.error(spec, errors[0], aggregate)}
    else:
        events = []
        for step in spec.then:
            event = run.step_element(step, "EVENT") if step.type == "SPEC_EVENT" else None
            if event is None or run.owner.get(event.id) is not aggregate:
                run.notes.append(f"specification {spec.title!r}: the then {step.title!r} skipped")
                continue
            events.append({run.name_of[event.id]: run.record(step, run.field_types[event.id])})
        scenario[Key("then")] = events
    aggregate.scenarios.append(scenario)


def _view_scenario(
    run: _Import,
    spec: Specification,
    steps: list[Step],
    views: dict[Key, Any],
    names: dict[str, set[str]],
) -> None:
    view = run.step_element(steps[0], "READMODEL")
    target = next(
        (k for k in views if view is not None and k.board == ("read-model", view.id)), None
    )
    if view is None or target is None:
        run.notes.append(f"specification {spec.title!r}: its read model {steps[0].title!r} skipped")
        return
    types = run.field_types[view.id]
    rows: list[dict[str, Any]] = []
    for step in steps:
        if step.expect_empty:
            continue
        examples = step.rows or (dict(step.values),)
        for row in examples:
            rows.append(run.record(Step(step.id, step.type, step.title, "", row), types))
    scenario: dict[Key, Any] = {Key("name", ("scenario", spec.id)): _name(spec, target, names)}
    scenario[Key("given")] = _given(run, spec)
    scenario[Key("then")] = rows
    views[target].setdefault("scenarios", []).append(scenario)


def _automation_scenario(
    run: _Import,
    spec: Specification,
    steps: list[Step],
    policies: dict[Key, Any],
    names: dict[str, set[str]],
) -> None:
    commands = [run.step_element(s, "COMMAND") for s in steps]
    sent = {run.name_of[c.id] for c in commands if c is not None and c.id in run.name_of}
    target = next((k for k, body in policies.items() if sent & set(_sends(body))), None)
    if target is None or len(sent) != len(steps):
        run.notes.append(f"specification {spec.title!r}: no automation sends its commands; skipped")
        return
    then = []
    for step, command in zip(steps, commands, strict=True):
        assert command is not None
        then.append({run.name_of[command.id]: run.record(step, with_id(run, command))})
    scenario: dict[Key, Any] = {Key("name", ("scenario", spec.id)): _name(spec, target, names)}
    scenario[Key("given")] = _given(run, spec)
    scenario[Key("then")] = then
    policies[target].setdefault("scenarios", []).append(scenario)


def _sends(body: dict[str, Any]) -> list[str]:
    send = body["send"]
    entries = send if isinstance(send, list) else [send]
    return [name for entry in entries for name in entry if name not in ("if", "for")]

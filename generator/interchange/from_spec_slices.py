"""The slices of an export (see from_spec.py): elements, their links, and the scenarios."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from generator.interchange.from_spec import Data, board_field_name, title

if TYPE_CHECKING:
    from generator.interchange.from_spec import _Export


def _emitted(entry: Any) -> str:
    if isinstance(entry, str):
        return entry
    return str(next(k for k in entry if k != "if"))


def _record(item: Any) -> tuple[str, Data]:
    name = next(iter(item))
    return str(name), item[name] or {}


def _text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None or isinstance(value, (dict, list)):
        return value if isinstance(value, dict) else ""
    return str(value)


def _slice(run: _Export, kind: str, name: str, slice_type: str, aggregate: str = "") -> Data:
    out: Data = {
        "id": run.id(f"slice-{kind}", name),
        "title": f"slice: {title(name)}",
        "sliceType": slice_type,
        "index": len(run.slices) + 1,
        "commands": [],
        "events": [],
        "readmodels": [],
        "screens": [],
        "processors": [],
        "tables": [],
        "specifications": [],
    }
    if run.data.get("domain"):
        out["context"] = str(run.data["domain"])
    if aggregate:
        out["aggregates"] = [aggregate]
    run.slices.append(out)
    return out


def _step(run: _Export, kind: str, element: Data, values: Data, index: int) -> Data:
    fields = []
    for f in element["fields"]:
        spec_name = next((k for k in values if board_field_name(k) == f["name"]), None)
        entry = {"name": f["name"], "type": f["type"]}
        if spec_name is not None:
            value = _text(values[spec_name])
            if value != "" and not isinstance(value, list):
                entry["example"] = value
        fields.append(entry)
    return {
        "id": f"{element['id']}#{index}",
        "title": element["title"],
        "type": kind,
        "linkedId": element["id"],
        "fields": fields,
        "index": index,
    }


def build(run: _Export) -> None:
    aggregates = run.data.get("aggregates") or {}
    external = run.data.get("external_events") or {}
    for aggregate, body in aggregates.items():
        id_spec = body.get("id") or f"{aggregate[:1].lower()}{aggregate[1:]}_id"
        if isinstance(id_spec, dict):
            id_field = (str(id_spec["name"]), str(id_spec.get("type", "uuid")))
        else:
            id_field = (str(id_spec), "uuid")
        for name, event in (body.get("events") or {}).items():
            element = run.element(
                "event", "EVENT", name, run.fields(event.get("fields"), id_field), event, aggregate
            )
            run.events[name] = element
            run.event_aggregate[name] = aggregate
        for name, command in (body.get("commands") or {}).items():
            element = run.element(
                "command",
                "COMMAND",
                name,
                run.fields(command.get("fields"), id_field),
                command,
                aggregate,
            )
            element["createsAggregate"] = command.get("creates") is True
            run.commands[name] = element
    for name, event in external.items():
        element = run.element(
            "external-event", "EVENT", name, run.fields(event.get("fields")), event, ""
        )
        element["context"] = "EXTERNAL"
        run.events[name] = element
    views = run.data.get("read_models") or {}
    for view_name, view in views.items():
        on = view.get("on") or {}
        for event in on if isinstance(on, (list, dict)) else [on]:
            if event in run.events:
                run.link(run.events[event], _view_element(run, view_name, view), inbound=False)
    emitted: set[str] = set()
    for aggregate, body in aggregates.items():
        for name, command in (body.get("commands") or {}).items():
            element = run.commands[name]
            piece = _slice(run, "command", name, "STATE_CHANGE", aggregate)
            piece["commands"].append(element)
            for entry in command.get("emits") or []:
                event = _emitted(entry)
                if event in run.events:
                    run.link(element, run.events[event], inbound=False)
                    run.link(run.events[event], element, inbound=True)
                    if event not in emitted:
                        piece["events"].append(run.events[event])
                        emitted.add(event)
            for scenario in body.get("scenarios") or []:
                when = scenario.get("when") or {}
                if name in when:
                    piece["specifications"].append(_command_spec(run, scenario, name, body))
    for name, event in run.events.items():
        if name not in emitted:
            piece = _slice(run, "event", name, "STATE_CHANGE", run.event_aggregate.get(name, ""))
            piece["events"].append(event)
    for view_name, view in views.items():
        piece = _slice(run, "read-model", view_name, "STATE_VIEW")
        element = _view_element(run, view_name, view)
        piece["readmodels"].append(element)
        for link in element["dependencies"]:
            event = next((e for e in run.events.values() if e["id"] == link["id"]), None)
            if event is not None:
                piece["events"].append(copy.deepcopy(event))
        for scenario in view.get("scenarios") or []:
            piece["specifications"].append(_view_spec(run, scenario, element))
    for name, automation in (run.data.get("automations") or {}).items():
        _automation(run, name, automation)


def _view_element(run: _Export, name: str, view: Data) -> Data:
    cached = getattr(run, "_views", None)
    if cached is None:
        cached = {}
        run._views = cached  # type: ignore[attr-defined]
    if name in cached:
        return cached[name]  # type: ignore[no-any-return]
    keys = view.get("key") or []
    keys = [keys] if isinstance(keys, str) else list(keys)
    key_fields = []
    on = view.get("on") or {}
    events = [e for e in (on if isinstance(on, (list, dict)) else [on]) if e in run.events]
    for key in keys:
        kind = "uuid"
        for event in events:
            match = next(
                (f for f in run.events[event]["fields"] if f["name"] == board_field_name(key)), None
            )
            if match is not None:
                key_fields.append({**match, "idAttribute": True})
                break
        else:
            key_fields.append({**run.field(key, kind), "idAttribute": True})
    element = run.element(
        "read-model", "READMODEL", name, key_fields + run.fields(view.get("fields")), view, ""
    )
    for event in events:
        run.link(element, run.events[event], inbound=True)
    cached[name] = element
    return element


def _command_spec(run: _Export, scenario: Data, command: str, body: Data) -> Data:
    given = _given_events(run, scenario)
    when_values = scenario["when"][command] or {}
    when = [_step(run, "SPEC_COMMAND", run.commands[command], when_values, 0)]
    then_data = scenario.get("then")
    then: list[Data] = []
    if isinstance(then_data, dict) and "error" in then_data:
        error = str(then_data["error"])
        message = str((body.get("errors") or {}).get(error, ""))
        text = message.rstrip(".")
        step_title = text or title(error)
        then.append(
            {"id": run.id("error", error), "title": step_title, "type": "SPEC_ERROR", "index": 0}
        )
    else:
        events = then_data.get("events", []) if isinstance(then_data, dict) else then_data
        for n, item in enumerate(events or []):
            name, values = _record(item)
            if name in run.events:
                then.append(_step(run, "SPEC_EVENT", run.events[name], values, n))
    return _specification(run, scenario, (given, when, then), run.commands[command])


def _specification(
    run: _Export, scenario: Data, steps: tuple[list[Data], list[Data], list[Data]], linked: Data
) -> Data:
    """A board specification: the scenario's given, when and then steps, linked to `linked`."""
    given, when, then = steps
    return {
        "id": run.id("scenario", str(scenario["name"])),
        "title": f"spec: {scenario['name']}",
        "given": given,
        "when": when,
        "then": then,
        "linkedId": linked["id"],
    }


def _given_events(run: _Export, scenario: Data) -> list[Data]:
    """The scenario's given events the board knows, as SPEC_EVENT steps."""
    return [
        _step(run, "SPEC_EVENT", run.events[name], values, n)
        for n, (name, values) in enumerate(_record(i) for i in scenario.get("given") or [])
        if name in run.events
    ]


def _view_spec(run: _Export, scenario: Data, element: Data) -> Data:
    given = _given_events(run, scenario)
    rows = scenario.get("then") or []
    then = [_step(run, "SPEC_READMODEL", element, row, n) for n, row in enumerate(rows)]
    if not rows:
        then = [{**_step(run, "SPEC_READMODEL", element, {}, 0), "expectEmptyList": True}]
    return _specification(run, scenario, (given, [], then), element)


def _automation(run: _Export, name: str, automation: Data) -> None:
    piece = _slice(run, "automation", name, "AUTOMATION")
    element = run.element("automation", "AUTOMATION", name, [], automation, "")
    on = automation.get("on")
    events = on if isinstance(on, list) else [on] if isinstance(on, str) else []
    for event in events:
        if event in run.events:
            run.link(element, run.events[event], inbound=True)
            piece["events"].append(copy.deepcopy(run.events[event]))
    send = automation.get("send") or {}
    entries = send if isinstance(send, list) else [send]
    for entry in entries:
        for command in entry:
            if command in run.commands:
                run.link(element, run.commands[command], inbound=False)
                run.link(run.commands[command], element, inbound=True)
                piece["commands"].append(copy.deepcopy(run.commands[command]))
    piece["processors"].append(element)
    for scenario in automation.get("scenarios") or []:
        given = _given_events(run, scenario)
        then = [
            _step(run, "SPEC_COMMAND", run.commands[c], values, n)
            for n, (c, values) in enumerate(_record(i) for i in scenario.get("then") or [])
            if c in run.commands
        ]
        piece["specifications"].append(_specification(run, scenario, (given, [], then), element))

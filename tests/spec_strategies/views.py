"""Read models and automations of drawn specs, with scenarios over several streams and events.

A read-model scenario gives events of up to three streams, interleaved, with deletes, rows made
again after a delete, and events the read model does not handle; its rows come in the order the
generated `fold` keeps (the order keys were first handled). An automation scenario gives several
events, some of the kind it listens to and some not; it sends one command per matching event.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from spec_strategies.aggregates import AggregateDef, EventDef, draw_values, new_field, written
from spec_strategies.expressions import Assigned, assignment
from spec_strategies.names import TEXT, VALUE_TEXT, Names
from spec_strategies.values import Domain, FieldDef


def _stream(draw: Any, a: AggregateDef) -> Any:
    return draw(st.uuids()) if a.id_type.kind == "uuid" else draw(VALUE_TEXT)


def _given_event(
    draw: Any, a: AggregateDef, event: EventDef, stream: Any, domain: Domain
) -> tuple[dict[str, Any], dict[str, Any]]:
    """An event of `stream` with every field given: its values, and how the spec writes it."""
    values, _ = draw_values(draw, event.fields, domain, every=True)
    values[a.id_name] = stream
    return values, {event.name: written([FieldDef(a.id_name, a.id_type), *event.fields], values)}


def _others(
    aggregates: list[AggregateDef], handled: set[str]
) -> list[tuple[AggregateDef, EventDef]]:
    return [(a, e) for a in aggregates for e in a.events.values() if e.name not in handled]


# -- read models ----------------------------------------------------------------------------------


def read_models(
    draw: Any, names: Names, domain: Domain, aggregates: list[AggregateDef]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for _ in range(domain.some(draw)):
        a = draw(st.sampled_from(aggregates))
        name = names.pascal_name(module_of=names.read_models)
        names.blocked.add(f"{name}Row")
        taken = {a.id_name}
        fields = [
            new_field(draw, names, taken, domain, defaults=False)
            for _ in range(draw(st.integers(1, 3)))
        ]
        row_refs = {f.name: f.type for f in fields} | {a.id_name: a.id_type}
        handled = draw(
            st.lists(
                st.sampled_from(list(a.events.values())),
                min_size=2,
                max_size=3,
                unique_by=lambda e: e.name,
            )
        )
        on: dict[str, Any] = {}
        rules: dict[str, dict[str, Assigned] | None] = {}
        for event in handled:
            if len(handled) > 1 and event is handled[-1] and draw(st.integers(0, 2)) > 0:
                on[event.name], rules[event.name] = "delete", None
                continue
            event_refs = {f.name: f.type for f in event.fields} | {a.id_name: a.id_type}
            refs = {"event": event_refs, "row": row_refs}
            targets = draw(
                st.lists(st.sampled_from(fields), max_size=3, unique_by=lambda f: f.name)
            )
            sets = {f.name: assignment(draw, f.type, refs, domain) for f in targets}
            on[event.name] = {"set": {k: v for k, (v, _) in sets.items()}}
            rules[event.name] = sets
        spec: dict[str, Any] = {
            "key": a.id_name,
            "fields": {f.name: f.spec() for f in fields},
            "on": on,
        }
        if draw(st.booleans()):
            spec["description"] = draw(TEXT)
        others = _others(aggregates, set(rules))
        scenarios = [
            _view_scenario(draw, a, domain, (fields, handled, rules, others), index)
            for index in range(domain.scenarios(draw))
        ]
        if scenarios:
            spec["scenarios"] = scenarios
        out[name] = spec
    return out


def _view_scenario(
    draw: Any,
    a: AggregateDef,
    domain: Domain,
    model: tuple[
        list[FieldDef],
        list[EventDef],
        dict[str, dict[str, Assigned] | None],
        list[tuple[AggregateDef, EventDef]],
    ],
    index: int,
) -> dict[str, Any]:
    fields, handled, rules, others = model
    rows: dict[str, dict[str, Any] | None] = {}  # by str(key), in the order fold() keeps them
    given = []
    for event, stream in _plan(draw, a, handled, rules):
        if others and draw(st.integers(0, 4)) == 0:  # an event the read model does not handle
            owner, other = draw(st.sampled_from(others))
            given.append(_given_event(draw, owner, other, _stream(draw, owner), domain)[1])
            domain.features.add("rm:unhandled-event")
        values, spec = _given_event(draw, a, event, stream, domain)
        given.append(spec)
        key = str(stream)
        sets = rules[event.name]
        if sets is None:
            if rows.get(key) is not None:
                domain.features.add("rm:delete")
            rows[key] = None
            continue
        if key in rows and rows[key] is None:
            domain.features.add("rm:row-made-again")
        current = rows.get(key) or {f.name: f.start(domain) for f in fields} | {a.id_name: stream}
        row = dict(current)
        for target, (_, compute) in sets.items():
            row[target] = compute(event=values, row=current)
        rows[key] = row
    row_fields = [FieldDef(a.id_name, a.id_type), *fields]
    then = [written(row_fields, row) for row in rows.values() if row is not None]
    if len(then) > 1:
        domain.features.add("rm:several-rows")
    return {"name": f"view {index + 1} {draw(TEXT)}", "given": given, "then": then}


def _plan(
    draw: Any, a: AggregateDef, handled: list[EventDef], rules: dict[str, Any]
) -> list[tuple[EventDef, Any]]:
    """Which handled events come, on which streams: rows on several streams, or a row deleted
    (and perhaps made again), or events at random."""
    streams = [_stream(draw, a) for _ in range(3)]
    if len({str(s) for s in streams}) < len(streams):
        streams = streams[:1]
    setting = [e for e in handled if rules[e.name] is not None]
    deleting = [e for e in handled if rules[e.name] is None]
    shape = draw(st.sampled_from(["rows", "delete", "delete", "random"]))
    if shape == "delete" and deleting and setting:
        first, other = streams[0], streams[-1]
        plan = [(draw(st.sampled_from(setting)), first), (draw(st.sampled_from(setting)), other)]
        plan.append((draw(st.sampled_from(deleting)), first))
        if draw(st.integers(0, 2)) > 0:  # and made again
            plan.append((draw(st.sampled_from(setting)), first))
        return plan
    if shape == "rows":
        chosen = streams[: draw(st.integers(2, 3))]
        return [
            (draw(st.sampled_from(handled)), s) for s in [*chosen, draw(st.sampled_from(chosen))]
        ]
    return [
        (draw(st.sampled_from(handled)), draw(st.sampled_from(streams)))
        for _ in range(draw(st.integers(1, 4)))
    ]


# -- automations ----------------------------------------------------------------------------------


def automations(
    draw: Any, names: Names, domain: Domain, aggregates: list[AggregateDef]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    # No automation may be set off, directly or through another, by the events it causes: such a
    # cascade never ends (the generated automation test would wait for it forever).
    triggers: set[str] = set()
    caused: set[str] = set()
    for _ in range(domain.some(draw)):
        source = draw(st.sampled_from(aggregates))
        event = draw(st.sampled_from(list(source.events.values())))
        target = draw(st.sampled_from(aggregates))
        command = draw(st.sampled_from(list(target.commands.values())))
        emitted = {e for e, _ in command.emits}
        if emitted & (triggers | {event.name}) or event.name in caused | emitted:
            continue
        triggers.add(event.name)
        caused |= emitted
        name = names.pascal_name(module_of=names.automations)
        event_refs = {f.name: f.type for f in event.fields} | {source.id_name: source.id_type}
        targets = list(command.fields)
        if not command.creates:
            targets = [FieldDef(target.id_name, target.id_type), *targets]
        # Another aggregate's stream id is not a stream of the target aggregate (the runtime
        # does not handle that yet: it loads the other aggregate's events with the wrong decider).
        others = {k: v for k, v in event_refs.items() if k != source.id_name}
        send = {
            f.name: assignment(
                draw,
                f.type,
                {
                    "event": others
                    if f.name == target.id_name and target is not source
                    else event_refs
                },
                domain,
                clock=True,
            )
            for f in targets
            if f.required or draw(st.booleans())
        }
        spec: dict[str, Any] = {
            "on": event.name,
            "send": {command.name: {k: v for k, (v, _) in send.items()}},
        }
        if draw(st.booleans()):
            spec["description"] = draw(TEXT)
        # A custom command's decide() is not written yet: running it (as the store test does)
        # fails, as it must.
        if not command.custom:
            policy = (source, event, command.name, send, targets)
            spec["scenarios"] = [
                _policy_scenario(draw, domain, policy, _others(aggregates, {event.name}), index)
                for index in range(domain.scenarios(draw))
            ]
        out[name] = spec
    return out


def _policy_scenario(
    draw: Any,
    domain: Domain,
    policy: tuple[AggregateDef, EventDef, str, dict[str, Assigned], list[FieldDef]],
    others: list[tuple[AggregateDef, EventDef]],
    index: int,
) -> dict[str, Any]:
    source, event, command, send, targets = policy
    given, then = [], []
    matching = 0
    for _ in range(draw(st.integers(2, 3))):
        if others and draw(st.integers(0, 3)) == 0:  # an event the automation does not listen to
            owner, other = draw(st.sampled_from(others))
            given.append(_given_event(draw, owner, other, _stream(draw, owner), domain)[1])
            domain.features.add("auto:other-event")
            continue
        values, spec = _given_event(draw, source, event, _stream(draw, source), domain)
        given.append(spec)
        matching += 1
        sent = {k: compute(event=values) for k, (_, compute) in send.items()}
        then.append({command: written([f for f in targets if f.name in sent], sent)})
    if matching > 1:
        domain.features.add("auto:several-events")
    return {"name": f"policy {index + 1} {draw(TEXT)}", "given": given, "then": then}

"""What a box says when it is clicked (its fields and facts) and the scenario cards under a
slice, from the intermediate model."""

from __future__ import annotations

from collections.abc import Iterable

from generator.drawing.shapes import Card, Detail
from generator.drawing.values import assignments, record
from generator.spec import model as m


def fields(items: Iterable[m.Field]) -> tuple[Detail, ...]:
    return tuple(Detail(label=f.name, text=f.type.spec) for f in items)


def with_id(aggregate: str, items: tuple[m.Field, ...], spec: m.Spec) -> tuple[Detail, ...]:
    """A command's or event's fields after its aggregate's id field (the model leaves it out)."""
    owner = next((a for a in spec.aggregates if a.name == aggregate), None)
    return fields((owner.id_field, *items) if owner else items)


def details(item: object, spec: m.Spec) -> tuple[str, tuple[Detail, ...], tuple[Detail, ...]]:
    """An element's description, its fields, and the facts the spec states about it."""
    if isinstance(item, m.Command):
        facts = [Detail(label="aggregate", text=item.aggregate)]
        if item.creates or item.if_missing:
            facts.append(Detail(label="creates", text="if missing" if item.if_missing else "yes"))
        facts += [
            Detail(
                label="rejects",
                text=f"if {g.source}: {g.error or 'emits ' + ', '.join(e.event for e in g.emits)}",
            )
            for g in item.guards
        ]
        facts += [
            Detail(label="emits", text=e.event + (f" if {e.source}" if e.source else ""))
            for e in item.emits
        ]
        facts += [Detail(label="reads", text=f"{r.name}: {r.source}") for r in item.reads]
        if item.custom:
            facts.append(Detail(label="handler", text="custom"))
        return item.description, with_id(item.aggregate, item.fields, spec), tuple(facts)
    if isinstance(item, m.Event):
        facts = [
            Detail(
                label="aggregate" if item.aggregate else "source", text=item.aggregate or "external"
            )
        ]
        if item.version > 1:
            facts.append(Detail(label="version", text=str(item.version)))
        return item.description, with_id(item.aggregate, item.fields, spec), tuple(facts)
    if isinstance(item, m.ReadModel):
        facts = [Detail(label="key", text=", ".join(item.key_names))]
        facts += [
            Detail(label="on", text=u.event + (" (delete)" if u.delete else ""))
            for u in item.updates
        ]
        if item.custom:
            facts.append(Detail(label="handler", text="custom"))
        return item.description, fields(item.row_fields), tuple(facts)
    assert isinstance(item, m.Automation)
    facts = [
        Detail(label="on", text=(f"{e.rejected} rejected" if e.rejected else e.name))
        for e in item.listens
    ]
    if item.source:
        facts.append(Detail(label="if", text=item.source))
    facts += [
        Detail(label="sends", text=s.command + (f" if {s.source}" if s.source else ""))
        for s in item.sends
    ]
    if item.custom:
        facts.append(Detail(label="handler", text="custom"))
    return item.description, (), tuple(facts)


def command_cards(aggregate: m.Aggregate, command: m.Command) -> tuple[Card, ...]:
    cards = []
    for s in aggregate.scenarios_for(command.name):
        then: tuple[str, ...]
        if s.then_error is not None:
            then, label = (s.then_error,), "then error"
        else:
            then, label = tuple(record(e, s.ids) for e in s.then_events or ()), "then"
            if s.then_state:
                then += (f"state: {assignments(s.then_state, s.ids)}",)
        cards.append(
            Card(
                name=s.name,
                description=s.description,
                given=tuple(record(g, s.ids) for g in s.given)
                + tuple(record(g, s.ids) for e in s.elsewhere for g in e.events),
                when=record(s.when, s.ids),
                then=then or ("no events",),
                then_label=label,
            )
        )
    return tuple(cards)


def view_cards(scenarios: tuple[m.ViewScenario, ...], label: str, empty: str) -> tuple[Card, ...]:
    return tuple(
        Card(
            name=s.name,
            description=s.description,
            given=tuple(record(g, s.ids) for g in s.given),
            when="",
            then=tuple(record(t, s.ids) for t in s.then) or (empty,),
            then_label=label,
        )
        for s in scenarios
    )

"""The mutants of an aggregate's rules: each command's `rejects` and `emits`, each event's
`apply`. Rules copied by name (an event field into the state field of that name, a command field
into the event field) are not written in the spec, so they are not mutated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from generator.mutants import suggest
from generator.mutants.locate import raw, written
from generator.mutants.mutant import Mutant, Replacement, Source, Unit, drop, fields_of, put
from generator.mutants.operators import expression_mutants
from generator.mutants.reads import read_mutants
from generator.mutants.values import Site, value_mutants
from generator.spec import model as m
from generator.spec.load import PathKey


def command_mutants(source: Source, aggregate: m.Aggregate, command: m.Command) -> Iterator[Mutant]:
    names = {
        "command": fields_of(command.fields, aggregate.id_field),
        "state": fields_of(aggregate.state_fields),
    }
    types = suggest.Types(names, source.records)
    for index in range(len(command.reads)):
        yield from read_mutants(source, aggregate, command, index, types)
    for index in range(len(command.guards)):
        yield from _guard(aggregate, command, index, types)
        for position in range(len(command.guards[index].emits)):
            yield from _recorded_values(source, aggregate, command, index, position, types)
    if not command.custom:  # a hand-written decide() emits, not the spec's `emits`
        for index in range(len(command.emits)):
            yield from _emit(aggregate, command, index, types)
            yield from _emitted_values(source, aggregate, command, index, types)


def _where(aggregate: m.Aggregate, command: m.Command) -> PathKey:
    return ("aggregates", aggregate.name, "commands", command.name)


def _guard(
    aggregate: m.Aggregate, command: m.Command, index: int, types: suggest.Types
) -> Iterator[Mutant]:
    guard = command.guards[index]
    slices, unit = (aggregate.name, command.name), Unit("command", command.name)
    recorded = ", ".join(e.event for e in guard.emits)
    rule = f"if {guard.source}: " + (f"emits {recorded}" if recorded else guard.error)
    expecting = recorded or guard.error
    last = index == len(command.guards) - 1
    info = suggest.Guard(
        command.name,
        guard.error,
        guard.source,
        last=last,
        held=f"records {recorded}" if recorded else "",
    )
    where = (*_where(aggregate, command), "rejects", index)
    for code in expression_mutants(guard.condition):
        changed = put(command.guards, index, replace(guard, condition=code.code))
        yield Mutant(
            code.operator,
            (*where, "if"),
            slices,
            rule,
            f"`{code.before}` became `{code.after}`",
            suggest.for_guard(code, info, types),
            unit,
            replace(command, guards=changed),
        )
    yield Mutant(
        "M201",
        where,
        slices,
        rule,
        "the rule was dropped",
        f"add a scenario of {command.name} where `{guard.source}` holds, expecting {expecting}",
        unit,
        replace(command, guards=drop(command.guards, index)),
    )


def _emit(
    aggregate: m.Aggregate, command: m.Command, index: int, types: suggest.Types
) -> Iterator[Mutant]:
    """The event dropped, and swapped with the next one (when they differ); its `if:` changed,
    and dropped."""
    emits, emit = command.emits, command.emits[index]
    slices, unit = (aggregate.name, command.name), Unit("command", command.name)
    where = (*_where(aggregate, command), "emits", index)
    if emit.condition is not None:
        yield from _emit_condition(command, index, where, slices, types)
    yield Mutant(
        "M202",
        where,
        slices,
        f"emits {emit.event}",
        f"{emit.event} is no longer emitted",
        f"add a scenario of {command.name} that is accepted and expects {emit.event}",
        unit,
        replace(command, emits=drop(emits, index)),
    )
    if index + 1 < len(emits) and emits[index + 1] != emit:
        after = emits[index + 1]
        yield Mutant(
            "M203",
            where,
            slices,
            f"emits {emit.event}, then {after.event}",
            f"{emit.event} and {after.event} swapped",
            f"add a scenario of {command.name} that expects {emit.event}, then {after.event}, "
            "in that order",
            unit,
            replace(command, emits=(*emits[:index], after, emit, *emits[index + 2 :])),
        )


def _emitted_values(
    source: Source, aggregate: m.Aggregate, command: m.Command, index: int, types: suggest.Types
) -> Iterator[Mutant]:
    """The fields the spec maps explicitly (`- Event: {field: value}`)."""
    emit = command.emits[index]
    where = (*_where(aggregate, command), "emits", index)
    item = raw(source.loaded, *where)
    mapping = _mapping(item)
    event = next(e for e in aggregate.events if e.name == emit.event)
    for target, value in (mapping or {}).items():
        position = next((i for i, v in enumerate(emit.values) if v.target == target), None)
        if position is None:
            continue
        site = Site(
            path=(*where, emit.event, target),
            slices=(aggregate.name, command.name),
            rule=f"{emit.event}.{target}: {written(value)}",
            unit=Unit("command", command.name),
            target=next(f.type for f in event.fields if f.name == target),
            types=types,
            observed=f"of {command.name} whose then lists {emit.event} with its {target}",
            rebuild=_emit_rebuild(command, index, position),
        )
        yield from value_mutants(site, emit.values[position].code, source.spec)


def _mapping(item: object) -> dict[str, object] | None:
    """An `emits` entry's field values as written (None for a bare event name)."""
    if not isinstance(item, dict):
        return None
    found = next((v for k, v in item.items() if k != "if"), None)
    return found if isinstance(found, dict) else None


def _emit_condition(
    command: m.Command, index: int, where: PathKey, slices: tuple[str, str], types: suggest.Types
) -> Iterator[Mutant]:
    """An `emits` entry's `if:`: its expression's operators, and the `if:` dropped."""
    emit = command.emits[index]
    assert emit.condition is not None
    unit = Unit("command", command.name)
    rule = f"emits {emit.event} if {emit.source}"
    info = suggest.Guard(
        command.name,
        "",
        emit.source,
        last=True,
        held=f"emitting {emit.event}",
        failed=f"without {emit.event}",
    )

    def rebuilt(condition: str | None) -> m.Command:
        changed = replace(emit, condition=condition)
        return replace(command, emits=put(command.emits, index, changed))

    for code in expression_mutants(emit.condition):
        yield Mutant(
            code.operator,
            (*where, "if"),
            slices,
            rule,
            f"`{code.before}` became `{code.after}`",
            suggest.for_guard(code, info, types),
            unit,
            rebuilt(code.code),
        )
    yield Mutant(
        "M208",
        (*where, "if"),
        slices,
        rule,
        f"the `if:` was dropped: {emit.event} is always emitted",
        f"add a scenario of {command.name} where `{emit.source}` does not hold, whose then "
        f"lists the events without {emit.event}",
        unit,
        rebuilt(None),
    )


def _recorded_values(
    source: Source,
    aggregate: m.Aggregate,
    command: m.Command,
    index: int,
    position: int,
    types: suggest.Types,
) -> Iterator[Mutant]:
    """The fields a recording rule maps explicitly (`emits: [Event: {field: value}]`)."""
    guard = command.guards[index]
    emit = guard.emits[position]
    where = (*_where(aggregate, command), "rejects", index, "emits", position)
    event = next(e for e in aggregate.events if e.name == emit.event)
    for target, value in (_mapping(raw(source.loaded, *where)) or {}).items():
        slot = next((i for i, v in enumerate(emit.values) if v.target == target), None)
        if slot is None:
            continue

        def rebuild(code: str, slot: int = slot) -> Replacement:
            values = put(emit.values, slot, replace(emit.values[slot], code=code))
            emits = put(guard.emits, position, replace(emit, values=values))
            return replace(command, guards=put(command.guards, index, replace(guard, emits=emits)))

        site = Site(
            path=(*where, emit.event, target),
            slices=(aggregate.name, command.name),
            rule=f"{emit.event}.{target}: {written(value)}",
            unit=Unit("command", command.name),
            target=next(f.type for f in event.fields if f.name == target),
            types=types,
            observed=f"of {command.name} where `{guard.source}` holds, whose then lists "
            f"{emit.event} with its {target}",
            rebuild=rebuild,
        )
        yield from value_mutants(site, emit.values[slot].code, source.spec)


def _emit_rebuild(command: m.Command, index: int, position: int) -> Callable[[str], Replacement]:
    emit = command.emits[index]

    def rebuild(code: str) -> Replacement:
        values = put(emit.values, position, replace(emit.values[position], code=code))
        return replace(command, emits=put(command.emits, index, replace(emit, values=values)))

    return rebuild


def apply_mutants(source: Source, aggregate: m.Aggregate) -> Iterator[Mutant]:
    """Each `apply:` assignment dropped, and its value mutated."""
    state = fields_of(aggregate.state_fields)
    for index, event in enumerate(aggregate.events):
        where: PathKey = ("aggregates", aggregate.name, "events", event.name, "apply")
        applied = raw(source.loaded, *where) or {}
        emitted_by = [
            c.name for c in aggregate.commands if any(e.event == event.name for e in c.emits)
        ]
        scenario = f"of {emitted_by[0]} (or one given {event.name})" if emitted_by else ""
        event_fields = fields_of(event.fields, aggregate.id_field)
        types = suggest.Types({"state": state, "event": event_fields}, source.records)
        for position, update in enumerate(event.updates):
            if update.target not in applied:
                continue  # copied by name, not a written rule
            site = Site(
                path=(*where, update.target),
                slices=(aggregate.name, event.name, *emitted_by),
                rule=f"{event.name} apply {update.target}: {written(applied[update.target])}",
                unit=Unit("evolve", aggregate.name),
                target=state[update.attribute],
                types=types,
                observed=(scenario or f"given {event.name}")
                + f" whose then.state checks {update.target}",
                rebuild=_apply_rebuild(aggregate, index, position),
            )
            yield Mutant(
                "M206",
                site.path,
                site.slices,
                site.rule,
                f"the assignment of {update.target} was dropped",
                f"add a scenario {site.observed}",
                site.unit,
                _with_updates(aggregate, index, drop(event.updates, position)),
            )
            yield from value_mutants(site, update.code, source.spec)


def _apply_rebuild(
    aggregate: m.Aggregate, index: int, position: int
) -> Callable[[str], Replacement]:
    updates = aggregate.events[index].updates

    def rebuild(code: str) -> Replacement:
        changed = put(updates, position, replace(updates[position], code=code))
        return _with_updates(aggregate, index, changed)

    return rebuild


def _with_updates(
    aggregate: m.Aggregate, index: int, updates: tuple[m.Assignment, ...]
) -> m.Aggregate:
    event = replace(aggregate.events[index], updates=updates)
    return replace(aggregate, events=put(aggregate.events, index, event))

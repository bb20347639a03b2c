"""The mutants of read models (`on:` each event: a `set` or a `delete`) and of automations (the
command they `send`: its stream id and each field)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from generator.build.render import zero
from generator.mutants import suggest
from generator.mutants.locate import raw, written
from generator.mutants.mutant import Mutant, Replacement, Source, Unit, drop, fields_of, put
from generator.mutants.operators import expression_mutants
from generator.mutants.values import Site, value_mutants
from generator.spec import model as m
from generator.spec.load import PathKey
from generator.spec.types import TypeRef


def read_model_mutants(source: Source, read_model: m.ReadModel) -> Iterator[Mutant]:
    for index, update in enumerate(read_model.updates):
        if update.condition:
            yield from _row_condition(source, read_model, index)
        if update.delete_where:
            yield Mutant(
                "M207",
                ("read_models", read_model.name, "on", update.event),
                (read_model.name,),
                f"on {update.event}: delete_where",
                "the delete_where deletes no row",
                f"add a scenario of {read_model.name} given {update.event} after rows it "
                "deletes exist, whose then lacks them",
                Unit("read_model", read_model.name),
                _with_update(read_model, index, replace(update, condition="False")),
            )
            continue
        if update.delete:
            yield Mutant(
                "M207",
                ("read_models", read_model.name, "on", update.event),
                (read_model.name,),
                f"on {update.event}: delete",
                "the delete keeps the row",
                f"add a scenario of {read_model.name} given {update.event} after the row "
                f"exists, whose then has no row for that {', '.join(read_model.key_names)}",
                Unit("read_model", read_model.name),
                _with_update(read_model, index, replace(update, delete=False, sets=())),
            )
        else:
            for position in range(len(update.sets)):
                yield from _row_set(source, read_model, index, position)


def _row_condition(source: Source, read_model: m.ReadModel, index: int) -> Iterator[Mutant]:
    """A handler's `if:`: its expression's operators, and the `if:` dropped."""
    update = read_model.updates[index]
    where: PathKey = ("read_models", read_model.name, "on", update.event, "if")
    text = written(raw(source.loaded, *where))
    event, owner = source.event(update.event)
    types = suggest.Types({"event": fields_of(event.fields, owner.id_field)}, source.records)
    info = suggest.Guard(
        read_model.name,
        "",
        text,
        last=True,
        held=f"rows as {update.event} makes them",
        failed="the rows unchanged",
    )
    unit = Unit("read_model", read_model.name)
    rule = f"on {update.event} if {text}"
    for code in expression_mutants(update.condition):
        yield Mutant(
            code.operator,
            where,
            (read_model.name,),
            rule,
            f"`{code.before}` became `{code.after}`",
            suggest.for_guard(code, info, types),
            unit,
            _with_update(read_model, index, replace(update, condition=code.code)),
        )
    yield Mutant(
        "M209",
        where,
        (read_model.name,),
        rule,
        f"the `if:` was dropped: every {update.event} is handled",
        f"add a scenario of {read_model.name} given {update.event} where `{text}` does not "
        "hold, whose then shows the rows unchanged",
        unit,
        _with_update(read_model, index, replace(update, condition="")),
    )


def _row_set(
    source: Source, read_model: m.ReadModel, index: int, position: int
) -> Iterator[Mutant]:
    update = read_model.updates[index]
    assignment = update.sets[position]
    where: PathKey = ("read_models", read_model.name, "on", update.event, "set")
    event, owner = source.event(update.event)
    row = fields_of(read_model.fields, *read_model.keys)
    names = {"event": fields_of(event.fields, owner.id_field), "row": row}
    field = next(f for f in read_model.fields if f.name == assignment.target)
    value = (raw(source.loaded, *where) or {}).get(assignment.target)
    site = Site(
        path=(*where, assignment.target),
        slices=(read_model.name,),
        rule=f"on {update.event} set {assignment.target}: {written(value)}",
        unit=Unit("read_model", read_model.name),
        target=field.type,
        types=suggest.Types(names, source.records),
        observed=f"of {read_model.name} given {update.event} whose then rows name {field.name}",
        rebuild=_set_rebuild(read_model, index, position),
    )
    default = (
        field.default_code if field.default_code is not None else zero(field.type, source.spec)
    )
    # A new row starts from the defaults: dropping a set of the default value changes only a
    # row that exists already, which the event that creates the row never meets. Changing the
    # value (M205) still pins that it is written.
    if assignment.code != default:
        yield Mutant(
            "M206",
            site.path,
            site.slices,
            site.rule,
            f"the assignment of {assignment.target} was dropped",
            f"add a scenario {site.observed}",
            site.unit,
            _with_update(read_model, index, replace(update, sets=drop(update.sets, position))),
        )
    yield from value_mutants(site, assignment.code, source.spec)


def _set_rebuild(
    read_model: m.ReadModel, index: int, position: int
) -> Callable[[str], Replacement]:
    update = read_model.updates[index]

    def rebuild(code: str) -> Replacement:
        sets = put(update.sets, position, replace(update.sets[position], code=code))
        return _with_update(read_model, index, replace(update, sets=sets))

    return rebuild


def _with_update(read_model: m.ReadModel, index: int, update: m.RowUpdate) -> m.ReadModel:
    return replace(read_model, updates=put(read_model.updates, index, update))


def automation_mutants(source: Source, automation: m.Automation) -> Iterator[Mutant]:
    """The values each `send:` entry writes (its fields' codes)."""
    event_types: dict[str, TypeRef] = {}
    first = automation.listens[0]
    if len(automation.listens) == 1 and not first.rejected and first.module.endswith(".events"):
        event, owner = source.event(first.name)
        event_types = fields_of(event.fields, owner.id_field)
    types = suggest.Types({"event": event_types}, source.records)
    raw_send = raw(source.loaded, "automations", automation.name, "send")
    on = ", ".join(automation.events)
    for index, send in enumerate(automation.sends):
        receiver = next(
            a for a in source.spec.aggregates if any(c.name == send.command for c in a.commands)
        )
        targets = fields_of(receiver.command(send.command).fields, receiver.id_field)
        where: PathKey = ("automations", automation.name, "send")
        where = (
            (*where, send.command) if isinstance(raw_send, dict) else (*where, index, send.command)
        )
        sent = raw(source.loaded, *where) or {}
        for position, value in enumerate(send.values):
            site = Site(
                path=(*where, value.target),
                slices=(automation.name,),
                rule=f"send {send.command}.{value.target}: {written(sent.get(value.target))}",
                unit=Unit("automation", automation.name),
                target=targets[value.attribute],
                types=types,
                observed=(
                    f"of {automation.name} given {on} whose then names "
                    f"{send.command}.{value.target}"
                ),
                rebuild=_send_rebuild(automation, index, position),
            )
            yield from value_mutants(site, value.code, source.spec)


def _send_rebuild(
    automation: m.Automation, index: int, position: int
) -> Callable[[str], Replacement]:
    def rebuild(code: str) -> Replacement:
        send = automation.sends[index]
        values = put(send.values, position, replace(send.values[position], code=code))
        return replace(automation, sends=put(automation.sends, index, replace(send, values=values)))

    return rebuild

"""The mutants of a command's `reads:`: the key, the equal fields or the id it looks up by.

The generated scenario test runs the command's own read() on what the scenario's `reads:` give,
so a scenario pins a lookup when it gives a row or state that only the right lookup finds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from generator.mutants import suggest
from generator.mutants.locate import raw, written
from generator.mutants.mutant import Mutant, Replacement, Source, Unit, put
from generator.mutants.values import Site, value_mutants
from generator.spec import model as m
from generator.spec.load import PathKey
from generator.spec.types import TypeRef


def read_mutants(
    source: Source,
    aggregate: m.Aggregate,
    command: m.Command,
    index: int,
    types: suggest.Types,
) -> Iterator[Mutant]:
    read = command.reads[index]
    where: PathKey = ("aggregates", aggregate.name, "commands", command.name, "reads", read.name)
    what = "row" if read.kind in ("row", "rows") else "state"
    observed = (
        f"of {command.name} whose `reads: {read.name}` holds a {read.source} {what} that only "
        "this lookup finds"
    )
    if read.kind == "rows":
        for position, assignment in enumerate(read.where):

            def rebuild(code: str, position: int = position) -> Replacement:
                values = put(read.where, position, replace(read.where[position], code=code))
                return _with(command, index, replace(read, where=values))

            path = (*where, "where", assignment.target)
            site = _site(source, aggregate, command, path, _field_type(source, read, assignment))
            site = replace(site, types=types)
            yield from value_mutants(
                replace(site, observed=observed, rebuild=rebuild), assignment.code, source.spec
            )
        return
    if read.kind == "row" and len(_read_model(source, read).keys) > 1:
        return  # a composite key, written as a list: no mutant yet
    lookup = {"row": "key", "state": "id", "states": "ids"}[read.kind]
    path = (*where, lookup)
    site = replace(_site(source, aggregate, command, path, _key_type(source, read)), types=types)

    def rebuild_key(code: str) -> Replacement:
        return _with(command, index, replace(read, key=code))

    yield from value_mutants(
        replace(site, observed=observed, rebuild=rebuild_key), read.key, source.spec
    )


def _site(
    source: Source, aggregate: m.Aggregate, command: m.Command, path: PathKey, target: TypeRef
) -> Site:
    """Where a lookup is written; its types, observation and rebuild are the caller's."""
    name = path[5]
    return Site(
        path=path,
        slices=(aggregate.name, command.name),
        rule=f"reads {name} by {path[-1]}: {written(raw(source.loaded, *path))}",
        unit=Unit("command", command.name),
        target=target,
        types=suggest.Types({}, {}),
        observed="",
        rebuild=lambda code: command,
    )


def _with(command: m.Command, index: int, read: m.Read) -> m.Command:
    return replace(command, reads=put(command.reads, index, read))


def _read_model(source: Source, read: m.Read) -> m.ReadModel:
    return next(r for r in source.spec.read_models if r.name == read.source)


def _key_type(source: Source, read: m.Read) -> TypeRef:
    if read.kind == "row":
        return _read_model(source, read).keys[0].type
    id_type = next(a.id_field.type for a in source.spec.aggregates if a.name == read.source)
    return TypeRef("list", item=id_type) if read.kind == "states" else id_type


def _field_type(source: Source, read: m.Read, assignment: m.Assignment) -> TypeRef:
    read_model = next(r for r in source.spec.read_models if r.name == read.source)
    fields = read_model.row_fields
    return next(f.type for f in fields if f.name == assignment.target)

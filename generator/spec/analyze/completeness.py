"""Information completeness, event modeling's own rule: every piece of information has a source
and a use. Checked on the finished model, as warnings (`validate --strict` makes them errors):

- W440: a read-model field that no event it handles sets (it only ever holds its default);
- W441: a command field that nothing uses: no event field, guard, condition or read reads it;
- W442: an event that no command emits (external events are recorded by `record` instead).

An event field that nothing fills is an error already (E406). Hand-written (custom) parts are
not judged: their code may use or set anything.
"""

from __future__ import annotations

import ast
import keyword
from collections.abc import Iterable, Iterator
from functools import lru_cache

from generator.spec import model as m
from generator.spec.analyze.context import Context
from generator.spec.diagnostics import Level


def completeness(ctx: Context, spec: m.Spec) -> None:
    for aggregate in spec.aggregates:
        _emitted(ctx, aggregate)
        for command in aggregate.commands:
            _used(ctx, aggregate, command)
    for read_model in spec.read_models:
        _fed(ctx, read_model)


def _fed(ctx: Context, read_model: m.ReadModel) -> None:
    if read_model.custom:
        return
    set_by = {a.target for update in read_model.updates for a in update.sets}
    for field in read_model.fields:
        if field.name in set_by:
            continue
        _warn(
            ctx,
            "W440",
            f"no event sets {read_model.name}.{field.name}: every row keeps its default",
            ("read_models", read_model.name, "fields", field.name),
        )


def _used(ctx: Context, aggregate: m.Aggregate, command: m.Command) -> None:
    if command.custom:
        return
    read = _attributes_of("command", _codes(command))
    for field in command.fields:
        if field.name in read:
            continue
        _warn(
            ctx,
            "W441",
            f"nothing uses {command.name}.{field.name}: no event field, guard, condition or "
            "read reads it",
            ("aggregates", aggregate.name, "commands", command.name, "fields", field.name),
        )


def _emitted(ctx: Context, aggregate: m.Aggregate) -> None:
    emitted = {
        emit.event
        for command in aggregate.commands
        for emit in (*command.emits, *(e for g in command.guards for e in g.emits))
    }
    for event in aggregate.events:
        if event.name in emitted:
            continue
        _warn(
            ctx,
            "W442",
            f"no command emits {event.name}, so no {aggregate.name} stream can ever hold it",
            ("aggregates", aggregate.name, "events", event.name),
        )


def _warn(ctx: Context, code: str, message: str, path: tuple[str, ...]) -> None:
    """A completeness warning at the key `path` names."""
    ctx.error(code, message, path, key=True, level=Level.WARNING)


def _codes(command: m.Command) -> Iterator[str]:
    """Every piece of compiled code that reads the command."""
    emits = [*command.emits, *(e for g in command.guards for e in g.emits)]
    for guard in command.guards:
        yield guard.condition
    for emit in emits:
        yield from (a.code for a in emit.values)
        if emit.condition:
            yield emit.condition
    for read in command.reads:
        if read.key:
            yield read.key
        yield from (a.code for a in read.where)


def _attributes_of(name: str, codes: Iterable[str]) -> set[str]:
    """The spec's names of the attributes of `name` that the code reads (`command.from_` is the
    field `from`: Python spells a keyword field with a trailing underscore)."""
    found: set[str] = set()
    for code in codes:
        for owner, attr in _attribute_reads(code):
            if owner == name:
                spec_name = (
                    attr[:-1] if attr.endswith("_") and keyword.iskeyword(attr[:-1]) else attr
                )
                found.add(spec_name)
    return found


@lru_cache(maxsize=4096)
def _attribute_reads(code: str) -> frozenset[tuple[str, str]]:
    """Each `name.attribute` in the code. Remembered: the same guard or rule is compiled to the
    same code in many commands (parsing it again for each was a fifth of a large spec's analysis)."""
    return frozenset(
        (node.value.id, node.attr)
        for node in ast.walk(ast.parse(code, mode="eval"))
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
    )

"""Read models: rows keyed by fields the events carry (one or several), looked up by their key
or their `index:` fields, updated or deleted by each event they handle (row_updates.py), or by a
hand-written update() (`handler: custom`); and their scenarios."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.spec import model as m
from generator.spec.analyze.context import Context
from generator.spec.analyze.fields import declare_fields
from generator.spec.analyze.named_ids import NamedIds
from generator.spec.analyze.row_updates import Handlers
from generator.spec.analyze.scenarios import (
    given_events,
    unique_tests,
    values_record,
    view_scenario,
)
from generator.spec.load import PathKey
from generator.spec.names import snake


def read_model(ctx: Context, name: str, body: Mapping[str, Any]) -> m.ReadModel | None:
    path: PathKey = ("read_models", name)
    raw_key = body["key"]
    keys = tuple(str(k) for k in raw_key) if isinstance(raw_key, list) else (str(raw_key),)
    fields = declare_fields(
        ctx,
        body.get("fields") or {},
        (*path, "fields"),
        owner=f"read model {name}",
        reserved=keys,
    )
    custom = body.get("handler") == "custom"
    handlers = _handlers(ctx, name, body["on"], custom, path)
    if not handlers:
        return None  # `on:` was reported
    index = _index(ctx, name, keys, fields, body.get("index") or [], path)
    reading = Handlers(ctx, name, keys, fields, path, index=index)
    updates = reading.updates(handlers, custom=custom)
    key_fields = reading.key_fields()
    if key_fields is None:
        return None
    row_fields = (*key_fields, *fields)
    scenarios = [
        _scenario(ctx, name, row_fields, scenario, (*path, "scenarios", number))
        for number, scenario in enumerate(body.get("scenarios") or [])
    ]
    unique_tests(ctx, scenarios, path, f"read model {name}")
    return m.ReadModel(
        name=name,
        module=snake(name),
        description=str(body.get("description") or ""),
        keys=key_fields,
        fields=fields,
        updates=tuple(updates),
        index=index,
        custom=custom,
        scenarios=tuple(scenarios),
    )


def _handlers(ctx: Context, name: str, on: Any, custom: bool, path: PathKey) -> Mapping[str, Any]:
    """`on:` as event -> handler; with `handler: custom`, a list of the events update() takes."""
    if custom and isinstance(on, dict):
        first = next(iter(on))
        ctx.error(
            "E416",
            f"read model {name} has a hand-written update(), which decides what each event does "
            "to the rows itself, so `on:` lists the events it takes, without handlers",
            (*path, "on", first),
            key=True,
            hint=f"write `on: [{', '.join(on)}]`, or drop `handler: custom`",
        )
        return {}
    if not custom and isinstance(on, list):
        ctx.error(
            "E200",
            f"read model {name}: `on:` is a list of events only with `handler: custom`; "
            "otherwise it maps each event to what it does to the rows",
            (*path, "on"),
            hint="write `on: {Event: {set: {field: ...}}}`, or add `handler: custom`",
        )
        return {}
    if isinstance(on, list):
        return {str(event): None for event in on}
    return dict(on)


def _index(
    ctx: Context,
    name: str,
    keys: tuple[str, ...],
    fields: tuple[m.Field, ...],
    raw: list[Any],
    path: PathKey,
) -> tuple[str, ...]:
    """The `index:` fields: row fields of one value each (a key field too)."""
    types = {f.name: f.type for f in fields}
    index: list[str] = []
    for number, item in enumerate(raw):
        field = str(item)
        where = (*path, "index", number)
        if field not in types and field not in keys:
            known = ", ".join((*keys, *types))
            ctx.error(
                "E404",
                f"read model {name} is indexed by {field!r}, which is not one of its fields "
                f"({known})",
                where,
                hint="index a field the rows have, declared under `fields:` or in `key:`",
            )
            continue
        typ = types.get(field)
        if typ is not None and typ.kind in ("list", "map", "record"):
            ctx.error(
                "E430",
                f"read model {name} is indexed by {field!r}, which is a {typ.spec}: rows are "
                "looked up by fields of one value (text, a number, an id, a date or an enum)",
                where,
                hint=f"remove {field!r} from `index:`",
            )
            continue
        index.append(field)
    return tuple(index)


def _scenario(
    ctx: Context,
    name: str,
    row_fields: tuple[m.Field, ...],
    scenario: Mapping[str, Any],
    where: PathKey,
) -> m.ViewScenario:
    label = f"scenario {scenario['name']!r}"
    ctx.named_ids = NamedIds(label)
    try:
        return _scenario_body(ctx, name, row_fields, scenario, where, label)
    finally:
        ctx.named_ids = None


def _scenario_body(
    ctx: Context,
    name: str,
    row_fields: tuple[m.Field, ...],
    scenario: Mapping[str, Any],
    where: PathKey,
    label: str,
) -> m.ViewScenario:
    given = given_events(ctx, scenario.get("given") or [], (*where, "given"), label)
    rows = []
    for row_index, row in enumerate(scenario["then"]):
        record = values_record(
            ctx, name, row_fields, row, (*where, "then", row_index), label, partial=True
        )
        if record is not None:
            rows.append(record)
    return view_scenario(ctx, scenario, where, given, rows)

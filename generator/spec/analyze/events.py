"""Events: their fields, and how each changes the state (copied fields and `apply:` rules)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.spec import model as m
from generator.spec.analyze.assign import assign
from generator.spec.analyze.context import STATE_RUNTIME, Context
from generator.spec.analyze.fields import declare_fields
from generator.spec.analyze.upcasts import upcasts
from generator.spec.diagnostics import Level
from generator.spec.expressions import Scope
from generator.spec.load import PathKey
from generator.spec.names import EVENT_MEMBERS, past_tense
from generator.spec.types import TypeRef


def event(
    ctx: Context,
    aggregate: str,
    name: str,
    body: Mapping[str, Any],
    state_fields: tuple[m.Field, ...],
    state_types: dict[str, TypeRef],
    reserved: tuple[str, ...],
) -> m.Event | None:
    path: PathKey = ("aggregates", aggregate, "events", name)
    if not past_tense(name):
        ctx.error(
            "W304",
            f"event {name!r} does not read like the past tense (events record what happened)",
            path,
            key=True,
            level=Level.WARNING,
        )
    fields = declare_fields(
        ctx,
        body.get("fields") or {},
        (*path, "fields"),
        owner=f"event {name}",
        reserved=reserved,
        members=EVENT_MEMBERS,
    )
    id_field = ctx.id_fields[aggregate]
    event_types = {f.name: f.type for f in fields} | {id_field.name: id_field.type}
    scope = Scope(
        names={"state": state_types | STATE_RUNTIME, "event": event_types},
        records=ctx.record_types,
        enums=ctx.enum_values,
    )
    by_name = {f.name: f for f in state_fields}
    updates = _copies(ctx, name, body, fields, by_name, path)
    updates.update(_applies(ctx, aggregate, name, body, by_name, scope, path))
    version = int(body.get("version", 1))
    return m.Event(
        name=name,
        aggregate=aggregate,
        description=str(body.get("description") or ""),
        fields=fields,
        updates=tuple(
            m.Assignment(target=f.name, code=updates[f.name])
            for f in state_fields
            if f.name in updates
        ),
        version=version,
        topic=f"{ctx.package}:{name}",
        upcasts=upcasts(ctx, name, version, body.get("upcast") or {}, fields, path),
    )


def _copies(
    ctx: Context,
    name: str,
    body: Mapping[str, Any],
    fields: tuple[m.Field, ...],
    state: dict[str, m.Field],
    path: PathKey,
) -> dict[str, str]:
    """The event fields that go into the state field of the same name, unless `apply:` says."""
    updates: dict[str, str] = {}
    for field in fields:
        target = state.get(field.name)
        if (target is not None and "apply" not in body) or (
            target is not None and field.name not in (body.get("apply") or {})
        ):
            if target.type.required() != field.type.required() or (
                field.type.optional and not target.type.optional
            ):
                ctx.error(
                    "E504",
                    f"event {name} copies {field.name!r} ({field.type.spec}) into state "
                    f"({target.type.spec}); the types differ, so say how in `apply:`",
                    (*path, "fields", field.name),
                    key=True,
                )
            else:
                updates[field.name] = f"event.{field.attribute}"
    return updates


def _applies(
    ctx: Context,
    aggregate: str,
    name: str,
    body: Mapping[str, Any],
    state: dict[str, m.Field],
    scope: Scope,
    path: PathKey,
) -> dict[str, str]:
    """The `apply:` rules: state field -> the code of its new value."""
    updates: dict[str, str] = {}
    for target_name, value in (body.get("apply") or {}).items():
        where = (*path, "apply", target_name)
        target = state.get(target_name)
        if target is None:
            known = ", ".join(state) or "none"
            ctx.error(
                "E404",
                f"event {name} applies to {target_name!r}, which is not a state field "
                f"of {aggregate} (state: {known})",
                where,
                key=True,
            )
            continue
        code = assign(ctx, value, target.type, scope, where, what=f"{name}.apply.{target_name}")
        if code is not None:
            updates[target_name] = code
    return updates

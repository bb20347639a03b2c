"""`upcast:` steps, which turn a stored payload of an older event version into the next one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.spec import model as m
from generator.spec.analyze.assign import literal
from generator.spec.analyze.context import Context
from generator.spec.load import PathKey
from generator.spec.names import SNAKE


def upcasts(
    ctx: Context,
    event: str,
    version: int,
    raw: Mapping[str, Any],
    fields: tuple[m.Field, ...],
    path: PathKey,
) -> tuple[m.Upcast, ...]:
    """`upcast:` steps: one for every version below the current one, none for any other."""
    steps: list[m.Upcast] = []
    for key in raw:
        if not 1 <= int(key) < version:
            ctx.error(
                "E805",
                f"event {event} is at version {version}, so it has no step from version {key}",
                (*path, "upcast", key),
                key=True,
            )
    by_name = {f.name: f for f in fields}
    for start in range(1, version):
        step = raw.get(str(start))
        if step is None:
            ctx.error(
                "E805",
                f"event {event} is at version {version} but does not say how a version {start} "
                f"payload becomes version {start + 1}",
                (*path, "version"),
                hint=f"add `upcast: {{{start}: {{rename: {{old: new}}, add: {{field: value}}}}}}` or "
                f"`{start}: custom`",
            )
            continue
        if step == "custom":
            steps.append(m.Upcast(from_version=start, custom=True))
            continue
        steps.append(_step(ctx, event, start, step, by_name, (*path, "upcast", str(start))))
    return tuple(steps)


def _step(
    ctx: Context,
    event: str,
    start: int,
    step: Mapping[str, Any],
    by_name: dict[str, m.Field],
    where: PathKey,
) -> m.Upcast:
    renames = []
    for old, new in (step.get("rename") or {}).items():
        for text in (old, new):
            if not SNAKE.match(str(text)):
                ctx.error(
                    "E300",
                    f"{text!r} is not a snake_case field name",
                    (*where, "rename", old),
                )
        renames.append((str(old), str(new)))
    adds = []
    for target, value in (step.get("add") or {}).items():
        field = by_name.get(target)
        if field is None:
            ctx.error(
                "E404",
                f"event {event} has no field {target!r} to add",
                (*where, "add", target),
                key=True,
            )
            continue
        code = literal(
            ctx, value, field.type, (*where, "add", target), what=f"{event} upcast add {target}"
        )
        if code is not None:
            adds.append(m.Assignment(target=target, code=f"encode({code})"))
    return m.Upcast(
        from_version=start,
        custom=False,
        renames=tuple(renames),
        adds=tuple(adds),
        removes=tuple(str(r) for r in step.get("remove") or []),
    )

"""A scenario's `reads:`: what the command's reads find, by the read's name.

Each value is one row or state, a list of them, or null (nothing). They are what the read's
source holds: the generated test puts them in a reader that finds rows and states as the
application does (by key, by equal fields, by id), and runs the command's own read() on it, so
the key expressions are tested too. A row needs its key, a state its id; every other field has
a default. A state may say `exists: false` (no stream: version 0) or its `version` (default 1).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.spec import model as m
from generator.spec.analyze.context import Context
from generator.spec.analyze.named_ids import scenario_literal
from generator.spec.analyze.reads import shape_of
from generator.spec.load import PathKey


def scenario_reads(
    ctx: Context,
    aggregate: m.Aggregate,
    command: m.Command,
    raw: Mapping[str, Any],
    path: PathKey,
    label: str,
) -> tuple[m.Record, ...]:
    if not raw:
        return ()
    reads = {r.name: r for r in command.reads}
    written = _written_reads(ctx, aggregate, command)
    records: list[m.Record] = []
    for name, value in raw.items():
        where = (*path, "reads", name)
        read = reads.get(name)
        if read is None and name in written:
            continue  # a read declared wrongly, which its declaration reports
        if read is None:
            known = ", ".join(reads) or "nothing"
            ctx.error(
                "E404",
                f"{label}: {command.name} has no read {name!r} (it reads: {known})",
                where,
                key=True,
            )
            continue
        items = value if isinstance(value, list) else [] if value is None else [value]
        for index, item in enumerate(items):  # mappings: the schema says so
            at = (*where, index) if isinstance(value, list) else where
            record = _record(ctx, read, item, at, label)
            if record is not None:
                records.append(record)
    return tuple(records)


def _written_reads(ctx: Context, aggregate: m.Aggregate, command: m.Command) -> set[str]:
    """The reads the spec declares on the command, the ones that failed too."""
    commands = ((ctx.data.get("aggregates") or {}).get(aggregate.name) or {}).get("commands")
    body = (commands or {}).get(command.name) or {}
    return set(body.get("reads") or {}) if isinstance(body, dict) else set()


def _record(ctx: Context, read: m.Read, item: Any, path: PathKey, label: str) -> m.Record | None:
    fields = _fields(ctx, read)
    if fields is None:
        return None
    values = dict(item)
    if read.kind in ("state", "states") and not _version(ctx, values, path, label):
        return None
    key = fields[0]
    if key.name not in values:
        ctx.error(
            "E601",
            f"{label}: {read.name!r} finds {_what(read)}, and each needs its {key.name!r}",
            path,
        )
        return None
    known = {f.name: f for f in fields}
    assignments = []
    for name, value in values.items():
        field = known.get(name)
        if field is None:
            ctx.error(
                "E404",
                f"{label}: {read.name!r} finds {_what(read)}, which have no field {name!r} "
                f"(fields: {', '.join(known)})",
                (*path, name),
                key=True,
            )
            return None
        owner = read.source if read.kind in ("state", "states") and field is fields[0] else ""
        code = scenario_literal(
            ctx,
            value,
            name,
            field.type,
            (*path, name),
            what=f"{label}: {read.name}.{name}",
            owner=owner,
        )
        if code is None:
            return None
        assignments.append(m.Assignment(target=name, code=code))
    return m.Record(name=read.row_class, values=tuple(assignments))


def _version(ctx: Context, values: dict[str, Any], path: PathKey, label: str) -> bool:
    """A state's `exists` as its version (a state that exists has had an event at least)."""
    exists = values.pop("exists", None)
    if exists is not None and not isinstance(exists, bool):
        ctx.error("E408", f"{label}: `exists` is true or false, not {exists!r}", (*path, "exists"))
        return False
    version = values.setdefault("version", 0 if exists is False else 1)
    if exists is not None and isinstance(version, int) and (version > 0) != exists:
        ctx.error(
            "E600",
            f"{label}: a state at version {version} {'exists' if version else 'does not exist'}"
            "; give `exists` or `version`, not both",
            (*path, "exists"),
            key=True,
        )
        return False
    return True


def _fields(ctx: Context, read: m.Read) -> tuple[m.Field, ...] | None:
    """The row's or state's fields, its key or id first (None if they are not known)."""
    shape = shape_of(ctx, read)
    if shape is None or shape.key_type is None:
        return None
    return tuple(m.Field(name=n, type=t) for n, t in shape.fields.items() if n != "exists")


def _what(read: m.Read) -> str:
    return f"rows of {read.source}" if read.kind in ("row", "rows") else f"states of {read.source}"

"""Named ids in scenarios and timelines: `cart-1` where an id goes.

A named id is a lowercase word, then dash-separated lowercase words or numbers, ending in a dash
and a number (`cart-1`, `ada-2`, `gift-card-10`); the pattern needs that last number so that an
ordinary text value is never taken for one. It stands where a UUID goes (a field of type `uuid`,
where other text is refused): it becomes uuid5(NAMESPACE_URL, "eventforge:id:<name>"), shown in
the generated test as the constant `ADA_1 = UUID("...")  # ada-1`. (An aggregate whose id is
`str` needs no names: its id is the text itself, `cart_id: cart-1`.)

Names go in every kind of scenario (of an aggregate, a read model or an automation) and in
timelines, inside lists, maps (values, and uuid keys) and value objects too.

Within one scenario or timeline a name is one id. A field is an id of aggregate A when it is A's
id field in a record of A's events or commands, or, elsewhere, when its name is the id field of
exactly one aggregate (`customer_id` of Customer); a name used for the ids of two different
aggregates is E417.

In an aggregate scenario, the implicit id of the scenario's stream is the named id
`<aggregate in kebab-case>-1` (`account-1`), shown as `ACCOUNT_ID`: the UUID
00000000-0000-4000-8000-000000000001 (for a `str` id, the text `cart-1`, shown as `CART_ID`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from generator.spec import model as m
from generator.spec.analyze.assign import literal
from generator.spec.analyze.context import Context
from generator.spec.load import PathKey
from generator.spec.names import snake
from generator.spec.types import TypeRef

NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*-[0-9]+\Z")
IMPLICIT_UUID = 'UUID("00000000-0000-4000-8000-000000000001")'


def is_name(value: object) -> bool:
    if not isinstance(value, str) or not NAME.match(value):
        return False
    try:
        UUID(value)
    except ValueError:
        return True
    return False


def named_uuid(name: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"eventforge:id:{name}")


def constant_of(name: str) -> str:
    return name.upper().replace("-", "_")


def implicit(aggregate: m.Aggregate) -> tuple[str, str, str]:
    """The implicit id of an aggregate's scenarios: its name, constant and value."""
    name = f"{snake(aggregate.name).replace('_', '-')}-1"
    constant = f"{snake(aggregate.name).upper()}_ID"
    value = IMPLICIT_UUID if aggregate.id_field.type.kind == "uuid" else repr(name)
    return name, constant, value


@dataclass
class _Use:
    aggregate: str  # "" when the position does not say which aggregate
    path: PathKey


@dataclass
class NamedIds:
    """The named ids of one scenario or timeline, as it is analysed."""

    label: str
    uses: dict[str, _Use] = field(default_factory=dict)
    fixed: dict[str, m.NamedId] = field(default_factory=dict)  # the implicit id, by name
    used: dict[str, m.NamedId] = field(default_factory=dict)

    @classmethod
    def of_aggregate(cls, aggregate: m.Aggregate, label: str) -> NamedIds:
        ids = cls(label)
        name, constant, value = implicit(aggregate)
        ids.fixed[name] = m.NamedId(name=name, constant=constant, code=value)
        if aggregate.id_field.type.kind == "uuid":
            ids.uses[name] = _Use(aggregate.name, ())
        return ids

    def constants(self) -> tuple[m.NamedId, ...]:
        """The constants the generated test defines: named UUIDs other than the implicit id."""
        return tuple(n for n in self.used.values() if n.name not in self.fixed)

    def use(self, ctx: Context, name: str, aggregate: str, path: PathKey) -> str | None:
        before = self.uses.get(name)
        if before is not None:
            if aggregate and before.aggregate and aggregate != before.aggregate:
                first = (
                    f"line {ctx.spec.where(before.path)[0]}"
                    if before.path
                    else f"the implicit id of the scenario's {before.aggregate}"
                )
                ctx.error(
                    "E417",
                    f"{self.label}: the named id {name!r} is used as an id of "
                    f"{before.aggregate} ({first}) and of {aggregate}; a name is one id "
                    "throughout",
                    path,
                )
                return None
            if aggregate and not before.aggregate:
                before.aggregate, before.path = aggregate, path
        else:
            self.uses[name] = _Use(aggregate, path)
        named = self.fixed.get(name)
        if named is None:
            code = f'UUID("{named_uuid(name)}")'
            named = m.NamedId(name=name, constant=constant_of(name), code=code)
        self.used[name] = named
        return named.constant


def id_owner(ctx: Context, field_name: str, typ: TypeRef) -> str:
    """The one aggregate whose id field has this name and kind, or ""."""
    owners = [
        a for a, f in ctx.id_fields.items() if f.name == field_name and f.type.kind == typ.kind
    ]
    return owners[0] if len(owners) == 1 else ""


def scenario_literal(
    ctx: Context,
    value: Any,
    field_name: str,
    typ: TypeRef,
    path: PathKey,
    *,
    what: str,
    owner: str = "",
) -> str | None:
    """A value of a scenario: a named id where an id goes (see the module's docstring), else a
    literal. `owner` is the aggregate whose id this field is, when the record says so. Names
    inside lists, maps (values, and keys of type uuid) and value objects are ids too: each is
    written as its UUID, rendered, and the UUID's code replaced by the name's constant."""
    ids = ctx.named_ids
    if ids is not None and typ.kind == "uuid" and is_name(value):
        aggregate = owner or id_owner(ctx, field_name, typ.required())
        constant = ids.use(ctx, str(value), aggregate, path)
        fixed = ids.fixed.get(str(value))
        if constant is not None and fixed is not None:
            return fixed.code  # the implicit id in another field: as written (as inside values)
        return constant
    if ids is None or typ.kind not in ("list", "map", "record"):
        return literal(ctx, value, typ, path, what=what)
    found: dict[str, str] = {}  # the code of a name's UUID -> its constant
    ok = [True]
    written = _named_inside(ctx, ids, value, field_name, typ, path, found, ok)
    if not ok[0]:
        return None
    code = literal(ctx, written, typ, path, what=what)
    if code is None:
        return None
    for uuid_code, constant in found.items():
        code = code.replace(uuid_code, constant)
    return code


def _named_inside(
    ctx: Context,
    ids: NamedIds,
    value: Any,
    field_name: str,
    typ: TypeRef,
    path: PathKey,
    found: dict[str, str],
    ok: list[bool],
) -> Any:
    """`value` with each name in a uuid position inside it replaced by its UUID (as text)."""

    def named(name: str, field: str, where: PathKey, kind: TypeRef) -> str:
        constant = ids.use(ctx, name, id_owner(ctx, field, kind.required()), where)
        if constant is None:
            ok[0] = False
            return name
        fixed = ids.fixed.get(name)
        if fixed is not None:  # the implicit id: its UUID as written (the store test has no
            return fixed.code[len('UUID("') : -len('")')]  # constant for it)
        text = str(named_uuid(name))
        found[f'UUID("{text}")'] = constant
        return text

    if typ.kind == "uuid" and is_name(value):
        return named(str(value), field_name, path, typ)
    if typ.kind == "list" and isinstance(value, list) and typ.item is not None:
        item = typ.item
        return [
            _named_inside(ctx, ids, v, field_name, item, (*path, i), found, ok)
            for i, v in enumerate(value)
        ]
    if typ.kind == "map" and isinstance(value, dict) and typ.key and typ.item:
        key, item = typ.key, typ.item
        result = {}
        for k, v in value.items():
            inner = _named_inside(ctx, ids, v, field_name, item, (*path, k), found, ok)
            if key.kind == "uuid" and is_name(k):
                k = named(str(k), "", (*path, k), key)
            result[k] = inner
        return result
    fields = ctx.record_fields.get(typ.name, ()) if typ.kind == "record" else ()
    if fields and isinstance(value, dict):
        by_name = {f.name: f for f in fields}
        return {
            k: _named_inside(ctx, ids, v, k, by_name[k].type, (*path, k), found, ok)
            if k in by_name
            else v
            for k, v in value.items()
        }
    return value

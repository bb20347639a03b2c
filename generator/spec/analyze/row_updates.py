"""What each event a read model handles does to its rows: set fields of the row of its key,
delete that row, or delete every row whose key or index fields equal values of the event; each
only when its `if:` holds. The key fields get their types from the events that carry them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.spec import model as m
from generator.spec.analyze.assign import assign, expression
from generator.spec.analyze.context import Context
from generator.spec.expressions import Scope
from generator.spec.load import PathKey
from generator.spec.names import snake
from generator.spec.types import TypeRef

_BOOL = TypeRef("bool")
_ACTIONS = ("set", "delete", "delete_where")


@dataclass
class Handlers:
    """One read model's handlers being read: the key fields' types as the events give them."""

    ctx: Context
    name: str
    keys: tuple[str, ...]
    fields: tuple[m.Field, ...]
    path: PathKey
    index: tuple[str, ...] = ()
    key_types: dict[str, tuple[TypeRef, str]] = field(default_factory=dict)  # -> (type, event)
    broken: bool = False  # a key or a handler was reported wrong: rows cannot be typed

    def updates(self, handlers: Mapping[str, Any], *, custom: bool) -> list[m.RowUpdate]:
        """The row updates in the order written; delete_where handlers after the keys are typed
        (their values are checked against the key fields' types)."""
        reported = len(self.ctx.diagnostics)
        updates: dict[str, m.RowUpdate] = {}
        later: list[tuple[str, m.Event, dict[str, TypeRef], Mapping[str, Any]]] = []
        for event_name, handler in handlers.items():
            where = (*self.path, "on", event_name)
            event = self._event(event_name, where)
            if event is None:
                continue
            types = _event_types(self.ctx, event)
            body = {"delete": True} if handler == "delete" else handler
            if custom:
                body = {}
            elif not self._one_action(event_name, body, where):
                continue
            if "delete_where" in body:
                later.append((event_name, event, types, body))
                continue
            if not self._carries_key(event_name, types, where):
                continue
            update = self._keyed(event_name, event, types, body, where)
            if update is not None:
                updates[event_name] = update
        for event_name, event, types, body in later:
            update = self._by_fields(event_name, event, types, body, (*self.path, "on", event_name))
            if update is not None:
                updates[event_name] = update
        if len(self.ctx.diagnostics) > reported and len(updates) < len(handlers):
            self.broken = True  # a handler was reported: a key it would type is no news
        order = list(handlers)
        return sorted(updates.values(), key=lambda u: order.index(u.event))

    def key_fields(self) -> tuple[m.Field, ...] | None:
        """The key fields with their types, or None when one has none (reported)."""
        if self.broken:
            return None
        found = []
        for key in self.keys:
            if key not in self.key_types:
                self.ctx.error(
                    "E413",
                    f"read model {self.name} is keyed by {key!r}, which no event it updates "
                    "rows for carries",
                    (*self.path, "key"),
                    key=True,
                    hint="handle at least one event that carries every key field with `set:`",
                )
                return None
            found.append(m.Field(name=key, type=self.key_types[key][0]))
        return tuple(found)

    def _event(self, event_name: str, where: PathKey) -> m.Event | None:
        # an aggregate's event, or one of `external_events:` (its aggregate is "")
        event = self.ctx.events.get(event_name) or self.ctx.external_events.get(event_name)
        if event is None:
            self.ctx.error(
                "E401",
                f"read model {self.name} handles {event_name!r}, which is not an event",
                where,
                key=True,
            )
        return event

    def _one_action(self, event_name: str, body: Any, where: PathKey) -> bool:
        present = [a for a in _ACTIONS if isinstance(body, dict) and a in body]
        if len(present) == 1:
            return True
        if present:
            self.ctx.error(
                "E202",
                f"read model {self.name} on {event_name} has both `{present[0]}:` and "
                f"`{present[1]}:`; a handler does one of `set:`, `delete:` or `delete_where:`",
                (*where, present[1]),
                key=True,
                hint=f"keep `{present[0]}:` and handle the other case in another read model",
            )
        else:
            self.ctx.error(
                "E201",
                f"read model {self.name} on {event_name} needs `set:`, `delete: true` or "
                "`delete_where:`: what the event does to the rows",
                where,
                key=True,
                hint="`{set: {field: value}}`, `delete`, or `{delete_where: {key_field: ...}}`",
            )
        return False

    def _carries_key(self, event_name: str, types: dict[str, TypeRef], where: PathKey) -> bool:
        """True when the event carries every key field, each with the type it has elsewhere."""
        for key in self.keys:
            if key not in types:
                self.ctx.error(
                    "E413",
                    f"read model {self.name} is keyed by {key!r}, which event {event_name} does "
                    "not carry",
                    where,
                    key=True,
                    hint=f"give {event_name} a field {key!r}, or delete its rows with "
                    f"`delete_where:` on fields it carries",
                )
                return False
            typ = types[key].required()
            if typ.kind in ("list", "map", "record"):
                # Rows are found by their key: a collection or a value object has no one
                # canonical value (`{"a": 1, "b": 2}` and `{"b": 2, "a": 1}` are one map).
                self.ctx.error(
                    "E413",
                    f"read model {self.name} is keyed by {key!r}, which is a {typ.spec} on "
                    f"{event_name}: each key field is one value (text, a number, an id, a date "
                    "or an enum)",
                    where,
                    key=True,
                    hint="key the rows by fields that name them (an id, a code), and keep the "
                    "collection as a row field",
                )
                self.broken = True
                return False
            known = self.key_types.get(key)
            if known is None:
                self.key_types[key] = (typ, event_name)
            elif known[0] != typ:
                line = self.ctx.spec.where((*where[:-1], known[1]), key=True)[0]
                self.ctx.error(
                    "E413",
                    f"read model {self.name} is keyed by {key!r}, which is a {types[key].spec} "
                    f"on {event_name} (line {self.ctx.spec.where(where, key=True)[0]}) but a "
                    f"{known[0].spec} on {known[1]} (line {line})",
                    where,
                    key=True,
                    hint=f"give {key!r} the same type on every event the read model handles",
                )
                self.broken = True
                return False
        return True

    def _condition(
        self, event_name: str, body: Mapping[str, Any], types: dict[str, TypeRef], where: PathKey
    ) -> str | None:
        """The `if:` as code over `event` ("" without one), or None when it is wrong."""
        if "if" not in body:
            return ""
        scope = Scope(
            names={"event": types}, records=self.ctx.record_types, enums=self.ctx.enum_values
        )
        return expression(
            self.ctx,
            str(body["if"]),
            scope,
            (*where, "if"),
            expected=_BOOL,
            what=f"{self.name}.on.{event_name}.if",
            hint="`if:` is a yes/no question about the event, like `event.quantity > 0`; "
            "the row is not in scope (it may not exist yet)",
        )

    def _keyed(
        self,
        event_name: str,
        event: m.Event,
        types: dict[str, TypeRef],
        body: Mapping[str, Any],
        where: PathKey,
    ) -> m.RowUpdate | None:
        condition = self._condition(event_name, body, types, where)
        module = _module(event)
        if body.get("delete") is True or not body:  # `delete`, or a custom handler's event
            if condition is None:
                return None
            return m.RowUpdate(
                event=event_name,
                aggregate_module=module,
                delete=bool(body),
                sets=(),
                condition=condition,
            )
        if "delete" in body:
            self.ctx.error(
                "E408",
                f"read model {self.name} on {event_name}: `delete:` takes true",
                (*where, "delete"),
                hint="write `delete: true`, or just `delete` as the handler",
            )
            return None
        sets = self._sets(event_name, body.get("set") or {}, types, where)
        if condition is None or sets is None:
            return None
        return m.RowUpdate(
            event=event_name, aggregate_module=module, delete=False, sets=sets, condition=condition
        )

    def _sets(
        self, event_name: str, raw: Mapping[str, Any], types: dict[str, TypeRef], where: PathKey
    ) -> tuple[m.Assignment, ...] | None:
        row_types = {f.name: f.type for f in self.fields} | {
            k: types[k] for k in self.keys if k in types
        }
        # `row` is a value, the row before the event (a new row starts from the defaults, so it
        # is never None here, and `row is not None` holds).
        record = f"{self.name} row"
        scope = Scope(
            names={"event": types},
            records={**self.ctx.record_types, record: row_types},
            enums=self.ctx.enum_values,
            values={"row": TypeRef("record", record)},
        )
        by_name = {f.name: f for f in self.fields}
        sets: list[m.Assignment] = []
        for target, value in raw.items():
            if target not in by_name:
                self.ctx.error(
                    "E404",
                    f"read model {self.name} sets {target!r}, which is not one of its fields"
                    + (" (key fields come from the event)" if target in self.keys else ""),
                    (*where, "set", target),
                    key=True,
                )
                continue
            code = assign(
                self.ctx,
                value,
                by_name[target].type,
                scope,
                (*where, "set", target),
                what=f"{self.name}.on.{event_name}.set.{target}",
            )
            if code is not None:
                sets.append(m.Assignment(target=target, code=code))
        return tuple(sets)

    def _by_fields(
        self,
        event_name: str,
        event: m.Event,
        types: dict[str, TypeRef],
        body: Mapping[str, Any],
        where: PathKey,
    ) -> m.RowUpdate | None:
        """`delete_where: {field: value}`: every row whose fields equal the values."""
        condition = self._condition(event_name, body, types, where)
        raw = body.get("delete_where")
        if not isinstance(raw, dict) or not raw:
            self.ctx.error(
                "E205",
                f"read model {self.name} on {event_name}: `delete_where:` needs at least one "
                "field and the value rows to delete have",
                (*where, "delete_where"),
                hint='`delete_where: {cart_id: "= event.cart_id"}`',
            )
            return None
        usable = {f.name: f.type for f in self.fields if f.name in self.index} | {
            k: t for k, (t, _) in self.key_types.items()
        }
        row_types = {f.name: f.type for f in self.fields} | usable
        scope = Scope(
            names={"event": types}, records=self.ctx.record_types, enums=self.ctx.enum_values
        )
        values: list[m.Assignment] = []
        for target, value in raw.items():
            path = (*where, "delete_where", target)
            if target in self.keys and target not in usable:
                return None  # the key has no type: key_fields() reports it
            if target not in usable:
                _not_usable(self, event_name, str(target), row_types, path)
                continue
            code = assign(
                self.ctx,
                value,
                usable[target],
                scope,
                path,
                what=f"{self.name}.on.{event_name}.delete_where.{target}",
            )
            if code is not None:
                values.append(m.Assignment(target=target, code=code))
        if condition is None or len(values) != len(raw):
            return None
        return m.RowUpdate(
            event=event_name,
            aggregate_module=_module(event),
            delete=True,
            sets=(),
            condition=condition,
            delete_where=tuple(values),
        )


def _not_usable(
    self: Handlers, event_name: str, target: str, row_types: dict[str, TypeRef], path: PathKey
) -> None:
    lookups = ", ".join((*self.keys, *(i for i in self.index if i not in self.keys)))
    if target in row_types or target in self.keys:
        self.ctx.error(
            "E430",
            f"read model {self.name} on {event_name} deletes rows by {target!r}, which is "
            f"not part of its key or an index (it is looked up by {lookups})",
            path,
            key=True,
            hint=f"add {target!r} to `index:`, or delete by key fields",
        )
    else:
        self.ctx.error(
            "E404",
            f"read model {self.name} on {event_name} deletes rows by {target!r}, which is "
            f"not one of its fields (it is looked up by {lookups})",
            path,
            key=True,
        )


def _event_types(ctx: Context, event: m.Event) -> dict[str, TypeRef]:
    """An event's fields, its stream's id field included (an external event has no stream)."""
    types = {f.name: f.type for f in event.fields}
    if event.aggregate:
        id_field = ctx.id_fields[event.aggregate]
        types[id_field.name] = id_field.type
    return types


def _module(event: m.Event) -> str:
    """The module the event class is imported from: its aggregate's, or external_events."""
    return snake(event.aggregate) if event.aggregate else "external_events"

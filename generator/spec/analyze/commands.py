"""Commands: their fields, what they read beyond their stream, the rules that reject them (raising
an error or recording events), and the events they emit (each event field mapped, or filled from
the command or the state; an entry with `if:` only when it holds)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from generator.spec import model as m
from generator.spec.analyze.assign import assign, expression, fill_from
from generator.spec.analyze.context import STATE_RUNTIME, Context
from generator.spec.analyze.fields import declare_fields
from generator.spec.analyze.reads import command_reads
from generator.spec.expressions import Scope
from generator.spec.expressions.narrowing import not_none_after
from generator.spec.load import PathKey
from generator.spec.names import snake
from generator.spec.types import TypeRef

_BOOL = TypeRef("bool")
_CONDITION_HINT = "a condition is a bool: compare (`len(state.items) > 0`) or use a bool field"


def command(
    ctx: Context,
    aggregate: str,
    name: str,
    body: Mapping[str, Any],
    state_types: dict[str, TypeRef],
    error_names: set[str],
    reserved: tuple[str, ...],
) -> m.Command | None:
    path: PathKey = ("aggregates", aggregate, "commands", name)
    fields = declare_fields(
        ctx, body.get("fields") or {}, (*path, "fields"), owner=f"command {name}", reserved=reserved
    )
    id_field = ctx.id_fields[aggregate]
    command_types = {f.name: f.type for f in fields} | {id_field.name: id_field.type}
    scope = Scope(
        names={"command": command_types, "state": state_types | STATE_RUNTIME},
        records=ctx.record_types,
        enums=ctx.enum_values,
    )
    reads, scope = command_reads(
        ctx, name, body.get("reads") or {}, (*path, "reads"), scope, taken=state_types
    )
    custom = body.get("handler") == "custom"
    emitting = _Emitting(ctx, aggregate, name, fields, state_types)
    guards, scope = _guards(ctx, emitting, body, path, scope, error_names)
    emits = []
    built: Counter[str] = Counter()
    for index, item in enumerate(body.get("emits") or []):
        emit = emitting.entry(item, (*path, "emits", index), scope, custom=custom)
        if emit is not None and emit.builds:
            built[emit.event] += 1
            emit = replace(emit, nth=built[emit.event])
        if emit is not None:
            emits.append(emit)
    if custom:
        _helper_clashes(ctx, name, emits, reads, path)
    if not body.get("emits") and not custom:  # listed but wrong events are reported above
        ctx.error(
            "E406", f"command {name} emits no events; list them under `emits:`", path, key=True
        )
    creates = body.get("creates", False)
    return m.Command(
        name=name,
        module=snake(name),
        aggregate=aggregate,
        description=str(body.get("description") or ""),
        creates=creates is True,
        if_missing=creates == "if-missing",
        custom=custom,
        fields=fields,
        guards=guards,
        emits=tuple(emits),
        reads=reads,
    )


def _helper_clashes(
    ctx: Context,
    name: str,
    emits: list[m.Emit],
    reads: tuple[m.Read, ...],
    path: PathKey,
) -> None:
    """A custom command's helper takes command, state, the reads and the unmapped fields."""
    taken = {"command", "state", *(r.name for r in reads)}
    for index, emit in enumerate(emits):
        for field in emit.open_fields:
            if field.name in taken:
                ctx.error(
                    "E415",
                    f"{emit.helper}() builds {emit.event} for the hand-written {name}: it takes "
                    f"command, state and the reads, so the field {field.name!r} cannot be one "
                    "of its arguments too",
                    (*path, "emits", index),
                    hint=f'map {field.name!r} in the spec (`{field.name}: "= ..."`), so the '
                    "helper fills it",
                )


def _guards(
    ctx: Context,
    emitting: _Emitting,
    body: Mapping[str, Any],
    path: PathKey,
    scope: Scope,
    error_names: set[str],
) -> tuple[tuple[m.Guard, ...], Scope]:
    """The rules in order, and the scope after them: a rule stops the decision when it holds, so
    what its condition says is None when it holds is not None after it."""
    name = emitting.command
    guards = []
    for index, rule in enumerate(body.get("rejects") or []):
        where = (*path, "rejects", index)
        condition = expression(
            ctx,
            str(rule["if"]),
            scope,
            (*where, "if"),
            expected=None,
            what=f"{name}.rejects[{index}].if",
        )
        error, emits = _outcome(ctx, emitting, rule, where, scope, error_names)
        if condition is not None and (error or emits):
            guards.append(
                m.Guard(condition=condition, source=str(rule["if"]), error=error, emits=emits)
            )
        scope = scope.narrowed(not_none_after(str(rule["if"]), holds=False))
    return tuple(guards), scope


def _outcome(
    ctx: Context,
    emitting: _Emitting,
    rule: Mapping[str, Any],
    where: PathKey,
    scope: Scope,
    error_names: set[str],
) -> tuple[str, tuple[m.Emit, ...]]:
    """What a rule does when it holds: raise its error, or record its events."""
    name, aggregate = emitting.command, emitting.aggregate
    if "emits" in rule:
        if "error" in rule:
            ctx.error(
                "E202",
                f"rejects[{where[-1]}] of {name} has both `error:` and `emits:`; a rule either "
                "raises its error or records its events",
                (*where, "error"),
                key=True,
                hint="keep `error:` to refuse the command, or `emits:` to record what happened",
            )
        # The rule's condition holds here: a value it proves present may be used.
        narrowed = scope.narrowed(not_none_after(str(rule["if"]), holds=True))
        emits = [
            emitting.entry(item, (*where, "emits", i), narrowed, custom=False, rule=True)
            for i, item in enumerate(rule["emits"])
        ]
        return "", tuple(e for e in emits if e is not None)
    error = str(rule["error"])
    if error not in error_names:
        known = ", ".join(sorted(error_names)) or "none declared"
        ctx.error(
            "E402",
            f"command {name} rejects with {error!r}, which is not an error of "
            f"{aggregate} (errors: {known})",
            (*where, "error"),
        )
    return error, ()


@dataclass(frozen=True)
class _Emitting:
    """What filling a command's events needs: the command, its fields and its state's fields."""

    ctx: Context
    aggregate: str
    command: str
    fields: tuple[m.Field, ...]
    state_types: dict[str, TypeRef]

    def entry(
        self, item: Any, path: PathKey, scope: Scope, *, custom: bool, rule: bool = False
    ) -> m.Emit | None:
        """One `emits` entry: an event name, or `Event: {field: value}`, with an optional `if:`."""
        mapping: Mapping[str, Any]
        if isinstance(item, str):
            event_name, mapping, condition_text = item, {}, None
        else:
            condition_text = item.get("if")
            event_name, mapping = next((k, v) for k, v in item.items() if k != "if")
            mapping = mapping or {}
        event = _own_event(self.ctx, self.aggregate, self.command, event_name, path, rule=rule)
        if event is None:
            return None
        condition = None
        if condition_text is not None:
            if custom:
                self.ctx.error(
                    "E416",
                    f"command {self.command} has a hand-written decide(), which chooses what "
                    f"to emit itself, so its `emits` entry {event_name} cannot have `if:`",
                    (*path, "if"),
                    key=True,
                    hint="remove `if:` and choose in the custom decide(), or drop `handler: custom`",
                )
                return None
            condition = expression(
                self.ctx,
                str(condition_text),
                scope,
                (*path, "if"),
                expected=_BOOL,
                what=f"{self.command} -> {event_name}.if",
                hint=_CONDITION_HINT,
            )
            if condition is None:
                return None
            scope = scope.narrowed(not_none_after(str(condition_text), holds=True))
        values, open_fields = self._values(event, mapping, path, scope, custom=custom)
        return m.Emit(
            event=event_name,
            values=values,
            condition=condition,
            source=str(condition_text or ""),
            builds=custom and bool(mapping),
            open_fields=open_fields,
        )

    def _values(
        self,
        event: m.Event,
        mapping: Mapping[str, Any],
        path: PathKey,
        scope: Scope,
        *,
        custom: bool,
    ) -> tuple[tuple[m.Assignment, ...], tuple[m.Field, ...]]:
        """Every field's value, and, for a custom command's mapping, the fields left open."""
        ctx = self.ctx
        id_field = ctx.id_fields[self.aggregate]
        by_command = {f.name: f for f in self.fields}
        values = [m.Assignment(target=id_field.name, code=f"command.{id_field.attribute}")]
        open_fields = []
        _unknown_keys(ctx, self.command, event, mapping, path)
        for field in event.fields:
            what = f"{self.command} -> {event.name}.{field.name}"
            if field.name in mapping:
                code = assign(
                    ctx,
                    mapping[field.name],
                    field.type,
                    scope,
                    (*path, event.name, field.name),
                    what=what,
                )
            elif custom:
                # The hand-written decide() fills the rest; a helper built from the mapping
                # takes them as arguments.
                open_fields.append(field)
                continue
            elif field.name in by_command:
                code = fill_from(ctx, "command", by_command[field.name].type, field, path, what)
            elif field.name in self.state_types:
                code = fill_from(ctx, "state", self.state_types[field.name], field, path, what)
            elif field.default_code is not None or field.name in ctx.failed(
                self.command, self.aggregate
            ):
                continue
            else:
                _unfilled(ctx, self.command, event.name, field.name, path)
                continue
            if code is not None:
                values.append(m.Assignment(target=field.name, code=code))
        return tuple(values), tuple(open_fields) if mapping else ()


def _own_event(
    ctx: Context, aggregate: str, command: str, event_name: str, path: PathKey, *, rule: bool
) -> m.Event | None:
    """The emitted event, when it is one of the aggregate's own (else it is reported)."""
    event = ctx.events.get(event_name)
    if event is not None and event.aggregate != aggregate:
        event = None  # another aggregate's event (E409), also when that aggregate was read first
    if event is None:
        owner = ctx.event_aggregate.get(event_name)
        where = "a rule of command" if rule else "command"
        if owner is not None and owner != aggregate:
            ctx.error(
                "E409",
                f"{where} {command} of {aggregate} emits {event_name}, an event of {owner}; "
                "a command emits its own aggregate's events (use an automation to cross over)",
                path,
            )
        elif owner is None:
            ctx.error(
                "E401",
                f"{where} {command} emits {event_name!r}, which is not an event of {aggregate}",
                path,
            )
    return event


def _unknown_keys(
    ctx: Context, command: str, event: m.Event, mapping: Mapping[str, Any], path: PathKey
) -> None:
    event_fields = {f.name: f for f in event.fields}
    for key in mapping:
        if key not in event_fields and key not in ctx.failed(event.name):
            ctx.error(
                "E404",
                f"{command} maps {key!r}, which is not a field of event {event.name}",
                (*path, event.name, key),
                key=True,
            )


def _unfilled(ctx: Context, command: str, event_name: str, field: str, path: PathKey) -> None:
    ctx.error(
        "E406",
        f"event {event_name} field {field!r} is not filled by command {command}: "
        "no mapping, no command or state field of that name",
        path,
        hint=f"add it to the command's fields, or map it: `- {event_name}: "
        f'{{{field}: "= command.<field>"}}`',
    )

"""The spec edits themselves: add, remove and rename things in the round-trip tree.

Each operation takes an `Editing` (the tree, and where the original text put each node) and
returns a `Change`. Whether the result is a valid spec is not decided here: the caller validates
the edited text with the usual validator before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NoReturn

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from generator.diagnostics import Diagnostic, SpecError
from generator.load import LoadedSpec, PathKey, path_text
from generator.names import snake
from generator.yaml_edit import (
    append_entry,
    append_item,
    block,
    delete_entry,
    delete_item,
    insert_entry,
    node,
    rename_key,
    replace_scalar,
    scalar,
)

TOP_ORDER = ("eventforge", "domain", "package", "description", "types", "aggregates")
AGGREGATE_ORDER = ("description", "id", "state", "errors", "events", "commands", "scenarios")
SECTION_OF = {"error": "errors", "event": "events", "command": "commands"}
TOP_SECTION = {"aggregate": "aggregates", "read-model": "read_models", "automation": "automations"}
FIELDS_ORDER = ("description", "key", "creates", "handler", "version", "fields")
VIEW_ORDER = ("description", "key", "fields", "on", "send", "scenarios")
KINDS = ("aggregate", "command", "event", "error", "type", "read-model", "automation")


@dataclass
class Change:
    summary: str
    changed: list[str] = field(default_factory=list)  # spec paths, like aggregates.Account.events
    notes: list[str] = field(default_factory=list)


@dataclass
class Editing:
    tree: CommentedMap
    loaded: LoadedSpec  # the text before the edit, for positions in messages

    def fail(self, code: str, message: str, path: PathKey, *, hint: str = "") -> NoReturn:
        line, column = self.loaded.where(path, key=True)
        raise SpecError(
            [
                Diagnostic(
                    code=code,
                    message=message,
                    file=self.loaded.file,
                    line=line,
                    column=column,
                    path=path_text(path),
                    hint=hint,
                )
            ]
        )

    # -- finding things --------------------------------------------------------------------

    def mapping(self, *path: str) -> CommentedMap | None:
        current: Any = self.tree
        for key in path:
            current = current.get(key) if isinstance(current, CommentedMap) else None
        return current if isinstance(current, CommentedMap) else None

    def aggregates(self) -> dict[str, CommentedMap]:
        found = self.mapping("aggregates") or CommentedMap()
        return {str(k): v for k, v in found.items() if isinstance(v, CommentedMap)}

    def declared(self) -> dict[str, PathKey]:
        """Every PascalCase name the spec declares, with where it is declared."""
        names: dict[str, PathKey] = {}
        for section in ("types", "aggregates", "read_models", "automations"):
            for name in self.mapping(section) or {}:
                names[str(name)] = (section, str(name))
        for aggregate, body in self.aggregates().items():
            for section in ("errors", "events", "commands"):
                for name in body.get(section) or {}:
                    names[str(name)] = ("aggregates", aggregate, section, str(name))
        return names

    def locate(self, kind: str, name: str) -> PathKey:
        """Where `name` of this kind is declared; E901 when it is not."""
        path = self.declared().get(name)
        expected = {**TOP_SECTION, "type": "types", **SECTION_OF}[kind]
        if path is None or path[-2] != expected:
            known = sorted(n for n, p in self.declared().items() if p[-2] == expected)
            self.fail(
                "E901",
                f"the spec declares no {kind.replace('-', ' ')} {name!r}",
                (expected,),
                hint=f"declared: {', '.join(known)}" if known else f"the spec has no {expected}",
            )
        return path

    def container(self, path: PathKey) -> CommentedMap:
        current: Any = self.tree
        for key in path[:-1]:
            current = current[key]
        assert isinstance(current, CommentedMap)
        return current

    def require_new(self, name: str) -> None:
        existing = self.declared().get(name)
        if existing is not None:
            self.fail(
                "E302",
                f"{name} is declared already, at {path_text(existing)}; names are unique across kinds",
                existing,
                hint="choose another name, or rename the existing one with `eventforge rename`",
            )

    def aggregate(self, name: str) -> CommentedMap:
        body = self.aggregates().get(name)
        if body is None:
            known = ", ".join(self.aggregates()) or "none yet"
            self.fail(
                "E901",
                f"the spec declares no aggregate {name!r}",
                ("aggregates",),
                hint=f"aggregates: {known}",
            )
        return body


def section(parent: CommentedMap, key: str, order: tuple[str, ...]) -> CommentedMap:
    """The mapping under `key`, created in its usual place when missing."""
    value = parent.get(key)
    if isinstance(value, CommentedMap):
        if not value and value.fa.flow_style():
            value.fa.set_block_style()
        return value
    created = CommentedMap()
    if key in parent:
        parent[key] = created
    else:
        insert_entry(
            parent, key, created, after=order[: order.index(key)] if key in order else order
        )
    return created


def _sequence(parent: CommentedMap, key: str, order: tuple[str, ...]) -> CommentedSeq:
    value = parent.get(key)
    if isinstance(value, CommentedSeq):
        return value
    created = CommentedSeq()
    if key in parent:
        parent[key] = created
    else:
        insert_entry(parent, key, created, after=order[: order.index(key)])
    return created


def _fields_node(fields: dict[str, Any]) -> Any:
    """`{a: str, b: decimal}` in flow style when short and simple, else one field per line."""
    simple = all(isinstance(v, str) for v in fields.values())
    width = sum(len(k) + len(str(v)) + 4 for k, v in fields.items())
    if simple and width <= 60:
        return node(fields, flow=True)
    return block(fields)


# -- add ---------------------------------------------------------------------------------------


def add_aggregate(
    editing: Editing, *, name: str, id_field: str | None, state: dict[str, Any], description: str
) -> Change:
    editing.require_new(name)
    body = CommentedMap()
    if description:
        body["description"] = scalar(description, flow=False)
    body["id"] = _id_node(id_field or f"{snake(name)}_id")
    if state:
        body["state"] = _fields_node(state)
    aggregates = section(editing.tree, "aggregates", TOP_ORDER)
    append_entry(aggregates, name, body)
    return Change(f"added aggregate {name}", [f"aggregates.{name}"])


def _id_node(text: str) -> Any:
    name, _, type_text = text.partition(":")
    if type_text:
        return node({"name": name.strip(), "type": type_text.strip()}, flow=True)
    return scalar(name.strip(), flow=False)


def add_error(editing: Editing, *, aggregate: str, name: str, message: str) -> Change:
    body = editing.aggregate(aggregate)
    editing.require_new(name)
    errors = section(body, "errors", AGGREGATE_ORDER)
    append_entry(errors, name, scalar(message or name, flow=errors.fa.flow_style()))
    return Change(f"added error {name} to {aggregate}", [f"aggregates.{aggregate}.errors.{name}"])


def add_event(
    editing: Editing,
    *,
    aggregate: str,
    name: str,
    fields: dict[str, Any],
    apply: dict[str, Any],
    description: str,
) -> Change:
    body = editing.aggregate(aggregate)
    editing.require_new(name)
    event = CommentedMap()
    if description:
        event["description"] = scalar(description, flow=False)
    event["fields"] = _fields_node(fields)
    if apply:
        event["apply"] = node(apply, flow=True)
    append_entry(section(body, "events", AGGREGATE_ORDER), name, event)
    return Change(f"added event {name} to {aggregate}", [f"aggregates.{aggregate}.events.{name}"])


def add_command(
    editing: Editing,
    *,
    aggregate: str,
    name: str,
    fields: dict[str, Any],
    emits: list[str | dict[str, Any]],
    rejects: list[dict[str, str]],
    creates: bool,
    custom: bool,
    description: str,
) -> Change:
    body = editing.aggregate(aggregate)
    editing.require_new(name)
    command = CommentedMap()
    if description:
        command["description"] = scalar(description, flow=False)
    if creates:
        command["creates"] = True
    if custom:
        command["handler"] = "custom"
    if fields:
        command["fields"] = _fields_node(fields)
    if rejects:
        command["rejects"] = CommentedSeq([block(r) for r in rejects])
    if all(isinstance(e, str) for e in emits):
        command["emits"] = node(emits, flow=True)
    else:
        command["emits"] = CommentedSeq([e if isinstance(e, str) else block(e) for e in emits])
    append_entry(section(body, "commands", AGGREGATE_ORDER), name, command)
    return Change(
        f"added command {name} to {aggregate}", [f"aggregates.{aggregate}.commands.{name}"]
    )


def add_field(editing: Editing, *, owner: str, fields: dict[str, Any]) -> Change:
    """Fields of an aggregate's state, a command, an event, a value object or a read model."""
    path = _field_owner(editing, owner)
    parent = editing.container(path)[path[-1]]
    key = "state" if path[0] == "aggregates" and len(path) == 2 else "fields"
    target = section(parent, key, AGGREGATE_ORDER if key == "state" else FIELDS_ORDER)
    for name, value in fields.items():
        if name in target:
            editing.fail("E302", f"{owner} has a field {name!r} already", (*path, key, name))
        flow = target.fa.flow_style()
        append_entry(
            target,
            name,
            node(value, flow=True) if not isinstance(value, str) else scalar(value, flow=flow),
        )
    where = path_text((*path, key))
    return Change(f"added {', '.join(fields)} to {owner}", [f"{where}.{n}" for n in fields])


def _field_owner(editing: Editing, owner: str) -> PathKey:
    path = editing.declared().get(owner)
    if path is None or path[-2] not in ("aggregates", "commands", "events", "types", "read_models"):
        editing.fail(
            "E901",
            f"{owner!r} is not an aggregate, command, event, value object or read model of the spec",
            (),
            hint="fields belong to an aggregate (its state), a command, an event, a type or a read model",
        )
    return path


def add_scenario(
    editing: Editing,
    *,
    owner: str,
    scenario: dict[str, Any],
) -> Change:
    """`scenario` is plain data: {name, description?, given?, when?, then}."""
    path = editing.declared().get(owner)
    if path is None or path[-2] not in ("aggregates", "read_models", "automations"):
        editing.fail(
            "E901",
            f"{owner!r} is not an aggregate, read model or automation of the spec",
            (),
            hint="scenarios belong to the aggregate of the command, or to a read model or automation",
        )
    body = editing.container(path)[path[-1]]
    order = AGGREGATE_ORDER if path[0] == "aggregates" else VIEW_ORDER
    append_item(_sequence(body, "scenarios", order), _scenario_node(scenario))
    index = len(body["scenarios"]) - 1
    return Change(
        f"added scenario {scenario['name']!r} to {owner}",
        [f"{path_text(path)}.scenarios[{index}]"],
    )


def _scenario_node(scenario: dict[str, Any]) -> CommentedMap:
    out = CommentedMap()
    out["name"] = scalar(str(scenario["name"]), flow=False)
    if scenario.get("description"):
        out["description"] = scalar(str(scenario["description"]), flow=False)
    if scenario.get("given"):
        out["given"] = CommentedSeq([block(r) for r in scenario["given"]])
    if "when" in scenario:
        out["when"] = block(scenario["when"])
    then = scenario["then"]
    if isinstance(then, list):
        out["then"] = _records(then) if then else node([], flow=True)
    else:
        out["then"] = CommentedMap()
        for key, value in then.items():
            out["then"][key] = (
                _records(value)
                if key == "events"
                else node(value, flow=True)
                if isinstance(value, dict)
                else scalar(str(value), flow=False)
            )
    return out


def _records(items: list[Any]) -> CommentedSeq:
    return CommentedSeq([block(i) if _is_record(i) else node(i, flow=True) for i in items])


def _is_record(item: Any) -> bool:
    return isinstance(item, dict) and len(item) == 1 and str(next(iter(item)))[:1].isupper()


def add_read_model(
    editing: Editing,
    *,
    name: str,
    key: str,
    fields: dict[str, Any],
    on: dict[str, Any],
    description: str,
) -> Change:
    editing.require_new(name)
    body = CommentedMap()
    if description:
        body["description"] = scalar(description, flow=False)
    body["key"] = scalar(key, flow=False)
    body["fields"] = _fields_node(fields)
    body["on"] = CommentedMap()
    for event, handler in on.items():
        body["on"][event] = (
            node(handler, flow=True)
            if isinstance(handler, dict)
            else scalar(str(handler), flow=False)
        )
    append_entry(section(editing.tree, "read_models", (*TOP_ORDER, "read_models")), name, body)
    return Change(f"added read model {name}", [f"read_models.{name}"])


def add_automation(
    editing: Editing, *, name: str, on: str, send: dict[str, Any], description: str
) -> Change:
    editing.require_new(name)
    body = CommentedMap()
    if description:
        body["description"] = scalar(description, flow=False)
    body["on"] = scalar(on, flow=False)
    body["send"] = block(send)
    order = (*TOP_ORDER, "read_models", "automations")
    append_entry(section(editing.tree, "automations", order), name, body)
    return Change(f"added automation {name}", [f"automations.{name}"])


# -- remove ------------------------------------------------------------------------------------


def remove(editing: Editing, *, kind: str, name: str) -> Change:
    """Remove a declaration. A command takes its scenarios with it; other references stay, and
    the validator reports them (so nothing still in use disappears silently)."""
    path = editing.locate(kind, name)
    notes: list[str] = []
    if kind == "command":
        notes = _remove_scenarios_of(editing, str(path[1]), name)
    parent = editing.container(path)
    delete_entry(parent, name)
    _drop_if_empty(editing, path[:-1])
    return Change(f"removed {kind.replace('-', ' ')} {name}", [path_text(path)], notes)


def _remove_scenarios_of(editing: Editing, aggregate: str, command: str) -> list[str]:
    scenarios = editing.aggregates()[aggregate].get("scenarios")
    if not isinstance(scenarios, CommentedSeq):
        return []
    notes = []
    for index in reversed(range(len(scenarios))):
        scenario = scenarios[index]
        when = scenario.get("when") if isinstance(scenario, CommentedMap) else None
        if isinstance(when, CommentedMap) and command in when:
            notes.append(f"removed its scenario {scenario.get('name')!r}")
            delete_item(scenarios, index)
    if not scenarios:
        delete_entry(editing.aggregates()[aggregate], "scenarios")
    return list(reversed(notes))


def _drop_if_empty(editing: Editing, path: PathKey) -> None:
    """An emptied section goes too (`commands: {}` says nothing), but never `aggregates:`."""
    if path == ("aggregates",):
        return
    parent = editing.container(path)
    value = parent.get(path[-1])
    if isinstance(value, CommentedMap | CommentedSeq) and not value:
        delete_entry(parent, str(path[-1]))


def remove_field(editing: Editing, *, owner: str, name: str) -> Change:
    path = _field_owner(editing, owner)
    parent = editing.container(path)[path[-1]]
    key = "state" if path[0] == "aggregates" and len(path) == 2 else "fields"
    target = parent.get(key)
    if not isinstance(target, CommentedMap) or name not in target:
        editing.fail("E901", f"{owner} has no field {name!r}", (*path, key))
    delete_entry(target, name)
    return Change(f"removed field {name} from {owner}", [path_text((*path, key, name))])


def remove_scenario(editing: Editing, *, owner: str, name: str) -> Change:
    path = editing.declared().get(owner)
    body = editing.container(path)[path[-1]] if path else None
    scenarios = body.get("scenarios") if isinstance(body, CommentedMap) else None
    names = [str(s.get("name")) if isinstance(s, CommentedMap) else "" for s in scenarios or []]
    if path is None or not isinstance(scenarios, CommentedSeq) or name not in names:
        editing.fail(
            "E901",
            f"{owner} has no scenario named {name!r}",
            path or (),
            hint=f"its scenarios: {', '.join(repr(n) for n in names)}" if names else "",
        )
    index = names.index(name)
    delete_item(scenarios, index)
    if not scenarios and isinstance(body, CommentedMap):
        delete_entry(body, "scenarios")
    return Change(
        f"removed scenario {name!r} from {owner}", [f"{path_text(path)}.scenarios[{index}]"]
    )


# -- rename ------------------------------------------------------------------------------------


def rename(editing: Editing, *, kind: str, old: str, new: str) -> Change:
    """Rename a declaration and every reference to it."""
    path = editing.locate(kind, old)
    if old == new:
        editing.fail("E900", f"{old} is already called {new}", path)
    editing.require_new(new)
    container = editing.container(path)
    notes = _moved_code(kind, container[old], old, new)
    rename_key(container, old, new)
    changed = [path_text((*path[:-1], new))]
    changed += list(_FOLLOW.get(kind, _nothing)(editing, old, new))
    return Change(f"renamed {kind.replace('-', ' ')} {old} to {new}", changed, notes)


def _moved_code(kind: str, body: Any, old: str, new: str) -> list[str]:
    """Hand-written code lives in files named after the thing: say where it has to move."""
    if kind == "aggregate":
        return [
            f"hand-written files move with it: from src/<package>/{snake(old)}/custom/ to src/<package>/{snake(new)}/custom/ (generate reports the old ones as orphans)"
        ]
    if kind == "command" and isinstance(body, CommentedMap) and body.get("handler") == "custom":
        return [
            f"its hand-written decide() moves: after generate, copy it from custom/{snake(old)}.py to custom/{snake(new)}.py and delete the old file"
        ]
    return []


def _nothing(_editing: Editing, _old: str, _new: str) -> Iterator[str]:
    return iter(())


def _rename_records(items: Any, old: str, new: str, where: str) -> Iterator[str]:
    """In a list of `Name: {...}` records (or bare names), rename `old`."""
    if not isinstance(items, CommentedSeq):
        return
    for index, item in enumerate(items):
        if isinstance(item, CommentedMap) and old in item:
            rename_key(item, old, new)
            yield f"{where}[{index}]"
        elif isinstance(item, str) and item == old:
            items[index] = replace_scalar(item, new)
            yield f"{where}[{index}]"


def _scenarios(body: Any) -> Iterator[tuple[int, CommentedMap]]:
    for index, scenario in enumerate(body.get("scenarios") or []):
        if isinstance(scenario, CommentedMap):
            yield index, scenario


def _views(editing: Editing) -> Iterator[tuple[str, CommentedMap]]:
    for section_name in ("read_models", "automations"):
        for name, body in (editing.mapping(section_name) or {}).items():
            if isinstance(body, CommentedMap):
                yield f"{section_name}.{name}", body


def _follow_event(editing: Editing, old: str, new: str) -> Iterator[str]:
    for aggregate, body in editing.aggregates().items():
        base = f"aggregates.{aggregate}"
        for command, command_body in (body.get("commands") or {}).items():
            if isinstance(command_body, CommentedMap):
                where = f"{base}.commands.{command}.emits"
                yield from _rename_records(command_body.get("emits"), old, new, where)
        for index, scenario in _scenarios(body):
            where = f"{base}.scenarios[{index}]"
            yield from _rename_records(scenario.get("given"), old, new, f"{where}.given")
            then = scenario.get("then")
            events = then.get("events") if isinstance(then, CommentedMap) else then
            yield from _rename_records(events, old, new, f"{where}.then")
    for base, body in _views(editing):
        on = body.get("on")
        if isinstance(on, CommentedMap) and old in on:
            rename_key(on, old, new)
            yield f"{base}.on.{new}"
        elif on == old:
            body["on"] = replace_scalar(on, new)
            yield f"{base}.on"
        for index, scenario in _scenarios(body):
            yield from _rename_records(
                scenario.get("given"), old, new, f"{base}.scenarios[{index}].given"
            )


def _follow_command(editing: Editing, old: str, new: str) -> Iterator[str]:
    for aggregate, body in editing.aggregates().items():
        for index, scenario in _scenarios(body):
            when = scenario.get("when")
            if isinstance(when, CommentedMap) and old in when:
                rename_key(when, old, new)
                yield f"aggregates.{aggregate}.scenarios[{index}].when"
    for base, body in _views(editing):
        send = body.get("send")
        if isinstance(send, CommentedMap) and old in send:
            rename_key(send, old, new)
            yield f"{base}.send"
        for index, scenario in _scenarios(body):
            if base.startswith("automations."):
                yield from _rename_records(
                    scenario.get("then"), old, new, f"{base}.scenarios[{index}].then"
                )


def _follow_error(editing: Editing, old: str, new: str) -> Iterator[str]:
    for aggregate, body in editing.aggregates().items():
        base = f"aggregates.{aggregate}"
        for command, command_body in (body.get("commands") or {}).items():
            rejects = (
                command_body.get("rejects") if isinstance(command_body, CommentedMap) else None
            )
            for index, rule in enumerate(rejects or []):
                if isinstance(rule, CommentedMap) and rule.get("error") == old:
                    rule["error"] = replace_scalar(rule["error"], new)
                    yield f"{base}.commands.{command}.rejects[{index}].error"
        for index, scenario in _scenarios(body):
            then = scenario.get("then")
            if isinstance(then, CommentedMap) and then.get("error") == old:
                then["error"] = replace_scalar(then["error"], new)
                yield f"{base}.scenarios[{index}].then.error"


def _follow_type(editing: Editing, old: str, new: str) -> Iterator[str]:
    word = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(old)}(?![A-Za-z0-9_])")
    for where, fields in _field_maps(editing):
        for name, value in list(fields.items()):
            target = (
                value
                if isinstance(value, str)
                else value.get("type")
                if isinstance(value, CommentedMap)
                else None
            )
            if isinstance(target, str) and word.search(target):
                renamed = replace_scalar(target, word.sub(new, target))
                if isinstance(value, str):
                    fields[name] = renamed
                else:
                    value["type"] = renamed
                yield f"{where}.{name}"


def _field_maps(editing: Editing) -> Iterator[tuple[str, CommentedMap]]:
    for name, body in (editing.mapping("types") or {}).items():
        if isinstance(body, CommentedMap) and isinstance(body.get("fields"), CommentedMap):
            yield f"types.{name}.fields", body["fields"]
    for aggregate, body in editing.aggregates().items():
        if isinstance(body.get("state"), CommentedMap):
            yield f"aggregates.{aggregate}.state", body["state"]
        for section_name in ("events", "commands"):
            for name, item in (body.get(section_name) or {}).items():
                if isinstance(item, CommentedMap) and isinstance(item.get("fields"), CommentedMap):
                    yield f"aggregates.{aggregate}.{section_name}.{name}.fields", item["fields"]
    for where, body in _views(editing):
        if isinstance(body.get("fields"), CommentedMap):
            yield f"{where}.fields", body["fields"]


_FOLLOW: dict[str, Callable[[Editing, str, str], Iterator[str]]] = {
    "event": _follow_event,
    "command": _follow_command,
    "error": _follow_error,
    "type": _follow_type,
}

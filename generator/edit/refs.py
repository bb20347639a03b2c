"""Removals and renames: the edits that have to follow references through the spec.

A rename changes the declaration and every place that names it; a removal takes a command's
scenarios with it and otherwise leaves references for the validator to report, so that nothing
still in use disappears silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from generator.edit.ops import Change, Editing, field_owner
from generator.edit.yaml_roundtrip import delete_entry, delete_item, rename_key, replace_scalar
from generator.spec.diagnostics import listing
from generator.spec.load import PathKey, path_text
from generator.spec.names import snake

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
    scenarios = editing.aggregate(aggregate).get("scenarios")
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
        delete_entry(editing.aggregate(aggregate), "scenarios")
    return list(reversed(notes))


def _drop_if_empty(editing: Editing, path: PathKey) -> None:
    """An emptied section goes too (`commands: {}` says nothing), but never `aggregates:`."""
    if path == ("aggregates",):
        return
    if len(path) == 1 and len(editing.loaded.data.get(str(path[0])) or ()) > 1:
        return  # the block had other entries (asked of the spec as loaded: see entries.py)
    parent = editing.container(path)
    value = parent.get(path[-1])
    if isinstance(value, CommentedMap | CommentedSeq) and not value:
        delete_entry(parent, str(path[-1]))


def remove_field(editing: Editing, *, owner: str, name: str) -> Change:
    path = field_owner(editing, owner)
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
            hint=f"its scenarios: {listing([repr(n) for n in names], repr(name))}" if names else "",
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


def _views(editing: Editing, old: str) -> Iterator[tuple[str, CommentedMap]]:
    for section_name in ("read_models", "automations"):
        for name, body in editing.entries(section_name, old):
            yield f"{section_name}.{name}", body


def _follow_event(editing: Editing, old: str, new: str) -> Iterator[str]:
    for aggregate, body in editing.entries("aggregates", old):
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
    for base, body in _views(editing, old):
        on = body.get("on")
        if isinstance(on, CommentedMap) and old in on:
            rename_key(on, old, new)
            yield f"{base}.on.{new}"
        elif on == old:
            body["on"] = replace_scalar(on, new)
            yield f"{base}.on"
        elif isinstance(on, list) and old in on:  # a custom read model's events
            position = on.index(old)
            on[position] = replace_scalar(on[position], new)
            yield f"{base}.on[{position}]"
        for index, scenario in _scenarios(body):
            yield from _rename_records(
                scenario.get("given"), old, new, f"{base}.scenarios[{index}].given"
            )
    for index, timeline in _timelines(editing):
        yield from _rename_records(timeline.get("given"), old, new, f"timelines[{index}].given")
        for where, step in _steps(timeline, f"timelines[{index}]"):
            then = step.get("then")
            events = then.get("events") if isinstance(then, CommentedMap) else then
            yield from _rename_records(events, old, new, f"{where}.then")


def _timelines(editing: Editing) -> Iterator[tuple[int, CommentedMap]]:
    timelines = editing.top("timelines")
    for index, timeline in enumerate(timelines if isinstance(timelines, CommentedSeq) else []):
        if isinstance(timeline, CommentedMap):
            yield index, timeline


def _steps(timeline: CommentedMap, base: str) -> Iterator[tuple[str, CommentedMap]]:
    for index, step in enumerate(timeline.get("steps") or []):
        if isinstance(step, CommentedMap):
            yield f"{base}.steps[{index}]", step


def _follow_command(editing: Editing, old: str, new: str) -> Iterator[str]:
    for aggregate, body in editing.entries("aggregates", old):
        for index, scenario in _scenarios(body):
            when = scenario.get("when")
            if isinstance(when, CommentedMap) and old in when:
                rename_key(when, old, new)
                yield f"aggregates.{aggregate}.scenarios[{index}].when"
    for base, body in _views(editing, old):
        send = body.get("send")
        if isinstance(send, CommentedMap) and old in send:
            rename_key(send, old, new)
            yield f"{base}.send"
        for index, scenario in _scenarios(body):
            if base.startswith("automations."):
                yield from _rename_records(
                    scenario.get("then"), old, new, f"{base}.scenarios[{index}].then"
                )
    for index, timeline in _timelines(editing):
        for where, step in _steps(timeline, f"timelines[{index}]"):
            when, then = step.get("when"), step.get("then")
            if isinstance(when, CommentedMap) and old in when:
                rename_key(when, old, new)
                yield f"{where}.when"
            if isinstance(then, CommentedMap):
                yield from _rename_records(then.get("sent"), old, new, f"{where}.then.sent")


def _follow_error(editing: Editing, old: str, new: str) -> Iterator[str]:
    for aggregate, body in editing.entries("aggregates", old):
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
    for index, timeline in _timelines(editing):
        for where, step in _steps(timeline, f"timelines[{index}]"):
            then = step.get("then")
            if isinstance(then, CommentedMap) and then.get("error") == old:
                then["error"] = replace_scalar(then["error"], new)
                yield f"{where}.then.error"


def _follow_type(editing: Editing, old: str, new: str) -> Iterator[str]:
    word = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(old)}(?![A-Za-z0-9_])")
    for where, fields in _field_maps(editing, old):
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


def _field_maps(editing: Editing, old: str) -> Iterator[tuple[str, CommentedMap]]:
    for name, body in editing.entries("types", old):
        if isinstance(body.get("fields"), CommentedMap):
            yield f"types.{name}.fields", body["fields"]
    for aggregate, body in editing.entries("aggregates", old):
        if isinstance(body.get("state"), CommentedMap):
            yield f"aggregates.{aggregate}.state", body["state"]
        for section_name in ("events", "commands"):
            for name, item in (body.get(section_name) or {}).items():
                if isinstance(item, CommentedMap) and isinstance(item.get("fields"), CommentedMap):
                    yield f"aggregates.{aggregate}.{section_name}.{name}.fields", item["fields"]
    for where, body in _views(editing, old):
        if isinstance(body.get("fields"), CommentedMap):
            yield f"{where}.fields", body["fields"]


def _follow_read_model(editing: Editing, old: str, new: str) -> Iterator[str]:
    for index, timeline in _timelines(editing):
        for where, step in _steps(timeline, f"timelines[{index}]"):
            then = step.get("then")
            rows = then.get("rows") if isinstance(then, CommentedMap) else None
            if isinstance(rows, CommentedMap) and old in rows:
                rename_key(rows, old, new)
                yield f"{where}.then.rows.{new}"


_FOLLOW: dict[str, Callable[[Editing, str, str], Iterator[str]]] = {
    "read-model": _follow_read_model,
    "event": _follow_event,
    "command": _follow_command,
    "error": _follow_error,
    "type": _follow_type,
}

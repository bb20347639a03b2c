"""Edits of an existing command's decision: a `rejects` rule (raising an error, or recording
events), an `emits` entry (with an optional `if:`), and a read.

Like every edit, the result is validated by the caller before anything is written: an unknown
error or event, a condition that does not compile, a read of something undeclared are reported
with the usual located errors.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from generator.edit.ops import Change, Editing, section
from generator.edit.yaml_roundtrip import append_entry, append_item, block, insert_entry, node

# A command's keys in their usual order.
COMMAND_ORDER = ("description", "creates", "handler", "fields", "reads", "rejects", "emits")


def _command(editing: Editing, name: str) -> tuple[CommentedMap, str]:
    path = editing.locate("command", name)
    container = editing.container(path)
    if container[path[-1]] is None:
        container[path[-1]] = CommentedMap()  # `Name:` with nothing under it yet
    return container[path[-1]], ".".join(str(p) for p in path)


def _list(command: CommentedMap, key: str, *, block_items: bool) -> CommentedSeq:
    """The command's list under `key`, created in its place; in block style when an item needs it."""
    value = command.get(key)
    if not isinstance(value, CommentedSeq):
        value = CommentedSeq()
        if key in command:
            command[key] = value
        else:
            insert_entry(command, key, value, after=COMMAND_ORDER[: COMMAND_ORDER.index(key)])
    if block_items and value.fa.flow_style():
        value.fa.set_block_style()
    return value


def add_reject(
    editing: Editing,
    *,
    command: str,
    condition: str,
    error: str | None,
    emits: list[str | dict[str, Any]],
) -> Change:
    """A rule at the end of the command's `rejects`: it raises `error`, or records `emits`."""
    body, where = _command(editing, command)
    rule: dict[str, Any] = {"if": condition}
    if error is not None:
        rule["error"] = error
    else:
        rule["emits"] = emits
    rules = _list(body, "rejects", block_items=True)
    item = block(rule)
    if error is None and not all(isinstance(e, str) for e in emits):
        item["emits"] = CommentedSeq([e if isinstance(e, str) else block(e) for e in emits])
    append_item(rules, item)
    outcome = f"raises {error}" if error is not None else "records " + ", ".join(_names(emits))
    return Change(
        f"added a rule to {command}: if {condition}, {outcome}",
        [f"{where}.rejects[{len(rules) - 1}]"],
    )


def add_emit(
    editing: Editing, *, command: str, emit: str | dict[str, Any], condition: str | None
) -> Change:
    """An entry at the end of the command's `emits`, emitted only when `condition` holds."""
    body, where = _command(editing, command)
    plain = isinstance(emit, str) and condition is None
    entries = _list(body, "emits", block_items=not plain)
    if plain:
        append_item(entries, emit)
    else:
        entry: dict[str, Any] = {emit: {}} if isinstance(emit, str) else dict(emit)
        if condition is not None:
            entry["if"] = condition
        append_item(entries, block(entry))
    [event] = _names([emit])
    when = f" if {condition}" if condition is not None else ""
    return Change(
        f"added {event} to what {command} emits{when}", [f"{where}.emits[{len(entries) - 1}]"]
    )


def add_read(editing: Editing, *, command: str, name: str, read: dict[str, Any]) -> Change:
    """A read of the command: `{read_model: R, key|where: ...}` or `{aggregate: A, id|ids: ...}`."""
    body, where = _command(editing, command)
    reads = section(body, "reads", COMMAND_ORDER)
    if name in reads:
        editing.fail("E302", f"{command} reads {name!r} already", (*where.split("."), "reads"))
    append_entry(reads, name, node(read, flow=True))
    return Change(f"added the read {name} to {command}", [f"{where}.reads.{name}"])


def _names(emits: list[str | dict[str, Any]]) -> list[str]:
    return [e if isinstance(e, str) else next(k for k in e if k != "if") for e in emits]

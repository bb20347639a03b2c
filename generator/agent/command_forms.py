"""How a command's stream rule, reads, rules and `emits` entries read in a slice's context.

Kept apart from context.py, which lays the brief out: these are the lines that say what a
command does beyond v1 (a stream it may start, inputs from outside it, rules that record events,
entries emitted only when their `if` holds), the way the spec says them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.spec.model import Aggregate, Command

_LOOKUP = {"row": "key", "rows": "where", "state": "id", "states": "ids"}
_FOUND = {
    "row": "its row, or None when there is none",
    "rows": "its rows with those fields (a list, maybe empty)",
    "state": "its state (the initial state, `exists` false, when there is no such stream)",
    "states": "their states, one per id",
}


def stream_rule(command: Command) -> str:
    """What the command needs of its stream, for the handler line."""
    if command.creates:
        return (
            "; starts a new stream (creates: true): its rules see the stream as it is, and if "
            "it exists and no rule rejects, it fails with StreamExists"
        )
    if command.if_missing:
        return "; runs on a new stream or an existing one (creates: if-missing)"
    return "; needs an existing stream (else StreamNotFound)"


def reads(command: Command, raw: Mapping[str, Any]) -> list[str]:
    """The reads, with how each finds what it reads."""
    if not command.reads:
        return []
    written = raw.get("reads") or {}
    lines = ["", "## Reads (before deciding; decide() takes them by name)"]
    for read in command.reads:
        lookup = _LOOKUP[read.kind]
        value = (written.get(read.name) or {}).get(lookup)
        if isinstance(value, Mapping):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        lines.append(f"- {read.name}: {read.source} by {lookup} `{value}`: {_FOUND[read.kind]}")
    return lines


def rule(command: Command, index: int, messages: Mapping[str, str]) -> str:
    guard = command.guards[index]
    if guard.emits:
        events = ", ".join(e.event for e in guard.emits)
        return f"- if `{guard.source}`: record {events} instead, and stop"
    return f"- if `{guard.source}`: reject with {guard.error} ({messages.get(guard.error, '')})"


def emitted_event(item: Any) -> tuple[str, Any, str]:
    """An `emits` entry as written: its event, its field values (or None), its `if` ("")."""
    if not isinstance(item, Mapping):
        return str(item), None, ""
    event, values = next((k, v) for k, v in item.items() if k != "if")
    return str(event), values, str(item.get("if", ""))


def state_read(aggregate: Aggregate, command: Command) -> list[str]:
    """`exists` and `version` where the rules or `if`s read them (they are not fields)."""
    texts = [g.source for g in command.guards] + [e.source for e in command.emits]
    return [n for n in ("exists", "version") if any(f"state.{n}" in t for t in texts)]

"""The timelines a slice appears in, for its brief (`eventforge context --slice X`).

A command appears in a step that handles it (`when`) or checks that an automation sent it
(`sent`); a read model in a step that checks its rows; an automation in a step that checks the
commands it sends; an aggregate wherever one of its commands does. Each such step is shown as
one line of YAML, within a budget; past it, only the step numbers and the timeline's line.
A brief that is still too long to paste gives up those lines too, the last first (`within`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from generator.spec.load import LoadedSpec
from generator.spec.model import Spec

_BUDGET = 1500  # bytes of step lines, like the scenarios' budget
BRIEF_TARGET = 4000  # bytes: a brief small enough to paste
_STEP = re.compile(r"(  - step \d+ \([a-z, ]+\)): ")


def involved(spec: Spec, name: str) -> Callable[[Mapping[str, Any]], list[str]]:
    """For a step's raw data, how the slice `name` takes part in it (empty: it does not)."""
    commands = {name}
    for aggregate in spec.aggregates:
        if aggregate.name == name:
            commands = {c.name for c in aggregate.commands}
    sends = {c for a in spec.automations if a.name == name for c in a.commands}
    read_model = any(r.name == name for r in spec.read_models)

    def roles(step: Mapping[str, Any]) -> list[str]:
        then = step.get("then")
        then = then if isinstance(then, Mapping) else {}
        found = []
        if _first_key(step.get("when")) in commands:
            found.append("when")
        sent = {_first_key(s) for s in then.get("sent") or [] if isinstance(s, Mapping)}
        if sent & (commands | sends):
            found.append("sent")
        if read_model and name in (then.get("rows") or {}):
            found.append("rows")
        return found

    return roles


def plain(value: Any) -> Any:
    """`value` with its times as the spec writes them (2024-05-01T10:00:00Z), not as YAML tags."""
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat().replace("+00:00", "Z")
    return value


def _first_key(record: Any) -> str:
    return str(next(iter(record))) if isinstance(record, Mapping) and record else ""


def timeline_lines(
    spec: Spec, loaded: LoadedSpec, name: str, flow: Callable[[Any], str]
) -> list[str]:
    """The brief's `## Timelines` section for slice `name`; none when it appears in none."""
    roles = involved(spec, name)
    lines: list[str] = []
    shown = 0
    raw = loaded.data.get("timelines") if isinstance(loaded.data, Mapping) else None
    for index, timeline in enumerate(raw or []):
        if not isinstance(timeline, Mapping):
            continue
        steps = [
            (number, step, found)
            for number, step in enumerate(timeline.get("steps") or [], start=1)
            if isinstance(step, Mapping) and (found := roles(step))
        ]
        if not steps:
            continue
        line = loaded.where(("timelines", index), key=True)[0]
        lines.append(f"- **{timeline.get('name')}** (line {line}, {len(timeline['steps'])} steps):")
        for number, step, found in steps:
            text = f"  - step {number} ({', '.join(found)}): {flow(step)}"
            shown += len(text.encode("utf-8"))
            if shown > _BUDGET:
                text = f"  - step {number} ({', '.join(found)})"
            lines.append(text)
    if not lines:
        return []
    return ["", "## Timelines (stories on the real application this slice takes part in)", *lines]


def within(lines: list[str], target: int = BRIEF_TARGET) -> list[str]:
    """The lines of a brief, with the timeline steps it shows in full cut to their number and
    role, the last first, until the brief is under `target` bytes (or no such step is left)."""
    kept = list(lines)
    size = len("\n".join(kept).encode("utf-8")) + 1  # and the newline that ends it
    for index in reversed(range(len(kept))):
        if size < target:
            break
        step = _STEP.match(kept[index])
        if step is not None:
            size -= len(kept[index].encode("utf-8")) - len(step.group(1).encode("utf-8"))
            kept[index] = step.group(1)
    return kept

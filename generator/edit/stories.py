"""Edits that add timelines (`timelines:`) and their steps.

A timeline is created with its first step (a timeline needs one); `add_step` appends a step to
one that exists. Like every edit, the result is validated by the caller before anything is
written: an unknown command, an `at` that is not a time, a `rows` check the step cannot have
caused are reported with the usual located errors.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from generator.edit.ops import TOP_ORDER, Change, Editing, records_node, sequence
from generator.edit.yaml_roundtrip import append_item, block, node, scalar
from generator.spec.load import path_text

ORDER = (*TOP_ORDER, "read_models", "automations", "timelines")


def add_timeline(
    editing: Editing, *, name: str, description: str, given: list[Any], step: dict[str, Any]
) -> Change:
    """A timeline at the end of `timelines:`, with its `given` events and first step."""
    timelines = sequence(editing.root_of("timelines", ORDER), "timelines", ORDER)
    existing = _find(timelines, name)
    if existing is not None:
        editing.fail(
            "E302",
            f"there is a timeline named {name!r} already",
            ("timelines", existing[0], "name"),
            hint="name each timeline after the story it tells; add steps with `add step`",
        )
    body = CommentedMap()
    body["name"] = scalar(name, flow=False)
    if description:
        body["description"] = scalar(description, flow=False)
    if given:
        body["given"] = CommentedSeq([block(r) for r in given])
    body["steps"] = CommentedSeq([step_node(step)])
    append_item(timelines, body)
    return Change(f"added timeline {name!r}", [f"timelines[{len(timelines) - 1}]"])


def add_step(editing: Editing, *, timeline: str, step: dict[str, Any]) -> Change:
    """A step at the end of the named timeline's `steps`."""
    timelines = editing.top("timelines")
    found = _find(timelines, timeline) if isinstance(timelines, CommentedSeq) else None
    if found is None:
        names = [str(t.get("name")) for t in timelines or [] if isinstance(t, CommentedMap)]
        editing.fail(
            "E901",
            f"there is no timeline named {timeline!r} (timelines: {', '.join(names) or 'none'})",
            ("timelines",) if names else (),
            hint="start one with `eventforge add timeline --name NAME --when ...`",
        )
    index, body = found
    steps = body.get("steps")
    if not isinstance(steps, CommentedSeq):
        steps = body["steps"] = CommentedSeq()
    append_item(steps, step_node(step))
    where = path_text(("timelines", index, "steps", len(steps) - 1))
    return Change(f"added step {len(steps)} to timeline {timeline!r}", [where])


def _find(timelines: Any, name: str) -> tuple[int, CommentedMap] | None:
    for index, body in enumerate(timelines or []):
        if isinstance(body, CommentedMap) and str(body.get("name")) == name:
            return index, body
    return None


def step_node(step: dict[str, Any]) -> CommentedMap:
    """`step` is plain data: {at?, when, then?: {events?, error?, state?, rows?, sent?}}."""
    out = CommentedMap()
    if "at" in step:
        out["at"] = scalar(str(step["at"]), flow=False)
    out["when"] = node(step["when"], flow=True)
    then = step.get("then")
    if then:
        out["then"] = CommentedMap()
        for key, value in then.items():
            if key in ("events", "sent"):
                out["then"][key] = records_node(value) if value else node([], flow=True)
            elif key == "rows":
                rows = CommentedMap()
                for read_model, items in value.items():
                    rows[read_model] = CommentedSeq([node(r, flow=True) for r in items])
                    if not items:
                        rows[read_model].fa.set_flow_style()
                out["then"]["rows"] = rows
            elif isinstance(value, dict):
                out["then"][key] = node(value, flow=True)
            else:
                out["then"][key] = scalar(str(value), flow=False)
    return out

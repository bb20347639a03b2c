"""MCP tools for timelines: `add timeline` and `add step` of the command line, like the other
add_* tools (mcp_tools.py); registered beside them by mcp_server.py."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.types import CallToolResult
from pydantic import Field

from generator.agent.mcp_tools import DryRun, Spec, _flag, _json, _opt, call
from generator.spec.load import DEFAULT_SPEC

Records = Annotated[
    list[dict[str, Any]],
    Field(description='Records in order: [{"Name": {"field": value}}], id fields included.'),
]


def _step(
    when: dict[str, Any],
    at: str | None,
    then: list[dict[str, Any]],
    then_state: dict[str, Any] | None,
    then_error: str | None,
    rows: dict[str, list[dict[str, Any]]] | None,
    sent: list[dict[str, Any]] | None,
) -> list[str]:
    argv = ["--when", _json(when), *_opt("--at", at)]
    argv += [a for t in then for a in ("--then", _json(t))]
    argv += _opt("--then-state", _json(then_state) if then_state else None)
    argv += _opt("--then-error", then_error)
    for read_model, items in (rows or {}).items():
        argv += [a for r in items for a in ("--rows", _json({read_model: r}))] or [
            "--rows",
            read_model,
        ]
    if sent is not None:
        argv += [a for s in sent for a in ("--sent", _json(s))] or ["--sent-nothing"]
    return argv


When = Annotated[
    dict[str, Any],
    Field(description='The command: {"CommandName": {"field": value}}, its id field included.'),
]
At = Annotated[
    str | None,
    Field(description="The time now() reads from this step on, like '2024-05-01T10:00:00Z'."),
]
Then = Annotated[list[dict[str, Any]], Field(description="The events the command stored.")]
ThenState = Annotated[
    dict[str, Any] | None,
    Field(description="The state of the command's stream after the step (also version, exists)."),
]
ThenError = Annotated[str | None, Field(description="The error the command is rejected with.")]
Rows = Annotated[
    dict[str, list[dict[str, Any]]] | None,
    Field(description='All rows of read models after the step: {"ReadModel": [{key, ...}]}.'),
]
Sent = Annotated[
    list[dict[str, Any]] | None,
    Field(description="The commands automations sent after the step ([] for none)."),
]


def add_timeline(
    name: str,
    when: When,
    given: Records = [],  # noqa: B006
    at: At = None,
    then: Then = [],  # noqa: B006
    then_state: ThenState = None,
    then_error: ThenError = None,
    rows: Rows = None,
    sent: Sent = None,
    description: str = "",
    spec: Spec = DEFAULT_SPEC,
    dry_run: DryRun = False,
) -> CallToolResult:
    """Add a timeline (a story of steps on the real application, read models updated and
    automations run between steps) with its first step; add more with add_step."""
    argv = ["add", "timeline", "--name", name]
    argv += [a for g in given for a in ("--given", _json(g))]
    argv += _step(when, at, then, then_state, then_error, rows, sent)
    argv += _opt("--description", description)
    return call(*argv, "--spec", spec, *_flag("--dry-run", dry_run))


def add_step(
    timeline: Annotated[str, Field(description="The timeline's name.")],
    when: When,
    at: At = None,
    then: Then = [],  # noqa: B006
    then_state: ThenState = None,
    then_error: ThenError = None,
    rows: Rows = None,
    sent: Sent = None,
    spec: Spec = DEFAULT_SPEC,
    dry_run: DryRun = False,
) -> CallToolResult:
    """Add a step at the end of a timeline: a command, then what it must have done."""
    argv = ["add", "step", timeline, *_step(when, at, then, then_state, then_error, rows, sent)]
    return call(*argv, "--spec", spec, *_flag("--dry-run", dry_run))


STORY_TOOLS = (add_timeline, add_step)

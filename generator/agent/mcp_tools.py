"""The tools of the MCP server: each one the matching command line with `--format json`, run in
this process (`run_cli`), its JSON document as the structured result.

A tool's input schema comes from its signature (pydantic): types, defaults and the descriptions
in `Field(...)`; its docstring is its description.
"""

from __future__ import annotations

import io
import json
import threading
from contextlib import redirect_stderr, redirect_stdout
from typing import Annotated, Any, Literal

import click
from mcp.types import CallToolResult, TextContent
from pydantic import Field

from generator.spec.diagnostics import error
from generator.spec.load import DEFAULT_SPEC

Spec = Annotated[
    str, Field(description="Path of the spec file, relative to the server's working directory.")
]
Out = Annotated[str | None, Field(description="Output directory (default: the spec's directory).")]
DryRun = Annotated[bool, Field(description="Only report the change (with a diff); write nothing.")]
Fields = Annotated[
    list[str],
    Field(
        description="Fields as 'name:type' or 'name:type=default': 'amount:decimal', 'note:str?', "
        "'tags:list[str]'."
    ),
]
Kind = Literal["aggregate", "command", "event", "error", "type", "read-model", "automation"]


_LOCK = threading.Lock()  # sys.stdout is process-wide: one command at a time

# The command line the tools run. It sits above this package (imports go one way: see the
# README), so `eventforge mcp` hands itself over when it starts the server (bind).
_command_line: list[click.Group] = []


def bind(command_line: click.Group) -> None:
    """Run the tools as this command line (the `eventforge` group)."""
    _command_line[:] = [command_line]


def run_cli(argv: list[str]) -> tuple[int, Any]:
    """Run `eventforge ARGV --format json` here; its exit code and JSON document."""
    if not _command_line:
        raise RuntimeError("the MCP tools run the command line: bind() it first")
    main = _command_line[0]
    stdout, stderr = io.StringIO(), io.StringIO()
    code = 0
    with _LOCK, redirect_stdout(stdout), redirect_stderr(stderr):
        try:
            main.main(
                args=[*argv, "--format", "json"], prog_name="eventforge", standalone_mode=False
            )
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except click.ClickException as exc:
            return 2, {"ok": False, "errors": [error("E900", exc.format_message()).as_json()]}
    try:
        return code, json.loads(stdout.getvalue())
    except ValueError:
        message = (stderr.getvalue() or stdout.getvalue()).strip() or "no output"
        return code or 2, {"ok": False, "errors": [error("E900", message).as_json()]}


def _result(code: int, document: Any, *, failure_is_an_answer: bool = False) -> CallToolResult:
    structured = (
        document if isinstance(document, dict) else {"ok": code == 0, "diagnostics": document}
    )
    errors = structured.get("errors") or [
        d for d in structured.get("diagnostics", []) if d.get("level") == "error"
    ]
    if errors and "errors" not in structured:
        structured = {**structured, "errors": errors}
    failed = bool(errors) or (code != 0 and not failure_is_an_answer)
    text = json.dumps(structured, indent=2, ensure_ascii=False)
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content=structured,
        is_error=failed,
    )


def call(*argv: str | None, failure_is_an_answer: bool = False) -> CallToolResult:
    code, document = run_cli([a for a in argv if a is not None])
    return _result(code, document, failure_is_an_answer=failure_is_an_answer)


def _opt(flag: str, value: str | None) -> list[str]:
    return [flag, value] if value else []


def _flag(flag: str, on: bool) -> list[str]:
    return [flag] if on else []


def _fields(fields: list[str]) -> list[str]:
    return [a for f in fields for a in ("--field", f)]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def validate(spec: Spec = DEFAULT_SPEC) -> CallToolResult:
    """Validate the spec; every problem with its code, location and a one-line fix hint."""
    return call("validate", spec)


def plan(spec: Spec = DEFAULT_SPEC, out: Out = None) -> CallToolResult:
    """Dry-run generate: the verdict for every file (create, update, unchanged, keep,
    conflict, remove, orphan); writes nothing."""
    return call("generate", spec, "--dry-run", *_opt("--out", out))


def generate(
    spec: Spec = DEFAULT_SPEC,
    out: Out = None,
    force: Annotated[bool, Field(description="Overwrite generated files edited by hand.")] = False,
    allow_breaking: Annotated[
        bool, Field(description="Generate although stored events would break.")
    ] = False,
) -> CallToolResult:
    """Generate the package from the spec (also updates eventforge.lock). User-owned files
    are created once and never touched again."""
    extra = [
        *_opt("--out", out),
        *_flag("--force", force),
        *_flag("--allow-breaking", allow_breaking),
    ]
    return call("generate", spec, *extra)


def check(spec: Spec = DEFAULT_SPEC, out: Out = None) -> CallToolResult:
    """The CI gate: are the files on disk exactly what the spec generates? Lists each
    difference (missing, outdated, edited by hand, stale, orphan)."""
    return call("check", spec, *_opt("--out", out), failure_is_an_answer=True)


def context(
    spec: Spec = DEFAULT_SPEC,
    slice: Annotated[
        str | None,
        Field(
            description="A command, read model, automation or aggregate; none for the whole domain."
        ),
    ] = None,
    out: Out = None,
) -> CallToolResult:
    """A compact Markdown brief of the domain or of one slice: fields, rules, events, state
    touched, scenarios, and the files to read and to write; with its size."""
    return call("context", spec, *_opt("--slice", slice), *_opt("--out", out))


def slices(spec: Spec = DEFAULT_SPEC, out: Out = None) -> CallToolResult:
    """Every command, read model and automation with its status: implemented, custom handler
    missing, or not generated; and the files to write."""
    return call("slices", spec, *_opt("--out", out))


def mutants(
    spec: Spec = DEFAULT_SPEC,
    slice: Annotated[
        str | None,
        Field(description="Only one command, read model, automation or aggregate."),
    ] = None,
    out: Out = None,
) -> CallToolResult:
    """Which rules no scenario pins: each rule of the spec is changed one way at a time and the
    scenarios run against it; every change they miss is listed with its location and the
    scenario to add (for a boundary, the values on each side). `ok` is false when any survives
    (an answer, not an error). Run it after adding a rule, then add the scenarios it asks for."""
    return call(
        "mutants",
        spec,
        *_opt("--slice", slice),
        *_opt("--out", out),
        failure_is_an_answer=True,
    )


def remove(
    kind: Kind, name: str, spec: Spec = DEFAULT_SPEC, dry_run: DryRun = False
) -> CallToolResult:
    """Remove a declaration (a command takes its scenarios with it). Refused, with the
    references as errors, while something else still uses it."""
    return call("remove", kind, name, "--spec", spec, *_flag("--dry-run", dry_run))


def remove_field(
    owner: str, name: str, spec: Spec = DEFAULT_SPEC, dry_run: DryRun = False
) -> CallToolResult:
    """Remove field NAME from OWNER (an aggregate's state, a command, event, type or read model)."""
    return call("remove", "field", owner, name, "--spec", spec, *_flag("--dry-run", dry_run))


def remove_scenario(
    owner: str, name: str, spec: Spec = DEFAULT_SPEC, dry_run: DryRun = False
) -> CallToolResult:
    """Remove the scenario called NAME from OWNER (an aggregate, read model or automation)."""
    return call("remove", "scenario", owner, name, "--spec", spec, *_flag("--dry-run", dry_run))


def rename(
    kind: Kind,
    old: str,
    new: str,
    spec: Spec = DEFAULT_SPEC,
    out: Out = None,
    dry_run: DryRun = False,
) -> CallToolResult:
    """Rename a declaration and every reference to it (emits, scenarios, guards, read models,
    automations, field types); lists user-owned files that mention the old name."""
    extra = [*_opt("--out", out), *_flag("--dry-run", dry_run)]
    return call("rename", kind, old, new, "--spec", spec, *extra)


def add_aggregate(
    name: str,
    id: Annotated[
        str | None,
        Field(description="Id field 'name' or 'name:type' (uuid or str); default <name>_id."),
    ] = None,
    state: Fields = [],  # noqa: B006 - pydantic copies defaults
    description: str = "",
    spec: Spec = DEFAULT_SPEC,
    dry_run: DryRun = False,
) -> CallToolResult:
    """Add an aggregate with its state fields."""
    argv = [
        "add",
        "aggregate",
        name,
        *_opt("--id", id),
        *[a for s in state for a in ("--state", s)],
    ]
    return call(
        *argv, *_opt("--description", description), "--spec", spec, *_flag("--dry-run", dry_run)
    )


def add_error(
    aggregate: str, name: str, message: str, spec: Spec = DEFAULT_SPEC, dry_run: DryRun = False
) -> CallToolResult:
    """Add a domain error (used by a command's rejects) to an aggregate."""
    return call(
        "add", "error", aggregate, name, message, "--spec", spec, *_flag("--dry-run", dry_run)
    )


def add_event(
    aggregate: str,
    name: str,
    fields: Fields = [],  # noqa: B006
    apply: Annotated[
        dict[str, Any],
        Field(description='State changes: {"field": literal or "= expression"}.'),
    ] = {},  # noqa: B006
    description: str = "",
    spec: Spec = DEFAULT_SPEC,
    dry_run: DryRun = False,
) -> CallToolResult:
    """Add an event (a past-tense fact) to an aggregate."""
    argv = [
        "add",
        "event",
        aggregate,
        name,
        *_fields(fields),
        *_opt("--apply", _json(apply) if apply else None),
    ]
    return call(
        *argv, *_opt("--description", description), "--spec", spec, *_flag("--dry-run", dry_run)
    )


def add_command(
    aggregate: str,
    name: str,
    emits: Annotated[
        list[str | dict[str, Any]],
        Field(
            description='Events emitted, in order: "Name" or {"Name": {"field": "= command.x"}}.'
        ),
    ],
    fields: Fields = [],  # noqa: B006
    rejects: Annotated[
        list[dict[str, str]],
        Field(description='Guards: [{"if": "state.closed", "error": "AccountIsClosed"}].'),
    ] = [],  # noqa: B006
    creates: Annotated[bool, Field(description="The command starts a new stream.")] = False,
    creates_if_missing: Annotated[
        bool, Field(description="The command runs on a new stream or an existing one.")
    ] = False,
    custom: Annotated[
        bool, Field(description="decide() is hand-written in a user-owned file.")
    ] = False,
    description: str = "",
    spec: Spec = DEFAULT_SPEC,
    dry_run: DryRun = False,
) -> CallToolResult:
    """Add a command to an aggregate."""
    argv = ["add", "command", aggregate, name, *_fields(fields)]
    argv += [a for e in emits for a in ("--emits", e if isinstance(e, str) else _json(e))]
    argv += [a for r in rejects for a in ("--reject", f"{r.get('error', '')}: {r.get('if', '')}")]
    argv += [
        *_flag("--creates", creates),
        *_flag("--creates-if-missing", creates_if_missing),
        *_flag("--custom", custom),
        *_opt("--description", description),
    ]
    return call(*argv, "--spec", spec, *_flag("--dry-run", dry_run))


def add_field(
    owner: str, fields: Fields, spec: Spec = DEFAULT_SPEC, dry_run: DryRun = False
) -> CallToolResult:
    """Add fields to an aggregate's state, a command, an event, a value object or a read model."""
    return call("add", "field", owner, *fields, "--spec", spec, *_flag("--dry-run", dry_run))


def add_scenario(
    owner: Annotated[
        str, Field(description="The aggregate of the command, or a read model or automation.")
    ],
    name: str,
    then: Annotated[
        list[dict[str, Any]],
        Field(
            description='Expected events (or rows, or commands sent): [{"Name": {...}}]; [] with then_nothing.'
        ),
    ] = [],  # noqa: B006
    given: Annotated[
        list[dict[str, Any]],
        Field(description='Past events: [{"EventName": {"field": value}}].'),
    ] = [],  # noqa: B006
    when: Annotated[
        dict[str, Any] | None,
        Field(description='The command: {"CommandName": {"field": value}} (aggregate scenarios).'),
    ] = None,
    then_state: Annotated[
        dict[str, Any] | None, Field(description="Expected state fields after the new events.")
    ] = None,
    then_error: Annotated[
        str | None, Field(description="The error the command must be rejected with.")
    ] = None,
    then_nothing: Annotated[bool, Field(description="Expect nothing to happen.")] = False,
    at: Annotated[
        str | None, Field(description="The time now() reads, like '2024-05-01T10:00:00Z'.")
    ] = None,
    description: str = "",
    spec: Spec = DEFAULT_SPEC,
    dry_run: DryRun = False,
) -> CallToolResult:
    """Add a given-when-then scenario (write it before the code: its test fails until the
    slice works)."""
    argv = [
        "add",
        "scenario",
        owner,
        "--name",
        name,
        *[a for g in given for a in ("--given", _json(g))],
    ]
    argv += [
        *_opt("--when", _json(when) if when else None),
        *[a for t in then for a in ("--then", _json(t))],
    ]
    argv += [
        *_opt("--then-state", _json(then_state) if then_state else None),
        *_opt("--then-error", then_error),
    ]
    argv += [*_flag("--then-nothing", then_nothing), *_opt("--description", description)]
    argv += _opt("--at", at)
    return call(*argv, "--spec", spec, *_flag("--dry-run", dry_run))


def add_read_model(
    name: str,
    key: Annotated[
        str, Field(description="The key field, or several separated by commas: cart_id,sku.")
    ],
    on: Annotated[
        dict[str, Any] | list[str],
        Field(
            description='{"EventName": {"set": {"field": value}}}, {"EventName": "delete"} or '
            '{"EventName": {"delete_where": {"key_field": "= event.x"}}}, each maybe with "if"; '
            "with custom, a list of event names."
        ),
    ],
    fields: Fields = [],  # noqa: B006
    index: Annotated[list[str], Field(description="Row fields rows are also looked up by.")] = [],  # noqa: B006
    custom: Annotated[
        bool, Field(description="update(row, event) is written by hand in a stub.")
    ] = False,
    description: str = "",
    spec: Spec = DEFAULT_SPEC,
    dry_run: DryRun = False,
) -> CallToolResult:
    """Add a read model: rows kept up to date from events."""
    argv = ["add", "read-model", name, "--key", key, *_fields(fields)]
    argv += [a for field in index for a in ("--index", field)]
    if isinstance(on, list):
        argv += [a for event in on for a in ("--on", event)]
    else:
        argv += [a for event, handler in on.items() for a in ("--on", _json({event: handler}))]
    argv += _flag("--custom", custom)
    return call(
        *argv, *_opt("--description", description), "--spec", spec, *_flag("--dry-run", dry_run)
    )


def add_automation(
    name: str,
    send: Annotated[
        dict[str, Any] | list[dict[str, Any]],
        Field(
            description='{"CommandName": {"field": "= event.field"}}, or a list of them, each '
            'with optional "for": "item in items" and "if": "condition".'
        ),
    ],
    on: Annotated[
        str | list[str] | None, Field(description="The event (or events) that trigger it.")
    ] = None,
    on_rejected: Annotated[
        str | None,
        Field(description="Instead of on: the command whose rejection triggers it."),
    ] = None,
    condition: Annotated[str | None, Field(description="Send only when this holds.")] = None,
    reads: Annotated[
        dict[str, Any],
        Field(description='{"items": {"read_model": "R", "where": {"f": "= event.f"}}}.'),
    ] = {},  # noqa: B006
    custom: Annotated[bool, Field(description="send() is hand-written.")] = False,
    description: str = "",
    spec: Spec = DEFAULT_SPEC,
    dry_run: DryRun = False,
) -> CallToolResult:
    """Add an automation: when an event happens (or a command an automation sent is rejected),
    send commands."""
    events = [on] if isinstance(on, str) else list(on or [])
    entries = send if isinstance(send, list) else [send]
    argv = ["add", "automation", name, *(a for e in events for a in ("--on", e))]
    argv += [*_opt("--on-rejected", on_rejected), *_opt("--if", condition)]
    argv += [a for k, v in reads.items() for a in ("--read", _json({k: v}))]
    argv += [a for e in entries for a in ("--send", _json(e))]
    return call(
        *argv,
        *_flag("--custom", custom),
        *_opt("--description", description),
        "--spec",
        spec,
        *_flag("--dry-run", dry_run),
    )


def add_reject(
    command: str,
    condition: Annotated[str, Field(description="When it holds, like 'state.closed'.")],
    error: Annotated[str | None, Field(description="The error it raises.")] = None,
    emits: Annotated[
        list[str | dict[str, Any]],
        Field(description='Or the events it records instead: "Name" or {"Name": {...}}.'),
    ] = [],  # noqa: B006
    spec: Spec = DEFAULT_SPEC,
    dry_run: DryRun = False,
) -> CallToolResult:
    """Add a rule at the end of a command's rejects: it raises an error, or records events."""
    argv = ["add", "reject", command, "--if", condition, *_opt("--error", error)]
    argv += [a for e in emits for a in ("--emits", e if isinstance(e, str) else _json(e))]
    return call(*argv, "--spec", spec, *_flag("--dry-run", dry_run))


def add_emit(
    command: str,
    event: Annotated[
        str | dict[str, Any], Field(description='"Name" or {"Name": {"field": "= command.x"}}.')
    ],
    condition: Annotated[
        str | None, Field(description="Emit it only when this holds (`if:`).")
    ] = None,
    spec: Spec = DEFAULT_SPEC,
    dry_run: DryRun = False,
) -> CallToolResult:
    """Add an event at the end of what a command emits, with an optional `if:`."""
    argv = ["add", "emit", command, event if isinstance(event, str) else _json(event)]
    argv += _opt("--if", condition)
    return call(*argv, "--spec", spec, *_flag("--dry-run", dry_run))


TOOLS = (
    validate,
    plan,
    generate,
    check,
    context,
    slices,
    mutants,
    add_aggregate,
    add_error,
    add_event,
    add_command,
    add_reject,
    add_emit,
    add_field,
    add_scenario,
    add_read_model,
    add_automation,
    remove,
    remove_field,
    remove_scenario,
    rename,
)

"""`eventforge context`: a compact Markdown brief of the domain, or of one slice, for an agent.

The brief of a slice says what the slice is (fields, rules, the events it emits and the state
they touch), shows its scenarios as one-line YAML, and lists the files to read (generated: never
edit) and to write (user-owned). It is meant to be pasted into a language model's context, so it
is kept small; `size()` reports it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.agent import command_forms as forms
from generator.agent.slices import HANDLER_MISSING, Slice, slices
from generator.agent.timelines import plain, timeline_lines, within
from generator.agent.unpinned import unpinned
from generator.spec.load import LoadedSpec
from generator.spec.model import Aggregate, Command, Listened, Spec

_STATE_NAME = re.compile(r"\bstate\.([a-z_][a-z0-9_]*)")


@dataclass(frozen=True)
class Brief:
    slice: str | None
    kind: str  # domain, aggregate, command, read model, automation
    markdown: str

    @property
    def bytes(self) -> int:
        return len(self.markdown.encode("utf-8"))

    @property
    def tokens(self) -> int:
        """A rough estimate (about four bytes per token for English text and code)."""
        return (self.bytes + 3) // 4

    def as_json(self, spec: Path) -> dict[str, Any]:
        return {
            "ok": True,
            "spec": str(spec),
            "slice": self.slice,
            "kind": self.kind,
            "markdown": self.markdown,
            "bytes": self.bytes,
            "tokens_estimate": self.tokens,
        }


@dataclass(frozen=True)
class _Source:
    spec: Spec
    loaded: LoadedSpec
    spec_name: str
    slices: dict[str, Slice]

    def raw(self, *path: str) -> Any:
        current: Any = self.loaded.data
        for key in path:
            current = (current or {}).get(key) if isinstance(current, Mapping) else None
        return current

    def line(self, *path: str | int) -> int:
        return self.loaded.where(path, key=True)[0]


def names(spec: Spec) -> list[str]:
    """What `--slice` accepts: aggregates, commands, read models, automations."""
    found = [a.name for a in spec.aggregates]
    found += [c.name for a in spec.aggregates for c in a.commands]
    found += [r.name for r in spec.read_models] + [a.name for a in spec.automations]
    return found


def brief(
    spec: Spec,
    loaded: LoadedSpec,
    spec_path: Path,
    out: Path,
    name: str | None,
    *,
    mutants: bool = False,
) -> Brief:
    """The brief of the whole domain (`name` None) or of one slice. `name` must be in names().
    With `mutants`, a slice's brief lists the rules no scenario pins (this runs its scenarios)."""
    source = _Source(
        spec, loaded, spec_path.name, {s.name: s for s in slices(spec, spec_path, out)}
    )
    if name is None:
        return Brief(None, "domain", _join(_domain(source)))
    kind, lines = _slice(source, name)
    more = unpinned(spec, loaded, out, name, run=mutants)
    return Brief(name, kind, _join(within([*lines, *more])))


def _slice(source: _Source, name: str) -> tuple[str, list[str]]:
    for aggregate in source.spec.aggregates:
        if aggregate.name == name:
            overview = _aggregate_overview(source, aggregate, heading="#")
            return "aggregate", [*overview, *timeline_lines(source.spec, source.loaded, name, flow)]
        for command in aggregate.commands:
            if command.name == name:
                return "command", _command(source, aggregate, command)
    if any(r.name == name for r in source.spec.read_models):
        return "read model", _read_model(source, name)
    return "automation", _automation(source, name)


def _join(lines: list[str]) -> str:
    return "\n".join(lines).rstrip() + "\n"


# -- small pieces ------------------------------------------------------------------------------


class _FlowDumper(yaml.SafeDumper):
    """One-line YAML in the spec's style: expressions (`= ...`) in double quotes."""


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = '"' if text.startswith("=") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_FlowDumper.add_representer(str, _represent_str)


def flow(value: Any) -> str:
    """One line of YAML, as a scenario would write it."""
    text = yaml.dump(
        plain(value),
        Dumper=_FlowDumper,
        default_flow_style=True,
        sort_keys=False,
        allow_unicode=True,
        width=1_000_000,
    )
    return text.strip().removesuffix("...").strip()


def _fields(raw: Any, *, empty: str = "none") -> str:
    if not isinstance(raw, Mapping) or not raw:
        return empty
    parts = []
    for name, value in raw.items():
        if isinstance(value, Mapping):
            default = f" = {flow(value['default'])}" if "default" in value else ""
            parts.append(f"{name}: {value.get('type')}{default}")
        else:
            parts.append(f"{name}: {value}")
    return ", ".join(parts)


def _event_line(source: _Source, aggregate: str, event: str, *, stream: bool = False) -> str:
    """`Event(field: type, ...)` with its version and `apply`; with the stream id for views."""
    raw = source.raw("aggregates", aggregate, "events", event) or {}
    fields = _fields(raw.get("fields"), empty="")
    if stream:
        id_field = next(a.id_field for a in source.spec.aggregates if a.name == aggregate)
        fields = ", ".join(p for p in (f"{id_field.name}: {id_field.type.spec}", fields) if p)
        return f"{event}({fields})"
    text = f"{event}({fields})"
    if raw.get("version", 1) != 1:
        text += f" version {raw['version']}"
    if raw.get("apply"):
        text += f", apply {flow(raw['apply'])}"
    return text


def _files(slice_: Slice) -> list[str]:
    lines = ["", "## Files"]
    if slice_.write:
        lines += [f"- write (yours): `{p}`" for p in slice_.write]
    else:
        lines.append(f"- write: nothing by hand; change the spec ({slice_.kind} generated from it)")
    lines += [f"- read (generated, never edit): `{p}`" for p in slice_.read]
    return lines


# Scenario lines shown in full, in bytes: a slice that pins every rule on both sides has many,
# and the brief must stay small enough to paste. Past it, a scenario is its name and its line.
_SCENARIO_BUDGET = 1500


def _scenarios(
    source: _Source, items: list[tuple[int, Any]], where: tuple[str, ...], *, with_when: bool
) -> list[str]:
    """`items` are the scenarios with their index in the list at `where`."""
    lines: list[str] = []
    shown = 0
    for index, scenario in items:
        parts = [f"- **{scenario.get('name')}**:"]
        if scenario.get("given"):
            parts.append(f"given {_given(scenario['given'])};")
        if scenario.get("reads"):
            parts.append(f"reads {flow(scenario['reads'])};")
        if with_when and scenario.get("when"):
            parts.append(f"when {flow(scenario['when'])};")
        parts.append(f"then {flow(scenario.get('then'))}")
        line = " ".join(parts)
        shown += len(line.encode("utf-8"))
        if shown > _SCENARIO_BUDGET and lines:
            line = f"- **{scenario.get('name')}**: line {source.line(*where, index)}"
        lines.append(line)
    return lines or ["- none yet: add one first (`eventforge add scenario`), and watch it fail"]


def _given(events: Any) -> str:
    """One-line YAML of the given events, a run of the same event shown once with its count
    (a scenario at a limit of 20 repeats one event 20 times)."""
    runs: list[list[Any]] = []
    for event in events if isinstance(events, list) else [events]:
        text = flow(event)
        if runs and runs[-1][0] == text:
            runs[-1][1] += 1
        else:
            runs.append([text, 1])
    return "[" + ", ".join(t if n == 1 else f"{t} ({n} times)" for t, n in runs) + "]"


def _footer(source: _Source) -> list[str]:
    return [
        "",
        f"Change structure in `{source.spec_name}` (or with `eventforge add|rename|remove`), then "
        f"`eventforge generate {source.spec_name}`, run `python -m pytest`, and `eventforge check "
        f"{source.spec_name}`.",
    ]


# -- the domain --------------------------------------------------------------------------------


def _domain(source: _Source) -> list[str]:
    spec = source.spec
    lines = [f"# {spec.domain}: domain brief", ""]
    if spec.description:
        lines += [spec.description, ""]
    lines.append(f"Spec `{source.spec_name}`, package `{spec.package}` (`src/{spec.package}/`).")
    for aggregate in spec.aggregates:
        lines += ["", *_aggregate_overview(source, aggregate, heading="##")]
    if spec.read_models:
        lines += ["", "## Read models"]
        for read_model in spec.read_models:
            handled = ", ".join(u.event for u in read_model.updates)
            status = source.slices[read_model.name].status
            key = ", ".join(read_model.key_names)
            lines.append(f"- {read_model.name} (key {key}; on {handled}): {status}")
    if spec.automations:
        lines += ["", "## Automations"]
        for automation in spec.automations:
            status = source.slices[automation.name].status
            lines.append(
                f"- {automation.name}: on {', '.join(automation.events)}, "
                f"send {', '.join(automation.commands)}: {status}"
            )
    lines += ["", "One slice in detail: `eventforge context --slice NAME`.", *_footer(source)]
    return lines


def _aggregate_overview(source: _Source, aggregate: Aggregate, *, heading: str) -> list[str]:
    name = aggregate.name
    raw = source.raw("aggregates", name) or {}
    id_field = aggregate.id_field
    lines = [f"{heading} {name} (aggregate; id {id_field.name}: {id_field.type.spec})"]
    if aggregate.description:
        lines.append(aggregate.description)
    lines.append(f"- state: {_fields(raw.get('state'))}")
    if aggregate.errors:
        lines.append(f"- errors: {', '.join(e.name for e in aggregate.errors)}")
    lines.append("- events:")
    lines += [f"  - {_event_line(source, name, e.name)}" for e in aggregate.events]
    lines.append("- commands:")
    for command in aggregate.commands:
        status = source.slices[command.name].status
        flags = (
            "creates, " if command.creates else "creates if missing, " if command.if_missing else ""
        )
        flags += "custom, " if command.custom else ""
        flags += f"reads {', '.join(r.name for r in command.reads)}, " if command.reads else ""
        emits = ", ".join(command.emitted) or "nothing"
        lines.append(f"  - {command.name} ({flags}emits {emits}): {status}")
    return lines


# -- one command -------------------------------------------------------------------------------


def _command(source: _Source, aggregate: Aggregate, command: Command) -> list[str]:
    slice_ = source.slices[command.name]
    where = ("aggregates", aggregate.name, "commands", command.name)
    raw = source.raw(*where) or {}
    handler = (
        "custom: decide() is hand-written"
        if command.custom
        else "declarative: generated from the spec"
    )
    lines = [
        f"# Slice {command.name}: a command of {aggregate.name}",
        "",
        f"Status: **{slice_.status}**. Spec: `{source.spec_name}` line {source.line(*where)}, "
        f"`{'.'.join(where)}`.",
    ]
    if command.description:
        lines.append(command.description)
    lines += [
        "",
        "## Command",
        f"- fields: {aggregate.id_field.name}: {aggregate.id_field.type.spec}"
        + (" (a new one is made)" if command.creates else "")
        + (f", {_fields(raw.get('fields'))}" if raw.get("fields") else ""),
        f"- handler: {handler}" + forms.stream_rule(command),
    ]
    lines += forms.reads(command, raw)
    lines += _rules(source, aggregate, command)
    lines += ["", "## Emits"]
    lines += [f"- {_emit_line(source, aggregate, item)}" for item in raw.get("emits") or []] or [
        "- nothing"
    ]
    lines += _state(source, aggregate, command)
    lines += _types(source, _command_field_maps(source, aggregate, command))
    lines += ["", f"## Scenarios ({slice_.scenarios})"]
    lines += _scenarios(
        source,
        _command_scenarios(source, aggregate.name, command.name),
        ("aggregates", aggregate.name, "scenarios"),
        with_when=True,
    )
    if slice_.status == HANDLER_MISSING:
        lines += [
            "",
            f"To do: write `{slice_.signature}` in `{slice_.write[0]}`; its scenarios fail "
            "until then.",
        ]
    lines += timeline_lines(source.spec, source.loaded, command.name, flow)
    return [*lines, *_files(slice_), *_footer(source)]


def _rules(source: _Source, aggregate: Aggregate, command: Command) -> list[str]:
    if not command.guards:
        return []
    messages = {e.name: e.message for e in aggregate.errors}
    lines = ["", "## Rules (checked in order, before deciding)"]
    lines += [forms.rule(command, i, messages) for i in range(len(command.guards))]
    return lines


def _emit_line(source: _Source, aggregate: Aggregate, item: Any) -> str:
    event, values, condition = forms.emitted_event(item)
    line = _event_line(source, aggregate.name, event)
    line += f", filled with {flow(values)}" if values is not None else ""
    return line + (f", only if `{condition}`" if condition else "")


def _state(source: _Source, aggregate: Aggregate, command: Command) -> list[str]:
    read = sorted({n for g in command.guards for n in _STATE_NAME.findall(g.source)})
    read = [n for n in read if n not in ("exists", "version")] + forms.state_read(
        aggregate, command
    )
    emitted = set(command.emitted)
    changed = sorted({u.target for e in aggregate.events if e.name in emitted for u in e.updates})
    lines = ["", f"## State ({aggregate.state_class})"]
    lines.append(f"- read by its rules: {', '.join(read) or 'nothing'}")
    lines.append(f"- changed by its events: {', '.join(changed) or 'nothing'}")
    lines.append(f"- all fields: {_fields(source.raw('aggregates', aggregate.name, 'state'))}")
    return lines


def _command_field_maps(source: _Source, aggregate: Aggregate, command: Command) -> list[Any]:
    base = ("aggregates", aggregate.name)
    maps = [source.raw(*base, "commands", command.name, "fields"), source.raw(*base, "state")]
    maps += [
        source.raw(*base, "events", e, "fields")
        for e in dict.fromkeys(e.event for e in command.emits)
    ]
    return maps


def _types(source: _Source, field_maps: list[Any]) -> list[str]:
    """The spec's own types these fields use (and the types those use), one line each."""
    declared = source.raw("types") or {}
    pending = [t for m in field_maps for t in _type_names(m, declared)]
    seen: dict[str, None] = {}
    while pending:
        name = pending.pop(0)
        if name not in seen:
            seen[name] = None
            pending += _type_names(declared[name].get("fields"), declared)
    if not seen:
        return []
    lines = ["", "## Types it uses"]
    for name in seen:
        body = declared[name]
        if "enum" in body:
            lines.append(f"- {name}: enum {flow(body['enum'])}")
        else:
            lines.append(f"- {name}: {{{_fields(body.get('fields'), empty='')}}}")
    return lines


def _type_names(fields: Any, declared: Mapping[str, Any]) -> list[str]:
    if not isinstance(fields, Mapping):
        return []
    names = []
    for value in fields.values():
        text = value.get("type") if isinstance(value, Mapping) else value
        names += [w for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", str(text)) if w in declared]
    return names


def _command_scenarios(source: _Source, aggregate: str, command: str) -> list[tuple[int, Any]]:
    items = source.raw("aggregates", aggregate, "scenarios") or []
    return [
        (i, s)
        for i, s in enumerate(items)
        if isinstance(s.get("when"), Mapping) and command in s["when"]
    ]


# -- read models and automations ---------------------------------------------------------------


def _names(raw: Any) -> str:
    """A name, or a list of names, as the spec writes it."""
    return f"[{', '.join(map(str, raw))}]" if isinstance(raw, list) else str(raw)


def _read_model(source: _Source, name: str) -> list[str]:
    slice_ = source.slices[name]
    where = ("read_models", name)
    raw = source.raw(*where) or {}
    lines = [
        f"# Slice {name}: a read model",
        "",
        f"Status: **{slice_.status}**. Spec: `{source.spec_name}` line {source.line(*where)}, `read_models.{name}`.",
    ]
    if raw.get("description"):
        lines.append(str(raw["description"]))
    lines += [
        "",
        "## Rows",
        f"- key: {_names(raw.get('key'))}; fields: {_fields(raw.get('fields'))}"
        + (f"; index: {_names(raw.get('index'))}" if raw.get("index") else "")
        + (
            "; update(): hand-written (`handler: custom`)" if raw.get("handler") == "custom" else ""
        ),
        "",
        "## On",
    ]
    handlers = raw.get("on") or {}
    if isinstance(handlers, list):  # `handler: custom`: the events its update() takes
        handlers = dict.fromkeys(handlers, "custom update()")
    for event, handler in handlers.items():
        aggregate = _aggregate_of(source, str(event))
        line = _event_line(source, aggregate, str(event), stream=True)
        lines.append(f"- {line}: {flow(handler)}")
    lines += [
        "",
        f"## Scenarios ({slice_.scenarios})",
        *_scenarios(
            source,
            list(enumerate(raw.get("scenarios") or [])),
            (*where, "scenarios"),
            with_when=False,
        ),
        *timeline_lines(source.spec, source.loaded, name, flow),
    ]
    return [*lines, *_files(slice_), *_footer(source)]


def _automation(source: _Source, name: str) -> list[str]:
    slice_ = source.slices[name]
    where = ("automations", name)
    raw = source.raw(*where) or {}
    lines = [
        f"# Slice {name}: an automation",
        "",
        f"Status: **{slice_.status}**. Spec: `{source.spec_name}` line {source.line(*where)}, `automations.{name}`.",
    ]
    if raw.get("description"):
        lines.append(str(raw["description"]))
    automation = next(a for a in source.spec.automations if a.name == name)
    lines += ["", "## Trigger and commands", *(_trigger(source, e) for e in automation.listens)]
    lines += [f"- {key}: {flow(raw[key])}" for key in ("if", "reads", "handler") if key in raw]
    lines += [
        f"- send: {flow(raw.get('send'))}",
        "",
        f"## Scenarios ({slice_.scenarios})",
        *_scenarios(
            source,
            list(enumerate(raw.get("scenarios") or [])),
            (*where, "scenarios"),
            with_when=False,
        ),
        *timeline_lines(source.spec, source.loaded, name, flow),
    ]
    return [*lines, *_files(slice_), *_footer(source)]


def _trigger(source: _Source, event: Listened) -> str:
    owner = _aggregate_of(source, event.name)
    if event.rejected:
        return f"- on the rejection of {event.rejected}: `event` is {event.name} (its fields, `error`, `message`)"
    if owner:
        return f"- on: {_event_line(source, owner, event.name, stream=True)}"
    return f"- on: {event.name} (an external event, recorded by `app.record`)"


def _aggregate_of(source: _Source, event: str) -> str:
    for aggregate in source.spec.aggregates:
        if any(e.name == event for e in aggregate.events):
            return aggregate.name
    return ""

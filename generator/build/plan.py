"""Step 4, plan: the files a spec produces, each with its template and owner.

Paths are built from validated identifiers only, so no spec text can steer a write elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: write.py imports Owner, and a generate starts faster
    from generator.evolution.lock import Lock
    from generator.spec.model import Aggregate, Automation, Command, Event, ReadModel, Spec


class Owner(StrEnum):
    GENERATED = "generated"  # rewritten on every generate; hand edits are refused
    USER = "user"  # created once when missing, never touched again


@dataclass(frozen=True)
class PlannedFile:
    path: str  # relative, POSIX style
    template: str
    owner: Owner
    origin: str = ""  # which part of the spec the file comes from, for its header
    context: Mapping[str, Any] = field(default_factory=dict)
    # For user files: what the generated code expects the file to provide. When it changes, the
    # user is told which file needs attention.
    signature: str = ""


def command_signature(command: Command, id_field: str) -> str:
    fields = ", ".join([id_field, *(f"{f.name}: {f.type.spec}" for f in command.fields)])
    emits = " | ".join(command.emitted) or "nothing"
    reads = "".join(f", {r.name}: {r.annotation}" for r in command.reads)
    return (
        f"decide({command.name}({fields}), state{', *' if reads else ''}{reads}) -> list[{emits}]"
    )


def custom_path(spec: Spec, command: Command) -> str:
    return f"src/{spec.package}/{_module(spec, command.aggregate)}/custom/{command.module}.py"


def custom_automation_path(spec: Spec, automation: Automation) -> str:
    return f"src/{spec.package}/automations/custom/{automation.module}.py"


def automation_signature(automation: Automation) -> str:
    reads = "".join(f", {r.name}: {r.annotation}" for r in automation.reads)
    on = " | ".join(automation.events)
    return f"send(event: {on}{', *' if reads else ''}{reads}) -> list[{' | '.join(automation.commands)}]"


def read_model_custom_path(spec: Spec, read_model: ReadModel) -> str:
    return f"src/{spec.package}/read_models/custom/{read_model.module}.py"


def read_model_signature(read_model: ReadModel) -> str:
    events = " | ".join(read_model.handled_events)
    row = read_model.row_class
    return f"update(row: {row} | None, event: {events}) -> {row} | None"


def upcast_path(spec: Spec, event: Event) -> str:
    return f"src/{spec.package}/{_module(spec, event.aggregate)}/custom/upcast_{event.module}.py"


def _old_versions(lock: Lock | None, event: Event) -> list[str]:
    history = ((lock or {}).get("events", {}).get(event.name) or {}).get("history", {})
    return [v for v in history if int(v) < event.version]


def _module(spec: Spec, aggregate: str) -> str:
    return next(a.module for a in spec.aggregates if a.name == aggregate)


def plan(spec: Spec, lock: Lock | None = None) -> list[PlannedFile]:
    src = f"src/{spec.package}"
    files = [
        PlannedFile("pyproject.toml", "project/pyproject.toml.jinja", Owner.USER),
        PlannedFile("README.md", "project/README.md.jinja", Owner.GENERATED),
        *_agent_files(spec),
        PlannedFile(f"{src}/__init__.py", "package/__init__.py.jinja", Owner.GENERATED),
        PlannedFile(f"{src}/runtime.py", "package/runtime.py.jinja", Owner.GENERATED),
        PlannedFile(f"{src}/values.py", "package/values.py.jinja", Owner.GENERATED),
        PlannedFile(f"{src}/clock.py", "package/clock.py.jinja", Owner.GENERATED),
        PlannedFile(f"{src}/testing.py", "package/testing.py.jinja", Owner.GENERATED),
        PlannedFile(f"{src}/application.py", "package/application.py.jinja", Owner.GENERATED),
        PlannedFile("tests/test_bad_input.py", "tests/test_bad_input.py.jinja", Owner.GENERATED),
    ]
    if any(r.scenarios for r in spec.read_models) or any(a.scenarios for a in spec.automations):
        # Each aggregate's store tests are its own file (_aggregate_files): this one holds
        # those of the read models and automations.
        files.append(
            PlannedFile("tests/test_store.py", "tests/test_store.py.jinja", Owner.GENERATED)
        )
    if spec.timelines:
        files.append(
            PlannedFile(
                "tests/test_timelines.py",
                "tests/test_timelines.py.jinja",
                Owner.GENERATED,
                "timelines",
            )
        )
    if any(e.version > 1 and _old_versions(lock, e) for a in spec.aggregates for e in a.events):
        files.append(
            PlannedFile(
                "tests/test_upcasting.py",
                "tests/test_upcasting.py.jinja",
                Owner.GENERATED,
                "event versions",
            )
        )
    files.append(
        PlannedFile(f"{src}/projections.py", "package/projections.py.jinja", Owner.GENERATED)
    )
    files.append(PlannedFile(f"{src}/tables.py", "package/tables.py.jinja", Owner.GENERATED))
    files.append(PlannedFile(f"{src}/follower.py", "package/follower.py.jinja", Owner.GENERATED))
    files.append(PlannedFile(f"{src}/cli.py", "package/cli.py.jinja", Owner.GENERATED))
    files.append(PlannedFile(f"{src}/__main__.py", "package/main.py.jinja", Owner.GENERATED))
    if spec.read_models:
        files.append(
            PlannedFile(
                f"{src}/read_models/__init__.py",
                "package/views_init.py.jinja",
                Owner.GENERATED,
                "read models",
                {"what": "Read models: views built from events."},
            )
        )
    if any(r.custom for r in spec.read_models):
        files.append(
            PlannedFile(
                f"{src}/read_models/custom/__init__.py",
                "package/custom_read_models_init.py.jinja",
                Owner.USER,
                "read models",
            )
        )
    if spec.automations:
        files.append(
            PlannedFile(
                f"{src}/automations/__init__.py",
                "package/views_init.py.jinja",
                Owner.GENERATED,
                "automations",
                {"what": "Automations: when an event happens, send a command."},
            )
        )
    for read_model in spec.read_models:
        context = {"read_model": read_model}
        files.append(
            PlannedFile(
                f"{src}/read_models/{read_model.module}.py",
                "slice/read_model.py.jinja",
                Owner.GENERATED,
                read_model.name,
                context,
            )
        )
        if read_model.custom:
            files.append(
                PlannedFile(
                    read_model_custom_path(spec, read_model),
                    "slice/custom_read_model.py.jinja",
                    Owner.USER,
                    read_model.name,
                    context,
                    read_model_signature(read_model),
                )
            )
        if read_model.scenarios:
            files.append(
                PlannedFile(
                    f"tests/read_models/test_{read_model.module}.py",
                    "tests/test_read_model.py.jinja",
                    Owner.GENERATED,
                    f"{read_model.name} scenarios",
                    context,
                )
            )
    if spec.rejected_commands:
        files.append(
            PlannedFile(
                f"{src}/automations/rejected.py",
                "package/rejected.py.jinja",
                Owner.GENERATED,
                "rejected commands",
            )
        )
    if spec.external_events:
        files.append(
            PlannedFile(
                f"{src}/external_events.py",
                "package/external_events.py.jinja",
                Owner.GENERATED,
                "external events",
            )
        )
    if any(a.custom for a in spec.automations):
        files.append(
            PlannedFile(
                f"{src}/automations/custom/__init__.py",
                "package/custom_automations_init.py.jinja",
                Owner.USER,
                "automations",
            )
        )
    for automation in spec.automations:
        policy_context = {"automation": automation}
        if automation.custom:
            files.append(
                PlannedFile(
                    custom_automation_path(spec, automation),
                    "slice/custom_automation.py.jinja",
                    Owner.USER,
                    automation.name,
                    policy_context,
                    automation_signature(automation),
                )
            )
        files.append(
            PlannedFile(
                f"{src}/automations/{automation.module}.py",
                "slice/automation.py.jinja",
                Owner.GENERATED,
                automation.name,
                policy_context,
            )
        )
        if automation.scenarios:
            files.append(
                PlannedFile(
                    f"tests/automations/test_{automation.module}.py",
                    "tests/test_automation.py.jinja",
                    Owner.GENERATED,
                    f"{automation.name} scenarios",
                    policy_context,
                )
            )
    if spec.has_types:
        files.append(
            PlannedFile(f"{src}/types.py", "package/types.py.jinja", Owner.GENERATED, "types")
        )
    for aggregate in spec.aggregates:
        files.extend(_aggregate_files(spec, aggregate))
    return sorted(files, key=lambda f: f.path)


def _agent_files(spec: Spec) -> list[PlannedFile]:
    """AGENTS.md (and CLAUDE.md, pointing to it): how an agent works on the generated project."""
    handlers = [
        {"path": custom_path(spec, c), "signature": command_signature(c, a.id_field.name)}
        for a in spec.aggregates
        for c in a.commands
        if c.custom
    ] + [
        {"path": read_model_custom_path(spec, r), "signature": read_model_signature(r)}
        for r in spec.read_models
        if r.custom
    ]
    handlers += [
        {"path": custom_automation_path(spec, a), "signature": automation_signature(a)}
        for a in spec.automations
        if a.custom
    ]
    context = {"handlers": handlers, "example": _example_names(spec)}
    return [
        PlannedFile(
            "AGENTS.md", "project/AGENTS.md.jinja", Owner.GENERATED, "agent instructions", context
        ),
        PlannedFile("CLAUDE.md", "project/CLAUDE.md.jinja", Owner.GENERATED, "agent instructions"),
    ]


def _example_names(spec: Spec) -> dict[str, str]:
    """Real names for AGENTS.md's example: an aggregate, an event it starts with, a command."""
    aggregate = next((a for a in spec.aggregates if a.commands), spec.aggregates[0])
    creating = next((c for c in aggregate.commands if c.creates), None)
    command = next((c for c in aggregate.commands if not c.creates), creating)
    first = creating.emits[0].event if creating and creating.emits else None
    given = first or (aggregate.events[0].name if aggregate.events else "SomethingHappened")
    then = command.emits[0].event if command and command.emits else given
    return {
        "aggregate": aggregate.name,
        "given": given,
        "when": command.name if command else "DoSomething",
        "then": then,
    }


def _aggregate_files(spec: Spec, aggregate: Aggregate) -> list[PlannedFile]:
    base = f"src/{spec.package}/{aggregate.module}"
    context = {"aggregate": aggregate}
    origin = aggregate.name
    files = [
        PlannedFile(
            f"{base}/__init__.py", "aggregate/__init__.py.jinja", Owner.GENERATED, origin, context
        ),
        PlannedFile(
            f"{base}/state.py", "aggregate/state.py.jinja", Owner.GENERATED, origin, context
        ),
        PlannedFile(
            f"{base}/events.py", "aggregate/events.py.jinja", Owner.GENERATED, origin, context
        ),
        PlannedFile(
            f"{base}/errors.py", "aggregate/errors.py.jinja", Owner.GENERATED, origin, context
        ),
        PlannedFile(
            f"{base}/evolve.py", "aggregate/evolve.py.jinja", Owner.GENERATED, origin, context
        ),
        PlannedFile(
            f"{base}/decider.py", "aggregate/decider.py.jinja", Owner.GENERATED, origin, context
        ),
    ]
    customs = [c for c in aggregate.commands if c.custom]
    upcasters = [e for e in aggregate.events if e.custom_upcasts]
    if customs or upcasters:
        files.append(
            PlannedFile(
                f"{base}/custom/__init__.py",
                "aggregate/custom_init.py.jinja",
                Owner.USER,
                origin,
                context,
            )
        )
    for event in upcasters:
        functions = ", ".join(f"{u.function}(data)" for u in event.custom_upcasts)
        files.append(
            PlannedFile(
                upcast_path(spec, event),
                "aggregate/custom_upcast.py.jinja",
                Owner.USER,
                f"{aggregate.name}.{event.name}",
                {**context, "event": event},
                functions,
            )
        )
    if aggregate.events:
        files.append(
            PlannedFile(
                f"tests/{aggregate.module}/test_{aggregate.module}_store.py",
                "tests/test_aggregate_store.py.jinja",
                Owner.GENERATED,
                f"{origin} on real stores",
                {**context, "store": True},
            )
        )
    for command in aggregate.commands:
        command_context = {**context, "command": command}
        command_origin = f"{aggregate.name}.{command.name}"
        files.append(
            PlannedFile(
                f"{base}/{command.module}.py",
                "slice/command.py.jinja",
                Owner.GENERATED,
                command_origin,
                command_context,
            )
        )
        if command.custom:
            files.append(
                PlannedFile(
                    custom_path(spec, command),
                    "slice/custom_command.py.jinja",
                    Owner.USER,
                    command_origin,
                    command_context,
                    command_signature(command, aggregate.id_field.name),
                )
            )
        scenarios = aggregate.scenarios_for(command.name)
        if scenarios:
            files.append(
                PlannedFile(
                    f"tests/{aggregate.module}/test_{command.module}.py",
                    "tests/test_command.py.jinja",
                    Owner.GENERATED,
                    f"{command_origin} scenarios",
                    {**command_context, "scenarios": scenarios},
                )
            )
    return files

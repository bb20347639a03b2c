"""Step 4, plan: the files a spec produces, each with its template and owner.

Paths are built from validated identifiers only, so no spec text can steer a write elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from generator.model import Aggregate, Command, Spec


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


def custom_path(spec: Spec, command: Command) -> str:
    return f"src/{spec.package}/{_module(spec, command.aggregate)}/custom/{command.module}.py"


def _module(spec: Spec, aggregate: str) -> str:
    return next(a.module for a in spec.aggregates if a.name == aggregate)


def plan(spec: Spec) -> list[PlannedFile]:
    src = f"src/{spec.package}"
    files = [
        PlannedFile("pyproject.toml", "pyproject.toml.jinja", Owner.USER),
        PlannedFile("README.md", "README.md.jinja", Owner.GENERATED),
        PlannedFile(f"{src}/__init__.py", "__init__.py.jinja", Owner.GENERATED),
        PlannedFile(f"{src}/runtime.py", "runtime.py.jinja", Owner.GENERATED),
        PlannedFile(f"{src}/testing.py", "testing.py.jinja", Owner.GENERATED),
        PlannedFile(f"{src}/application.py", "application.py.jinja", Owner.GENERATED),
        PlannedFile("tests/test_store.py", "test_store.py.jinja", Owner.GENERATED),
    ]
    if spec.has_types:
        files.append(PlannedFile(f"{src}/types.py", "types.py.jinja", Owner.GENERATED, "types"))
    for aggregate in spec.aggregates:
        files.extend(_aggregate_files(spec, aggregate))
    return sorted(files, key=lambda f: f.path)


def _aggregate_files(spec: Spec, aggregate: Aggregate) -> list[PlannedFile]:
    base = f"src/{spec.package}/{aggregate.module}"
    context = {"aggregate": aggregate}
    origin = aggregate.name
    files = [
        PlannedFile(f"{base}/__init__.py", "aggregate_init.py.jinja", Owner.GENERATED, origin, context),
        PlannedFile(f"{base}/state.py", "state.py.jinja", Owner.GENERATED, origin, context),
        PlannedFile(f"{base}/events.py", "events.py.jinja", Owner.GENERATED, origin, context),
        PlannedFile(f"{base}/errors.py", "errors.py.jinja", Owner.GENERATED, origin, context),
        PlannedFile(f"{base}/evolve.py", "evolve.py.jinja", Owner.GENERATED, origin, context),
        PlannedFile(f"{base}/decider.py", "decider.py.jinja", Owner.GENERATED, origin, context),
    ]
    customs = [c for c in aggregate.commands if c.custom]
    if customs:
        files.append(PlannedFile(f"{base}/custom/__init__.py", "custom_init.py.jinja", Owner.USER, origin, context))
    for command in aggregate.commands:
        command_context = {**context, "command": command}
        command_origin = f"{aggregate.name}.{command.name}"
        files.append(PlannedFile(f"{base}/{command.module}.py", "command.py.jinja", Owner.GENERATED,
                                 command_origin, command_context))
        if command.custom:
            files.append(PlannedFile(custom_path(spec, command), "custom_command.py.jinja", Owner.USER,
                                     command_origin, command_context))
        scenarios = aggregate.scenarios_for(command.name)
        if scenarios:
            files.append(PlannedFile(f"tests/{aggregate.module}/test_{command.module}.py", "test_command.py.jinja",
                                     Owner.GENERATED, f"{command_origin} scenarios",
                                     {**command_context, "scenarios": scenarios}))
    return files

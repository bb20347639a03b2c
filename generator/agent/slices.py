"""Vertical slices of a spec (a command, a read model, an automation), their files and status.

A slice's files are the planned files whose origin is the slice; its status says what is left
to do: `not generated` (run generate), `custom handler missing` (write the hand-written decide()
the stub asks for) or `implemented`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.build.plan import Owner, PlannedFile, plan
from generator.build.stubs import is_stub
from generator.evolution.lock import lock_path, read_lock
from generator.spec.diagnostics import SpecError
from generator.spec.model import Aggregate, Command, Spec

IMPLEMENTED = "implemented"
NOT_GENERATED = "not generated"
HANDLER_MISSING = "custom handler missing"


@dataclass(frozen=True)
class Slice:
    name: str
    kind: str  # command, read model, automation
    aggregate: str  # the command's aggregate; "" for the others
    status: str
    scenarios: int
    write: tuple[str, ...]  # user-owned files to write in
    read: tuple[str, ...]  # generated files worth reading (never edit them)
    signature: str = ""  # what the user file must provide, for a custom command

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "aggregate": self.aggregate,
            "status": self.status,
            "scenarios": self.scenarios,
            "files": {"write": list(self.write), "read": list(self.read)},
            "signature": self.signature,
        }


def planned_files(spec: Spec, spec_path: Path) -> list[PlannedFile]:
    try:
        lock = read_lock(lock_path(spec_path))
    except SpecError:  # a broken lock only changes which upcasting tests are planned
        lock = None
    return plan(spec, lock)


def slices(spec: Spec, spec_path: Path, out: Path) -> list[Slice]:
    files = planned_files(spec, spec_path)
    found: list[Slice] = []
    for aggregate in spec.aggregates:
        for command in aggregate.commands:
            found.append(_command_slice(aggregate, command, files, out))
    for read_model in spec.read_models:
        found.append(
            _view_slice(read_model.name, "read model", len(read_model.scenarios), files, out)
        )
    for automation in spec.automations:
        found.append(
            _view_slice(automation.name, "automation", len(automation.scenarios), files, out)
        )
    return found


def _of(files: list[PlannedFile], origin: str) -> list[PlannedFile]:
    return [f for f in files if f.origin in (origin, f"{origin} scenarios")]


def _command_slice(
    aggregate: Aggregate, command: Command, files: list[PlannedFile], out: Path
) -> Slice:
    own = _of(files, f"{aggregate.name}.{command.name}")
    shared = [
        f
        for f in files
        if f.origin == aggregate.name and f.path.rsplit("/", 1)[-1] in _SHARED_MODULES
    ]
    write = tuple(f.path for f in own if f.owner is Owner.USER)
    read = tuple(f.path for f in [*own, *shared] if f.owner is Owner.GENERATED)
    return Slice(
        name=command.name,
        kind="command",
        aggregate=aggregate.name,
        status=_status(own, out),
        scenarios=len(aggregate.scenarios_for(command.name)),
        write=write,
        read=read,
        signature=next((f.signature for f in own if f.owner is Owner.USER), ""),
    )


_SHARED_MODULES = ("state.py", "events.py", "errors.py")


def _view_slice(name: str, kind: str, scenarios: int, files: list[PlannedFile], out: Path) -> Slice:
    own = _of(files, name)
    return Slice(
        name=name,
        kind=kind,
        aggregate="",
        status=_status(own, out),
        scenarios=scenarios,
        write=tuple(f.path for f in own if f.owner is Owner.USER),
        read=tuple(f.path for f in own if f.owner is Owner.GENERATED),
    )


def _status(files: list[PlannedFile], out: Path) -> str:
    if not files or any(not (out / f.path).is_file() for f in files):
        return NOT_GENERATED
    if any(f.owner is Owner.USER and is_stub(out / f.path) for f in files):
        return HANDLER_MISSING
    return IMPLEMENTED

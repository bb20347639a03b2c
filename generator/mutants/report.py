"""The analysis end to end (catalog, run, report) and its text and JSON forms."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.build.plan import custom_path
from generator.mutants.catalog import catalog
from generator.mutants.locate import dotted, position
from generator.mutants.mutant import Mutant
from generator.mutants.run import Harness, harness
from generator.spec.load import LoadedSpec
from generator.spec.model import Spec


@dataclass(frozen=True)
class Survivor:
    mutant: Mutant
    line: int
    column: int

    @property
    def owner(self) -> str:
        """What the rule is written under: a command, an event (its `apply`), a read model or an
        automation."""
        path = self.mutant.path
        return str(path[3] if path[0] == "aggregates" else path[1])

    def as_json(self, file: str) -> dict[str, Any]:
        return {
            "code": self.mutant.operator,
            "file": file,
            "path": dotted(self.mutant.path),
            "line": self.line,
            "column": self.column,
            "owner": self.owner,
            "rule": self.mutant.rule,
            "mutation": self.mutant.mutation,
            "suggestion": self.mutant.suggestion,
        }

    def as_text(self, file: str) -> str:
        return (
            f"{file}:{self.line}:{self.column}: survived[{self.mutant.operator}]: "
            f"{self.mutant.rule}: {self.mutant.mutation} — {self.mutant.suggestion}"
        )


@dataclass(frozen=True)
class Report:
    file: str
    slice: str | None
    mutants: int  # run, equivalent ones left out
    killed: int
    survivors: tuple[Survivor, ...]
    notes: tuple[str, ...]
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.survivors

    def summary(self) -> str:
        return (
            f"{self.mutants} mutants, {self.killed} killed, {len(self.survivors)} survived "
            f"in {self.seconds:.2f} s"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "spec": self.file,
            "slice": self.slice,
            "mutants": self.mutants,
            "killed": self.killed,
            "survived": [s.as_json(self.file) for s in self.survivors],
            "notes": list(self.notes),
            "seconds": round(self.seconds, 3),
        }


def analyze(
    spec: Spec, loaded: LoadedSpec, *, project: Path | None = None, slice: str | None = None
) -> Report:
    """Mutate every rule of `spec` (or of one slice) and run its scenarios against each. The
    hand-written files (custom handlers) come from `project`, the generated package's folder."""
    started = time.perf_counter()
    mutants, notes = catalog(spec, loaded)
    if slice is not None:
        mutants = [m for m in mutants if slice in m.slices]
        notes = [n for n in notes if n.startswith(f"{slice}:")]
    killed = 0
    survivors: list[Survivor] = []
    ran = 0
    with harness(spec, project) as package:
        notes += _harness_notes(package)
        for mutant in mutants:
            outcome = package.run(mutant)
            if outcome is None:
                continue  # equivalent: the generated code did not change
            ran += 1
            if outcome:
                killed += 1
            else:
                line, column = position(loaded, mutant.path)
                survivors.append(Survivor(mutant, line, column))
    return Report(
        file=loaded.file,
        slice=slice,
        mutants=ran,
        killed=killed,
        survivors=tuple(survivors),
        notes=tuple(notes),
        seconds=time.perf_counter() - started,
    )


def _harness_notes(package: Harness) -> list[str]:
    """What could not take part: missing handlers, test files that do not import, failing
    scenarios (a test that fails already cannot tell a mutant from the original)."""
    notes = []
    stubbed_tests: set[str] = set()
    for aggregate in package.spec.aggregates:
        for command in aggregate.commands:
            handler = custom_path(package.spec, command)
            if command.custom and handler in package.stubs:
                stubbed_tests.add(f"tests/{aggregate.module}/test_{command.module}.py")
                notes.append(
                    f"{command.name}: {handler} is missing, so its scenarios that reach "
                    "decide() fail and kill nothing (write it, or pass --out)"
                )
    notes += [f"{path} does not import: {error}" for path, error in package.broken.items()]
    notes += [
        f"{name} fails without any mutant, so it kills nothing: fix it first"
        for name in sorted(package.failing)
        if name.split("::")[0] not in stubbed_tests
    ]
    return notes

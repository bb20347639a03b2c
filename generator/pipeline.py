"""The pipeline end to end: spec file -> validated model -> planned, rendered, formatted files.

The CLI (and tests) call these; each step lives in its own module.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from generator import __version__
from generator.diagnostics import Diagnostic, SpecError, has_errors
from generator.format import format_sources
from generator.model import Spec
from generator.plan import Owner, plan
from generator.render import render_all
from generator.validate import validate_file
from generator.write import FileState, apply_writes, plan_writes


@dataclass(frozen=True)
class Output:
    spec: Spec
    files: dict[str, str]
    owners: dict[str, Owner]
    diagnostics: list[Diagnostic]  # warnings


def produce(spec_path: Path) -> Output:
    """Validate and render a spec. Raises SpecError with every problem found."""
    spec, diagnostics = validate_file(spec_path)
    if spec is None or has_errors(diagnostics):
        raise SpecError(diagnostics)
    planned = plan(spec)
    rendered = render_all(spec, planned)
    formatted = format_sources(rendered, spec.package)
    return Output(spec, formatted, {p.path: p.owner for p in planned}, diagnostics)


def compare(output: Output, out: Path) -> list[FileState]:
    return plan_writes(out, output.files, output.owners)


def write(output: Output, out: Path, states: list[FileState], *, spec_path: Path, force: bool) -> None:
    spec_hash = hashlib.sha256(spec_path.read_bytes()).hexdigest()
    extra = {"generator": f"eventforge {__version__}", "spec_sha256": spec_hash}
    apply_writes(out, output.files, states, force=force, manifest_extra=extra)

"""The rules of a slice that no scenario pins, for `eventforge context --slice NAME --mutants`.

Not run by default: it renders the package and runs its scenarios against every mutant of the
slice (about half a second for the examples, against a tenth for the brief alone), and agents
ask for context often, to read, not to test. Without the flag the brief says how to ask.
"""

from __future__ import annotations

from pathlib import Path

from generator.spec.load import LoadedSpec
from generator.spec.model import Spec


def unpinned(spec: Spec, loaded: LoadedSpec, out: Path, name: str, *, run: bool) -> list[str]:
    """Markdown lines: the slice's surviving mutants, one line per rule and suggestion."""
    if not run:
        return ["", f"Rules no scenario pins: `eventforge mutants --slice {name}`."]
    from generator.mutants.report import analyze  # only here: it imports the renderer

    report = analyze(spec, loaded, project=out, slice=name)
    grouped: dict[tuple[int, str, str], list[str]] = {}
    for survivor in report.survivors:
        key = (survivor.line, survivor.mutant.rule, survivor.mutant.suggestion)
        grouped.setdefault(key, []).append(survivor.mutant.mutation)
    lines = [
        "",
        f"## Rules no scenario pins ({len(report.survivors)} of {report.mutants} mutants survive)",
    ]
    lines += [
        f"- line {line}, {rule}: {'; '.join(mutations)}. To pin it: {suggestion}"
        for (line, rule, suggestion), mutations in grouped.items()
    ] or ["- none: a scenario notices every change to its rules"]
    return lines

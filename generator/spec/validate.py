"""Step 2, validate: shape (JSON Schema) first, then meaning. Returns the model when valid."""

from __future__ import annotations

from pathlib import Path

from generator.spec.analyze import analyze
from generator.spec.analyze.reuse import UnitMemo
from generator.spec.diagnostics import Diagnostic, SpecError, has_errors, sort_key
from generator.spec.load import LoadedSpec, load_file
from generator.spec.model import Spec
from generator.spec.partial import meaning_of_the_rest
from generator.spec.schema import shape_problems
from generator.support.gcpause import paused_gc


def validate_loaded(
    loaded: LoadedSpec, memo: UnitMemo | None = None
) -> tuple[Spec | None, list[Diagnostic]]:
    """`memo`: the last analysis's units to reuse where they still hold (analyze/reuse.py)."""
    shape, places = shape_problems(loaded)
    if has_errors(shape):
        # The meaning checks assume the shape: they run on the parts whose shape is right, so
        # that one run reports every problem (see partial.py).
        return None, sorted(shape + meaning_of_the_rest(loaded, places), key=sort_key)
    spec, diagnostics = analyze(loaded, memo)
    return spec, sorted(shape + diagnostics, key=sort_key)


def validate_file(path: Path) -> tuple[Spec | None, list[Diagnostic]]:
    """Load and validate a spec file; never raises for a bad spec (I/O errors carry E100)."""
    _, spec, diagnostics = validate_path(path)
    return spec, diagnostics


def validate_path(path: Path) -> tuple[LoadedSpec | None, Spec | None, list[Diagnostic]]:
    """validate_file, with the loaded data (None when it could not be loaded)."""
    with paused_gc():
        try:
            loaded = load_file(path)
        except SpecError as exc:
            return None, None, exc.diagnostics
        return loaded, *validate_loaded(loaded)

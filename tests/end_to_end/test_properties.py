"""Properties that hold for every valid spec, and for every broken one.

Specs come from tests/spec_strategies/. CI runs a small, fixed set of examples (derandomized, and
the valid specs from a fixed seed, so a failure reproduces and the coverage test counts the very
specs the rendering test runs); the generated packages get two or three scenarios per command,
since a package costs about the same with more. `EVENTFORGE_HYPOTHESIS_PROFILE=long python -m pytest
tests/end_to_end/test_properties.py` runs thousands with fresh randomness, and type-checks each
generated package with mypy too.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import cli, run_pytest, write_stubs
from hypothesis import HealthCheck, Phase, given, seed, settings
from ruff.__main__ import find_ruff_bin
from spec_strategies import FEATURES, Built, mutated_specs, valid_specs

from generator.build.pipeline import produce
from generator.spec.codes import CODES
from generator.spec.diagnostics import Diagnostic, Level, SpecError
from generator.spec.validate import validate_file

PROFILE = os.environ.get("EVENTFORGE_HYPOTHESIS_PROFILE", "ci")
_COMMON = {
    "deadline": None,
    "database": None,
    "print_blob": True,
    "suppress_health_check": list(HealthCheck),
}
# CI reports a failure as found, with its blob to reproduce it, and does not shrink it: shrinking
# a failing package took five minutes of CI's twelve.
settings.register_profile(
    "ci",
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    **_COMMON,  # type: ignore[arg-type]
)
settings.register_profile("long", derandomize=False, **_COMMON)  # type: ignore[arg-type]
# Like long, but a failure is reported as found, without minutes of shrinking (for bug hunts).
settings.register_profile(
    "hunt",
    derandomize=False,
    phases=[Phase.explicit, Phase.generate],
    **_COMMON,  # type: ignore[arg-type]
)
settings.load_profile(PROFILE)

# Examples per property: (ci, long).
_EXAMPLES = {"mutation": (200, 5000), "valid": (50, 2000), "package": (4, 200)}


def examples(name: str) -> int:
    """Examples for a property in this profile; EVENTFORGE_HYPOTHESIS_EXAMPLES overrides them for
    a run of a given size (`mutation=2000,package=60`)."""
    ci, long = _EXAMPLES[name]
    chosen = dict(
        item.split("=", 1)
        for item in os.environ.get("EVENTFORGE_HYPOTHESIS_EXAMPLES", "").split(",")
        if "=" in item
    )
    return int(chosen[name]) if name in chosen else ci if PROFILE == "ci" else long


def _ci_seed(test: Callable[..., Any]) -> Callable[..., Any]:
    """In the CI profile, the valid-spec properties draw from one fixed seed: the coverage test
    below sees exactly the specs test_a_valid_spec_validates_and_renders runs."""
    return seed(20)(test) if PROFILE == "ci" else test


def _located(diagnostics: list[Diagnostic], text: str) -> None:
    """Every diagnostic has a registered code, a message and a position inside the file."""
    lines = text.splitlines() or [""]
    assert diagnostics
    for d in diagnostics:
        assert d.code in CODES, d
        assert d.message, d
        assert 1 <= d.line <= len(lines) + 1, (d, len(lines))
        assert d.column >= 1, d


def _write(directory: Path, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    spec = directory / "eventforge.yaml"
    spec.write_text(text, encoding="utf-8")
    return spec


@settings(max_examples=examples("mutation"))
@given(mutated_specs())
def test_a_mutated_spec_validates_or_fails_with_located_errors(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        spec = _write(Path(tmp), text)
        model, diagnostics = validate_file(spec)
        errors = [d for d in diagnostics if d.level is Level.ERROR]
        if errors:
            assert model is None
            _located(errors, text)
            return
        assert model is not None
        # Still valid: the generator must handle it too (rendered and formatted, not written).
        try:
            produce(spec)
        except SpecError as exc:  # only a breaking change against a lock could stop it here
            raise AssertionError([d.as_text() for d in exc.diagnostics]) from None


# The features of each spec test_a_valid_spec_validates_and_renders ran, for the coverage test.
_RENDERED: list[frozenset[str]] = []


@_ci_seed
@settings(max_examples=examples("valid"))
@given(valid_specs())
def test_a_valid_spec_validates_and_renders(built: Built) -> None:
    _RENDERED.append(built.features)
    with tempfile.TemporaryDirectory() as tmp:
        spec = _write(Path(tmp), built.yaml())
        model, diagnostics = validate_file(spec)
        errors = [d.as_text() for d in diagnostics if d.level is Level.ERROR]
        assert errors == [], built.yaml()
        assert model is not None and model.package == built.package
        try:
            produce(spec)
        except SpecError as exc:
            raise AssertionError([d.as_text() for d in exc.diagnostics]) from None


def _strictly_typed(project: Path) -> None:
    """The package and its tests pass `mypy --strict` (the generated pyproject.toml's setting):
    a value of the wrong type in a field (an int in a bool field) fails no scenario."""
    typed = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "src", "tests"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "MYPY_CACHE_DIR": os.devnull},
    )
    assert typed.returncode == 0, typed.stdout[-4000:] + typed.stderr[-2000:]


def _mtimes(root: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


@_ci_seed
@settings(max_examples=examples("package"))
@given(valid_specs(scenarios="many"))
def test_a_valid_spec_becomes_a_working_package(built: Built) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        spec = _write(project, built.yaml())
        validated = cli("validate", spec)
        assert validated.exit_code == 0, validated.stderr

        generated = cli("generate", spec)
        assert generated.exit_code == 0, generated.stderr
        for args in (["check", "."], ["format", "--check", "."]):
            ruff = subprocess.run(
                [find_ruff_bin(), *args], cwd=project, capture_output=True, text=True, check=False
            )
            assert ruff.returncode == 0, ruff.stdout + ruff.stderr

        modules = sorted(
            ".".join(p.relative_to(project / "src").with_suffix("").parts)
            for p in (project / "src" / built.package).rglob("*.py")
            if p.parent.name != "custom" and p.name != "__main__.py"
        )
        imported = subprocess.run(
            [
                sys.executable,
                "-c",
                "import importlib, sys\nfor m in sys.argv[1:]: importlib.import_module(m)",
                *modules,
            ],
            cwd=project / "src",
            capture_output=True,
            text=True,
            check=False,
        )
        assert imported.returncode == 0, imported.stderr

        tests = run_pytest(project, postgres=True)  # PostgreSQL refuses what SQLite keeps
        assert tests.returncode == 0, tests.stdout[-6000:] + tests.stderr[-2000:]
        if PROFILE != "ci":  # some ten seconds a package: for the long runs only
            _strictly_typed(project)

        before = _mtimes(project)
        again = cli("generate", spec)
        assert again.exit_code == 0, again.stderr
        assert _mtimes(project) == before, "a second generate wrote files"
        write_stubs(project)  # check fails while a custom handler is still the stub
        checked = cli("check", spec)
        assert checked.exit_code == 0, checked.stdout + checked.stderr


def _features(count: int) -> Counter[str]:
    """The features the first `count` valid specs of this profile use: as the rendering test
    above recorded them when it ran (and passed) in this session, or else drawn as it draws them
    (same seed, same number of examples), which is what running alone does."""
    if len(_RENDERED) == count:
        return Counter(feature for features in _RENDERED for feature in features)
    found: Counter[str] = Counter()

    @_ci_seed
    @settings(max_examples=count)
    @given(valid_specs())
    def collect(built: Built) -> None:
        found.update(built.features)

    collect()
    return found


def test_the_ci_examples_reach_every_feature() -> None:
    """The valid specs CI validates and renders use every type, operator and function of the
    language, read-model scenarios with several rows and deletes, automation scenarios with
    several events, and guards met on their boundary and on each side. A feature missing here
    means the strategies (tests/spec_strategies/) stopped drawing it."""
    if PROFILE != "ci" or examples("valid") != _EXAMPLES["valid"][0]:
        pytest.skip("counts the CI profile's own examples")
    found = _features(examples("valid"))
    assert set(found) <= FEATURES, set(found) - FEATURES
    assert sorted(FEATURES - set(found)) == [], found

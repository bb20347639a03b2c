"""The benchmarks in benchmarks/ still run (at their tiniest size); nothing here is timed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from generator.spec.validate import validate_file

sys.path.insert(0, str(ROOT))  # benchmarks/ is a folder of the checkout, not an installed package
from benchmarks import (
    contention,
    edit,
    generation,
    mutants,
    rebuild,
    report,
    runtime,
    scenarios,
    specmaker,
)


@pytest.mark.parametrize("commands", [2, 3, 25])
def test_the_spec_maker_makes_valid_specs(tmp_path: Path, commands: int) -> None:
    spec = specmaker.write_spec(tmp_path / "eventforge.yaml", commands, seed=3)
    model, diagnostics = validate_file(spec)
    assert model is not None, [d.as_text() for d in diagnostics]
    assert sum(len(a.commands) for a in model.aggregates) == commands
    assert sum(len(a.scenarios) for a in model.aggregates) == commands
    assert len(model.read_models) == len(model.aggregates)
    changed = specmaker.write_spec(tmp_path / "changed.yaml", commands, seed=3, extra=True)
    model, diagnostics = validate_file(changed)
    assert model is not None, [d.as_text() for d in diagnostics]
    assert sum(len(a.commands) for a in model.aggregates) == commands + 1


def test_the_spec_maker_is_deterministic(tmp_path: Path) -> None:
    first = specmaker.write_spec(tmp_path / "one.yaml", 30, seed=7).read_bytes()
    second = specmaker.write_spec(tmp_path / "two.yaml", 30, seed=7).read_bytes()
    other = specmaker.write_spec(tmp_path / "three.yaml", 30, seed=8).read_bytes()
    assert first == second != other


def test_the_generation_benchmark_runs(tmp_path: Path) -> None:
    data = generation.run((3,), rounds=1, log=lambda line: None)
    (row,) = data["results"]
    assert set(row["seconds"]) == set(generation.STEPS)
    assert "| 3 |" in generation.table(data)


# Prints the modules of eventforge and of the libraries it is built on that a process loaded.
_LOADED = """
import atexit, json, runpy, sys
def loaded():
    tops = ("generator", "jinja2", "yaml", "click", "jsonschema", "ruff")
    print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in tops)))
atexit.register(loaded)
{body}
"""


def _loaded(body: str, cwd: Path) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", _LOADED.format(body=body)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=generation.checkout_env(),
        check=False,
    )
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_the_start_step_imports_what_a_one_command_generate_imports(tmp_path: Path) -> None:
    """The benchmark's `start` is the part of a generate no cache saves only if it imports what
    a generate after a one-command edit imports, and no more."""
    spec = specmaker.write_spec(tmp_path / "eventforge.yaml", 3, seed=3)
    changed = specmaker.write_spec(tmp_path / "changed" / "eventforge.yaml", 3, seed=3, extra=True)
    generate = (
        "sys.argv = ['eventforge', 'generate', 'eventforge.yaml']\n"
        "try:\n    runpy.run_module('generator', run_name='__main__')\n"
        "except SystemExit as exit:\n    assert not exit.code, exit.code"
    )
    _loaded(generate, tmp_path)  # full
    _loaded(generate, tmp_path)  # no change: recalled from the memo
    spec.write_bytes(changed.read_bytes())
    one_command = _loaded(generate, tmp_path)
    start = _loaded("import " + ", ".join(generation.START_MODULES), tmp_path)
    assert "generator.build.render" in one_command  # it rendered, so it was not recalled
    assert one_command == start, (one_command - start, start - one_command)


def test_the_runtime_benchmark_runs() -> None:
    data = runtime.run(commands=12, accounts=(4,), rounds=1, stream=5, log=lambda line: None)
    assert {row["implementation"] for row in data["handle"]} == {
        implementation.name for implementation in runtime.IMPLEMENTATIONS
    }
    assert "commands/s" in runtime.table(data)


def test_the_edit_benchmark_runs_its_edits_and_an_old_revisions() -> None:
    data = edit.run((3,), rounds=1, old="HEAD", log=lambda line: None)
    (row,) = data["results"]
    assert set(row["seconds"]) == set(edit.STEPS) | {"old_" + step for step in edit.STEPS}
    assert "| 3 before (HEAD) |" in edit.table(data)


def test_the_scenario_benchmark_runs() -> None:
    data = scenarios.run(commands=2, rounds=1, whole=False, log=lambda line: None)
    assert data["scenario_tests"] == 2
    assert "pytest time" in scenarios.table(data)


def test_the_mutants_benchmark_runs() -> None:
    data = mutants.run(("bank",), rounds=1, log=lambda line: None)
    (row,) = data["results"]
    assert row["mutants"] > 0 and row["survived"] == 0
    assert "| bank |" in mutants.table(data)


def test_the_report_has_its_markers() -> None:
    text = (ROOT / "benchmarks/README.md").read_text()
    for marker in report.MARKERS:
        assert text.count(marker) == 1, marker


def test_the_rebuild_benchmark_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POSTGRES_HOST", raising=False)  # SQLite only: the smoke test stays short
    data = rebuild.run(sizes=[120], rounds=1, before="HEAD", log=lambda line: None)
    assert [(row["store"], row["run"]) for row in data["results"]] == [
        ("sqlite", "floor"),
        ("sqlite", "after"),
        ("sqlite", "before"),
    ]
    assert all(row["max_rss_mb"] > 1 for row in data["results"])
    assert "vs floor" in rebuild.table(data)


def test_the_contention_benchmark_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POSTGRES_HOST", raising=False)  # SQLite only: the smoke test stays short
    data = contention.run(writers=2, streams=1, commands=5, log=lambda line: None)
    assert [(row["store"], row["commands"]) for row in data["results"]] == [
        ("sqlite", 10),
        ("sqlite", 10),
    ]
    assert "target < 1% failed" in contention.table(data)

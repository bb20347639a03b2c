"""Proof, on the command line: a whole feature added to a generated project the way an agent would,
with the real `eventforge` program (`python -m generator`) in a separate process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import cli, copy_example, run_pytest, write_handlers
from feature_flow import (
    HANDLER,
    OPENED,
    SCENARIO_TEST,
    THEN,
    WHEN,
    generated_files_are_untouched,
    write_the_handler,
)


def eventforge(project: Path, *args: str) -> dict[str, object]:
    """Run one command with --format json; its one JSON document."""
    result = subprocess.run(
        [sys.executable, "-m", "generator", *args, "--format", "json"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    document = json.loads(result.stdout)
    assert isinstance(document, dict), document
    assert result.returncode == 0, document
    return document


def test_a_feature_added_through_the_cli(tmp_path: Path) -> None:
    project = copy_example("bank", tmp_path / "bank").parent
    assert cli("generate", project / "eventforge.yaml").exit_code == 0
    write_handlers("bank", project)

    eventforge(project, "add", "event", "Account", "AccountFrozen", "--field", "reason:str")
    eventforge(
        project, "add", "command", "Account", "FreezeAccount", "--custom",
        "--field", "reason:str", "--emits", "AccountFrozen",
        "--reject", "AccountIsClosed: state.closed",
    )  # fmt: skip
    eventforge(
        project, "add", "scenario", "Account", "--name", "freezing records the reason",
        "--given", json.dumps(OPENED), "--when", json.dumps(WHEN), "--then", json.dumps(THEN),
    )  # fmt: skip
    generated = eventforge(project, "generate")
    created = {f["path"] for f in generated["files"] if f["verdict"] == "create"}  # type: ignore[attr-defined]
    assert {HANDLER, SCENARIO_TEST} <= created

    slices = eventforge(project, "slices")["slices"]
    [freeze] = [s for s in slices if s["name"] == "FreezeAccount"]  # type: ignore[attr-defined]
    assert freeze["status"] == "custom handler missing" and freeze["files"]["write"] == [HANDLER]

    red = run_pytest(project)
    assert red.returncode == 1
    assert (
        "FAILED tests/account/test_freeze_account.py::test_freezing_records_the_reason"
        in red.stdout
    )
    assert f"Write decide() in {HANDLER}" in red.stdout

    unwritten = cli("check", project / "eventforge.yaml", "--format", "json")
    assert unwritten.exit_code == 1
    report = unwritten.json()
    assert isinstance(report, dict)
    assert [(e["path"], e["function"]) for e in report["attention"]] == [(HANDLER, "decide")]

    write_the_handler(project)
    green = run_pytest(project)
    assert green.returncode == 0, green.stdout + green.stderr

    assert eventforge(project, "check")["ok"] is True
    assert eventforge(project, "slices")["slices"][3:5]  # still lists every slice
    assert SCENARIO_TEST in generated_files_are_untouched(project)

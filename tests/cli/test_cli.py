"""The command-line contract: commands, options, exit codes, help, and the documented codes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, cli, copy_example, write_handlers

from generator.spec.codes import CODES


def test_help_lists_every_command() -> None:
    result = cli("--help")
    assert result.exit_code == 0
    for command in ("init", "validate", "generate", "check"):
        assert command in result.stdout


def test_python_dash_m_generator_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--version"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0
    assert "eventforge" in result.stdout


def test_init_writes_a_valid_starter_and_never_overwrites(tmp_path: Path) -> None:
    result = cli("init", tmp_path / "new")
    assert result.exit_code == 0, result.stderr
    spec = tmp_path / "new/eventforge.yaml"
    assert cli("validate", spec).exit_code == 0
    spec.write_text("mine\n")
    again = cli("init", tmp_path / "new")
    assert again.exit_code == 2
    assert "exists already" in again.stderr
    assert spec.read_text() == "mine\n"


def test_init_rejects_an_unknown_example(tmp_path: Path) -> None:
    result = cli("init", tmp_path, "--example", "nope")
    assert result.exit_code == 2
    assert "bank" in result.stderr


def test_validate_json_is_one_document(tmp_path: Path) -> None:
    spec = tmp_path / "eventforge.yaml"
    spec.write_text("eventforge: 1\ndomain: X\naggregates: {}\n")
    result = cli("validate", spec, "--format", "json")
    assert result.exit_code == 1
    errors = result.json()
    assert isinstance(errors, list) and errors
    assert set(errors[0]) >= {"code", "message", "path", "line", "column"}


def test_missing_spec_is_an_io_error(tmp_path: Path) -> None:
    for command in ("validate", "generate", "check"):
        result = cli(command, tmp_path / "absent.yaml")
        assert result.exit_code == 2, command
        assert "E100" in result.stderr


def test_generate_writes_read_models_and_automations(tmp_path: Path) -> None:
    spec = copy_example("bank", tmp_path / "bank")
    result = cli("generate", spec, "--format", "json")
    assert result.exit_code == 0
    report = result.json()
    assert isinstance(report, dict)
    paths = {f["path"] for f in report["files"]}
    assert "src/bank/read_models/account_balances.py" in paths
    assert "src/bank/automations/welcome_bonus.py" in paths
    assert "not generated" not in result.stderr


def test_generate_out_elsewhere(tmp_path: Path) -> None:
    spec = copy_example("bank", tmp_path / "spec")
    result = cli("generate", spec, "--out", tmp_path / "elsewhere")
    assert result.exit_code == 0
    assert (tmp_path / "elsewhere/src/bank/application.py").is_file()
    write_handlers("bank", tmp_path / "elsewhere")
    assert cli("check", spec, "--out", tmp_path / "elsewhere").exit_code == 0
    assert cli("check", spec).exit_code == 1


def test_every_code_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for code, meaning in CODES.items():
        assert f"| `{code}` | {meaning} |" in readme


def test_every_code_used_is_registered() -> None:
    used = set()
    paths = sorted((ROOT / "generator").rglob("*.py"))
    assert len(paths) > 60, "the generator's modules live in subpackages"
    for path in paths:
        used |= set(re.findall(r'"([EW]\d{3})"', path.read_text()))
    # ruff's own rule codes, in the configuration used for generated code, are not ours
    from generator.build.format import RUFF_CONFIG

    used -= set(re.findall(r'"([EW]\d{3})"', RUFF_CONFIG))
    assert used <= set(CODES), used - set(CODES)


def test_the_generator_itself_is_strictly_typed() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "generator"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr

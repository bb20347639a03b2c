"""Shared helpers: run the CLI in-process, generate from inline specs, run a generated package."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> object:
        return json.loads(self.stdout)


def cli(*args: str | Path) -> Run:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


def write_spec(directory: Path, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    spec = directory / "eventforge.yaml"
    spec.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return spec


def copy_example(name: str, target: Path) -> Path:
    """The example's spec alone, copied into `target` (no generated files)."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(EXAMPLES / name / "eventforge.yaml", target / "eventforge.yaml")
    return target / "eventforge.yaml"


def run_pytest(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run a generated package's own test suite in a separate interpreter."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
        and "__pycache__" not in p.parts
        and ".pytest_cache" not in p.parts
        # eventforge's own caches are local state, not output: they may differ between folders
        and p.relative_to(root).parts[:2] != (".eventforge", "cache")
    }


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    """A fresh copy of the bank spec, generated, in tmp_path/bank."""
    spec = copy_example("bank", tmp_path / "bank")
    result = cli("generate", spec)
    assert result.exit_code == 0, result.stderr
    return spec

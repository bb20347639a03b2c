"""Shared helpers: run the CLI in-process, generate from inline specs, run a generated package."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator.build import cachefile
from generator.build.stubs import stub_functions
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


def add_bank_command(spec: Path) -> None:
    """Add a command (ChargeFee) to a copy of the bank example's spec, before CloseAccount."""
    text = spec.read_text()
    anchor = "      CloseAccount:\n"
    assert anchor in text
    new = (
        "      ChargeFee:\n"
        "        fields: {amount: decimal}\n"
        "        rejects:\n"
        "          - if: state.closed\n"
        "            error: AccountIsClosed\n"
        "        emits:\n"
        '          - MoneyWithdrawn: {amount: "= command.amount"}\n'
    )
    spec.write_text(text.replace(anchor, new + anchor, 1))


def read_cache(project: Path, name: str) -> Any:
    """The document of the JSON cache file `name` (cache.py) in `project`, as eventforge reads
    it (signed by this user; see cachefile.py)."""
    content = cachefile.read(project, name)
    assert content is not None, f"{name} is missing or not signed by this user"
    return json.loads(content)


def write_cache(project: Path, name: str, document: Any) -> None:
    """Write the cache file `name` in `project` as this user's eventforge would (signed): JSON
    for a document, bytes as they are."""
    content = document if isinstance(document, bytes) else json.dumps(document).encode("utf-8")
    assert cachefile.signing_key() is not None, "no user cache folder: nothing can be signed"
    cachefile.write(project, name, content)
    assert cachefile.read(project, name) == content, f"{name} was not written"


def copy_example(name: str, target: Path) -> Path:
    """The example's spec alone, copied into `target` (no generated files)."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(EXAMPLES / name / "eventforge.yaml", target / "eventforge.yaml")
    return target / "eventforge.yaml"


def run_pytest(
    project: Path, *args: str, postgres: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run a generated package's own test suite in a separate interpreter.

    Its PostgreSQL store tests run only with `postgres=True` (and a server in POSTGRES_HOST):
    they take about 6 s a package, against 1 to 3 s for all the rest, so the suite runs them for
    the examples (tests/end_to_end/test_postgres.py) and the property's random packages, not for
    every package a test generates.
    """
    drop = ("PYTEST",) if postgres else ("PYTEST", "POSTGRES_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def assert_clean_and_strictly_typed(project: Path) -> None:
    """A generated package passes `ruff check`, `ruff format --check` and `mypy --strict`."""
    from ruff.__main__ import find_ruff_bin

    for args in (["check", "."], ["format", "--check", "."]):
        linted = subprocess.run(
            [find_ruff_bin(), *args], cwd=project, capture_output=True, text=True, check=False
        )
        assert linted.returncode == 0, linted.stdout + linted.stderr
    typed = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "src", "tests"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "MYPY_CACHE_DIR": os.devnull},
    )
    assert typed.returncode == 0, typed.stdout + typed.stderr


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
    """A fresh copy of the bank spec, generated, in tmp_path/bank, with the example's
    hand-written handlers in place of the stubs (check fails while a stub is left)."""
    spec = copy_example("bank", tmp_path / "bank")
    result = cli("generate", spec)
    assert result.exit_code == 0, result.stderr
    write_handlers("bank", spec.parent)
    return spec


def write_stubs(project: Path) -> None:
    """Give every hand-written function that is still the generated stub the least body that
    type-checks (`return []` for a decide(), `return None` for an upcaster, `return row` for a
    read model's update()), for tests about files rather than behaviour: `check` fails while a
    stub is left."""
    for path in project.glob("src/*/*/custom/*.py"):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines(keepends=True)
        stubs = set(stub_functions(path))
        functions = [
            f for f in ast.parse(text).body if isinstance(f, ast.FunctionDef) and f.name in stubs
        ]
        for function in reversed(functions):
            raised = function.body[-1]
            empty = isinstance(function.returns, ast.Constant) and function.returns.value is None
            body = "    return None\n" if empty else "    return []\n"
            if function.name == "update":  # a custom read model's update(row, event)
                body = "    return row\n"
            lines[raised.lineno - 1 : raised.end_lineno] = [body]
        path.write_text("".join(lines), encoding="utf-8")


def write_handlers(example: str, project: Path) -> None:
    """Copy the example's hand-written files (custom handlers and upcasters) over the stubs."""
    source = EXAMPLES / example
    for handler in source.glob("src/*/*/custom/*.py"):
        shutil.copy(handler, project / handler.relative_to(source))

"""Step 6, format: `ruff check --fix` and `ruff format` over the rendered tree, before any write.

Templates import generously and ruff removes what a file does not use and sorts the rest, so
imports stay correct without template logic. A file ruff still complains about afterwards is a
generator bug, reported as E700 before anything reaches the output directory.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

from generator.diagnostics import Diagnostic, SpecError

RUFF_CONFIG = """\
line-length = 100
target-version = "py311"
src = ["src", "tests"]

[lint]
select = ["E", "F", "W", "I", "UP", "B", "SIM", "RUF"]
# The formatter keeps lines short; only long string literals from the spec can exceed it.
ignore = ["E501"]

[lint.isort]
split-on-trailing-comma = false

[format]
# Generated code is laid out by line length alone, so pruned imports collapse back to one line.
skip-magic-trailing-comma = true
"""

# Only these are fixed automatically: unused imports and import order. Everything else must be
# right in the templates, and is reported if it is not.
_FIX = "F401,I001"


def format_sources(files: dict[str, str], package: str) -> dict[str, str]:
    """Formatted copies of the Python files in `files`; other files are returned unchanged."""
    python = {path: text for path, text in files.items() if path.endswith(".py")}
    if not python:
        return dict(files)
    with tempfile.TemporaryDirectory(prefix="eventforge-") as tmp:
        root = Path(tmp)
        (root / "ruff.toml").write_text(RUFF_CONFIG, encoding="utf-8")
        for path, text in python.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        ruff = find_ruff_bin()
        base = [ruff, "--config", str(root / "ruff.toml")]
        _run([*base[:1], "check", *base[1:], "--fix-only", "--select", _FIX, "--quiet", "."], root)
        _run([*base[:1], "format", *base[1:], "--quiet", "."], root)
        lint = subprocess.run(
            [*base[:1], "check", *base[1:], "--output-format", "concise", "--quiet", "."],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        if lint.returncode != 0:
            raise SpecError(
                [_lint_problem(line) for line in lint.stdout.splitlines() if line.strip()][:20]
            )
        formatted = {path: (root / path).read_text(encoding="utf-8") for path in python}
    return {path: formatted.get(path, text) for path, text in files.items()}


def _run(command: list[str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode not in (0, 1):
        # Rendered code that ruff cannot parse is a generator bug; say where, not just that.
        detail = (result.stdout + result.stderr).strip().splitlines() or ["no output"]
        raise SpecError(
            [
                Diagnostic(
                    code="E700",
                    message=f"generated code cannot be formatted: {line}",
                    file="(generated)",
                    line=1,
                    column=1,
                )
                for line in detail[:10]
            ]
        )


def _lint_problem(line: str) -> Diagnostic:
    """One line of ruff's concise output (`path:line:col: CODE message`) as a diagnostic."""
    path, row, column, message = ([*line.split(":", 3), "", "", ""])[:4]
    return Diagnostic(
        code="E700",
        message=f"generated code fails ruff:{message}",
        file=path,
        line=int(row) if row.isdigit() else 1,
        column=int(column) if column.isdigit() else 1,
    )

"""The import tidier (generator/build/imports.py) must give exactly what ruff's own fixer gives.

It is a shortcut for `ruff check --fix --select F401,I001`: every generated module of the
examples is done both ways and compared, and modules it does not understand must come back
unchanged (format.py then hands them to ruff).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import EXAMPLES
from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

from generator.build import format as format_step
from generator.build.imports import tidy_imports
from generator.build.plan import plan
from generator.build.render import render_all
from generator.evolution.lock import build_lock
from generator.spec.load import load_file
from generator.spec.validate import validate_loaded


def _rendered(example: str) -> dict[str, str]:
    spec, diagnostics = validate_loaded(load_file(EXAMPLES / example / "eventforge.yaml"))
    assert spec is not None, diagnostics
    lock = build_lock(spec, None)
    files = render_all(spec, plan(spec, lock), lock)
    return {path: text for path, text in files.items() if path.endswith(".py")}


def _tree(root: Path, files: dict[str, str]) -> None:
    root.mkdir()
    (root / "ruff.toml").write_text(format_step.RUFF_CONFIG, encoding="utf-8")
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")


def _ruff(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    config = ["--config", str(root / "ruff.toml"), "--no-cache", "--quiet"]
    command = [find_ruff_bin(), args[0], *config, *args[1:], "."]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)


@pytest.mark.parametrize(
    "example", ["bank", "orders", "library", "cart", "shopvertical", "emmett_cart"]
)
def test_tidied_modules_are_what_ruffs_fixer_makes(tmp_path: Path, example: str) -> None:
    files = _rendered(example)
    first_party = frozenset(p.split("/")[1].removesuffix(".py") for p in files)
    by_ruff, by_us = tmp_path / "ruff", tmp_path / "us"
    _tree(by_ruff, files)
    _tree(by_us, {path: tidy_imports(text, first_party) for path, text in files.items()})
    assert _ruff(by_ruff, "check", "--fix-only", "--select", "F401,I001").returncode == 0
    for root in (by_ruff, by_us):
        assert _ruff(root, "format").returncode == 0
    # The shortcut alone gets nearly every module right; a name that only appears in a
    # docstring or a string keeps its import, and the fallback removes it.
    lint = _ruff(by_us, "check", "--output-format", "concise", "--select", "F401,I001")
    left = {line.split(":")[0] for line in lint.stdout.splitlines() if line.strip()}
    assert len(left) <= len(files) // 10, lint.stdout
    alone = [p for p in files if p not in left]
    assert len(alone) > len(files) // 2
    for path in alone:
        assert (by_us / path).read_text() == (by_ruff / path).read_text(), path
    # With the fallback, every module is what ruff's fixer makes.
    formatted = format_step.format_sources(files, example)
    for path in files:
        assert formatted[path] == (by_ruff / path).read_text(), path


MODULE = '''"""A module."""

from __future__ import annotations

from uuid import uuid4, UUID
import sys
from pkg.events import Opened, Closed, BALANCE, helper
from decimal import Decimal
import enum
from eventsourcing.domain import Aggregate

x: UUID = uuid4()
y = Opened, BALANCE, helper, enum.Enum, Aggregate
'''


def test_unused_names_go_and_the_rest_is_sorted_in_sections() -> None:
    assert (
        tidy_imports(MODULE, frozenset({"pkg"}))
        == '''"""A module."""

from __future__ import annotations

import enum
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from pkg.events import BALANCE, Opened, helper

x: UUID = uuid4()
y = Opened, BALANCE, helper, enum.Enum, Aggregate
'''
    )


def test_module_aliases_are_kept_when_used_and_sorted_as_ruff_sorts_them() -> None:
    # The class bodies of generated modules reach shadowed names through module aliases
    # (generator/build/shadow.py); every template imports them, so they must not send each
    # module to ruff's slower fixer.
    text = (
        "import datetime as dt\nimport datetime as _dt\nimport builtins as _builtins\n"
        "import builtins\nimport os.path as osp\nfrom datetime import date\n\n"
        "x = (dt.date, _dt.date, builtins.str, osp, date)\n"
    )
    assert tidy_imports(text, frozenset()) == (
        "import builtins\nimport datetime as _dt\nimport datetime as dt\nimport os.path as osp\n"
        "from datetime import date\n\nx = (dt.date, _dt.date, builtins.str, osp, date)\n"
    )


@pytest.mark.parametrize(
    "block",
    [
        "from os import (path,  # a comment\n    sep)\n",  # a comment in the block
        "import os; import sys\n",  # two statements on a line
        "from os import path \\\n    , sep\n",  # a continuation line
        "from . import sibling\n",  # a relative import
    ],
)
def test_blocks_it_does_not_understand_are_left_to_ruff(block: str) -> None:
    text = f'"""Doc."""\n\n{block}\nprint(1)\n'
    assert tidy_imports(text, frozenset()) == text


def test_a_name_it_keeps_wrongly_is_removed_by_the_fallback() -> None:
    # `Decimal` appears only in a string: the tidier keeps it, ruff's fixer removes it.
    text = 'from decimal import Decimal\n\nNOTE = "Decimal is not used here"\n'
    assert "import Decimal" in tidy_imports(text, frozenset())
    formatted = format_step.format_sources({"src/pkg/note.py": text}, "pkg")
    assert formatted["src/pkg/note.py"] == 'NOTE = "Decimal is not used here"\n'


def test_a_module_named_like_the_standard_library_is_sorted_as_in_the_whole_tree() -> None:
    # format.py names the package's top-level modules to ruff as first-party instead of
    # writing every module out; ruff puts a known first-party name before the standard library
    # but a folder under tests/ after it, so a clash (tests/calendar/ beside `import calendar`)
    # must be formatted in the whole tree, or the sections would differ.
    python = {
        "src/pkg/__init__.py": "",
        "src/pkg/shared.py": "X = 1\n",
        "src/pkg/cal.py": "from pkg.shared import X\nimport calendar\n\nY = calendar, X\n",
        "tests/calendar/__init__.py": "",
        "tests/calendar/test_cal.py": "from pkg.cal import Y\n\n\ndef test_y() -> None:\n"
        "    assert Y\n",
    }
    whole = format_step._ruff(python, python)
    assert whole["src/pkg/cal.py"].startswith("import calendar\n\nfrom pkg.shared import X\n")
    for path in ("src/pkg/cal.py", "tests/calendar/test_cal.py"):
        assert format_step._ruff(python, {path: python[path]}) == {path: whole[path]}


def test_a_comment_after_the_block_and_a_blank_line_belongs_to_the_code() -> None:
    # The application module's block is followed by a comment; it must not go to ruff's fixer.
    text = "import sys\nimport os\n\n# About the code.\nX = os.sep\n"
    assert tidy_imports(text, frozenset()) == "import os\n\n# About the code.\nX = os.sep\n"
    attached = "import sys\nimport os\n# about os\nX = os.sep\n"
    assert tidy_imports(attached, frozenset()) == attached

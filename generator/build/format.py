"""Step 6, format: tidy imports, `ruff format` and `ruff check` over the rendered tree, before
any write.

Templates import generously; what a file does not use is removed and the rest sorted (by
imports.py, with ruff's fixer as the fallback), so imports stay correct without template logic.
A file ruff still complains about afterwards is a generator bug, reported as E700 before anything
reaches the output directory.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Collection, Mapping
from pathlib import Path

from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

from generator import __version__
from generator.build.cache import FormatCache
from generator.build.imports import tidy_imports
from generator.build.produced import Produced, rendered_digest
from generator.build.toolkey import library_versions
from generator.spec.diagnostics import Diagnostic, SpecError

RUFF_CONFIG = """\
line-length = 100
target-version = "py311"
src = ["src", "tests"]

[lint]
select = ["E", "F", "W", "I", "UP", "B", "SIM", "RUF"]
# The formatter keeps lines short; only long string literals from the spec can exceed it.
# Spec text, names and expressions are reproduced as the spec writes them: look-alike characters
# (RUF001-RUF003), a field named `l` (E741), and conditions like `x == None`, `not a == b`,
# `True or ...` or `0 < x` (E711-E714, SIM201-SIM223, SIM300) are what the spec says.
ignore = [
    "E501", "E711", "E712", "E713", "E714", "E741", "RUF001", "RUF002", "RUF003",
    "SIM201", "SIM202", "SIM208", "SIM220", "SIM221", "SIM222", "SIM223", "SIM300",
]

[lint.isort]
split-on-trailing-comma = false

[format]
# Generated code is laid out by line length alone, so pruned imports collapse back to one line.
skip-magic-trailing-comma = true
"""

# Only these are fixed automatically: unused imports and import order. Everything else must be
# right in the templates, and is reported if it is not.
_FIX = "F401,I001"
_FIXABLE = frozenset(_FIX.split(","))
# Also redone with ruff's fixer: an import the Python tidier kept because a field has its name
# (`import datetime as dt` beside a field `dt`) is unused, and pyflakes calls the field a
# redefinition of it (F811); removing the unused import (F401) settles both.
_REDO = _FIXABLE | {"F811"}


def format_key() -> str:
    """What formatted text depends on besides the rendered text: the key of the format cache."""
    material = "\0".join([__version__, library_versions()["ruff"], RUFF_CONFIG, _FIX])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def format_sources(
    files: Mapping[str, str], package: str, cache: FormatCache | None = None
) -> Mapping[str, str]:
    """Formatted copies of the Python files in `files`; other files are returned unchanged.

    Files whose rendered text the cache knows are taken from it; ruff runs only over the rest.
    A file the disk holds already, formatted, is not even read (see produced.py), and a file the
    render cache knew is not even rendered (produced.Rendered) unless ruff must format it.
    """
    python = [path for path in files if path.endswith(".py")]
    done: dict[str, str] = {}
    on_disk: dict[str, tuple[str, list[int]]] = {}
    if cache is not None:
        for path in python:
            rendered = rendered_digest(files, path)
            if cache.settled(path, rendered):
                on_disk[path] = cache.on_disk[path]
                continue
            known = cache.lookup(path, "", rendered)
            if known is not None:
                done[path] = known
    todo = {path: files[path] for path in python if path not in done and path not in on_disk}
    if todo:
        done.update(_ruff(set(python), todo))
        if cache is not None:
            for path, text in todo.items():
                cache.remember(path, text, done[path])
    texts = {
        path: done[path] if path in done else files[path] for path in files if path not in on_disk
    }
    if cache is None or not on_disk:
        return texts
    return Produced(files, texts, on_disk, cache.targets.read)


def _ruff(python: Collection[str], todo: dict[str, str]) -> dict[str, str]:
    """Prune and sort imports, format and lint the files in `todo` in a temporary tree.

    Only `todo` is written out and named to ruff, so that a change to one command costs a few
    files, not thousands. Beside them the tree holds what ruff looks at to sort imports (see
    _scaffold), so that it sorts them the same way whichever subset it works on. Imports are
    tidied in Python first (imports.py); a file ruff still flags for imports (F401, I001) is done
    again from its rendered text with ruff's own fixer, so the result never depends on that
    shortcut.
    """
    size = sum(len(text) for text in todo.values())
    first_party = frozenset(
        path.split("/")[1].removesuffix(".py")
        for path in python
        if path.startswith(("src/", "tests/"))
    )
    with tempfile.TemporaryDirectory(prefix="eventforge-", dir=_scratch_parent(size)) as tmp:
        root = Path(tmp)
        config_text, empty = _scaffold(python, todo, first_party)
        (root / "ruff.toml").write_text(config_text, encoding="utf-8")
        for folder in sorted({path.rpartition("/")[0] for path in (*todo, *empty)} - {""}):
            (root / folder).mkdir(parents=True, exist_ok=True)
        for path, text in todo.items():
            (root / path).write_text(tidy_imports(text, first_party), encoding="utf-8")
        for path in empty:
            (root / path).touch()
        ruff = find_ruff_bin()
        config = ["--config", str(root / "ruff.toml"), "--quiet", "--no-cache"]
        targets = ["."] if len(todo) == len(python) else sorted(todo)
        for batch in _batches(targets):
            _run([ruff, "format", *config, *batch], root)
        problems = _lint(ruff, config, root, targets)
        redo = sorted(
            path
            for path, found in problems.items()
            if all(c in _REDO for c, _ in found) and any(c in _FIXABLE for c, _ in found)
        )
        if redo:
            for path in redo:
                (root / path).write_text(todo[path], encoding="utf-8")
            for batch in _batches(redo):
                _run([ruff, "check", *config, "--fix-only", "--select", _FIX, *batch], root)
                _run([ruff, "format", *config, *batch], root)
            for path in redo:
                del problems[path]
            problems.update(_lint(ruff, config, root, redo))
        found = [line for lines in problems.values() for _, line in lines]
        if found:
            raise SpecError([_lint_problem(line) for line in found][:20])
        return {path: (root / path).read_text(encoding="utf-8") for path in todo}


# Modules of Python 3.11's standard library that later versions dropped (PEP 594): ruff still
# counts them as standard for target-version py311, whatever Python runs eventforge.
_DROPPED_STDLIB = frozenset(
    [
        "aifc",
        "asynchat",
        "asyncore",
        "audioop",
        "cgi",
        "cgitb",
        "chunk",
        "crypt",
        "distutils",
        "imghdr",
        "imp",
        "mailcap",
        "msilib",
        "nis",
        "nntplib",
        "ossaudiodev",
        "pipes",
        "smtpd",
        "sndhdr",
        "spwd",
        "sunau",
        "telnetlib",
        "uu",
        "xdrlib",
        "lib2to3",
    ]
)


def _scaffold(
    python: Collection[str], todo: dict[str, str], first_party: frozenset[str]
) -> tuple[str, list[str]]:
    """The ruff configuration of the scratch tree, and the empty files it needs besides `todo`.

    ruff sorts an import by its section, and calls a module first-party (`src = ["src",
    "tests"]`) when its whole path exists under `src/` or `tests/` (`a.b.c` as `a/b/c.py` or a
    folder), after the standard library and before the rest. Written into a tree of every
    module, the todo files would be sorted as in the whole package; so the top-level names of
    those modules are named to ruff as first-party instead (`known-first-party`), and none of
    the thousands of empty files is needed. Every module a generated file imports from them
    is one of `python`, so both ways give the same sections, except for a name that the
    standard library has too (known-first-party would win over it, the folder does not): then
    the tree of every module is made, as before.
    """
    if first_party & (sys.stdlib_module_names | _DROPPED_STDLIB):
        return RUFF_CONFIG, sorted(path for path in python if path not in todo)
    known = ", ".join(json.dumps(name) for name in sorted(first_party))
    config = RUFF_CONFIG.replace("[lint.isort]\n", f"[lint.isort]\nknown-first-party = [{known}]\n")
    assert config != RUFF_CONFIG
    return config, []


def _lint(
    ruff: str, config: list[str], root: Path, paths: list[str]
) -> dict[str, list[tuple[str, str]]]:
    """ruff's complaints about `paths`, by file: (rule code, the whole line) each."""
    problems: dict[str, list[tuple[str, str]]] = {}
    for batch in _batches(paths):
        lint = subprocess.run(
            [ruff, "check", *config, "--output-format", "concise", *batch],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        if lint.returncode not in (0, 1):
            _run([ruff, "check", *config, *batch], root)  # says why, as E700
        for line in lint.stdout.splitlines():
            if line.strip():
                path, _, rest = line.partition(":")
                code = rest.split(" ", 2)[1] if rest.count(" ") >= 2 else ""
                problems.setdefault(path.removeprefix("./"), []).append((code, line))
    return problems


def _batches(paths: list[str], limit: int = 16_000) -> list[list[str]]:
    """`paths` in groups short enough for one command line on any system."""
    batches: list[list[str]] = [[]]
    length = 0
    for path in paths:
        if batches[-1] and length + len(path) + 1 > limit:
            batches.append([])
            length = 0
        batches[-1].append(path)
        length += len(path) + 1
    return batches


def _scratch_parent(size: int) -> str | None:
    """Where the temporary tree goes: a RAM-backed folder (/dev/shm) when the system has one
    with room and TMPDIR does not say otherwise, else the default temporary folder.

    ruff rewrites most files in place, twice; on a disk file system those rewrites and the
    clean-up of thousands of small files cost more than the formatting itself.
    """
    if os.environ.get("TMPDIR"):
        return None
    shm = "/dev/shm"
    try:
        stats = os.statvfs(shm)
    except (OSError, AttributeError):  # no such folder, or not a POSIX system
        return None
    room = stats.f_bavail * stats.f_frsize
    if not os.access(shm, os.W_OK | os.X_OK) or room < 4 * size + (64 << 20):
        return None
    return shm


def _run(command: list[str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode not in (0, 1):
        # Rendered code that ruff cannot parse is a generator bug; say where, not just that.
        detail = (result.stdout + result.stderr).strip().splitlines()
        if not detail and "--quiet" in command:  # ruff keeps even its parse errors to itself
            loud = [part for part in command if part != "--quiet"]
            again = subprocess.run(loud, cwd=cwd, capture_output=True, text=True, check=False)
            detail = [line for line in again.stderr.splitlines() if line.strip()]
        detail = detail or ["no output"]
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

"""Hand-written handler files that are still the stub eventforge created.

A custom command's decide() and a custom upcast step are written by hand in user-owned files;
eventforge creates each file once with functions that only raise NotImplementedError, naming
the file and the function (templates/slice/custom_command.py.jinja,
templates/aggregate/custom_upcast.py.jinja). A function whose body is still only that raise
(whatever its message, its docstring or its signature) is unwritten: `check` fails on it, and
`eventforge slices` calls its slice "custom handler missing".
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Unwritten:
    """A user-owned handler file with functions that are still the generated stub."""

    path: str
    functions: tuple[str, ...]


def unwritten_handlers(out: Path, handlers: list[str]) -> list[Unwritten]:
    """The handler files (paths relative to `out`) whose functions are not written yet."""
    found = []
    for relative in handlers:
        functions = stub_functions(out / relative)
        if functions:
            found.append(Unwritten(relative, tuple(functions)))
    return found


def stub_functions(path: Path) -> list[str]:
    """The top-level functions of `path` that only raise NotImplementedError; none when the file
    cannot be read or parsed (then the tests and type checks of the package say what is wrong)."""
    tree = _parse(path)
    if tree is None:
        return []
    return [
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _only_raises(node)
    ]


def is_stub(path: Path) -> bool:
    """True while a hand-written file defines no function, or one that only raises
    NotImplementedError."""
    tree = _parse(path)
    if tree is None:
        return False
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    return not functions or any(_only_raises(f) for f in functions)


def _parse(path: Path) -> ast.Module | None:
    try:
        return ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None


def _only_raises(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    body = [
        s
        for s in function.body
        if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
    ]
    if len(body) != 1 or not isinstance(body[0], ast.Raise):
        return False
    raised = body[0].exc
    target = raised.func if isinstance(raised, ast.Call) else raised
    return isinstance(target, ast.Name) and target.id == "NotImplementedError"

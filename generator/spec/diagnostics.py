"""Problems found in a spec, as values.

The core never prints or exits: every step returns `Diagnostic`s and only the CLI turns them
into text, JSON and exit codes.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from generator.spec.hints import hint_for


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, kw_only=True)
class Diagnostic:
    code: str
    message: str
    file: str
    line: int
    column: int
    path: str = ""
    level: Level = Level.ERROR
    hint: str = ""

    def as_text(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: {self.level}[{self.code}]: {self.message}"
        if self.fix:
            text += f" (hint: {self.fix})"
        return text

    @property
    def fix(self) -> str:
        """The specific hint, or the code's default one: every diagnostic says what to try."""
        return self.hint or hint_for(self.code, self.message)

    def as_json(self) -> dict[str, str | int]:
        return {
            "code": self.code,
            "level": str(self.level),
            "message": self.message,
            "hint": self.fix,
            "file": self.file,
            "path": self.path,
            "line": self.line,
            "column": self.column,
        }


def error(code: str, message: str, *, file: str = "", hint: str = "") -> Diagnostic:
    """A diagnostic about the command line or a file rather than a place in the spec: it has no
    position (line and column 0)."""
    return Diagnostic(code=code, message=message, file=file, line=0, column=0, hint=hint)


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.level is Level.ERROR for d in diagnostics)


def sort_key(d: Diagnostic) -> tuple[int, int, str, str]:
    return (d.line, d.column, d.code, d.message)


class SpecError(Exception):
    """Raised by a pipeline step that cannot go on; carries what it found."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("; ".join(d.as_text() for d in diagnostics))
        self.diagnostics = diagnostics


def listing(known: Sequence[str], near: str, limit: int = 12) -> str:
    """`known` names for a hint: all of them when there are few; else the `limit` closest to
    `near` (the name that was not found) and how many more, since a hint that lists a thousand
    names hides the one the reader wanted."""
    if len(known) <= limit:
        return ", ".join(known)
    shown = difflib.get_close_matches(near, known, n=limit, cutoff=0.5) or list(known[:limit])
    return f"{', '.join(shown)} and {len(known) - len(shown)} more"

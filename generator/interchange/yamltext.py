"""The imported spec as YAML text, in the examples' style, with the board's ids as comments.

A key that came from a board element carries `# board: <kind> <id>` on its line (a scenario: on
its `- name:` line), which `eventforge add`, `rename` and `remove` keep, and which a re-import reads
back (`board_ids`) to update the element rather than add a second one. Notes for the user
(`# TODO(board): ...`) go on the lines before a key.
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9 _.()/?-]*$")
_SPECIAL = frozenset(
    ["y", "n", "yes", "no", "on", "off", "true", "false", "null", "none", "~", "nan", "inf"]
)
_BOARD = re.compile(r"#\s*board:\s*([a-z-]+)\s+(\S+)\s*$")
_KEY = re.compile(r"^\s*(?:-\s+)?(?P<key>[^\s:#][^:#]*?)\s*:(?:\s+(?P<value>[^#]*?))?\s*(#.*)?$")
WIDTH = 100


class Key(str):
    """A mapping key with a board id (`board`, as (kind, id)) and notes to write before it."""

    board: tuple[str, str] | None
    notes: tuple[str, ...]

    def __new__(
        cls, text: str, board: tuple[str, str] | None = None, notes: tuple[str, ...] = ()
    ) -> Key:
        key = super().__new__(cls, text)
        key.board = board
        key.notes = notes
        return key


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _SPECIAL and text == text.strip():
        return text
    return json.dumps(text, ensure_ascii=False)


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return scalar(value)


def _comment(key: Any) -> str:
    board = getattr(key, "board", None)
    return f"  # board: {board[0]} {board[1]}" if board else ""


def _notes(key: Any, pad: str) -> list[str]:
    return [f"{pad}# TODO(board): {note}" for note in getattr(key, "notes", ())]


def _short(value: Any, used: int) -> bool:
    """Small mappings and lists of scalars go on one line, as in the examples."""
    if isinstance(value, dict) and any(isinstance(k, Key) and k.board for k in value):
        return False
    if isinstance(value, (dict, list)):
        flat = all(
            not isinstance(v, (dict, list)) or (isinstance(v, (dict, list)) and len(v) <= 4)
            for v in (value.values() if isinstance(value, dict) else value)
        )
        return flat and used + len(_flow(value)) <= WIDTH
    return True


def dump(document: dict[str, Any], header: str = "") -> str:
    lines = [header] if header else []
    _mapping(document, 0, lines, top=True)
    return "\n".join(lines) + "\n"


def _mapping(data: dict[str, Any], depth: int, lines: list[str], top: bool = False) -> None:
    pad = "  " * depth
    for key, value in data.items():
        if top and lines and isinstance(value, (dict, list)) and value:
            lines.append("")
        lines.extend(_notes(key, pad))
        head = f"{pad}{scalar(key)}:"
        if isinstance(value, (dict, list)) and value and not _short(value, len(head) + 1):
            lines.append(head + _comment(key))
            if isinstance(value, dict):
                _mapping(value, depth + 1, lines)
            else:
                _sequence(value, depth + 1, lines)
        else:
            lines.append(f"{head} {_flow(value)}{_comment(key)}")


def _sequence(items: list[Any], depth: int, lines: list[str]) -> None:
    pad = "  " * depth
    for item in items:
        if isinstance(item, dict) and item and not _short(item, len(pad) + 2):
            keys = list(item)
            first, rest = keys[0], keys[1:]
            lines.extend(_notes(first, pad))
            value = item[first]
            head = f"{pad}- {scalar(first)}:"
            if isinstance(value, (dict, list)) and value and not _short(value, len(head) + 1):
                lines.append(head + _comment(first))
                inner: list[str] = []
                if isinstance(value, dict):
                    _mapping(value, depth + 2, inner)
                else:
                    _sequence(value, depth + 2, inner)
                lines.extend(inner)
            else:
                lines.append(f"{head} {_flow(value)}{_comment(first)}")
            _mapping({k: item[k] for k in rest}, depth + 1, lines)
        else:
            lines.append(f"{pad}- {_flow(item)}")


def board_ids(text: str) -> dict[tuple[str, str], str]:
    """(kind, board id) -> the name on that line: the key, or a scenario's `name:` value."""
    found: dict[tuple[str, str], str] = {}
    for line in text.splitlines():
        board = _BOARD.search(line)
        if not board:
            continue
        match = _KEY.match(line[: board.start()])
        if not match:
            continue
        key, value = match.group("key").strip(), (match.group("value") or "").strip()
        name = value if key == "name" and value else key
        if name.startswith('"') and name.endswith('"') and len(name) > 1:
            with contextlib.suppress(json.JSONDecodeError):
                name = json.loads(name)
        elif name.startswith("'") and name.endswith("'") and len(name) > 1:
            name = name[1:-1].replace("''", "'")
        found[(board.group(1), board.group(2))] = name
    return found

"""Part of step 6, format: prune and sort the import block of a rendered module, in Python.

Templates import generously (every event class of an aggregate, every standard type), and the
imports a module keeps must be exactly the ones it uses, in ruff's isort order. `ruff check
--fix` can do this, but its fix loop costs more than formatting the whole package (on a
1,000-command spec, 1.6 s against 0.2 s), so the common case is done here: drop the names the
rest of the module never mentions, then sort as ruff does (sections; `import x` before
`from x import`; natural, case-insensitive module order; constants, classes, then the rest).

This is an optimisation, never the authority: a module this does not understand (aliases,
comments in the block, continuation lines) is returned unchanged, and format.py lints every
file afterwards and gives anything still flagged (F401, I001) to ruff's own fixer.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache

_IMPORT = re.compile(r"import ([\w.]+(?:, [\w.]+)*)\Z")
_FROM = re.compile(r"from (\w[\w.]*) import (\w+(?: as \w+)?(?:, \w+(?: as \w+)?)*),?\Z")
_DIGITS = re.compile(r"(\d+)")
_BLOCK_START = re.compile(r"^(?:import|from) ", re.MULTILINE)
_WORD = re.compile(r"[^\W\d]\w*")  # an identifier, or a word that looks like one
_LINE_LENGTH = 100  # format.RUFF_CONFIG's line-length

Member = tuple[str, str]  # (name, alias or "")


def tidy_imports(text: str, first_party: frozenset[str]) -> str:
    """`text` with its top-level import block pruned and sorted; unchanged when unsure."""
    found = _BLOCK_START.search(text)
    if found is None:
        return text
    start = found.start()
    lines = _block_lines(text, start)
    parsed = _parse_block(lines)
    if parsed is None:
        return text
    end, future, straight, members = parsed
    gap = 0  # the blank lines between the block and the code, kept as the template wrote them
    while end > 0 and not lines[end - 1]:
        end -= 1
        gap += 1
    stop = start + sum(len(line) + 1 for line in lines[: end + gap])  # where the code resumes
    if text.startswith((" ", "\t", "#"), stop):
        return text  # the block runs into something indented or a comment: not ours to judge
    bound = {m.split(".")[0] for m in straight} | {
        alias or name for names in members.values() for name, alias in names
    }
    if not bound:
        return text
    used = bound.intersection(_WORD.findall(text, 0, start))
    used.update(bound.intersection(_WORD.findall(text, stop)))
    sections: dict[int, list[str]] = {}
    for module in straight:
        if module.split(".")[0] in used:
            sections.setdefault(_section(module, first_party), []).append(module)
    froms: dict[int, list[tuple[str, list[Member]]]] = {}
    for module, names in members.items():
        kept = sorted((m for m in names if (m[1] or m[0]) in used), key=_member_key)
        plain = [m for m in kept if not m[1]]
        statements = [[m] for m in kept if m[1]] + ([plain] if plain else [])
        for statement in statements:
            froms.setdefault(_section(module, first_party), []).append((module, statement))
    block: list[str] = []
    if future:
        block += [*dict.fromkeys(future), ""]
    for section in sorted(set(sections) | set(froms)):
        block += [f"import {m}" for m in sorted(sections.get(section, []), key=_module_key)]
        ordered = sorted(
            froms.get(section, []),
            key=lambda item: (_module_key(item[0]), _member_key(item[1][0])),
        )
        for module, statement in ordered:
            block += _from_lines(module, statement)
        block.append("")
    return text[:start] + "\n".join(block[:-1]) + "\n" * (gap + 1) + text[stop:]


def _block_lines(text: str, start: int) -> list[str]:
    """The lines from `start` up to and including the first that is code (not an import, a
    blank line, or the inside of a parenthesised import)."""
    lines: list[str] = []
    inside = False
    at = start
    while at <= len(text):
        newline = text.find("\n", at)
        newline = len(text) if newline == -1 else newline
        line = text[at:newline]
        lines.append(line)
        at = newline + 1
        if inside:
            inside = line != ")"
        elif line.startswith(("import ", "from ")):
            inside = line.endswith("(")
        elif line:
            break
    return lines


def _parse_block(
    lines: list[str],
) -> tuple[int, list[str], dict[str, None], dict[str, dict[Member, None]]] | None:
    """The import block that `lines` start with: where it ends, and what it imports; None when
    unsure."""
    end = 0
    future: list[str] = []
    straight: dict[str, None] = {}  # module -> None (an ordered set)
    members: dict[str, dict[Member, None]] = {}  # module -> (name, alias)
    while end < len(lines) and (not lines[end] or lines[end].startswith(("import ", "from "))):
        line = lines[end]
        end += 1
        if line.endswith("("):  # from x import (\n    a,\n    b,\n)
            close = next((i for i in range(end, len(lines)) if lines[i] == ")"), None)
            if close is None:
                return None
            line = line[:-1] + " ".join(item.strip() for item in lines[end:close])
            end = close + 1
        if not line:
            continue
        if line.startswith("from __future__ "):
            future.append(line)
        elif match := _IMPORT.match(line):
            straight.update(dict.fromkeys(match[1].split(", ")))
        elif match := _FROM.match(line):
            names = members.setdefault(match[1], {})
            for item in match[2].rstrip(",").split(", "):
                name, _, alias = item.partition(" as ")
                names[(name, alias)] = None
        else:
            return None  # `import x as y`, `\`, `;`, comments: leave it to ruff
    return end, future, straight, members


def _from_lines(module: str, names: list[Member]) -> list[str]:
    items = [f"{name} as {alias}" if alias else name for name, alias in names]
    line = f"from {module} import {', '.join(items)}"
    if len(line) <= _LINE_LENGTH:
        return [line]
    return [f"from {module} import (", *(f"    {item}," for item in items), ")"]


def _section(module: str, first_party: frozenset[str]) -> int:
    top = module.split(".")[0]
    if top in first_party:
        return 3
    if top in sys.stdlib_module_names:
        return 1
    return 2


def _natural(text: str) -> tuple[str | int, ...]:
    return tuple(int(part) if i % 2 else part for i, part in enumerate(_DIGITS.split(text)))


@lru_cache(maxsize=4096)
def _module_key(module: str) -> tuple[tuple[str | int, ...], tuple[str | int, ...]]:
    return _natural(module.lower()), _natural(module)


@lru_cache(maxsize=4096)
def _member_key(member: Member) -> tuple[int, tuple[str | int, ...], tuple[str | int, ...], str]:
    name, alias = member
    if len(name) > 1 and name.isupper():
        kind = 0  # CONSTANT
    elif name[:1].isupper():
        kind = 1  # Class
    else:
        kind = 2  # everything else
    return kind, _natural(name.lower()), _natural(name), alias

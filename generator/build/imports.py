"""Part of step 6, format: prune and sort the import block of a rendered module, in Python.

Templates import generously (every event class of an aggregate, every standard type), and the
imports a module keeps must be exactly the ones it uses, in ruff's isort order. `ruff check
--fix` can do this, but its fix loop costs more than formatting the whole package (on a
1,000-command spec, 1.6 s against 0.2 s), so the common case is done here: drop the names the
rest of the module never mentions, then sort as ruff does (sections; `import x` before
`from x import`; natural, case-insensitive module order, `import x` before `import x as y`;
constants, classes, then the rest).

This is an optimisation, never the authority: a module this does not understand (comments in
the block, continuation lines, relative imports) is returned unchanged, and format.py lints every
file afterwards and gives anything still flagged (F401, I001) to ruff's own fixer.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from typing import ClassVar

_IMPORT = re.compile(r"import ([\w.]+(?: as \w+)?(?:, [\w.]+(?: as \w+)?)*)\Z")
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
    block = _Block.of(tuple(lines), first_party)
    if block is None:
        return text
    stop = start + block.length  # where the code resumes
    if text.startswith((" ", "\t"), stop) or (text.startswith("#", stop) and not block.gap):
        # The block runs into something indented, or a comment that may belong to its last
        # line: not ours to judge. (A comment after a blank line belongs to the code after it.)
        return text
    used = block.bound.intersection(_WORD.findall(text, 0, start))
    used.update(block.bound.intersection(_WORD.findall(text, stop)))
    return text[:start] + block.tidied(used) + text[stop:]


class _Block:
    """One import block as written, parsed and sorted once however many modules start with it
    (on a large spec, thousands of modules share a few hundred blocks); each module then only
    drops the names it does not use, which keeps the order."""

    _known: ClassVar[dict[tuple[tuple[str, ...], frozenset[str]], _Block | None]] = {}

    def __init__(self, length: int, gap: int, future: list[str]) -> None:
        self.length = length  # characters, up to the code after it
        self.gap = gap  # the blank lines before that code, kept as the template wrote them
        self.future = future
        # Per section, in order: `import module [as alias]` (a Member, and no names), or a
        # module's names (`from module import ...`: an empty alias, and the names).
        self.sections: list[list[tuple[Member, list[Member]]]] = []
        self.bound: set[str] = set()

    @classmethod
    def of(cls, lines: tuple[str, ...], first_party: frozenset[str]) -> _Block | None:
        key = (lines, first_party)
        if key not in cls._known:
            if len(cls._known) > 4096:
                cls._known.clear()
            cls._known[key] = cls._parse(lines, first_party)
        return cls._known[key]

    @classmethod
    def _parse(cls, lines: tuple[str, ...], first_party: frozenset[str]) -> _Block | None:
        parsed = _parse_block(list(lines))
        if parsed is None:
            return None
        end, future, straight, members = parsed
        gap = 0
        while end > 0 and not lines[end - 1]:
            end -= 1
            gap += 1
        block = cls(sum(len(line) + 1 for line in lines[: end + gap]), gap, future)
        sections: dict[int, tuple[list[Member], list[str]]] = {}
        for module, alias in straight:
            sections.setdefault(_section(module, first_party), ([], []))[0].append((module, alias))
            block.bound.add(alias or module.split(".")[0])
        for module, names in members.items():
            sections.setdefault(_section(module, first_party), ([], []))[1].append(module)
            block.bound.update(alias or name for name, alias in names)
        for _, (plain, froms) in sorted(sections.items()):
            entries: list[tuple[Member, list[Member]]] = [
                (m, []) for m in sorted(plain, key=lambda m: (_module_key(m[0]), m[1]))
            ]
            for module in sorted(froms, key=_module_key):
                entries.append(((module, ""), list(_sorted_members(tuple(members[module])))))
            block.sections.append(entries)
        return block if block.bound else None

    def tidied(self, used: set[str]) -> str:
        """The block with only the names in `used`, and the blank lines after it."""
        block: list[str] = []
        if self.future:
            block += [*dict.fromkeys(self.future), ""]
        for entries in self.sections:
            size = len(block)
            for (module, alias), names in entries:
                if not names:
                    if (alias or module.split(".")[0]) in used:
                        block.append(f"import {module} as {alias}" if alias else f"import {module}")
                    continue
                kept = [m for m in names if (m[1] or m[0]) in used]
                plain = [m for m in kept if not m[1]]
                statements = [[m] for m in kept if m[1]]
                if statements:  # `from m import a as b` is a statement of its own
                    statements = sorted(
                        [*statements, *([plain] if plain else [])], key=lambda s: _member_key(s[0])
                    )
                elif plain:
                    statements = [plain]
                for statement in statements:
                    block += _from_lines(module, statement)
            if len(block) > size:
                block.append("")
        return "\n".join(block[:-1]) + "\n" * (self.gap + 1)


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
) -> tuple[int, list[str], dict[Member, None], dict[str, dict[Member, None]]] | None:
    """The import block that `lines` start with: where it ends, and what it imports; None when
    unsure."""
    end = 0
    future: list[str] = []
    straight: dict[Member, None] = {}  # (module, alias) -> None (an ordered set)
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
            continue
        parsed = _parse_line(line)
        if parsed is None:
            return None  # `import x as y`, `\`, `;`, comments: leave it to ruff
        module, names = parsed
        if module is None:
            straight.update(dict.fromkeys(names))
        else:
            members.setdefault(module, {}).update(dict.fromkeys(names))
    return end, future, straight, members


@lru_cache(maxsize=8192)
def _parse_line(line: str) -> tuple[str | None, tuple[Member, ...]] | None:
    """`import a, b as c` as (None, modules); `from m import x, y as z` as (m, members); None
    if neither. Remembered: the same lines start thousands of modules."""
    if match := _IMPORT.match(line):
        return None, tuple(
            (module, alias)
            for module, _, alias in (i.partition(" as ") for i in match[1].split(", "))
        )
    if match := _FROM.match(line):
        items = match[2].rstrip(",").split(", ")
        return match[1], tuple(
            (name, alias) for name, _, alias in (item.partition(" as ") for item in items)
        )
    return None


@lru_cache(maxsize=8192)
def _sorted_members(members: tuple[Member, ...]) -> tuple[Member, ...]:
    return tuple(sorted(members, key=_member_key))


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
    parts: list[str | int] = list(_DIGITS.split(text))  # text, digits, text, ...
    parts[1::2] = [int(part) for part in parts[1::2]]
    return tuple(parts)


@lru_cache(maxsize=4096)
def _module_key(module: str) -> tuple[tuple[str | int, ...], tuple[str | int, ...]]:
    return _both(module)


def _both(text: str) -> tuple[tuple[str | int, ...], tuple[str | int, ...]]:
    """The natural keys of `text` lower-cased and as written (computed once when they agree)."""
    lowered = text.lower()
    lower = _natural(lowered)
    return lower, lower if lowered == text else _natural(text)


@lru_cache(maxsize=4096)
def _member_key(member: Member) -> tuple[int, tuple[str | int, ...], tuple[str | int, ...], str]:
    name, alias = member
    if len(name) > 1 and name.isupper():
        kind = 0  # CONSTANT
    elif name[:1].isupper():
        kind = 1  # Class
    else:
        kind = 2  # everything else
    return kind, *_both(name), alias

"""Round-trip editing of the spec's YAML: ruamel.yaml holds the tree, a line merge keeps the bytes.

ruamel.yaml's round-trip mode keeps comments, key order and quoting, but it re-renders some things
its own way (`[{a: 1}]` becomes `[a: 1]`, `key: null` becomes `key:`, extra spaces after a colon
go). So the edited text is made by a three-way merge: the lines ruamel would change without any
edit are kept as the user wrote them, and only the lines the edit changed take ruamel's rendering.
The merged text must read back to the same data as ruamel's own rendering, or ruamel's is used.

New content is built from plain data (read with the spec's own YAML 1.1 rules) by `node()`, which
quotes every string that YAML 1.1 would read as something else (`yes`, `1:20`, `3.20`).
"""

from __future__ import annotations

import copy
import difflib
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from ruamel.yaml.tokens import CommentToken

from generator.spec.diagnostics import SpecError
from generator.spec.load import load_text

# (mapping indent, sequence indent, dash offset) layouts tried; the one closest to the file wins.
Layout = tuple[int, int, int]
LAYOUTS: tuple[Layout, ...] = (
    (2, 4, 2),
    (2, 2, 0),
    (4, 4, 2),
    (4, 6, 4),
    (4, 4, 0),
    (2, 3, 1),
    (3, 5, 3),
)
_KEY_ALONE = re.compile(r"( *)(?:- )?[^#\s][^#]*:[ ]*(?:#.*)?")
_FLOW_SPECIAL = set("?[]{},#&*!|>'\"%@`")


class RoundTripError(Exception):
    """ruamel.yaml could not read a spec that the spec loader accepted."""


def _yaml(layout: Layout) -> YAML:
    handler = YAML(typ="rt")
    handler.preserve_quotes = True
    handler.width = 1_000_000  # never fold long lines
    mapping, sequence, offset = layout
    handler.indent(mapping=mapping, sequence=sequence, offset=offset)
    handler.representer.add_representer(type(None), _represent_null)
    return handler


def _represent_null(representer: Any, _data: None) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def _dump(handler: YAML, tree: Any) -> str:
    stream = io.StringIO()
    handler.dump(tree, stream)
    return stream.getvalue()


@dataclass
class Document:
    """A spec's text and its round-trip tree; edit `tree`, then call `text()`."""

    original: str
    tree: CommentedMap
    handler: YAML
    baseline: str  # ruamel's rendering of the tree before any edit

    @classmethod
    def parse(cls, text: str, layouts: tuple[Layout, ...] = LAYOUTS) -> Document:
        """`text`'s tree, to be rendered in the first of `layouts` that renders it as written
        (else the closest)."""
        try:
            tree = _yaml(LAYOUTS[0]).load(text)
        except YAMLError as exc:
            raise RoundTripError(str(exc)) from None
        if not isinstance(tree, CommentedMap):
            raise RoundTripError("the spec is not a mapping")
        best: tuple[int, YAML, str] | None = None
        for layout in layouts:
            handler = _yaml(layout)
            rendered = _dump(handler, tree)
            distance = _changed_lines(text, rendered)
            if best is None or distance < best[0]:
                best = (distance, handler, rendered)
            if distance <= len(text) // 2000:  # about 2% of the lines: this layout is the file's
                break
        assert best is not None
        return cls(text, tree, best[1], best[2])

    def text(self) -> str:
        """The edited text: the user's bytes wherever the edit did not reach."""
        edited = _dump(self.handler, self.tree)
        merged = "".join(
            merge3(
                self.baseline.splitlines(keepends=True),
                self.original.splitlines(keepends=True),
                edited.splitlines(keepends=True),
            )
        )
        text = merged if _same_data(merged, edited) else edited
        if not self.original.endswith("\n\n"):
            text = text.rstrip("\n") + "\n"  # a removal at the end leaves no blank lines behind
        return text


def layouts_by_usage(text: str) -> tuple[Layout, ...]:
    """LAYOUTS, those the text's own indentation uses most first (stably).

    A part of a spec parsed on its own (entries.py) may hold no list, or no nested mapping, so
    that several layouts render it as written; the one the rest of the file uses should win, as
    it does when the whole file is parsed. Counted from the text alone, without parsing it: each
    line that ends in a key with nothing after it, and the line under it, give the offset of a
    nested mapping or of a list's dash."""
    mapping: dict[int, int] = {}
    dash: dict[int, int] = {}
    lines = [
        line for line in text.split("\n") if line.strip() and not line.lstrip().startswith("#")
    ]
    for line, below in itertools.pairwise(lines):
        found = _KEY_ALONE.fullmatch(line)
        if found is None:
            continue
        depth = len(found.group(1)) + (2 if line.lstrip().startswith("- ") else 0)
        offset = len(below) - len(below.lstrip(" ")) - depth
        if offset < 0:
            continue
        counts = dash if below.lstrip(" ").startswith("- ") else mapping
        counts[offset] = counts.get(offset, 0) + 1

    def used(layout: Layout) -> int:
        return mapping.get(layout[0], 0) + dash.get(layout[2], 0)

    return tuple(sorted(LAYOUTS, key=used, reverse=True))


def _changed_lines(before: str, after: str) -> int:
    matcher = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines(), autojunk=False)
    return sum(
        max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    )


def _same_data(first: str, second: str) -> bool:
    try:
        return load_text(first, "merged").data == load_text(second, "edited").data
    except SpecError:
        return False


# -- the three-way line merge ----------------------------------------------------------------


@dataclass(frozen=True)
class _Hunk:
    start: int  # in the base
    end: int
    lines: list[str]
    mine: bool  # True: a difference of the user's text; False: the edit


def _hunks(base: list[str], other: list[str], *, mine: bool) -> list[_Hunk]:
    matcher = difflib.SequenceMatcher(None, base, other, autojunk=False)
    return [
        _Hunk(i1, i2, other[j1:j2], mine)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def _overlap(a: _Hunk, b: _Hunk) -> bool:
    if a.start == a.end and b.start == b.end:
        return a.start == b.start
    if a.start == a.end:
        return b.start < a.start < b.end
    if b.start == b.end:
        return a.start < b.start < a.end
    return a.start < b.end and b.start < a.end


def merge3(base: list[str], mine: list[str], edited: list[str]) -> list[str]:
    """`base` changed two ways; keep both where they do not overlap, the edit's where they do."""
    hunks = sorted(
        _hunks(base, mine, mine=True) + _hunks(base, edited, mine=False),
        key=lambda h: (h.start, h.end, h.mine),
    )
    out: list[str] = []
    position = 0
    for cluster in _clusters(hunks):
        start = min(h.start for h in cluster)
        end = max(h.end for h in cluster)
        out.extend(base[position:start])
        if all(h.mine for h in cluster) or all(not h.mine for h in cluster):
            out.extend(_apply(base, start, end, cluster))
        else:
            out.extend(_apply(base, start, end, [h for h in cluster if not h.mine]))
        position = end
    out.extend(base[position:])
    return out


def _clusters(hunks: list[_Hunk]) -> Iterator[list[_Hunk]]:
    cluster: list[_Hunk] = []
    for hunk in hunks:
        if cluster and not any(_overlap(hunk, other) for other in cluster):
            yield cluster
            cluster = []
        cluster.append(hunk)
    if cluster:
        yield cluster


def _apply(base: list[str], start: int, end: int, hunks: list[_Hunk]) -> list[str]:
    out: list[str] = []
    position = start
    for hunk in sorted(hunks, key=lambda h: (h.start, h.end)):
        out.extend(base[position : hunk.start])
        out.extend(hunk.lines)
        position = max(position, hunk.end)
    out.extend(base[position:end])
    return out


# -- building new content --------------------------------------------------------------------


def node(value: Any, *, flow: bool = False) -> Any:
    """Plain data as round-trip nodes: mappings and lists in flow style when `flow`."""
    if isinstance(value, dict):
        mapping = CommentedMap()
        for key, item in value.items():
            mapping[str(key)] = node(item, flow=True) if flow else item_node(item)
        if flow:
            mapping.fa.set_flow_style()
        return mapping
    if isinstance(value, list):
        sequence = CommentedSeq(
            [node(item, flow=True) if flow else item_node(item) for item in value]
        )
        if flow:
            sequence.fa.set_flow_style()
        return sequence
    if isinstance(value, str):
        return scalar(value, flow=flow)
    return value


def item_node(value: Any) -> Any:
    """A value inside a block collection: small mappings and lists go in flow style."""
    return node(value, flow=isinstance(value, dict | list))


def block(value: dict[str, Any]) -> CommentedMap:
    """A block mapping whose values are in flow style (the spec's usual look)."""
    mapping = CommentedMap()
    for key, item in value.items():
        mapping[key] = item_node(item)
    return mapping


def scalar(text: str, *, flow: bool = True) -> Any:
    """A string that reads back as this same string under the spec's YAML 1.1 rules."""
    if text.startswith("=") or (flow and any(ch in _FLOW_SPECIAL for ch in text)):
        return DoubleQuotedScalarString(text)
    try:
        plain = yaml.safe_load(text)
    except yaml.YAMLError:
        return DoubleQuotedScalarString(text)
    if plain != text or not isinstance(plain, str):
        return DoubleQuotedScalarString(text)
    return text


# -- changing the tree without disturbing its comments ---------------------------------------


def _trailing_slot(container: Any) -> tuple[Any, Any, int] | None:
    """Where the comment after a block container's last line lives: (ca.items, key, index)."""
    if isinstance(container, CommentedMap) and container:
        key = list(container)[-1]
        value = container[key]
        if _is_block(value) and value:
            return _trailing_slot(value)
        return container.ca.items, key, 2
    if isinstance(container, CommentedSeq) and container:
        index = len(container) - 1
        value = container[index]
        if _is_block(value) and value:
            return _trailing_slot(value)
        return container.ca.items, index, 0
    return None


def _is_block(value: Any) -> bool:
    return isinstance(value, CommentedMap | CommentedSeq) and not value.fa.flow_style()


def _take_trailing_lines(container: Any) -> str:
    """Detach the blank lines and comments that follow a container's last line."""
    slot = _trailing_slot(container)
    if slot is None:
        return ""
    items, key, index = slot
    entry = items.get(key)
    token = entry[index] if entry and len(entry) > index else None
    if token is None or "\n" not in token.value:
        return ""
    own, _, rest = token.value.partition("\n")
    if not rest:
        return ""
    if own.strip():
        token.value = own + "\n"
    else:
        entry[index] = None
    return str(rest)


def _put_trailing_lines(container: Any, rest: str, template: Any) -> None:
    if not rest:
        return
    slot = _trailing_slot(container)
    if slot is None:
        return
    items, key, index = slot
    entry = items.setdefault(key, [None, None, None, None])
    while len(entry) <= index:
        entry.append(None)
    token = entry[index]
    if token is None:
        token = copy.copy(template)
        token.value = "\n" + rest
        entry[index] = token
    else:
        token.value = token.value.rstrip("\n") + "\n" + rest


def _trailing_template(container: Any) -> Any:
    """A comment token to copy for lines put after the container (a blank one when its last
    line has none: lines to keep must not be dropped for want of a token to copy)."""
    slot = _trailing_slot(container)
    if slot is None:
        return None
    items, key, index = slot
    entry = items.get(key)
    token = entry[index] if entry and len(entry) > index else None
    return token if token is not None else CommentToken("", CommentMark(0), None)


def append_entry(mapping: CommentedMap, key: str, value: Any) -> None:
    """Add `key: value` at the end of a mapping, keeping blank lines after the mapping after it."""
    if mapping.fa.flow_style():
        mapping[key] = value
        return
    template = _trailing_template(mapping)
    rest = _take_trailing_lines(mapping)
    mapping[key] = value
    if template is not None:
        _put_trailing_lines(mapping, rest, template)


def append_item(sequence: CommentedSeq, value: Any) -> None:
    """Add an item at the end of a sequence, keeping blank lines after the sequence after it."""
    if sequence.fa.flow_style():
        sequence.append(value)
        return
    template = _trailing_template(sequence)
    rest = _take_trailing_lines(sequence)
    sequence.append(value)
    if template is not None:
        _put_trailing_lines(sequence, rest, template)


def insert_entry(mapping: CommentedMap, key: str, value: Any, *, after: tuple[str, ...]) -> None:
    """Add a key after the last of `after` present (or first), for keys with a usual place."""
    keys = list(mapping)
    positions = [keys.index(k) + 1 for k in after if k in keys]
    position = max(positions, default=0)
    if position == len(keys):
        append_entry(mapping, key, value)
    else:
        mapping.insert(position, key, value)


def delete_entry(mapping: CommentedMap, key: str) -> None:
    """Remove a key; blank lines after it, and comments of the item before it, stay."""
    keys = list(mapping)
    position = keys.index(key)
    template = _trailing_template(mapping)
    rest = _take_trailing_lines(mapping) if position == len(keys) - 1 else ""
    kept = _foreign_comments(mapping, key)
    del mapping[key]
    mapping.ca.items.pop(key, None)
    if kept and position < len(keys) - 1:
        entry = mapping.ca.items.setdefault(keys[position + 1], [None, None, None, None])
        entry[1] = kept + (entry[1] or [])
    elif kept:
        rest = "".join(" " * t.column + t.value for t in kept) + rest
    if rest and mapping and template is not None:
        _put_trailing_lines(mapping, rest, template)


def _foreign_comments(mapping: CommentedMap, key: str) -> list[Any]:
    """Comments stored before `key` but indented deeper than it: they belong to the item above."""
    if mapping.fa.flow_style():
        return []
    entry = mapping.ca.items.get(key)
    tokens = entry[1] if entry and len(entry) > 1 and entry[1] else []
    column = mapping.lc.key(key)[1] if key in mapping.lc.data else 0
    return [t for t in tokens if t.value.strip() and t.column > column]


def delete_item(sequence: CommentedSeq, index: int) -> None:
    last = index == len(sequence) - 1
    template = _trailing_template(sequence)
    rest = _take_trailing_lines(sequence) if last and not sequence.fa.flow_style() else ""
    del sequence[index]
    if rest and sequence and template is not None:
        _put_trailing_lines(sequence, rest, template)


def rename_key(mapping: CommentedMap, old: str, new: str) -> None:
    """Rename a key in place: same position, same comments, same value."""
    position = list(mapping).index(old)
    value = mapping[old]
    comments = mapping.ca.items.pop(old, None)
    del mapping[old]
    mapping.insert(position, new, value)
    if comments is not None:
        mapping.ca.items[new] = comments


def replace_scalar(text: Any, new: str) -> Any:
    """`new`, written with the same quoting as `text` was."""
    if isinstance(text, str) and type(text) is not str:
        return type(text)(new)
    return new

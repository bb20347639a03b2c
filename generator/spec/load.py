"""Step 1, load: spec bytes -> plain data, with a source position for every node.

Parsing uses PyYAML's safe composer (the C one when available): nodes carry line and column marks,
and no tag can construct a Python object. We build the data ourselves from the node tree so that
we can reject duplicate keys (PyYAML keeps the last one silently), bound alias expansion ("billion
laughs"), and keep mapping keys as the text written (YAML 1.1 would turn the key `on:` into True).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator.spec.diagnostics import Diagnostic, SpecError

DEFAULT_SPEC = "eventforge.yaml"  # the spec's file name when none is given

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

MAX_BYTES = 10 * 1024 * 1024
MAX_ALIAS_NODES = 100_000
MAX_DEPTH = 100  # nesting levels; real specs use about ten

PathKey = tuple[str | int, ...]

_ALLOWED_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"


@dataclass(frozen=True)
class LoadedSpec:
    """The spec as plain data, and where each piece of it was written."""

    file: str
    data: dict[str, Any]
    positions: Mapping[PathKey, tuple[int, int]] = field(repr=False)
    key_positions: Mapping[PathKey, tuple[int, int]] = field(repr=False)
    text: str = field(repr=False, default="")
    # Entries known to have the right shape: pieces from the load cache, which holds only pieces
    # of specs that passed validation (pieces.py). The shape check skips them (schema.py).
    checked: frozenset[PathKey] = field(repr=False, default=frozenset())

    def where(self, path: PathKey, *, key: bool = False) -> tuple[int, int]:
        """Line and column of the node at `path` (or of its key), else of its nearest parent."""
        table = self.key_positions if key else self.positions
        probe = path
        while probe:
            if probe in table:
                return table[probe]
            if probe in self.positions:
                return self.positions[probe]
            probe = probe[:-1]
        return self.positions.get((), (1, 1))


def path_text(path: PathKey) -> str:
    """`aggregates.Account.commands[0]` style, for messages and JSON output."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def load_file(path: Path) -> LoadedSpec:
    """Read and parse a spec file. Raises SpecError (I/O problems carry code E100)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise SpecError(
            [_diag("E100", f"cannot read the spec: {reason}", str(path), 1, 1)]
        ) from None
    return load_bytes(raw, str(path))


def load_bytes(raw: bytes, file: str) -> LoadedSpec:
    return load_text(spec_text(raw, file), file)


def spec_text(raw: bytes, file: str) -> str:
    """The text of a spec file's bytes (UTF-8, without a byte order mark), or SpecError."""
    if len(raw) > MAX_BYTES:
        message = f"the spec is {len(raw):,} bytes; the limit is {MAX_BYTES:,}"
        raise SpecError([_diag("E107", message, file, 1, 1)])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"the spec is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        raise SpecError([_diag("E101", message, file, line, column)]) from None
    return text[1:] if text.startswith("\ufeff") else text


def load_text(text: str, file: str) -> LoadedSpec:
    root = _compose(text, file)
    # An alias is `*` right before its anchor's name: text without `*` or `&` before a
    # non-space character has none, and the builder can skip the bookkeeping aliases need.
    builder = _Builder(file, aliases=_ALIAS_LIKE.search(text) is not None)
    try:
        data = builder.build(root, ())
    except _Abort:
        data = None
    if builder.errors:
        raise SpecError(builder.errors)
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        message = f"the spec must be a mapping of keys (eventforge:, domain:, ...), not {kind}"
        raise SpecError([_diag("E105", message, file, *_mark(root))])
    return LoadedSpec(file, data, builder.positions, builder.key_positions, text)


def parse_piece(text: str, depth: int) -> LoadedSpec | None:
    """`text` loaded on its own as load_text would, or None if it is not plain: anything the
    loader would report, nesting past `depth`, aliases, or a merge key at its root (see pieces.py,
    its only user)."""
    loader = _PIECE_LOADERS.get(depth)
    if loader is None:
        loader = _PIECE_LOADERS[depth] = type("_PieceLoader", (_GuardedLoader,), {"_limit": depth})
    try:
        documents = list(yaml.compose_all(text, Loader=loader))
    except (_TooDeep, yaml.YAMLError):
        return None
    if len(documents) != 1 or documents[0] is None:
        return None
    root = documents[0]
    if isinstance(root, MappingNode) and any(key.tag == _MERGE_TAG for key, _ in root.value):
        return None  # merged keys go after the others of the mapping the piece is part of
    builder = _Builder("", aliases=False)
    try:
        data = builder.build(documents[0], ())
    except _Abort:
        return None
    if builder.errors:
        return None
    return LoadedSpec("", data, builder.positions, builder.key_positions)


_PIECE_LOADERS: dict[int, type] = {}


class _TooDeep(Exception):
    pass


class _DepthGuard:
    """Counts nesting while the composer descends (it calls these for every node), and stops
    it past MAX_DEPTH: libyaml's composer recurses, so it must not go deep."""

    _depth = 0
    _limit = MAX_DEPTH

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        self._depth += 1
        if self._depth > self._limit:
            raise _TooDeep

    def ascend_resolver(self) -> None:
        self._depth -= 1

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        """The tag of a node written without one: the resolver's answer, remembered for plain
        scalars (the composer asks for every node, and most values repeat: names, types)."""
        if kind is ScalarNode:
            if not implicit[0]:
                return _STR_TAG  # quoted or block text
            tag = _PLAIN_TAGS.get(value)
            if tag is None:
                if len(_PLAIN_TAGS) > 100_000:
                    _PLAIN_TAGS.clear()
                tag = _PLAIN_TAGS[value] = super().resolve(kind, value, implicit)  # type: ignore[misc]
            return tag
        return super().resolve(kind, value, implicit)  # type: ignore[misc,no-any-return]


_PLAIN_TAGS: dict[str, str] = {}
_ALIAS_LIKE = re.compile(r"[&*]\S")


_GuardedLoader: type = type("_GuardedLoader", (_DepthGuard, _Loader), {})


def _compose(text: str, file: str) -> Node:
    try:
        try:
            # One pass over the text when all is well: the guard keeps the composer shallow.
            documents = list(yaml.compose_all(text, Loader=_GuardedLoader))
        except (_TooDeep, yaml.YAMLError):
            # Something to report: check the nesting of the whole text first, then compose
            # again, so that the problem reported and its place are always the same.
            _check_depth(text, file)
            documents = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and mark is not None and mark.index >= len(text.rstrip()):
            mark = exc.context_mark  # at the end of the file: point at what was left open instead
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise SpecError(
            [
                _diag(
                    "E102",
                    f"YAML syntax error: {problem}",
                    file,
                    line,
                    column,
                    hint=_syntax_hint(text, line),
                )
            ]
        ) from None
    except yaml.reader.ReaderError as exc:
        # A character YAML does not allow (NUL, other control characters): locate it.
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        message = f"YAML syntax error: the character U+{exc.character:04X} is not allowed"
        hint = 'write control characters as escapes in a double-quoted string, like "\\0"'
        raise SpecError([_diag("E102", message, file, line, column, hint=hint)]) from None
    except yaml.YAMLError as exc:
        raise SpecError([_diag("E102", f"YAML syntax error: {exc}", file, 1, 1)]) from None
    documents = [d for d in documents if d is not None]
    if not documents:
        raise SpecError([_diag("E105", "the spec is empty", file, 1, 1)])
    if len(documents) > 1:
        line, column = _mark(documents[1])
        raise SpecError(
            [_diag("E108", "the spec holds more than one YAML document", file, line, column)]
        )
    return documents[0]


def _check_depth(text: str, file: str) -> None:
    """Refuse deep nesting before composing: the composer recurses (libyaml's would crash).

    libyaml newer than 0.2.5 refuses nesting past 1,000 levels itself, and since its scanner reads
    up to 1,024 characters ahead, it does so at the first bracket of a deep run, before the event
    that crosses our limit: the same spec would be an E102 at one place or an E107 at another
    depending on the libyaml installed. So where libyaml stops at an error just before a run of
    more than MAX_DEPTH openings, the nesting is counted again with PyYAML's own parser, which
    has no limit (it is slow, so not for every syntax error).
    """
    try:
        _count_depth(yaml.parse(text, Loader=_Loader), file)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        ahead = text[mark.index : mark.index + _READ_AHEAD] if mark else ""
        if sum(ahead.count(c) for c in "[{-?") > MAX_DEPTH:
            # A syntax error stops this count too: then libyaml's report of it is the one shown.
            with contextlib.suppress(yaml.YAMLError):
                _count_depth(yaml.parse(text, Loader=yaml.SafeLoader), file)
        raise


# libyaml's scanner reads ahead at most 1,024 characters (a simple key's length limit): twice
# that covers every level it can have opened past the place where it reports an error.
_READ_AHEAD = 2048


def _count_depth(events: Iterator[yaml.Event], file: str) -> None:
    depth = 0
    for event in events:
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
                message = f"the spec nests deeper than {MAX_DEPTH} levels"
                raise SpecError([_diag("E107", message, file, line, column)])
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _syntax_hint(text: str, line: int) -> str:
    lines = text.splitlines()
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    if "{" in source and any(ch in source for ch in "?[]"):
        return (
            'inside a flow mapping {...}, quote types that use ?, [ or ]: {note: "str?", '
            'tags: "list[str]"}'
        )
    if "\t" in source[: len(source) - len(source.lstrip())]:
        return "YAML indentation must use spaces, not tabs"
    return ""


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _diag(
    code: str, message: str, file: str, line: int, column: int, *, hint: str = ""
) -> Diagnostic:
    return Diagnostic(code=code, message=message, file=file, line=line, column=column, hint=hint)


class _Builder:
    """Turns a composed node tree into plain data, recording positions as it goes."""

    def __init__(self, file: str, *, aliases: bool = True) -> None:
        self.file = file
        self._aliases = aliases  # whether the text may hold aliases (see load_text)
        self.positions: dict[PathKey, tuple[int, int]] = {}
        self.key_positions: dict[PathKey, tuple[int, int]] = {}
        self.errors: list[Diagnostic] = []
        self._seen: set[int] = set()
        self._alias_nodes = 0
        self._written: list[Node] = []  # nodes being built for the first time, innermost last
        self._open: set[int] = set()  # their ids
        self._scalars = SafeConstructor()

    def build(self, node: Node, path: PathKey) -> Any:
        if not self._aliases:  # every node is reached once: no alias to count or bound
            self._locate(node, path)
            return self._contents(node, path)
        if id(node) in self._open:
            # `&a [*a]`: an alias inside the node it names would expand forever.
            self._fail("E104", "an alias refers to a node that contains it", self._written[-1])
            raise _Abort
        if len(path) > MAX_DEPTH:  # only through aliases: _check_depth saw the text itself
            where = self._written[-1] if self._written else node
            self._fail("E107", f"the spec nests deeper than {MAX_DEPTH} levels", where)
            raise _Abort
        fresh = id(node) not in self._seen
        if not fresh:
            # A node reached twice is an alias being expanded: count it, so that nested aliases
            # ("billion laughs") stop early instead of exhausting memory. Report it where the
            # aliases are written (the innermost node built for the first time), not at the anchor.
            self._alias_nodes += 1
            if self._alias_nodes > MAX_ALIAS_NODES:
                where = self._written[-1] if self._written else node
                self._fail("E104", f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes", where)
                raise _Abort
        else:
            self._seen.add(id(node))
        self._locate(node, path)
        if isinstance(node, ScalarNode):
            return self._scalar(node)  # nothing inside refers back to it: no need to track it
        if fresh:
            self._written.append(node)
            self._open.add(id(node))
        try:
            return self._contents(node, path)
        finally:
            if fresh:
                self._open.discard(id(self._written.pop()))

    def _locate(self, node: Node, path: PathKey) -> None:
        if path not in self.positions:  # a merge key (<<) builds its source at the same path
            mark = node.start_mark
            self.positions[path] = (mark.line + 1, mark.column + 1)

    def _contents(self, node: Node, path: PathKey) -> Any:
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            self._check_tag(node, "tag:yaml.org,2002:seq")
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _mapping(self, node: MappingNode, path: PathKey) -> dict[str, Any]:
        self._check_tag(node, "tag:yaml.org,2002:map")
        result: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merged.update(self._merge_source(value_node, path))
                continue
            if not isinstance(key_node, ScalarNode):
                self._fail(
                    "E200", "a mapping key must be a plain value, not a list or mapping", key_node
                )
                continue
            key = str(key_node.value)
            child = (*path, key)
            if key in result:
                first = self.key_positions[child]
                self._fail(
                    "E103", f"duplicate key {key!r} (first written at line {first[0]})", key_node
                )
                continue
            mark = key_node.start_mark
            self.key_positions[child] = (mark.line + 1, mark.column + 1)
            result[key] = self.build(value_node, child)
        for key, value in merged.items():
            result.setdefault(key, value)
        return result

    def _merge_source(self, node: Node, path: PathKey) -> dict[str, Any]:
        sources = node.value if isinstance(node, SequenceNode) else [node]
        merged: dict[str, Any] = {}
        for source in sources:
            value = self.build(source, path)
            if isinstance(value, dict):
                for key, item in value.items():
                    merged.setdefault(key, item)
            else:
                self._fail("E200", "a merge key (<<) must refer to a mapping", source)
        return merged

    def _scalar(self, node: Node) -> Any:
        if node.tag == _STR_TAG:
            return node.value  # what the constructor returns, without its bookkeeping
        if node.tag not in _ALLOWED_TAGS:
            self._fail("E106", f"the YAML tag {node.tag!r} is not allowed in a spec", node)
            return None
        try:
            return self._scalars.construct_object(node, deep=True)
        except (ConstructorError, ValueError, OverflowError) as exc:
            self._fail("E200", f"cannot read this value: {exc}", node)
            return None

    def _check_tag(self, node: Node, expected: str) -> None:
        if node.tag != expected:
            self._fail("E106", f"the YAML tag {node.tag!r} is not allowed in a spec", node)

    def _fail(self, code: str, message: str, node: Node) -> None:
        self.errors.append(_diag(code, message, self.file, *_mark(node)))


class _Abort(Exception):
    pass

"""Loading a spec in pieces: each entry of `aggregates:` and `read_models:` parsed on its own, so
that a generate after a small edit parses only the entries whose text changed and takes the rest
from the load cache (generator/build/load_cache.py).

The result is always exactly what `load_text` gives (the same data, the same positions in the
same order); anything this module is not sure of falls back to `load_text` on the whole text:

- The text is cut only at lines that YAML's block structure makes the start of an entry: a line
  at the indentation of the block's first entry, inside a top-level block written `aggregates:`
  alone on its line (blank and comment lines go with the piece before them). A cut inside a
  quoted string or a flow collection leaves the piece before it unterminated, and a line that
  is not an entry does not parse on its own, so either falls back. The skeleton's load must
  then find each block as a key of the document on the line the cut read it at, with nothing
  under it (a line `aggregates:` inside a string that spans lines is not a block).
- Texts with anchors or aliases (pieces are built without the bookkeeping that bounds alias
  expansion), with line breaks other than `\\n` (YAML counts lines by them), or with directives
  (`%TAG !! ...` changes what a tag in a piece means), are loaded whole.
- A piece that does not parse on its own, holds anything the builder reports (duplicate keys,
  tags, bad values), nests near the depth limit, is a merge key (`<<`: merged entries come after
  the block's others), or repeats another piece's name is loaded whole,
  so that every error and its place are the ones a whole load reports.
- What is left outside the pieces (the other keys) is parsed with the pieces' lines blanked out,
  so that its line numbers stay where they are.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from generator.spec.diagnostics import SpecError
from generator.spec.load import MAX_DEPTH, LoadedSpec, PathKey, load_text, parse_piece

PIECED = frozenset({"aggregates", "read_models"})  # the blocks whose entries are pieces

Positions = dict[PathKey, tuple[int, int]]

_BLOCK = re.compile(r"([a-z_]+):[ ]*(?:#.*)?")
_ALIAS_LIKE = re.compile(r"[&*]\S")


@dataclass(frozen=True)
class Piece:
    """One entry parsed on its own: `{name: body}`, with positions counted from the piece's first
    line and paths without the block's key."""

    data: dict[str, Any]
    positions: Mapping[PathKey, tuple[int, int]]
    key_positions: Mapping[PathKey, tuple[int, int]]
    checked: bool = False  # part of a spec that passed validation (see LoadedSpec.checked)


@dataclass(frozen=True)
class Cut:
    block: str
    head: int  # the line of the block's key (0-based)
    start: int  # first line of the piece
    stop: int  # the line after its last
    text: str

    @classmethod
    def of(cls, block: str, head: int, start: int, stop: int, lines: list[str]) -> Cut:
        """Lines start to stop of a text split at its line breaks (the last one's kept)."""
        text = "\n".join(lines[start:stop]) + ("\n" if stop < len(lines) else "")
        return cls(block, head, start, stop, text)

    @property
    def digest(self) -> str:
        # The block too: the same text is an aggregate under one block and a read model under the
        # other, and a piece from the load cache counts as shape-checked where it was checked.
        material = f"{self.block}\n{self.text}".encode()
        return hashlib.blake2b(material, digest_size=16).hexdigest()


def load_in_pieces(
    text: str, file: str, known: Mapping[str, Piece]
) -> tuple[LoadedSpec, dict[str, Piece]]:
    """The spec in `text` as `load_text(text, file)` loads it, parsing only the pieces not in
    `known` (by their digest); and the pieces it is made of, by digest (empty when it was loaded
    whole). Raises SpecError as `load_text` does."""
    lines = text.split("\n")
    cuts = _cuts(text, lines)
    if not cuts:
        return load_text(text, file), {}
    pieces: dict[str, Piece] = {}
    for cut in cuts:
        piece = known.get(cut.digest) or _parse(cut)
        if piece is None:
            return load_text(text, file), {}
        pieces[cut.digest] = piece
    names = [name for cut in cuts for name in pieces[cut.digest].data]
    if len(set(names)) != len(names):
        return load_text(text, file), {}  # a repeated entry: the whole load reports it
    blanked = set[int]()
    for cut in cuts:
        blanked.update(range(cut.start, cut.stop))
    skeleton = "\n".join("" if i in blanked else line for i, line in enumerate(lines))
    try:
        rest = load_text(skeleton, file)
    except SpecError:
        return load_text(text, file), {}
    # Each block must be where YAML sees it: a key of the document, at the line the cut read it
    # at, with nothing left under it (not, say, a line inside a string that spans lines).
    heads = {(cut.block, cut.head) for cut in cuts}
    if any(
        rest.key_positions.get((block,)) != (head + 1, 1) or rest.data.get(block) is not None
        for block, head in heads
    ):
        return load_text(text, file), {}
    return _joined(rest, cuts, pieces, text), pieces


def cut_entries(text: str) -> list[Cut]:
    """The entries of the pieced blocks, each with its block and lines; empty when the text is
    one to load whole (see the module's docstring). A cut found here may still be refused by a
    whole load: a user of it checks each entry against the spec as loaded."""
    return _cuts(text, text.split("\n"))


def _cuts(text: str, lines: list[str]) -> list[Cut]:
    """Where the pieces are; empty when the text must be loaded whole."""
    if ("&" in text or "*" in text) and _ALIAS_LIKE.search(text):
        return []
    if any(mark in text for mark in "\r\x85\u2028\u2029"):
        return []
    if text.startswith("%") or "\n%" in text:
        return []  # a directive (`%TAG !! ...`) changes what the pieces below it mean
    cuts: list[Cut] = []
    block = ""
    head = indent = 0
    starts: list[int] = []

    def close(end: int) -> None:
        for n, start in enumerate(starts):
            stop = starts[n + 1] if n + 1 < len(starts) else end
            cuts.append(Cut.of(block, head, start, stop, lines))
        starts.clear()

    for number, line in enumerate(lines):
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue  # blank and comment lines belong to the piece before them
        depth = len(line) - len(stripped)
        if depth == 0:
            if block:
                close(number)
            found = _BLOCK.fullmatch(line)
            block = found.group(1) if found and found.group(1) in PIECED else ""
            head = number
            indent = 0
            continue
        if not block:
            continue
        if not indent:
            indent = depth
        if depth == indent:
            starts.append(number)
    if block:
        close(len(lines))
    return cuts


def _parse(cut: Cut) -> Piece | None:
    # A piece sits two levels below the document's root: keep it two levels from the limit, so
    # that whatever the whole load would refuse for depth is loaded whole and refused there.
    parsed = parse_piece(cut.text, MAX_DEPTH - 2)
    if parsed is None or not isinstance(parsed.data, dict) or len(parsed.data) != 1:
        return None
    return Piece(parsed.data, parsed.positions, parsed.key_positions)


def _joined(
    rest: LoadedSpec, cuts: list[Cut], pieces: Mapping[str, Piece], text: str
) -> LoadedSpec:
    """The skeleton's data with the pieces' entries put back; positions looked up in the piece
    that holds them (see _Placed)."""
    data = dict(rest.data)
    entries: dict[PathKey, tuple[Piece, int]] = {}
    blocks: dict[str, list[tuple[Piece, int]]] = {}
    for cut in cuts:
        piece = pieces[cut.digest]
        found = data.get(cut.block)
        data[cut.block] = {**found, **piece.data} if found else dict(piece.data)
        blocks.setdefault(cut.block, []).append((piece, cut.start))
        for name in piece.data:
            entries[(cut.block, name)] = (piece, cut.start)
    return LoadedSpec(
        rest.file,
        data,
        _Placed(rest.positions, blocks, entries, keys=False),
        _Placed(rest.key_positions, blocks, entries, keys=True),
        text,
        frozenset(path for path, (piece, _) in entries.items() if piece.checked),
    )


class _Placed(Mapping[PathKey, tuple[int, int]]):
    """The positions (or key positions) of a spec loaded in pieces: the skeleton's own, and each
    entry's looked up in its piece and moved down to where the piece starts. The same keys, values
    and order as a whole load's dict, without building a tuple for every node of the spec when a
    valid spec reads a handful of them."""

    def __init__(
        self,
        rest: Mapping[PathKey, tuple[int, int]],
        blocks: Mapping[str, list[tuple[Piece, int]]],
        entries: Mapping[PathKey, tuple[Piece, int]],
        *,
        keys: bool,
    ) -> None:
        self._rest = rest
        self._blocks = blocks
        self._entries = entries
        self._keys = keys

    def _table(self, piece: Piece) -> Mapping[PathKey, tuple[int, int]]:
        return piece.key_positions if self._keys else piece.positions

    def __getitem__(self, path: PathKey) -> tuple[int, int]:
        if len(path) >= 2:
            found = self._entries.get(path[:2])
            if found is not None:
                piece, offset = found
                line, column = self._table(piece)[path[1:]]
                return line + offset, column
        elif not self._keys and len(path) == 1 and path[0] in self._blocks:
            # A block mapping starts where its first entry does.
            piece, offset = self._blocks[str(path[0])][0]
            line, column = piece.positions[()]
            return line + offset, column
        return self._rest[path]

    def __iter__(self) -> Iterator[PathKey]:
        for path in self._rest:
            yield path
            if len(path) == 1 and path[0] in self._blocks:
                for piece, _ in self._blocks[str(path[0])]:
                    block = str(path[0])
                    yield from ((block, *inner) for inner in self._table(piece) if inner)

    def __len__(self) -> int:
        inner = sum(
            len(self._table(piece)) - (0 if self._keys else 1)
            for placed in self._blocks.values()
            for piece, _ in placed
        )
        return len(self._rest) + inner

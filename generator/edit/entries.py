"""Where an edit finds the round-trip tree: the whole document, or only the entries it changes.

ruamel.yaml's round trip of a whole spec is most of what an edit costs, and it grows faster than
the spec (`eventforge add error` took 2.5 s on a spec of 100 commands and 54 s on one of 1,000).
Most edits (an error, event, command, field, scenario or rule added to one aggregate or read
model) change one entry of `aggregates:` or `read_models:`. So an edit runs first against
`EntryTrees`: each entry it asks for is parsed on its own, as its block's key line with that one
entry under it (the piece spec/pieces.py cuts for loading), and the edited entries go back into
the text in place of the old ones, every other byte as it was.

A new aggregate or read model is appended to its block's last entry, parsed the same way. Any
other top-level key (`types:`, `automations:`, `timelines:`) is cut whole, from its line to the
next top-level key's, where the spec as loaded put them. A rename or removal, which follows
references through every entry, opens only the entries whose text mentions the name (`entries`):
an entry that never spells the name cannot refer to it. An edit that asks for anything else (the
whole tree), or an entry that cannot be cut or parsed on its own, raises `NeedsWhole`; the
caller then runs the edit again on `WholeTree`. The operations only change the tree they were given, so running one
again on a fresh tree is safe. tests/edit/test_entries.py checks that both give the same text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Protocol

from ruamel.yaml.comments import CommentedMap

from generator.edit.yaml_roundtrip import Document, Layout, RoundTripError, layouts_by_usage
from generator.spec.load import LoadedSpec
from generator.spec.pieces import PIECED, Cut, cut_entries

# An entry's first line names it; names are identifiers (the validator refuses anything else).
_ENTRY_NAME = re.compile(r" +([A-Za-z_][A-Za-z0-9_]*)[ ]*:(?:[ ]|$)")


class NeedsWhole(Exception):
    """The edit needs the whole document's tree."""


class Trees(Protocol):
    def whole(self) -> CommentedMap:
        """The document's tree."""
        ...

    def block(self, block: str, name: str) -> CommentedMap | None:
        """The mapping of `block` (aggregates, read_models) that holds entry `name`, or None
        when the spec has no such entry."""
        ...

    def tail(self, block: str) -> CommentedMap:
        """A root that holds `block` with at least its last entry, to append an entry to."""
        ...

    def top(self, key: str) -> CommentedMap | None:
        """A root that holds the top-level `key` (not a pieced block), or None when the spec
        has no such key."""
        ...

    def entries(self, block: str, mentioning: str) -> Iterator[tuple[str, CommentedMap]]:
        """The entries of `block` whose body is a mapping, in the spec's order; only those that
        may refer to `mentioning` (all, or those whose text spells it)."""
        ...

    def beside(self, key: str, after: tuple[str, ...]) -> CommentedMap:
        """A root to add the top-level `key` to, after the last of `after` the spec has."""
        ...

    def text(self) -> str:
        """The edited text."""
        ...


class WholeTree:
    def __init__(self, document: Document) -> None:
        self.document = document

    def whole(self) -> CommentedMap:
        return self.document.tree

    def block(self, block: str, name: str) -> CommentedMap | None:
        found = self.document.tree.get(block)
        return found if isinstance(found, CommentedMap) and name in found else None

    def tail(self, block: str) -> CommentedMap:
        return self.document.tree

    def top(self, key: str) -> CommentedMap | None:
        return self.document.tree if key in self.document.tree else None

    def entries(self, block: str, mentioning: str) -> Iterator[tuple[str, CommentedMap]]:
        yield from _bodies(self.document.tree.get(block))

    def beside(self, key: str, after: tuple[str, ...]) -> CommentedMap:
        return self.document.tree

    def text(self) -> str:
        return self.document.text()


def _bodies(mapping: Any) -> Iterator[tuple[str, CommentedMap]]:
    for name, body in mapping.items() if isinstance(mapping, CommentedMap) else ():
        if isinstance(body, CommentedMap):
            yield str(name), body


class EntryTrees:
    """The entries of the pieced blocks, each parsed when first asked for."""

    def __init__(self, text: str, loaded: LoadedSpec) -> None:
        """`text` as `loaded` read it (its positions count its lines)."""
        self._text = text
        self._lines = text.split("\n")
        self._cuts: dict[tuple[str, str], Cut] = {}
        # Each block's last entry, None when it repeats a name (then nothing is appended here).
        self._last: dict[str, tuple[str, str] | None] = {}
        self._uncut: set[str] = set()  # blocks with a cut that is not an entry
        for cut in cut_entries(text):
            found = _ENTRY_NAME.match(self._lines[cut.start])
            key = (cut.block, found.group(1)) if found else None
            # The whole load must have read this very line as the entry's key: a line that only
            # looks like one (inside a string that spans lines, say) is never edited as one, and
            # the entry it belongs to was cut short there, so none of the block is cut.
            if key is None or loaded.key_positions.get(key, (0, 0))[0] != cut.start + 1:
                self._uncut.add(cut.block)
                continue
            self._cuts.setdefault(key, cut)
            self._last[cut.block] = key if self._cuts[key] is cut else None
        self._loaded = loaded
        self._open: dict[tuple[str, str], tuple[Cut, Document]] = {}
        self._tops: dict[str, Cut] | None = None  # the other top-level keys, cut when first asked
        self._open_tops: dict[str, tuple[Cut, Document]] = {}
        self._usage: tuple[Layout, ...] | None = None  # the layouts, by the whole text's usage

    def whole(self) -> CommentedMap:
        raise NeedsWhole

    def block(self, block: str, name: str) -> CommentedMap | None:
        key = (block, name)
        if key not in self._open:
            cut = self._cuts.get(key)
            if cut is None or block in self._uncut:
                raise NeedsWhole  # not in the spec, or not cut: the whole tree says which
            try:
                document = Document.parse(self._header(cut) + cut.text, self._layouts())
            except RoundTripError:
                raise NeedsWhole from None
            found = document.tree.get(block)
            if not isinstance(found, CommentedMap) or list(found) != [name]:
                raise NeedsWhole
            self._open[key] = (cut, document)
        mapping = self._open[key][1].tree[block]
        assert isinstance(mapping, CommentedMap)
        return mapping

    def tail(self, block: str) -> CommentedMap:
        """The block's last entry, parsed on its own: a new entry appended to it goes where it
        goes in the whole document, after the last one."""
        key = self._last.get(block)
        if key is None or block in self._uncut:
            raise NeedsWhole  # no entry yet, or the last one cannot be cut
        self.block(*key)
        return self._open[key][1].tree

    def top(self, key: str) -> CommentedMap | None:
        if key in PIECED:
            raise NeedsWhole  # its entries are cut one by one
        if key not in self._open_tops:
            cut = self._top_cuts().get(key)
            if cut is None:
                if key in self._loaded.data:
                    raise NeedsWhole  # there, but not cut: the whole tree has it
                return None
            try:
                document = Document.parse(cut.text, self._layouts())
            except RoundTripError:
                raise NeedsWhole from None
            if list(document.tree) != [key]:
                raise NeedsWhole
            self._open_tops[key] = (cut, document)
        return self._open_tops[key][1].tree

    def entries(self, block: str, mentioning: str) -> Iterator[tuple[str, CommentedMap]]:
        if block not in PIECED:
            root = self.top(block)
            yield from _bodies(root.get(block) if root is not None else None)
            return
        loaded = self._loaded.data.get(block)
        names = [name for (cut_block, name) in self._cuts if cut_block == block]
        if block in self._uncut or (
            loaded is not None and (not isinstance(loaded, dict) or list(loaded) != names)
        ):
            raise NeedsWhole  # an entry that was not cut (or cut short): the whole tree has it
        for name in names:
            text = self._cuts[(block, name)].text
            # An entry that never spells the name cannot refer to it; a backslash may escape it
            # in a double-quoted string, so an entry with one is opened anyway.
            if (block, name) in self._open or mentioning in text or "\\" in text:
                yield from _bodies(self.block(block, name))

    def beside(self, key: str, after: tuple[str, ...]) -> CommentedMap:
        """The root of the last of `after` the spec has: the new key goes right after it, as
        the whole tree inserts it (after that block's last entry, when it is a pieced block)."""
        keys = list(self._loaded.data)
        present = [k for k in keys if k in after]
        if key in keys or not present:
            raise NeedsWhole
        anchor = present[-1]
        root = self.tail(anchor) if anchor in PIECED else self.top(anchor)
        if root is None:
            raise NeedsWhole
        return root

    def _top_cuts(self) -> dict[str, Cut]:
        """Each top-level key that is not a pieced block, from its line to the next key's line,
        where the spec as loaded read them; none when that cannot be told (a flow mapping, a
        key that is not a plain name)."""
        if self._tops is None:
            self._tops = {}
            data = self._loaded.data
            found = [(self._loaded.key_positions.get((key,)), key) for key in data]
            starts = [position[0] - 1 for position, _ in found if position and position[1] == 1]
            if len(starts) != len(data) or starts != sorted(set(starts)):
                return self._tops
            ends = [*starts[1:], len(self._lines)]
            for (_, key), start, stop in zip(found, starts, ends, strict=True):
                if not isinstance(key, str) or not self._lines[start].startswith(f"{key}:"):
                    self._tops = {}
                    break
                if key not in PIECED:
                    self._tops[key] = Cut.of(key, start, start, stop, self._lines)
        return self._tops

    def _layouts(self) -> tuple[Layout, ...]:
        if self._usage is None:
            self._usage = layouts_by_usage(self._text)
        return self._usage

    def _others_stay(self, block: str) -> bool:
        """Whether `block` keeps an entry: one not opened, or one opened and not removed."""
        return any(
            key not in self._open or self._open[key][1].tree[block]
            for key in self._cuts
            if key[0] == block
        )

    def _header(self, cut: Cut) -> str:
        """The block's line an entry was parsed under (a top-level key's cut holds its own)."""
        return self._lines[cut.head] + "\n" if cut.head < cut.start else ""

    def text(self) -> str:
        """The text with each entry asked for as edited (the last first, so that the line
        numbers of the others hold)."""
        lines = list(self._lines)
        at_end = False  # an entry removed at the end of the text
        opened = [*self._open.values(), *self._open_tops.values()]
        for cut, document in sorted(opened, key=lambda o: o[0].start, reverse=True):
            if cut.head == cut.start and list(document.tree)[:1] != [cut.block]:
                raise NeedsWhole  # the edit removed the key (a key added after it is `beside`'s)
            if cut.head < cut.start and not document.tree[cut.block]:
                if not self._others_stay(cut.block) or list(document.tree) != [cut.block]:
                    raise NeedsWhole  # the block empties, or a key was added after the entry
                first, stop = _removed_lines(lines, cut)
                at_end = at_end or stop >= len(lines) - 1
                del lines[first:stop]
                continue
            header = self._header(cut)
            edited = document.text()
            if not edited.startswith(header):
                raise NeedsWhole  # the edit reached the block's own line
            body = edited[len(header) :]
            if cut.stop < len(lines):
                body = body.removesuffix("\n")  # the line break before the next entry stays
            lines[cut.start : cut.stop] = body.split("\n")
        text = "\n".join(lines)
        if at_end and not self._text.endswith("\n\n"):
            text = text.rstrip("\n") + "\n"  # no blank lines left behind at the end, as before
        return text


def _removed_lines(lines: list[str], cut: Cut) -> tuple[int, int]:
    """The lines a removed entry takes with it: its own, the comments right above it at its
    indentation (they introduce it), and after its last line the comments indented deeper than
    it, up to a comment at its indentation or the margin (which introduces what follows, and
    stays). The blank lines after it go too, unless it was its block's last entry: then they
    part the block from what follows (and those above it go instead, as the whole document's
    removal does).

    A rule of lines, because ruamel.yaml keeps a comment with whichever node it follows, which
    would drop the next entry's introduction and keep this one's closing remarks."""
    indent = _depth(lines[cut.start])
    first = cut.start
    while (
        first - 1 > cut.head and _comment(lines[first - 1]) and _depth(lines[first - 1]) == indent
    ):
        first -= 1
    last = max(n for n in range(cut.start, cut.stop) if lines[n].strip() and not _comment(lines[n]))
    stop = next(
        (n for n in range(last + 1, cut.stop) if _comment(lines[n]) and _depth(lines[n]) <= indent),
        cut.stop,
    )
    if cut.stop == len(lines) or _depth(lines[cut.stop]) == 0:  # the block's last entry
        end = cut.stop - 1 if cut.stop == len(lines) and lines[-1] == "" else cut.stop
        if last + 1 < end:
            # Lines follow it (ruamel moves them to the entry above, in place of its own blank
            # lines): its blank lines stay, parting the block from what follows, and the blank
            # lines above it go.
            while first - 1 > cut.head and not lines[first - 1].strip():
                first -= 1
        stop = max(n + 1 for n in range(last, stop) if lines[n].strip())
    if stop == len(lines) and lines[-1] == "":
        stop -= 1  # the text's last line break stays
    return first, stop


def _comment(line: str) -> bool:
    return line.lstrip(" ").startswith("#")


def _depth(line: str) -> int:
    return len(line) - len(line.lstrip(" "))

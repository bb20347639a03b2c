"""Where an edit finds the round-trip tree: the whole document, or only the entries it changes.

ruamel.yaml's round trip of a whole spec is most of what an edit costs, and it grows faster than
the spec (`eventforge add error` took 2.5 s on a spec of 100 commands and 54 s on one of 1,000).
Most edits (an error, event, command, field, scenario or rule added to one aggregate or read
model) change one entry of `aggregates:` or `read_models:`. So an edit runs first against
`EntryTrees`: each entry it asks for is parsed on its own, as its block's key line with that one
entry under it (the piece spec/pieces.py cuts for loading), and the edited entries go back into
the text in place of the old ones, every other byte as it was.

A new aggregate or read model is appended to its block's last entry, parsed the same way. An
edit that asks for anything else (the whole tree: adding an automation, renaming, removing a
declaration), or an entry that cannot be cut or parsed on its own, raises `NeedsWhole`; the
caller then runs the edit again on `WholeTree`. The operations only change the tree they were given, so running one
again on a fresh tree is safe. tests/edit/test_entries.py checks that both give the same text.
"""

from __future__ import annotations

import re
from typing import Protocol

from ruamel.yaml.comments import CommentedMap

from generator.edit.yaml_roundtrip import Document, Layout, RoundTripError, layouts_by_usage
from generator.spec.load import LoadedSpec
from generator.spec.pieces import Cut, cut_entries

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

    def text(self) -> str:
        return self.document.text()


class EntryTrees:
    """The entries of the pieced blocks, each parsed when first asked for."""

    def __init__(self, text: str, loaded: LoadedSpec) -> None:
        """`text` as `loaded` read it (its positions count its lines)."""
        self._text = text
        self._lines = text.split("\n")
        self._cuts: dict[tuple[str, str], Cut] = {}
        # Each block's last entry, None when it cannot be cut (then nothing is appended here).
        self._last: dict[str, tuple[str, str] | None] = {}
        for cut in cut_entries(text):
            found = _ENTRY_NAME.match(self._lines[cut.start])
            key = (cut.block, found.group(1)) if found else None
            # The whole load must have read this very line as the entry's key: a line that only
            # looks like one (inside a string that spans lines, say) is never edited as one.
            if key is None or loaded.key_positions.get(key, (0, 0))[0] != cut.start + 1:
                self._last[cut.block] = None
                continue
            self._cuts.setdefault(key, cut)
            self._last[cut.block] = key if self._cuts[key] is cut else None
        self._open: dict[tuple[str, str], tuple[Cut, Document]] = {}
        self._usage: tuple[Layout, ...] | None = None  # the layouts, by the whole text's usage

    def whole(self) -> CommentedMap:
        raise NeedsWhole

    def block(self, block: str, name: str) -> CommentedMap | None:
        key = (block, name)
        if key not in self._open:
            cut = self._cuts.get(key)
            if cut is None:
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
        if key is None:
            raise NeedsWhole  # no entry yet, or the last one cannot be cut
        self.block(*key)
        return self._open[key][1].tree

    def _layouts(self) -> tuple[Layout, ...]:
        if self._usage is None:
            self._usage = layouts_by_usage(self._text)
        return self._usage

    def _header(self, cut: Cut) -> str:
        return self._lines[cut.head] + "\n"

    def text(self) -> str:
        """The text with each entry asked for as edited (the last first, so that the line
        numbers of the others hold)."""
        lines = list(self._lines)
        for cut, document in sorted(self._open.values(), key=lambda o: o[0].start, reverse=True):
            header = self._header(cut)
            edited = document.text()
            if not edited.startswith(header):
                raise NeedsWhole  # the edit reached the block's own line
            body = edited[len(header) :]
            if cut.stop < len(lines):
                body = body.removesuffix("\n")  # the line break before the next entry stays
            lines[cut.start : cut.stop] = body.split("\n")
        return "\n".join(lines)

"""Loading a spec in pieces (generator/spec/pieces.py) gives exactly what loading it whole gives:
the same data, positions and key positions in the same order, the same errors; with pieces
taken from the load of an earlier text too (the load cache, generator/build/load_cache.py)."""

from __future__ import annotations

import marshal
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import cli, copy_example, write_cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.build.load_cache import LOAD_FILE, LoadCache
from generator.spec.diagnostics import SpecError
from generator.spec.load import MAX_DEPTH, load_text
from generator.spec.pieces import Piece, load_in_pieces
from generator.spec.schema import shape_problems
from generator.spec.validate import validate_loaded

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/eventforge.yaml"))


def _whole(text: str) -> Any:
    try:
        loaded = load_text(text, "spec.yaml")
    except SpecError as exc:
        return exc.diagnostics
    # repr: the order of the keys too (the order of the generated code), which == ignores.
    positions, keys = list(loaded.positions.items()), list(loaded.key_positions.items())
    return loaded.data, repr(loaded.data), positions, keys


def _pieced(text: str, known: dict[str, Piece] | None = None) -> tuple[Any, dict[str, Piece]]:
    try:
        loaded, pieces = load_in_pieces(text, "spec.yaml", known or {})
    except SpecError as exc:
        return exc.diagnostics, {}
    positions, keys = list(loaded.positions.items()), list(loaded.key_positions.items())
    found = (loaded.data, repr(loaded.data), positions, keys)
    return found, pieces


def _same(text: str, known: dict[str, Piece] | None = None) -> dict[str, Piece]:
    found, pieces = _pieced(text, known)
    assert found == _whole(text)
    return pieces


@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda p: p.parent.name)
def test_every_example_loads_the_same_in_pieces(spec: Path) -> None:
    text = spec.read_text(encoding="utf-8")
    pieces = _same(text)
    assert len(pieces) >= 2  # it was cut (the examples are plain block YAML)
    # Again from the pieces alone, and after an edit that moves every later piece down.
    assert _same(text, pieces) == pieces
    first = text.index("\naggregates:\n") + len("\naggregates:\n")
    _same(text[:first] + "  # a comment\n\n" + text[first:], pieces)


BASE = """\
eventforge: 1
domain: Shop
types:
  Money: {fields: {amount: decimal}}
aggregates:
  Cart:
    id: cart_id
    state: {items: {type: int, default: 0}}
    events:
      ItemAdded: {fields: {sku: str}}
  Order:
    id: order_id
    events:
      OrderPlaced:
        fields: {total: decimal}
read_models:
  Carts:
    key: cart_id
    fields: {items: int}
    on: {ItemAdded: {set: {items: = row.items + 1}}}
"""

# Lines that make cutting wrong if it were done naively: each is put somewhere in BASE.
TRICKY = [
    "  Extra:\n    id: extra_id\n",
    "# a comment at the top level\n",
    "    # an indented comment\n",
    "\n",
    "  Cart:\n    id: again\n",  # a repeated entry: E103 in a whole load
    '  Quoted: "a string\n  Inside: that goes on"\n',
    "  Flow: {id: flow_id,\n  Next: 1}\n",
    "  Anchored: &a {id: x}\n  Aliased: *a\n",
    "  Text:\n    description: |+\n      kept\n\n\n",
    "  'Quoted key':\n    id: q\n",
    "  Inline: {id: inline_id}\n",
    "---\n",
    "  Tab:\n\tid: t\n",
    "   Odd:\n    id: odd\n",
    " Less:\n",
    "  Bad: [unclosed\n",
    "  Tagged: !!python/object {id: x}\n",
    "  When: 2024-01-01\n",
    '  Breaks:\n    description: "a\u2028b\x85c"\n',  # line breaks to YAML, not to split("\n")
    "  Crlf:\r\n    id: crlf_id\r\n",
    "  - item\n",
    "  ? complex\n  : value\n",
    "  Plain: a\n  b\n",
    "automations: {}\n",
    "read_models:\n  Again: {key: x}\n",
    "aggregates: # a comment after the key\n  Late:\n    id: late_id\n",
    'description: "a string\naggregates:\n  Fake: entry\n"\n',  # a block inside a string
    "  <<: {Merged: {id: merged_id}}\n",  # merged entries go after the others
    "%TAG !! tag:example.com,2000:\n---\n",  # `!!str` means another tag below it
    "  Typed: !!str text\n",
]


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))  # fmt: skip
@given(st.lists(st.tuples(st.integers(0, 40), st.sampled_from(TRICKY)), max_size=4))
def test_tricky_texts_load_the_same_in_pieces(inserts: list[tuple[int, str]]) -> None:
    lines = BASE.splitlines(keepends=True)
    for at, fragment in inserts:
        lines.insert(at % (len(lines) + 1), fragment)
    text = "".join(lines)
    pieces = _same(text)
    # From pieces of the base text (some still current, some stale), too.
    _same(text, _pieced(BASE)[1] | pieces)


def test_a_block_key_inside_a_string_is_not_a_block() -> None:
    """A double-quoted string may go on over lines at the left margin: `aggregates:` on one of
    them is text, not a block (the whole load reads the description "x aggregates: Fake: bar ")."""
    text = BASE.replace(
        "domain: Shop\n", 'domain: Shop\ndescription: "x\naggregates:\n  Fake: bar\n"\n'
    )
    assert _whole(text)[0]["description"] == "x aggregates: Fake: bar "
    _same(text)


def test_aliases_inside_one_entry_are_bounded_as_in_a_whole_load() -> None:
    """Pieces are built without the alias bookkeeping: a text with aliases is loaded whole, so
    that a "billion laughs" inside one entry is refused (E104) as the whole load refuses it."""
    laughs = ["    l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    laughs += [f"    l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]" for n in range(1, 6)]
    text = BASE.replace("  Order:\n", "  Laughs:\n" + "\n".join(laughs) + "\n  Order:\n")
    assert [d.code for d in _pieced(text)[0]] == ["E104"]
    _same(text)


def test_a_piece_nesting_near_the_limit_is_loaded_whole() -> None:
    """The whole load refuses nesting past MAX_DEPTH (E107); a piece sits two levels down, so it
    must not be parsed alone past MAX_DEPTH - 2 (or it would accept what the whole load refuses)."""
    for depth in (MAX_DEPTH - 3, MAX_DEPTH - 2, MAX_DEPTH - 1, MAX_DEPTH):
        nested = "[" * depth + "]" * depth
        text = BASE.replace("  Order:\n", f"  Deep:\n    x: {nested}\n  Order:\n")
        _same(text)


def test_the_pieces_are_cut_where_entries_start() -> None:
    _, pieces = _pieced(BASE)
    names = sorted(name for piece in pieces.values() for name in piece.data)
    assert names == ["Cart", "Carts", "Order"]
    # Positions inside a piece are counted from its first line: moved to the spec's lines.
    loaded, _ = load_in_pieces(BASE, "spec.yaml", pieces)
    assert loaded.where(("aggregates", "Order", "events", "OrderPlaced")) == (15, 9)
    assert loaded.where(("aggregates", "Order", "events", "OrderPlaced"), key=True) == (14, 7)
    assert loaded.where(("read_models", "Carts"), key=True) == (17, 3)


def test_the_load_cache_keeps_the_pieces_between_generates(tmp_path: Path) -> None:
    cache = LoadCache.open(tmp_path, "tool-1")
    assert cache.known == {}
    _, pieces = _pieced(BASE)
    cache.remember(pieces)
    cache.save()
    again = LoadCache.open(tmp_path, "tool-1")
    assert set(again.known) == set(pieces)
    # Taken from the cache, the pieces give what parsing gives, positions included.
    edited = BASE.replace("aggregates:\n", "aggregates:\n  # moved down a line\n")
    _same(edited, again.known)
    # Another eventforge build, or a broken file: nothing is taken from it.
    assert LoadCache.open(tmp_path, "tool-2").known == {}
    write_cache(tmp_path, LOAD_FILE, b"\x00broken")  # signed: unmarshalling is what fails
    assert LoadCache.open(tmp_path, "tool-1").known == {}
    write_cache(tmp_path, LOAD_FILE, marshal.dumps({"format": 1, "tool": "tool-1", "pieces": 3}))
    assert LoadCache.open(tmp_path, "tool-1").known == {}


def test_a_piece_holding_a_date_is_not_kept(tmp_path: Path) -> None:
    text = BASE.replace("    id: order_id\n", "    id: order_id\n    since: 2024-01-01\n")
    _, pieces = _pieced(text)
    cache = LoadCache.open(tmp_path, "tool")
    cache.remember(pieces)
    cache.save()
    kept = LoadCache.open(tmp_path, "tool").known
    assert len(kept) == len(pieces) - 1
    assert all("Order" not in piece.data for piece in kept.values())


def _checked(text: str, names: set[str]) -> Any:
    """The spec loaded in pieces, the entries `names` as the load cache gives them (checked)."""
    _, pieces = _pieced(text)
    known = {
        digest: replace(piece, checked=bool(names & set(piece.data)))
        for digest, piece in pieces.items()
    }
    loaded, _ = load_in_pieces(text, "spec.yaml", known)
    return loaded


def test_the_shape_check_skips_checked_entries_only(monkeypatch: pytest.MonkeyPatch) -> None:
    bad = BASE.replace("    id: order_id\n", "    id: order_id\n    colour: red\n")
    whole = shape_problems(load_text(bad, "spec.yaml"))[0]
    assert [d.code for d in whole] == ["E202"]
    # Cart is checked, Order (with the unknown key) is not: reported as a whole load reports it.
    assert shape_problems(_checked(bad, {"Cart", "Carts"}))[0] == whole
    # Every entry checked: the fast check alone answers (jsonschema, which explains problems,
    # is not even asked), though it sees one entry of a block that needs one.
    monkeypatch.setattr("generator.spec.schema._validator", lambda: pytest.fail("jsonschema ran"))
    assert shape_problems(_checked(BASE, {"Cart", "Order", "Carts"})) == ([], [])


def test_a_generate_reports_a_new_entrys_shape_after_a_cached_one(tmp_path: Path) -> None:
    """End to end: pieces read back from the load cache skip the shape check, an edited or new
    entry does not."""
    copy_example("bank", tmp_path)
    spec = tmp_path / "eventforge.yaml"
    assert cli("generate", spec).exit_code == 0
    assert (tmp_path / LOAD_FILE).is_file()
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace("aggregates:\n", "aggregates:\n  Branch:\n    colour: red\n"))
    run = cli("generate", spec)
    assert run.exit_code != 0
    clean = cli("validate", spec)
    assert clean.exit_code == run.exit_code
    assert "E202" in run.stderr and run.stderr.splitlines()[0] == clean.stderr.splitlines()[0]


def test_an_entry_moved_to_another_block_is_shape_checked_there(tmp_path: Path) -> None:
    """A piece's text is the same under `aggregates:` and under `read_models:`: an aggregate the
    load cache kept (shape-checked, as an aggregate) and then moved as it is under `read_models:`
    is a read model of the wrong shape, reported as a whole load reports it (not a crash)."""
    cache = LoadCache.open(tmp_path, "tool")
    loaded, pieces = load_in_pieces(BASE, "spec.yaml", cache.known)
    assert validate_loaded(loaded)[0] is not None
    cache.remember(pieces)
    cache.save()
    order = "  Order:\n    id: order_id\n    events:\n      OrderPlaced:\n        fields: {total: decimal}\n"
    assert order in BASE and BASE.endswith("row.items + 1}}}\n")
    moved = BASE.replace(order, "") + order  # the last entry of read_models now
    whole = validate_loaded(load_text(moved, "spec.yaml"))
    assert whole[0] is None and "E202" in [d.code for d in whole[1]]
    pieced, _ = load_in_pieces(moved, "spec.yaml", LoadCache.open(tmp_path, "tool").known)
    assert validate_loaded(pieced) == whole


def test_a_tag_directive_is_loaded_whole() -> None:
    """`%TAG !! ...` gives `!!str` another meaning in the document it precedes; a piece parsed on
    its own does not see the directive (the whole load refuses the tag: E106)."""
    text = "%TAG !! tag:example.com,2000:\n---\n" + BASE.replace(
        "id: order_id", "id: !!str order_id"
    )
    assert [d.code for d in _whole(text)] == ["E106"]
    _same(text)


def test_a_merge_key_among_the_entries_keeps_the_order_of_a_whole_load() -> None:
    """Keys merged with `<<` come after the block's other keys in a whole load: the entries'
    order (which is the order of the generated code) must be the same in pieces."""
    text = BASE.replace("aggregates:\n", "aggregates:\n  <<: {Basket: {id: basket_id}}\n")
    whole = load_text(text, "spec.yaml")
    assert list(whole.data["aggregates"]) == ["Cart", "Order", "Basket"]
    loaded, _ = load_in_pieces(text, "spec.yaml", {})
    assert list(loaded.data["aggregates"]) == list(whole.data["aggregates"])
    _same(text)

"""An edit of one entry, made on that entry alone, writes the text the whole document's edit
writes (generator/edit/entries.py).

Every operation that edits one aggregate or read model runs both ways on the examples and on
random specs: against `EntryTrees` (the entry parsed on its own, then put back in the text) and
against `WholeTree` (ruamel.yaml's round trip of the whole spec). The texts and the changes must be
the same, and the entry path must really have been taken (no fallback to the whole document).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, cli, write_spec
from hypothesis import given
from spec_strategies import valid_specs
from spec_strategies.edits import edit_settings
from spec_strategies.specs import dump

from generator.edit import entries as entries_module
from generator.edit import ops, refs, rules, stories
from generator.edit.entries import EntryTrees, NeedsWhole, WholeTree
from generator.edit.ops import Change, Editing
from generator.edit.yaml_roundtrip import Document
from generator.spec.diagnostics import SpecError
from generator.spec.load import load_text
from generator.spec.pieces import PIECED

Operation = Callable[[Editing], Change]


def _operations(data: dict[str, Any]) -> Iterator[Operation]:
    """Edits of one entry each: five for every aggregate, three for its first command, two for
    every read model; and a new aggregate and read model, appended after the last."""
    for aggregate, body in (data.get("aggregates") or {}).items():
        yield partial(ops.add_error, aggregate=aggregate, name="ZzError", message="Nope.")
        yield partial(
            ops.add_event,
            aggregate=aggregate,
            name="ZzHappened",
            fields={"note": "str", "count": "int"},
            apply={},
            description="A thing happened.",
        )
        yield partial(
            ops.add_command,
            aggregate=aggregate,
            name="ZzDo",
            fields={"note": "str"},
            emits=["ZzHappened"],
            rejects=[{"if": "note == ''", "error": "ZzError"}],
            creates=False,
            custom=False,
            description="",
        )
        yield partial(ops.add_field, owner=aggregate, fields={"zz": "int"})
        yield partial(
            ops.add_scenario,
            owner=aggregate,
            scenario={"name": "zz scenario", "given": [], "when": {"ZzDo": {}}, "then": []},
        )
        for command in list((body or {}).get("commands") or {})[:1]:
            yield partial(ops.add_field, owner=command, fields={"zz": "str"})
            yield partial(
                rules.add_reject, command=command, condition="1 > 2", error="ZzError", emits=[]
            )
            yield partial(rules.add_emit, command=command, emit="ZzHappened", condition="2 > 1")
    for view in data.get("read_models") or {}:
        yield partial(ops.add_field, owner=view, fields={"zz": "int"})
        yield partial(
            ops.add_scenario, owner=view, scenario={"name": "zz", "given": [], "then": []}
        )
    # New entries, appended after the last one of their block.
    yield partial(
        ops.add_aggregate, name="ZzLoan", id_field=None, state={"amount": "int"}, description="Zz."
    )
    if data.get("read_models"):
        yield partial(
            ops.add_read_model,
            name="ZzView",
            key="zz_id",
            fields={"zz_id": "str", "count": "int"},
            on={"ZzHappened": {"count": "= row.count + 1"}},
            description="",
        )


def _reference_operations(data: dict[str, Any]) -> Iterator[Operation]:
    """Edits that follow a name through the spec, or reach past the pieced blocks: removals, a
    rename of one declaration of each kind, an automation and a timeline step added. They apply
    one after another to a spec loaded once (as a single edit would), so no edit names what an
    earlier one removed or renamed: removals first, the aggregate's rename last."""
    aggregates = {name: body or {} for name, body in (data.get("aggregates") or {}).items()}
    removed: set[str] = set()
    for section, kind in (
        ("aggregates", "aggregate"),
        ("read_models", "read-model"),
        ("automations", "automation"),
    ):
        names = list(data.get(section) or {})
        # The middle one, whose neighbours the edits below still name; and the last view,
        # unless a new block is added after it below (both at once ask for the whole tree).
        gone = names[1:2] if len(names) > 2 else []
        follows = {"read_models": "automations", "automations": "timelines"}.get(section)
        last_view = follows is not None and bool(data.get(follows))
        gone += names[-1:] if last_view and len(names) > 1 else []
        for name in gone:
            removed.add(name)
            aggregates.pop(name, None)
            yield partial(refs.remove, kind=kind, name=name)
    for aggregate, body in list(aggregates.items())[-1:]:
        for section, kind in (("commands", "command"), ("errors", "error")):
            names = list(body.get(section) or {})
            if len(names) > 1:
                removed.add(names[-1])
                yield partial(refs.remove, kind=kind, name=names[-1])  # a command's scenarios too
        for scenario in (body.get("scenarios") or [])[:1]:
            name = str(scenario.get("name")) if isinstance(scenario, dict) else ""
            yield partial(refs.remove_scenario, owner=aggregate, name=name)
    for body in list(aggregates.values())[:1]:
        for kind, section in (("event", "events"), ("command", "commands"), ("error", "errors")):
            for name in [n for n in body.get(section) or {} if n not in removed][:1]:
                yield partial(refs.rename, kind=kind, old=name, new=f"Zz{name}")
    for section, kind in (("types", "type"), ("read_models", "read-model")):
        for name in [n for n in data.get(section) or {} if n not in removed][:1]:
            yield partial(refs.rename, kind=kind, old=name, new=f"Zz{name}")
    for name in [n for n in data.get("automations") or {} if n not in removed][:1]:
        yield partial(refs.rename, kind="automation", old=name, new=f"Zz{name}")
    events = [e for body in aggregates.values() for e in body.get("events") or {}]
    commands = [c for body in aggregates.values() for c in body.get("commands") or {}]
    if events and commands:  # a further automation, or the spec's first
        yield partial(
            ops.add_automation,
            name="ZzPolicy",
            on=events[-1],
            send=[{commands[0]: {}}],
            description="",
        )
    for timeline in (data.get("timelines") or [])[:1]:
        yield partial(
            stories.add_step, timeline=str(timeline["name"]), step={"when": {commands[0]: {}}}
        )
    if commands:  # a further timeline, or the spec's first
        yield partial(
            stories.add_timeline,
            name="zz story",
            description="Zz.",
            given=[],
            step={"when": {commands[0]: {}}},
        )
    for aggregate in list(aggregates)[-1:]:
        yield partial(refs.rename, kind="aggregate", old=aggregate, new=f"Zz{aggregate}")


def _outcome(editing: Editing, operation: Operation) -> Change | str:
    try:
        return operation(editing)
    except SpecError as exc:  # refused (a field there already, say): refused alike both ways
        return str(exc.diagnostics)


def _both_ways(text: str, operations: list[Operation], *, every_one_cut: bool) -> int:
    """Apply the operations one after another on the entries, then on the whole document, and
    compare; the number of operations the entries took (the others needed the whole document,
    each before it changed anything, and are left out of both)."""
    loaded = load_text(text, "eventforge.yaml")
    entries = EntryTrees(text, loaded)
    taken: list[Operation] = []
    outcomes: list[Change | str] = []
    for operation in operations:
        try:
            outcomes.append(_outcome(Editing(entries, loaded), operation))
        except NeedsWhole:
            assert not every_one_cut, f"{operation} fell back to the whole document"
            # It may have changed an entry before it asked (an edit falls back with fresh
            # trees, session._apply): start again from the text, with the edits taken so far.
            entries = EntryTrees(text, loaded)
            for earlier in taken:
                _outcome(Editing(entries, loaded), earlier)
            continue
        taken.append(operation)
    whole = WholeTree(Document.parse(text))
    assert [_outcome(Editing(whole, loaded), operation) for operation in taken] == outcomes
    assert entries.text() == whole.text()
    return len(taken)


@pytest.mark.parametrize(
    "example", sorted(p.parent.name for p in EXAMPLES.glob("*/eventforge.yaml"))
)
def test_each_edit_of_one_entry_writes_what_the_whole_documents_edit_writes(example: str) -> None:
    text = (EXAMPLES / example / "eventforge.yaml").read_text(encoding="utf-8")
    operations = list(_operations(load_text(text, "x").data))
    assert _both_ways(text, operations, every_one_cut=True) == len(operations) >= 10


@pytest.mark.parametrize(
    "example", sorted(p.parent.name for p in EXAMPLES.glob("*/eventforge.yaml"))
)
def test_renames_and_removals_on_the_entries_write_what_the_whole_documents_write(
    example: str,
) -> None:
    text = (EXAMPLES / example / "eventforge.yaml").read_text(encoding="utf-8")
    operations = list(_reference_operations(load_text(text, "x").data))
    assert _both_ways(text, operations, every_one_cut=True) == len(operations) >= 7


@edit_settings(ci=10, long=200)
@given(built=valid_specs(max_aggregates=3, scenarios="lean"))
def test_the_same_on_random_specs(built: Any) -> None:
    _both_ways(dump(built.data), list(_operations(built.data)), every_one_cut=False)
    operations = list(_reference_operations(built.data))
    _both_ways(dump(built.data), operations, every_one_cut=False)


def _parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts entries.py hands to ruamel.yaml from now on, in order."""
    parsed: list[str] = []
    real = Document.parse

    def recorded(source: str, *layouts: Any) -> Document:
        parsed.append(source)
        return real(source, *layouts)

    monkeypatch.setattr(entries_module.Document, "parse", staticmethod(recorded))
    return parsed


def test_an_edit_of_one_aggregate_parses_only_that_aggregate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = (EXAMPLES / "cart" / "eventforge.yaml").read_text(encoding="utf-8")
    parsed = _parses(monkeypatch)
    loaded = load_text(text, "eventforge.yaml")
    entries = EntryTrees(text, loaded)
    ops.add_error(Editing(entries, loaded), aggregate="Customer", name="ZzError", message="No.")
    assert len(parsed) == 1
    assert parsed[0].startswith("aggregates:\n  Customer:\n")
    assert "\n  Cart:" not in parsed[0] and "\n  Product:" not in parsed[0]
    after = entries.text()
    assert after.count("ZzError") == 1
    assert after.replace("      ZzError: No.\n", "") == text


def test_edits_that_need_the_whole_document_ask_for_it() -> None:
    cases = (
        # A new block after a block whose entries cannot be cut (SHOP's Totals, cut short).
        (
            SHOP.split("\nautomations:")[0] + "\ntimelines:" + SHOP.split("\ntimelines:")[1],
            partial(ops.add_automation, name="ZzPolicy", on="OrderPlaced", send=[], description=""),
        ),
        # The last entry of a block: the block goes too.
        ("bank", partial(refs.remove, kind="read-model", name="AccountBalances")),
        # An aggregate the spec does not declare: the whole tree's error says so.
        ("bank", partial(ops.add_error, aggregate="NoSuchAggregate", name="ZzError", message="")),
    )
    for example, operation in cases:
        text = example if "\n" in example else (EXAMPLES / example / "eventforge.yaml").read_text()
        loaded = load_text(text, "eventforge.yaml")
        entries = EntryTrees(text, loaded)
        with pytest.raises(NeedsWhole):
            operation(Editing(entries, loaded))
            entries.text()


def test_a_rename_opens_only_the_entries_that_spell_the_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = (EXAMPLES / "orders" / "eventforge.yaml").read_text(encoding="utf-8")
    parsed = _parses(monkeypatch)
    loaded = load_text(text, "eventforge.yaml")
    entries = EntryTrees(text, loaded)
    change = refs.rename(Editing(entries, loaded), kind="event", old="OrderShipped", new="Sent")
    spelled = [
        f"{block}:{name}:"
        for block in ("aggregates", "read_models")
        for name, body in loaded.data[block].items()
        if "OrderShipped" in str(body)
    ]
    assert 0 < len(spelled) < len(loaded.data["aggregates"]) + len(loaded.data["read_models"])
    opened = [
        f"{block}{entry.strip()}" if block[:-1] in PIECED else block
        for block, entry in (source.split("\n")[:2] for source in parsed)
    ]
    assert sorted(opened) == sorted([*spelled, "automations:"])  # and no whole document
    events = load_text(entries.text(), "x").data["aggregates"]["Order"]["events"]
    assert "Sent" in events and "OrderShipped" not in events and len(change.changed) > 2


COMMENTED = """\
eventforge: 1
domain: Shop
# the aggregates
aggregates:
  # a product
  Product:
    state: {stock: {type: int, default: 0}}  # how many
    events:
      ProductStocked: {fields: {}}
    commands:
      StockProduct: {creates: true, emits: [ProductStocked]}
    # closing the product

  # a cart, after the product
  Cart:
    state: {items: {type: int, default: 0}}
    events:
      CartOpened: {fields: {}}
    commands:
      OpenCart: {creates: true, emits: [CartOpened]}
      # about the next one
    # the cart's end
  Basket:  # the last
    state: {items: {type: int, default: 0}}
    events:
      BasketOpened: {fields: {}}
    commands:
      OpenBasket: {creates: true, emits: [BasketOpened]}

    # trailing, indented
# at the margin
types:
  Money: {fields: {amount: int}}
  Sku: {fields: {code: str}}  # codes
"""


@pytest.mark.parametrize(
    "operation",
    [
        partial(refs.remove, kind="type", name="Money"),
        partial(refs.remove, kind="command", name="OpenCart"),
        partial(refs.rename, kind="aggregate", old="Cart", new="Trolley"),
        partial(refs.rename, kind="type", old="Sku", new="Code"),
    ],
    ids=lambda o: "-".join(str(v) for v in o.keywords.values()),
)
def test_edits_beside_comments_write_what_the_whole_document_writes(operation: Operation) -> None:
    assert _both_ways(COMMENTED, [operation], every_one_cut=True) == 1


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        # The comment above it goes with it, and its closing lines; the next one's comment stays.
        ("Product", "  # a product\n  Product:\n", "    # closing the product\n\n"),
        ("Cart", "  # a cart, after the product\n  Cart:\n", "    # the cart's end\n"),
        # The last: its indented comment goes, the one at the margin stays.
        ("Basket", "  Basket:  # the last\n", "\n    # trailing, indented\n"),
    ],
)
def test_a_removed_entry_takes_its_lines_and_its_own_comments(
    name: str, first: str, last: str
) -> None:
    loaded = load_text(COMMENTED, "eventforge.yaml")
    entries = EntryTrees(COMMENTED, loaded)
    refs.remove(Editing(entries, loaded), kind="aggregate", name=name)
    after = entries.text()
    start, end = COMMENTED.index(first), COMMENTED.index(last) + len(last)
    assert after == COMMENTED[:start] + COMMENTED[end:]
    assert list(load_text(after, "x").data["aggregates"]) == [
        n for n in ("Product", "Cart", "Basket") if n != name
    ]


def test_removing_every_entry_of_a_block_asks_for_the_whole_document() -> None:
    """Whether the block itself stays (`aggregates: {}`) or goes is the whole tree's call."""
    loaded = load_text(COMMENTED, "eventforge.yaml")
    entries = EntryTrees(COMMENTED, loaded)
    for name in ("Product", "Cart", "Basket"):
        mapping = entries.block("aggregates", name)
        assert mapping is not None
        del mapping[name]
    with pytest.raises(NeedsWhole):
        entries.text()


def test_the_whole_document_keeps_the_comments_of_the_entry_above_a_removed_last_one() -> None:
    """The fallback's own removal (ruamel keeps comments before a key with that key): the
    comments that close Cart, stored before Basket, stay when Basket goes."""
    loaded = load_text(COMMENTED, "eventforge.yaml")
    whole = WholeTree(Document.parse(COMMENTED))
    refs.remove(Editing(whole, loaded), kind="aggregate", name="Basket")
    after = whole.text()
    assert "      # about the next one\n    # the cart's end\n" in after
    assert "Basket" not in after and "# at the margin\ntypes:" in after


SHOP = """\
eventforge: 1
domain: Shop
package: shop

aggregates:
  Order:
    id: order_id
    state:
      total: {type: int, default: 0}
    events:
      OrderPlaced:
        fields: {total: int}
      OrderShipped:
        fields: {}
    commands:
      PlaceOrder:
        creates: true
        fields: {total: int}
        emits: [OrderPlaced]
      ShipOrder:
        emits: [OrderShipped]

read_models:
  Totals:
    description: "The totals
  of every order"
    key: order_id
    fields: {total: int}
    on:
      OrderPlaced: {set: {total: "= event.total"}}
  Shipped:
    key: order_id
    fields: {count: int}
    on:
      OrderShipped: {set: {count: 1}}

automations:
  ShipPlaced:
    on: OrderPlaced
    send:
      ShipOrder: {order_id: "= event.order_id"}

timelines:
  - name: a story
    given:
      - OrderPlaced: {order_id: o-1, total: 3}
    steps:
      - when: {ShipOrder: {order_id: o-1}}
        then:
          events: [{OrderShipped: {}}]
"""


@pytest.mark.parametrize(
    "text",
    [
        SHOP,  # a string's second line at the entries' indentation: Totals is cut short there
        SHOP.replace("package: shop", '"package": shop'),  # a key the top cuts cannot read
    ],
    ids=["string-at-entry-indentation", "quoted-top-level-key"],
)
def test_a_rename_finds_every_reference_where_the_spec_cannot_be_cut(
    tmp_path: Path, text: str
) -> None:
    spec = write_spec(tmp_path, text)
    renamed = cli("rename", "event", "OrderPlaced", "OrderMade", "--spec", spec)
    assert renamed.exit_code == 0, renamed.stderr
    data = load_text(spec.read_text(), "x").data
    assert "OrderMade" in data["read_models"]["Totals"]["on"]
    assert data["automations"]["ShipPlaced"]["on"] == "OrderMade"
    assert "OrderMade" in data["timelines"][0]["given"][0]
    step = cli("add", "step", "a story", "--when", "ShipOrder: {order_id: o-2}", "--spec", spec)
    assert step.exit_code == 0, step.stderr
    assert len(load_text(spec.read_text(), "x").data["timelines"][0]["steps"]) == 2


@pytest.mark.parametrize(
    "text",
    [
        SHOP.replace('"The totals\n  of every order"', "Totals."),
        # The block at the end of the text, its entries parted by blank lines.
        SHOP.replace('"The totals\n  of every order"', "Totals.")
        .split("\nautomations:")[0]
        .replace("\n  Shipped:", "\n\n  Shipped:"),
    ],
    ids=["before-another-key", "at-the-end"],
)
def test_removing_a_blocks_last_entry_leaves_the_blank_lines_the_whole_document_leaves(
    text: str,
) -> None:
    operation = partial(refs.remove, kind="read-model", name="Shipped")
    assert _both_ways(text, [operation], every_one_cut=True) == 1

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
from generator.edit import ops, refs, rules
from generator.edit.entries import EntryTrees, NeedsWhole, WholeTree
from generator.edit.ops import Change, Editing
from generator.edit.yaml_roundtrip import Document
from generator.spec.diagnostics import SpecError
from generator.spec.load import load_text

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


@edit_settings(ci=10, long=200)
@given(built=valid_specs(max_aggregates=3, scenarios="lean"))
def test_the_same_on_random_specs(built: Any) -> None:
    _both_ways(dump(built.data), list(_operations(built.data)), every_one_cut=False)


def test_an_edit_of_one_aggregate_parses_only_that_aggregate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = (EXAMPLES / "cart" / "eventforge.yaml").read_text(encoding="utf-8")
    parsed: list[str] = []
    real = Document.parse

    def recorded(source: str, *layouts: Any) -> Document:
        parsed.append(source)
        return real(source, *layouts)

    monkeypatch.setattr(entries_module.Document, "parse", staticmethod(recorded))
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
    text = (EXAMPLES / "bank" / "eventforge.yaml").read_text(encoding="utf-8")
    loaded = load_text(text, "eventforge.yaml")
    for operation in (
        partial(ops.add_automation, name="ZzPolicy", on="MoneyDeposited", send=[], description=""),
        partial(refs.rename, kind="event", old="MoneyDeposited", new="FundsDeposited"),
        partial(ops.add_error, aggregate="NoSuchAggregate", name="ZzError", message=""),
    ):
        with pytest.raises(NeedsWhole):
            operation(Editing(EntryTrees(text, loaded), loaded))


QUOTED_BLOCK = """\
eventforge: 1
domain: Shop
description: "A shop. The next lines are inside this string, not a block:
aggregates:
  Cart: {}
"
aggregates:
  Cart:
    state: {items: {type: int, default: 0}}
    events:
      CartOpened: {fields: {}}
    commands:
      OpenCart: {creates: true, emits: [CartOpened]}
"""


def test_a_line_that_only_looks_like_an_entry_is_never_edited_as_one(tmp_path: Path) -> None:
    """A double-quoted string may span lines that start at the left margin; a line in it that
    reads `aggregates:` is not the block, and the edit must land in the real one."""
    spec = write_spec(tmp_path, QUOTED_BLOCK)
    assert cli("add", "error", "Cart", "CartIsFull", "Full.", "--spec", spec).exit_code == 0
    after = spec.read_text()
    assert after.startswith(QUOTED_BLOCK.split("\n  Cart:\n")[0])  # the string as it was
    assert after.count("CartIsFull") == 1
    assert "    errors:\n      CartIsFull: Full.\n" in after
    assert cli("validate", spec).exit_code == 0

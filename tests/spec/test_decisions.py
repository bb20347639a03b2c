"""The meaning of streams that may not exist yet, decisions with choices and reads beyond the
stream (issue 12, sections 2 and 3): what the validator accepts, refuses, and puts in the model.
The located errors of each bad form are in the corpus (tests/spec/invalid/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_spec

from generator.spec.diagnostics import Diagnostic, Level
from generator.spec.model import Spec
from generator.spec.validate import validate_file

SHOP = """
eventforge: 1
domain: Shop
aggregates:
  Product:
    id: {name: sku, type: str}
    state: {price: decimal, stock: {type: int, default: 0}}
    events:
      ProductAdded: {fields: {price: decimal}}
    commands:
      AddProduct:
        creates: true
        fields: {price: decimal}
        emits: [ProductAdded]
  Cart:
    id: cart_id
    state:
      count: {type: int, default: 0}
    errors:
      UnknownProduct: No such product.
      TooExpensive: Too expensive.
    events:
      ItemAdded:
        fields: {sku: str, price: decimal}
        apply: {count: "= state.count + 1"}
    commands:
      AddItem:
        creates: if-missing
        fields: {sku: str}
        reads:
          product: {read_model: Products, key: "= command.sku"}
RULES
read_models:
  Products:
    key: sku
    fields: {price: decimal}
    on:
      ProductAdded: {set: {price: "= event.price"}}
"""


def _validate(tmp_path: Path, rules: str) -> tuple[Spec | None, list[Diagnostic]]:
    text = SHOP.replace("RULES\n", rules.strip("\n") + "\n")
    return validate_file(write_spec(tmp_path, text))


def _errors(diagnostics: list[Diagnostic]) -> list[tuple[str, int]]:
    return [(d.code, d.line) for d in diagnostics if d.level is Level.ERROR]


@pytest.mark.parametrize(
    "rules",
    [
        # A rule that stops when the read found nothing: after it, the row is there.
        """
        rejects:
          - if: product is None
            error: UnknownProduct
        emits:
          - ItemAdded: {price: "= product.price"}
        """,
        # ... also as one side of an `or`, and when the rule records events instead.
        """
        rejects:
          - if: command.sku == '' or product is None
            emits: [ItemAdded: {price: 0}]
          - if: product.price > 100
            error: TooExpensive
        emits:
          - ItemAdded: {price: "= product.price"}
        """,
        # An entry's `if` proves it for the entry's own values.
        """
        emits:
          - ItemAdded: {price: "= product.price"}
            if: product is not None
        """,
        # Within one expression, `and` proves it for what follows.
        """
        rejects:
          - if: product is not None and product.price > 100
            error: TooExpensive
        emits:
          - ItemAdded: {price: 0}
        """,
    ],
)
def test_a_read_that_may_find_nothing_is_a_row_where_a_condition_proved_it(
    tmp_path: Path, rules: str
) -> None:
    spec, diagnostics = _validate(tmp_path, rules)
    assert _errors(diagnostics) == []
    assert spec is not None


@pytest.mark.parametrize(
    "rules",
    [
        # Nothing proves the row is there.
        """
        emits:
          - ItemAdded: {price: "= product.price"}
        """,
        # A rule that stops when the row IS there proves nothing about what follows.
        """
        rejects:
          - if: product is not None
            error: TooExpensive
        emits:
          - ItemAdded: {price: "= product.price"}
        """,
        # `and` in the wrong order: the attribute is read before the test.
        """
        rejects:
          - if: product.price > 100 and product is not None
            error: TooExpensive
        emits:
          - ItemAdded: {price: 0}
        """,
        # An entry's `if` proves it for that entry only.
        """
        emits:
          - ItemAdded: {price: 0}
            if: product is not None
          - ItemAdded: {price: "= product.price"}
        """,
    ],
)
def test_a_read_that_may_find_nothing_is_refused_where_nothing_proved_it(
    tmp_path: Path, rules: str
) -> None:
    _, diagnostics = _validate(tmp_path, rules)
    [error] = [d for d in diagnostics if d.level is Level.ERROR]
    assert error.code == "E503"
    assert "product is None when the read finds nothing" in error.message


def test_the_model_holds_the_reads_the_rules_and_the_choices(tmp_path: Path) -> None:
    spec, diagnostics = _validate(
        tmp_path,
        """
        rejects:
          - if: product is None
            emits: [ItemAdded: {price: 0}]
        emits:
          - ItemAdded: {price: "= product.price"}
            if: state.version < 10
        """,
    )
    assert spec is not None, diagnostics
    command = spec.aggregates[1].commands[0]
    assert (command.creates, command.if_missing, command.needs_stream) == (False, True, False)
    [read] = command.reads
    assert (read.name, read.kind, read.source, read.key) == (
        "product",
        "row",
        "Products",
        "command.sku",
    )
    assert read.annotation == "ProductsRow | None"
    [rule] = command.guards
    assert (rule.condition, rule.error) == ("product is None", "")
    assert [e.event for e in rule.emits] == ["ItemAdded"]
    [emit] = command.emits
    assert (emit.condition, emit.source) == ("state.version < 10", "state.version < 10")
    assert ("price", "product.price") in [(v.target, v.code) for v in emit.values]
    assert command.emitted == ("ItemAdded",) and command.chooses and command.records


def test_reads_of_every_kind_and_what_expressions_see_of_them(tmp_path: Path) -> None:
    text = SHOP.replace(
        """          product: {read_model: Products, key: "= command.sku"}
""",
        """          product: {read_model: Products, key: "= command.sku"}
          cheap: {read_model: Products, where: {price: 1}}
          stock: {aggregate: Product, id: "= command.sku"}
          many: {aggregate: Product, ids: [tea, cake]}
""",
    ).replace(
        "RULES\n",
        """        rejects:
          - if: not stock.exists or stock.version == 0 or len(many) > stock.stock
            error: UnknownProduct
          - if: len(cheap) > 2 and state.exists
            error: TooExpensive
        emits: [ItemAdded: {price: "= stock.price"}]
""",
    )
    spec, diagnostics = validate_file(write_spec(tmp_path, text))
    assert spec is not None, diagnostics
    reads = {r.name: r for r in spec.aggregates[1].commands[0].reads}
    assert {n: (r.kind, r.annotation) for n, r in reads.items()} == {
        "product": ("row", "ProductsRow | None"),
        "cheap": ("rows", "list[ProductsRow]"),
        "stock": ("state", "ProductState"),
        "many": ("states", "list[ProductState]"),
    }
    assert [(w.target, w.code) for w in reads["cheap"].where] == [("price", 'Decimal("1")')]
    assert reads["many"].key == "('tea', 'cake')"
    # What a read finds has the fields of its rows or states, and nothing else.
    wrong = text.replace("= stock.price", "= stock.cost")
    _, diagnostics = validate_file(write_spec(tmp_path, wrong))
    assert [d.code for d in diagnostics if d.level is Level.ERROR] == ["E503"]


@pytest.mark.parametrize(
    ("then", "codes"),
    [
        ("{state: {exists: true, version: 1, count: 1}}", []),
        ("{state: {exists: 1}}", ["E408"]),
        ("{state: {versions: 1}}", ["E404"]),
    ],
)
def test_then_state_checks_exists_and_version(tmp_path: Path, then: str, codes: list[str]) -> None:
    rules = f"""
        emits: [ItemAdded: {{price: 0}}]
    scenarios:
      - name: one item
        when: {{AddItem: {{sku: tea}}}}
        then: {then}
    """
    _, diagnostics = _validate(tmp_path, rules)
    assert [d.code for d in diagnostics if d.level is Level.ERROR] == codes


@pytest.mark.parametrize(
    ("found", "codes"),
    [
        ("{sku: tea, price: 3, exists: false}", []),
        ("{sku: tea, version: 0}", []),
        ("[{sku: tea}, {sku: cake, stock: 2}]", []),
        ("{sku: tea, exists: true, version: 0}", ["E600"]),
        ("{sku: tea, exists: maybe}", ["E408"]),
        ("{price: 3}", ["E601"]),
        ("{sku: tea, colour: red}", ["E404"]),
    ],
)
def test_a_scenario_gives_what_a_state_read_finds(
    tmp_path: Path, found: str, codes: list[str]
) -> None:
    text = SHOP.replace(
        """          product: {read_model: Products, key: "= command.sku"}
""",
        """          stock: {aggregate: Product, id: "= command.sku"}
""",
    ).replace(
        "RULES\n",
        f"""        emits: [ItemAdded: {{price: "= stock.price"}}]
    scenarios:
      - name: one item
        reads:
          stock: {found}
        when: {{AddItem: {{sku: tea}}}}
        then: []
""",
    )
    spec, diagnostics = validate_file(write_spec(tmp_path, text))
    assert [d.code for d in diagnostics if d.level is Level.ERROR] == codes
    if not codes:
        assert spec is not None
        records = spec.aggregates[1].scenarios[0].reads
        assert {r.name for r in records} == {"ProductState"}
        # A state given exists (version 1) unless it says otherwise.
        versions = [next(v.code for v in r.values if v.target == "version") for r in records]
        assert (
            versions
            == (["0"] if "false" in found or "version: 0" in found else ["1"] * 2)[: len(records)]
        )
    if "exists: false" in found:
        assert spec is not None
        [record] = spec.aggregates[1].scenarios[0].reads
        assert [(v.target, v.code) for v in record.values] == [
            ("sku", "'tea'"),
            ("price", 'Decimal("3")'),
            ("version", "0"),
        ]

"""Read models in the forms of issue 15 (section 6 of the next spec language): a key of several
fields, `index:`, `if:` on a handler, `delete_where:`, and `handler: custom` (a hand-written
update()), generated, type-checked and run through their scenarios."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, assert_clean_and_strictly_typed, cli, run_pytest, write_spec

DECLARATIVE = """
eventforge: 1
domain: Shop
aggregates:
  Cart:
    id: {name: cart_id, type: str}
    events:
      ItemAdded: {fields: {sku: str, quantity: int}}
      ItemRemoved: {fields: {sku: str}}
      CartCleared: {fields: {}}
    commands:
      AddItem: {creates: if-missing, fields: {sku: str, quantity: int}, emits: [ItemAdded]}
      RemoveItem: {fields: {sku: str}, emits: [ItemRemoved]}
      ClearCart: {emits: [CartCleared]}
read_models:
  CartLines:
    key: [cart_id, sku]
    fields: {quantity: int}
    index: [sku]
    on:
      ItemAdded:
        if: event.quantity > 0
        set: {quantity: "= (row.quantity if row is not None else 0) + event.quantity"}
      ItemRemoved: {if: "event.sku != 'keep'", delete: true}
      CartCleared: {if: "event.cart_id != 'kept'", delete_where: {cart_id: "= event.cart_id"}}
    scenarios:
      - name: units add up per cart and product
        given:
          - ItemAdded: {cart_id: c1, sku: tea, quantity: 2}
          - ItemAdded: {cart_id: c1, sku: tea, quantity: 1}
          - ItemAdded: {cart_id: c2, sku: tea, quantity: 5}
          - ItemAdded: {cart_id: c1, sku: jam, quantity: 0}
        then:
          - {cart_id: c1, sku: tea, quantity: 3}
          - {cart_id: c2, sku: tea, quantity: 5}
      - name: a kept product is not removed
        given:
          - ItemAdded: {cart_id: c1, sku: keep, quantity: 1}
          - ItemAdded: {cart_id: c1, sku: tea, quantity: 1}
          - ItemRemoved: {cart_id: c1, sku: keep}
          - ItemRemoved: {cart_id: c1, sku: tea}
        then:
          - {cart_id: c1, sku: keep, quantity: 1}
      - name: clearing a cart deletes its lines only
        given:
          - ItemAdded: {cart_id: c1, sku: tea, quantity: 1}
          - ItemAdded: {cart_id: c2, sku: jam, quantity: 1}
          - CartCleared: {cart_id: c1}
        then:
          - {cart_id: c2, sku: jam, quantity: 1}
      - name: a kept cart is not cleared
        given:
          - ItemAdded: {cart_id: kept, sku: tea, quantity: 1}
          - CartCleared: {cart_id: kept}
        then:
          - {cart_id: kept, sku: tea, quantity: 1}
timelines:
  - name: a cart is filled and cleared on the real store
    steps:
      - when: {AddItem: {cart_id: c1, sku: tea, quantity: 2}}
        then:
          rows: {CartLines: [{cart_id: c1, sku: tea, quantity: 2}]}
      - when: {AddItem: {cart_id: c1, sku: jam, quantity: 0}}
        then:
          rows: {CartLines: [{cart_id: c1, sku: tea, quantity: 2}]}
      - when: {AddItem: {cart_id: c2, sku: tea, quantity: 1}}
      - when: {ClearCart: {cart_id: c1}}
        then:
          rows: {CartLines: [{cart_id: c2, sku: tea, quantity: 1}]}
"""
CUSTOM = """
  Popularity:
    key: sku
    fields: {added: int}
    handler: custom
    on: [ItemAdded, ItemRemoved]
    scenarios:
      - name: units added count per product
        given:
          - ItemAdded: {cart_id: c1, sku: tea, quantity: 2}
          - ItemAdded: {cart_id: c2, sku: tea, quantity: 1}
        then:
          - {sku: tea, added: 3}
"""
HANDLER = "src/shop/read_models/custom/popularity.py"
WRITTEN = """

def update(row: PopularityRow | None, event: ItemAdded | ItemRemoved) -> PopularityRow | None:
    \"\"\"Units added, per product.\"\"\"
    if isinstance(event, ItemRemoved):
        return row
    row = row if row is not None else PopularityRow(sku=event.sku)
    return PopularityRow(sku=row.sku, added=row.added + event.quantity)
"""


@pytest.fixture
def declarative(tmp_path: Path) -> Path:
    spec = write_spec(tmp_path / "shop", DECLARATIVE)
    assert cli("generate", spec).exit_code == 0
    return spec.parent


def test_composite_keys_if_and_delete_where_generate_clean_passing_code(declarative: Path) -> None:
    result = run_pytest(declarative)
    assert result.returncode == 0, result.stdout
    assert "1 passed" in run_pytest(declarative, "tests/test_timelines.py").stdout
    assert "4 passed" in run_pytest(declarative, "tests/read_models").stdout
    assert_clean_and_strictly_typed(declarative)


@pytest.mark.parametrize(
    ("generated", "broken", "failing"),
    [
        ("if event.quantity > 0:", "if event.quantity >= 0:", "units add up per cart and product"),
        ('if event.sku != "keep":', "if True:", "a kept product is not removed"),
        (
            'return {"cart_id": event.cart_id}',
            'return {"sku": event.cart_id}',
            "clearing a cart deletes its lines only",
        ),
        (
            'case CartCleared() if event.cart_id != "kept":',
            "case CartCleared():",
            "a kept cart is not cleared",
        ),
        (
            "return (event.cart_id, event.sku)",
            "return (event.sku, event.sku)",
            "units add up per cart and product",
        ),
    ],
)
def test_the_scenarios_fail_when_the_generated_read_model_is_wrong(
    declarative: Path, generated: str, broken: str, failing: str
) -> None:
    module = declarative / "src/shop/read_models/cart_lines.py"
    code = module.read_text()
    assert generated in code
    module.write_text(code.replace(generated, broken))
    result = run_pytest(declarative, "tests/read_models")
    assert result.returncode == 1
    assert f"Scenario {failing!r} failed" in result.stdout


def test_a_custom_update_is_a_stub_naming_itself_until_written(tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "shop", DECLARATIVE.replace("timelines:", CUSTOM + "timelines:"))
    assert cli("generate", spec).exit_code == 0
    project = spec.parent
    failed = run_pytest(project, "tests/read_models")
    assert failed.returncode == 1
    assert f"NotImplementedError: Write update() in {HANDLER}" in failed.stdout
    check = cli("check", spec)
    assert check.exit_code == 1
    assert f"{HANDLER}: update() is still the generated stub" in check.stdout
    assert (
        f"`{HANDLER}`: `update(row: PopularityRow | None, event: ItemAdded | ItemRemoved)"
        in (project / "AGENTS.md").read_text()
    )
    handler = project / HANDLER
    text = handler.read_text()
    handler.write_text(text[: text.index("\n\ndef update(")] + WRITTEN)
    assert cli("generate", spec).exit_code == 0
    assert handler.read_text().endswith(WRITTEN)  # never overwritten
    passed = run_pytest(project, "tests/read_models")
    assert passed.returncode == 0, passed.stdout
    assert cli("check", spec).exit_code == 0
    assert_clean_and_strictly_typed(project)


def test_a_custom_update_over_an_external_event_is_a_stub_that_imports(tmp_path: Path) -> None:
    """The stub of a hand-written update imports an external event from external_events.py, as
    the generated module does: its scenario then fails naming the function to write, not with an
    import error."""
    text = (ROOT / "tests/end_to_end/processes/shop.yaml").read_text(encoding="utf-8")
    declarative = """    on:
      PriceChanged:
        if: event.new_price != event.old_price
        set: {price: "= event.new_price", changes: "= row.changes + 1"}
"""
    assert declarative in text
    spec = write_spec(
        tmp_path / "shop",
        text.replace(declarative, "    handler: custom\n    on: [PriceChanged]\n"),
    )
    assert cli("generate", spec).exit_code == 0
    failed = run_pytest(spec.parent, "tests/read_models")
    assert failed.returncode == 1
    handler = "src/shop/read_models/custom/catalogue_prices.py"
    assert f"NotImplementedError: Write update() in {handler}" in failed.stdout, failed.stdout
    assert "Error while importing" not in failed.stdout


def test_a_command_reads_by_the_key_types_of_the_events_that_update_rows(tmp_path: Path) -> None:
    """An event that deletes by fields need not carry the key, nor with the key's type."""
    spec = write_spec(
        tmp_path,
        """
        eventforge: 1
        domain: Shop
        aggregates:
          Cart:
            id: {name: cart_id, type: str}
            events:
              ItemAdded: {fields: {sku: str}}
              BinEmptied: {fields: {sku: int}}
            commands:
              AddItem:
                creates: if-missing
                fields: {sku: str}
                reads:
                  line: {read_model: Lines, key: ["= command.cart_id", "= command.sku"]}
                emits: [ItemAdded]
        read_models:
          Lines:
            key: [cart_id, sku]
            on:
              BinEmptied: {delete_where: {cart_id: "= event.cart_id"}}
              ItemAdded: {set: {}}
        """,
    )
    result = cli("validate", spec)
    assert result.exit_code == 0, result.stdout + result.stderr

"""`eventforge add read-model` writes the read-model forms of issue 15: a key of several fields,
`index:`, `if:` and `delete_where:` handlers, and `handler: custom`."""

from __future__ import annotations

from pathlib import Path

from conftest import cli, copy_example

from generator.spec.load import load_text


def _read_model(spec: Path, name: str) -> dict[str, object]:
    data = load_text(spec.read_text(encoding="utf-8"), str(spec)).data
    found: dict[str, object] = data["read_models"][name]
    return found


def test_a_composite_key_an_index_if_and_delete_where(tmp_path: Path) -> None:
    spec = copy_example("cart", tmp_path)
    added = cli(
        "add", "read-model", "CartLines", "--key", "cart_id,sku", "--field", "quantity:int",
        "--index", "sku",
        "--on", "ItemAdded: {if: event.quantity > 0, set: {quantity: = event.quantity}}",
        "--on", "CartCheckedOutByCustomer: {delete_where: {cart_id: = event.cart_id}}",
        "--spec", spec,
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    assert _read_model(spec, "CartLines") == {
        "key": ["cart_id", "sku"],
        "fields": {"quantity": "int"},
        "index": ["sku"],
        "on": {
            "ItemAdded": {"if": "event.quantity > 0", "set": {"quantity": "= event.quantity"}},
            "CartCheckedOutByCustomer": {"delete_where": {"cart_id": "= event.cart_id"}},
        },
    }
    assert "    key: [cart_id, sku]\n" in spec.read_text()
    assert cli("validate", spec).exit_code == 0


def test_a_custom_update_lists_its_events(tmp_path: Path) -> None:
    spec = copy_example("cart", tmp_path)
    added = cli(
        "add", "read-model", "Popularity", "--key", "sku", "--field", "added:int", "--custom",
        "--on", "ItemAdded", "--on", "ItemRemoved", "--spec", spec,
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    assert _read_model(spec, "Popularity") == {
        "key": "sku",
        "fields": {"added": "int"},
        "handler": "custom",
        "on": ["ItemAdded", "ItemRemoved"],
    }
    renamed = cli("rename", "event", "ItemRemoved", "ItemTakenOut", "--spec", spec)
    assert renamed.exit_code == 0, renamed.stdout + renamed.stderr
    assert _read_model(spec, "Popularity")["on"] == ["ItemAdded", "ItemTakenOut"]


def test_delete_where_on_a_field_that_is_not_looked_up_by_is_refused(tmp_path: Path) -> None:
    spec = copy_example("cart", tmp_path)
    before = spec.read_text()
    refused = cli(
        "add", "read-model", "CartLines", "--key", "cart_id,sku", "--field", "quantity:int",
        "--on", "ItemAdded: {set: {quantity: = event.quantity}}",
        "--on", "CartCheckedOutByCustomer: {delete_where: {quantity: 0}}",
        "--spec", spec,
    )  # fmt: skip
    assert refused.exit_code != 0
    assert "E430" in refused.stdout + refused.stderr
    assert spec.read_text() == before


def test_a_command_reads_a_row_by_a_key_of_several_fields(tmp_path: Path) -> None:
    spec = copy_example("cart", tmp_path)
    added = cli(
        "add", "read", "RemoveItem", "line", "--read-model", "CartItems",
        "--key", "= command.cart_id", "--key", "= command.sku", "--spec", spec,
    )  # fmt: skip
    assert added.exit_code == 0, added.stdout + added.stderr
    assert (
        '          line: {read_model: CartItems, key: ["= command.cart_id", "= command.sku"]}\n'
        in spec.read_text()
    )
    refused = cli(
        "add", "read", "RemoveItem", "one", "--read-model", "CartItems",
        "--key", "= command.sku", "--spec", spec,
    )  # fmt: skip
    assert refused.exit_code != 0 and "E408" in refused.stdout + refused.stderr

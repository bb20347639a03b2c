"""`check` fails while a hand-written function is still the stub generate created (a custom
command's decide(), a custom upcast step), naming the file and the function: CI must not be
green on code nobody wrote."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import cli, write_spec

SPEC = """
eventforge: 1
domain: Shop
aggregates:
  Cart:
    state: {items: {type: int, default: 0}}
    events:
      CartOpened: {fields: {}}
      ItemAdded: {fields: {count: int}, apply: {items: "= state.items + event.count"}}
    commands:
      OpenCart: {creates: true, emits: [CartOpened]}
      AddItem:
        handler: custom
        fields: {count: int}
        emits: [ItemAdded]
"""
HANDLER = "src/shop/cart/custom/add_item.py"
WRITTEN = '''
def decide(command: AddItem, state: CartState) -> list[ItemAdded]:
    """One ItemAdded per command."""
    if command.count <= 0:
        raise NotImplementedError("negative counts are for later")
    return [ItemAdded(cart_id=command.cart_id, count=command.count)]
'''


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    spec = write_spec(tmp_path / "shop", SPEC)
    assert cli("generate", spec).exit_code == 0
    return spec


def _check(spec: Path) -> tuple[int, dict[str, Any]]:
    run = cli("check", spec, "--format", "json")
    report = run.json()
    assert isinstance(report, dict)
    return run.exit_code, report


def _write(path: Path, body: str) -> None:
    text = path.read_text()
    path.write_text(text[: text.index("\ndef decide(")] + body)


def test_check_fails_naming_the_file_and_the_function_until_it_is_written(shop: Path) -> None:
    text = cli("check", shop)
    assert text.exit_code == 1
    assert f"{HANDLER}: decide() is still the generated stub" in text.stdout
    assert "1 hand-written function(s) still the generated stub" in text.stderr

    code, report = _check(shop)
    assert code == 1 and report["ok"] is False
    assert report["differences"] == []
    (entry,) = report["attention"]
    assert (entry["path"], entry["kind"], entry["function"]) == (HANDLER, "stub", "decide")
    assert entry["owner"] == "user" and entry["verdict"] == "keep"

    _write(shop.parent / HANDLER, WRITTEN)
    code, report = _check(shop)
    assert (code, report["ok"], report["attention"]) == (0, True, [])
    assert cli("check", shop).exit_code == 0


@pytest.mark.parametrize(
    "body",
    [
        '\ndef decide(command: AddItem, state: CartState) -> list[ItemAdded]:\n    raise NotImplementedError("later")\n',
        '\ndef decide(command, state):  # type: ignore[no-untyped-def]\n    """To do."""\n    raise NotImplementedError\n',
    ],
    ids=["another-message", "docstring-and-bare-raise"],
)
def test_a_stub_edited_around_its_raise_is_still_a_stub(shop: Path, body: str) -> None:
    _write(shop.parent / HANDLER, body)
    code, report = _check(shop)
    assert code == 1
    assert [(e["path"], e["function"]) for e in report["attention"]] == [(HANDLER, "decide")]


def test_a_handler_that_raises_in_one_branch_is_written(shop: Path) -> None:
    _write(shop.parent / HANDLER, WRITTEN)
    assert "raise NotImplementedError" in (shop.parent / HANDLER).read_text()
    assert _check(shop)[0] == 0


UPCAST_FILE = "src/shop/cart/custom/upcast_item_added.py"


def test_check_fails_on_a_custom_upcast_step_until_it_is_written(shop: Path) -> None:
    _write(shop.parent / HANDLER, WRITTEN)
    text = shop.read_text().replace(
        "ItemAdded: {fields: {count: int}, ",
        "ItemAdded: {version: 2, upcast: {1: custom}, fields: {count: int}, ",
    )
    shop.write_text(text)
    assert cli("generate", shop).exit_code == 0
    code, report = _check(shop)
    assert code == 1
    assert [(e["path"], e["function"]) for e in report["attention"]] == [(UPCAST_FILE, "v1_to_v2")]
    upcaster = shop.parent / UPCAST_FILE
    source = upcaster.read_text()
    start = source.index("    raise NotImplementedError(")
    upcaster.write_text(source[:start] + '    data.setdefault("count", 1)\n')
    assert _check(shop)[0] == 0

"""Automations that carry a process, run for real in a generated package: an external event
recorded through the API and the command line, `if:`, `reads:`, `for:` over rows and over an
event's list, a list `on:`, several commands per event taking effect once after a crash between
two of them, a hand-written send(), and the bank's transfer undone when its credit is rejected."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT, assert_clean_and_strictly_typed, cli, run_pytest

SHOP = ROOT / "tests" / "end_to_end" / "processes" / "shop.yaml"

HANDLER = """
from __future__ import annotations

from shop.cart.events import CartFlagged
from shop.cart.flag_cart import FlagCart


def send(event: CartFlagged) -> list[FlagCart]:
    return [] if event.reason == "again" else [FlagCart(cart_id=event.cart_id, reason="again")]
"""


def _python(project: Path, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POSTGRES_", "PERSISTENCE_"))}
    return subprocess.run(
        [sys.executable, *args],
        cwd=project / "src",
        capture_output=True,
        text=True,
        env={**env, "SQLITE_DBNAME": str(db), "PYTHONPATH": str(project / "src")},
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("processes") / "shop"
    project.mkdir()
    shutil.copy(SHOP, project / "eventforge.yaml")
    result = cli("generate", project / "eventforge.yaml")
    assert result.exit_code == 0, result.stderr
    return project


def test_custom_send_is_a_stub_until_written_then_everything_passes(shop: Path) -> None:
    stub = shop / "src/shop/automations/custom/escalate_flags.py"
    failed = run_pytest(shop, "tests/automations")
    assert failed.returncode == 1
    assert (
        "Write send() in src/shop/automations/custom/escalate_flags.py: return the commands "
        "EscalateFlags sends" in failed.stdout
    )
    checked = cli("check", shop / "eventforge.yaml", "--format", "json")
    assert checked.exit_code == 1
    assert [(a["path"], a["function"]) for a in checked.json()["attention"]] == [  # type: ignore[index]
        ("src/shop/automations/custom/escalate_flags.py", "send")
    ]
    stub.write_text(HANDLER.lstrip(), encoding="utf-8")
    passed = run_pytest(shop)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert_clean_and_strictly_typed(shop)
    assert cli("check", shop / "eventforge.yaml").exit_code == 0


def test_an_inverted_if_fails_a_generated_scenario(shop: Path) -> None:
    module = shop / "src/shop/automations/archive_items_on_price_change.py"
    text = module.read_text(encoding="utf-8")
    condition = "    if not (event.new_price != event.old_price):\n"
    assert condition in text
    module.write_text(text.replace(condition, "    if event.new_price != event.old_price:\n"))
    try:
        broken = run_pytest(shop, "tests/automations/test_archive_items_on_price_change.py")
    finally:
        module.write_text(text, encoding="utf-8")
    assert broken.returncode == 1
    assert "Scenario 'the same price archives nothing' failed" in broken.stdout
    assert "Scenario 'a new price archives the product in every cart holding it'" in broken.stdout


CRASH = """
import sys
from decimal import Decimal
from uuid import uuid4

from shop.application import AUTOMATIONS, ShopApplication
from shop.cart.abandon_cart import AbandonCart
from shop.cart.add_item import AddItem
from shop.projections import run_automation

cart, products = uuid4(), [uuid4(), uuid4(), uuid4()]
app = ShopApplication()
app.handle(AddItem(cart_id=cart, product_id=products[0], price=Decimal(1)))
app.handle(AbandonCart(cart_id=cart, products=tuple(products)))
policy = AUTOMATIONS["ReviewLeftCarts"]


class Crash(Exception):
    pass


# The first run dies after two of its four commands (FlagCart, ArchiveItem x3) took effect.
handled = []
real = app.handle


def dying(command, *, tracking=None):
    if len(handled) == 2:
        raise Crash
    handled.append(command)
    return real(command, tracking=tracking)


app.handle = dying
try:
    run_automation(app, policy)
except Crash:
    pass
restarted = ShopApplication()
again = run_automation(restarted, policy)
state = restarted.state_of(restarted.deciders[AddItem], cart)
print([type(o.command).__name__ for o in again], state.flags, state.archived == tuple(products))
print(run_automation(ShopApplication(), policy), len(restarted.history(restarted.store_id("Cart", cart))))
"""


def test_several_commands_of_one_event_take_effect_once_after_a_crash(
    shop: Path, tmp_path: Path
) -> None:
    script = tmp_path / "crash.py"
    script.write_text(CRASH, encoding="utf-8")
    ran = _python(shop, tmp_path / "shop.sqlite", str(script))
    assert ran.returncode == 0, ran.stderr
    # After the restart only the two commands that had not taken effect are sent; the cart was
    # flagged once and archived each product once; a third run sends nothing. The stream holds
    # ItemAdded, CartAbandoned, CartFlagged and three ItemArchived.
    assert ran.stdout.splitlines() == ["['ArchiveItem', 'ArchiveItem'] 1 True", "[] 6"]


def test_external_events_are_recorded_and_start_automations(shop: Path, tmp_path: Path) -> None:
    db = tmp_path / "shop.sqlite"
    cart, tea = "5b2f6a52-3c1e-4f1e-9a43-0c1d2e3f4a5b", "9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f"
    added = _python(
        shop, db, "-m", "shop", "handle", "AddItem",
        json.dumps({"cart_id": cart, "product_id": tea, "price": "3"}),
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    same = {"product_id": tea, "old_price": "3", "new_price": "3"}
    recorded = _python(shop, db, "-m", "shop", "record", "PriceChanged", json.dumps(same))
    assert recorded.returncode == 0, recorded.stderr
    assert json.loads(recorded.stdout)["event"] == "PriceChanged"
    changed = {**same, "new_price": "4"}
    assert (
        _python(shop, db, "-m", "shop", "record", "PriceChanged", json.dumps(changed)).returncode
        == 0
    )
    sent = json.loads(
        _python(
            shop, db, "-m", "shop", "run-automations", "--name", "ArchiveItemsOnPriceChange"
        ).stdout
    )
    assert [(s["command"], s["events"]) for s in sent] == [("ArchiveItem", 1)]
    state = json.loads(_python(shop, db, "-m", "shop", "state", "Cart", cart).stdout)
    assert state["archived"] == [tea]
    unknown = _python(shop, db, "-m", "shop", "record", "PriceRaised", "{}")
    assert unknown.returncode == 2 and "unknown external event 'PriceRaised'" in unknown.stderr
    wrong = _python(shop, db, "-m", "shop", "record", "PriceChanged", '{"price": 1}')
    assert wrong.returncode == 2
    assert "PriceChanged.price: expected one of PriceChanged's fields" in wrong.stderr
    api = textwrap.dedent(
        f"""
        from decimal import Decimal
        from uuid import UUID
        from shop.application import ShopApplication
        from shop.external_events import PriceChanged
        app = ShopApplication()
        r = app.record(PriceChanged(product_id=UUID({tea!r}), old_price=Decimal(1), new_price=Decimal(2)))
        print(app.history(r.originator_id)[0].event == r.event)
        """
    )
    ran = _python(shop, db, "-c", api)
    assert ran.stdout.strip() == "True", ran.stderr


def test_a_read_model_listens_to_an_external_event(shop: Path, tmp_path: Path) -> None:
    """Section 7: read models may listen to external events. CataloguePrices counts the real
    price changes the catalogue reports (its `if:` skips a report of the same price); the rows
    follow what `record` stored, on a real SQLite store."""
    db = tmp_path / "prices.sqlite"
    tea = "9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f"
    for old, new in (("3", "4"), ("4", "4"), ("4", "5")):
        change = {"product_id": tea, "old_price": old, "new_price": new}
        recorded = _python(shop, db, "-m", "shop", "record", "PriceChanged", json.dumps(change))
        assert recorded.returncode == 0, recorded.stderr
    listed = _python(shop, db, "-m", "shop", "rows", "CataloguePrices")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == [{"product_id": tea, "price": "5", "changes": 2}]

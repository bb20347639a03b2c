"""`eventforge add timeline | step` and `add scenario --at`: timelines and the clock written
through the command line, edited in place (the rest of the file byte for byte), validated first."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from conftest import cli, write_spec

from generator.spec.load import load_text

SHOP = """\
# A shop: carts become orders.
eventforge: 1
domain: Shop
package: shop
aggregates:
  Cart:
    id: {name: cart_id, type: str}
    state:
      items: {type: int, default: 0}
      submitted: {type: bool, default: false}
    errors:
      CartSubmitted: The cart was submitted already.   # keep me
    events:
      ItemAdded:
        fields: {line: str, sku: str, quantity: int}
        apply: {items: "= state.items + event.quantity"}
      CartSubmittedByCustomer:
        fields: {submitted_at: datetime}
        apply: {submitted: true}
    commands:
      AddItem:
        creates: if-missing
        fields: {sku: str, quantity: int}
        rejects:
          - if: state.submitted
            error: CartSubmitted
        emits:
          - ItemAdded: {line: "= command.cart_id + '/' + command.sku"}
      SubmitCart:
        fields: {}
        emits:
          - CartSubmittedByCustomer: {submitted_at: "= now()"}
  Order:
    id: {name: order_id, type: str}
    state:
      opened: {type: bool, default: false}
    events:
      OrderOpened:
        fields: {}
        apply: {opened: true}
    commands:
      OpenOrder:
        creates: true
        fields: {}
        emits: [OrderOpened]
read_models:
  CartItems:
    key: line
    fields: {cart_id: str, quantity: int}
    on:
      ItemAdded:
        set: {cart_id: "= event.cart_id", quantity: "= row.quantity + event.quantity"}
automations:
  OpenOrderOnSubmit:
    on: CartSubmittedByCustomer
    send:
      OpenOrder: {order_id: "= event.cart_id"}
"""

# The same timeline, written by hand.
BY_HAND = """
timelines:
  - name: a cart is filled and submitted
    given:
      - ItemAdded: {cart_id: cart-9, line: cart-9/jam, sku: jam, quantity: 1}
    steps:
      - at: 2024-05-01T10:00:00Z
        when: {AddItem: {cart_id: cart-1, sku: tea, quantity: 2}}
        then:
          events: [{ItemAdded: {line: cart-1/tea, quantity: 2}}]
          state: {items: 2, version: 1}
          rows:
            CartItems:
              - {line: cart-1/tea, quantity: 2}
              - {line: cart-9/jam, quantity: 1}
      - at: 2024-05-01T11:00:00Z
        when: {SubmitCart: {cart_id: cart-1}}
        then:
          events: [{CartSubmittedByCustomer: {submitted_at: 2024-05-01T11:00:00Z}}]
          sent: [{OpenOrder: {order_id: cart-1}}]
      - when: {AddItem: {cart_id: cart-1, sku: jam, quantity: 1}}
        then: {error: CartSubmitted}
"""

FIRST = (
    "--name",
    "a cart is filled and submitted",
    "--given",
    "ItemAdded: {cart_id: cart-9, line: cart-9/jam, sku: jam, quantity: 1}",
    "--at",
    "2024-05-01T10:00:00Z",
    "--when",
    "AddItem: {cart_id: cart-1, sku: tea, quantity: 2}",
    "--then",
    "ItemAdded: {line: cart-1/tea, quantity: 2}",
    "--then-state",
    "items: 2",
    "--then-state",
    "version: 1",
    "--rows",
    "CartItems: {line: cart-1/tea, quantity: 2}",
    "--rows",
    "CartItems: {line: cart-9/jam, quantity: 1}",
)
SECOND = (
    "--at",
    "2024-05-01T11:00:00Z",
    "--when",
    "SubmitCart: {cart_id: cart-1}",
    "--then",
    "CartSubmittedByCustomer: {submitted_at: 2024-05-01T11:00:00Z}",
    "--sent",
    "OpenOrder: {order_id: cart-1}",
)
THIRD = (
    "--when",
    "AddItem: {cart_id: cart-1, sku: jam, quantity: 1}",
    "--then-error",
    "CartSubmitted",
)


def _data(text: str) -> Any:
    return load_text(text, "eventforge.yaml").data


def _timeline(data: Any) -> Any:
    """The timeline as the validator reads it, times as text (a quoted time is the same time)."""
    [timeline] = data["timelines"]
    return eval_times(timeline)


def eval_times(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: eval_times(v) for k, v in value.items()}
    if isinstance(value, list):
        return [eval_times(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat().replace("+00:00", "Z")
    return value


def test_a_timeline_written_step_by_step_is_the_one_written_by_hand(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, SHOP)
    created = cli("add", "timeline", *FIRST, "--spec", spec)
    assert created.exit_code == 0, created.stderr
    for step in (SECOND, THIRD):
        added = cli("add", "step", "a cart is filled and submitted", *step, "--spec", spec)
        assert added.exit_code == 0, added.stderr
    text = spec.read_text(encoding="utf-8")
    # Only lines were added, at the end: the rest (comments too) is byte for byte as before.
    assert text.startswith(SHOP)
    assert cli("validate", spec).exit_code == 0
    assert _timeline(_data(text)) == _timeline(_data(SHOP + BY_HAND))
    generated = cli("generate", spec)
    assert generated.exit_code == 0, generated.stderr
    test = (tmp_path / "tests/test_timelines.py").read_text(encoding="utf-8")
    assert "at=datetime(2024, 5, 1, 11, 0, 0, tzinfo=UTC)" in test


def test_a_step_the_spec_refuses_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, SHOP)
    assert cli("add", "timeline", *FIRST, "--spec", spec).exit_code == 0
    before = spec.read_text(encoding="utf-8")
    story = "a cart is filled and submitted"
    bad_time = cli("add", "step", story, "--at", "tomorrow", *THIRD, "--spec", spec)
    assert bad_time.exit_code == 1
    assert "E408" in bad_time.stderr and "at: 'tomorrow' is not an ISO 8601" in bad_time.stderr
    unknown = cli("add", "step", story, "--when", "PayCart: {cart_id: cart-1}", "--spec", spec)
    assert unknown.exit_code == 1 and "E403" in unknown.stderr
    no_story = cli("add", "step", "another story", *THIRD, "--spec", spec)
    assert no_story.exit_code == 2 and "E901" in no_story.stderr
    assert "no timeline named 'another story'" in no_story.stderr, no_story.stderr
    again = cli("add", "timeline", *FIRST, "--spec", spec)
    assert again.exit_code == 1 and "eventforge.yaml:59:5: error[E302]" in again.stderr
    assert "a timeline named 'a cart is filled and submitted' already" in again.stderr
    both = cli(
        "add", "step", story, *THIRD, "--sent", "OpenOrder", "--sent-nothing", "--spec", spec
    )
    assert both.exit_code == 2 and "--sent-nothing" in both.stderr
    assert spec.read_text(encoding="utf-8") == before


def test_a_scenario_at_a_fixed_time(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, SHOP)
    result = cli(
        "add",
        "scenario",
        "Cart",
        "--name",
        "submitting stamps the time",
        "--at",
        "2024-05-01T10:00:00Z",
        "--given",
        "ItemAdded: {line: cart-1/tea, sku: tea, quantity: 1}",
        "--when",
        "SubmitCart",
        "--then",
        "CartSubmittedByCustomer: {submitted_at: 2024-05-01T10:00:00Z}",
        "--spec",
        spec,
    )
    assert result.exit_code == 0, result.stderr
    text = spec.read_text(encoding="utf-8")
    added = [
        line[2:] for line in difflib.ndiff(SHOP.splitlines(), text.splitlines()) if line[0] == "+"
    ]
    assert '        at: "2024-05-01T10:00:00Z"' in added, added
    [scenario] = _data(text)["aggregates"]["Cart"]["scenarios"]
    assert eval_times(scenario)["at"] == "2024-05-01T10:00:00Z"
    generated = cli("generate", spec)
    assert generated.exit_code == 0, generated.stderr
    test = (tmp_path / "tests/cart/test_submit_cart.py").read_text(encoding="utf-8")
    assert "at=datetime(2024, 5, 1, 10, 0, 0, tzinfo=UTC)" in test


def test_a_slice_s_brief_shows_the_timelines_it_takes_part_in(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, SHOP + BY_HAND)
    story = "- **a cart is filled and submitted** (line 60, 3 steps):"
    add_item = cli("context", spec, "--slice", "AddItem").stdout
    assert "## Timelines" in add_item and story in add_item, add_item
    assert "  - step 1 (when): {at: '2024-05-01T10:00:00Z', when: {AddItem:" in add_item
    assert "  - step 3 (when): {when: {AddItem:" in add_item
    assert "step 2" not in add_item
    # An automation's command and a read model's rows; an aggregate through its commands.
    assert "  - step 2 (sent): {at:" in cli("context", spec, "--slice", "OpenOrder").stdout
    assert "  - step 2 (sent): {at:" in cli("context", spec, "--slice", "OpenOrderOnSubmit").stdout
    rows = cli("context", spec, "--slice", "CartItems").stdout
    assert "  - step 1 (rows):" in rows and "step 2" not in rows
    cart = cli("context", spec, "--slice", "Cart").stdout
    assert all(f"  - step {n} (when):" in cart for n in (1, 2, 3)), cart
    assert "  - step 2 (sent):" in cli("context", spec, "--slice", "Order").stdout
    # A slice in no timeline has no such section.
    alone = write_spec(tmp_path / "alone", SHOP)
    assert "## Timelines" not in cli("context", alone, "--slice", "AddItem").stdout


def test_the_prompt_and_agents_md_say_how_to_write_them(tmp_path: Path) -> None:
    prompt = cli("prompt", "A shop.").stdout
    assert "`at: 2024-05-01T10:00:00Z` on a scenario fixes the time `now()`" in prompt
    assert "as a `timelines:` entry" in prompt and "(`cart-1`, one id throughout" in prompt
    spec = write_spec(tmp_path, SHOP)
    assert cli("generate", spec).exit_code == 0
    agents = (tmp_path / "AGENTS.md").read_text(encoding="utf-8")
    assert "## Scenarios that specify, and timelines" in agents
    assert "eventforge add timeline" in agents and "eventforge add step" in agents


def test_renames_follow_into_timelines(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, SHOP + BY_HAND)
    for kind, old, new in (
        ("event", "ItemAdded", "ItemPut"),
        ("command", "AddItem", "PutItem"),
        ("command", "OpenOrder", "StartOrder"),
        ("error", "CartSubmitted", "CartIsSubmitted"),
        ("read-model", "CartItems", "CartLines"),
    ):
        result = cli("rename", kind, old, new, "--spec", spec)
        assert result.exit_code == 0, result.stderr
    timeline = _timeline(_data(spec.read_text(encoding="utf-8")))
    first, second, third = timeline["steps"]
    assert list(timeline["given"][0]) == ["ItemPut"]
    assert list(first["when"]) == ["PutItem"] and list(first["then"]["events"][0]) == ["ItemPut"]
    assert list(first["then"]["rows"]) == ["CartLines"]
    assert list(second["then"]["sent"][0]) == ["StartOrder"]
    assert third["then"] == {"error": "CartIsSubmitted"}

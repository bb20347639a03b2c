"""Scenario forms of issue 14 (section 5): `then.state` with `version` and `exists`, named ids,
`given` events of other aggregates, and timelines, run in a generated package.

A realistic shop (carts filled and submitted, a read model of their items, an automation that
opens an order) must generate, pass ruff and mypy --strict, and run green; the same shop with
deliberately wrong expectations must fail, each with the message that names what differed (the
timeline's step, the expectation and the field).
"""

from __future__ import annotations

import re
from pathlib import Path
from uuid import NAMESPACE_URL, uuid5

import pytest
from conftest import assert_clean_and_strictly_typed, cli, run_pytest, write_spec

SHOP = """
eventforge: 1
domain: Shop
package: shop
types:
  Gift:
    fields: {customer_id: uuid, note: str}
aggregates:
  Cart:
    id: {name: cart_id, type: str}
    state:
      customer_id: uuid
      items: {type: int, default: 0}
      submitted: {type: bool, default: false}
    errors:
      CartSubmitted: The cart was submitted already.
      EmptyCart: An empty cart cannot be submitted.
    events:
      ItemAdded:
        fields: {line: str, sku: str, quantity: int}
        apply: {items: "= state.items + event.quantity"}
      CartSubmittedByCustomer:
        fields: {customer_id: uuid}
        apply: {submitted: true, customer_id: "= event.customer_id"}
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
        fields: {customer_id: uuid}
        rejects:
          - if: state.submitted
            error: CartSubmitted
          - if: state.items == 0
            error: EmptyCart
        emits: [CartSubmittedByCustomer]
    scenarios:
      - name: submitting records the customer
        given:
          - ItemAdded: {line: cart-1/tea, sku: tea, quantity: 2}
        when:
          SubmitCart: {customer_id: ada-1}
        then:
          events:
            - CartSubmittedByCustomer: {customer_id: ada-1}
          state: {customer_id: ada-1, submitted: true, version: 2, exists: true}
  Customer:
    id: customer_id
    state:
      name: str
      orders: {type: int, default: 0}
    events:
      CustomerRegistered:
        fields: {name: str}
        apply: {name: "= event.name"}
      FriendsReferred:
        fields: {friends: "list[uuid]", gifts: "list[Gift]", by_friend: "map[uuid, Gift]"}
    commands:
      RegisterCustomer:
        creates: true
        fields: {name: str}
        emits: [CustomerRegistered]
      ReferFriends:
        fields: {friends: "list[uuid]", gifts: "list[Gift]", by_friend: "map[uuid, Gift]"}
        emits: [FriendsReferred]
    scenarios:
      - name: a customer refers friends by name
        given:
          - CustomerRegistered: {name: Ada}
        when:
          ReferFriends:
            friends: [bob-1, cy-1]
            gifts: [{customer_id: customer-1, note: tea}]
            by_friend: {bob-1: {customer_id: bob-1, note: jam}}
        then:
          - FriendsReferred:
              friends: [bob-1, cy-1]
              gifts: [{customer_id: customer-1, note: tea}]
              by_friend: {bob-1: {customer_id: bob-1, note: jam}}
      - name: a customer registers under the implicit id
        when:
          RegisterCustomer: {name: Ada}
        then:
          events:
            - CustomerRegistered: {name: Ada}
          state: {version: 1}
  Order:
    id: {name: order_id, type: str}
    state:
      customer_id: uuid
      customer_name: str
    errors:
      UnknownCustomer: There is no such customer.
    events:
      OrderOpened:
        fields: {customer_id: uuid, customer_name: str}
        apply: {customer_id: "= event.customer_id", customer_name: "= event.customer_name"}
    commands:
      OpenOrder:
        creates: true
        fields: {customer_id: uuid}
        reads:
          customer: {aggregate: Customer, id: "= command.customer_id"}
        rejects:
          - if: not customer.exists
            error: UnknownCustomer
        emits:
          - OrderOpened: {customer_name: "= customer.name"}
    scenarios:
      - name: an order takes the customer's name from their events
        given:
          - CustomerRegistered: {customer_id: ada-1, name: Ada}
        when:
          OpenOrder: {customer_id: ada-1}
        then:
          - OrderOpened: {customer_id: ada-1, customer_name: Ada}
      - name: an order needs a registered customer
        given:
          - CustomerRegistered: {customer_id: bob-1, name: Bob}
        when:
          OpenOrder: {customer_id: ada-1}
        then:
          error: UnknownCustomer
read_models:
  CartItems:
    key: line
    fields: {cart_id: str, sku: str, quantity: int}
    on:
      ItemAdded:
        set: {cart_id: "= event.cart_id", sku: "= event.sku", quantity: "= row.quantity + event.quantity"}
  CustomerCarts:
    key: customer_id
    fields: {last_cart: str}
    on:
      CartSubmittedByCustomer:
        set: {last_cart: "= event.cart_id"}
    scenarios:
      - name: a customer's row names their last cart
        given:
          - CustomerRegistered: {customer_id: ada-1, name: Ada}
          - CartSubmittedByCustomer: {cart_id: cart-1, customer_id: ada-1}
          - CartSubmittedByCustomer: {cart_id: cart-2, customer_id: bob-1}
        then:
          - {customer_id: ada-1, last_cart: cart-1}
          - {customer_id: bob-1, last_cart: cart-2}
automations:
  OpenOrderOnSubmit:
    on: CartSubmittedByCustomer
    send:
      OpenOrder: {order_id: "= event.cart_id", customer_id: "= event.customer_id"}
    scenarios:
      - name: a submitted cart opens its order for its customer
        given:
          - CartSubmittedByCustomer: {cart_id: cart-1, customer_id: ada-1}
        then:
          - OpenOrder: {order_id: cart-1, customer_id: ada-1}
timelines:
  - name: a cart is filled and submitted, and its order opens
    given:
      - CustomerRegistered: {customer_id: ada-1, name: Ada}
    steps:
      - when: {AddItem: {cart_id: cart-1, sku: tea, quantity: 2}}
        then:
          events: [{ItemAdded: {line: cart-1/tea, quantity: 2}}]
          state: {items: 2, version: 1, exists: true}
          rows: {CartItems: [{line: cart-1/tea, cart_id: cart-1, sku: tea, quantity: 2}]}
      - when: {AddItem: {cart_id: cart-1, sku: tea, quantity: 1}}
        then:
          rows: {CartItems: [{line: cart-1/tea, quantity: 3}]}
      - when: {SubmitCart: {cart_id: cart-1, customer_id: ada-1}}
        then:
          events: [{CartSubmittedByCustomer: {customer_id: ada-1}}]
          state: {submitted: true, version: 3}
          sent: [{OpenOrder: {order_id: cart-1, customer_id: ada-1}}]
      - when: {AddItem: {cart_id: cart-1, sku: jam, quantity: 1}}
        then: {error: CartSubmitted}
"""

# One wrong expectation each (old text -> new text), and the words its failure must show.
WRONG_SCENARIOS = {
    "a wrong version": (
        "state: {customer_id: ada-1, submitted: true, version: 2, exists: true}",
        "state: {customer_id: ada-1, submitted: true, version: 3, exists: true}",
        [
            "Scenario 'submitting records the customer' failed",
            "state.version: expected 3 (int), got 2 (int)",
        ],
    ),
    "a wrong existence": (
        "state: {version: 1}",
        "state: {exists: false}",
        [
            "Scenario 'a customer registers under the implicit id' failed",
            "state.exists: expected False (bool), got True (bool)",
        ],
    ),
    "another named id": (
        "- OrderOpened: {customer_id: ada-1, customer_name: Ada}",
        "- OrderOpened: {customer_id: bob-1, customer_name: Ada}",
        [
            'Scenario "an order takes the customer\'s name from their events" failed',
            "event 1: OrderOpened.customer_id: expected UUID(",
        ],
    ),
    "events of another stream not read": (
        "          - CustomerRegistered: {customer_id: bob-1, name: Bob}\n        when:\n          OpenOrder: {customer_id: ada-1}",
        "          - CustomerRegistered: {customer_id: bob-1, name: Bob}\n        when:\n          OpenOrder: {customer_id: bob-1}",
        [
            "Scenario 'an order needs a registered customer' failed",
            "expected UnknownCustomer, but the command emitted [OrderOpened(",
        ],
    ),
    "a wrong row field": (
        "- {customer_id: bob-1, last_cart: cart-2}",
        "- {customer_id: bob-1, last_cart: cart-3}",
        [
            'Scenario "a customer\'s row names their last cart" failed',
            "CustomerCartsRow.last_cart: expected 'cart-3' (str), got 'cart-2' (str)",
        ],
    ),
    "another named id in a sent command": (
        "- OpenOrder: {order_id: cart-1, customer_id: ada-1}",
        "- OpenOrder: {order_id: cart-1, customer_id: bob-1}",
        [
            "Scenario 'a submitted cart opens its order for its customer' failed",
            "OpenOrder.customer_id: expected UUID(",
        ],
    ),
    "another named id in a list": (
        "- FriendsReferred:\n              friends: [bob-1, cy-1]",
        "- FriendsReferred:\n              friends: [bob-1, dan-1]",
        [
            "Scenario 'a customer refers friends by name' failed",
            "event 1: FriendsReferred.friends: expected (UUID(",
        ],
    ),
}

# Copies of the shop's timeline, each with one step's expectation wrong.
WRONG_STEPS = {
    "rows": (
        "rows: {CartItems: [{line: cart-1/tea, quantity: 3}]}",
        "rows: {CartItems: [{line: cart-1/tea, quantity: 4}]}",
        [
            "failed at step 2 (AddItem)",
            "CartItems: row 1: CartItemsRow.quantity: expected 4 (int), got 3 (int)",
        ],
    ),
    "sent": (
        "sent: [{OpenOrder: {order_id: cart-1, customer_id: ada-1}}]",
        "sent: [{OpenOrder: {order_id: cart-2, customer_id: ada-1}}]",
        [
            "failed at step 3 (SubmitCart)",
            "sent: command 1: OpenOrder.order_id: expected 'cart-2' (str), got 'cart-1' (str)",
        ],
    ),
    "state": (
        "state: {submitted: true, version: 3}",
        "state: {submitted: true, version: 4}",
        ["failed at step 3 (SubmitCart)", "state.version: expected 4 (int), got 3 (int)"],
    ),
    "events": (
        "events: [{ItemAdded: {line: cart-1/tea, quantity: 2}}]",
        "events: [{ItemAdded: {line: cart-1/jam, quantity: 2}}]",
        [
            "failed at step 1 (AddItem)",
            "event 1: ItemAdded.line: expected 'cart-1/jam' (str), got 'cart-1/tea' (str)",
        ],
    ),
    "error": (
        "then: {error: CartSubmitted}",
        "then: {error: EmptyCart}",
        ["failed at step 4 (AddItem)", "expected EmptyCart, got CartSubmitted"],
    ),
}


def _timeline_of(spec: str) -> str:
    return spec[spec.index("  - name: a cart is filled") :]


def _wrong_shop() -> str:
    spec = SHOP
    for old, new, _ in WRONG_SCENARIOS.values():
        assert spec.count(old) == 1, old
        spec = spec.replace(old, new)
    story = _timeline_of(SHOP)
    for case, (old, new, _) in WRONG_STEPS.items():
        assert story.count(old) == 1, old
        wrong = story.replace(old, new).replace(
            "a cart is filled", f"wrong {case}, a cart is filled"
        )
        spec += wrong
    return spec


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("shop")
    result = cli("generate", write_spec(root, SHOP))
    assert result.exit_code == 0, result.stderr
    return root


@pytest.fixture(scope="module")
def wrong_run(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("wrong_shop")
    result = cli("generate", write_spec(root, _wrong_shop()))
    assert result.exit_code == 0, result.stderr
    run = run_pytest(
        root,
        "tests/test_timelines.py",
        "tests/cart",
        "tests/customer",
        "tests/order",
        "tests/read_models",
        "tests/automations",
    )
    assert run.returncode == 1, run.stdout + run.stderr
    return run.stdout


def test_the_shop_runs_green_with_its_timeline(shop: Path) -> None:
    result = run_pytest(shop)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout
    timeline = run_pytest(shop, "tests/test_timelines.py")
    assert timeline.returncode == 0, timeline.stdout + timeline.stderr
    assert "1 passed" in timeline.stdout


def test_the_shop_is_ruff_clean_and_strictly_typed(shop: Path) -> None:
    assert_clean_and_strictly_typed(shop)


def test_named_ids_are_constants_made_from_their_names(shop: Path) -> None:
    ada = uuid5(NAMESPACE_URL, "eventforge:id:ada-1")
    for test in (
        "tests/test_timelines.py",
        "tests/cart/test_submit_cart.py",
        "tests/order/test_open_order.py",
    ):
        text = (shop / test).read_text(encoding="utf-8")
        assert f'ADA_1 = UUID("{ada}")  # ada-1' in text, test
    order = (shop / "tests/order/test_open_order.py").read_text(encoding="utf-8")
    assert "BOB_1 = UUID(" in order
    assert "customer_id=ADA_1" in order
    # The implicit id of an aggregate's scenarios is a named constant too.
    customer = (shop / "tests/customer/test_register_customer.py").read_text(encoding="utf-8")
    assert 'CUSTOMER_ID = UUID("00000000-0000-4000-8000-000000000001")' in customer


def test_read_model_and_automation_scenarios_take_named_ids(shop: Path) -> None:
    ada = uuid5(NAMESPACE_URL, "eventforge:id:ada-1")
    rows = (shop / "tests/read_models/test_customer_carts.py").read_text(encoding="utf-8")
    assert f'ADA_1 = UUID("{ada}")  # ada-1' in rows
    assert "BOB_1 = UUID(" in rows
    assert 'CartSubmittedByCustomer(cart_id="cart-1", customer_id=ADA_1)' in rows
    assert 'expect(CustomerCartsRow, customer_id=ADA_1, last_cart="cart-1")' in rows
    sends = (shop / "tests/automations/test_open_order_on_submit.py").read_text(encoding="utf-8")
    assert f'ADA_1 = UUID("{ada}")  # ada-1' in sends
    assert 'expect(OpenOrder, order_id="cart-1", customer_id=ADA_1)' in sends


def test_named_ids_inside_lists_maps_and_value_objects_are_constants(shop: Path) -> None:
    refer = (shop / "tests/customer/test_refer_friends.py").read_text(encoding="utf-8")
    assert "BOB_1 = UUID(" in refer
    assert "CY_1 = UUID(" in refer
    assert "friends=(BOB_1, CY_1)" in refer
    assert 'by_friend={BOB_1: Gift(customer_id=BOB_1, note="jam")}' in refer
    # The implicit id inside a value object is its UUID (the store test has no constant for it).
    implicit = 'Gift(customer_id=UUID("00000000-0000-4000-8000-000000000001"), note="tea")'
    assert implicit in refer


def test_given_events_of_another_stream_reach_the_command_s_read(shop: Path) -> None:
    order = (shop / "tests/order/test_open_order.py").read_text(encoding="utf-8")
    assert ".elsewhere(" in order
    assert "customer_decider" in order
    assert 'CustomerRegistered(customer_id=ADA_1, name="Ada")' in order


@pytest.mark.parametrize("case", list(WRONG_SCENARIOS))
def test_a_wrong_scenario_expectation_fails_with_its_message(wrong_run: str, case: str) -> None:
    for words in WRONG_SCENARIOS[case][2]:
        assert words in wrong_run, f"{words!r} not in the run's output:\n{wrong_run}"


@pytest.mark.parametrize("case", list(WRONG_STEPS))
def test_a_wrong_timeline_step_fails_naming_step_expectation_and_field(
    wrong_run: str, case: str
) -> None:
    name = f"wrong {case}, a cart is filled and submitted, and its order opens"
    failure = f"Timeline {name!r} failed at"
    assert failure in wrong_run, wrong_run
    start = wrong_run.index(failure)
    block = wrong_run[start : start + 600]
    for words in WRONG_STEPS[case][2]:
        assert words in block, f"{words!r} not in:\n{block}"


def test_every_wrong_expectation_fails_and_nothing_else(wrong_run: str) -> None:
    failed = re.search(r"(\d+) failed", wrong_run)
    assert failed is not None, wrong_run
    assert int(failed[1]) == len(WRONG_SCENARIOS) + len(WRONG_STEPS), wrong_run

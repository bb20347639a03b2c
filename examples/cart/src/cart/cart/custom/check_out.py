"""CheckOut: the hand-written decision.

This file is yours: eventforge created it once and never changes it. The spec says
CheckOut emits CartCheckedOutByCustomer.
Checked before decide() runs: that the stream exists, then its `rejects:` rules.

decide() takes what CheckOut reads beyond its stream, by name:
customer, lines.

Helpers in `check_out` build events with the values the spec maps:
build_cart_checked_out_by_customer(command, state, customer=..., lines=..., total=..., discount=...)
"""

from __future__ import annotations

from decimal import Decimal

from cart.cart.check_out import CheckOut, build_cart_checked_out_by_customer
from cart.cart.events import CartCheckedOutByCustomer
from cart.cart.state import CartState
from cart.customer.state import CustomerState
from cart.read_models.cart_items import CartItemsRow

# Three lines or more: the cheapest unit in the cart is free.
LINES_FOR_A_FREE_UNIT = 3


def decide(
    command: CheckOut, state: CartState, *, customer: CustomerState, lines: list[CartItemsRow]
) -> list[CartCheckedOutByCustomer]:
    # The total is the cart's own (consistent with its events); the lines, read from a read
    # model, only decide the discount.
    discount = Decimal(0)
    if len(lines) >= LINES_FOR_A_FREE_UNIT:
        discount = min(line.price for line in lines)
    return [
        build_cart_checked_out_by_customer(
            command,
            state,
            customer=customer,
            lines=lines,
            total=state.total - discount,
            discount=discount,
        )
    ]

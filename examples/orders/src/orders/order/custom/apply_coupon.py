"""ApplyCoupon: the hand-written decision.

This file is yours: eventforge created it once and never changes it. The spec says
ApplyCoupon emits CouponApplied. Its `rejects:` rules are checked before decide() runs.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from orders.order.apply_coupon import ApplyCoupon
from orders.order.errors import UnknownCoupon
from orders.order.events import CouponApplied
from orders.order.state import OrderState

CENT = Decimal("0.01")

# The desk's current campaigns: a share of the subtotal, or a fixed amount off.
PERCENT_OFF: dict[str, Decimal] = {"SAVE10": Decimal("0.10"), "STAFF25": Decimal("0.25")}
AMOUNT_OFF: dict[str, Decimal] = {"WELCOME5": Decimal("5.00")}


def decide(command: ApplyCoupon, state: OrderState) -> list[CouponApplied]:
    code = command.code.strip().upper()
    if code in PERCENT_OFF:
        discount = state.subtotal * PERCENT_OFF[code]
    elif code in AMOUNT_OFF:
        discount = AMOUNT_OFF[code]
    else:
        raise UnknownCoupon
    # A coupon never makes the order cost less than nothing.
    discount = min(discount, state.subtotal).quantize(CENT, rounding=ROUND_HALF_UP)
    return [CouponApplied(order_id=command.order_id, code=code, discount=discount)]

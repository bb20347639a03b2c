"""CountStock: the hand-written decision.

This file is yours: eventforge created it once and never changes it. The spec says
CountStock emits StockCorrected. Its `rejects:` rules are checked before decide() runs.
"""

from __future__ import annotations

from orders.product.count_stock import CountStock
from orders.product.errors import CountBelowReservations
from orders.product.events import StockCorrected
from orders.product.state import ProductState


def decide(command: CountStock, state: ProductState) -> list[StockCorrected]:
    if command.counted == state.stock:
        # The shelf matches the books: nothing to record.
        return []
    if command.counted < state.reserved:
        # Units promised to orders cannot have vanished unnoticed; recount before correcting.
        raise CountBelowReservations
    difference = command.counted - state.stock
    return [StockCorrected(sku=command.sku, counted=command.counted, difference=difference)]

"""ReturnLoan: the hand-written decision.

This file is yours: eventforge created it once and never changes it. The spec says
ReturnLoan emits LoanReturned. Its `rejects:` rules are checked before decide() runs.
"""

from __future__ import annotations

from decimal import Decimal

from library.loan.errors import ReturnBeforeLoan
from library.loan.events import LoanReturned
from library.loan.return_loan import ReturnLoan
from library.loan.state import LoanState

FEE_PER_DAY = Decimal("0.25")
MAXIMUM_FEE = Decimal("10.00")


def decide(command: ReturnLoan, state: LoanState) -> list[LoanReturned]:
    # Days count by the calendar date of the return (times are in UTC): a book back on its due
    # date, at any hour, is on time.
    returned_on = command.returned_at.date()
    if returned_on < state.borrowed_on:
        raise ReturnBeforeLoan
    days_late = max((returned_on - state.due_on).days, 0)
    fine = min(days_late * FEE_PER_DAY, MAXIMUM_FEE)
    return [
        LoanReturned(
            loan_id=command.loan_id,
            book_id=state.book_id,
            card_number=state.card_number,
            returned_at=command.returned_at,
            days_late=days_late,
            fine=fine,
        )
    ]

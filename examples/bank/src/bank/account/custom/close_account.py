"""CloseAccount: the hand-written decision.

This file is yours: eventforge created it once and never changes it. The spec says
CloseAccount emits AccountClosed.
"""

from __future__ import annotations

from bank.account.close_account import CloseAccount
from bank.account.errors import AccountIsClosed
from bank.account.events import AccountClosed
from bank.account.state import AccountState


def decide(command: CloseAccount, state: AccountState) -> list[AccountClosed]:
    # Closing twice is refused; closing an account that still holds money is allowed here
    # because the bank pays the balance out of band.
    if state.closed:
        raise AccountIsClosed
    return [AccountClosed(account_id=command.account_id)]

"""The bank domain written by hand twice, as the runtime benchmark's baselines.

Same rules and events as examples/bank/eventforge.yaml (open, deposit, withdraw, close):

- `Functional*`: the eventsourcing library's functional style, as a careful person would write it:
  frozen dataclass events and state, a projector function, the library's default mapper and
  transcoder, snapshots every 100 events.
- `MutableAccount`/`MutableBank`: the library's own `Aggregate` class with `@event` methods, the
  style of its tutorial, snapshots every 100 events.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID, uuid4

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event


class AccountIsClosedError(Exception):
    pass


class InvalidAmountError(Exception):
    pass


class InsufficientFundsError(Exception):
    pass


# -- functional style -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    originator_id: UUID
    originator_version: int
    timestamp: datetime


@dataclass(frozen=True, kw_only=True)
class AccountOpened(DomainEvent):
    owner: str
    overdraft_limit: Decimal


@dataclass(frozen=True, kw_only=True)
class MoneyDeposited(DomainEvent):
    amount: Decimal


@dataclass(frozen=True, kw_only=True)
class MoneyWithdrawn(DomainEvent):
    amount: Decimal


@dataclass(frozen=True, kw_only=True)
class AccountClosed(DomainEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class FunctionalAccount:
    id: UUID
    version: int
    owner: str
    balance: Decimal = Decimal("0")
    overdraft_limit: Decimal = Decimal("0")
    closed: bool = False


@dataclass(frozen=True, kw_only=True)
class FunctionalSnapshot:
    originator_id: UUID
    originator_version: int
    timestamp: datetime
    state: dict[str, Any]

    @classmethod
    def take(cls, account: FunctionalAccount) -> FunctionalSnapshot:
        return cls(
            originator_id=account.id,
            originator_version=account.version,
            timestamp=datetime.now(tz=UTC),
            state={f.name: getattr(account, f.name) for f in dataclasses.fields(account)},
        )


def evolve(state: FunctionalAccount | None, event: DomainEvent) -> FunctionalAccount:
    match event:
        case AccountOpened():
            return FunctionalAccount(
                id=event.originator_id,
                version=event.originator_version,
                owner=event.owner,
                overdraft_limit=event.overdraft_limit,
            )
        case MoneyDeposited():
            assert state is not None
            return replace(
                state, version=event.originator_version, balance=state.balance + event.amount
            )
        case MoneyWithdrawn():
            assert state is not None
            return replace(
                state, version=event.originator_version, balance=state.balance - event.amount
            )
        case AccountClosed():
            assert state is not None
            return replace(state, version=event.originator_version, closed=True)
    raise TypeError(f"unknown event {event!r}")


def project(
    state: FunctionalAccount | None, events: Iterable[DomainEvent | FunctionalSnapshot]
) -> FunctionalAccount | None:
    for item in events:
        if isinstance(item, FunctionalSnapshot):
            state = FunctionalAccount(**item.state)
        else:
            state = evolve(state, item)
    return state


class FunctionalBank(Application[UUID]):
    snapshot_class = FunctionalSnapshot
    snapshotting_intervals: ClassVar[dict[type, int]] = {FunctionalAccount: 100}
    snapshotting_projectors: ClassVar[dict[type, Any]] = {FunctionalAccount: project}

    def open_account(self, owner: str, overdraft_limit: Decimal = Decimal("0")) -> UUID:
        opened = AccountOpened(
            originator_id=uuid4(),
            originator_version=1,
            timestamp=datetime.now(tz=UTC),
            owner=owner,
            overdraft_limit=overdraft_limit,
        )
        self.save(evolve(None, opened), opened)
        return opened.originator_id

    def deposit(self, account_id: UUID, amount: Decimal) -> None:
        account = self.get_account(account_id)
        if account.closed:
            raise AccountIsClosedError
        if amount <= 0:
            raise InvalidAmountError
        self._append(account, MoneyDeposited, amount=amount)

    def withdraw(self, account_id: UUID, amount: Decimal) -> None:
        account = self.get_account(account_id)
        if amount > account.balance + account.overdraft_limit:
            raise InsufficientFundsError
        self._append(account, MoneyWithdrawn, amount=amount)

    def close_account(self, account_id: UUID) -> None:
        account = self.get_account(account_id)
        if account.closed:
            raise AccountIsClosedError
        self._append(account, AccountClosed)

    def get_account(self, account_id: UUID) -> FunctionalAccount:
        account: FunctionalAccount = self.repository.get(account_id, projector_func=project)
        return account

    def _append(self, account: FunctionalAccount, cls: type[DomainEvent], **fields: Any) -> None:
        new = cls(
            originator_id=account.id,
            originator_version=account.version + 1,
            timestamp=datetime.now(tz=UTC),
            **fields,
        )
        self.save(evolve(account, new), new)


# -- the library's mutable Aggregate style ----------------------------------------------------


class MutableAccount(Aggregate):
    @event("Opened")
    def __init__(self, owner: str, overdraft_limit: Decimal) -> None:
        self.owner = owner
        self.overdraft_limit = overdraft_limit
        self.balance = Decimal("0")
        self.closed = False

    def deposit(self, amount: Decimal) -> None:
        if self.closed:
            raise AccountIsClosedError
        if amount <= 0:
            raise InvalidAmountError
        self._deposited(amount)

    def withdraw(self, amount: Decimal) -> None:
        if amount > self.balance + self.overdraft_limit:
            raise InsufficientFundsError
        self._withdrawn(amount)

    def close(self) -> None:
        if self.closed:
            raise AccountIsClosedError
        self._closed()

    @event("MoneyDeposited")
    def _deposited(self, amount: Decimal) -> None:
        self.balance += amount

    @event("MoneyWithdrawn")
    def _withdrawn(self, amount: Decimal) -> None:
        self.balance -= amount

    @event("Closed")
    def _closed(self) -> None:
        self.closed = True


class MutableBank(Application[UUID]):
    snapshotting_intervals: ClassVar[dict[type, int]] = {MutableAccount: 100}

    def open_account(self, owner: str, overdraft_limit: Decimal = Decimal("0")) -> UUID:
        account = MutableAccount(owner, overdraft_limit)
        self.save(account)
        return account.id

    def deposit(self, account_id: UUID, amount: Decimal) -> None:
        account = self.get_account(account_id)
        account.deposit(amount)
        self.save(account)

    def withdraw(self, account_id: UUID, amount: Decimal) -> None:
        account = self.get_account(account_id)
        account.withdraw(amount)
        self.save(account)

    def close_account(self, account_id: UUID) -> None:
        account = self.get_account(account_id)
        account.close()
        self.save(account)

    def get_account(self, account_id: UUID) -> MutableAccount:
        account: MutableAccount = self.repository.get(account_id)
        return account

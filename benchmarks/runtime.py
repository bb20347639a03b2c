"""Runtime benchmark: the generated bank package against two hand-written baselines.

    python -m benchmarks.runtime [--commands 10000] [--rounds 5] [--json FILE]

One process, one run. Each round runs every implementation on every store, side by side (in turns
of a few hundred commands each, so that a machine whose speed drifts slows them all alike), on the
same workloads: `--accounts` accounts are opened (1,000: short streams of 10 events; 100: long
streams of 100 events, where each load replays up to 99 events after the last snapshot), then
deposits and withdrawals go round robin over them until `--commands` commands were handled; every
command loads its account from the store (snapshot plus newer events), decides, and appends in its
own transaction. Then one stream of `--stream` events is rehydrated with and without its snapshot.
Reported: medians over the rounds, and for each round the ratio to the hand-written functional
baseline (the median of those ratios).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from benchmarks import baselines

ROOT = Path(__file__).resolve().parent.parent
BANK_SRC = ROOT / "examples" / "bank" / "src"

DEPOSIT = Decimal("10.00")
WITHDRAWAL = Decimal("5.00")


class Bank:
    """One implementation behind one small interface."""

    name = ""

    def open(self, owner: str) -> UUID:
        raise NotImplementedError

    def deposit(self, account: UUID, amount: Decimal) -> None:
        raise NotImplementedError

    def withdraw(self, account: UUID, amount: Decimal) -> None:
        raise NotImplementedError

    def load(self, account: UUID) -> Any:
        """Current state through the repository (latest snapshot, then newer events)."""
        raise NotImplementedError

    def replay(self, account: UUID) -> Any:
        """Current state from every stored event, ignoring snapshots."""
        raise NotImplementedError

    def balance(self, account: UUID) -> Decimal:
        return Decimal(self.load(account).balance)

    def close(self) -> None:
        raise NotImplementedError


class Generated(Bank):
    name = "generated (eventforge)"

    def __init__(self, env: dict[str, str]) -> None:
        if str(BANK_SRC) not in sys.path:
            sys.path.insert(0, str(BANK_SRC))
        from bank.account.decider import decider
        from bank.account.deposit_money import DepositMoney
        from bank.account.open_account import OpenAccount
        from bank.account.withdraw_money import WithdrawMoney
        from bank.application import BankApplication

        self.app = BankApplication(env=env)
        self.decider = decider
        self.commands = (OpenAccount, DepositMoney, WithdrawMoney)

    def open(self, owner: str) -> UUID:
        account = uuid4()
        self.app.handle(self.commands[0](account_id=account, owner=owner))
        return account

    def deposit(self, account: UUID, amount: Decimal) -> None:
        self.app.handle(self.commands[1](account_id=account, amount=amount))

    def withdraw(self, account: UUID, amount: Decimal) -> None:
        self.app.handle(self.commands[2](account_id=account, amount=amount))

    def load(self, account: UUID) -> Any:
        return self.app.state_of(self.decider, account)

    def replay(self, account: UUID) -> Any:
        return self.decider.project(None, self.app.events.get(account))

    def close(self) -> None:
        self.app.close()


class Functional(Bank):
    name = "hand-written functional"

    def __init__(self, env: dict[str, str]) -> None:
        self.app = baselines.FunctionalBank(env=env)

    def open(self, owner: str) -> UUID:
        return self.app.open_account(owner)

    def deposit(self, account: UUID, amount: Decimal) -> None:
        self.app.deposit(account, amount)

    def withdraw(self, account: UUID, amount: Decimal) -> None:
        self.app.withdraw(account, amount)

    def load(self, account: UUID) -> Any:
        return self.app.get_account(account)

    def replay(self, account: UUID) -> Any:
        return baselines.project(None, self.app.events.get(account))

    def close(self) -> None:
        self.app.close()


class Mutable(Bank):
    name = "library Aggregate (mutable)"

    def __init__(self, env: dict[str, str]) -> None:
        self.app = baselines.MutableBank(env=env)

    def open(self, owner: str) -> UUID:
        return self.app.open_account(owner)

    def deposit(self, account: UUID, amount: Decimal) -> None:
        self.app.deposit(account, amount)

    def withdraw(self, account: UUID, amount: Decimal) -> None:
        self.app.withdraw(account, amount)

    def load(self, account: UUID) -> Any:
        return self.app.get_account(account)

    def replay(self, account: UUID) -> Any:
        from eventsourcing.application import project_aggregate

        return project_aggregate(None, self.app.events.get(account))

    def close(self) -> None:
        self.app.close()


IMPLEMENTATIONS: tuple[type[Bank], ...] = (Generated, Functional, Mutable)
STORES = ("memory", "sqlite")


@contextmanager
def store_env(store: str) -> Iterator[dict[str, str]]:
    if store == "memory":
        yield {"PERSISTENCE_MODULE": "eventsourcing.popo"}
        return
    with tempfile.TemporaryDirectory(prefix="eventforge-bench-") as tmp:
        yield {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(Path(tmp) / "events.sqlite"),
        }


class Lane:
    """One implementation working through the workload a slice at a time: `commands` commands
    over `accounts` accounts (each opened first, then deposits and withdrawals round robin)."""

    def __init__(self, bank: Bank, commands: int, accounts: int) -> None:
        self.bank = bank
        self.commands = commands
        self.accounts = accounts
        self.ids: list[UUID] = []
        self.done = 0
        self.seconds = 0.0
        self.deposits: dict[UUID, int] = {}
        self.withdrawals: dict[UUID, int] = {}

    def step(self, count: int) -> None:
        """Handle the next `count` commands (fewer at the end), adding to `seconds`."""
        start = time.perf_counter()
        for _ in range(min(count, self.commands - self.done)):
            if len(self.ids) < self.accounts:
                self.ids.append(self.bank.open(f"owner {len(self.ids)}"))
            else:
                n = self.done - self.accounts
                account = self.ids[n % self.accounts]
                if (n // self.accounts) % 2 == 0:
                    self.bank.deposit(account, DEPOSIT)
                    self.deposits[account] = self.deposits.get(account, 0) + 1
                else:
                    self.bank.withdraw(account, WITHDRAWAL)
                    self.withdrawals[account] = self.withdrawals.get(account, 0) + 1
            self.done += 1
        self.seconds += time.perf_counter() - start

    def check(self) -> None:
        for account in self.ids[:3]:
            expected = (
                self.deposits.get(account, 0) * DEPOSIT
                - self.withdrawals.get(account, 0) * WITHDRAWAL
            )
            actual = self.bank.balance(account)
            assert actual == expected, (self.bank.name, actual, expected)


SLICE = 250  # commands each implementation handles in turn (see side_by_side)


def side_by_side(
    implementations: tuple[type[Bank], ...], store: str, commands: int, accounts: int
) -> dict[str, float]:
    """Seconds each implementation takes for the same workload, run in turns of SLICE commands:
    on a shared machine whose speed drifts from second to second, every implementation meets
    the same slow and fast moments, so the ratios hold even when the absolute times do not."""
    with contextlib.ExitStack() as stack:
        lanes = []
        for implementation in implementations:
            bank = implementation(stack.enter_context(store_env(store)))
            stack.callback(bank.close)
            lanes.append(Lane(bank, commands, accounts))
        gc.collect()
        turn = 0
        while any(lane.done < commands for lane in lanes):
            for lane in lanes[turn % len(lanes) :] + lanes[: turn % len(lanes)]:
                lane.step(SLICE)
            turn += 1
        for lane in lanes:
            lane.check()
        return {lane.bank.name: lane.seconds for lane in lanes}


def workload(bank: Bank, commands: int, accounts: int) -> float:
    """Seconds for one implementation alone to handle the workload (used to warm up)."""
    lane = Lane(bank, commands, accounts)
    lane.step(commands)
    lane.check()
    return lane.seconds


def build_stream(bank: Bank, events: int) -> UUID:
    account = bank.open("long stream")
    for _ in range(events - 1):
        bank.deposit(account, DEPOSIT)
    return account


def best(function: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


@dataclass
class Result:
    implementation: str
    store: str
    accounts: int
    seconds: list[float]
    ratios: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def run(
    commands: int,
    accounts: tuple[int, ...],
    rounds: int,
    stream: int,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    results: dict[tuple[str, str, int], Result] = {}
    for implementation in IMPLEMENTATIONS:  # warm up: imports, caches, the first store
        with store_env("memory") as env:
            workload(implementation(env), min(commands, 500), min(accounts))
    for round_ in range(1, rounds + 1):
        # Each round starts with another implementation, so none is always first or last.
        shift = round_ % len(IMPLEMENTATIONS)
        order = IMPLEMENTATIONS[shift:] + IMPLEMENTATIONS[:shift]
        for store in STORES:
            for count in accounts:
                times = side_by_side(order, store, commands, count)
                base = times[Functional.name]
                for name, seconds in sorted(times.items()):
                    key = (name, store, count)
                    result = results.setdefault(key, Result(name, store, count, [], []))
                    result.seconds.append(seconds)
                    result.ratios.append(base / seconds)  # > 1: faster than the baseline
                shown = ", ".join(
                    f"{i.name} {commands / times[i.name]:,.0f}/s" for i in IMPLEMENTATIONS
                )
                log(f"round {round_} {store} {count} accounts: {shown}")
    rehydrate = []
    for store in STORES:
        for implementation in IMPLEMENTATIONS:
            with store_env(store) as env:
                bank = implementation(env)
                try:
                    account = build_stream(bank, stream)
                    replayed, loaded = bank.replay(account), bank.load(account)
                    assert replayed.version == loaded.version == stream, implementation.name
                    without = best(lambda b=bank, a=account: b.replay(a), max(3, rounds))
                    with_snapshot = best(lambda b=bank, a=account: b.load(a), max(3, rounds) * 10)
                finally:
                    bank.close()
            rehydrate.append(
                {
                    "implementation": implementation.name,
                    "store": store,
                    "events": stream,
                    "without_snapshot_s": without,
                    "with_snapshot_s": with_snapshot,
                }
            )
            log(
                f"rehydrate {stream} events, {store}, {implementation.name}: "
                f"{without * 1000:.1f} ms without a snapshot, {with_snapshot * 1000:.2f} ms with"
            )
    return {
        "commands": commands,
        "accounts": list(accounts),
        "rounds": rounds,
        "handle": [
            {
                "implementation": r.implementation,
                "store": r.store,
                "accounts": r.accounts,
                "median_s": r.median,
                "commands_per_s": commands / r.median,
                "ratio_to_functional": statistics.median(r.ratios),
                "seconds": r.seconds,
            }
            for r in (
                results[(i.name, store, count)]
                for store in STORES
                for count in accounts
                for i in IMPLEMENTATIONS
            )
        ],
        "rehydrate": rehydrate,
    }


def table(data: dict[str, Any]) -> str:
    lines = [
        "| store | streams | implementation | commands/s | vs hand-written functional |",
        "|---|---|---|---:|---:|",
    ]
    for row in data["handle"]:
        streams = f"{row['accounts']:,} x {data['commands'] // row['accounts']:,} events"
        lines.append(
            f"| {row['store']} | {streams} | {row['implementation']} | "
            f"{row['commands_per_s']:,.0f} | {row['ratio_to_functional']:.2f}x |"
        )
    lines += [
        "",
        f"Rehydrating one stream of {data['rehydrate'][0]['events']:,} events "
        "(best of several loads):",
        "",
        "| store | implementation | without a snapshot | with a snapshot |",
        "|---|---|---:|---:|",
    ]
    for row in data["rehydrate"]:
        lines.append(
            f"| {row['store']} | {row['implementation']} | "
            f"{row['without_snapshot_s'] * 1000:,.1f} ms | {row['with_snapshot_s'] * 1000:,.2f} ms |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Runtime benchmark (see benchmarks/README.md).")
    parser.add_argument("--commands", type=int, default=10_000)
    parser.add_argument("--accounts", default="1000,100", help="accounts per workload")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--stream", type=int, default=10_000, help="events in the rehydrated stream"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    accounts = tuple(int(count) for count in args.accounts.split(","))
    data = run(args.commands, accounts, args.rounds, args.stream)
    print(table(data))
    if args.json:
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

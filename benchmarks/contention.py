"""Contention benchmark: writer processes depositing into a few accounts at once.

    python -m benchmarks.contention [--writers 8] [--streams 4] [--commands 250] [--json FILE]

The bank example's generated package (examples/bank/src of this checkout), through its Python
API: `--streams` accounts are opened, then `--writers` processes, started together (each waits
until all have imported the package and opened the store), each send `--commands` DepositMoney
commands of 1 to accounts chosen at random. A command whose stream another writer changed between
its load and its append is decided again (`DomainApplication.handle`); it fails with
ConcurrencyConflictError when that happened on every attempt. Two retry policies, each on a
fresh store: the old one (3 immediate attempts: COMMAND_ATTEMPTS=3, RETRY_MAX_DELAY=0) and the
package's defaults (exponential backoff with full jitter). On a SQLite file and, when
POSTGRES_HOST is set, on PostgreSQL (a fresh schema per run). Reported: the share of commands
that failed, retries per command, commands stored per second; the balances are checked to add up
to the commands stored.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import uuid4

from benchmarks.rebuild import run_postgres

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "examples" / "bank" / "src"
POLICIES = {
    "3 immediate attempts (before)": {"COMMAND_ATTEMPTS": "3", "RETRY_MAX_DELAY": "0"},
    "backoff with jitter (defaults)": {},
}
TARGET = 0.01  # fewer than 1% of commands may fail

OPEN = """
import sys
from bank.account.open_account import OpenAccount
from bank.application import BankApplication
app = BankApplication()
ids = [OpenAccount(owner=f"writer {n}") for n in range(int(sys.argv[1]))]
for command in ids:
    app.handle(command)
print(",".join(str(c.account_id) for c in ids))
"""

WRITER = """
import json, random, sys, time
from decimal import Decimal
from uuid import UUID
from bank.account.deposit_money import DepositMoney
from bank.application import BankApplication
from bank.runtime import ConcurrencyConflictError
commands, accounts, writer = int(sys.argv[1]), [UUID(a) for a in sys.argv[2].split(",")], int(sys.argv[3])
app = BankApplication()
pauses = []
sleep = app.sleep
def pause(seconds):
    pauses.append(seconds)
    sleep(seconds)
app.sleep = pause
choose = random.Random(writer).choice
print("ready", flush=True)
sys.stdin.readline()
ok = failed = 0
started = time.perf_counter()
for _ in range(commands):
    try:
        app.handle(DepositMoney(account_id=choose(accounts), amount=Decimal(1)))
        ok += 1
    except ConcurrencyConflictError:
        failed += 1
seconds = time.perf_counter() - started
print(json.dumps({"ok": ok, "failed": failed, "retries": len(pauses), "seconds": seconds}))
"""

BALANCES = """
import sys
from uuid import UUID
from bank.application import AGGREGATES, BankApplication
app = BankApplication()
print(sum(app.state_of(AGGREGATES["Account"], UUID(a)).balance for a in sys.argv[1].split(",")))
"""


def _python(env: dict[str, str], script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=SRC,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(done.stderr)
    return done.stdout.strip()


def _stores(tmp: Path) -> list[tuple[str, Callable[[str], dict[str, str]]]]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PERSISTENCE_", "SQLITE_", "COMMAND_", "RETRY_"))
    }
    base["PYTHONPATH"] = str(SRC)
    stores: list[tuple[str, Callable[[str], dict[str, str]]]] = [
        ("sqlite", lambda name: {**base, "SQLITE_DBNAME": str(tmp / f"{name}.sqlite")})
    ]
    if os.environ.get("POSTGRES_HOST"):

        def postgres(name: str) -> dict[str, str]:
            schema = f"contention_{uuid4().hex[:10]}"
            run_postgres(f'CREATE SCHEMA "{schema}"')
            return {
                **base,
                "PERSISTENCE_MODULE": "eventsourcing.postgres",
                "POSTGRES_SCHEMA": schema,
            }

        stores.append(("postgres", postgres))
    return stores


def _round(env: dict[str, str], writers: int, streams: int, commands: int) -> dict[str, Any]:
    accounts = _python(env, OPEN, str(streams))
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(commands), accounts, str(n)],
            cwd=SRC,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(writers)
    ]
    for process in processes:  # every writer has imported the package and opened the store
        assert process.stdout is not None
        if process.stdout.readline().strip() != "ready":
            raise RuntimeError(process.communicate()[1])
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    results = []
    for process in processes:
        out, err = process.communicate()
        if process.returncode:
            raise RuntimeError(err)
        results.append(json.loads(out))
    ok = sum(r["ok"] for r in results)
    stored = int(float(_python(env, BALANCES, accounts)))
    if stored != ok:
        raise RuntimeError(f"{ok} deposits succeeded but the balances add up to {stored}")
    total = writers * commands
    slowest = max(r["seconds"] for r in results)
    return {
        "commands": total,
        "failed": sum(r["failed"] for r in results),
        "failed_share": sum(r["failed"] for r in results) / total,
        "retries_per_command": sum(r["retries"] for r in results) / total,
        "seconds": slowest,
        "stored_per_second": ok / slowest,
    }


def run(
    *,
    writers: int = 8,
    streams: int = 4,
    commands: int = 250,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as directory:
        for store, env_of in _stores(Path(directory)):
            for n, (policy, settings) in enumerate(POLICIES.items()):
                found = _round({**env_of(f"run{n}"), **settings}, writers, streams, commands)
                results.append({"store": store, "policy": policy, **found})
                log(
                    f"{store}, {policy}: {found['failed']} of {found['commands']} failed "
                    f"({found['failed_share']:.1%}), {found['retries_per_command']:.2f} retries "
                    f"per command, {found['stored_per_second']:.0f} stored/s"
                )
    return {"writers": writers, "streams": streams, "commands": commands, "results": results}


def table(data: dict[str, Any]) -> str:
    lines = [
        f"{data['writers']} writer processes, {data['streams']} accounts, "
        f"{data['commands']} deposits each:",
        "",
        "| store | retries | failed | retries per command | stored/s | target < 1% failed |",
        "|---|---|---:|---:|---:|---|",
    ]
    lines += [
        f"| {r['store']} | {r['policy']} | {r['failed']} of {r['commands']} "
        f"({r['failed_share']:.1%}) | {r['retries_per_command']:.2f} | "
        f"{r['stored_per_second']:,.0f} | {'met' if r['failed_share'] < TARGET else 'missed'} |"
        for r in data["results"]
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--streams", type=int, default=4)
    parser.add_argument("--commands", type=int, default=250, help="commands per writer")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    data = run(writers=args.writers, streams=args.streams, commands=args.commands)
    print(table(data))
    if args.json:
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

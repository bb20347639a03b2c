"""Rebuild benchmark: a read model rebuilt from N events, today's tables beside an older storage.

    python -m benchmarks.rebuild [--events 50000] [--rounds 3] [--old 8c091b3] [--json FILE]

One run, side by side: the bank example's spec is generated twice, by this checkout and by the
generator at `--old` (default 8c091b3: rows as JSON documents in one shared table), into two
folders. The same events (accounts opened, then deposits round robin, `--events` in all) are
stored once per store; each round then rebuilds AccountBalances with each package in turn, on a
SQLite file and, when POSTGRES_HOST is set, on PostgreSQL (a schema per package). Reported: the
median seconds per rebuild and events per second.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any
from uuid import uuid4

ROOT = Path(__file__).resolve().parent.parent
OLD = "8c091b3"

# store_given numbers versions from 1 in each call, so all events go in one call.
FILL = """
import sys
from decimal import Decimal
from uuid import uuid4
from bank.account.events import AccountOpened, MoneyDeposited
from bank.application import BankApplication
from bank.testing import store_given
app = BankApplication()
events, accounts = int(sys.argv[1]), max(1, int(sys.argv[1]) // 100)
ids = [uuid4() for _ in range(accounts)]
given = [AccountOpened(account_id=i, owner="o", overdraft_limit=Decimal(0)) for i in ids]
given += [MoneyDeposited(account_id=ids[n % accounts], amount=Decimal("1.25")) for n in range(events - accounts)]
store_given(app, given)
"""

REBUILD = """
import json, time
from bank.application import READ_MODELS, BankApplication
from bank.projections import rebuild, rows
app = BankApplication()
view = READ_MODELS["AccountBalances"]
started = time.perf_counter()
applied = rebuild(app, view)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "applied": applied, "rows": len(rows(app, view))}))
"""


def _generate(generator_root: Path, target: Path, spec: bytes) -> Path:
    """The package `spec` makes with the generator at `generator_root`: the bank's spec as it
    was at the old revision, which both generators read (today's uses forms the old lacks)."""
    target.mkdir(parents=True)
    (target / "eventforge.yaml").write_bytes(spec)
    subprocess.run(
        [sys.executable, "-m", "generator", "generate", "eventforge.yaml"],
        cwd=target,
        env={**os.environ, "PYTHONPATH": str(generator_root)},
        check=True,
        capture_output=True,
    )
    return target / "src"


def _old_generator(revision: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "archive", revision, "generator", "templates", "schemas"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def _python(src: Path, env: dict[str, str], script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=src,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(done.stderr)
    return done.stdout


def _stores(tmp: Path) -> list[tuple[str, Callable[[str], dict[str, str]]]]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PERSISTENCE_", "SQLITE_"))}
    stores: list[tuple[str, Callable[[str], dict[str, str]]]] = [
        (
            "sqlite",
            lambda name: {
                **base,
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(tmp / f"{name}.sqlite"),
            },
        ),
    ]
    if os.environ.get("POSTGRES_HOST"):
        import psycopg

        schemas: dict[str, str] = {}

        def postgres(name: str) -> dict[str, str]:
            if name not in schemas:
                schemas[name] = f"bench_{uuid4().hex[:10]}"
                with psycopg.connect(
                    host=os.environ["POSTGRES_HOST"],
                    port=os.environ.get("POSTGRES_PORT", "5432"),
                    user=os.environ.get("POSTGRES_USER", "postgres"),
                    password=os.environ.get("POSTGRES_PASSWORD", ""),
                    dbname=os.environ.get("POSTGRES_DBNAME", "postgres"),
                    autocommit=True,
                ) as connection:
                    connection.execute(f'CREATE SCHEMA "{schemas[name]}"')
            return {
                **base,
                "PERSISTENCE_MODULE": "eventsourcing.postgres",
                "POSTGRES_SCHEMA": schemas[name],
            }

        stores.append(("postgres", postgres))
    return stores


def run(
    *, events: int, rounds: int, old: str = OLD, log: Callable[[str], None] = print
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as directory:
        tmp = Path(directory)
        spec = subprocess.run(
            ["git", "show", f"{old}:examples/bank/eventforge.yaml"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        ).stdout
        packages = {
            "tables (this checkout)": _generate(ROOT, tmp / "new", spec),
            f"JSON rows ({old})": _generate(
                _old_generator(old, tmp / "old-generator"), tmp / "old", spec
            ),
        }
        results: list[dict[str, Any]] = []
        for store, env_of in _stores(tmp):
            envs = {name: env_of(name.split()[0]) for name in packages}
            for name, src in packages.items():
                _python(src, envs[name], FILL, str(events))
            times: dict[str, list[float]] = {name: [] for name in packages}
            for round_ in range(rounds):
                for name, src in packages.items():
                    found = json.loads(_python(src, envs[name], REBUILD))
                    if found["applied"] != events:
                        raise RuntimeError(f"{name} applied {found['applied']} of {events} events")
                    times[name].append(found["seconds"])
                    log(f"{store} round {round_ + 1}: {name}: {found['seconds']:.2f} s")
            for name, seconds in times.items():
                median = statistics.median(seconds)
                results.append(
                    {
                        "store": store,
                        "implementation": name,
                        "seconds": median,
                        "events_per_second": events / median,
                    }
                )
        return {"events": events, "rounds": rounds, "results": results}


def table(data: dict[str, Any]) -> str:
    lines = [
        f"Rebuilding AccountBalances from {data['events']:,} events (median of {data['rounds']}):",
        "",
        "| store | storage | seconds | events/s |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {r['store']} | {r['implementation']} | {r['seconds']:.2f} | {r['events_per_second']:,.0f} |"
        for r in data["results"]
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--old", default=OLD, help="git revision of the older generator")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    data = run(events=args.events, rounds=args.rounds, old=args.old)
    print(table(data))
    if args.json:
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

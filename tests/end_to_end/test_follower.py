"""Read models and automations followed by many processes at once, and by a follower killed at
any moment: nothing lost, nothing doubled, no traceback.

The race of issue 15: one writer deposits 1 again and again while two processes loop on
`python -m <package> rows AccountBalances`; the row must end equal to the account and to a
rebuild. Here it runs on SQLite and, with POSTGRES_HOST set, on PostgreSQL (CI-sized: a few
runs of a few hundred deposits). The long version runs it many times with a thousand deposits:

    EVENTFORGE_LONG_RACE=20 pytest tests/end_to_end/test_follower.py

(20 runs per database; any number works; EVENTFORGE_RACE_READERS=4 races four readers,
EVENTFORGE_RACE_PAUSE=0.05 makes the writer slower: default 0.01 s between deposits).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from uuid import uuid4

import pytest
from conftest import cli, write_spec

SPEC = """
eventforge: 1
domain: Race Bank
package: racebank
aggregates:
  Account:
    id: account_id
    state:
      owner: str
      balance: {type: decimal, default: 0}
    events:
      AccountOpened:
        fields: {owner: str}
      MoneyDeposited:
        fields: {amount: decimal}
        apply: {balance: "= state.balance + event.amount"}
    commands:
      OpenAccount:
        creates: true
        fields: {owner: str}
        emits: [AccountOpened]
      DepositMoney:
        fields: {amount: decimal}
        emits: [MoneyDeposited]
read_models:
  AccountBalances:
    key: account_id
    fields: {owner: str, balance: decimal, deposits: int}
    on:
      AccountOpened: {set: {owner: "= event.owner", balance: 0, deposits: 0}}
      MoneyDeposited: {set: {balance: "= row.balance + event.amount", deposits: "= row.deposits + 1"}}
automations:
  WelcomeBonus:
    on: AccountOpened
    send:
      DepositMoney: {account_id: "= event.account_id", amount: 5}
"""

LONG = int(os.environ.get("EVENTFORGE_LONG_RACE", "0") or 0)
READERS = int(os.environ.get("EVENTFORGE_RACE_READERS", "2") or 2)
PAUSE = os.environ.get("EVENTFORGE_RACE_PAUSE", "0.01")  # seconds between deposits

WRITER = """
import sys
from uuid import UUID
from decimal import Decimal
from racebank.application import RacebankApplication
from racebank.account.deposit_money import DepositMoney
from racebank.account.open_account import OpenAccount
app = RacebankApplication()
accounts, deposits, pause = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
ids = []
for n in range(accounts):
    [opened] = app.handle(OpenAccount(owner=f"owner {n}"))
    ids.append(opened.event.account_id)
for n in range(deposits):
    app.handle(DepositMoney(account_id=ids[n % accounts], amount=Decimal(1)))
    if pause:
        import time; time.sleep(pause)
print(" ".join(str(i) for i in ids))
"""

READER = """
import os, subprocess, sys
done = sys.argv[1]
runs = 0
while not os.path.exists(done) or runs < 3:  # a new process each time, as a user's loop would
    rows = subprocess.run([sys.executable, "-m", "racebank", "rows", "AccountBalances"],
                          capture_output=True, text=True, check=False)
    if rows.returncode or "Traceback" in rows.stderr:
        sys.exit(rows.stderr)
    runs += 1
print(runs)
"""

FINAL = """
import json
from racebank.application import READ_MODELS, RacebankApplication
from racebank.account.decider import decider
from racebank.projections import catch_up, rebuild, rows
from racebank.runtime import encode
app = RacebankApplication()
view = READ_MODELS["AccountBalances"]
catch_up(app, view)
followed = [encode(r) for r in rows(app, view)]
balances = {str(r.account_id): str(app.state_of(decider, r.account_id).balance) for r in rows(app, view)}
rebuild(app, view)
rebuilt = [encode(r) for r in rows(app, view)]
print(json.dumps({"followed": followed, "rebuilt": rebuilt, "balances": balances}))
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("racebank")
    spec = write_spec(root, SPEC)
    result = cli("generate", spec)
    assert result.exit_code == 0, result.stderr
    return root


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """The environment of a fresh store: a SQLite file, or a PostgreSQL schema of its own."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("POSTGRES_", "PERSISTENCE_", "SQLITE_"))
    }
    if request.param == "sqlite":
        return {
            **base,
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(tmp_path / "bank.sqlite"),
        }
    if not os.environ.get("POSTGRES_HOST"):
        pytest.skip('no PostgreSQL: run `eval "$(.ci/postgres)"` first')
    import psycopg

    schema = f"race_{uuid4().hex[:10]}"
    postgres = {k: v for k, v in os.environ.items() if k.startswith("POSTGRES_")}
    with psycopg.connect(
        host=postgres["POSTGRES_HOST"],
        port=postgres.get("POSTGRES_PORT", "5432"),
        user=postgres.get("POSTGRES_USER", "postgres"),
        password=postgres.get("POSTGRES_PASSWORD", ""),
        dbname=postgres.get("POSTGRES_DBNAME", "postgres"),
        autocommit=True,
    ) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    return {
        **base,
        **postgres,
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_SCHEMA": schema,
    }


def _start(project: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=project / "src",
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _run(project: Path, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args],
        cwd=project / "src",
        env=env,
        text=True,
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _create(project: Path, env: dict[str, str]) -> None:
    """Create the store's tables once, then start every process with CREATE_TABLE=false:
    eventsourcing's own table creation is not safe against processes starting at once (SQLite:
    IntegrityError on __migration__; PostgreSQL: "tuple concurrently updated")."""
    _run(project, env, "-c", "from racebank.application import RacebankApplication as A; A()")
    env["CREATE_TABLE"] = "false"


def _final(project: Path, env: dict[str, str]) -> dict[str, object]:
    return dict(json.loads(_run(project, env, "-c", FINAL)))


def _race(project: Path, env: dict[str, str], tmp: Path, deposits: int) -> None:
    """One writer depositing 1 `deposits` times, two processes reading the rows meanwhile."""
    env = dict(env)
    done = tmp / f"done-{uuid4().hex}"
    _create(project, env)
    readers = [_start(project, env, "-c", READER, str(done)) for _ in range(READERS)]
    writer = _run(project, env, "-c", WRITER, "1", str(deposits), PAUSE)
    done.touch()
    for reader in readers:
        _, err = reader.communicate(timeout=300)
        assert reader.returncode == 0, err
        assert "Traceback" not in err, err
    (account,) = writer.split()
    final = _final(project, env)
    assert final["followed"] == final["rebuilt"], final
    assert final["followed"] == [
        {"account_id": account, "owner": "owner 0", "balance": str(deposits), "deposits": deposits}
    ], final
    assert final["balances"] == {account: str(deposits)}


def test_two_readers_racing_a_writer_apply_each_event_once(
    project: Path, store: dict[str, str], tmp_path: Path
) -> None:
    _race(project, store, tmp_path, deposits=150)


@pytest.mark.skipif(not LONG, reason="the long race runs with EVENTFORGE_LONG_RACE=<runs>")
def test_the_long_race(project: Path, store: dict[str, str], tmp_path: Path) -> None:
    for run in range(LONG):
        env = {k: v for k, v in store.items() if k != "CREATE_TABLE"}
        if "SQLITE_DBNAME" in env:
            env["SQLITE_DBNAME"] = str(tmp_path / f"long-{run}.sqlite")
        else:
            env["POSTGRES_SCHEMA"] = _new_schema(env)
        _race(project, env, tmp_path, deposits=1000)


def _new_schema(env: dict[str, str]) -> str:
    import psycopg

    schema = f"race_{uuid4().hex[:10]}"
    with psycopg.connect(
        host=env["POSTGRES_HOST"],
        port=env.get("POSTGRES_PORT", "5432"),
        user=env.get("POSTGRES_USER", "postgres"),
        password=env.get("POSTGRES_PASSWORD", ""),
        dbname=env.get("POSTGRES_DBNAME", "postgres"),
        autocommit=True,
    ) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    return schema


def test_followers_killed_at_any_moment_lose_and_double_nothing(
    project: Path, store: dict[str, str], tmp_path: Path
) -> None:
    accounts, deposits = 6, 240
    _create(project, store)
    writer = _start(project, store, "-c", WRITER, str(accounts), str(deposits), "0.002")
    kills = 0
    while writer.poll() is None or kills < 4:
        # two followers at once, each killed at its own moment
        followers = [
            _start(project, store, "-m", "racebank", "run", "--interval", "0.01") for _ in range(2)
        ]
        for follower in followers:
            time.sleep(0.15 + 0.05 * kills)
            follower.kill()  # SIGKILL: no chance to finish anything
            _, err = follower.communicate()
            assert "Traceback" not in err, err
        kills += 1
    out, err = writer.communicate()
    assert writer.returncode == 0, err
    _run(project, store, "-m", "racebank", "run", "--once")
    final = _final(project, store)
    assert final["followed"] == final["rebuilt"], final
    rows = {r["account_id"]: r for r in final["followed"]}  # type: ignore[attr-defined]
    assert sorted(rows) == sorted(out.split())
    # each account: the bonus of 5, sent once by the automation, and its share of the deposits
    per_account = deposits // accounts
    assert {(r["balance"], r["deposits"]) for r in rows.values()} == {
        (str(5 + per_account), per_account + 1)
    }


def test_the_follower_stops_cleanly_on_sigterm_and_sigint(
    project: Path, store: dict[str, str]
) -> None:
    _run(project, store, "-c", WRITER, "2", "10", "0")
    for sig in (signal.SIGTERM, signal.SIGINT):
        follower = _start(project, store, "-m", "racebank", "run", "--interval", "0.05")
        time.sleep(1.5)
        follower.send_signal(sig)
        out, err = follower.communicate(timeout=30)
        assert follower.returncode == 0, err
        assert f"stopped by {sig.name}" in out, out
        assert json.loads(out[out.index("{") :])["stopped_by"] == sig.name
        if sig == signal.SIGTERM:
            assert "WelcomeBonus: 2 commands sent, 0 rejected" in out, out
            assert "AccountBalances: " in out, out
    final = _final(project, store)
    assert final["followed"] == final["rebuilt"]
    assert {r["balance"] for r in final["followed"]} == {"10"}  # type: ignore[attr-defined]


HOLD = """
import sys, time
from racebank.application import AUTOMATIONS, RacebankApplication
from racebank.follower import automation_lock, run_automation_locked
app = RacebankApplication()
automation = AUTOMATIONS["WelcomeBonus"]
if sys.argv[1] == "hold":
    with automation_lock(app, automation):
        print("held", flush=True)
        time.sleep(2)
else:
    started = time.monotonic()
    run_automation_locked(app, automation)
    print(round(time.monotonic() - started, 2))
"""


def test_an_automation_runs_in_one_process_at_a_time(project: Path, store: dict[str, str]) -> None:
    _create(project, store)
    holder = _start(project, store, "-c", HOLD, "hold")
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "held"
    waited = float(_run(project, store, "-c", HOLD, "run"))
    holder.communicate(timeout=30)
    assert waited > 1.0, "a second process ran the automation while the first held it"

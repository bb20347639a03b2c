"""Many processes starting at once on a fresh store: every one handles its command, and each
command is stored once (the library, left to itself, creates its tables on every start and some of
the processes die: SQLite `Failed to record tracking for __migration__`, PostgreSQL `tuple
concurrently updated`). And `setup`: every table created once, idempotently."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from uuid import uuid4

import pytest
from conftest import cli, copy_example, write_handlers

PROCESSES = 24


@pytest.fixture(scope="module")
def src(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = copy_example("bank", tmp_path_factory.mktemp("starts") / "bank")
    assert cli("generate", spec).exit_code == 0
    write_handlers("bank", spec.parent)
    return spec.parent / "src"


def _env(src: Path, **settings: str) -> dict[str, str]:
    drop = ("POSTGRES_", "PERSISTENCE_", "SQLITE_", "CREATE_")
    keep = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    return {**keep, "PYTHONPATH": str(src), **settings}


def _start_at_once(cwd: Path, env: dict[str, str], count: int) -> list[str]:
    """`count` processes, started together, each opening one account; their account ids."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "bank", "handle", "OpenAccount", json.dumps({"owner": f"o{n}"})],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(count)
    ]
    failed, ids = [], []
    for process in processes:
        out, err = process.communicate(timeout=300)
        if process.returncode:
            failed.append(err.strip().splitlines()[-1:])
        else:
            [event] = json.loads(out)
            ids.append(event["data"]["account_id"])
    assert failed == [], f"{len(failed)} of {count} failed: {failed}"
    return ids


def _bank(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bank", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_many_processes_start_at_once_on_a_new_sqlite_file(src: Path, tmp_path: Path) -> None:
    env = _env(src, SQLITE_DBNAME=str(tmp_path / "bank.sqlite"))
    ids = _start_at_once(tmp_path, env, PROCESSES)
    with sqlite3.connect(tmp_path / "bank.sqlite") as db:
        stored = db.execute(
            "SELECT originator_id, originator_version FROM stored_events"
        ).fetchall()
        migrations = db.execute("SELECT * FROM tracking").fetchall()
    assert sorted(stored) == sorted((i.replace("-", ""), 1) for i in ids)
    assert len(set(ids)) == PROCESSES
    assert migrations == [("__migration__", 1)]


@pytest.fixture
def schema() -> str:
    if not os.environ.get("POSTGRES_HOST"):
        pytest.skip('no PostgreSQL: run `eval "$(.ci/postgres)"` first')
    return f"starts_{uuid4().hex[:10]}"


def _postgres(schema: str) -> object:
    import psycopg

    connection = psycopg.connect(
        host=os.environ["POSTGRES_HOST"],
        port=os.environ.get("POSTGRES_PORT", "5432"),
        user=os.environ.get("POSTGRES_USER", "postgres"),
        password=os.environ.get("POSTGRES_PASSWORD", ""),
        dbname=os.environ.get("POSTGRES_DBNAME", "postgres"),
        autocommit=True,
    )
    connection.execute(f'CREATE SCHEMA "{schema}"')
    return connection


def test_many_processes_start_at_once_on_a_new_postgres_schema(
    src: Path, tmp_path: Path, schema: str
) -> None:
    connection = _postgres(schema)
    try:
        env = _env(
            src,
            **{k: v for k, v in os.environ.items() if k.startswith("POSTGRES_")},
            PERSISTENCE_MODULE="eventsourcing.postgres",
            POSTGRES_SCHEMA=schema,
        )
        ids = _start_at_once(tmp_path, env, PROCESSES)
        stored = connection.execute(  # type: ignore[attr-defined]
            f'SELECT originator_id::text, originator_version FROM "{schema}".bankapplication_events'
        ).fetchall()
        assert sorted(stored) == sorted((i, 1) for i in ids)
        assert len(set(ids)) == PROCESSES
        setup = _bank(tmp_path, env, "setup")
        assert setup.returncode == 0, setup.stderr
        assert json.loads(setup.stdout) == {"created": ["rm_account_balances"]}
    finally:
        connection.execute(f'DROP SCHEMA "{schema}" CASCADE')  # type: ignore[attr-defined]
        connection.close()  # type: ignore[attr-defined]


def test_setup_creates_every_table_once(src: Path, tmp_path: Path) -> None:
    env = _env(src, SQLITE_DBNAME=str(tmp_path / "bank.sqlite"), CREATE_TABLE="no")
    account = "00000000-0000-4000-8000-000000000001"
    before = _bank(tmp_path, env, "state", "Account", account)  # no tables, none made
    assert before.returncode == 3, before.stderr
    assert re.fullmatch(
        r"error: the store failed: no such table: stored_\w+; create the tables with "
        r"`python -m bank setup`\n",
        before.stderr,
    ), before.stderr
    first = _bank(tmp_path, env, "setup")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {
        "created": ["stored_events", "tracking", "stored_snapshots", "rm_account_balances"]
    }
    again = _bank(tmp_path, env, "setup")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == {"created": []}
    with sqlite3.connect(tmp_path / "bank.sqlite") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {
        "stored_events",
        "tracking",
        "stored_snapshots",
        "rm_account_balances",
        "eventforge_read_models",
    }
    opened = _bank(tmp_path, env, "handle", "OpenAccount", '{"owner": "Ada"}')
    assert opened.returncode == 0, opened.stderr


def test_setup_on_first_use_reports_the_tables_opening_created(src: Path, tmp_path: Path) -> None:
    env = _env(src, SQLITE_DBNAME=str(tmp_path / "bank.sqlite"))
    first = _bank(tmp_path, env, "setup")
    assert json.loads(first.stdout) == {
        "created": ["stored_events", "tracking", "stored_snapshots", "rm_account_balances"]
    }

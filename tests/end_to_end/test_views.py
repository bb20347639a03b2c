"""Read models, automations and the generated package's command line, run for real."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, cli, copy_example, run_pytest


def _python(project: Path, *args: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POSTGRES_", "PERSISTENCE_"))}
    return subprocess.run(
        [sys.executable, *args],
        cwd=project / "src",
        capture_output=True,
        text=True,
        env={**env, "SQLITE_DBNAME": str(db)},
        timeout=120,
        check=False,
    )


def _bank(project: Path, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return _python(project, "-m", "bank", *args, db=db)


def test_generated_cli_handles_commands_and_shows_everything(bank: Path, tmp_path: Path) -> None:
    project, db = bank.parent, tmp_path / "bank.sqlite"
    opened = _bank(
        project, db, "handle", "OpenAccount", '{"owner": "Ada", "overdraft_limit": "10"}'
    )
    assert opened.returncode == 0, opened.stderr
    [event] = json.loads(opened.stdout)
    account = event["data"]["account_id"]
    assert event == {
        "event": "AccountOpened",
        "version": 1,
        "data": {"account_id": account, "owner": "Ada", "overdraft_limit": "10"},
    }
    deposit = _bank(
        project, db, "handle", "DepositMoney", json.dumps({"account_id": account, "amount": "2.50"})
    )
    assert deposit.returncode == 0, deposit.stderr
    state = json.loads(_bank(project, db, "state", "Account", account).stdout)
    assert state["balance"] == "2.50" and state["version"] == 2
    history = json.loads(_bank(project, db, "history", "Account", account).stdout)
    assert [e["event"] for e in history] == ["AccountOpened", "MoneyDeposited"]
    sent = json.loads(_bank(project, db, "run-automations").stdout)
    assert [(s["automation"], s["command"], s["events"]) for s in sent] == [
        ("WelcomeBonus", "DepositMoney", 1)
    ]
    assert json.loads(_bank(project, db, "run-automations").stdout) == []
    rows = json.loads(_bank(project, db, "rows", "AccountBalances").stdout)
    assert rows == [{"account_id": account, "owner": "Ada", "balance": "7.50"}]
    rebuilt = json.loads(_bank(project, db, "rebuild", "AccountBalances").stdout)
    assert rebuilt == {"read_model": "AccountBalances", "events_applied": 3}
    assert json.loads(_bank(project, db, "rows", "AccountBalances").stdout) == rows


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["handle", "Nope", "{}"], 2, "error: unknown command 'Nope' (known: OpenAccount"),
        (["handle", "DepositMoney", "{oops"], 2, "error: DepositMoney: expected valid JSON"),
        (["handle", "DepositMoney", '{"amount": "1"}'], 2, "error: DepositMoney.account_id: "),
        (
            ["handle", "DepositMoney", '{"account_id": "zz", "amount": "1"}'],
            2,
            "error: DepositMoney.account_id: expected a UUID",
        ),
        (
            [
                "handle",
                "DepositMoney",
                '{"account_id": "00000000-0000-4000-8000-000000000001", "amount": "1"}',
            ],
            1,
            "rejected: StreamNotFoundError: Account 00000000-0000-4000-8000-000000000001 does not exist",
        ),
        (
            ["handle", "OpenAccount", '{"owner": "Bo", "colour": "red"}'],
            2,
            "OpenAccount.colour: expected one",
        ),
        (["rows", "Nope"], 2, "error: unknown read model 'Nope'"),
        (["state", "Account", "not-a-uuid"], 2, "error: Account.account_id: expected a UUID"),
    ],
)
def test_generated_cli_errors_are_one_line(
    bank: Path, tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    result = _bank(bank.parent, tmp_path / "bank.sqlite", *args)
    assert result.returncode == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_rejected_automation_command_is_recorded_not_retried(bank: Path, tmp_path: Path) -> None:
    project, db = bank.parent, tmp_path / "bank.sqlite"
    opened = json.loads(_bank(project, db, "handle", "OpenAccount", '{"owner": "Ada"}').stdout)
    account = opened[0]["data"]["account_id"]
    closing = """
import sys
from uuid import UUID
from bank.application import BankApplication
from bank.account.events import AccountClosed
from bank.runtime import Recorded
from datetime import UTC, datetime
app = BankApplication()
stream = UUID(sys.argv[1])
app.save(Recorded(originator_id=stream, originator_version=2, timestamp=datetime.now(tz=UTC),
                  event=AccountClosed(account_id=stream)))
"""
    assert _python(project, "-c", closing, account, db=db).returncode == 0
    sent = json.loads(_bank(project, db, "run-automations").stdout)
    assert [s["rejected"] for s in sent] == ["AccountIsClosed"]
    assert json.loads(_bank(project, db, "run-automations").stdout) == []
    [rejection] = json.loads(_bank(project, db, "rejections", "WelcomeBonus").stdout)
    assert rejection["command"] == "DepositMoney" and rejection["error"] == "AccountIsClosed"


CRASH = """
import sys
from decimal import Decimal
from uuid import UUID
from bank.application import BankApplication
from bank.read_models.account_balances import read_model
from bank import projections
from bank.account.open_account import OpenAccount
from bank.account.deposit_money import DepositMoney

app = BankApplication()
if sys.argv[1] == "write":
    ids = [UUID(int=n) for n in range(1, 4)]
    for n, stream in enumerate(ids, start=1):
        app.handle(OpenAccount(account_id=stream, owner=f"owner {n}"))
        for _ in range(n):
            app.handle(DepositMoney(account_id=stream, amount=Decimal("1.5")))
elif sys.argv[1] == "crash":
    from bank import tables
    real = tables.Table.write
    calls = []
    def dying(self, c, *rows):
        calls.append(rows)
        if len(calls) == 4:
            raise SystemExit(3)  # the process dies inside the fourth batch's transaction
        real(self, c, *rows)
    tables.Table.write = dying
    projections.catch_up(app, read_model, batch=1)
else:
    applied = projections.catch_up(app, read_model, batch=1)
    rows = sorted((r.owner, str(r.balance)) for r in projections.rows(app, read_model))
    print(applied, rows)
"""


def test_a_projection_killed_between_events_resumes_exactly_once(
    bank: Path, tmp_path: Path
) -> None:
    project, db = bank.parent, tmp_path / "bank.sqlite"
    assert _python(project, "-c", CRASH, "write", db=db).returncode == 0
    crashed = _python(project, "-c", CRASH, "crash", db=db)
    assert crashed.returncode == 3, crashed.stderr
    resumed = _python(project, "-c", CRASH, "resume", db=db)
    assert resumed.returncode == 0, resumed.stderr
    # 9 events in all; 3 were applied before the crash, so 6 remain, each applied once.
    assert (
        resumed.stdout.strip() == "6 [('owner 1', '1.5'), ('owner 2', '3.0'), ('owner 3', '4.5')]"
    )


def test_examples_have_views_over_several_aggregates() -> None:
    from generator.spec.validate import validate_file

    spec, _ = validate_file(EXAMPLES / "orders" / "eventforge.yaml")
    assert spec is not None
    aggregates = {e.name: a.name for a in spec.aggregates for e in a.events}
    assert any(len({aggregates[e] for e in r.handled_events}) > 1 for r in spec.read_models)
    commands = {c.name: a.name for a in spec.aggregates for c in a.commands}
    assert any(aggregates[a.events[0]] != commands[a.commands[0]] for a in spec.automations)


def test_read_model_and_automation_scenarios_fail_with_the_difference(tmp_path: Path) -> None:
    spec = copy_example("bank", tmp_path / "bank")
    spec.write_text(
        spec.read_text()
        .replace(
            "          - {account_id: 5b2f6a52-3c1e-4f1e-9a43-0c1d2e3f4a5b, owner: Ada, balance: 10}",
            "          - {account_id: 5b2f6a52-3c1e-4f1e-9a43-0c1d2e3f4a5b, owner: Ada, balance: 11}",
        )
        .replace(
            "DepositMoney: {account_id: 5b2f6a52-3c1e-4f1e-9a43-0c1d2e3f4a5b, amount: 5}",
            "DepositMoney: {account_id: 5b2f6a52-3c1e-4f1e-9a43-0c1d2e3f4a5b, amount: 6}",
        )
    )
    assert cli("generate", spec).exit_code == 0
    result = run_pytest(spec.parent, "tests/read_models", "tests/automations")
    assert result.returncode == 1
    assert (
        "row 1: AccountBalancesRow.balance: expected Decimal('11') (Decimal), got Decimal('10')"
        in result.stdout
    )
    assert (
        "command 1: DepositMoney.amount: expected Decimal('6') (Decimal), got Decimal('5')"
        in result.stdout
    )

"""Values from outside a generated package are checked against the spec's types before anything
is stored, and decimal arithmetic keeps every digit of the values it lets in.

The generated tests/test_bad_input.py feeds refused values of every field's type to the package's
command line; here it runs for a spec with every type and external events, and is shown to fail
when the check it guards is removed (tests/end_to_end/test_mutations.py has more such breakages
for the bank example)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT, cli, run_pytest, write_spec

SHOP = ROOT / "tests" / "end_to_end" / "processes" / "shop.yaml"

EVERY_TYPE = """
eventforge: 1
domain: Depot
types:
  Size: {enum: [small, large]}
  Line:
    fields: {sku: str, quantity: int, price: decimal, size: Size, note: "str?"}
aggregates:
  Depot:
    id: {name: code, type: str}
    state:
      total: {type: decimal, default: 0}
    events:
      Stocked:
        fields:
          lines: "list[Line]"
          stock: "map[Size, decimal]"
          by_day: "map[date, int]"
          weight: float
          fragile: bool
          owner: uuid
          due: date
          seen: datetime
          keep: duration
          label: "str?"
        apply: {total: "= state.total + len(event.lines)"}
    commands:
      Stock:
        creates: if-missing
        fields:
          lines: "list[Line]"
          stock: "map[Size, decimal]"
          by_day: "map[date, int]"
          weight: float
          fragile: bool
          owner: uuid
          due: date
          seen: datetime
          keep: duration
          label: "str?"
        emits: [Stocked]
read_models:
  Levels:
    key: code
    fields: {total: decimal, owner: uuid, due: date, size: Size, weight: float, count: int}
    on:
      Stocked:
        set:
          total: "= event.stock.get('small', 0)"
          owner: "= event.owner"
          due: "= event.due"
          size: small
          weight: "= event.weight"
          count: "= len(event.lines)"
"""


def _python(src: Path, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POSTGRES_", "PERSISTENCE_"))}
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        env={**env, "SQLITE_DBNAME": str(db), "PYTHONPATH": str(src)},
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def depot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("values") / "depot"
    spec = write_spec(project, EVERY_TYPE)
    result = cli("generate", spec)
    assert result.exit_code == 0, result.stderr
    return project


def test_the_generated_bad_input_tests_pass_for_every_type(depot: Path) -> None:
    done = run_pytest(depot, "tests/test_bad_input.py")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    # Nested values are refused where they stand: an item of a list, a map's key and value, a
    # field of a value object inside a list.
    collected = run_pytest(depot, "tests/test_bad_input.py", "--collect-only")
    for path in ("Stock.lines[1].sku=", 'Stock.stock["small"]=', 'Stock.by_day["notakey"]='):
        assert path in collected.stdout, collected.stdout[-3000:]


GOOD_LINE = '{"sku": "a", "quantity": 1, "price": "1.5", "size": "small", "note": null}'
NAN_LINE = GOOD_LINE.replace('"1.5"', '"NaN"')


def _stock(**changes: str) -> str:
    fields = {
        "code": '"d1"',
        "lines": f"[{GOOD_LINE}]",
        "stock": '{"small": 0.1}',
        "by_day": '{"2024-01-31": 2}',
        "weight": "1.5",
        "fragile": "true",
        "owner": '"5b2f6a52-3c1e-4f1e-9a43-0c1d2e3f4a5b"',
        "due": '"2024-01-31"',
        "seen": '"2024-01-31T12:00:00"',
        "keep": '"PT1H"',
        "label": "null",
        **changes,
    }
    return "{" + ", ".join(f'"{k}": {v}' for k, v in fields.items()) + "}"


@pytest.mark.parametrize(
    ("changes", "line"),
    [
        (
            {"lines": f"[{GOOD_LINE}, {GOOD_LINE}, {NAN_LINE}]"},
            'error: Stock.lines[2].price: expected a decimal number as JSON text or number, got "NaN"',
        ),
        (
            {"stock": '{"medium": 1}'},
            'error: Stock.stock["medium"]: expected one of "small", "large"',
        ),
        ({"stock": '{"small": true}'}, 'error: Stock.stock["small"]: expected a decimal number'),
        ({"weight": "1e400"}, "error: Stock.weight: expected a finite number"),
        ({"fragile": "1"}, "error: Stock.fragile: expected true or false, got 1"),
        ({"label": "5"}, "error: Stock.label: expected text, got 5"),
        ({"code": "[1]"}, "error: Stock.code: expected text, got [1]"),
        ({"keep": '"15"'}, "error: Stock.keep: expected a duration as ISO 8601 text"),
    ],
)
def test_a_refused_value_is_named_by_its_path(
    depot: Path, tmp_path: Path, changes: dict[str, str], line: str
) -> None:
    db = tmp_path / "depot.sqlite"
    done = _python(depot / "src", db, "-m", "depot", "handle", "Stock", _stock(**changes))
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(line), done.stderr
    assert done.stderr.count("\n") == 1 and not done.stdout
    history = _python(depot / "src", db, "-m", "depot", "history", "Depot", "d1")
    # Nothing stored: the stream does not exist.
    assert history.returncode == 1 and "StreamNotFoundError" in history.stderr, history.stderr


def test_good_values_go_in_exactly_as_given(depot: Path, tmp_path: Path) -> None:
    db = tmp_path / "depot.sqlite"
    done = _python(depot / "src", db, "-m", "depot", "handle", "Stock", _stock())
    assert done.returncode == 0, done.stderr
    (event,) = json.loads(done.stdout)
    assert event["data"]["stock"] == {"small": "0.1"}  # a JSON number, never through a float
    assert event["data"]["seen"] == "2024-01-31T12:00:00+00:00"  # no zone is UTC
    rows = _python(depot / "src", db, "-m", "depot", "rows", "Levels", "--where", "total=0.1")
    assert rows.returncode == 0, rows.stderr
    assert [r["total"] for r in json.loads(rows.stdout)] == ["0.1"]


def test_external_events_are_checked_on_the_command_line_and_in_python(tmp_path: Path) -> None:
    project = tmp_path / "shop"
    project.mkdir()
    shutil.copy(SHOP, project / "eventforge.yaml")
    assert cli("generate", project / "eventforge.yaml").exit_code == 0
    done = run_pytest(project, "tests/test_bad_input.py", "-k", "PriceChanged")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert int(done.stdout.split(" passed")[0].split()[-1]) > 30, done.stdout[-300:]
    script = (
        "from decimal import Decimal\n"
        "from uuid import uuid4\n"
        "from shop.application import ShopApplication\n"
        "from shop.external_events import PriceChanged\n"
        "from shop.runtime import InvalidValueError\n"
        "app = ShopApplication()\n"
        "for bad in (Decimal('NaN'), 5, Decimal('1' * 35)):\n"
        "    try:\n"
        "        app.record(PriceChanged(product_id=uuid4(), old_price=Decimal(1), new_price=bad))\n"
        "    except InvalidValueError as error:\n"
        "        print(error.field, '|', error.expected)\n"
        "print(app.recorder.max_notification_id() or 0)\n"
    )
    run = _python(project / "src", tmp_path / "shop.sqlite", "-c", script)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert [line.split(" | ")[0] for line in lines[:3]] == ["PriceChanged.new_price"] * 3
    assert lines[3] == "0"


def _bank_copy(into: Path) -> Path:
    shutil.copytree(
        EXAMPLES / "bank" / "src", into / "src", ignore=shutil.ignore_patterns("__pycache__")
    )
    return into / "src"


DIGITS_34 = "9" * 30 + ".123"  # 34 significant digits: the most a decimal may have


def _deposit_twice(src: Path, db: Path) -> tuple[str, str, list[str]]:
    """The balance in state and in the read model after depositing DIGITS_34 twice, and the
    amounts the events kept."""
    opened = _python(src, db, "-m", "bank", "handle", "OpenAccount", '{"owner": "Ada"}')
    assert opened.returncode == 0, opened.stderr
    account = json.loads(opened.stdout)[0]["data"]["account_id"]
    for _ in range(2):
        payload = json.dumps({"account_id": account, "amount": DIGITS_34})
        deposited = _python(src, db, "-m", "bank", "handle", "DepositMoney", payload)
        assert deposited.returncode == 0, deposited.stderr
    state = json.loads(_python(src, db, "-m", "bank", "state", "Account", account).stdout)
    (row,) = json.loads(_python(src, db, "-m", "bank", "rows", "AccountBalances").stdout)
    history = json.loads(_python(src, db, "-m", "bank", "history", "Account", account).stdout)
    amounts = [e["data"]["amount"] for e in history if e["event"] == "MoneyDeposited"]
    return state["balance"], row["balance"], amounts


def test_decimal_arithmetic_keeps_every_digit_in_state_and_read_models(tmp_path: Path) -> None:
    exact = "1999999999999999999999999999998.246"  # 2 * DIGITS_34: 34 digits, more than 28
    src = _bank_copy(tmp_path / "bank")
    assert _deposit_twice(src, tmp_path / "bank.sqlite") == (exact, exact, [DIGITS_34] * 2)
    # With Python's default 28 digits (the package before this check), state and row round.
    runtime = src / "bank" / "runtime.py"
    text = runtime.read_text(encoding="utf-8")
    assert text.count("DECIMAL_PRECISION = 100") == 1
    runtime.write_text(text.replace("DECIMAL_PRECISION = 100", "DECIMAL_PRECISION = 28"), "utf-8")
    state, row, amounts = _deposit_twice(src, tmp_path / "rounded.sqlite")
    assert state != exact and row != exact and amounts == [DIGITS_34] * 2


def test_the_bad_input_tests_fail_when_the_nan_check_is_removed(tmp_path: Path) -> None:
    project = tmp_path / "bank"
    shutil.copytree(
        EXAMPLES / "bank", project, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache")
    )
    values = project / "src" / "bank" / "values.py"
    text = values.read_text(encoding="utf-8")
    # Both guards against NaN and infinities: the form of a number given as text, and finiteness.
    for check in ("if not number.is_finite():", "or not _NUMBER.fullmatch(value)"):
        assert text.count(check) == 1
        text = text.replace(check, "if False:" if check.startswith("if") else "")
    values.write_text(text, "utf-8")
    done = run_pytest(project, "tests/test_bad_input.py", "-k", "NaN or Infinity")
    assert done.returncode == 1, done.stdout[-3000:]
    failed = [line for line in done.stdout.splitlines() if line.startswith("FAILED")]
    assert any('DepositMoney.amount="NaN"' in line for line in failed), done.stdout[-3000:]

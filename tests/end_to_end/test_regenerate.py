"""Whole editing sessions against a generated project: the user's work survives every regenerate,
the generated tests pass and check is clean after each step; breaking event changes are caught."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import cli, run_pytest, tree, write_handlers

HANDLER = '''"""CloseAccount: written by hand."""

from __future__ import annotations

from bank.account.close_account import CloseAccount
from bank.account.errors import AccountIsClosed
from bank.account.events import AccountClosed
from bank.account.state import AccountState


def decide(command: CloseAccount, state: AccountState) -> list[AccountClosed]:
    if state.closed:
        raise AccountIsClosed
    return [AccountClosed(account_id=command.account_id)]
'''

EXTRA_TEST = """from decimal import Decimal
from uuid import uuid4

from bank.account.decider import decider
from bank.account.events import AccountOpened


def test_opening_sets_the_owner() -> None:
    state = decider.fold(decider.initial_state(uuid4()), [
        AccountOpened(account_id=uuid4(), owner="Bo", overdraft_limit=Decimal("1")),
    ])
    assert state.owner == "Bo"
"""


# The bank spec these sessions were written against (the design page's spec, as the example was
# before it grew scenarios): the text edits below replace exact lines of it, so they must not
# follow the example as it changes.
SESSION_SPEC = Path(__file__).parent / "bank_session.yaml"


def _session_copy(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    spec = target / "eventforge.yaml"
    spec.write_bytes(SESSION_SPEC.read_bytes())
    return spec


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    """The session's bank spec, generated, with the example's hand-written handler in place."""
    spec = _session_copy(tmp_path / "bank")
    result = cli("generate", spec)
    assert result.exit_code == 0, result.stderr
    write_handlers("bank", spec.parent)
    return spec


def _edit(spec: Path, old: str, new: str) -> None:
    text = spec.read_text()
    assert old in text, old
    spec.write_text(text.replace(old, new, 1))


def _user_files(project: Path) -> dict[str, bytes]:
    return {
        p: b for p, b in tree(project).items() if "/custom/" in p or p.startswith("tests/test_mine")
    }


def _regenerate_and_verify(spec: Path, user_before: dict[str, bytes]) -> str:
    project = spec.parent
    result = cli("generate", spec)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert _user_files(project) == user_before
    tests = run_pytest(project)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    checked = cli("check", spec)
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    return result.stdout + result.stderr


def test_an_editing_session_keeps_the_users_work(tmp_path: Path) -> None:
    spec = _session_copy(tmp_path / "bank")
    project = spec.parent
    assert cli("generate", spec).exit_code == 0
    (project / "src/bank/account/custom/close_account.py").write_text(HANDLER)
    (project / "tests/test_mine.py").write_text(EXTRA_TEST)
    _edit(
        spec,
        "    scenarios:                     # given-when-then",
        """\
    scenarios:
      - name: a closed account cannot be closed again
        given:
          - AccountOpened: {owner: Ada, overdraft_limit: 0}
          - AccountClosed: {}
        when: {CloseAccount: {}}
        then: {error: AccountIsClosed}
      # given-when-then""",
    )
    user = _user_files(project)
    _regenerate_and_verify(spec, user)

    # 1. add a command (with its event and a scenario)
    _edit(
        spec,
        "      AccountClosed:\n        fields: {}",
        """\
      OverdraftChanged:
        fields: {overdraft_limit: decimal}
      AccountClosed:
        fields: {}""",
    )
    _edit(
        spec,
        "      CloseAccount:\n",
        """\
      ChangeOverdraft:
        fields: {overdraft_limit: decimal}
        rejects:
          - if: state.closed
            error: AccountIsClosed
        emits: [OverdraftChanged]
      CloseAccount:
""",
    )
    _edit(
        spec,
        "      - name: deposits add up",
        """\
      - name: overdraft can be raised
        given: [{AccountOpened: {owner: Ada, overdraft_limit: 0}}]
        when: {ChangeOverdraft: {overdraft_limit: 50}}
        then: {events: [{OverdraftChanged: {overdraft_limit: 50}}], state: {overdraft_limit: 50}}
      - name: deposits add up""",
    )
    out = _regenerate_and_verify(spec, user)
    assert "create  src/bank/account/change_overdraft.py" in out

    # 2. add a field with a default to a stored event: not breaking
    _edit(
        spec,
        "      MoneyDeposited:\n        fields: {amount: decimal}",
        '      MoneyDeposited:\n        fields: {amount: decimal, memo: {type: str, default: ""}}',
    )
    _regenerate_and_verify(spec, user)

    # 3. rename a command everywhere it is used
    text = spec.read_text().replace("WithdrawMoney", "TakeOutMoney")
    spec.write_text(text)
    out = _regenerate_and_verify(spec, user)
    assert "remove  src/bank/account/withdraw_money.py" in out
    assert not (project / "src/bank/account/withdraw_money.py").exists()
    assert (project / "tests/account/test_take_out_money.py").is_file()

    # 4. remove the read model and a command
    text = spec.read_text()
    spec.write_text(text[: text.index("read_models:")] + text[text.index("automations:") :])
    _edit(
        spec,
        "      ChangeOverdraft:\n        fields: {overdraft_limit: decimal}\n        rejects:\n"
        "          - if: state.closed\n            error: AccountIsClosed\n        emits: [OverdraftChanged]\n",
        "",
    )
    text = spec.read_text()
    start = text.index("      - name: overdraft can be raised")
    spec.write_text(text[:start] + text[text.index("      - name: deposits add up") :])
    out = _regenerate_and_verify(spec, user)
    assert "remove  src/bank/account/change_overdraft.py" in out

    # 5. raise an event's version, with a declarative upcaster
    _edit(
        spec,
        '      MoneyDeposited:\n        fields: {amount: decimal, memo: {type: str, default: ""}}',
        '      MoneyDeposited:\n        version: 2\n        fields: {sum: decimal, memo: {type: str, default: ""}}\n'
        "        upcast:\n          1: {rename: {amount: sum}}",
    )
    _edit(
        spec,
        'apply: {balance: "= state.balance + event.amount"}',
        'apply: {balance: "= state.balance + event.sum"}',
    )
    _edit(
        spec,
        "        emits: [MoneyDeposited]",
        '        emits: [{MoneyDeposited: {sum: "= command.amount"}}]',
    )
    text = spec.read_text().replace("- MoneyDeposited: {amount: 10}", "- MoneyDeposited: {sum: 10}")
    spec.write_text(text.replace("- MoneyDeposited: {amount: 5}", "- MoneyDeposited: {sum: 5}"))
    _regenerate_and_verify(spec, user)
    upcasting = (project / "tests/test_upcasting.py").read_text()
    assert "test_money_deposited_v1_loads_as_v2" in upcasting

    # 6. and once more, with a hand-written upcaster
    _edit(
        spec,
        "        version: 2\n        fields: {sum: decimal,",
        "        version: 3\n        fields: {sum: decimal,",
    )
    _edit(
        spec,
        "          1: {rename: {amount: sum}}",
        "          1: {rename: {amount: sum}}\n          2: custom",
    )
    result = cli("generate", spec)
    assert result.exit_code == 0, result.stderr
    upcaster = project / "src/bank/account/custom/upcast_money_deposited.py"
    failing = run_pytest(project)
    assert failing.returncode == 1
    assert "Write v2_to_v3() in src/bank/account/custom/upcast_money_deposited.py" in failing.stdout
    upcaster.write_text("""from typing import Any


def v2_to_v3(data: dict[str, Any]) -> None:
    data.setdefault("memo", "")
""")
    user = _user_files(project)
    _regenerate_and_verify(spec, user)


def test_breaking_event_changes_fail_check_and_generate(bank: Path) -> None:
    _edit(
        bank,
        "      MoneyWithdrawn:\n        fields: {amount: decimal}",
        "      MoneyWithdrawn:\n        fields: {amount: int}",
    )
    _edit(
        bank,
        "      WithdrawMoney:\n        fields: {amount: decimal}",
        "      WithdrawMoney:\n        fields: {amount: int}",
    )
    checked = cli("check", bank)
    assert checked.exit_code == 1
    assert (
        "error[E803]: event MoneyWithdrawn field 'amount' changed type from decimal to int"
        in checked.stderr
    )
    generated = cli("generate", bank)
    assert generated.exit_code == 1
    allowed = cli("generate", bank, "--allow-breaking")
    assert allowed.exit_code == 0
    assert "warning[E803]" in allowed.stderr


WITHDRAWN = "      MoneyWithdrawn:\n        fields: {amount: decimal}"
# Removing MoneyWithdrawn.amount, with every use of it changed so that the spec stays valid.
REMOVE_AMOUNT = [
    (WITHDRAWN, "      MoneyWithdrawn:\n        fields: {}"),
    ('apply: {balance: "= state.balance - event.amount"}', "apply: {balance: 0}"),
    ('- MoneyWithdrawn: {amount: "= command.amount"}', "- MoneyWithdrawn"),
    (
        'MoneyWithdrawn: {set: {balance: "= row.balance - event.amount"}}',
        "MoneyWithdrawn: {set: {}}",
    ),
]


def _apply(spec: Path, edits: list[tuple[str, str]]) -> None:
    text = spec.read_text()
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    spec.write_text(text)


@pytest.mark.parametrize(
    ("edits", "code"),
    [
        (REMOVE_AMOUNT, "E802"),
        (
            [(WITHDRAWN, "      MoneyWithdrawn:\n        fields: {amount: decimal, owner: str}")],
            "E804",
        ),
        ([("AccountClosed", "AccountShut")], "E800"),
        (
            [
                (
                    WITHDRAWN,
                    "      MoneyWithdrawn:\n        version: 2\n        fields: {amount: decimal, owner: str}\n"
                    "        upcast: {1: {rename: {}}}",
                )
            ],
            "E804",
        ),
        (
            [
                (
                    WITHDRAWN,
                    "      MoneyWithdrawn:\n        version: 2\n        fields: {amount: decimal}",
                )
            ],
            "E805",
        ),
    ],
    ids=[
        "removed-field",
        "new-required-field",
        "renamed-event",
        "bump-not-covering",
        "bump-without-upcast",
    ],
)
def test_each_kind_of_breaking_change_is_reported(
    bank: Path, edits: list[tuple[str, str]], code: str
) -> None:
    _apply(bank, edits)
    result = cli("check", bank, "--format", "json")
    assert result.exit_code == 1
    report = result.json()
    assert isinstance(report, dict)
    assert {e["code"] for e in report["errors"]} == {code}


def test_additive_changes_are_not_breaking(bank: Path) -> None:
    _edit(
        bank,
        "      MoneyWithdrawn:\n        fields: {amount: decimal}",
        '      MoneyWithdrawn:\n        fields: {amount: decimal, note: "str?", fee: {type: decimal, default: 0}}',
    )
    _edit(
        bank,
        "    commands:\n",
        "      InterestPaid:\n        fields: {rate: decimal}\n    commands:\n",
    )
    assert cli("generate", bank).exit_code == 0
    assert cli("check", bank).exit_code == 0


def test_check_against_a_git_revision(bank: Path) -> None:
    project = bank.parent

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=project, check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.email=t@e", "-c", "user.name=t", "add", ".")
    git("-c", "user.email=t@e", "-c", "user.name=t", "commit", "-qm", "base")
    _apply(bank, REMOVE_AMOUNT)
    # Regenerating with the breaking change allowed updates the lock on disk; the committed lock
    # still remembers the field.
    assert cli("generate", bank, "--allow-breaking").exit_code == 0
    assert cli("check", bank).exit_code == 0
    against = cli("check", bank, "--against", "HEAD")
    assert against.exit_code == 1
    assert "E802" in against.stderr
    missing = cli("check", bank, "--against", "no-such-rev")
    assert missing.exit_code == 2


def test_a_changed_handler_signature_asks_for_attention(bank: Path) -> None:
    _edit(bank, "      CloseAccount:\n", "      CloseAccount:\n        fields: {reason: str}\n")
    result = cli("generate", bank)
    assert result.exit_code == 0
    assert (
        "src/bank/account/custom/close_account.py  (needs attention: the spec now expects "
        "decide(CloseAccount(account_id, reason: str), state) -> list[AccountClosed]"
        in result.stdout
    )


def test_a_renamed_custom_command_points_to_the_new_file(bank: Path) -> None:
    spec_text = bank.read_text().replace("CloseAccount", "ShutAccount")
    bank.write_text(spec_text)
    result = cli("generate", bank)
    assert result.exit_code == 0
    assert "src/bank/account/custom/close_account.py" in result.stdout
    assert (
        "if it was renamed, move your code to src/bank/account/custom/shut_account.py"
        in result.stdout
    )


SNAPSHOT_PROBE = """
import sys
from decimal import Decimal
from uuid import UUID
from bank.application import BankApplication
from bank.account.decider import decider
from bank.account.open_account import OpenAccount
from bank.account.deposit_money import DepositMoney
env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": sys.argv[1], "SNAPSHOT_INTERVAL": "1"}
app = BankApplication(env=env)
stream = UUID("00000000-0000-4000-8000-000000000099")
if sys.argv[2] == "write":
    app.handle(OpenAccount(account_id=stream, owner="Ada", overdraft_limit=Decimal("0")))
    app.handle(DepositMoney(account_id=stream, amount=Decimal("10")))
    assert list(app.snapshots.get(stream))
print(app.state_of(decider, stream).balance)
"""


def test_snapshots_from_older_evolve_rules_are_ignored(bank: Path, tmp_path: Path) -> None:
    project = bank.parent
    database = str(tmp_path / "events.sqlite")

    def probe(mode: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", SNAPSHOT_PROBE, database, mode],
            cwd=project / "src",
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert probe("write") == "10"
    _edit(
        bank,
        'apply: {balance: "= state.balance + event.amount"}',
        'apply: {balance: "= state.balance + event.amount * 2"}',
    )
    assert cli("generate", bank).exit_code == 0
    assert probe("read") == "20"


def test_a_new_eventforge_version_alone_does_not_fail_check(bank: Path) -> None:
    manifest = bank.parent / ".eventforge/manifest.json"
    text = manifest.read_text()
    assert '"generator": "eventforge ' in text
    manifest.write_text(
        text.replace('"generator": "eventforge ', '"generator": "eventforge 0.0.1-old ')
    )
    assert cli("check", bank).exit_code == 0

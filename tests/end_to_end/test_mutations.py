"""Curated mutations: each critical piece of code, broken on purpose, must make a named test fail.

A reviewer who broke the code by hand found tests that stayed green while it lost a user's file,
dropped a write, or compiled a spec other than the one written. Each of those breakages (and its
kin) is listed here with the test that must catch it. A mutation is applied to a fresh copy, never
to this checkout: a copy of eventforge (generator/, templates/, schemas/, docs/, pyproject.toml),
run with PYTHONPATH pointing at it (the editable install's finder comes after the path, so the
copy wins), or a copy of a generated example. Only the named test runs per mutation; each named
test also runs once without any mutation, and must pass there.

EVENTFORGE_MUTATIONS=all adds the slower extras.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT

ALL = os.environ.get("EVENTFORGE_MUTATIONS", "") == "all"
# A target is GENERATOR (a copy of eventforge, running this checkout's tests) or the name of an
# example (a copy of it, running its own tests).
GENERATOR = "generator"
BANK, LIBRARY, ORDERS = "bank", "library", "orders"


@dataclass(frozen=True)
class Mutation:
    name: str
    target: str
    file: str  # relative to the target's root
    old: str  # must occur exactly once in the file
    new: str
    test: str  # the node id that must fail, relative to ROOT (GENERATOR) or to the example
    slow: bool = False

    def __str__(self) -> str:
        return self.name


LOCK = "generator/evolution/lock.py"
WRITE = "generator/build/write.py"
BREAKING = (
    "tests/evolution/test_lock.py::test_a_breaking_change_fails_check_and_generate_until_allowed"
)
CORPUS = "tests/spec/test_validation.py::test_invalid_spec_reports_exactly_the_expected_errors"
BAD_INPUT = "tests/test_bad_input.py"
REFUSED = "test_a_refused_value_gives_one_line_naming_the_field_and_stores_nothing"
API = "test_the_python_api_refuses_a_bad_value_before_storing_anything"

MUTATIONS = [
    # -- the user's files -----------------------------------------------------------------------
    Mutation(
        "orphan-removal-ignores-the-hash",
        GENERATOR,
        WRITE,
        'if owner is Owner.GENERATED and entry.get("sha256") == sha256(current):',
        "if owner is Owner.GENERATED:",
        "tests/build/test_write.py::"
        "test_a_hand_edited_file_the_spec_no_longer_produces_is_kept_and_reported",
    ),
    Mutation(
        "orphan-removal-ignores-the-owner",
        GENERATOR,
        WRITE,
        'if owner is Owner.GENERATED and entry.get("sha256") == sha256(current):',
        'if entry.get("sha256") == sha256(current):',
        "tests/build/test_write.py::"
        "test_a_file_no_longer_produced_is_removed_only_if_generated_and_unedited",
    ),
    Mutation(
        "update-ignores-the-hash",
        GENERATOR,
        WRITE,
        'elif manifest.get(path, {}).get("sha256") == sha256(current):',
        "elif True:",
        "tests/build/test_write.py::test_a_generated_file_is_updated_only_if_unedited",
    ),
    Mutation(
        "force-overwrites-user-files",
        GENERATOR,
        WRITE,
        "state.verdict is Verdict.CONFLICT and force",
        "state.verdict in (Verdict.CONFLICT, Verdict.KEEP) and force",
        "tests/build/test_write.py::test_a_user_file_is_created_once_and_then_kept",
    ),
    # -- stored events --------------------------------------------------------------------------
    Mutation(
        "E801-version-down-off",
        GENERATOR,
        LOCK,
        "    if event.version < old_version:",
        "    if False:",
        f"{BREAKING}[E801-version-down]",
    ),
    Mutation(
        "E806-package-renamed-off",
        GENERATOR,
        LOCK,
        'if locked.get("topic") and locked["topic"] != event.topic:',
        "if False:",
        f"{BREAKING}[E806-package-renamed]",
    ),
    Mutation(
        "E807-any-json-is-a-lock",
        GENERATOR,
        LOCK,
        '        or data.get("eventforge_lock") != FORMAT\n',
        "",
        "tests/evolution/test_lock.py::"
        "test_an_unreadable_lock_is_refused_even_when_breaking_is_allowed[other-format]",
    ),
    Mutation(
        "E802-field-removed-off",
        GENERATOR,
        LOCK,
        "        if field is None:",
        "        if False:",
        f"{BREAKING}[E802-field-removed]",
        slow=True,
    ),
    Mutation(
        "E800-event-removed-off",
        GENERATOR,
        LOCK,
        "        if event is None:",
        "        if False:",
        f"{BREAKING}[E800-event-renamed]",
        slow=True,
    ),
    # -- the expression allow-list and the analyzer ---------------------------------------------
    Mutation(
        "keyword-arguments-allowed",
        GENERATOR,
        "generator/spec/expressions/calls.py",
        "    if node.keywords:\n        argument",
        "    if False:\n        argument",
        f"{CORPUS}[e501_keyword_argument]",
    ),
    Mutation(
        "E413-key-type-differs-off",
        GENERATOR,
        "generator/spec/analyze/row_updates.py",
        "            elif known[0] != typ:",
        "            elif False:",
        f"{CORPUS}[e413_read_model_key_type_differs]",
    ),
    # -- the generated runtime and rules, in the bank example -----------------------------------
    Mutation(
        "runtime-drops-a-write-on-a-conflict",
        BANK,
        "src/bank/runtime.py",
        "                    self.sleep(self.retry_delay(attempt))\n                continue\n",
        "                    self.sleep(self.retry_delay(attempt))\n                return []\n",
        "tests/account/test_account_store.py::test_account_writers_racing_lose_nothing[sqlite]",
    ),
    Mutation(
        "automation-drops-an-accepted-command",
        BANK,
        "src/bank/projections.py",
        "events = app.handle(command, tracking=tracking)",
        "app.recorder.insert_tracking(tracking); events = []",
        "tests/test_store.py::test_welcome_bonus_sends_each_command_once[sqlite-given0]",
    ),
    Mutation(
        "deposit-guard-boundary",
        BANK,
        "src/bank/account/deposit_money.py",
        "if command.amount <= 0:",
        "if command.amount < 0:",
        "tests/account/test_deposit_money.py::test_a_deposit_of_nothing_is_refused",
    ),
    Mutation(
        "withdrawal-guard-boundary",
        BANK,
        "src/bank/account/withdraw_money.py",
        "if command.amount > state.balance + state.overdraft_limit:",
        "if command.amount >= state.balance + state.overdraft_limit:",
        "tests/account/test_withdraw_money.py::"
        "test_the_overdraft_covers_a_withdrawal_down_to_its_limit",
    ),
    Mutation(
        "read-model-keeps-a-deleted-row",
        BANK,
        "src/bank/read_models/account_balances.py",
        "        case AccountClosed():\n            return None",
        "        case AccountClosed():\n            return row",
        "tests/read_models/test_account_balances.py::test_a_closed_account_leaves_the_dashboard",
    ),
    # -- values from outside, in the bank example: each guard of values.py, and where it runs ---
    Mutation(
        "values-let-a-decimal-nan-in",
        BANK,
        "src/bank/values.py",
        "if not number.is_finite():",
        "if False:",
        f"{BAD_INPUT}::{API}[DepositMoney.amount=Decimal('NaN')]",
    ),
    Mutation(
        "values-read-any-text-decimal-accepts",
        BANK,
        "src/bank/values.py",
        " or not _NUMBER.fullmatch(value)",
        "",
        f'{BAD_INPUT}::{REFUSED}[DepositMoney.amount="1_000"]',
    ),
    Mutation(
        "values-read-json-numbers-through-float",
        BANK,
        "src/bank/values.py",
        "parse_float=Decimal,",
        "parse_float=lambda t: Decimal(float(t)),",
        f"{BAD_INPUT}::test_a_decimal_is_read_exactly_from_a_json_number_and_from_text[DepositMoney]",
    ),
    Mutation(
        "values-take-a-bool-for-a-number",
        BANK,
        "src/bank/values.py",
        "if isinstance(value, bool) or not isinstance(value, int | Decimal | str):",
        "if not isinstance(value, int | Decimal | str):",
        f"{BAD_INPUT}::{REFUSED}[DepositMoney.amount=true]",
    ),
    Mutation(
        "values-parse-json-of-any-depth",
        BANK,
        "src/bank/values.py",
        "if deepest > MAX_DEPTH:",
        "if False:",
        f"{BAD_INPUT}::{REFUSED}[DepositMoney=20000-deep-array]",
    ),
    Mutation(
        "application-handles-unchecked-commands",
        BANK,
        "src/bank/application.py",
        "            values.check(command)\n",
        "            pass\n",
        f"{BAD_INPUT}::{API}[DepositMoney.amount=Decimal('NaN')]",
    ),
    # -- the other examples ---------------------------------------------------------------------
    Mutation(
        "loan-cap-raised",
        LIBRARY,
        "src/library/member/record_borrowing.py",
        "if state.loans_out >= 6 or (",
        "if state.loans_out >= 60 or (",
        "tests/member/test_record_borrowing.py::"
        "test_a_family_member_with_six_books_cannot_borrow_a_seventh",
        slow=True,
    ),
    Mutation(
        "automation-sends-the-wrong-id",
        ORDERS,
        "src/orders/automations/notify_order_shipped.py",
        "order_id=event.order_id,",
        "order_id=event.shipment_id,",
        "tests/automations/test_notify_order_shipped.py::test_a_dispatched_shipment_ships_its_order",
        slow=True,
    ),
]

CHOSEN = [m for m in MUTATIONS if ALL or not m.slow]


def _pristine(target: str, into: Path) -> Path:
    """A fresh, unmutated copy of `target` in `into`."""
    if target == GENERATOR:
        for name in ("generator", "templates", "schemas", "docs"):
            shutil.copytree(ROOT / name, into / name, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(ROOT / "pyproject.toml", into)
    else:
        keep = shutil.ignore_patterns("__pycache__", ".pytest_cache", "cache")
        shutil.copytree(EXAMPLES / target, into, ignore=keep, dirs_exist_ok=True)
    return into


def _run(target: str, root: Path, tests: list[str]) -> subprocess.CompletedProcess[str]:
    """Run the named tests against the copy in `root`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    # Each copy runs once: compiled files would only cost the time to write them.
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if target == GENERATOR:
        env["PYTHONPATH"] = str(root)  # this checkout's tests, eventforge from the copy
        # This checkout's addopts say -q already; twice would hide the "N passed" line.
        args = ["-o", "addopts=", *(str(ROOT / t) for t in tests)]
    else:
        args = tests  # the example's own tests, in the copy, with its own settings
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("target", sorted({m.target for m in CHOSEN}))
def test_the_named_tests_pass_without_mutations(target: str, tmp_path: Path) -> None:
    root = _pristine(target, tmp_path / target)
    tests = sorted({m.test for m in CHOSEN if m.target == target})
    done = _run(target, root, tests)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert f"{len(tests)} passed" in done.stdout, done.stdout[-3000:]


@pytest.mark.parametrize("mutation", CHOSEN, ids=str)
def test_the_mutation_makes_its_test_fail(mutation: Mutation, tmp_path: Path) -> None:
    root = _pristine(mutation.target, tmp_path / mutation.target)
    source = root / mutation.file
    text = source.read_text(encoding="utf-8")
    assert text.count(mutation.old) == 1, f"{mutation.file} no longer has {mutation.old!r} once"
    source.write_text(text.replace(mutation.old, mutation.new), encoding="utf-8")
    done = _run(mutation.target, root, [mutation.test])
    # Exit code 1 is "tests failed"; a collection error or an unknown test id would be 2, 4 or 5.
    assert done.returncode == 1, f"{mutation.name} survived:\n{done.stdout[-3000:]}{done.stderr}"
    assert "1 failed" in done.stdout, done.stdout[-3000:]

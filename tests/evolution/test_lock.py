"""The lock file guards stored events: every breaking change it knows (E800-E806) fails `check` and
`generate` on a spec edited after a first generate, a refused generate writes nothing, and
`--allow-breaking` demotes them to warnings and moves the baseline; an unreadable lock (E807) is
refused even then, since overwriting it would forget what is stored.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import cli, copy_example, tree

WITHDRAWN = "      MoneyWithdrawn:\n        fields: {amount: decimal}"
DEPOSITED = "      MoneyDeposited:\n        fields: {amount: decimal}"
DEPOSITED_V2 = (
    "      MoneyDeposited:\n        version: 2\n        fields: {amount: decimal}\n"
    "        upcast: {1: {rename: {}}}"
)

# Each breaking edit of the bank spec, the one code it must raise, and the spec path it points at.
BREAKING: dict[str, tuple[list[tuple[str, str]], str, str]] = {
    "E800-event-renamed": (
        [("AccountClosed", "AccountShut")],
        "E800",
        "aggregates.Account.events",
    ),
    "E801-version-down": (
        [(DEPOSITED_V2, DEPOSITED)],
        "E801",
        "aggregates.Account.events.MoneyDeposited.version",
    ),
    "E802-field-removed": (
        [
            (WITHDRAWN, "      MoneyWithdrawn:\n        fields: {}"),
            ('apply: {balance: "= state.balance - event.amount"}', "apply: {balance: 0}"),
            ('- MoneyWithdrawn: {amount: "= command.amount"}', "- MoneyWithdrawn"),
            (
                'MoneyWithdrawn: {set: {balance: "= row.balance - event.amount"}}',
                "MoneyWithdrawn: {set: {}}",
            ),
        ],
        "E802",
        "aggregates.Account.events.MoneyWithdrawn.fields",
    ),
    "E803-type-changed": (
        [
            (WITHDRAWN, "      MoneyWithdrawn:\n        fields: {amount: int}"),
            (
                "      WithdrawMoney:\n        fields: {amount: decimal}",
                "      WithdrawMoney:\n        fields: {amount: int}",
            ),
        ],
        "E803",
        "aggregates.Account.events.MoneyWithdrawn.fields.amount",
    ),
    "E804-required-field-added": (
        [(WITHDRAWN, "      MoneyWithdrawn:\n        fields: {amount: decimal, owner: str}")],
        "E804",
        "aggregates.Account.events.MoneyWithdrawn.fields.owner",
    ),
    "E806-package-renamed": (
        [("package: bank ", "package: bank_two ")],
        "E806",
        "aggregates.Account.events.AccountOpened",
    ),
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bank generated once with MoneyDeposited at version 2 (so that E801 has a version to go
    down from); each test works on its own copy."""
    spec = copy_example("bank", tmp_path_factory.mktemp("lock") / "bank")
    _apply(spec, [(DEPOSITED, DEPOSITED_V2)])
    result = cli("generate", spec)
    assert result.exit_code == 0, result.stderr
    return spec.parent


@pytest.fixture
def bank(generated: Path, tmp_path: Path) -> Path:
    shutil.copytree(generated, tmp_path / "bank")
    return tmp_path / "bank" / "eventforge.yaml"


def _apply(spec: Path, edits: list[tuple[str, str]]) -> None:
    text = spec.read_text()
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    spec.write_text(text)


def _codes(result_stdout: str) -> list[tuple[str, str, str]]:
    report = json.loads(result_stdout)
    return sorted({(e["code"], e["level"], e["path"]) for e in report.get("errors", [])})


@pytest.mark.parametrize("case", list(BREAKING), ids=list(BREAKING))
def test_a_breaking_change_fails_check_and_generate_until_allowed(bank: Path, case: str) -> None:
    edits, code, path = BREAKING[case]
    _apply(bank, edits)
    project = bank.parent
    lock = (project / "eventforge.lock").read_text()

    checked = cli("check", bank, "--format", "json")
    assert checked.exit_code == 1
    found = _codes(checked.stdout)
    assert {c for c, _, _ in found} == {code}, found
    assert (code, "error", path) in found, found

    before = tree(project)
    refused = cli("generate", bank)
    assert refused.exit_code == 1
    assert f"error[{code}]" in refused.stderr
    assert tree(project) == before, "a refused generate wrote files"

    allowed = cli("generate", bank, "--allow-breaking")
    assert allowed.exit_code == 0, allowed.stderr
    assert f"warning[{code}]" in allowed.stderr
    assert f"error[{code}]" not in allowed.stderr
    # The breaking change is now the baseline: the lock moved, and check finds nothing breaking
    # (after a package rename the user's files under the old package stay, reported as orphans).
    assert (project / "eventforge.lock").read_text() != lock
    again = cli("check", bank, "--format", "json")
    report = json.loads(again.stdout)
    assert not report.get("errors"), report
    assert {(d["owner"], d["verdict"]) for d in report["differences"]} <= {("user", "orphan")}


def test_an_unchanged_spec_breaks_nothing(bank: Path) -> None:
    assert cli("check", bank).exit_code == 0


@pytest.mark.parametrize(
    "text",
    ["{not json", '{"eventforge_lock": 2, "events": {}}', "[]", '{"eventforge_lock": 1}'],
    ids=["not-json", "other-format", "not-an-object", "no-events"],
)
def test_an_unreadable_lock_is_refused_even_when_breaking_is_allowed(bank: Path, text: str) -> None:
    project = bank.parent
    (project / "eventforge.lock").write_text(text)
    checked = cli("check", bank, "--format", "json")
    assert checked.exit_code == 1
    assert [(c, level) for c, level, _ in _codes(checked.stdout)] == [("E807", "error")]
    before = tree(project)
    for args in ([], ["--allow-breaking"]):
        refused = cli("generate", bank, *args)
        assert refused.exit_code == 1
        assert "eventforge.lock:1:1: error[E807]" in refused.stderr
        assert tree(project) == before, "the lock was overwritten"


def test_a_version_bump_without_its_upcast_step_is_an_error_breaking_or_not(bank: Path) -> None:
    # E805 comes from validation, not from the lock: --allow-breaking does not lift it.
    _apply(
        bank,
        [
            (
                WITHDRAWN,
                "      MoneyWithdrawn:\n        version: 2\n        fields: {amount: decimal}",
            )
        ],
    )
    checked = cli("check", bank, "--format", "json")
    assert {c for c, _, _ in _codes(checked.stdout)} == {"E805"}
    before = tree(bank.parent)
    assert cli("generate", bank, "--allow-breaking").exit_code == 1
    assert tree(bank.parent) == before


def test_a_deleted_lock_starts_a_new_baseline(bank: Path) -> None:
    # Without a lock there is nothing to compare with: the renamed event is accepted and locked.
    (bank.parent / "eventforge.lock").unlink()
    _apply(bank, BREAKING["E800-event-renamed"][0])
    assert cli("generate", bank).exit_code == 0
    locked = json.loads((bank.parent / "eventforge.lock").read_text())
    assert "AccountShut" in locked["events"] and "AccountClosed" not in locked["events"]

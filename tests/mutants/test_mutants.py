"""`eventforge mutants`: a spec whose scenarios leave rules unpinned reports exactly those, with
where each rule is written and the scenario that would pin it; adding those scenarios leaves
none; the examples leave none (a regression gate); the command line's text, JSON and exit codes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, cli, write_spec

from generator.mutants import run as run_module
from generator.mutants.catalog import catalog
from generator.mutants.operators import OPERATORS
from generator.mutants.report import Report, analyze
from generator.mutants.run import harness
from generator.spec.load import LoadedSpec, load_file
from generator.spec.model import Spec
from generator.spec.validate import validate_loaded

WALLET = "00000000-0000-4000-8000-000000000001"
SPONSOR = "00000000-0000-4000-8000-000000000002"

# Every kind of rule, with scenarios that pin only some of them.
WEAK = f"""
eventforge: 1
domain: Wallets
aggregates:
  Wallet:
    state:
      balance: {{type: decimal, default: 0}}
      deposits: {{type: int, default: 0}}
      locked: {{type: bool, default: false}}
    errors:
      WalletIsLocked: The wallet is locked.
      TooManyDeposits: At most three deposits.
      InvalidAmount: Amounts must be positive.
    events:
      WalletOpened: {{fields: {{owner: str, sponsor_id: uuid}}}}
      MoneyDeposited:
        fields: {{amount: decimal}}
        apply: {{balance: "= state.balance + event.amount", deposits: "= state.deposits + 1"}}
      DepositNoted: {{fields: {{note: str}}}}
      WalletLocked: {{fields: {{}}, apply: {{locked: true}}}}
    commands:
      OpenWallet: {{creates: true, fields: {{owner: str, sponsor_id: uuid}}, emits: [WalletOpened]}}
      Deposit:
        fields: {{amount: decimal}}
        rejects:
          - if: state.locked
            error: WalletIsLocked
          - if: state.deposits >= 3
            error: TooManyDeposits
          - if: command.amount <= 0
            error: InvalidAmount
        emits:
          - MoneyDeposited
          - DepositNoted: {{note: deposit}}
      LockWallet: {{emits: [WalletLocked]}}
    scenarios:
      - name: a deposit is recorded
        given: [WalletOpened: {{owner: Ada, sponsor_id: {SPONSOR}}}]
        when: {{Deposit: {{amount: 10}}}}
        then: [MoneyDeposited: {{amount: 10}}, DepositNoted: {{note: deposit}}]
read_models:
  Balances:
    key: wallet_id
    fields: {{balance: decimal}}
    on:
      WalletOpened: {{set: {{balance: 0}}}}
      MoneyDeposited: {{set: {{balance: "= row.balance + event.amount"}}}}
      WalletLocked: delete
    scenarios:
      - name: deposits show
        given:
          - WalletOpened: {{wallet_id: {WALLET}, owner: Ada, sponsor_id: {SPONSOR}}}
          - MoneyDeposited: {{wallet_id: {WALLET}, amount: 10}}
        then: [{{wallet_id: {WALLET}, balance: 10}}]
automations:
  OpeningBonus:
    on: WalletOpened
    send:
      Deposit: {{wallet_id: "= event.wallet_id", amount: 5}}
    scenarios:
      - name: a new wallet gets a bonus
        given: [WalletOpened: {{wallet_id: {WALLET}, owner: Ada, sponsor_id: {SPONSOR}}}]
        then: [Deposit: {{amount: 5}}]
"""

# The survivors of WEAK, by operator and spec path: every rule no scenario pins.
SURVIVORS = {
    ("M202", "aggregates.Wallet.commands.OpenWallet.emits[0]"),
    ("M201", "aggregates.Wallet.commands.Deposit.rejects[0]"),
    ("M102", "aggregates.Wallet.commands.Deposit.rejects[1].if"),
    ("M103", "aggregates.Wallet.commands.Deposit.rejects[1].if"),  # >= 4 and >= 2
    ("M201", "aggregates.Wallet.commands.Deposit.rejects[1]"),
    ("M102", "aggregates.Wallet.commands.Deposit.rejects[2].if"),
    ("M103", "aggregates.Wallet.commands.Deposit.rejects[2].if"),  # <= 1 and <= -1
    ("M201", "aggregates.Wallet.commands.Deposit.rejects[2]"),
    ("M202", "aggregates.Wallet.commands.LockWallet.emits[0]"),
    ("M206", "aggregates.Wallet.events.MoneyDeposited.apply.balance"),
    ("M106", "aggregates.Wallet.events.MoneyDeposited.apply.balance"),
    ("M206", "aggregates.Wallet.events.MoneyDeposited.apply.deposits"),
    ("M106", "aggregates.Wallet.events.MoneyDeposited.apply.deposits"),
    ("M206", "aggregates.Wallet.events.WalletLocked.apply.locked"),
    ("M205", "aggregates.Wallet.events.WalletLocked.apply.locked"),
    ("M207", "read_models.Balances.on.WalletLocked"),
    ("M204", "automations.OpeningBonus.send.Deposit.wallet_id"),
}

# What the suggestions ask for, as scenarios: with them, no mutant survives.
PINNING = f"""
      - name: a locked wallet takes no deposits
        given: [WalletOpened: {{owner: Ada, sponsor_id: {SPONSOR}}}, WalletLocked: {{}}]
        when: {{Deposit: {{amount: 10}}}}
        then: {{error: WalletIsLocked}}
      - name: a third deposit is accepted
        given:
          - WalletOpened: {{owner: Ada, sponsor_id: {SPONSOR}}}
          - MoneyDeposited: {{amount: 10}}
          - MoneyDeposited: {{amount: 10}}
        when: {{Deposit: {{amount: 5}}}}
        then:
          events: [MoneyDeposited: {{amount: 5}}, DepositNoted: {{note: deposit}}]
          state: {{balance: 25, deposits: 3}}
      - name: a fourth deposit is refused
        given:
          - WalletOpened: {{owner: Ada, sponsor_id: {SPONSOR}}}
          - MoneyDeposited: {{amount: 10}}
          - MoneyDeposited: {{amount: 10}}
          - MoneyDeposited: {{amount: 10}}
        when: {{Deposit: {{amount: 5}}}}
        then: {{error: TooManyDeposits}}
      - name: a deposit of nothing is refused
        given: [WalletOpened: {{owner: Ada, sponsor_id: {SPONSOR}}}]
        when: {{Deposit: {{amount: 0}}}}
        then: {{error: InvalidAmount}}
      - name: the smallest deposit is accepted
        given: [WalletOpened: {{owner: Ada, sponsor_id: {SPONSOR}}}]
        when: {{Deposit: {{amount: "0.01"}}}}
        then: [MoneyDeposited: {{amount: "0.01"}}, DepositNoted: {{note: deposit}}]
      - name: a wallet opens
        when: {{OpenWallet: {{owner: Ada, sponsor_id: {SPONSOR}}}}}
        then: [WalletOpened: {{owner: Ada, sponsor_id: {SPONSOR}}}]
      - name: a wallet is locked
        given: [WalletOpened: {{owner: Ada, sponsor_id: {SPONSOR}}}]
        when: {{LockWallet: {{}}}}
        then: [WalletLocked: {{}}]
"""
PINNING_ROWS = f"""
      - name: a locked wallet leaves the balances
        given:
          - WalletOpened: {{wallet_id: {WALLET}, owner: Ada, sponsor_id: {SPONSOR}}}
          - WalletLocked: {{wallet_id: {WALLET}}}
        then: []
"""


def _pinned() -> str:
    text = WEAK.replace("\nread_models:", PINNING.rstrip() + "\nread_models:", 1)
    text = text.replace("\nautomations:", PINNING_ROWS.rstrip() + "\nautomations:", 1)
    return text.replace(
        "then: [Deposit: {amount: 5}]", f"then: [Deposit: {{wallet_id: {WALLET}, amount: 5}}]"
    )


def _load(path: Path) -> tuple[Spec, LoadedSpec]:
    loaded = load_file(path)
    spec, diagnostics = validate_loaded(loaded)
    assert spec is not None, [d.as_text() for d in diagnostics]
    return spec, loaded


def _report(path: Path, **options: object) -> Report:
    spec, loaded = _load(path)
    return analyze(spec, loaded, project=path.parent, **options)  # type: ignore[arg-type]


def _position(text: str, needle: str) -> tuple[int, int]:
    """Line and column (1-based) of the first `needle` in the spec's text."""
    before = text[: text.index(needle)]
    return before.count("\n") + 1, len(before) - before.rfind("\n")


def test_a_weak_scenario_set_reports_each_unpinned_rule(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, WEAK)
    report = _report(spec)
    assert {(s.mutant.operator, ".".join(_dotted(s.mutant.path))) for s in report.survivors} == {
        (code, path) for code, path in SURVIVORS
    }
    assert len(report.survivors) == len(SURVIVORS) + 2  # two M103 each, at two rules
    # Each unit kind kills what its scenarios see: the swapped code is the code that runs.
    assert report.killed == report.mutants - len(report.survivors) > 0
    text = spec.read_text(encoding="utf-8")
    boundary = next(
        s for s in report.survivors
        if s.mutant.operator == "M102" and s.mutant.path[-2:] == (2, "if")
    )  # fmt: skip
    assert (boundary.line, boundary.column) == _position(text, "command.amount <= 0")
    assert boundary.as_text(str(spec)) == (
        f"{spec}:{boundary.line}:{boundary.column}: survived[M102]: if command.amount <= 0: "
        "InvalidAmount: `command.amount <= 0` became `command.amount < 0` — add a scenario of "
        "Deposit with amount = 0 (rejected with InvalidAmount) and one with amount = 0.01 "
        "(accepted)"
    )
    limit = next(s for s in report.survivors if s.mutant.mutation.endswith("`state.deposits >= 2`"))
    assert limit.mutant.suggestion == (
        "add a scenario of Deposit with state.deposits = 2 (not rejected by this rule) and one "
        "with state.deposits = 3 (rejected with TooManyDeposits)"
    )
    dropped = next(s for s in report.survivors if s.mutant.path[-1] == "deposits")
    assert (dropped.line, dropped.column) == _position(text, '"= state.deposits + 1"')
    assert dropped.mutant.suggestion == (
        "add a scenario of Deposit (or one given MoneyDeposited) whose then.state checks deposits"
    )
    wrong_id = next(s for s in report.survivors if s.mutant.operator == "M204")
    assert wrong_id.mutant.mutation == "`event.wallet_id` became `event.sponsor_id`"
    assert "whose then names Deposit.wallet_id" in wrong_id.mutant.suggestion
    delete = next(s for s in report.survivors if s.mutant.operator == "M207")
    assert (delete.line, delete.column) == _position(text, "delete")


def _dotted(path: tuple[str | int, ...]) -> list[str]:
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out[-1] += f"[{part}]"
        else:
            out.append(part)
    return out


def test_the_suggested_scenarios_pin_every_rule(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, _pinned())
    report = _report(spec)
    assert report.ok, [s.as_text("") for s in report.survivors]
    assert report.mutants == report.killed > 20
    result = cli("mutants", spec)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert f"{report.mutants} mutants, {report.mutants} killed, 0 survived in " in result.stderr


def test_the_swap_is_what_kills(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A control: with the mutated code never swapped in, nothing is killed. (The decider, the
    read model and the automation hold their functions, so swapping module attributes would not
    be seen either: the code objects are swapped.)"""
    spec, loaded = _load(write_spec(tmp_path, _pinned()))
    mutants, _ = catalog(spec, loaded)
    kinds = {}
    with harness(spec, tmp_path) as package:
        for mutant in mutants:
            if package.run(mutant):
                kinds.setdefault(mutant.unit.kind, mutant)
        assert set(kinds) == {"command", "evolve", "read_model", "automation"}
        monkeypatch.setattr(run_module, "_compile", lambda changed, filename: {})
        assert not any(package.run(mutant) for mutant in kinds.values())


def test_equivalent_mutants_are_not_counted(tmp_path: Path) -> None:
    text = WEAK.replace("- DepositNoted: {note: deposit}", "- MoneyDeposited")
    text = text.replace("DepositNoted: {note: deposit}]", "MoneyDeposited: {amount: 10}]")
    spec, loaded = _load(write_spec(tmp_path, text))
    mutants, _ = catalog(spec, loaded)
    # Two MoneyDeposited in a row: swapping them is no mutant at all.
    assert not [m for m in mutants if m.operator == "M203"]
    with harness(spec, tmp_path) as package:
        same = next(m for m in mutants if m.operator == "M202" and "Deposit" in m.path)
        assert package.run(same) is True
        # The replacement rendered to the same code (the original object itself): equivalent.
        original = spec.aggregates[0].command("Deposit")
        unchanged = type(same)(**{**same.__dict__, "replacement": original})
        assert package.run(unchanged) is None


def test_runs_in_one_process_do_not_collide(tmp_path: Path) -> None:
    """Two specs with the same package name, one after the other, each against its own code;
    nothing of either is left in sys.modules or sys.path."""
    weak = _report(write_spec(tmp_path / "weak", WEAK))
    pinned = _report(write_spec(tmp_path / "pinned", _pinned()))
    again = _report(write_spec(tmp_path / "again", WEAK))
    assert pinned.ok and not weak.ok
    assert [s.as_text("") for s in again.survivors] == [s.as_text("") for s in weak.survivors]
    assert not [name for name in sys.modules if name.split(".")[0] in ("wallets", "_eventforge")]
    assert not [p for p in sys.path if "eventforge-mutants-" in p]


def test_slice_limits_the_rules(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, WEAK)
    report = _report(spec, slice="Balances")
    assert {s.mutant.operator for s in report.survivors} == {"M207"}
    assert report.mutants == 4  # delete; the opening set (changed constant); the deposit set (2)
    deposit = _report(spec, slice="Deposit")
    assert {s.mutant.path[:4] for s in deposit.survivors} == {
        ("aggregates", "Wallet", "commands", "Deposit"),
        ("aggregates", "Wallet", "events", "MoneyDeposited"),  # what Deposit's events apply
    }


def test_custom_handlers_come_from_the_project(tmp_path: Path) -> None:
    """A custom command's rules are mutated, its decide() is the project's own; when the project
    has none, its scenarios that reach decide() cannot kill and the note says why."""
    text = WEAK.replace(
        "      LockWallet: {emits: [WalletLocked]}",
        "      LockWallet:\n        handler: custom\n        rejects: [{if: state.locked, error: WalletIsLocked}]\n"
        "        emits: [WalletLocked]",
    )
    text = text.replace(
        "read_models:",
        "      - name: locking\n"
        f"        given: [WalletOpened: {{owner: Ada, sponsor_id: {SPONSOR}}}]\n"
        "        when: {LockWallet: {}}\n        then: [WalletLocked: {}]\n"
        "      - name: locking twice\n"
        f"        given: [WalletOpened: {{owner: Ada, sponsor_id: {SPONSOR}}}, WalletLocked: {{}}]\n"
        "        when: {LockWallet: {}}\n        then: {error: WalletIsLocked}\n"
        "read_models:",
        1,
    )
    spec = write_spec(tmp_path, text)
    missing = _report(spec, slice="LockWallet")
    assert any("src/wallets/wallet/custom/lock_wallet.py is missing" in n for n in missing.notes)
    assert any(
        "LockWallet: handler custom, so only its rules are mutated" in n for n in missing.notes
    )
    assert not [n for n in missing.notes if "fails" in n]  # the stub's failures are expected
    handler = tmp_path / "src/wallets/wallet/custom/lock_wallet.py"
    handler.parent.mkdir(parents=True)
    handler.write_text(
        "from wallets.locking import locked\n\n\n"
        "def decide(command, state):\n    return [locked(command.wallet_id)]\n"
    )
    # A module the project added to the package, which the handler imports, comes along.
    (tmp_path / "src/wallets/locking.py").write_text(
        "from wallets.wallet.events import WalletLocked\n\n\n"
        "def locked(wallet_id):\n    return WalletLocked(wallet_id=wallet_id)\n"
    )
    written = _report(spec, slice="LockWallet")
    assert written.notes == (
        "LockWallet: handler custom, so only its rules are mutated (its decide() is hand-written)",
    )
    # The rule's mutants, and the apply of the event it emits, are all killed.
    assert written.ok and {s.mutant.operator for s in written.survivors} == set()
    assert written.mutants == 3  # the rule dropped; `locked` dropped, and set to False
    handler.write_text(
        "def decide(command, state):\n    return []\n"
    )  # the project's own code runs
    wrong = _report(spec, slice="LockWallet")
    assert wrong.notes[-1] == (
        "tests/wallet/test_lock_wallet.py::test_locking fails without any mutant, so it kills "
        "nothing: fix it first"
    )


def test_a_failing_scenario_is_reported_and_kills_nothing(tmp_path: Path) -> None:
    text = WEAK.replace("then: [Deposit: {amount: 5}]", "then: [Deposit: {amount: 6}]")
    report = _report(write_spec(tmp_path, text), slice="OpeningBonus")
    assert report.notes == (
        "tests/automations/test_opening_bonus.py::test_a_new_wallet_gets_a_bonus fails without "
        "any mutant, so it kills nothing: fix it first",
    )
    assert report.killed == 0


def test_the_catalog_of_a_small_spec(tmp_path: Path) -> None:
    spec, loaded = _load(write_spec(tmp_path, WEAK))
    mutants, notes = catalog(spec, loaded)
    assert notes == []
    swapped = [m for m in mutants if m.operator == "M203"]
    assert [(m.path[-2:], m.mutation) for m in swapped] == [
        (("emits", 0), "MoneyDeposited and DepositNoted swapped")
    ]
    command = swapped[0].replacement
    assert isinstance(command, type(spec.aggregates[0].commands[0]))
    assert [e.event for e in command.emits] == ["DepositNoted", "MoneyDeposited"]
    constant = next(m for m in mutants if m.path[-1] == "note")
    assert (constant.operator, constant.mutation) == ("M205", "`'deposit'` became `''`")
    # A set of the field's default (balance: 0 on WalletOpened) is not dropped, only changed.
    opening = [
        m for m in mutants if m.path[:4] == ("read_models", "Balances", "on", "WalletOpened")
    ]
    assert [(m.operator, m.mutation) for m in opening] == [
        ("M205", '`Decimal("0")` became `Decimal("1")`')
    ]


def test_the_examples_use_every_operator() -> None:
    """Together the examples make a mutant of every kind, and they kill them all (below)."""
    found: set[str] = set()
    for example in ("bank", "library", "orders", "cart"):
        spec, loaded = _load(EXAMPLES / example / "eventforge.yaml")
        found |= {m.operator for m in catalog(spec, loaded)[0]}
    assert found == set(OPERATORS)


@pytest.mark.parametrize(
    "example", ["bank", "library", "orders", "cart", "shopvertical", "emmett_cart"]
)
def test_the_examples_pin_every_rule(example: str) -> None:
    """A regression gate: every rule of every example is pinned by a scenario."""
    report = _report(EXAMPLES / example / "eventforge.yaml")
    assert report.ok, "\n".join(s.as_text(report.file) for s in report.survivors)
    assert report.mutants > 25
    assert not [n for n in report.notes if "fails" in n or "missing" in n or "import" in n]


# -- the command line --------------------------------------------------------------------------


def test_text_output_and_exit_code_when_some_survive(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, WEAK)
    result = cli("mutants", spec)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == len(SURVIVORS) + 2
    assert all(
        line.startswith(f"{spec}:") and ": survived[M" in line and " — add " in line
        for line in lines
    )
    summary = result.stderr.strip().splitlines()[-1]
    assert summary.startswith(
        f"{len(SURVIVORS) + 2 + _killed(spec)} mutants, {_killed(spec)} killed, {len(SURVIVORS) + 2} survived in "
    )


def _killed(spec: Path) -> int:
    return _report(spec).killed


def test_json_document(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, WEAK)
    result = cli("mutants", spec, "--slice", "Deposit", "--format", "json")
    assert result.exit_code == 1
    document = result.json()
    assert isinstance(document, dict)
    assert set(document) == {
        "ok",
        "spec",
        "slice",
        "mutants",
        "killed",
        "survived",
        "notes",
        "seconds",
    }
    assert document["ok"] is False and document["slice"] == "Deposit"
    assert document["mutants"] == document["killed"] + len(document["survived"])
    keys = {"code", "file", "path", "line", "column", "owner", "rule", "mutation", "suggestion"}
    for item in document["survived"]:
        assert set(item) == keys and item["file"] == str(spec)
    first = document["survived"][0]
    assert first["path"] == "aggregates.Wallet.commands.Deposit.rejects[0]"
    assert first["rule"] == "if state.locked: WalletIsLocked" and first["code"] == "M201"
    assert first["owner"] == "Deposit" and document["survived"][-1]["owner"] == "MoneyDeposited"


@pytest.mark.parametrize(
    ("argv", "exit_code", "code"),
    [
        (("{spec}", "--slice", "Nope"), 2, "E901"),
        (("{tmp}/absent.yaml",), 2, "E100"),
        (("{broken}",), 1, "E401"),
        (("{spec}", "--no-such-option"), 2, "E900"),
    ],
)
def test_usage_errors_and_invalid_specs(
    tmp_path: Path, argv: tuple[str, ...], exit_code: int, code: str
) -> None:
    spec = write_spec(tmp_path, WEAK)
    broken = write_spec(tmp_path / "broken", WEAK.replace("emits: [WalletOpened]", "emits: [Nope]"))
    args = [a.format(spec=spec, tmp=tmp_path, broken=broken) for a in argv]
    result = cli("mutants", *args, "--format", "json")
    assert result.exit_code == exit_code, result.stdout + result.stderr
    document = result.json()
    assert isinstance(document, dict) and document["ok"] is False
    assert [e["code"] for e in document["errors"]] == [code]
    text = cli("mutants", *args)
    assert text.exit_code == exit_code and text.stdout == ""
    assert code in text.stderr or code == "E900"  # click's own usage message in text


def test_context_lists_a_slices_unpinned_rules_only_when_asked(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, WEAK)
    plain = cli("context", spec, "--slice", "Balances")
    assert plain.exit_code == 0
    assert "Rules no scenario pins: `eventforge mutants --slice Balances`." in plain.stdout
    asked = cli("context", spec, "--slice", "Balances", "--mutants")
    assert asked.exit_code == 0
    assert "## Rules no scenario pins (1 of 4 mutants survive)" in asked.stdout
    line, _ = _position(spec.read_text(encoding="utf-8"), "WalletLocked: delete")
    assert (
        f"- line {line}, on WalletLocked: delete: the delete keeps the row. To pin it: "
        in asked.stdout
    )
    pinned = write_spec(tmp_path / "pinned", _pinned())
    done = cli("context", pinned, "--slice", "Balances", "--mutants")
    assert "- none: a scenario notices every change to its rules" in done.stdout
    whole = cli("context", spec, "--mutants", "--format", "json")
    assert whole.exit_code == 2
    assert [e["code"] for e in whole.json()["errors"]] == ["E900"]  # type: ignore[index]


def test_read_model_if_and_delete_where_are_pinned_only_by_their_scenarios(tmp_path: Path) -> None:
    """CartItems' `if: event.quantity > 0`: without the scenario adding no units, dropping the
    `if:` (M209) and moving its boundary (M102) go unnoticed; without the checked-out cart's,
    a delete_where that deletes nothing (M207)."""
    text = (EXAMPLES / "cart" / "eventforge.yaml").read_text(encoding="utf-8")
    start = text.index("      - name: no units added leave the line as it was\n")
    end = text.index("      - name: a removed item leaves its cart\n")
    spec = tmp_path / "eventforge.yaml"
    text = text[:start] + text[end:]
    start = text.index("      - name: a checked-out cart's lines leave, other carts' stay\n")
    end = text.index("          - {cart_id: cart-2, sku: tea, quantity: 1}\n", start)
    text = (
        text[:start] + text[end + len("          - {cart_id: cart-2, sku: tea, quantity: 1}\n") :]
    )
    spec.write_text(text, encoding="utf-8")
    report = _report(spec)
    survived = {(s.mutant.operator, s.mutant.path[-1]) for s in report.survivors}
    assert {("M209", "if"), ("M102", "if"), ("M207", "CartCheckedOutByCustomer")} <= survived
    assert _report(EXAMPLES / "cart" / "eventforge.yaml").ok

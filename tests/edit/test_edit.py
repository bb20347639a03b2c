"""Editing the spec from the command line: `eventforge add | remove | rename`.

The untouched parts of the spec stay byte for byte as written; an edit that would make the spec
invalid is refused and the file keeps its bytes; renames follow every reference.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import cli, copy_example, write_spec

from generator.cli.main import main
from generator.spec import analyze as analyze_module
from generator.spec import pieces
from generator.spec.load import load_text

# Comments, odd spacing, both quote styles, a flow list of one-key mappings, an explicit null:
# things ruamel.yaml would re-render its own way if the whole file were dumped again.
QUIRKY = """\
# The spec of a tiny shop.   Comments stay.
eventforge: 1
domain:   Shop            # two spaces after the colon
description: 'single-quoted, with a #hash'
types:
  Tag: {fields: {label: str}}
aggregates:
  Cart:
    state:
      items:    {type: int, default: 0}
      tags: {type: "list[Tag]", default: [{label: new}]}
      note: {type: "str?", default: null}

    errors:
      CartIsEmpty: "Nothing in the cart."

    events:
      CartOpened: {fields: {}}
      ItemAdded:
        fields: {count: int}
        apply: {items: "= state.items + event.count"}   # keep me

    commands:
      OpenCart: {creates: true, emits: [CartOpened]}
      AddItem:
        fields: {count: int}
        emits: [ItemAdded]
    scenarios:
      - name: adding counts
        given: [{CartOpened: {}}]
        when: {AddItem: {count: 2}}
        then: {events: [{ItemAdded: {count: 2}}], state: {items: 2}}
"""


def _ops(before: str, after: str) -> list[tuple[str, list[str], list[str]]]:
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [
        (tag, a[i1:i2], b[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    ]


def _only_inserted(before: str, after: str) -> list[str]:
    """The edit only inserted lines, in one block; returns them."""
    ops = _ops(before, after)
    assert [tag for tag, _, _ in ops] == ["insert"], ops
    return ops[0][2]


def _data(spec: Path) -> dict[str, Any]:
    """The spec as eventforge reads it (PyYAML alone would read the key `on` as True)."""
    return load_text(spec.read_text(encoding="utf-8"), str(spec)).data


# -- untouched parts stay byte for byte ------------------------------------------------------


def test_add_inserts_one_block_and_leaves_every_other_byte(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, QUIRKY)
    steps = [
        ("add", "error", "Cart", "CartIsClosed", "The cart is closed."),
        ("add", "event", "Cart", "CartClosed", "--field", "reason:str?"),
        ("add", "command", "Cart", "CloseCart", "--field", "reason:str?", "--emits", "CartClosed"),
        (
            "add",
            "scenario",
            "Cart",
            "--name",
            "closing",
            "--given",
            "CartOpened",
            "--when",
            "CloseCart: {reason: done}",
            "--then",
            "CartClosed: {reason: done}",
        ),
    ]
    for step in steps:
        before = spec.read_text(encoding="utf-8")
        result = cli(*step, "--spec", spec)
        assert result.exit_code == 0, result.stderr
        inserted = _only_inserted(before, spec.read_text(encoding="utf-8"))
        assert inserted, step
    assert cli("validate", spec).exit_code == 0
    text = spec.read_text(encoding="utf-8")
    for line in QUIRKY.splitlines():
        assert line in text.splitlines()  # every original line, with its spacing and quotes


@pytest.mark.parametrize(
    "example", ["bank", "orders", "library", "cart", "shopvertical", "emmett_cart"]
)
def test_edits_of_the_examples_touch_only_their_lines(tmp_path: Path, example: str) -> None:
    spec = copy_example(example, tmp_path)
    original = spec.read_text(encoding="utf-8")
    aggregate = next(iter(_data(spec)["aggregates"]))
    added = cli(
        "add", "error", aggregate, "SomethingIsWrong", "Something is wrong.", "--spec", spec
    )
    assert added.exit_code == 0, added.stderr
    [line] = _only_inserted(original, spec.read_text(encoding="utf-8"))
    assert line.strip() == "SomethingIsWrong: Something is wrong."
    renamed = cli("rename", "error", "SomethingIsWrong", "SomethingWentWrong", "--spec", spec)
    assert renamed.exit_code == 0, renamed.stderr
    removed = cli("remove", "error", "SomethingWentWrong", "--spec", spec)
    assert removed.exit_code == 0, removed.stderr
    assert spec.read_text(encoding="utf-8") == original


def test_a_rename_changes_only_the_names(tmp_path: Path) -> None:
    spec = copy_example("bank", tmp_path)
    before = spec.read_text(encoding="utf-8")
    result = cli("rename", "event", "MoneyDeposited", "FundsDeposited", "--spec", spec)
    assert result.exit_code == 0, result.stderr
    after = spec.read_text(encoding="utf-8")
    word = re.compile(r"\bMoneyDeposited\b")
    changed = 0
    for tag, old, new in _ops(before, after):
        assert tag == "replace" and len(old) == len(new)
        for a, b in zip(old, new, strict=True):
            assert word.sub("FundsDeposited", a) == b
            changed += 1
    assert changed == sum(1 for line in before.splitlines() if word.search(line)) > 5
    assert not word.search(after)
    assert cli("validate", spec).exit_code == 0


def test_windows_line_endings_and_a_final_blank_line_survive(tmp_path: Path) -> None:
    spec = tmp_path / "eventforge.yaml"
    spec.write_bytes(QUIRKY.replace("\n", "\r\n").encode())
    assert cli("add", "error", "Cart", "CartIsFull", "Full.", "--spec", spec).exit_code == 0
    raw = spec.read_bytes()
    assert b"\r\n      CartIsFull: Full.\r\n" in raw
    assert raw.replace(b"      CartIsFull: Full.\r\n", b"") == QUIRKY.replace("\n", "\r\n").encode()


def test_a_spec_that_is_a_link_is_edited_where_it_lives_and_stays_a_link(tmp_path: Path) -> None:
    """A spec shared by a link (a monorepo's one spec, say) is edited in place: replacing the link
    with an edited copy would leave the shared spec unedited and the link gone, without a word."""
    shared = tmp_path / "shared" / "eventforge.yaml"
    shared.parent.mkdir()
    shared.write_text(QUIRKY)
    spec = tmp_path / "project" / "eventforge.yaml"
    spec.parent.mkdir()
    spec.symlink_to(Path("..") / "shared" / "eventforge.yaml")
    assert cli("add", "error", "Cart", "CartIsFull", "Full.", "--spec", spec).exit_code == 0
    assert spec.is_symlink()
    assert "      CartIsFull: Full.\n" in shared.read_text()
    assert sorted(p.name for p in shared.parent.iterdir()) == ["eventforge.yaml"]


# -- refused edits -----------------------------------------------------------------------------


def test_an_edit_that_would_be_invalid_is_refused_and_the_file_is_unchanged(tmp_path: Path) -> None:
    spec = copy_example("bank", tmp_path)
    before = spec.read_bytes()
    result = cli(
        "add", "command", "Account", "FreezeAccount", "--emits", "AccountFrozen", "--spec", spec
    )
    assert result.exit_code == 1
    assert re.search(r"eventforge\.yaml:\d+:\d+: error\[E401\]: .*AccountFrozen", result.stderr)
    assert "not changed" in result.stderr
    assert spec.read_bytes() == before
    as_json = cli(
        "add",
        "command",
        "Account",
        "FreezeAccount",
        "--emits",
        "AccountFrozen",
        "--spec",
        spec,
        "--format",
        "json",
    ).json()
    assert isinstance(as_json, dict) and as_json["ok"] is False
    [error] = [e for e in as_json["errors"] if e["code"] == "E401"]
    assert error["path"] == "aggregates.Account.commands.FreezeAccount.emits[0]"
    assert error["line"] > 0 and error["column"] > 0 and error["hint"]
    assert "+      FreezeAccount:" in as_json["diff"]  # the refused change, for the positions
    assert spec.read_bytes() == before


@pytest.mark.parametrize(
    ("argv", "code", "exit_code"),
    [
        (("add", "command", "Nope", "DoIt", "--emits", "AccountOpened"), "E901", 2),
        (("add", "event", "Account", "Thing", "--field", "amount"), "E900", 2),
        (("add", "event", "Account", "DepositMoney"), "E302", 1),
        (("add", "error", "Account", "AccountIsClosed", "again"), "E302", 1),
        (("rename", "command", "Nope", "Other"), "E901", 2),
        (("remove", "scenario", "Account", "no such scenario"), "E901", 2),
        (
            ("add", "scenario", "Account", "--name", "x", "--when", "DepositMoney: {amount: 1}"),
            "E900",
            2,
        ),
        (("add", "event", "Account", "Thing", "--apply", "balance: [unclosed"), "E900", 2),
    ],
)
def test_bad_edits_are_refused_with_a_code(
    tmp_path: Path, argv: tuple[str, ...], code: str, exit_code: int
) -> None:
    spec = copy_example("bank", tmp_path)
    before = spec.read_bytes()
    result = cli(*argv, "--spec", spec, "--format", "json")
    assert result.exit_code == exit_code, result.stdout
    document = result.json()
    assert isinstance(document, dict)
    assert code in [e["code"] for e in document["errors"]]
    assert spec.read_bytes() == before


def test_a_name_not_found_among_many_is_hinted_with_the_closest_few(tmp_path: Path) -> None:
    """A spec of 30 aggregates: the hint names the nearest and counts the rest, not all 30."""
    names = [f"Ledger{n:02d}" for n in range(30)]
    spec = write_spec(
        tmp_path,
        "eventforge: 1\ndomain: Books\naggregates:\n"
        + "".join(f"  {name}:\n    state: {{n: int}}\n" for name in names),
    )
    result = cli("remove", "aggregate", "Ledger7", "--spec", spec, "--format", "json")
    document = result.json()
    assert result.exit_code == 2 and isinstance(document, dict)
    [error] = document["errors"]
    hint = error["hint"]
    assert error["code"] == "E901" and hint.startswith("declared: Ledger")
    assert "Ledger07," in hint and hint.endswith(" and 18 more") and hint.count("Ledger") == 12


def test_a_missing_spec_is_an_io_error(tmp_path: Path) -> None:
    result = cli("add", "error", "Account", "X", "--spec", tmp_path / "absent.yaml")
    assert result.exit_code == 2
    assert "E100" in result.stderr


def test_a_failed_write_leaves_the_spec_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = copy_example("bank", tmp_path)
    before = spec.read_bytes()

    def broken_replace(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        main.main(["add", "error", "Account", "X", "--spec", str(spec)], standalone_mode=False)
    assert spec.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["eventforge.yaml"]


def test_dry_run_shows_the_diff_and_writes_nothing(tmp_path: Path) -> None:
    spec = copy_example("bank", tmp_path)
    before = spec.read_bytes()
    result = cli(
        "add", "error", "Account", "AccountIsFrozen", "Frozen.", "--spec", spec, "--dry-run"
    )
    assert result.exit_code == 0
    assert "+      AccountIsFrozen: Frozen." in result.stdout
    assert spec.read_bytes() == before


# -- what the edits write ----------------------------------------------------------------------


def test_fields_are_name_type_pairs(tmp_path: Path) -> None:
    spec = copy_example("bank", tmp_path)
    result = cli(
        "add",
        "event",
        "Account",
        "AccountTagged",
        "--field",
        "amount:decimal",
        "--field",
        "note:str?",
        "--field",
        "tags:list[str]",
        "--field",
        "limit:decimal=0",
        "--field",
        "holds:map[str, int]",
        "--field",
        "grace:duration=24h",
        "--spec",
        spec,
    )
    assert result.exit_code == 0, result.stderr
    event = _data(spec)["aggregates"]["Account"]["events"]["AccountTagged"]
    assert event == {
        "fields": {
            "amount": "decimal",
            "note": "str?",
            "tags": "list[str]",
            "limit": {"type": "decimal", "default": 0},
            "holds": "map[str, int]",
            "grace": {"type": "duration", "default": "24h"},
        }
    }


def test_strings_yaml_would_misread_are_quoted(tmp_path: Path) -> None:
    spec = copy_example("bank", tmp_path)
    for name, message in (
        ("AccountSaysNo", "no"),
        ("AccountAtTen", "10:30"),
        ("AccountNull", "null"),
    ):
        assert cli("add", "error", "Account", name, message, "--spec", spec).exit_code == 0
    errors = _data(spec)["aggregates"]["Account"]["errors"]
    assert (errors["AccountSaysNo"], errors["AccountAtTen"], errors["AccountNull"]) == (
        "no",
        "10:30",
        "null",
    )


def test_a_whole_slice_can_be_added(tmp_path: Path) -> None:
    spec = copy_example("bank", tmp_path)
    steps = [
        ("add", "field", "Account", "frozen:bool=false"),
        ("add", "error", "Account", "AccountIsFrozen", "The account is frozen."),
        (
            "add",
            "event",
            "Account",
            "AccountFrozen",
            "--field",
            "reason:str",
            "--apply",
            "frozen: true",
        ),
        (
            "add",
            "command",
            "Account",
            "FreezeAccount",
            "--field",
            "reason:str",
            "--emits",
            "AccountFrozen",
            "--reject",
            "AccountIsClosed: state.closed",
            "--reject",
            "AccountIsFrozen: state.frozen",
        ),
        (
            "add",
            "scenario",
            "Account",
            "--name",
            "a frozen account cannot be frozen again",
            "--given",
            "AccountOpened: {owner: Ada, overdraft_limit: 0}",
            "--given",
            "AccountFrozen: {reason: x}",
            "--when",
            "FreezeAccount: {reason: y}",
            "--then-error",
            "AccountIsFrozen",
        ),
        (
            "add",
            "read-model",
            "FrozenAccounts",
            "--key",
            "account_id",
            "--field",
            "reason:str",
            "--on",
            "AccountFrozen: {set: {reason: = event.reason}}",
            "--on",
            "AccountClosed: delete",
        ),
        (
            "add",
            "automation",
            "CloseFrozenAccounts",
            "--on",
            "AccountFrozen",
            "--send",
            "CloseAccount: {account_id: = event.account_id}",
        ),
        ("add", "aggregate", "Customer", "--state", "name:str"),
        ("add", "event", "Customer", "CustomerRegistered", "--field", "name:str"),
        (
            "add",
            "command",
            "Customer",
            "RegisterCustomer",
            "--creates",
            "--field",
            "name:str",
            "--emits",
            "CustomerRegistered",
        ),
    ]
    for step in steps:
        result = cli(*step, "--spec", spec)
        assert result.exit_code == 0, (step, result.stderr)
    data = _data(spec)
    command = data["aggregates"]["Account"]["commands"]["FreezeAccount"]
    assert command["rejects"] == [
        {"if": "state.closed", "error": "AccountIsClosed"},
        {"if": "state.frozen", "error": "AccountIsFrozen"},
    ]
    assert data["read_models"]["FrozenAccounts"]["on"]["AccountFrozen"] == {
        "set": {"reason": "= event.reason"}
    }
    assert data["automations"]["CloseFrozenAccounts"]["send"] == {
        "CloseAccount": {"account_id": "= event.account_id"}
    }
    assert data["aggregates"]["Customer"] == {
        "id": "customer_id",
        "state": {"name": "str"},
        "events": {"CustomerRegistered": {"fields": {"name": "str"}}},
        "commands": {
            "RegisterCustomer": {
                "creates": True,
                "fields": {"name": "str"},
                "emits": ["CustomerRegistered"],
            }
        },
    }
    assert "- if: state.closed" in spec.read_text(
        encoding="utf-8"
    )  # block style, like the examples
    assert cli("generate", spec).exit_code == 0


def test_remove_takes_a_commands_scenarios_but_refuses_what_is_still_used(tmp_path: Path) -> None:
    spec = copy_example("bank", tmp_path)
    used = cli("remove", "command", "DepositMoney", "--spec", spec, "--format", "json")
    assert used.exit_code == 1  # the automation WelcomeBonus sends it
    assert [e["code"] for e in used.json()["errors"]] == ["E403"]
    assert cli("remove", "automation", "WelcomeBonus", "--spec", spec).exit_code == 0
    removed = cli("remove", "command", "DepositMoney", "--spec", spec, "--format", "json").json()
    assert removed["notes"] == [
        f"removed its scenario {name!r}"
        for name in (
            "deposits add up",
            "a deposit of nothing is refused",
            "the smallest deposit is accepted",
            "a closed account takes no deposits",
        )
    ]
    assert "WelcomeBonus" not in _data(spec)["automations"]
    assert cli("validate", spec).exit_code == 0
    text = spec.read_text(encoding="utf-8")
    assert "# evolve by default" in text  # a comment of the event above stays


# -- renames follow every reference ------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "old", "new"),
    [
        ("event", "AccountOpened", "AccountStarted"),
        ("command", "DepositMoney", "PayIn"),
        ("error", "InsufficientFunds", "NotEnoughMoney"),
        ("type", "Currency", "Coin"),
        ("aggregate", "Account", "Wallet"),
        ("read-model", "AccountBalances", "Balances"),
        ("automation", "WelcomeBonus", "OpeningBonus"),
    ],
)
def test_a_rename_follows_every_reference(tmp_path: Path, kind: str, old: str, new: str) -> None:
    spec = copy_example("bank", tmp_path)
    result = cli("rename", kind, old, new, "--spec", spec, "--format", "json")
    assert result.exit_code == 0, result.stdout
    text = spec.read_text(encoding="utf-8")
    assert not re.search(rf"\b{old}\b", text.split("\n", 1)[1])
    assert re.search(rf"\b{new}\b", text)
    assert cli("validate", spec).exit_code == 0


def test_an_event_rename_reports_every_place_it_changed(tmp_path: Path) -> None:
    spec = copy_example("bank", tmp_path)
    result = cli(
        "rename", "event", "AccountOpened", "AccountStarted", "--spec", spec, "--format", "json"
    )
    changed = result.json()["changed"]
    assert "aggregates.Account.events.AccountStarted" in changed
    assert "aggregates.Account.commands.OpenAccount.emits[0]" in changed
    assert "read_models.AccountBalances.on.AccountStarted" in changed
    assert "automations.WelcomeBonus.on" in changed
    assert any(c.startswith("automations.WelcomeBonus.scenarios[0].given") for c in changed)


def test_a_rename_lists_the_user_files_that_mention_the_old_name(bank: Path) -> None:
    custom = bank.parent / "src/bank/account/custom/close_account.py"
    assert custom.is_file()
    result = cli(
        "rename", "command", "CloseAccount", "ShutAccount", "--spec", bank, "--format", "json"
    )
    assert result.exit_code == 0, result.stdout
    document = result.json()
    assert isinstance(document, dict)
    paths = {m["path"] for m in document["mentions"]}
    assert "src/bank/account/custom/close_account.py" in paths
    for mention in document["mentions"]:
        assert mention["line"] > 0 and re.search(r"CloseAccount|close_account", mention["text"])
    assert any("custom/shut_account.py" in note for note in document["notes"])
    back = cli("rename", "command", "ShutAccount", "CloseAccount", "--spec", bank)
    assert "src/bank/account/custom/close_account.py:" not in back.stdout  # it names CloseAccount


def test_a_rename_of_a_stored_event_warns_that_generate_will_refuse(bank: Path) -> None:
    result = cli(
        "rename", "event", "MoneyDeposited", "FundsDeposited", "--spec", bank, "--format", "json"
    )
    assert result.exit_code == 0
    warnings = result.json()["warnings"]
    assert [w["code"] for w in warnings] == ["E800"]
    assert warnings[0]["level"] == "warning"


# -- help ---------------------------------------------------------------------------------------


def test_every_edit_command_has_help_with_an_example() -> None:
    for group in ("add", "remove", "rename"):
        listing = cli(group, "--help")
        assert listing.exit_code == 0
        command = main.commands[group]
        assert hasattr(command, "commands")
        for name in command.commands:  # type: ignore[attr-defined]
            result = cli(group, name, "--help")
            assert result.exit_code == 0
            assert "Example" in result.stdout and f"eventforge {group} {name}" in result.stdout, (
                group,
                name,
            )


def test_add_automation_writes_processes(tmp_path: Path) -> None:
    spec = copy_example("bank", tmp_path)
    listed = cli(
        "add", "automation", "MatchBigMoves", "--on", "MoneyDeposited", "--on", "MoneyWithdrawn",
        "--if", "event.amount > 1000",
        "--read", "balance: {read_model: AccountBalances, key: = event.account_id}",
        "--send", "{DepositMoney: {account_id: = event.account_id, amount: 1}, if: balance is not None}",
        "--send", "WithdrawMoney: {account_id: = event.account_id, amount: 1}",
        "--spec", spec,
    )  # fmt: skip
    assert listed.exit_code == 0, listed.stderr
    undo = cli(
        "add", "automation", "UndoReturns", "--on-rejected", "ReturnTransfer", "--custom",
        "--send", "ReturnTransfer", "--spec", spec,
    )  # fmt: skip
    assert undo.exit_code == 0, undo.stderr
    data = _data(spec)["automations"]
    assert data["MatchBigMoves"] == {
        "on": ["MoneyDeposited", "MoneyWithdrawn"],
        "if": "event.amount > 1000",
        "reads": {"balance": {"read_model": "AccountBalances", "key": "= event.account_id"}},
        "send": [
            {
                "DepositMoney": {"account_id": "= event.account_id", "amount": 1},
                "if": "balance is not None",
            },
            {"WithdrawMoney": {"account_id": "= event.account_id", "amount": 1}},
        ],
    }
    assert data["UndoReturns"] == {
        "on": {"rejected": "ReturnTransfer"},
        "handler": "custom",
        "send": {"ReturnTransfer": {}},
    }
    both = cli(
        "add", "automation", "Both", "--on", "MoneyDeposited", "--on-rejected", "ReturnTransfer",
        "--send", "ReturnTransfer", "--spec", spec, "--format", "json",
    )  # fmt: skip
    assert both.exit_code == 2
    assert "one of them" in str(both.json())


def test_an_edit_after_a_generate_parses_and_analyses_only_what_it_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last generate's load and analysis caches: the spec before the edit is not parsed
    again, and an aggregate that reads nothing the edit changed is not analysed again."""
    spec = copy_example("cart", tmp_path)
    assert cli("generate", spec).exit_code == 0
    parsed: list[str] = []
    analysed: list[str] = []
    real_parse, real_aggregate = pieces.parse_piece, analyze_module._aggregate

    def parse(text: str, *args: Any) -> Any:
        parsed.append(text.split("\n")[0].strip())
        return real_parse(text, *args)

    def aggregate(ctx: Any, name: str) -> Any:
        analysed.append(name)
        return real_aggregate(ctx, name)

    monkeypatch.setattr(pieces, "parse_piece", parse)
    monkeypatch.setattr(analyze_module, "_aggregate", aggregate)
    assert cli("add", "error", "Customer", "ZzRefused", "No.", "--spec", spec).exit_code == 0
    assert parsed == ["Customer:"]
    # Cart reads what Customer declares and is analysed again; Product reads nothing of it.
    assert "Customer" in analysed and "Product" not in analysed


def test_an_edit_with_and_without_the_caches_reports_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warning the edit brings (an event no command emits) is reported alike, whether the
    spec before it comes from the caches or is parsed and analysed anew."""
    spec = copy_example("cart", tmp_path)
    assert cli("generate", spec).exit_code == 0
    before = spec.read_bytes()
    reports = []
    for no_cache in ("", "1"):
        spec.write_bytes(before)
        monkeypatch.setenv("EVENTFORGE_NO_TEMPLATE_CACHE", no_cache)
        result = cli("add", "event", "Customer", "ZzNoticed", "--spec", spec, "--format", "json")
        document = result.json()
        assert result.exit_code == 0 and isinstance(document, dict)
        reports.append((document["warnings"], document["diff"], spec.read_text()))
    assert reports[0] == reports[1]
    assert [w["code"] for w in reports[0][0]] == ["W442"]

"""What an agent reads: AGENTS.md and CLAUDE.md in the generated project, `context`, `slices`,
and the self-contained `prompt`."""

from __future__ import annotations

import json
import re
import shlex
import socket
from pathlib import Path

import click
import pytest
from conftest import ROOT, cli, copy_example, write_spec

from generator.build.write import MANIFEST
from generator.cli.main import main

SHOP = """
eventforge: 1
domain: Shop
aggregates:
  Cart:
    state: {items: {type: int, default: 0}}
    events:
      CartOpened: {fields: {}}
      ItemAdded: {fields: {count: int}, apply: {items: "= state.items + event.count"}}
      DiscountGiven: {fields: {percent: int}}
    commands:
      OpenCart: {creates: true, emits: [CartOpened]}
      AddItem:
        handler: custom
        fields: {count: int}
        emits: [ItemAdded]
      GiveDiscount:
        handler: custom
        fields: {percent: int}
        emits: [DiscountGiven]
    scenarios:
      - name: adding counts
        given: [{CartOpened: {}}]
        when: {AddItem: {count: 2}}
        then: {events: [{ItemAdded: {count: 2}}], state: {items: 2}}
"""


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    spec = write_spec(tmp_path / "shop", SHOP)
    assert cli("generate", spec).exit_code == 0
    return spec


# -- AGENTS.md ----------------------------------------------------------------------------------

_TICKED = re.compile(r"`([^`]+)`")
_COMMAND = re.compile(r"eventforge ([a-z-]+)(?: ([a-z-]+))?")


def _named_paths(text: str) -> list[str]:
    """Backticked tokens that are paths: with a slash or a file extension, no spaces."""
    paths = []
    for token in _TICKED.findall(text):
        if " " in token or token.startswith("-") or token.startswith("eventforge"):
            continue
        if "/" in token or re.search(r"\.(py|md|toml|yaml|json|lock)$", token):
            paths.append(token)
    return paths


def _named_commands(text: str) -> list[list[str]]:
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        joined = block.replace("\\\n", " ")
        commands += [shlex.split(line)[:3] for line in joined.splitlines() if "eventforge" in line]
    for token in _TICKED.findall(text):
        match = _COMMAND.match(token)
        if match:
            commands.append(["eventforge", *(g for g in match.groups() if g)])
    return commands


def _check_agents_md(project: Path) -> str:
    text = (project / "AGENTS.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) < 150
    paths = _named_paths(text)
    assert len(paths) >= 6, paths
    # Where hand-written files go (`custom/`) is named even before the first one exists.
    customs = any(p.is_dir() for p in project.rglob("custom"))
    for path in paths:
        if not customs and path.split("/")[0] == "custom":
            continue
        if "<" in path:  # a pattern like custom/upcast_<event>.py: its folder must exist
            folder = path.split("<")[0].rsplit("/", 1)[0]
            assert any(p.is_dir() for p in project.rglob(folder)), path
        elif path.endswith("/") and path.count("/") == 1:  # a folder name, like custom/
            assert any(p.is_dir() for p in project.rglob(path[:-1])), path
        else:
            assert (project / path).exists(), path
    commands = _named_commands(text)
    assert len({tuple(c[:2]) for c in commands}) >= 8, commands
    for command in commands:
        assert command[0] == "eventforge"
        found: click.Command = main
        for word in command[1:]:
            if not isinstance(found, click.Group) or word.startswith(("-", "'", '"')):
                break
            sub = found.get_command(click.Context(found), word)
            assert sub is not None, command
            found = sub
    return text


def test_agents_md_names_only_commands_and_paths_that_exist(bank: Path) -> None:
    project = bank.parent
    text = _check_agents_md(project)
    for topic in ("## The loop", "never edit", "yours", "red", "version:", "upcast:"):
        assert topic in text, topic
    assert "`src/bank/account/custom/close_account.py`" in text
    assert (project / "CLAUDE.md").read_text(encoding="utf-8").count("\n") == 1
    assert "@AGENTS.md" in (project / "CLAUDE.md").read_text(encoding="utf-8")
    manifest = json.loads((project / MANIFEST).read_text(encoding="utf-8"))["files"]
    assert manifest["AGENTS.md"]["owner"] == manifest["CLAUDE.md"]["owner"] == "generated"


def test_agents_md_lists_every_custom_handler(shop: Path) -> None:
    text = _check_agents_md(shop.parent)
    assert (
        "`src/shop/cart/custom/add_item.py`: `decide(AddItem(cart_id, count: int), state) -> list[ItemAdded]`"
        in text
    )
    assert "`src/shop/cart/custom/give_discount.py`" in text


def test_the_committed_examples_carry_agents_md() -> None:
    for example in ("bank", "orders", "library", "cart", "shopvertical", "emmett_cart"):
        _check_agents_md(ROOT / "examples" / example)


# -- context and slices -------------------------------------------------------------------------


@pytest.fixture
def bank_stub(bank: Path) -> Path:
    """The bank with CloseAccount's decide() still the stub generate writes."""
    (bank.parent / "src/bank/account/custom/close_account.py").unlink()
    assert cli("generate", bank).exit_code == 0
    return bank


def test_context_of_the_domain_is_small_and_complete(bank_stub: Path) -> None:
    bank = bank_stub
    result = cli("context", bank, "--format", "json")
    assert result.exit_code == 0
    document = result.json()
    assert isinstance(document, dict)
    markdown = document["markdown"]
    assert document["bytes"] == len(markdown.encode()) < 4000
    assert 0 < document["tokens_estimate"] < document["bytes"]
    for name in ("Account", "DepositMoney", "MoneyDeposited", "AccountBalances", "WelcomeBonus"):
        assert name in markdown
    assert "CloseAccount (custom, emits AccountClosed): custom handler missing" in markdown


def test_context_of_a_command_names_its_rules_events_scenarios_and_files(bank: Path) -> None:
    result = cli("context", bank, "--slice", "WithdrawMoney")
    assert result.exit_code == 0
    text = result.stdout
    assert "# Slice WithdrawMoney: a command of Account" in text
    assert (
        "- if `command.amount > state.balance + state.overdraft_limit`: reject with InsufficientFunds"
        in text
    )
    assert (
        'MoneyWithdrawn(amount: decimal), apply {balance: "= state.balance - event.amount"}' in text
    )
    assert "- read by its rules: balance, closed, overdraft_limit" in text
    assert "- changed by its events: balance" in text
    assert (
        "**withdrawing past the overdraft is refused**" in text
        and "then {error: InsufficientFunds}" in text
    )
    assert (
        "`src/bank/account/withdraw_money.py`" in text
        and "`tests/account/test_withdraw_money.py`" in text
    )
    assert "write: nothing by hand" in text
    assert "bytes, about" in result.stderr


def test_context_of_a_custom_command_says_what_to_write(bank_stub: Path) -> None:
    text = cli("context", bank_stub, "--slice", "CloseAccount").stdout
    assert "Status: **custom handler missing**" in text
    assert (
        "write `decide(CloseAccount(account_id), state) -> list[AccountClosed]` in `src/bank/account/custom/close_account.py`"
        in text
    )


@pytest.mark.parametrize(
    "name", ["AccountBalances", "WelcomeBonus", "ReturnRejectedTransfers", "Account"]
)
def test_context_of_read_models_automations_and_aggregates(bank: Path, name: str) -> None:
    result = cli("context", bank, "--slice", name, "--format", "json")
    assert result.exit_code == 0
    document = result.json()
    assert isinstance(document, dict) and document["slice"] == name
    # AccountBalances handles seven events since the bank has transfers: about 2.7 kB
    assert name in document["markdown"] and document["bytes"] < 3000


def test_slices_report_their_status(shop: Path) -> None:
    def statuses() -> dict[str, str]:
        document = cli("slices", shop, "--format", "json").json()
        assert isinstance(document, dict)
        return {s["name"]: s["status"] for s in document["slices"]}

    assert statuses() == {
        "OpenCart": "implemented",
        "AddItem": "custom handler missing",
        "GiveDiscount": "custom handler missing",
    }
    handler = shop.parent / "src/shop/cart/custom/add_item.py"
    handler.write_text(
        handler.read_text().replace(
            "    raise NotImplementedError(",
            "    return [ItemAdded(cart_id=command.cart_id, count=command.count)]\n    raise NotImplementedError(",
        )
    )
    assert statuses()["AddItem"] == "implemented"
    (shop.parent / "src/shop/cart/add_item.py").unlink()
    assert statuses()["AddItem"] == "not generated"


# -- prompt -----------------------------------------------------------------------------------------


def test_prompt_is_self_contained_and_makes_no_network_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_network(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("eventforge prompt must not touch the network")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    description = "A climbing gym: members book routes; a route has a grade."
    result = cli("prompt", description, "--format", "json")
    assert result.exit_code == 0
    document = result.json()
    assert isinstance(document, dict)
    prompt = document["prompt"]
    assert prompt.count(description) == 2  # at the top and again at the end
    reference = (ROOT / "docs/spec-language.md").read_text(encoding="utf-8")
    assert "## Filling event fields" in reference and "### Filling event fields" in prompt
    assert '"$schema":"https://json-schema.org/draft/2020-12/schema"' in prompt
    assert "domain: Lending Library" in prompt  # the worked example
    assert "past tense" in prompt and "`state_schema`" in prompt  # naming rules, reserved names
    assert "eventforge validate --format json" in prompt and "hint" in prompt
    # Read models: the reference's section, the schema's keys and the rule to prefer them.
    assert "### Read models" in prompt and '"delete_where":' in prompt and '"index":' in prompt
    assert "`key: [cart_id, product_id]`: one row per" in prompt
    assert document["bytes"] == len(prompt.encode()) and document["tokens_estimate"] > 1000


def test_prompt_reads_the_description_from_stdin() -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["prompt", "-"], input="A bakery that takes orders.\n")
    assert result.exit_code == 0
    assert "A bakery that takes orders." in result.stdout


@pytest.mark.parametrize(
    "example", ["bank", "orders", "library", "cart", "shopvertical", "emmett_cart"]
)
def test_context_of_every_slice_of_every_example(example: str) -> None:
    from generator.agent.context import names
    from generator.spec.validate import validate_file

    spec_path = ROOT / "examples" / example / "eventforge.yaml"
    spec, _ = validate_file(spec_path)
    assert spec is not None
    for name in names(spec):
        document = cli("context", spec_path, "--slice", name, "--format", "json").json()
        assert isinstance(document, dict) and document["ok"], name
        assert document["bytes"] < 4000, name  # small enough to paste
        assert "Status: **implemented**" in document["markdown"] or document["kind"] == "aggregate"


def test_context_shows_the_types_a_command_uses() -> None:
    spec = ROOT / "examples/orders/eventforge.yaml"
    text = cli("context", spec, "--slice", "PlaceOrder").stdout
    assert "## Types it uses" in text
    assert "- Address: {name: str, street: str" in text
    assert (
        "- Money: {amount: decimal, currency: Currency}" in text
    )  # used by OrderLine, itself used


def test_context_of_a_read_model_names_its_key_fields_index_and_custom_update(
    tmp_path: Path,
) -> None:
    spec = copy_example("cart", tmp_path)
    added = cli(
        "add", "read-model", "Popularity", "--key", "sku", "--field", "added:int", "--custom",
        "--on", "ItemAdded", "--spec", spec,
    )  # fmt: skip
    assert added.exit_code == 0
    items = cli("context", spec, "--slice", "CartItems").stdout
    assert (
        "- key: [cart_id, sku]; fields: line: str, quantity: int, price: decimal; index: [sku]"
        in items
    )
    popular = cli("context", spec, "--slice", "Popularity").stdout
    assert "- key: sku; fields: added: int; update(): hand-written (`handler: custom`)" in popular
    assert ": custom update()" in popular

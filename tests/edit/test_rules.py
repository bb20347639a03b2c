"""`eventforge add reject | emit | read`: a rule, an `emits` entry or a read added to a command
that exists, in the spec's own layout, validated before it is written."""

from __future__ import annotations

from pathlib import Path

from conftest import cli, write_spec

from generator.spec.validate import validate_file

SHOP = """\
eventforge: 1
domain: Shop
aggregates:
  Cart:
    state:
      items: {type: int, default: 0}   # keep me
    errors:
      CartIsFull: The cart is full.
    events:
      CartOpened: {fields: {}}
      ItemAdded: {fields: {count: int}, apply: {items: "= state.items + event.count"}}
      CartLimitReached: {fields: {}}
    commands:
      AddItem:
        creates: if-missing
        fields: {count: int}
        emits: [ItemAdded]
read_models:
  Carts:
    key: cart_id
    fields: {items: int}
    on:
      ItemAdded: {set: {items: "= row.items + event.count"}}
"""


def _spec(tmp_path: Path) -> Path:
    return write_spec(tmp_path / "shop", SHOP)


def _added(spec: Path, *args: str) -> str:
    before = spec.read_text()
    result = cli("add", *args, "--spec", spec)
    assert result.exit_code == 0, result.stdout + result.stderr
    after = spec.read_text()
    assert after.startswith(before.split("    commands:")[0])  # what comes before is untouched
    return after


def test_a_rule_that_raises_and_one_that_records(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    _added(spec, "reject", "AddItem", "--if", "command.count <= 0", "--error", "CartIsFull")
    text = _added(
        spec, "reject", "AddItem", "--if", "state.items >= 3", "--emits", "CartLimitReached"
    )
    assert (
        "        fields: {count: int}\n"
        "        rejects:\n"
        "          - if: command.count <= 0\n"
        "            error: CartIsFull\n"
        "          - if: state.items >= 3\n"
        "            emits: [CartLimitReached]\n"
        "        emits: [ItemAdded]\n"
    ) in text
    model, _ = validate_file(spec)
    assert model is not None
    [command] = model.aggregates[0].commands
    assert [(g.error, [e.event for e in g.emits]) for g in command.guards] == [
        ("CartIsFull", []),
        ("", ["CartLimitReached"]),
    ]


def test_an_emitted_event_with_if_turns_the_list_into_blocks(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    text = _added(spec, "emit", "AddItem", "CartOpened", "--if", "not state.exists")
    assert (
        "        emits:\n"
        "          - ItemAdded\n"
        "          - CartOpened: {}\n"
        "            if: not state.exists\n"
    ) in text
    text = _added(spec, "emit", "AddItem", "ItemAdded: {count: 1}")
    assert "          - ItemAdded: {count: 1}\n" in text
    model, _ = validate_file(spec)
    assert model is not None
    emits = model.aggregates[0].commands[0].emits
    assert [(e.event, e.condition) for e in emits] == [
        ("ItemAdded", None),
        ("CartOpened", "not state.exists"),
        ("ItemAdded", None),
    ]


def test_a_plain_event_stays_in_a_flow_list(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    text = _added(spec, "emit", "AddItem", "CartOpened")
    assert "        emits: [ItemAdded, CartOpened]\n" in text


def test_a_read_goes_before_the_rules(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    _added(spec, "reject", "AddItem", "--if", "command.count <= 0", "--error", "CartIsFull")
    text = _added(
        spec, "read", "AddItem", "cart", "--read-model", "Carts", "--key", "= command.cart_id"
    )
    assert (
        "        fields: {count: int}\n"
        "        reads:\n"
        '          cart: {read_model: Carts, key: "= command.cart_id"}\n'
        "        rejects:\n"
    ) in text
    model, _ = validate_file(spec)
    assert model is not None
    [read] = model.aggregates[0].commands[0].reads
    assert (read.name, read.kind, read.key) == ("cart", "row", "command.cart_id")


def test_edits_that_would_be_invalid_are_refused_and_change_nothing(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    before = spec.read_bytes()
    for args, code in [
        (("reject", "AddItem", "--if", "command.count <= 0", "--error", "Nope"), "E402"),
        (("reject", "AddItem", "--if", "command.nope", "--emits", "CartOpened"), "E503"),
        (("emit", "AddItem", "CartOpened", "--if", "state.items"), "E504"),
        (("emit", "Nope", "CartOpened"), "E901"),
        (("read", "AddItem", "cart", "--read-model", "Nope", "--key", "= command.cart_id"), "E414"),
        (
            ("read", "AddItem", "count", "--read-model", "Carts", "--key", "= command.cart_id"),
            "E415",
        ),
    ]:
        result = cli("add", *args, "--spec", spec, "--format", "json")
        assert result.exit_code in (1, 2), (args, result.stdout)
        assert f'"{code}"' in result.stdout, (args, result.stdout)
        assert spec.read_bytes() == before


def test_a_rule_says_what_it_does(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    for extra in ((), ("--error", "CartIsFull", "--emits", "CartOpened")):
        result = cli("add", "reject", "AddItem", "--if", "state.items > 2", *extra, "--spec", spec)
        assert result.exit_code == 2
        assert "--error ERROR, or --emits EVENT" in result.stderr


def test_a_command_that_may_start_its_stream(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    text = _added(
        spec, "command", "Cart", "OpenCart", "--creates-if-missing", "--emits", "CartOpened"
    )
    assert "      OpenCart:\n        creates: if-missing\n        emits: [CartOpened]\n" in text
    model, _ = validate_file(spec)
    assert model is not None
    assert model.aggregates[0].command("OpenCart").if_missing

"""The board's layout: the timeline order, lanes, arrows and cards, on the examples and made specs."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from board_specs import big_spec
from conftest import EXAMPLES, write_spec

from generator.drawing.layout import command_order, layout
from generator.drawing.shapes import Board, Box
from generator.spec.load import load_file
from generator.spec.model import Spec
from generator.spec.validate import validate_loaded


def model_of(path: Path) -> Spec:
    spec, diagnostics = validate_loaded(load_file(path))
    assert spec is not None, diagnostics
    return spec


def example(name: str) -> Spec:
    return model_of(EXAMPLES / name / "eventforge.yaml")


def columns(board: Board) -> list[str]:
    return [c.name for c in board.columns]


def overlapping(boxes: tuple[Box, ...]) -> list[tuple[str, str]]:
    return [
        (a.id, b.id)
        for a, b in itertools.combinations(boxes, 2)
        if a.x < b.x + b.width
        and b.x < a.x + a.width
        and a.y < b.y + b.height
        and b.y < a.y + a.height
    ]


def test_the_bank_reads_left_to_right_with_its_read_model_after_the_events_it_shows() -> None:
    board = layout(example("bank"))
    assert columns(board) == [
        "OpenAccount",
        "DepositMoney",
        "WithdrawMoney",
        "TransferMoney",
        "ReceiveTransfer",
        "ReturnTransfer",
        "CloseAccount",
        "AccountBalances",
    ]
    xs = [c.x for c in board.columns]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)


def test_a_command_an_automation_sends_comes_after_the_command_that_triggers_it() -> None:
    """library declares LendBook (Book) before OpenLoan (Loan); the LendTheCopy automation sends
    LendBook on LoanOpened, so the timeline puts it after OpenLoan."""
    order = [c.name for _, c in command_order(example("library"))]
    assert order.index("OpenLoan") < order.index("LendBook")
    assert order.index("OpenLoan") < order.index("RecordBorrowing")
    assert order.index("CatalogueBook") < order.index("WithdrawBook")  # otherwise as declared


def test_creating_commands_come_first_in_their_aggregate(tmp_path: Path) -> None:
    spec = write_spec(
        tmp_path,
        """
        eventforge: 1
        domain: Lamp
        aggregates:
          Lamp:
            state: {on: {type: bool, default: false}}
            events:
              LampSwitchedOn: {fields: {}}
              LampInstalled: {fields: {}}
            commands:
              SwitchOn: {emits: [LampSwitchedOn]}
              InstallLamp: {creates: true, emits: [LampInstalled]}
        """,
    )
    assert columns(layout(model_of(spec))) == ["InstallLamp", "SwitchOn"]


@pytest.mark.parametrize("name", ["bank", "cart", "library", "orders"])
def test_every_element_is_in_its_lane_and_its_slice_and_nothing_overlaps(name: str) -> None:
    spec = example(name)
    board = layout(spec)
    lanes = {lane.id: lane for lane in board.lanes}
    by_column = {c.index: c for c in board.columns}
    for box in board.boxes:
        lane = lanes[box.lane]
        assert lane.y <= box.y and box.y + box.height <= lane.y + lane.height, box.id
        column = by_column[box.column]
        assert column.x <= box.x and box.x + box.width <= column.x + column.width, box.id
    for aggregate in spec.aggregates:
        for command in aggregate.commands:
            (box,) = [b for b in board.boxes if b.kind == "command" and b.name == command.name]
            assert box.lane == "commands" and board.columns[box.column].name == command.name
            emitted = [b for b in board.boxes if b.kind == "event" and b.column == box.column]
            assert [b.name for b in emitted] == list(command.emitted)
            assert {b.lane for b in emitted} <= {aggregate.name}
    for read_model in spec.read_models:
        (box,) = [b for b in board.boxes if b.name == read_model.name]
        assert box.lane == "commands" and box.kind == "read_model"
    for automation in spec.automations:
        (box,) = [b for b in board.boxes if b.name == automation.name]
        assert box.lane == "automations"
        assert board.columns[box.column].name == automation.commands[0]
    assert overlapping(board.boxes) == []


def test_a_hundred_slices_stay_apart(tmp_path: Path) -> None:
    board = layout(model_of(write_spec(tmp_path, big_spec(100))))
    commands = [b for b in board.boxes if b.kind == "command"]
    assert len(commands) == 100 and len(board.columns) == 105  # and five read models
    assert overlapping(board.boxes) == []
    assert board.width == board.columns[-1].x + board.columns[-1].width + 22


def test_arrows_join_what_emits_feeds_triggers_sends_and_rejects() -> None:
    board = layout(example("bank"))
    arrows = {(a.kind, board.box(a.source).name, board.box(a.target).name) for a in board.arrows}
    assert ("emits", "OpenAccount", "AccountOpened") in arrows
    assert ("feeds", "AccountOpened", "AccountBalances") in arrows
    assert ("feeds", "AccountClosed", "AccountBalances") in arrows
    assert ("triggers", "AccountOpened", "WelcomeBonus") in arrows
    assert ("sends", "WelcomeBonus", "DepositMoney") in arrows
    assert ("triggers", "TransferSent", "CreditTransfers") in arrows
    assert ("rejected", "ReceiveTransfer", "ReturnRejectedTransfers") in arrows
    assert ("sends", "ReturnRejectedTransfers", "ReturnTransfer") in arrows
    assert len(board.arrows) == 7 + 7 + 3 + 3  # emits, feeds, triggers/rejected, sends
    for arrow in board.arrows:  # each starts at its source's edge and ends at its target's
        source, target = board.box(arrow.source), board.box(arrow.target)
        start = tuple(int(n) for n in arrow.path[1:].split(" C")[0].split())
        end = tuple(int(n) for n in arrow.path.split()[-2:])
        assert start[0] in range(source.x, source.x + source.width + 1)
        assert start[1] in (source.y, source.y + source.height, source.y + source.height // 2)
        assert end[0] in range(target.x, target.x + target.width + 1)
        assert end[1] in (target.y, target.y + target.height, target.y + target.height // 2)


def test_external_events_open_the_timeline_in_their_own_lane(tmp_path: Path) -> None:
    spec = write_spec(
        tmp_path,
        """
        eventforge: 1
        domain: Shop
        external_events:
          PriceAnnounced: {fields: {sku: str, price: decimal}}
        aggregates:
          Product:
            id: {name: sku, type: str}
            state: {price: {type: decimal, default: 0}}
            events:
              PriceSet: {fields: {price: decimal}}
              ProductListed: {fields: {}}
            commands:
              ListProduct: {creates: true, emits: [ProductListed]}
              SetPrice: {fields: {price: decimal}, emits: [PriceSet]}
        automations:
          FollowAnnouncements:
            on: PriceAnnounced
            send:
              SetPrice: {sku: "= event.sku", price: "= event.price"}
        """,
    )
    board = layout(model_of(spec))
    assert columns(board) == ["PriceAnnounced", "ListProduct", "SetPrice"]
    assert [lane.id for lane in board.lanes] == ["automations", "commands", "Product", "external"]
    external = board.box("ext-PriceAnnounced")
    assert external.lane == "external" and external.column == 0
    arrows = {(a.kind, a.source, a.target) for a in board.arrows}
    assert ("triggers", "ext-PriceAnnounced", "auto-FollowAnnouncements") in arrows


def test_cards_show_the_scenarios_as_the_spec_wrote_them() -> None:
    board = layout(example("bank"))
    deposit = next(c for c in board.columns if c.name == "DepositMoney")
    card = next(c for c in deposit.cards if c.name == "deposits add up")
    assert card.given == (
        "AccountOpened(owner: Ada, overdraft_limit: 0)",
        "MoneyDeposited(amount: 10)",
    )
    assert card.when == "DepositMoney(amount: 5)"
    assert card.then == ("MoneyDeposited(amount: 5)", "state: balance: 15")
    refused = next(c for c in deposit.cards if c.name == "a deposit of nothing is refused")
    assert (refused.then_label, refused.then) == ("then error", ("InvalidAmount",))
    # the automation's scenario goes with the command it sends; named ids read as written
    bonus = next(c for c in deposit.cards if c.name == "new accounts get a bonus")
    assert bonus.then_label == "then sends" and bonus.when == ""
    receive = next(c for c in board.columns if c.name == "ReceiveTransfer")
    credit = next(c for c in receive.cards if c.name == "a transfer credits the target")
    assert credit.when == "ReceiveTransfer(from_account_id: ada-1, amount: 30)"


def test_a_box_tells_its_fields_with_the_stream_id_first() -> None:
    board = layout(example("bank"))
    withdraw = board.box("cmd-WithdrawMoney")
    assert [(f.label, f.text) for f in withdraw.fields] == [
        ("account_id", "uuid"),
        ("amount", "decimal"),
    ]
    facts = [(f.label, f.text) for f in withdraw.facts]
    assert ("rejects", "if state.closed: AccountIsClosed") in facts
    assert ("emits", "MoneyWithdrawn") in facts
    balances = board.box("rm-AccountBalances")
    assert ("key", "account_id") in [(f.label, f.text) for f in balances.facts]
    assert withdraw.words == ("Withdraw", "Money")

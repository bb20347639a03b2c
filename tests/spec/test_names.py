"""Names (generator/spec/names.py): what a field is called in Python, and which event names read
like the past tense (W304)."""

from __future__ import annotations

import pytest

from generator.spec.expressions import Scope, compile_expression
from generator.spec.expressions.spelling import respell_keywords
from generator.spec.names import attribute, past_tense, spelled_like_keyword
from generator.spec.types import TypeRef

# Event names from public event-sourcing samples: none of them may be warned about.
REAL_EVENT_NAMES = [
    # the eventsourcing library's examples (Dog, the wiki, cargo shipping)
    "Registered", "TrickAdded", "TitleUpdated", "SlugUpdated", "BodyUpdated", "DestinationChanged",
    "RouteAssigned", "HandlingEventRegistered",
    # Emmett and EventSourcing.NetCore: shopping carts, the hotel and its group checkout
    "ShoppingCartOpened", "ProductItemAddedToShoppingCart", "ProductItemRemovedFromShoppingCart",
    "ShoppingCartConfirmed", "ShoppingCartCanceled", "GuestCheckedIn", "GuestCheckedOut",
    "ChargeRecorded", "PaymentRecorded", "GuestCheckoutFailed", "GroupCheckoutInitiated",
    "GuestCheckoutsInitiated", "GuestCheckoutCompleted", "GroupCheckoutCompleted",
    "GroupCheckoutFailed", "GuestCheckoutCompletionRecorded", "GuestCheckoutFailureRecorded",
    "OrderInitiated", "OrderPaymentRecorded", "OrderCompleted", "OrderCancelled",
    "PaymentRequested", "PaymentCompleted", "PaymentDiscarded", "PaymentTimedOut",
    "PackageWasSent", "ProductWasOutOfStock",
    # the helpdesk sample (Marten)
    "IncidentLogged", "IncidentCategorised", "IncidentPrioritised", "AgentAssignedToIncident",
    "AgentRespondedToIncident", "CustomerRespondedToIncident", "IncidentResolved",
    "ResolutionAcknowledgedByCustomer", "IncidentClosed",
    # Marten's quest party
    "QuestStarted", "QuestEnded", "MembersJoined", "MembersDeparted", "MonsterSlayed",
    "MonsterDestroyed", "ArrivedAtLocation",
    # Axon's bike rental and gift card demos
    "BikeRegisteredEvent", "BikeRequestedEvent", "BikeReturnedEvent", "RequestRejectedEvent",
    "PaymentConfirmedEvent", "PaymentPreparedEvent", "PaymentRejectedEvent", "IssuedEvt",
    "RedeemedEvt",
    # SimpleCQRS (Greg Young)
    "InventoryItemCreated", "InventoryItemRenamed", "InventoryItemDeactivated",
    "ItemsCheckedInToInventory", "ItemsRemovedFromInventory",
    # irregular pasts, anywhere in the name, and the issue's own examples
    "AddedItemToCart", "BookLent", "MoneyTransferredOut", "BookWithdrawnFromCollection",
    "InvoiceSent", "FeePaid", "KeyLost", "OrderBuilt", "TicketSold", "CardStolen",
    "LetterWritten", "PriceSet", "PasswordReset", "ReportRead", "ShopShut", "MemberLeftGroup",
    "SeatTaken", "GoalWon", "DebtForgiven", "AccountFrozen", "BidMade", "MonsterSlain",
    "OfferChosen", "TaskBegun", "LoanRepaid", "HttpRequestSent", "SMSSent", "OrderV2Placed",
    "Shut", "Reset",
]  # fmt: skip

# Orders, not facts: each of them must still be warned about.
PRESENT_NAMES = [
    "AddItem", "OpenAccount", "Deposit", "Withdraw", "PlaceOrder", "CheckIn", "CheckOut",
    "ConfirmShoppingCart", "CancelOrder", "RegisterDog", "IssueCard", "RedeemCard", "SetPrice",
    "ResetPassword", "ReadBook", "LendBook", "SendInvoice", "PayInvoice", "MakeReservation",
    "BuildReport", "ShipOrder", "TransferMoney", "PutOnHold", "CutPrice", "FeedCat", "SpeedUp",
    "NeedHelp", "RunReport", "Order",
]  # fmt: skip


def test_the_real_event_names_are_numerous_and_distinct() -> None:
    assert len(set(REAL_EVENT_NAMES)) == len(REAL_EVENT_NAMES) >= 60


@pytest.mark.parametrize("name", REAL_EVENT_NAMES)
def test_real_event_names_read_like_the_past(name: str) -> None:
    assert past_tense(name)


@pytest.mark.parametrize("name", PRESENT_NAMES)
def test_present_tense_names_are_still_warned_about(name: str) -> None:
    assert not past_tense(name)


@pytest.mark.parametrize(
    ("name", "python"),
    [
        ("from", "from_"),
        ("class", "class_"),
        ("import", "import_"),
        ("lambda", "lambda_"),
        ("type", "type"),  # soft keywords are legal attribute names
        ("match", "match"),
        ("case", "case"),
        ("date", "date"),
        ("str", "str"),
        ("from_", "from_"),  # refused as a spec name (E301), see the next test
    ],
)
def test_attributes_differ_only_where_python_forbids_the_name(name: str, python: str) -> None:
    assert attribute(name) == python


def test_names_spelled_like_a_keyword_are_recognised() -> None:
    assert spelled_like_keyword("from_") and spelled_like_keyword("class_")
    assert not spelled_like_keyword("type_") and not spelled_like_keyword("from__")
    assert not spelled_like_keyword("date_")


def test_keywords_after_a_dot_are_respelled_but_not_inside_strings() -> None:
    text, ends = respell_keywords("command.from == 'state.class' and event . import")
    assert text == "command.from_ == 'state.class' and event . import_"
    assert ends == {(1, 13), (1, len(text))}
    assert respell_keywords("state.type") == ("state.type", frozenset())


def test_respelled_columns_are_utf8_offsets_as_ast_reports_them() -> None:
    text, ends = respell_keywords("'é' != command.from")
    assert text == "'é' != command.from_"
    assert ends == {(1, len(text.encode("utf-8")))}


def test_text_that_is_not_python_is_left_for_the_parser_to_report() -> None:
    assert respell_keywords("command.from == (") == ("command.from == (", frozenset())
    [(code, _)] = compile_expression("command.from == '", SCOPE).errors
    assert code == "E500"


SCOPE = Scope(
    names={
        "command": {"from": TypeRef("str"), "class": TypeRef("int"), "type": TypeRef("str")},
        "state": {"from": TypeRef("str")},
    },
    records={},
    enums={},
)


def test_expressions_use_the_spec_names_and_compile_to_the_attributes() -> None:
    compiled = compile_expression("command.from + state.from + command.type + 'a.class'", SCOPE)
    assert not compiled.errors
    assert compiled.code == "command.from_ + state.from_ + command.type + 'a.class'"
    assert compile_expression("command.class", SCOPE).code == "command.class_"


def test_expression_errors_show_the_spec_names() -> None:
    compiled = compile_expression("command.import > 0", SCOPE)
    assert compiled.errors == [
        ("E503", "command has no field 'import' (fields: class, from, type)")
    ]
    # The Python spelling is not a second name for the field.
    spelled = compile_expression("command.from_ == ''", SCOPE)
    assert spelled.errors == [("E503", "command has no field 'from_' (fields: class, from, type)")]

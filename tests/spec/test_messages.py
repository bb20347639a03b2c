"""Messages that tell the truth: a clash names both of its sides with their lines, and the hint
fits the problem the message states (issue 12, section 8)."""

from __future__ import annotations

import pytest
from corpus import CASES, CORPUS

from generator.spec.diagnostics import Diagnostic
from generator.spec.hints import BY_MESSAGE, DEFAULT_HINTS
from generator.spec.validate import validate_file


def messages(name: str, code: str) -> list[str]:
    _, diagnostics = validate_file(CORPUS / f"{name}.yaml")
    return [d.message for d in diagnostics if d.code == code]


@pytest.mark.parametrize(
    ("name", "code", "words"),
    [
        (
            "e302_event_in_two_aggregates",
            "E302",
            "as an event of aggregate Order (line 9) and as an event of aggregate Invoice (line 18)",
        ),
        (
            "e302_event_and_error_share_name",
            "E302",
            "as an error of aggregate Order (line 7) and as an event of aggregate Order (line 9)",
        ),
        (
            "e302_type_and_command_share_name",
            "E302",
            "as a type (line 5) and as a command of aggregate Order (line 15)",
        ),
        ("e303_commands_share_module", "E303", "'HTTPSend' (line 9) and 'HttpSend' (line 10)"),
        (
            "e303_aggregates_share_package",
            "E303",
            "'HTTPServer' (line 5) and 'HttpServer' (line 8)",
        ),
        (
            "e303_read_models_and_automations_collide_after_case_conversion",
            "E303",
            "'OrderTotals' (line 13) and 'ORDERTotals' (line 17)",
        ),
        (
            "e303_type_named_like_generated_class",
            "E303",
            "the type 'OrderState' (line 5) is named like the class OrderState that eventforge "
            "generates for aggregate Order (line 8)",
        ),
        (
            "e303_names_taken_by_generated_classes",
            "E303",
            "the command 'ShopApplication' of aggregate Order (line 9) is named like the "
            "application class eventforge generates for the package 'shop' (`domain:`, line 3)",
        ),
        (
            "e413_read_model_key_type_differs",
            "E413",
            "a uuid on CustomerJoined (line 31) but a str on OrderPlaced (line 30)",
        ),
        (
            "e602_duplicate_scenario_test_names",
            "E602",
            "like scenario 'places an order' of Order (line 17)",
        ),
    ],
)
def test_a_clash_names_both_declarations_with_their_lines(name: str, code: str, words: str) -> None:
    found = messages(name, code)
    assert any(words in message for message in found), found


def _corpus() -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for case in CASES:
        found += validate_file(case)[1]
    return found


@pytest.fixture(scope="module")
def corpus() -> list[Diagnostic]:
    return _corpus()


def test_every_hint_by_message_is_the_hint_of_a_corpus_diagnostic(
    corpus: list[Diagnostic],
) -> None:
    # Pins each pattern to a message the validator writes: a reworded message that no longer
    # matches would silently fall back to the code's default.
    for code, kinds in BY_MESSAGE.items():
        for pattern, hint in kinds:
            matched = [d for d in corpus if d.code == code and pattern.search(d.message)]
            assert matched, (code, pattern.pattern)
            assert any(d.fix == hint for d in matched), (code, pattern.pattern)


def test_an_optional_value_into_a_required_field_is_told_so(corpus: list[Diagnostic]) -> None:
    optional = [
        d
        for d in corpus
        if d.code == "E504" and ("? value does not fit" in d.message or "? but the" in d.message)
    ]
    assert len(optional) >= 2, optional
    for diagnostic in optional:
        assert "may be None" in diagnostic.fix, diagnostic
        assert "condition" not in diagnostic.fix, diagnostic


def test_no_type_mismatch_is_told_about_conditions(corpus: list[Diagnostic]) -> None:
    assert "condition" not in DEFAULT_HINTS["E504"]
    for diagnostic in corpus:
        if diagnostic.code == "E504" and "bool" not in diagnostic.message:
            assert "condition" not in diagnostic.fix, diagnostic


def test_a_name_not_available_is_told_what_is(corpus: list[Diagnostic]) -> None:
    # The hint must not offer names the place does not have (`row` in a guard, `command` in a
    # read model); the message lists the ones it has.
    missing = [d for d in corpus if d.code == "E502"]
    assert len(missing) >= 3, missing
    for diagnostic in missing:
        assert "(available: " in diagnostic.message, diagnostic
        assert "command, state, event, row" not in diagnostic.fix, diagnostic
    in_if = [d for d in missing if ".if: the name 'row'" in d.message]
    assert in_if and all("sees only `event`" in d.fix for d in in_if), in_if

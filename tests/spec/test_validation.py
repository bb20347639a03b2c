"""The validator: a corpus of invalid specs with their exact diagnostics, valid specs, warnings,
the CLI's `validate` contract, and the expression compiler's output.

Each file in tests/spec/invalid/ starts with `# expect: CODE@LINE:COL ...`: the errors it must
report, no more and no fewer, with 1-based positions (of the offending key or value).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLES, cli, write_spec
from corpus import CASES, CORPUS, TEXT_LINE, Position, expected

from generator.spec import load
from generator.spec.codes import CODES
from generator.spec.diagnostics import Diagnostic, Level
from generator.spec.expressions import Scope, compile_expression
from generator.spec.load import MAX_BYTES
from generator.spec.model import Spec
from generator.spec.names import snake
from generator.spec.types import TypeRef
from generator.spec.validate import validate_file

JSON_KEYS = {"code", "level", "message", "hint", "file", "path", "line", "column"}


def errors(diagnostics: list[Diagnostic]) -> list[Position]:
    return sorted((d.code, d.line, d.column) for d in diagnostics if d.level is Level.ERROR)


def only(diagnostics: list[Diagnostic], code: str) -> Diagnostic:
    found = [d for d in diagnostics if d.code == code]
    assert len(found) == 1, diagnostics
    return found[0]


def validate_text(tmp_path: Path, text: str) -> tuple[Spec | None, list[Diagnostic]]:
    return validate_file(write_spec(tmp_path, text))


# -- the corpus ----------------------------------------------------------------------------------


def test_the_corpus_covers_every_code_a_spec_can_trigger() -> None:
    covered = {code for spec in CASES for code, _, _ in expected(spec)}
    # E100 (I/O), E101 (encoding) and E107 (size) are written by tests below, not committed;
    # E7xx are generation problems, E8xx need a lock file; W3xx/W4xx are warnings.
    from_files = {c for c in CODES if c.startswith("E") and c[1] in "123456"} - {
        "E100",
        "E101",
        "E107",
    }
    assert from_files <= covered, sorted(from_files - covered)
    assert len(CASES) >= 60


@pytest.mark.parametrize("spec", CASES, ids=[p.stem for p in CASES])
def test_invalid_spec_reports_exactly_the_expected_errors(spec: Path) -> None:
    model, diagnostics = validate_file(spec)
    want = expected(spec)
    assert model is None
    assert errors(diagnostics) == want
    assert spec.name[:4].upper() in {code for code, _, _ in want}, (
        "the file name's code is reported"
    )
    lines = spec.read_text(encoding="utf-8").splitlines() or [""]
    for d in diagnostics:
        assert d.message and d.file == str(spec)
        assert 1 <= d.line <= len(lines), d
        assert 1 <= d.column <= len(lines[d.line - 1]) + 1, d


@pytest.mark.parametrize("spec", CASES, ids=[p.stem for p in CASES])
def test_cli_validate_reports_the_corpus_as_json_and_text(spec: Path) -> None:
    as_json = cli("validate", spec, "--format", "json")
    assert as_json.exit_code == 1
    document = json.loads(as_json.stdout)
    assert isinstance(document, list)
    assert all(set(entry) == JSON_KEYS for entry in document)
    assert sorted(
        (e["code"], e["line"], e["column"]) for e in document if e["level"] == "error"
    ) == expected(spec)

    as_text = cli("validate", spec)
    assert as_text.exit_code == 1
    assert "Traceback" not in as_text.stdout + as_text.stderr
    reported = []
    for line in as_text.stderr.splitlines():
        match = TEXT_LINE.match(line)
        assert match, line
        assert match["file"] == str(spec)
        if match["level"] == "error":
            reported.append((match["code"], int(match["line"]), int(match["column"])))
    assert sorted(reported) == expected(spec)


# -- messages and hints --------------------------------------------------------------------------


def corpus(name: str) -> list[Diagnostic]:
    return validate_file(CORPUS / f"{name}.yaml")[1]


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("e202_unknown_top_level_key_did_you_mean", "did you mean 'aggregates'?"),
        ("e202_unknown_aggregate_key_did_you_mean", "did you mean 'commands'?"),
        ("e202_unknown_command_key_did_you_mean", "did you mean 'emits'?"),
    ],
)
def test_unknown_keys_suggest_the_closest_key(name: str, hint: str) -> None:
    assert only(corpus(name), "E202").hint == hint


def test_unknown_key_without_a_close_match_lists_the_allowed_keys() -> None:
    hint = only(corpus("e202_unknown_key_lists_allowed_keys"), "E202").hint
    assert hint.startswith("allowed keys: ")
    assert {"apply", "description", "fields"} <= set(
        hint.removeprefix("allowed keys: ").split(", ")
    )


def test_yaml_syntax_errors_explain_the_common_mistakes() -> None:
    assert (
        "quote types that use ?, [ or ]" in only(corpus("e102_flow_mapping_list_type"), "E102").hint
    )
    assert "spaces, not tabs" in only(corpus("e102_tab_indentation"), "E102").hint


def test_flow_mapping_optional_type_is_read_or_explained(tmp_path: Path) -> None:
    """`{note: str?}` is valid YAML 1.2 (libyaml reads it); PyYAML's pure parser rejects it."""
    model, diagnostics = validate_text(
        tmp_path,
        """
        eventforge: 1
        domain: Shop
        aggregates:
          Order:
            state: {total: decimal, note: str?}
    """,
    )
    if getattr(yaml, "__with_libyaml__", False):
        assert errors(diagnostics) == []
        assert model is not None
        note = model.aggregates[0].state_fields[1]
        assert (note.name, note.type.spec, note.default_code) == ("note", "str?", "None")
    else:  # pragma: no cover - PyYAML without libyaml
        assert "quote types" in only(diagnostics, "E102").hint


def test_booleans_where_strings_are_expected_get_a_yaml_hint() -> None:
    assert "quote the value" in only(corpus("e200_boolean_where_string_expected"), "E200").hint


def test_a_name_or_mapping_of_the_wrong_type_says_which_name(tmp_path: Path) -> None:
    """Five places take a name or a mapping; a number in each names the name it should be."""
    model, diagnostics = validate_text(
        tmp_path,
        """
        eventforge: 1
        domain: Shop
        aggregates:
          Order:
            id: 5
            state: {total: int, note: [1]}
            events:
              Placed:
                version: 2
                fields: {total: int}
                upcast: {1: 7}
            commands:
              Place:
                fields: {total: int}
                emits: [3]
        read_models:
          Totals:
            key: order_id
            fields: {total: int}
            on:
              Placed: 9
    """,
    )
    assert model is None
    messages = {d.path: d.message for d in diagnostics if d.code == "E200"}
    assert messages == {
        "aggregates.Order.id": "aggregates.Order.id must be a field name or a mapping, not a number",
        "aggregates.Order.state.note": (
            "aggregates.Order.state.note must be a type name or a mapping, not a list"
        ),
        "aggregates.Order.events.Placed.upcast.1": (
            "aggregates.Order.events.Placed.upcast.1 must be `custom` or a mapping, not a number"
        ),
        "aggregates.Order.commands.Place.emits[0]": (
            "aggregates.Order.commands.Place.emits[0] must be an event name or a mapping, "
            "not a number"
        ),
        "read_models.Totals.on.Placed": (
            "read_models.Totals.on.Placed must be `delete` or a mapping, not a number"
        ),
    }
    assert errors(diagnostics) == [
        ("E200", 5, 9),
        ("E200", 6, 31),
        ("E200", 11, 21),
        ("E200", 15, 17),
        ("E200", 21, 15),
    ]


def test_an_unfillable_event_field_names_the_event_the_field_and_the_command() -> None:
    diagnostic = only(corpus("e406_unfillable_event_field"), "E406")
    assert "OrderPlaced" in diagnostic.message
    assert "'customer'" in diagnostic.message
    assert "command PlaceOrder" in diagnostic.message
    assert "customer" in diagnostic.hint


def test_name_clash_messages_name_both_kinds_and_the_first_line() -> None:
    message = only(corpus("e302_event_and_error_share_name"), "E302").message
    # Both declarations, each with its line (issue 12: clash messages name both sides).
    assert (
        "as an error of aggregate Order (line 7) and as an event of aggregate Order (line 9)"
        in message
    )


def test_cross_aggregate_emit_names_both_aggregates() -> None:
    for name in ("e409_emits_event_of_earlier_aggregate", "e409_emits_event_of_later_aggregate"):
        message = only(corpus(name), "E409").message
        assert "of Invoice" in message or "an event of Invoice" in message
        assert "Order" in message


def test_duplicate_test_names_name_the_other_scenario() -> None:
    message = only(corpus("e602_duplicate_scenario_test_names"), "E602").message
    assert "test_places_an_order" in message
    assert "'places an order'" in message


def test_soft_keywords_are_module_names_refused_whatever_python_runs_the_validator() -> None:
    # Fields may take any name now (`match`, `type`, `case` and hard keywords too); a package or
    # a module named like a soft keyword is still refused on every Python.
    reported = {d.path for d in corpus("e301_soft_keywords_everywhere") if d.code == "E301"}
    assert reported == {
        "package",
        "aggregates.Match",
        "aggregates.Match.commands.Case",
        "read_models.Type",
    }


# -- inputs written here rather than committed ---------------------------------------------------


def test_non_utf8_bytes_are_located(tmp_path: Path) -> None:
    spec = tmp_path / "eventforge.yaml"
    spec.write_bytes(b"eventforge: 1\ndomain: Caf\xe9\naggregates: {}\n")
    model, diagnostics = validate_file(spec)
    assert model is None
    assert errors(diagnostics) == [("E101", 2, 12)]
    assert "0xe9" in diagnostics[0].message
    result = cli("validate", spec, "--format", "json")
    assert result.exit_code == 1
    assert [e["code"] for e in json.loads(result.stdout)] == ["E101"]


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    spec = tmp_path / "eventforge.yaml"
    spec.write_bytes("\ufeff".encode() + (EXAMPLES / "bank/eventforge.yaml").read_bytes())
    assert errors(validate_file(spec)[1]) == []


def test_a_spec_over_the_size_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    spec = tmp_path / "eventforge.yaml"
    spec.write_bytes(b"eventforge: 1\n" + b"# padding padding padding\n" * (MAX_BYTES // 26 + 1))
    assert spec.stat().st_size > 10 * 1024 * 1024
    assert errors(validate_file(spec)[1]) == [("E107", 1, 1)]
    result = cli("validate", spec)
    assert result.exit_code == 1
    assert "error[E107]" in result.stderr


def test_very_deep_nesting_is_refused_without_crashing(tmp_path: Path) -> None:
    """libyaml's composer recurses in C: 100,000 nested brackets used to kill the process."""
    spec = tmp_path / "eventforge.yaml"
    depth = 100_000
    spec.write_text("eventforge: 1\ndomain: X\naggregates: {}\nx: " + "[" * depth + "]" * depth)
    assert errors(validate_file(spec)[1]) == [("E107", 4, 103)]


class _RefusesNesting(yaml.SafeLoader):
    """A parser like libyaml after 0.2.5: it refuses nesting past a limit of its own, judged by
    its scanner's flow level, which runs ahead of the events (here 50 levels, libyaml's is 1000)."""

    def parse_node(self, block: bool = False, indentless_sequence: bool = False) -> yaml.Event:
        if self.flow_level > 50:
            mark = self.peek_token().start_mark
            raise yaml.parser.ParserError(None, None, "Maximum nesting level reached", mark)
        return super().parse_node(block, indentless_sequence)


def test_deep_nesting_is_an_e107_whatever_limit_libyaml_has(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where libyaml refuses the nesting first (at the run's first bracket), the error is still
    E107 at the level past eventforge's limit, as with a libyaml that has no limit."""
    monkeypatch.setattr(load, "_Loader", _RefusesNesting)
    monkeypatch.setattr(load, "_GuardedLoader", type("G", (load._DepthGuard, _RefusesNesting), {}))
    spec = tmp_path / "eventforge.yaml"
    spec.write_text("eventforge: 1\ndomain: X\naggregates: {}\nx: " + "[" * 2000 + "]" * 2000)
    assert errors(validate_file(spec)[1]) == [("E107", 4, 103)]
    # A syntax error before the nesting is still reported as libyaml words it.
    spec.write_text("eventforge: 1\ndomain: X\naggregates: {}\ny: [}\nx: " + "[" * 2000)
    assert errors(validate_file(spec)[1]) == [("E102", 4, 5)]


def test_nesting_built_from_aliases_is_refused_where_the_aliases_are(tmp_path: Path) -> None:
    lines = ["eventforge: 1", "domain: X", "aggregates: {}", "a0: &a0 [1]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, 120)]
    spec = tmp_path / "eventforge.yaml"
    spec.write_text("\n".join(lines) + "\n")
    assert errors(validate_file(spec)[1]) == [("E107", 103, 6)]  # a99: &a99 [*a98]


def test_a_missing_file_is_an_io_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "eventforge.yaml"
    assert errors(validate_file(missing)[1]) == [("E100", 1, 1)]
    as_text = cli("validate", missing)
    assert as_text.exit_code == 2
    assert "error[E100]" in as_text.stderr
    as_json = cli("validate", missing, "--format", "json")
    assert as_json.exit_code == 2
    assert [e["code"] for e in json.loads(as_json.stdout)] == ["E100"]


# -- valid specs and warnings --------------------------------------------------------------------


@pytest.mark.parametrize(
    "example", sorted(p.parent.name for p in EXAMPLES.glob("*/eventforge.yaml"))
)
def test_the_examples_are_valid(example: str) -> None:
    model, diagnostics = validate_file(EXAMPLES / example / "eventforge.yaml")
    assert errors(diagnostics) == []
    assert model is not None


def test_the_bank_example_validates_cleanly() -> None:
    spec = EXAMPLES / "bank" / "eventforge.yaml"
    assert validate_file(spec)[1] == []
    as_json = cli("validate", spec, "--format", "json")
    assert as_json.exit_code == 0
    assert json.loads(as_json.stdout) == []
    as_text = cli("validate", spec)
    assert as_text.exit_code == 0
    assert as_text.stderr.strip().endswith("valid")


WARNINGS_ONLY = """
    eventforge: 1
    domain: Shop
    aggregates:
      Order:
        state:
          total: {type: decimal, default: 0}
        events:
          OrderPlace:
            fields: {total: decimal}
        commands:
          PlaceOrder:
            fields: {total: decimal}
            emits: [OrderPlace]
"""


def test_warnings_are_reported_but_the_spec_is_valid(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, WARNINGS_ONLY)
    model, diagnostics = validate_file(spec)
    assert model is not None
    assert [(d.code, d.level, d.line, d.column) for d in diagnostics] == [
        ("W304", Level.WARNING, 8, 7),  # OrderPlace: not the past tense
        ("W412", Level.WARNING, 10, 5),  # commands: none has `creates: true`
    ]
    as_json = cli("validate", spec, "--format", "json")
    assert as_json.exit_code == 0
    assert [(e["code"], e["level"]) for e in json.loads(as_json.stdout)] == [
        ("W304", "warning"),
        ("W412", "warning"),
    ]
    as_text = cli("validate", spec)
    assert as_text.exit_code == 0
    assert "warning[W304]" in as_text.stderr and "warning[W412]" in as_text.stderr


def test_every_error_of_a_spec_is_reported_in_one_run(tmp_path: Path) -> None:
    spec = write_spec(
        tmp_path,
        """
        eventforge: 1
        domain: Shop
        aggregates:
          Order:
            state:
              total: {type: decimal, default: 0}
              note: Text
            errors:
              Refused: No.
            events:
              OrderPlaced:
                fields: {total: decimal}
                apply: {totl: "= event.total"}
            commands:
              PlaceOrder:
                creates: true
                fields: {total: decimal}
                rejects:
                  - if: event.total < 0
                    error: Refused
                  - if: command.total > 100
                    error: TooMuch
                emits: [OrderPlaced, OrderShipped]
            scenarios:
              - name: places
                when: {PlaceOrder: {total: lots}}
                then: [OrderPlaced: {}]
    """,
    )
    assert errors(validate_file(spec)[1]) == sorted(
        [
            ("E400", 7, 13),  # note: Text
            ("E404", 13, 17),  # apply: {totl: ...}
            ("E502", 19, 17),  # event.total in a guard
            ("E402", 22, 20),  # error: TooMuch
            ("E401", 23, 30),  # OrderShipped
            ("E408", 26, 36),  # total: lots
        ]
    )
    result = cli("validate", spec, "--format", "json")
    assert result.exit_code == 1
    assert len(json.loads(result.stdout)) == 6


def test_a_value_object_default_may_use_a_type_declared_later(tmp_path: Path) -> None:
    model, diagnostics = validate_text(
        tmp_path,
        """
        eventforge: 1
        domain: Shop
        types:
          Line:
            fields:
              price: {type: Money, default: {amount: 0, currency: EUR}}
          Money:
            fields: {amount: decimal, currency: str}
        aggregates:
          Order: {}
    """,
    )
    assert diagnostics == []
    assert model is not None
    assert [r.name for r in model.records] == ["Line", "Money"]


def test_a_value_object_default_inside_a_type_cycle_is_an_error_not_a_crash(tmp_path: Path) -> None:
    _, diagnostics = validate_text(
        tmp_path,
        """
        eventforge: 1
        domain: Shop
        types:
          Node:
            fields:
              next: {type: Node, default: {}}
        aggregates:
          Order: {}
    """,
    )
    # The cycle itself (a Node needs a Node), and the default that cannot be built because of it.
    assert errors(diagnostics) == [("E405", 4, 3), ("E408", 6, 35)]


def test_a_field_with_a_bad_type_is_reported_once_not_at_every_use(tmp_path: Path) -> None:
    _, diagnostics = validate_text(
        tmp_path,
        """
        eventforge: 1
        domain: Shop
        aggregates:
          Order:
            events:
              OrderPlaced:
                fields: {total: decimal}
            commands:
              PlaceOrder:
                creates: true
                fields: {total: Money}
                emits: [OrderPlaced]
            scenarios:
              - name: placing
                when: {PlaceOrder: {total: 5}}
                then: [OrderPlaced: {total: 5}]
    """,
    )
    assert errors(diagnostics) == [("E400", 11, 25)]


def test_names_that_differ_after_snake_case_do_not_collide(tmp_path: Path) -> None:
    assert snake("PayOut") != snake("Payout")
    assert snake("HTTPSend") == snake("HttpSend") == "http_send"
    _, diagnostics = validate_text(
        tmp_path,
        """
        eventforge: 1
        domain: Shop
        aggregates:
          Wallet:
            events:
              MoneyPaid: {}
            commands:
              PayOut: {creates: true, emits: [MoneyPaid]}
              Payout: {emits: [MoneyPaid]}
    """,
    )
    assert errors(diagnostics) == []


# -- the expression compiler ---------------------------------------------------------------------

STATUS = TypeRef("enum", name="Status")
SCOPE = Scope(
    names={
        "command": {
            "amount": TypeRef("decimal"),
            "count": TypeRef("int"),
            "tags": TypeRef("list", item=TypeRef("str")),
            "note": TypeRef("str", optional=True),
            "status": STATUS,
        },
        "state": {
            "balance": TypeRef("decimal"),
            "status": STATUS,
            "closed": TypeRef("bool"),
            "opened": TypeRef("datetime"),
        },
    },
    records={},
    enums={"Status": {"open": "OPEN", "in progress": "IN_PROGRESS", "paid": "PAID"}},
)


@pytest.mark.parametrize(
    ("text", "code", "uses"),
    [
        ("state.status == 'open'", "state.status == Status.OPEN", {"Status"}),
        ("'paid' != state.status", "Status.PAID != state.status", {"Status"}),
        ("state.status != 'in progress'", "state.status != Status.IN_PROGRESS", {"Status"}),
        (
            "state.status in ['open', 'paid']",
            "state.status in (Status.OPEN, Status.PAID)",
            {"Status"},
        ),
        ("state.status not in ('paid',)", "state.status not in (Status.PAID,)", {"Status"}),
        ("command.count in [1, 2, 3]", "command.count in (1, 2, 3)", set()),
        ("state.balance - command.amount * 2", "state.balance - command.amount * 2", set()),
        ("command.amount + 0.5", "command.amount + Decimal('0.5')", {"Decimal"}),
        ("command.amount == 0.1", "command.amount == Decimal('0.1')", {"Decimal"}),
        ("command.amount <= 0.01", "command.amount <= Decimal('0.01')", {"Decimal"}),
        ("command.amount in [0.5, 1]", "command.amount in (Decimal('0.5'), 1)", {"Decimal"}),
        ("max(state.balance, 0)", "max(state.balance, Decimal('0'))", {"Decimal"}),
        ("now()", "clock.now()", {"datetime", "UTC", "clock"}),
        ("state.opened < now()", "state.opened < clock.now()", {"datetime", "UTC", "clock"}),
        (
            "len(command.tags) > 0 and not state.closed",
            "len(command.tags) > 0 and (not state.closed)",
            set(),
        ),
        (
            "command.note is None or abs(command.amount) > 5",
            "command.note is None or abs(command.amount) > 5",
            set(),
        ),
    ],
)
def test_expressions_compile_to_readable_python(text: str, code: str, uses: set[str]) -> None:
    compiled = compile_expression(text, SCOPE)
    assert compiled.errors == []
    assert compiled.code == code
    assert compiled.uses == uses
    ast.parse(compiled.code, mode="eval")


@pytest.mark.parametrize(
    ("text", "expected", "code"),
    [
        ("'paid'", STATUS, "Status.PAID"),
        ("state.balance + command.amount", TypeRef("decimal"), "state.balance + command.amount"),
        ("command.count", TypeRef("decimal"), "Decimal(command.count)"),  # an int, widened
        ("command.count * 2", TypeRef("float"), "float(command.count * 2)"),
        ("0", TypeRef("decimal"), "Decimal(0)"),
        ("None", TypeRef("str", optional=True), "None"),
        ("command.note", TypeRef("str", optional=True), "command.note"),
    ],
)
def test_expressions_that_fit_the_expected_type(text: str, expected: TypeRef, code: str) -> None:
    compiled = compile_expression(text, SCOPE, expected=expected)
    assert (compiled.errors, compiled.code) == ([], code)


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        ("command.amount >", "E500", "not a valid expression"),
        ("open('x')", "E501", "calling 'open'"),
        ("__import__('os')", "E501", "calling '__import__'"),
        ("command.amount.__class__", "E501", "'__class__'"),
        ("command.note[0]", "E504", "command.note may be None here"),
        ("lambda: 1", "E501", "a lambda"),
        ("[t for t in command.tags for u in command.tags]", "E501", "one `for`, not 2"),
        ("{t for t in command.tags}", "E501", "a set comprehension"),
        ("[[t for t in command.tags] for u in command.tags]", "E501", "inside a comprehension"),
        ("f'{command.amount}'", "E501", "an f-string"),
        ("{**command.tags}", "E501", "unpacking (**)"),
        ("1 if state.closed else '2'", "E504", "have no common type (int, str)"),
        ("(x := 1)", "E501", "an assignment expression"),
        ("command.count ** 2", "E501", "the operator **"),
        ("command.count << 1", "E501", "the operator <<"),
        ("~command.count", "E501", "the operator ~"),
        ("command.amount is 0", "E501", "'is' and 'is not' may only compare with None"),
        ("max(*command.tags)", "E501", "positional arguments only"),
        ("max(command.count, 5, key=abs)", "E501", "only, not the keyword argument key="),
        ("min(command.amount, default=0)", "E501", "only, not the keyword argument default="),
        ("now(tz=None)", "E501", "now() takes positional arguments only, not the keyword"),
        ("max(command.count, **command.tags)", "E501", "only, not unpacking (**)"),
        ("max(command.count, *command.tags)", "E501", "only, not unpacking (*)"),
        ("len(*command.tags)", "E501", "len() takes positional arguments only, not unpacking (*)"),
        ("len(command.tags, 1)", "E501", "len() takes 1 argument(s)"),
        ("now(1)", "E501", "now() takes 0 argument(s)"),
        ("command", "E501", "use a field of 'command'"),
        (
            "event.amount > 0",
            "E502",
            "the name 'event' is not available here (available: command, state)",
        ),
        ("balance > 0", "E502", "the name 'balance'"),
        ("command.amont > 0", "E503", "command has no field 'amont'"),
        (
            "command.amount.real",
            "E503",
            "command.amount is a decimal, which has no attribute 'real'",
        ),
        ("command.note.upper", "E503", "an optional value"),
        ("state.status == 'closed'", "E504", "'closed' is not a value of Status"),
        ("state.status in ['open', 'closed']", "E504", "'closed' is not a value of Status"),
        ("command.amount + 'x'", "E504", "cannot apply + to decimal and str"),
        ("command.amount > 'x'", "E504", "cannot compare a decimal with a str using >"),
        (
            "state.opened >= command.amount",
            "E504",
            "cannot compare a datetime with a decimal using >=",
        ),
    ],
)
def test_expressions_outside_the_language_are_rejected(text: str, code: str, words: str) -> None:
    compiled = compile_expression(text, SCOPE)
    assert compiled.code == ""
    assert [c for c, _ in compiled.errors] == [code]
    assert words in compiled.errors[0][1]


@pytest.mark.parametrize(
    "text",
    [
        "-" * 3000 + "command.amount",
        "not " * 3000 + "state.closed",
        " + ".join(["command.amount"] * 3000),
    ],
    ids=["unary", "not", "sum"],
)
def test_expressions_nested_thousands_deep_are_rejected_not_crashed(text: str) -> None:
    compiled = compile_expression(text, SCOPE)
    assert compiled.errors == [("E501", "the expression is nested too deeply")]


@pytest.mark.parametrize(
    ("text", "expected", "words"),
    [
        ("command.amount", TypeRef("bool"), "a decimal value does not fit a bool field"),
        ("1.5", TypeRef("int"), "a float value does not fit"),
        ("command.note", TypeRef("str"), "a str? value does not fit a str field"),
        ("None", TypeRef("decimal"), "None does not fit a decimal"),
        ("'cancelled'", STATUS, "'cancelled' is not a value of Status"),
    ],
)
def test_expressions_of_the_wrong_type_are_rejected(
    text: str, expected: TypeRef, words: str
) -> None:
    compiled = compile_expression(text, SCOPE, expected=expected)
    assert [c for c, _ in compiled.errors] == ["E504"]
    assert words in compiled.errors[0][1]

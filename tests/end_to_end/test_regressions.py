"""Bugs the property tests (tests/end_to_end/test_properties.py) found, each kept as an explicit case.

Bugs in what the validator accepts are kept as corpus files instead (tests/spec/invalid/:
e301_class_names_the_generated_modules_import, e301_module_name_is_a_keyword,
e301_package_hides_a_module, e303_aggregate_takes_a_package_module,
e303_names_taken_by_generated_classes, e102_control_character).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import cli, run_pytest, write_spec

from generator.build.format import format_sources
from generator.build.pipeline import produce
from generator.build.render import docstring
from generator.spec.diagnostics import SpecError
from generator.spec.expressions import Scope, compile_expression
from generator.spec.types import TypeRef


@pytest.mark.parametrize(
    "text",
    [
        '\n<=n*"""',  # ended with an escaped quote, which was escaped again: `\"\"\\"` + `"""`
        'ends with \\"',  # an escaped backslash, then a bare quote
        '"""""',
        'x""',
        "a backslash at the end \\",
        '"',
        '\\"""',
        "plain",
    ],
)
def test_docstrings_hold_any_text(text: str) -> None:
    literal = docstring(text)
    value = ast.literal_eval(literal)
    assert value in (text.strip(), text.strip() + ".")


def test_ruff_parse_errors_are_reported_with_their_detail() -> None:
    """`ruff format --quiet` says nothing about a file it cannot parse; E700 used to say
    'no output'."""
    with pytest.raises(SpecError) as raised:
        format_sources({"src/pkg/broken.py": "def broken(:\n    pass\n"}, "pkg")
    [first, *_] = raised.value.diagnostics
    assert first.code == "E700"
    assert "broken.py" in first.message and "no output" not in first.message


WIDENED = """
eventforge: 1
domain: Till
aggregates:
  Till:
    state:
      total: {type: decimal, default: 0}
      ratio: float
      last: decimal?
    events:
      TillOpened: {fields: {}}
      Added:
        fields: {amount: decimal, weight: float, note: decimal?}
        apply: {total: "= state.total + event.amount", ratio: "= 1", last: "= 2 * 3"}
    commands:
      OpenTill: {creates: true, emits: [TillOpened]}
      Add:
        fields: {amount: int, weight: int, count: int?}
        emits:
          - Added: {note: "= command.count"}
    scenarios:
      - name: ints become decimals and floats
        given: [{TillOpened: {}}]
        when: {Add: {amount: 3, weight: 2, count: 4}}
        then:
          events: [{Added: {amount: 3, weight: 2, note: 4}}]
          state: {total: 3, ratio: 1, last: 6}
      - name: a missing optional int stays missing
        given: [{TillOpened: {}}]
        when: {Add: {amount: 1, weight: 1}}
        then: [{Added: {note: null}}]
read_models:
  Totals:
    key: till_id
    fields: {sum: decimal, weight: float}
    on:
      Added: {set: {sum: "= 7", weight: "= 2"}}
    scenarios:
      - name: ints in rows
        given: [{Added: {till_id: 5b2f6a52-3c1e-4f1e-9a43-0c1d2e3f4a5b, amount: 1, weight: 1}}]
        then: [{till_id: 5b2f6a52-3c1e-4f1e-9a43-0c1d2e3f4a5b, sum: 7, weight: 2}]
"""


def test_an_int_that_fills_a_decimal_or_float_field_is_converted(tmp_path: Path) -> None:
    """An int command field filling a decimal event field, or an int expression assigned to a
    decimal or float field, used to store the int itself: the scenarios failed (`Decimal('3')` is
    not `3` to them), and the value changed type when read back from the store."""
    spec = write_spec(tmp_path / "till", WIDENED)
    result = cli("generate", spec)
    assert result.exit_code == 0, result.stderr
    decide = (tmp_path / "till/src/till/till/add.py").read_text()
    assert "amount=Decimal(command.amount)" in decide
    assert "weight=float(command.weight)" in decide
    assert "None if command.count is None else Decimal(command.count)" in decide
    tests = run_pytest(tmp_path / "till")
    assert tests.returncode == 0, tests.stdout + tests.stderr


def test_spec_text_and_expressions_that_ruff_would_question_still_generate(
    tmp_path: Path,
) -> None:
    """Look-alike characters in text (RUF001-RUF003), a field named `l` (E741), and guards
    written as `True or ...`, `not a == b`, `x == None` or `0 < x` failed the generated code's
    own lint, so generate stopped with E700."""
    spec = write_spec(
        tmp_path / "odd",
        """
        eventforge: 1
        domain: Odd
        description: "It\u2019s the customer\u2019s \u00b4account\u00b4 \u2010 with look-alikes"
        aggregates:
          Box:
            description: "A box \u2013 \u2032quoted\u2032"
            state: {l: int, note: str?}
            errors: {Refused: "Refusé \u2013 it\u2019s \u2032closed\u2032"}
            events:
              BoxMade: {fields: {l: int}}
            commands:
              MakeBox:
                creates: true
                fields: {l: int, note: str?}
                rejects:
                  - {if: "True or command.l > 1", error: Refused}
                  - {if: "not command.l == 2", error: Refused}
                  - {if: "command.note == None", error: Refused}
                  - {if: "0 < command.l and False", error: Refused}
                  - {if: "not not command.l", error: Refused}
                emits: [BoxMade]
            scenarios:
              - name: "refused \u2013 always"
                when: {MakeBox: {l: 1}}
                then: {error: Refused}
        """,
    )
    try:
        produce(spec)
    except SpecError as exc:
        raise AssertionError([d.as_text() for d in exc.diagnostics]) from None
    assert cli("generate", spec).exit_code == 0


IDENTITY_NAMED_LIKE_A_PARAMETER = """\
eventforge: 1
domain: Lockers
aggregates:
  Locker:
    id: data
    state:
      size: {type: str, default: ""}
    events:
      Rented: {fields: {size: str}}
    commands:
      Rent:
        creates: true
        fields: {size: str}
        emits: [Rented]
    scenarios:
      - name: renting
        when: {Rent: {size: small}}
        then: [{Rented: {size: small}}]
"""


def test_an_identity_named_like_a_runtime_parameter_loads_back(tmp_path: Path) -> None:
    """An identity field called `data` clashed with a parameter of the runtime's decode(): stored
    events could not be read back (found by the property test)."""
    spec = write_spec(tmp_path / "lockers", IDENTITY_NAMED_LIKE_A_PARAMETER)
    result = cli("generate", spec)
    assert result.exit_code == 0, result.stderr
    tests = run_pytest(tmp_path / "lockers")
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "passed" in tests.stdout


_NUMBERS = Scope(
    names={
        "command": {
            "amount": TypeRef("decimal"),
            "count": TypeRef("int"),
            "weight": TypeRef("float"),
            "amounts": TypeRef("list", item=TypeRef("decimal")),
            "weights": TypeRef("list", item=TypeRef("float")),
            "flag": TypeRef("bool"),
        }
    },
    records={},
    enums={},
)


@pytest.mark.parametrize(
    ("text", "expected", "code"),
    [
        # A float literal with a sign is a minus and a literal in the tree: it stayed a float,
        # so `-0.1` compared with a decimal was the binary float (wrong at the boundary) and
        # min() could give a float to a decimal field.
        ("command.amount <= -0.1", None, "command.amount <= Decimal('-0.1')"),
        (
            "command.amount in [-0.1, 0.2]",
            None,
            "command.amount in (Decimal('-0.1'), Decimal('0.2'))",
        ),
        ("min(command.amount, -0.5)", TypeRef("decimal"), "min(command.amount, Decimal('-0.5'))"),
        ("max(command.weight, -1)", TypeRef("float"), "max(command.weight, -1.0)"),
        ("command.amount + -0.5", TypeRef("decimal"), "command.amount + Decimal('-0.5')"),
        # `-(-8)` printed as `--8`, which ruff refuses (B002): generate stopped with E700.
        ("-(-command.count)", TypeRef("int"), "+command.count"),
        ("-(-0.1) < command.amount", None, "Decimal('0.1') < command.amount"),
        # An int added to a list of decimals (or floats) stayed an int in it.
        (
            "command.amounts + [command.count, 3]",
            TypeRef("list", item=TypeRef("decimal")),
            "(*command.amounts, Decimal(command.count), Decimal('3'))",
        ),
        (
            "[command.count] + command.weights",
            TypeRef("list", item=TypeRef("float")),
            "(float(command.count), *command.weights)",
        ),
        # `and`/`or` give an operand, not a bool: a bool field got an int.
        ("command.count and command.flag", TypeRef("bool"), "bool(command.count and command.flag)"),
        ("command.flag or command.flag", TypeRef("bool"), "command.flag or command.flag"),
    ],
)
def test_numbers_keep_their_type_in_compiled_expressions(
    text: str, expected: TypeRef | None, code: str
) -> None:
    compiled = compile_expression(text, _NUMBERS, expected=expected)
    assert compiled.errors == []
    assert compiled.code == code


SIGNED_AND_MIXED = """\
eventforge: 1
domain: Till
aggregates:
  Till:
    state:
      low: {type: decimal, default: 0}
      amounts: list[decimal]
      seen: {type: bool, default: false}
    errors: {TooLow: too low}
    events:
      Opened: {fields: {}}
      Added:
        fields: {amount: decimal, count: int}
        apply:
          low: "= min(event.amount, -0.5)"
          amounts: "= state.amounts + [event.count]"
          seen: "= event.count and not state.seen"
    commands:
      Open: {creates: true, emits: [Opened]}
      Add:
        fields: {amount: decimal, count: int}
        rejects:
          - {if: "command.amount <= -0.1", error: TooLow}
          - {if: "-(-command.count) > 100", error: TooLow}
        emits: [Added]
    scenarios:
      - name: on the boundary
        given: [{Opened: {}}]
        when: {Add: {amount: "-0.1", count: 1}}
        then: {error: TooLow}
      - name: types kept
        given: [{Opened: {}}]
        when: {Add: {amount: "0.3", count: 3}}
        then: {state: {low: "-0.5", amounts: ["3"], seen: true}}
"""


def test_signed_literals_and_mixed_numbers_work_in_a_package(tmp_path: Path) -> None:
    """The wider property tests found these: the package's own tests failed (a decimal on the
    boundary of `-0.1`, a float in a decimal field, an int in a list of decimals, an int in a bool
    field) and `-(-x)` failed ruff at generate."""
    spec = write_spec(tmp_path / "till", SIGNED_AND_MIXED)
    result = cli("generate", spec)
    assert result.exit_code == 0, result.stderr
    tests = run_pytest(tmp_path / "till")
    assert tests.returncode == 0, tests.stdout + tests.stderr


CUSTOM_COMMAND_EMITTING_AN_EVENT_TWICE = """\
eventforge: 1
domain: Ticket
aggregates:
  Course:
    state:
      seats: {type: int, default: 0}
    errors: {Full: full}
    events:
      Opened: {fields: {seats: int}}
      Booked: {fields: {seats: int}}
    commands:
      Open: {creates: true, fields: {seats: int}, emits: [Opened]}
      Book:
        handler: custom
        emits:
          - Booked: {seats: 1}
          - Booked: {seats: 2}
"""


def test_a_custom_command_may_emit_an_event_twice(tmp_path: Path) -> None:
    """Found by the wider property tests: each mapped entry got a helper named after its event,
    so two entries of one event defined `build_booked` twice and ruff stopped generate (F811)."""
    spec = write_spec(tmp_path / "ticket", CUSTOM_COMMAND_EMITTING_AN_EVENT_TWICE)
    generated = cli("generate", spec)
    assert generated.exit_code == 0, generated.stderr
    src = spec.parent / "src"
    custom = (src / "ticket" / "course" / "custom" / "book.py").read_text(encoding="utf-8")
    assert "build_booked(command, state)\nbuild_booked_2(command, state)" in custom
    built = subprocess.run(
        [
            sys.executable,
            "-c",
            "from uuid import uuid4\n"
            "from ticket.course import book\n"
            "from ticket.course.state import CourseState\n"
            "command = book.Book(course_id=uuid4())\n"
            "state = CourseState(course_id=command.course_id)\n"
            "print(book.build_booked(command, state).seats, book.build_booked_2(command, state).seats)",
        ],
        cwd=src,
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.stdout.split() == ["1", "2"], built.stderr


IMPLICIT_ID_IN_ANOTHER_FIELD = """
eventforge: 1
domain: Club
aggregates:
  Member:
    state:
      sponsor: {type: uuid, optional: true}
    events:
      Joined:
        fields: {sponsor: uuid}
        apply: {sponsor: "= event.sponsor"}
    commands:
      Join:
        creates: true
        fields: {sponsor: uuid}
        emits: [Joined]
    scenarios:
      - name: a member may sponsor themselves
        when:
          Join: {sponsor: member-1}
        then:
          - Joined: {sponsor: member-1}
"""


def test_the_implicit_id_written_in_another_field_generates(tmp_path: Path) -> None:
    """`member-1`, the scenario's implicit id, in a field other than the stream id: it was
    written as MEMBER_ID, which the store tests did not define (ruff F821 stopped generate)."""
    spec = write_spec(tmp_path / "club", IMPLICIT_ID_IN_ANOTHER_FIELD)
    generated = cli("generate", spec)
    assert generated.exit_code == 0, generated.stderr
    tests = run_pytest(spec.parent)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "passed" in tests.stdout, tests.stdout

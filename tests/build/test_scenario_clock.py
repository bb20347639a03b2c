"""The clock (issue 14, section 5): `at:` fixes the time `now()` reads for a scenario and from a
timeline's step on; the generated application takes a clock, real UTC time by default.

A help desk whose tickets are stamped with `now()` (by a command, by a read model's update and
by an automation's command) must generate, pass ruff and mypy --strict and run green with exact
times expected; the same desk with each expected time wrong must fail, naming the scenario or
the step and the field. The application itself is run without a clock (real time) and with one.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from conftest import assert_clean_and_strictly_typed, cli, run_pytest, write_spec

DESK = """
eventforge: 1
domain: Desk
package: desk
aggregates:
  Ticket:
    id: {name: ticket_id, type: str}
    state:
      title: str
      opened_at: {type: datetime, default: 2000-01-01T00:00:00Z}
      closed: {type: bool, default: false}
    errors:
      TicketClosed: The ticket is closed already.
    events:
      TicketOpened:
        fields: {title: str, opened_at: datetime}
        apply: {title: "= event.title", opened_at: "= event.opened_at"}
      TicketClosedByAgent:
        fields: {closed_at: datetime}
        apply: {closed: true}
    commands:
      OpenTicket:
        creates: true
        fields: {title: str}
        emits:
          - TicketOpened: {opened_at: "= now()"}
      CloseTicket:
        fields: {}
        rejects:
          - if: state.closed
            error: TicketClosed
        emits:
          - TicketClosedByAgent: {closed_at: "= now()"}
    scenarios:
      - name: a ticket is stamped with the scenario's time
        at: 2024-05-01T10:00:00Z
        when:
          OpenTicket: {title: Printer}
        then:
          events:
            - TicketOpened: {title: Printer, opened_at: 2024-05-01T10:00:00Z}
          state: {opened_at: 2024-05-01T10:00:00Z}
      - name: a time without a zone is UTC
        at: "2024-05-01 12:30:00"
        given:
          - TicketOpened: {title: Printer, opened_at: 2024-05-01T10:00:00Z}
        when:
          CloseTicket: {}
        then:
          - TicketClosedByAgent: {closed_at: 2024-05-01T12:30:00Z}
      - name: without at the real clock stamps the ticket
        when:
          OpenTicket: {title: Printer}
        then:
          - TicketOpened: {title: Printer}
  Survey:
    id: {name: survey_id, type: str}
    state:
      sent_at: {type: datetime, default: 2000-01-01T00:00:00Z}
    events:
      SurveySent:
        fields: {sent_at: datetime}
        apply: {sent_at: "= event.sent_at"}
    commands:
      SendSurvey:
        creates: true
        fields: {due: datetime}
        emits:
          - SurveySent: {sent_at: "= now()"}
read_models:
  TicketLog:
    key: ticket_id
    fields: {title: str, seen_at: datetime}
    on:
      TicketOpened:
        set: {title: "= event.title", seen_at: "= now()"}
    scenarios:
      - name: a logged ticket is seen at the scenario's time
        at: 2024-05-01T09:00:00Z
        given:
          - TicketOpened: {ticket_id: t-1, title: Printer, opened_at: 2024-05-01T08:00:00Z}
        then:
          - {ticket_id: t-1, seen_at: 2024-05-01T09:00:00Z}
automations:
  SurveyOnClose:
    on: TicketClosedByAgent
    send:
      SendSurvey: {survey_id: "= event.ticket_id", due: "= now()"}
    scenarios:
      - name: the survey is due when the ticket closes
        at: 2024-05-01T12:00:00Z
        given:
          - TicketClosedByAgent: {ticket_id: t-1, closed_at: 2024-05-01T11:00:00Z}
        then:
          - SendSurvey: {survey_id: t-1, due: 2024-05-01T12:00:00Z}
timelines:
  - name: a ticket opened and closed an hour later
    steps:
      - at: 2024-05-01T10:00:00Z
        when: {OpenTicket: {ticket_id: t-1, title: Printer}}
        then:
          events: [{TicketOpened: {opened_at: 2024-05-01T10:00:00Z}}]
          rows: {TicketLog: [{ticket_id: t-1, seen_at: 2024-05-01T10:00:00Z}]}
      - at: 2024-05-01T11:00:00Z
        when: {CloseTicket: {ticket_id: t-1}}
        then:
          events: [{TicketClosedByAgent: {closed_at: 2024-05-01T11:00:00Z}}]
          sent: [{SendSurvey: {survey_id: t-1, due: 2024-05-01T11:00:00Z}}]
      - when: {OpenTicket: {ticket_id: t-2, title: Scanner}}
        then:
          events: [{TicketOpened: {opened_at: 2024-05-01T11:00:00Z}}]
          state: {opened_at: 2024-05-01T11:00:00Z}
"""

# One wrong expected time each (old text -> new text), and the words its failure must show.
WRONG = {
    "scenario": (
        "            - TicketOpened: {title: Printer, opened_at: 2024-05-01T10:00:00Z}",
        "            - TicketOpened: {title: Printer, opened_at: 2024-05-01T10:00:01Z}",
        [
            'Scenario "a ticket is stamped with the scenario\'s time" failed',
            "event 1: TicketOpened.opened_at: expected datetime.datetime(2024, 5, 1, 10, 0, 1,",
        ],
    ),
    "zone": (
        "- TicketClosedByAgent: {closed_at: 2024-05-01T12:30:00Z}",
        "- TicketClosedByAgent: {closed_at: 2024-05-01T12:30:00+02:00}",
        [
            "Scenario 'a time without a zone is UTC' failed",
            "event 1: TicketClosedByAgent.closed_at: expected datetime.datetime(2024, 5, 1, 10, 30,",
        ],
    ),
    "read model": (
        "          - {ticket_id: t-1, seen_at: 2024-05-01T09:00:00Z}",
        "          - {ticket_id: t-1, seen_at: 2024-05-01T08:00:00Z}",
        [
            'Scenario "a logged ticket is seen at the scenario\'s time" failed',
            "row 1: TicketLogRow.seen_at: expected datetime.datetime(2024, 5, 1, 8, 0,",
        ],
    ),
    "automation": (
        "          - SendSurvey: {survey_id: t-1, due: 2024-05-01T12:00:00Z}",
        "          - SendSurvey: {survey_id: t-1, due: 2024-05-01T11:00:00Z}",
        [
            "Scenario 'the survey is due when the ticket closes' failed",
            "command 1: SendSurvey.due: expected datetime.datetime(2024, 5, 1, 11, 0,",
        ],
    ),
}

# Copies of the timeline, each with one step's expected time wrong.
WRONG_STEPS = {
    "rows": (
        "rows: {TicketLog: [{ticket_id: t-1, seen_at: 2024-05-01T10:00:00Z}]}",
        "rows: {TicketLog: [{ticket_id: t-1, seen_at: 2024-05-01T09:00:00Z}]}",
        [
            "failed at step 1 (OpenTicket)",
            "TicketLog: row 1: TicketLogRow.seen_at: expected datetime.datetime(2024, 5, 1, 9, 0,",
        ],
    ),
    "time kept": (
        "state: {opened_at: 2024-05-01T11:00:00Z}",
        "state: {opened_at: 2024-05-01T10:00:00Z}",
        [
            "failed at step 3 (OpenTicket)",
            "state.opened_at: expected datetime.datetime(2024, 5, 1, 10, 0,",
        ],
    ),
}

# The application with and without a clock, as a test of the generated package.
APPLICATION_CLOCK = """
from datetime import UTC, datetime

from desk.application import DeskApplication
from desk.ticket.open_ticket import OpenTicket

ENV = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": ":memory:"}


def test_without_a_clock_the_application_reads_real_time() -> None:
    before = datetime.now(tz=UTC)
    [recorded] = DeskApplication(env=ENV).handle(OpenTicket(ticket_id="t-1", title="Printer"))
    assert before <= recorded.event.opened_at <= datetime.now(tz=UTC)


def test_the_application_reads_the_clock_it_is_given() -> None:
    noon = datetime(2024, 5, 1, 12, tzinfo=UTC)
    app = DeskApplication(env=ENV, clock=lambda: noon)
    [recorded] = app.handle(OpenTicket(ticket_id="t-1", title="Printer"))
    assert recorded.event.opened_at == noon
"""


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("desk")
    result = cli("generate", write_spec(root, DESK))
    assert result.exit_code == 0, result.stderr
    return root


@pytest.fixture(scope="module")
def wrong_run(tmp_path_factory: pytest.TempPathFactory) -> str:
    spec = DESK
    for old, new, _ in WRONG.values():
        assert spec.count(old) == 1, old
        spec = spec.replace(old, new)
    story = DESK[DESK.index("  - name: a ticket opened") :]
    for case, (old, new, _) in WRONG_STEPS.items():
        assert story.count(old) == 1, old
        spec += story.replace(old, new).replace("a ticket opened", f"wrong {case}, a ticket opened")
    root = tmp_path_factory.mktemp("wrong_desk")
    result = cli("generate", write_spec(root, spec))
    assert result.exit_code == 0, result.stderr
    run = run_pytest(
        root, "tests/test_timelines.py", "tests/ticket", "tests/read_models", "tests/automations"
    )
    assert run.returncode == 1, run.stdout + run.stderr
    return run.stdout


def test_the_desk_runs_green_with_fixed_times(desk: Path) -> None:
    result = run_pytest(desk)
    assert result.returncode == 0, result.stdout + result.stderr
    timed = ("tests/test_timelines.py", "tests/ticket", "tests/read_models", "tests/automations")
    timeline = run_pytest(desk, *timed, "-rA")
    assert timeline.returncode == 0, timeline.stdout + timeline.stderr
    for test in (
        "::test_a_ticket_opened_and_closed_an_hour_later",
        "::test_a_ticket_is_stamped_with_the_scenario_s_time",
        "::test_a_time_without_a_zone_is_utc",
        "::test_a_logged_ticket_is_seen_at_the_scenario_s_time",
        "::test_the_survey_is_due_when_the_ticket_closes",
    ):
        passed = [line for line in timeline.stdout.splitlines() if line.startswith("PASSED")]
        assert any(line.endswith(test) for line in passed), timeline.stdout


def test_the_desk_is_ruff_clean_and_strictly_typed(desk: Path) -> None:
    assert_clean_and_strictly_typed(desk)


def test_generated_code_reads_the_package_clock(desk: Path) -> None:
    command = (desk / "src/desk/ticket/open_ticket.py").read_text(encoding="utf-8")
    assert "opened_at=clock.now()" in command
    assert "from desk import clock" in command
    scenario = (desk / "tests/ticket/test_open_ticket.py").read_text(encoding="utf-8")
    assert "at=datetime(2024, 5, 1, 10, 0, 0, tzinfo=UTC)" in scenario
    timeline = (desk / "tests/test_timelines.py").read_text(encoding="utf-8")
    assert "at=datetime(2024, 5, 1, 11, 0, 0, tzinfo=UTC)" in timeline


def test_the_application_takes_a_clock_real_time_by_default(desk: Path) -> None:
    test = desk / "tests/test_application_clock.py"
    test.write_text(textwrap.dedent(APPLICATION_CLOCK).lstrip(), encoding="utf-8")
    try:
        run = run_pytest(desk, "tests/test_application_clock.py")
    finally:
        test.unlink()
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout


@pytest.mark.parametrize("case", list(WRONG))
def test_a_wrong_expected_time_fails_naming_the_field(wrong_run: str, case: str) -> None:
    first, *rest = WRONG[case][2]
    assert first in wrong_run, wrong_run
    block = wrong_run[wrong_run.index(first) : wrong_run.index(first) + 600]
    for words in rest:
        assert words in block, f"{words!r} not in:\n{block}"


@pytest.mark.parametrize("case", list(WRONG_STEPS))
def test_a_wrong_time_in_a_step_fails_naming_the_step_and_field(wrong_run: str, case: str) -> None:
    name = f"wrong {case}, a ticket opened and closed an hour later"
    failure = f"Timeline {name!r} failed at"
    assert failure in wrong_run, wrong_run
    block = wrong_run[wrong_run.index(failure) : wrong_run.index(failure) + 600]
    for words in WRONG_STEPS[case][2]:
        assert words in block, f"{words!r} not in:\n{block}"


def test_every_wrong_time_fails_and_nothing_else(wrong_run: str) -> None:
    failed = re.search(r"(\d+) failed", wrong_run)
    assert failed is not None, wrong_run
    assert int(failed[1]) == len(WRONG) + len(WRONG_STEPS), wrong_run

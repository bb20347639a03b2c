"""A slice's brief stays small enough to paste, and shows times as the spec writes them."""

from __future__ import annotations

from pathlib import Path

from conftest import cli, write_spec

from generator.agent.timelines import BRIEF_TARGET, within

STEP = "  - step {n} (when): {{when: {{AddItem: {{sku: {sku}}}}}}}"


def test_a_brief_that_fits_is_left_as_it_is() -> None:
    lines = ["# Slice AddItem", STEP.format(n=1, sku="tea"), STEP.format(n=2, sku="jam")]
    assert within(lines) == lines


def test_a_long_brief_gives_up_its_timeline_steps_the_last_first() -> None:
    padding = ["x" * 100] * ((BRIEF_TARGET - 300) // 101)
    steps = [STEP.format(n=n, sku="tea" * 10) for n in range(1, 6)]
    lines = ["# Slice AddItem", *padding, "## Timelines", "- **story** (line 9, 5 steps):", *steps]
    assert len("\n".join(lines)) >= BRIEF_TARGET
    kept = within(lines)
    assert len("\n".join(kept)) + 1 < BRIEF_TARGET
    assert kept[-5:-2] == steps[:3]  # the first steps stay whole
    assert kept[-2:] == ["  - step 4 (when)", "  - step 5 (when)"]
    assert kept[: len(padding) + 1] == lines[: len(padding) + 1]  # nothing else is cut


def test_scenario_times_are_shown_as_the_spec_writes_them(tmp_path: Path) -> None:
    spec = write_spec(
        tmp_path / "tickets",
        """
        eventforge: 1
        domain: Tickets
        aggregates:
          Ticket:
            id: {name: ticket_id, type: str}
            state: {opened_at: datetime}
            events:
              TicketOpened: {fields: {opened_at: datetime}}
            commands:
              OpenTicket:
                creates: true
                emits: [{TicketOpened: {opened_at: "= now()"}}]
            scenarios:
              - name: a ticket is stamped
                at: 2024-05-01T10:00:00Z
                when: {OpenTicket: {}}
                then: [{TicketOpened: {opened_at: 2024-05-01T10:00:00Z}}]
        """,
    )
    document = cli("context", spec, "--slice", "OpenTicket", "--format", "json").json()
    assert isinstance(document, dict)
    markdown = document["markdown"]
    assert "opened_at: '2024-05-01T10:00:00Z'" in markdown, markdown
    assert "!!timestamp" not in markdown

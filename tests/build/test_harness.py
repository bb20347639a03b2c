"""The generated given/when/then harness (templates/package/testing.py.jinja), driven directly.

Every generated scenario test relies on it: if `then` stopped comparing lengths, or `same` stopped
comparing types, every generated test would stay green while proving nothing. So each check runs
here twice: once on a scenario that holds (it must pass) and once per way of being wrong (it
must fail, naming the scenario and what differed).
"""

from __future__ import annotations

import dataclasses
import importlib
import re
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any
from uuid import UUID

import pytest
from conftest import cli, write_spec

# A package name no example or other test uses: it is imported into this interpreter.
PACKAGE = "harness_probe"

PROBE = """
eventforge: 1
domain: Harness Probe
package: harness_probe
aggregates:
  Counter:
    id: counter_id
    state:
      label: str
      total: {type: decimal, default: 0}
      hits: {type: int, default: 0}
      closed: {type: bool, default: false}
    errors:
      TooSmall: The amount must be positive.
      CounterIsClosed: The counter is closed.
    events:
      CounterOpened:
        fields: {label: str}
      Added:
        fields: {amount: decimal}
        apply: {total: "= state.total + event.amount", hits: "= state.hits + 1"}
      Noted:
        fields: {note: str}
      CounterClosed:
        fields: {}
        apply: {closed: true}
    commands:
      OpenCounter:
        creates: true
        fields: {label: str}
        emits: [CounterOpened]
      Add:
        fields: {amount: decimal}
        rejects:
          - if: state.closed
            error: CounterIsClosed
          - if: command.amount <= 0
            error: TooSmall
        emits: [Added]
      AddWithNote:
        fields: {amount: decimal, note: str}
        emits: [Added, Noted]
      CloseCounter:
        emits: [CounterClosed]
read_models:
  Totals:
    key: counter_id
    fields: {label: str, total: decimal}
    on:
      CounterOpened: {set: {label: "= event.label", total: 0}}
      Added: {set: {total: "= row.total + event.amount"}}
      CounterClosed: delete
automations:
  StarterBonus:
    on: CounterOpened
    send:
      Add: {counter_id: "= event.counter_id", amount: 1}
"""

ID = UUID("00000000-0000-4000-8000-000000000001")
OTHER = UUID("00000000-0000-4000-8000-000000000002")
NAME = "the probe scenario"


@dataclasses.dataclass
class Probe:
    """The generated package's pieces the tests use."""

    testing: ModuleType
    decider: Any
    events: ModuleType
    errors: ModuleType
    commands: dict[str, Any]
    totals: ModuleType
    bonus: Any
    app: Any

    def opened(self, key: UUID = ID) -> Any:
        return self.events.CounterOpened(counter_id=key, label="a")

    def added(self, amount: Decimal, key: UUID = ID) -> Any:
        return self.events.Added(counter_id=key, amount=amount)

    def when(self, command: str, *given: object, **fields: object) -> Any:
        """The scenario NAME: the probe counter, opened (plus `given`), handling `command`."""
        made = self.commands[command](counter_id=ID, **fields)
        return self.testing.scenario(self.decider, NAME).given(self.opened(), *given).when(made)


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Probe]:
    root = tmp_path_factory.mktemp("harness")
    result = cli("generate", write_spec(root, PROBE))
    assert result.exit_code == 0, result.stderr
    sys.path.insert(0, str(root / "src"))
    try:
        module = lambda name: importlib.import_module(f"{PACKAGE}.{name}")  # noqa: E731
        yield Probe(
            testing=module("testing"),
            decider=module("counter.decider").decider,
            events=module("counter.events"),
            errors=module("counter.errors"),
            commands={
                "Add": module("counter.add").Add,
                "AddWithNote": module("counter.add_with_note").AddWithNote,
                "OpenCounter": module("counter.open_counter").OpenCounter,
            },
            totals=module("read_models.totals"),
            bonus=module("automations.starter_bonus").automation,
            app=module("application").HarnessProbeApplication,
        )
    finally:
        sys.path.remove(str(root / "src"))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def fails(probe: Probe, run: Callable[[], object], *words: str, name: str = NAME) -> str:
    """`run` raises the harness's ScenarioFailed, naming the scenario and each of `words`."""
    with pytest.raises(probe.testing.ScenarioFailed) as caught:
        run()
    message = str(caught.value)
    assert message.startswith(f"Scenario {name!r} failed:"), message
    for word in words:
        assert word in message, f"{word!r} not in:\n{message}"
    return message


# -- positive controls: scenarios that hold pass ---------------------------------------------


def test_a_scenario_that_holds_passes_every_check(probe: Probe) -> None:
    t = probe.testing
    events = probe.events
    when = probe.when("Add", probe.added(Decimal("5")), amount=Decimal("2"))
    # The given events are folded first: total 5 + 2, two hits.
    when.then(t.expect(events.Added, counter_id=ID, amount=Decimal("2"))).and_state(
        label="a", total=Decimal("7"), hits=2, closed=False
    )
    when.then(t.expect(events.Added)).and_state()  # fields not given are not compared
    when.then_state(total=Decimal("7"), hits=2)
    probe.when("Add", amount=Decimal("0")).then_rejects(probe.errors.TooSmall)
    closed = probe.events.CounterClosed(counter_id=ID)
    probe.when("Add", closed, amount=Decimal("1")).then_rejects(probe.errors.CounterIsClosed)
    probe.when("AddWithNote", amount=Decimal("1"), note="n").then(
        t.expect(events.Added, amount=Decimal("1")), t.expect(events.Noted, note="n")
    ).and_state(total=Decimal("1"), hits=1)


def test_rows_and_commands_that_match_pass(probe: Probe) -> None:
    t = probe.testing
    row = probe.totals.TotalsRow
    given = [probe.opened(), probe.added(Decimal("3")), probe.opened(OTHER)]
    t.assert_rows(
        probe.totals.read_model,
        NAME,
        given=given,
        then=[
            t.expect(row, counter_id=ID, label="a", total=Decimal("3")),
            t.expect(row, counter_id=OTHER, total=Decimal("0")),
        ],
    )
    closed = probe.events.CounterClosed(counter_id=ID)
    t.assert_rows(probe.totals.read_model, NAME, given=[probe.opened(), closed], then=[])
    add = probe.commands["Add"]
    t.assert_sends(
        probe.bonus,
        NAME,
        given=[probe.opened(), probe.added(Decimal("3")), probe.opened(OTHER)],
        then=[
            t.expect(add, counter_id=ID, amount=Decimal("1")),
            t.expect(add, counter_id=OTHER, amount=Decimal("1")),
        ],
    )
    t.assert_sends(probe.bonus, NAME, given=[probe.added(Decimal("3"))], then=[])


# -- negative controls: each way of being wrong fails, saying where --------------------------

Case = Callable[[Probe], object]

SCENARIO_FAILURES: dict[str, tuple[Case, tuple[str, ...]]] = {
    "wrong event type": (
        lambda p: p.when("Add", amount=Decimal("2")).then(p.testing.expect(p.events.Noted)),
        ("event 1: expected Noted, got Added",),
    ),
    "wrong field value": (
        lambda p: p.when("Add", amount=Decimal("2")).then(
            p.testing.expect(p.events.Added, amount=Decimal("3"))
        ),
        ("event 1: Added.amount: expected Decimal('3') (Decimal), got Decimal('2') (Decimal)",),
    ),
    "an int where the event holds a Decimal": (
        lambda p: p.when("Add", amount=Decimal("1")).then(
            p.testing.expect(p.events.Added, amount=1)
        ),
        ("Added.amount: expected 1 (int), got Decimal('1') (Decimal)",),
    ),
    "wrong stream id": (
        lambda p: p.when("Add", amount=Decimal("1")).then(
            p.testing.expect(p.events.Added, counter_id=OTHER)
        ),
        ("Added.counter_id: expected UUID('00000000-0000-4000-8000-000000000002')",),
    ),
    "every differing field is named": (
        lambda p: p.when("AddWithNote", amount=Decimal("1"), note="n").then(
            p.testing.expect(p.events.Added, amount=Decimal("9")),
            p.testing.expect(p.events.Noted, note="other"),
        ),
        ("event 1: Added.amount: expected Decimal('9')", "event 2: Noted.note: expected 'other'"),
    ),
    "events in the wrong order": (
        lambda p: p.when("AddWithNote", amount=Decimal("1"), note="n").then(
            p.testing.expect(p.events.Noted), p.testing.expect(p.events.Added)
        ),
        ("event 1: expected Noted, got Added", "event 2: expected Added, got Noted"),
    ),
    "a missing event": (
        lambda p: p.when("Add", amount=Decimal("1")).then(
            p.testing.expect(p.events.Added), p.testing.expect(p.events.Noted)
        ),
        ("expected 2 event(s): [Added(), Noted()]", "got 1 event(s)"),
    ),
    "an extra event": (
        lambda p: p.when("AddWithNote", amount=Decimal("1"), note="n").then(
            p.testing.expect(p.events.Added, amount=Decimal("1"))
        ),
        ("expected 1 event(s)", "got 2 event(s)", "Noted("),
    ),
    "events where none were expected": (
        lambda p: p.when("Add", amount=Decimal("1")).then(),
        ("expected 0 event(s)", "got 1 event(s)"),
    ),
    "the wrong error": (
        lambda p: p.when("Add", amount=Decimal("0")).then_rejects(p.errors.CounterIsClosed),
        ("expected CounterIsClosed, got TooSmall",),
    ),
    "a base class of the error": (
        lambda p: p.when("Add", amount=Decimal("0")).then_rejects(p.errors.TooSmall.__base__),
        ("got TooSmall",),
    ),
    "a rejection where events were expected": (
        lambda p: p.when("Add", amount=Decimal("0")).then(p.testing.expect(p.events.Added)),
        ("the command was rejected with TooSmall",),
    ),
    "a rejection where a state was expected": (
        lambda p: p.when("Add", amount=Decimal("0")).then_state(total=Decimal("0")),
        ("the command was rejected with TooSmall",),
    ),
    "events where a rejection was expected": (
        lambda p: p.when("Add", amount=Decimal("1")).then_rejects(p.errors.TooSmall),
        ("expected TooSmall, but the command emitted [Added(",),
    ),
    "and_state with a wrong value": (
        lambda p: (
            p.when("Add", amount=Decimal("2"))
            .then(p.testing.expect(p.events.Added))
            .and_state(label="a", total=Decimal("3"))
        ),
        ("state.total: expected Decimal('3') (Decimal), got Decimal('2') (Decimal)",),
    ),
    "and_state with an int where the state holds a Decimal": (
        lambda p: (
            p.when("Add", amount=Decimal("2"))
            .then(p.testing.expect(p.events.Added))
            .and_state(total=2)
        ),
        ("state.total: expected 2 (int), got Decimal('2') (Decimal)",),
    ),
    "and_state with True where the state holds 1": (
        lambda p: (
            p.when("Add", amount=Decimal("2"))
            .then(p.testing.expect(p.events.Added))
            .and_state(hits=True)
        ),
        ("state.hits: expected True (bool), got 1 (int)",),
    ),
    "then_state with a wrong value": (
        lambda p: p.when("Add", amount=Decimal("2")).then_state(hits=1, closed=True),
        ("state.closed: expected True (bool), got False (bool)",),
    ),
    "then_state before the command's events": (
        # The state checked is the one after the new events, not the given one.
        lambda p: p.when("Add", amount=Decimal("2")).then_state(total=Decimal("0")),
        ("state.total: expected Decimal('0') (Decimal), got Decimal('2') (Decimal)",),
    ),
}


@pytest.mark.parametrize("case", list(SCENARIO_FAILURES))
def test_a_wrong_scenario_fails_and_says_what_differed(probe: Probe, case: str) -> None:
    run, words = SCENARIO_FAILURES[case]
    fails(probe, lambda: run(probe), *words)


def _rows(probe: Probe, given: list[object], *rows: dict[str, object]) -> None:
    expected = [probe.testing.expect(probe.totals.TotalsRow, **row) for row in rows]
    probe.testing.assert_rows(probe.totals.read_model, NAME, given=given, then=expected)


def _sends(probe: Probe, given: list[object], *commands: dict[str, object]) -> None:
    add = probe.commands["Add"]
    expected = [probe.testing.expect(add, **command) for command in commands]
    probe.testing.assert_sends(probe.bonus, NAME, given=given, then=expected)


ROW_FAILURES: dict[str, tuple[Case, tuple[str, ...]]] = {
    "a row with a wrong value": (
        lambda p: _rows(p, [p.opened(), p.added(Decimal("3"))], {"total": Decimal("4")}),
        ("row 1: TotalsRow.total: expected Decimal('4') (Decimal), got Decimal('3') (Decimal)",),
    ),
    "a row value of another type": (
        lambda p: _rows(p, [p.opened()], {"total": 0}),
        ("row 1: TotalsRow.total: expected 0 (int), got Decimal('0') (Decimal)",),
    ),
    "a missing row": (
        lambda p: _rows(p, [p.opened()], {"counter_id": ID}, {"counter_id": OTHER}),
        ("expected 2 row(s)", "got 1 row(s)"),
    ),
    "an extra row": (
        lambda p: _rows(p, [p.opened(), p.opened(OTHER)], {"counter_id": ID}),
        ("expected 1 row(s)", "got 2 row(s)"),
    ),
    "a deleted row expected": (
        lambda p: _rows(p, [p.opened(), p.events.CounterClosed(counter_id=ID)], {"label": "a"}),
        ("expected 1 row(s)", "got 0 row(s)"),
    ),
    "a row of another type": (
        lambda p: p.testing.assert_rows(
            p.totals.read_model, NAME, given=[p.opened()], then=[p.testing.expect(p.events.Added)]
        ),
        ("row 1: expected Added, got TotalsRow",),
    ),
    "a command with a wrong value": (
        lambda p: _sends(p, [p.opened()], {"amount": Decimal("2")}),
        ("command 1: Add.amount: expected Decimal('2') (Decimal), got Decimal('1') (Decimal)",),
    ),
    "a command sent to the wrong stream": (
        lambda p: _sends(p, [p.opened()], {"counter_id": OTHER}),
        ("command 1: Add.counter_id: expected UUID('00000000-0000-4000-8000-000000000002')",),
    ),
    "a command value of another type": (
        lambda p: _sends(p, [p.opened()], {"amount": 1}),
        ("command 1: Add.amount: expected 1 (int), got Decimal('1') (Decimal)",),
    ),
    "a missing command": (
        lambda p: _sends(p, [p.opened()], {"counter_id": ID}, {"counter_id": OTHER}),
        ("expected 2 command(s)", "got 1 command(s)"),
    ),
    "an extra command": (
        lambda p: _sends(p, [p.opened(), p.opened(OTHER)], {"counter_id": ID}),
        ("expected 1 command(s)", "got 2 command(s)"),
    ),
    "a command where none is sent": (
        lambda p: _sends(p, [p.added(Decimal("1"))], {"counter_id": ID}),
        ("expected 1 command(s)", "got 0 command(s)"),
    ),
    "a command of another type": (
        lambda p: p.testing.assert_sends(
            p.bonus,
            NAME,
            given=[p.opened()],
            then=[p.testing.expect(p.commands["AddWithNote"])],
        ),
        ("command 1: expected AddWithNote, got Add",),
    ),
}


@pytest.mark.parametrize("case", list(ROW_FAILURES))
def test_wrong_rows_and_commands_fail_and_say_what_differed(probe: Probe, case: str) -> None:
    run, words = ROW_FAILURES[case]
    fails(probe, lambda: run(probe), *words)


def test_a_failure_names_its_own_scenario(probe: Probe) -> None:
    t = probe.testing
    when = t.scenario(probe.decider, "deposits: 'quoted'").given(probe.opened())
    run = lambda: when.when(probe.commands["Add"](counter_id=ID, amount=Decimal("0"))).then()  # noqa: E731
    fails(probe, run, "TooSmall", name="deposits: 'quoted'")


# -- the comparison underneath: same values of the same types, all the way down ---------------


def test_same_compares_types_all_the_way_down(probe: Probe) -> None:
    same = probe.testing.same
    row = probe.totals.TotalsRow
    assert same(Decimal("1"), Decimal("1.0"))
    assert same(
        row(counter_id=ID, label="a", total=Decimal("1")),
        row(counter_id=ID, label="a", total=Decimal("1")),
    )
    assert same([probe.added(Decimal("1"))], [probe.added(Decimal("1"))])
    different = [
        (Decimal("1"), 1),
        (1, True),
        (1.0, 1),
        ("1", 1),
        ([1], (1,)),
        ([1], [1, 1]),
        ([Decimal("1")], [1]),
        ((Decimal("1"), "a"), (Decimal("1"), "b")),
        # Dataclass equality says these are equal (Decimal('1') == 1); `same` looks inside.
        (row(counter_id=ID, label="a", total=Decimal("1")), row(counter_id=ID, label="a", total=1)),
        (probe.added(Decimal("1")), probe.added(Decimal("1"), OTHER)),
        (probe.added(Decimal("1")), probe.events.Noted(counter_id=ID, note="1")),
    ]
    for a, b in different:
        assert not same(a, b), (a, b)
        assert not same(b, a), (b, a)


def test_conforms_checks_exact_types(probe: Probe) -> None:
    conforms = probe.testing.conforms
    assert conforms(Decimal("1"), Decimal)
    assert conforms(None, int | None)
    assert conforms((1, 2), tuple[int, ...])
    assert conforms(probe.added(Decimal("1")), probe.events.Added)
    assert not conforms(1, Decimal)
    assert not conforms(True, int)
    assert not conforms(None, int)
    assert not conforms((1, "2"), tuple[int, ...])
    assert not conforms([1], tuple[int, ...])
    assert not conforms(probe.added(1), probe.events.Added)


# -- the store checks: they fail when the store changes what it was given ---------------------


def _sqlite(probe: Probe, database: Path) -> Callable[[], Any]:
    """Applications on one SQLite file (a new file for each store a check starts from)."""
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(database)}
    return lambda: probe.app(env={**env, "SNAPSHOT_INTERVAL": "1"})


def _changed(field: str, change: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """An event with `field` changed, when it has that field."""
    return lambda e: (
        dataclasses.replace(e, **{field: change(getattr(e, field))}) if hasattr(e, field) else e
    )


def _loading_differently(
    make_app: Callable[[], Any], change: Callable[[Any], Any]
) -> Callable[[], Any]:
    """Applications whose store hands back `change(event)` for each event it holds."""

    def make() -> Any:
        app = make_app()
        history = app.history
        app.history = lambda stream: [
            dataclasses.replace(r, event=change(r.event)) for r in history(stream)
        ]
        return app

    return make


def test_round_trip_fails_when_the_store_changes_a_value(probe: Probe, tmp_path: Path) -> None:
    events = [probe.opened(), probe.added(Decimal("2.50"), OTHER)]
    probe.testing.assert_round_trip(_sqlite(probe, tmp_path / "right.db"), events)
    cases = {
        "text": (_changed("label", lambda _: "b"), "label='b'"),
        # Read back as a float or an int: equal, or close, but not the same value.
        "float": (_changed("amount", float), "amount=2.5)"),
        "int": (_changed("amount", lambda _: 2), "amount=2)"),
        "stream": (
            _changed("counter_id", lambda _: ID),
            "counter_id=UUID('00000000-0000-4000-8000-000000000001'), amount=",
        ),
    }
    for case, (change, shown) in cases.items():
        make_app = _loading_differently(_sqlite(probe, tmp_path / f"{case}.db"), change)
        with pytest.raises(AssertionError, match="changed in the store") as caught:
            probe.testing.assert_round_trip(make_app, events)
        assert shown in str(caught.value), case


def test_survives_the_store_fails_when_reloading_changes_the_state(
    probe: Probe, tmp_path: Path
) -> None:
    t = probe.testing
    given = [probe.opened(), probe.added(Decimal("5"))]
    command = probe.commands["Add"](counter_id=ID, amount=Decimal("2"))
    t.assert_survives_the_store(
        _sqlite(probe, tmp_path / "right.db"), probe.decider, given, command
    )
    make_app = _sqlite(probe, tmp_path / "wrong.db")

    def reloads_wrongly() -> Any:
        app = make_app()
        state_of = app.state_of
        app.state_of = lambda decider, key: dataclasses.replace(state_of(decider, key), hits=9)
        return app

    with pytest.raises(AssertionError, match=re.escape("Add: state after reload differs")):
        t.assert_survives_the_store(reloads_wrongly, probe.decider, given, command)
    with pytest.raises(AssertionError, match=re.escape("Add: stored events differ")):
        changed = _changed("amount", lambda amount: amount + 1)
        t.assert_survives_the_store(
            _loading_differently(_sqlite(probe, tmp_path / "lossy.db"), changed),
            probe.decider,
            given,
            command,
        )

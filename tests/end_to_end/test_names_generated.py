"""Any name the domain uses: fields called `date`, `type`, `from`, `class`, `str` or `field`, and
classes called `Application`, `Path` or `Handled`, generate packages that pass ruff, mypy --strict
and their own tests, store and show the spec's names, and take them on the command line.

Two specs (tests/end_to_end/names/): a hotel, as a domain would write it, and a ledger holding
every name the generated class bodies use themselves.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import assert_clean_and_strictly_typed, cli, run_pytest

SPECS = Path(__file__).parent / "names"


def _generated(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    project = tmp_path_factory.mktemp(name)
    shutil.copy(SPECS / f"{name}.yaml", project / "eventforge.yaml")
    validated = cli("validate", project / "eventforge.yaml")
    assert validated.exit_code == 0 and "warning" not in validated.stdout, validated.stdout
    result = cli("generate", project / "eventforge.yaml")
    assert result.exit_code == 0, result.stdout + result.stderr
    return project


@pytest.fixture(scope="module")
def hotel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generated(tmp_path_factory, "hotel")


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generated(tmp_path_factory, "ledger")


@pytest.fixture(params=["hotel", "ledger"])
def project(request: pytest.FixtureRequest) -> Path:
    return Path(request.getfixturevalue(request.param))


def test_the_package_passes_its_own_tests(project: Path) -> None:
    result = run_pytest(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout and " failed" not in result.stdout


def test_the_package_is_ruff_clean_and_strictly_typed(project: Path) -> None:
    assert_clean_and_strictly_typed(project)


def test_python_names_differ_only_where_the_grammar_forbids(hotel: Path) -> None:
    state = (hotel / "src/hotel/booking/state.py").read_text()
    assert "    class_: str = " in state and "    from_: str = " in state
    assert "    type: RoomType = " in state and "    state: str = " in state
    # A field called `date` in the class: the type is reached through its module.
    assert "    date: dt.date = dt.date(1, 1, 1)" in state
    check_in = (hotel / "src/hotel/booking/check_in.py").read_text()
    assert 'command.stay.class_ != "from.class"' in check_in  # strings stay as written


def _hotel(project: Path, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POSTGRES_", "PERSISTENCE_"))}
    return subprocess.run(
        [sys.executable, "-m", "hotel", "--db", str(db), *args],
        cwd=project / "src",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def _payloads(db: Path, topic: str) -> list[dict[str, object]]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT state FROM stored_events WHERE topic = ?", (topic,)
        ).fetchall()
    return [json.loads(state) for (state,) in rows]


def test_the_store_and_the_command_line_keep_the_spec_names(hotel: Path, tmp_path: Path) -> None:
    db = tmp_path / "hotel.sqlite"
    booked = _hotel(
        hotel,
        db,
        "handle",
        "RequestBooking",
        json.dumps({"date": "2024-05-01", "from": "Lyon", "class": "deluxe", "type": "suite"}),
    )
    assert booked.returncode == 0, booked.stderr
    [event] = json.loads(booked.stdout)
    booking = event["data"]["booking_id"]
    assert event["data"]["from"] == "Lyon" and event["data"]["class"] == "deluxe"
    assert "from_" not in booked.stdout and "class_" not in booked.stdout
    [stored] = _payloads(db, "hotel:BookingRequested")
    assert stored["from"] == "Lyon" and stored["class"] == "deluxe" and stored["type"] == "suite"
    assert "from_" not in stored and "class_" not in stored

    stay = {"id": "101", "date": "2024-05-01", "class": "sea view"}
    arrived = _hotel(
        hotel,
        db,
        "handle",
        "CheckIn",
        json.dumps({"booking_id": booking, "timestamp": "2024-05-01T15:00:00+00:00", "stay": stay}),
    )
    assert arrived.returncode == 0, arrived.stderr
    [checked_in] = _payloads(db, "hotel:GuestCheckedIn")
    # The event's own `timestamp` and the time it was recorded, side by side.
    assert checked_in["timestamp"] == "2024-05-01T15:00:00+00:00"
    assert checked_in["stay"] == stay and "_timestamp" in checked_in

    state = json.loads(_hotel(hotel, db, "state", "Booking", booking).stdout)
    assert (state["from"], state["class"], state["state"]) == ("Lyon", "deluxe", "checked in")
    assert state["timestamp"] == "2024-05-01T15:00:00+00:00" and state["stays"] == [stay]
    [row] = json.loads(_hotel(hotel, db, "rows", "Arrivals").stdout)
    assert row["from"] == "Lyon" and row["state"] == "arrived from Lyon"
    history = json.loads(_hotel(hotel, db, "history", "Booking", booking).stdout)
    assert history[1]["data"]["stay"]["class"] == "sea view"

    refused = _hotel(hotel, db, "handle", "RequestBooking", '{"date": "2024-05-01", "from_": "x"}')
    assert refused.returncode == 2
    assert "RequestBooking.from_: expected one of RequestBooking's fields" in refused.stderr
    assert "from," in refused.stderr


COMMANDS_NAMED_LIKE_HELPERS = """
eventforge: 1
domain: Timing
aggregates:
  Timer:
    state:
      ticks: {type: int, default: 0}
    events:
      TimerStarted: {fields: {}}
      Ticked: {fields: {}, apply: {ticks: "= state.ticks + 1"}}
    commands:
      Clock: {creates: true, emits: [TimerStarted]}
      Tracking: {emits: [Ticked]}
      TypeVar: {emits: [Ticked]}
      InvalidValueError: {emits: [Ticked]}
      ConfigurationError: {emits: [Ticked]}
"""


def test_commands_named_like_the_applications_helpers_generate_clean(tmp_path: Path) -> None:
    """The application module imports every command by name: a command called `Tracking`,
    `Clock` or `TypeVar` redefined the helper it imported by that name (ruff F811, found by the
    property test); helpers are named through their modules now."""
    spec = tmp_path / "eventforge.yaml"
    spec.write_text(COMMANDS_NAMED_LIKE_HELPERS, encoding="utf-8")
    result = cli("generate", spec)
    assert result.exit_code == 0, result.stderr
    assert_clean_and_strictly_typed(tmp_path)

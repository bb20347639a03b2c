"""map[K, V] and duration end to end (issue 13): a spec using maps keyed by str, int, uuid, date
and an enum, holding decimals, value objects, lists and maps, and durations, in fields, state
defaults, value objects, read-model rows and scenario values (tests/end_to_end/maps/cart.yaml),
generates a package that passes ruff, mypy --strict and its own tests (events, snapshots, states
and rows round-trip through the store; on PostgreSQL too where a server is given), and whose
command line takes maps and durations as JSON and gives them back.
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

from generator.spec.durations import iso_duration, parse_duration

SPEC = Path(__file__).parent / "maps" / "cart.yaml"
CART = "5b2f6a52-3c1e-4f1e-9a43-0c1d2e3f4a5b"
LINE = "00000000-0000-4000-8000-000000000001"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("cartstays")
    shutil.copy(SPEC, project / "eventforge.yaml")
    validated = cli("validate", project / "eventforge.yaml")
    assert validated.exit_code == 0 and "warning" not in validated.stdout, validated.stdout
    result = cli("generate", project / "eventforge.yaml")
    assert result.exit_code == 0, result.stdout + result.stderr
    return project


def test_the_package_passes_its_own_tests(project: Path) -> None:
    postgres = bool(os.environ.get("POSTGRES_HOST"))
    result = run_pytest(project, "-rs", postgres=postgres)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout and " failed" not in result.stdout
    if postgres:  # rows come back from JSONB with their keys reordered, and still compare
        assert "skipped" not in result.stdout, result.stdout


def test_the_package_is_ruff_clean_and_strictly_typed(project: Path) -> None:
    assert_clean_and_strictly_typed(project)


def test_generated_code_spells_the_types(project: Path) -> None:
    state = (project / "src/cartstays/cart/state.py").read_text()
    assert "    lines: Mapping[UUID, CartLine] = field(default_factory=dict)\n" in state
    assert (
        "    nested: Mapping[int, Mapping[str, timedelta]] = field(default_factory=dict)" in state
    )
    assert "    late_after: timedelta = timedelta(days=1)\n" in state
    assert 'Size.SMALL: Decimal("1.50"), Size.LARGE: Decimal("2.75")' in state
    types = (project / "src/cartstays/types.py").read_text()
    # A field called timedelta: the class reaches the type through its module.
    assert "    timedelta: dt.timedelta = dt.timedelta(minutes=1, seconds=30)\n" in types


def _run(project: Path, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POSTGRES_", "PERSISTENCE_"))}
    return subprocess.run(
        [sys.executable, "-m", "cartstays", "--db", str(db), *args],
        cwd=project / "src",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_the_command_line_takes_maps_and_durations_and_gives_them_back(
    project: Path, tmp_path: Path
) -> None:
    db = tmp_path / "cart.sqlite"
    line = {"product": "tea", "quantity": 2, "price": "3.50", "options": {"leaf": "green"}}
    opened = _run(
        project,
        db,
        "handle",
        "OpenCart",
        json.dumps(
            {
                "cart_id": CART,
                "lines": {LINE: line},
                "stock": {"tea": 4, "coffee beans": 0},
                "late_after": "P1DT0.25S",  # read as ISO 8601 days too, stored in hours
                "by_day": {"2024-02-29": [3, 1]},
            }
        ),
    )
    assert opened.returncode == 0, opened.stderr
    stored_line = {**line, "timedelta": "PT1M30S"}  # the value object's default
    [event] = json.loads(opened.stdout)
    assert event["data"]["lines"] == {LINE: stored_line}
    assert event["data"]["late_after"] == "PT24H0.25S"
    booked = _run(
        project,
        db,
        "handle",
        "BookStay",
        json.dumps(
            {
                "cart_id": CART,
                "stay": "-PT1H30M",
                "nested": {"7": {"nap": "PT0.5S"}, "-1": {}},
                "sizes": {"small": "1.10"},
            }
        ),
    )
    assert booked.returncode == 0, booked.stderr
    with sqlite3.connect(db) as connection:
        [(payload,)] = connection.execute(
            "SELECT state FROM stored_events WHERE topic = 'cartstays:StayBooked'"
        ).fetchall()
    stored = json.loads(payload)
    assert stored["nested"] == {"7": {"nap": "PT0.5S"}, "-1": {}}
    assert stored["stay"] == "-PT1H30M" and stored["sizes"] == {"small": "1.10"}

    state = json.loads(_run(project, db, "state", "Cart", CART).stdout)
    assert state["lines"] == {LINE: stored_line} and state["stock"] == {"tea": 4, "coffee beans": 0}
    assert state["prices"] == {"small": "1.10"} and state["by_day"] == {"2024-02-29": [3, 1]}
    assert state["nested"] == {"7": {"nap": "PT0.5S"}, "-1": {}}
    assert (state["late_after"], state["stay"]) == ("PT24H0.25S", "-PT1H30M")
    [row] = json.loads(_run(project, db, "rows", "CartSummary").stdout)
    assert row["lines"] == {LINE: stored_line} and row["marks"] == {"large": False}
    assert (row["late_after"], row["stay"]) == ("PT24H0.25S", "-PT1H30M")

    for payload_text, wrong in [
        ('{"stay": "90 minutes", "nested": {}, "sizes": {}}', "BookStay.stay: expected a duration"),
        (
            '{"stay": "PT1H", "nested": {"one": {}}, "sizes": {}}',
            'BookStay.nested["one"]: expected',
        ),
        ('{"stay": "PT1H", "nested": [], "sizes": {}}', "BookStay.nested: expected a JSON object"),
        ('{"stay": "PT1H", "nested": {}, "sizes": {"medium": "1"}}', 'BookStay.sizes["medium"]: '),
    ]:
        data = {"cart_id": CART, **json.loads(payload_text)}
        refused = _run(project, db, "handle", "BookStay", json.dumps(data))
        assert refused.returncode == 2 and refused.stderr.startswith("error: " + wrong), (
            refused.stderr
        )


def test_the_package_reads_durations_as_the_generator_writes_them(project: Path) -> None:
    """The generated runtime's ISO 8601 encoder and decoder against the generator's own."""
    written = ["24h", "7d", "-PT0.5S", "1d12h30m5.000001s", "0s", "P1DT2H", "-999999999d"]
    script = (
        "import json, sys\n"
        "from datetime import timedelta\n"
        "from cartstays.runtime import iso_duration, parse_duration\n"
        "out = []\n"
        "for micro in json.load(sys.stdin):\n"
        "    text = iso_duration(timedelta(microseconds=micro))\n"
        "    out.append([text, parse_duration(text) // timedelta(microseconds=1)])\n"
        "print(json.dumps(out))\n"
    )
    values = [parse_duration(w) for w in written]
    micros = [v // parse_duration("PT0.000001S") for v in values]
    ran = subprocess.run(
        [sys.executable, "-c", script],
        cwd=project / "src",
        input=json.dumps(micros),
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(ran.stdout) == [
        [iso_duration(v), m] for v, m in zip(values, micros, strict=True)
    ]

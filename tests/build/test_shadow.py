"""Class bodies whose fields take the names the body uses (generator/build/shadow.py)."""

from __future__ import annotations

from pathlib import Path

from conftest import cli, write_spec

from generator.build.shadow import Spelling


def test_a_body_without_such_fields_reads_as_usual() -> None:
    spelling = Spelling(["amount", "due_date", "type", "from_"])
    assert spelling.code("tuple[date, ...] | None") == "tuple[date, ...] | None"
    assert spelling.code("field(default_factory=uuid4)") == "field(default_factory=uuid4)"


def test_shadowed_names_are_reached_through_their_modules() -> None:
    spelling = Spelling(["date", "str", "field", "uuid4"])
    assert spelling.code("tuple[date, ...] | None") == "tuple[dt.date, ...] | None"
    assert spelling.code("str") == "builtins.str"
    assert spelling.code("int") == "int"  # no field is called int
    assert spelling.code("field(default_factory=uuid4)") == (
        "dataclasses.field(default_factory=uuid.uuid4)"
    )


def test_keyword_arguments_and_attributes_keep_their_names() -> None:
    spelling = Spelling(["date", "str"])
    code = "Stay(date=date(2024, 1, 1), str='x', kind=Kind.date)"
    assert spelling.code(code) == "Stay(date=dt.date(2024, 1, 1), str='x', kind=Kind.date)"


def test_a_field_named_like_the_module_gets_the_private_alias() -> None:
    spelling = Spelling(["date", "dt", "str", "builtins", "new_id", "runtime"])
    assert spelling.code("date") == "_dt.date"
    assert spelling.code("str") == "_builtins.str"
    assert spelling.code("new_id") == "_runtime.new_id"


TIMER = """\
eventforge: 1
domain: Clock
aggregates:
  Timer:
    id: dt
    state:
      started: {type: datetime, optional: true}
    events:
      TimerStarted:
        fields: {started: datetime}
    commands:
      StartTimer:
        creates: true
        fields: {started: datetime}
        emits: [TimerStarted]
"""


def test_an_id_field_named_like_a_module_alias_generates(tmp_path: Path) -> None:
    """An id field `dt` kept `import datetime as dt` alive in the import tidier (the word is
    there), and ruff called the field a redefinition of that unused import (F811, E700): found by
    the property tests. Such a file is now redone with ruff's own fixer, which drops the import."""
    spec = write_spec(tmp_path, TIMER)
    result = cli("generate", spec)
    assert result.exit_code == 0, result.stderr
    state = (tmp_path / "src/clock/timer/state.py").read_text()
    assert "import datetime as dt" not in state
    assert "    dt: UUID\n" in state

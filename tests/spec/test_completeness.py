"""Information completeness (issue 17): every read-model field is set by some event, every
command field is used, every event is emitted; warnings with locations, errors with --strict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import EXAMPLES, cli, write_spec

from generator.spec.validate import validate_file

# Every line matters: the expected positions below are lines of this text.
INCOMPLETE = """
    eventforge: 1
    domain: Library
    aggregates:
      Book:
        state:
          title: {type: str, default: ""}
          lent: {type: bool, default: false}
        events:
          BookAdded:
            fields: {title: str}
          BookLent:
            fields: {}
            apply: {lent: true}
          BookLost:
            fields: {}
        commands:
          AddBook:
            creates: true
            fields: {title: str, shelf: str, from: str}
            rejects:
              - if: command.from == ''
                error: NoSource
            emits: [BookAdded]
          LendBook:
            fields: {to: str}
            emits:
              - BookLent: {}
                if: command.to != ''
          ScanBook:
            handler: custom
            fields: {code: str}
            emits: [BookLent]
        errors:
          NoSource: Where does it come from?
    read_models:
      Shelf:
        key: book_id
        fields:
          title: {type: str, default: ""}
          lent: {type: bool, default: false}
          note: {type: str, default: ""}
        on:
          BookAdded: {set: {title: "= event.title"}}
          BookLent: {set: {lent: true}}
"""


def _warnings(spec: Path) -> list[tuple[str, int, int, str]]:
    model, diagnostics = validate_file(spec)
    assert model is not None, diagnostics  # warnings only: the spec is valid
    return [
        (d.code, d.line, d.column, d.message)
        for d in diagnostics
        if d.code in ("W440", "W441", "W442")
    ]


def test_each_gap_is_reported_where_it_is(tmp_path: Path) -> None:
    """`shelf` is used by nothing (`from`, a keyword, is read by a guard: no warning; `to` by
    an emit's `if:`); BookLost is emitted by no command; Shelf.note is set by no event. The
    custom ScanBook's `code` is not judged: its hand-written decide() may read it."""
    found = _warnings(write_spec(tmp_path, INCOMPLETE))
    assert [(code, line, column) for code, line, column, _ in found] == [
        ("W442", 14, 7),  # BookLost
        ("W441", 19, 30),  # AddBook.shelf
        ("W440", 41, 7),  # Shelf.note
    ]
    messages = [message for *_, message in found]
    assert "no command emits BookLost" in messages[0]
    assert "nothing uses AddBook.shelf" in messages[1]
    assert "no event sets Shelf.note" in messages[2]


@pytest.mark.parametrize(
    ("old", "new", "gone"),
    [
        ("emits: [BookAdded]", "emits: [BookAdded, BookLost]", "W442"),
        ("if: command.from == ''", "if: command.from == command.shelf", "W441"),
        ("BookLent: {set: {lent: true}}", 'BookLent: {set: {lent: true, note: "lent"}}', "W440"),
    ],
)
def test_filling_a_gap_removes_its_warning(tmp_path: Path, old: str, new: str, gone: str) -> None:
    assert old in INCOMPLETE
    found = _warnings(write_spec(tmp_path, INCOMPLETE.replace(old, new)))
    codes = [code for code, *_ in found]
    assert gone not in codes and len(codes) == 2, found


def test_strict_makes_warnings_fail(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, INCOMPLETE)
    relaxed = cli("validate", spec)
    assert relaxed.exit_code == 0 and "warning[W441]" in relaxed.stderr
    strict = cli("validate", spec, "--strict")
    assert strict.exit_code == 1
    assert "--strict fails on its warnings" in strict.stderr
    as_json = cli("validate", spec, "--strict", "--format", "json")
    assert as_json.exit_code == 1
    levels = {(e["code"], e["level"]) for e in json.loads(as_json.stdout)}
    assert {("W440", "warning"), ("W441", "warning"), ("W442", "warning")} <= levels


@pytest.mark.parametrize(
    "example", ["bank", "cart", "library", "orders", "shopvertical", "emmett_cart"]
)
def test_the_examples_are_complete(example: str) -> None:
    assert cli("validate", EXAMPLES / example / "eventforge.yaml", "--strict").exit_code == 0

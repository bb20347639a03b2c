"""The lock file and map[K, V] and duration fields (issue 13): they are locked by their spec
spelling, so a changed key type, value type or duration type is a type change (E803)."""

from __future__ import annotations

import pytest

from generator.evolution.lock import breaking_changes, build_lock
from generator.spec.load import load_bytes
from generator.spec.validate import validate_loaded

LOCKED = """\
eventforge: 1
domain: Shelf
aggregates:
  Shelf:
    events:
      Stocked:
        fields:
          stock: "map[str, int]"
          stay: duration
          lines: "map[uuid, list[decimal]]"
    commands:
      Stock:
        creates: true
        fields:
          stock: "map[str, int]"
          stay: duration
          lines: "map[uuid, list[decimal]]"
        emits: [Stocked]
"""


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('"map[str, int]"', '"map[int, int]"', "stock"),  # the key's type
        ('"map[str, int]"', '"map[str, decimal]"', "stock"),  # the values' type
        ('"map[uuid, list[decimal]]"', '"map[uuid, decimal]"', "lines"),
        ("stay: duration", "stay: int", "stay"),
        ("stay: duration", 'stay: "map[str, duration]"', "stay"),
    ],
)
def test_the_lock_sees_a_changed_map_or_duration_type(old: str, new: str, field: str) -> None:
    before, _ = validate_loaded(load_bytes(LOCKED.encode(), "spec.yaml"))
    assert before is not None
    lock = build_lock(before, None)
    assert lock["events"]["Stocked"]["history"]["1"]["stock"]["type"] == "map[str, int]"
    assert lock["events"]["Stocked"]["history"]["1"]["stay"]["type"] == "duration"
    loaded = load_bytes(LOCKED.replace(old, new).encode(), "spec.yaml")
    after, diagnostics = validate_loaded(loaded)
    assert after is not None, diagnostics
    found = breaking_changes(loaded, after, lock)
    assert [d.code for d in found] == ["E803"]
    assert found[0].path.endswith(f"Stocked.fields.{field}")
    unchanged = load_bytes(LOCKED.encode(), "spec.yaml")
    assert breaking_changes(unchanged, before, lock) == []

"""Spec literals of the types map[K, V] and duration (issue 13): what each is rendered as, what is\nrefused with which message and where, and the ISO 8601 text durations are stored as."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.build.render import dataclass_default, zero
from generator.spec.durations import (
    DurationError,
    duration_code,
    iso_duration,
    parse_duration,
)
from generator.spec.load import load_bytes
from generator.spec.types import TypeRef, parse_type
from generator.spec.validate import validate_loaded
from generator.spec.values import ValueMismatch, render_value

ENUMS = {"Size": {"small": "SMALL", "large": "LARGE"}}


def _render(type_text: str, value: object) -> str:
    return render_value(value, parse_type(type_text, set(ENUMS), set()), ENUMS, {})


@pytest.mark.parametrize(
    ("type_text", "value", "code"),
    [
        ("map[str, int]", {"tea": 2, "coffee beans": 0}, "{'tea': 2, 'coffee beans': 0}"),
        ("map[str, int]", {}, "{}"),
        # The loader gives every key as the text written; int and date keys are read from it.
        ("map[int, decimal]", {"5": "1.50", "-2": 3}, '{5: Decimal("1.50"), -2: Decimal("3")}'),
        ("map[date, list[int]]", {"2024-02-29": [1]}, "{date(2024, 2, 29): (1,)}"),
        (
            "map[uuid, str]",
            {"5B2F6A52-3C1E-4F1E-9A43-0C1D2E3F4A5B": "Ada"},
            "{UUID(\"5b2f6a52-3c1e-4f1e-9a43-0c1d2e3f4a5b\"): 'Ada'}",
        ),
        ("map[Size, bool]", {"large": True}, "{Size.LARGE: True}"),
        (
            "map[str, map[int, duration?]]",
            {"a": {"1": "90s", "2": None}},
            "{'a': {1: timedelta(minutes=1, seconds=30), 2: None}}",
        ),
        ("map[str, int]?", None, "None"),
        ("duration", "24h", "timedelta(days=1)"),
        ("duration", "30m", "timedelta(minutes=30)"),
        ("duration", "7d", "timedelta(days=7)"),
        ("duration", "90s", "timedelta(minutes=1, seconds=30)"),
        ("duration", "1d12h", "timedelta(days=1, hours=12)"),
        ("duration", "PT24H", "timedelta(days=1)"),
        ("duration", "P1DT2H", "timedelta(days=1, hours=2)"),
        ("duration", "PT0.5S", "timedelta(microseconds=500000)"),
        ("duration", "-PT1H", "timedelta(hours=-1)"),
        ("duration", "-1d30m", "timedelta(days=-1, minutes=-30)"),
        ("duration", "0s", "timedelta(0)"),
    ],
)
def test_literals_render_as_python(type_text: str, value: object, code: str) -> None:
    rendered = _render(type_text, value)
    assert rendered == code
    # What it renders to is the value itself, in Python.
    namespace = {
        "Decimal": __import__("decimal").Decimal,
        "date": dt.date,
        "timedelta": dt.timedelta,
    }
    namespace["UUID"] = __import__("uuid").UUID
    namespace["Size"] = type("Size", (), {"SMALL": "small", "LARGE": "large"})
    eval(rendered, namespace)


@pytest.mark.parametrize(
    ("type_text", "value", "message", "path", "key"),
    [
        ("map[str, int]", ["tea"], "expected a mapping for map[str, int], got a list", (), False),
        ("map[str, int]", {"tea": "x"}, "expected an integer, got a string", ("tea",), False),
        ("map[int, str]", {"first": "x"}, "the key 'first' is not an integer", ("first",), True),
        ("map[int, str]", {"007": "x"}, "the key '007' is not an integer", ("007",), True),
        (
            "map[date, int]",
            {"2024-13-01": 1},
            "a key of a map[date, ...]: '2024-13-01' is not",
            ("2024-13-01",),
            True,
        ),
        ("map[Size, int]", {"medium": 1}, "'medium' is not a value of Size", ("medium",), True),
        (
            "map[uuid, int]",
            {"5b2f6a52-3c1e-4f1e-9a43-0c1d2e3f4a5b": 1, "5B2F6A52-3C1E-4F1E-9A43-0C1D2E3F4A5B": 2},
            "is the same uuid as '5b2f6a52",
            ("5B2F6A52-3C1E-4F1E-9A43-0C1D2E3F4A5B",),
            True,
        ),
        # A wrong key deep inside: the path leads to it, and it is still a key.
        ("map[str, map[int, int]]", {"a": {"x": 1}}, "is not an integer", ("a", "x"), True),
        ("list[map[str, int]]", [{}, {"a": None}], "null is not allowed", (1, "a"), False),
        (
            "duration",
            "24 hours",
            "'24 hours' is not a duration (write a duration like 24h",
            (),
            False,
        ),
        ("duration", 15, "got a number (write it with a unit, like 90s or 24h)", (), False),
        ("duration", "P1Y", "is not a duration", (), False),
        ("duration", "P1DT", "is not a duration", (), False),
        ("duration", "PT", "is not a duration", (), False),
        ("duration", "h", "is not a duration", (), False),
        ("duration", "1h1d", "is not a duration", (), False),
        ("duration", "PT0.0000001S", "finer than a microsecond", (), False),
        ("duration", "1000000000d", "longer than a duration can be", (), False),
    ],
)
def test_bad_literals_are_refused_where_they_are(
    type_text: str, value: object, message: str, path: tuple[object, ...], key: bool
) -> None:
    with pytest.raises(ValueMismatch) as raised:
        _render(type_text, value)
    assert message in raised.value.message
    assert raised.value.path == path
    assert raised.value.key is key


@given(st.timedeltas(min_value=dt.timedelta(days=-99_999), max_value=dt.timedelta(days=99_999)))
def test_durations_are_stored_exactly_and_read_back(value: dt.timedelta) -> None:
    text = iso_duration(value)
    assert text.lstrip("-").startswith("PT") and "D" not in text
    assert parse_duration(text) == value
    assert eval(duration_code(value), {"timedelta": dt.timedelta}) == value


def test_durations_are_stored_in_hours_minutes_and_seconds() -> None:
    cases = {"24h": "PT24H", "7d": "PT168H", "90s": "PT1M30S", "0s": "PT0S", "-PT0.5S": "-PT0.5S"}
    for written, stored in cases.items():
        assert iso_duration(parse_duration(written)) == stored
    with pytest.raises(DurationError):
        parse_duration("")


def test_a_map_default_is_a_factory_and_durations_start_at_zero() -> None:
    assert dataclass_default("{}") == "field(default_factory=dict)"
    assert dataclass_default("{'a': 1}") == "field(default_factory=lambda: {'a': 1})"
    assert dataclass_default("timedelta(days=1)") == "timedelta(days=1)"
    spec = None  # zero() needs the spec only for enums and records
    assert zero(TypeRef("duration"), spec) == "timedelta(0)"  # type: ignore[arg-type]
    assert zero(parse_type("map[str, int]", set(), set()), spec) == "{}"  # type: ignore[arg-type]


def test_an_optional_map_keeps_its_key_type() -> None:
    text = SHELF.replace("stay: duration", "stay: {type: duration, optional: true}").replace(
        'stock: "map[str, int]"', 'stock: {type: "map[str, int]", optional: true}'
    )
    spec, diagnostics = validate_loaded(load_bytes(text.encode(), "spec.yaml"))
    assert spec is not None, diagnostics
    fields = {f.name: f.type for f in spec.aggregates[0].events[0].fields}
    assert fields["stock"].spec == "map[str, int]?" and fields["stock"].python == (
        "Mapping[str, int] | None"
    )


SHELF = """\
eventforge: 1
domain: Shelf
aggregates:
  Shelf:
    events:
      Stocked:
        fields:
          stock: "map[str, int]"
          stay: duration
    commands:
      Stock:
        creates: true
        fields: {stock: "map[str, int]", stay: duration}
        emits: [Stocked]
"""

"""generator/support/jsontext.py must write exactly what json.dumps(indent=2) writes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import EXAMPLES
from hypothesis import given
from hypothesis import strategies as st

from generator.support.jsontext import indented

# Floats with NaN and the infinities: json writes those its own way, not as repr does.
_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


@given(_VALUES, st.booleans())
def test_it_writes_what_json_dumps_writes(value: Any, ensure_ascii: bool) -> None:
    assert indented(value, ensure_ascii=ensure_ascii) == json.dumps(
        value, indent=2, ensure_ascii=ensure_ascii
    )


@pytest.mark.parametrize("name", [".eventforge/manifest.json", "eventforge.lock"])
@pytest.mark.parametrize(
    "example", ["bank", "orders", "library", "cart", "shopvertical", "emmett_cart"]
)
def test_the_committed_manifests_and_locks_read_back_the_same(example: str, name: str) -> None:
    text = (EXAMPLES / example / name).read_text(encoding="utf-8")
    assert indented(json.loads(text), ensure_ascii=name.endswith(".json")) + "\n" == text


def test_keys_that_are_not_strings_are_left_to_json_dumps() -> None:
    value = {1: [True, None], "a": {2.5: "x"}}
    assert indented(value) == json.dumps(value, indent=2)

"""Random edits of valid specs: deleted keys, swapped types, renamed references, garbage values
and raw text edits. The result may or may not be valid; either way eventforge must answer
with located errors or a generated package, never a traceback."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

from spec_strategies.names import TEXT
from spec_strategies.specs import dump, valid_specs

GARBAGE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | TEXT
    | st.sampled_from(
        ["= state.", "= command.x(", "list[", "?", "=", "Nope", "__class__", "{{x}}"]
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)


def data_paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into `data`, itself first: keys of maps, indexes of lists."""
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out += data_paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            out += data_paths(value, (*prefix, index))
    return out


def _strings(data: Any) -> list[str]:
    if isinstance(data, dict):
        return [s for k, v in data.items() for s in [str(k), *_strings(v)]]
    if isinstance(data, list):
        return [s for v in data for s in _strings(v)]
    return [data] if isinstance(data, str) else []


@st.composite
def mutated_specs(draw: Any) -> str:
    """A valid spec with a few random edits, as YAML text (which may no longer be valid)."""
    data = copy.deepcopy(draw(valid_specs(max_aggregates=2, scenarios="lean")).data)
    words = sorted(set(_strings(data))) or ["x"]
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(data_paths(data)[1:]))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        key = path[-1]
        kind = draw(st.sampled_from(["delete", "swap", "rename", "garbage", "insert", "retype"]))
        if kind == "delete":
            del parent[key]
        elif kind == "garbage":
            parent[key] = draw(GARBAGE)
        elif kind == "swap":
            value = parent[key]
            swaps = [[value], {"x": value}, str(value), 0, None, True, 1.5, [], {}]
            parent[key] = draw(st.sampled_from(swaps))
        elif kind == "rename":
            word = draw(st.sampled_from(words))
            new = draw(st.sampled_from([word, word + "s", word[:-1], word.upper(), word.lower()]))
            if isinstance(parent, dict):
                parent[new] = parent.pop(key)
            else:
                parent[key] = new
        elif kind == "insert" and isinstance(parent[key], dict):
            parent[key][draw(TEXT | st.sampled_from(words))] = draw(GARBAGE)
        else:
            types = ["int", "decimal", "str?", "list[int]", "Unknown", "list[", "float", "bool"]
            parent[key] = draw(st.sampled_from(types))
    text = dump(data)
    if draw(st.integers(0, 4)) == 0:  # and sometimes a raw edit of the text itself
        at = draw(st.integers(0, max(len(text) - 1, 0)))
        pieces = ["", ":", "- ", "{", "[", "'", '"', "&a ", "*a ", "\t", "\n  ", "!!python/name:x "]
        piece, cut = draw(st.sampled_from(pieces)), draw(st.integers(0, 3))
        text = text[:at] + piece + text[at + cut :]
    return text

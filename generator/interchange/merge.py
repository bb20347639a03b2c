"""A re-import laid over the spec it updates: the board's elements (found by the ids the spec
keeps as comments, so a renamed element is still found) update their fields and add what is
new; everything the user added stays: rules, expressions, `apply`, mappings, a handler made
declarative, scenarios, and elements the board does not have."""

from __future__ import annotations

from typing import Any

from generator.interchange.yamltext import Key

# Decisions the user makes on an element: the spec's wins, also when it left the key out.
_DECIDED = frozenset({"handler", "creates", "emits", "send", "on", "key", "id"})


def merge(
    old: dict[str, Any], new: dict[str, Any], known: dict[tuple[str, str], str]
) -> dict[str, Any]:
    boards = {name: (kind, board_id) for (kind, board_id), name in known.items()}
    out: dict[str, Any] = {}
    for section in [*new, *(k for k in old if k not in new)]:
        if section not in old:
            out[section] = new[section]
        elif section not in new or not isinstance(old[section], dict):
            out[section] = old[section]
        elif section == "aggregates":
            out[section] = _elements(old[section], new[section], boards, nested=True)
        else:
            out[section] = _elements(old[section], new[section], boards)
    return out


def _key(name: Any, boards: dict[str, tuple[str, str]], new: Any = None) -> Any:
    if isinstance(new, Key):
        return new
    return Key(str(name), boards.get(str(name))) if str(name) in boards else name


def _elements(
    old: dict[str, Any],
    new: dict[str, Any],
    boards: dict[str, tuple[str, str]],
    nested: bool = False,
) -> dict[str, Any]:
    out: dict[Any, Any] = {}
    new_keys = {str(k): k for k in new}
    for name in [*new_keys, *(k for k in old if k not in new_keys)]:
        key = _key(name, boards, new_keys.get(name))
        if name not in old:
            out[key] = new[new_keys[name]]
        elif name not in new_keys or not isinstance(old[name], dict):
            out[key] = old[name]
        else:
            merged = _element(old[name], new[new_keys[name]], boards, nested)
            # The import's TODO stays only while the element is still to be written by hand.
            notes = getattr(key, "notes", ()) if merged.get("handler") == "custom" else ()
            out[Key(str(key), getattr(key, "board", None), notes)] = merged
    return out


def _element(
    old: dict[str, Any], new: dict[str, Any], boards: dict[str, tuple[str, str]], nested: bool
) -> dict[str, Any]:
    out = dict(old)
    for part, value in new.items():
        if part in _DECIDED:
            continue
        if part not in old:
            out[part] = value
        elif part == "scenarios":
            names = {str(s.get("name")) for s in old[part] if isinstance(s, dict)}
            kept = [_scenario(s, boards) for s in old[part]]
            out[part] = kept + [s for s in value if str(s.get(Key("name"))) not in names]
        elif part == "fields" and isinstance(old[part], dict) and isinstance(value, dict):
            out[part] = {**value, **old[part]}
        elif nested and isinstance(old[part], dict) and isinstance(value, dict):
            out[part] = _elements(old[part], value, boards, nested=False)
        else:
            out[part] = old[part]
    return out


def _scenario(scenario: Any, boards: dict[str, tuple[str, str]]) -> Any:
    if not isinstance(scenario, dict) or str(scenario.get("name")) not in boards:
        return scenario
    board = boards[str(scenario["name"])]
    return {(Key("name", board) if k == "name" else k): v for k, v in scenario.items()}

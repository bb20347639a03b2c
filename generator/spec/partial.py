"""The meaning checks of a spec whose shape is wrong in places: run on the parts that are right.

The meaning checks (analyze/) read the data as the schema describes it, so a part of the wrong
shape cannot go through them. Rather than report the shape errors alone, each one's smallest
enclosing named item (a field, an error, an event, a command, a scenario, a type, an aggregate,
a read model, an automation) is left out of a copy of the data, and the rest is checked. The
positions of what is left stay those of the text: keys keep their paths, and scenarios after a
pruned one are renumbered back (in the positions before, and in the diagnostics after).

Leaving an item out makes its name unknown to the rest of the spec: meaning diagnostics that
only say so (a reference to a pruned event, a pruned command's field, ...) are dropped, since the
shape error already says what is wrong there.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from generator.spec.analyze import analyze
from generator.spec.diagnostics import Diagnostic, has_errors
from generator.spec.load import LoadedSpec, PathKey, path_text
from generator.spec.schema import shape_problems

_NAME, _INDEX = "<name>", "<index>"

# The named items, most specific last: the pattern of their path in the data.
_UNITS: tuple[tuple[str, ...], ...] = (
    ("types", _NAME),
    ("types", _NAME, "fields", _NAME),
    ("aggregates", _NAME),
    ("aggregates", _NAME, "state", _NAME),
    ("aggregates", _NAME, "errors", _NAME),
    ("aggregates", _NAME, "events", _NAME),
    ("aggregates", _NAME, "events", _NAME, "fields", _NAME),
    ("aggregates", _NAME, "commands", _NAME),
    ("aggregates", _NAME, "commands", _NAME, "fields", _NAME),
    ("aggregates", _NAME, "scenarios", _INDEX),
    ("read_models", _NAME),
    ("read_models", _NAME, "fields", _NAME),
    ("read_models", _NAME, "scenarios", _INDEX),
    ("automations", _NAME),
    ("automations", _NAME, "scenarios", _INDEX),
    ("timelines", _INDEX),
)
# Top-level keys the meaning checks do without.
_OPTIONAL_TOP = frozenset({"eventforge", "description"})
_SECTIONS = (
    "domain",
    "package",
    "types",
    "aggregates",
    "read_models",
    "automations",
    "timelines",
)

# Codes of meaning diagnostics that can say no more than "this name is unknown" or "this field is
# missing" (or follow from it): those are dropped when they name a pruned item.
_NAME_CODES = frozenset(
    {
        "E400",
        "E401",
        "E402",
        "E403",
        "E404",
        "E406",
        "E407",
        "E408",
        "E409",
        "E413",
        "E414",
        "E502",
        "E503",
        "E504",
        "E601",
    }
)
_FIELD_CODES = frozenset({"E404", "E406", "E408", "E413", "E503", "E504", "E601"})


@dataclass
class Pruned:
    """What was left out, to recognise the diagnostics that only follow from it."""

    names: set[str] = field(default_factory=set)  # PascalCase names declared in pruned items
    fields: set[tuple[str, str, str]] = field(default_factory=set)  # (kind, owner, field)
    commands_of: set[str] = field(default_factory=set)  # aggregates that lost a command
    renumbered: dict[PathKey, dict[int, int]] = field(default_factory=dict)  # list -> new: old
    automations: bool = False  # an automation was left out: timelines' `sent:` checks miss it

    def explains(self, diagnostic: Diagnostic, data: dict[str, Any]) -> bool:
        message = diagnostic.message
        if (
            self.automations
            and diagnostic.path.startswith("timelines")
            and diagnostic.code
            in (
                "E403",
                "E419",
            )
        ):
            return True
        if diagnostic.code == "W412":
            return any(diagnostic.path == f"aggregates.{a}.commands" for a in self.commands_of)
        if diagnostic.code in _NAME_CODES and any(_mentions(message, n) for n in self.names):
            return True
        if diagnostic.code not in _FIELD_CODES:
            return False
        if diagnostic.code in _NAME_CODES and self._in_listener(data, diagnostic.path):
            return True
        for kind, owner, name in self.fields:
            if not _mentions(message, name):
                continue
            # A read model's rows are named by their class in a timeline's `rows:` check.
            row = _mentions(message, f"{owner}Row")
            if (
                _mentions(message, owner)
                or row
                or (kind == "state" and _mentions(message, "state"))
            ):
                return True
            if kind == "event" and _listens(data, diagnostic.path, owner):
                return True
        return False

    def _in_listener(self, data: dict[str, Any], path: str) -> bool:
        """Whether the place is in a read model or automation that handles a pruned event: what
        it knows of its events (the type of its key, ...) was learnt without that one."""
        for section in ("read_models", "automations"):
            for name, body in (data.get(section) or {}).items():
                if path.startswith(f"{section}.{name}.") and isinstance(body, dict):
                    on = body.get("on")
                    handled = on if isinstance(on, dict | list) else [on]
                    if any(str(event) in self.names for event in handled):
                        return True
        return False

    def original_place(self, place: PathKey) -> PathKey:
        for container, numbers in self.renumbered.items():
            depth = len(container)
            if len(place) > depth and place[:depth] == container:
                index = place[depth]
                if isinstance(index, int) and index in numbers:
                    return (*container, numbers[index], *place[depth + 1 :])
        return place

    def original_path(self, text: str) -> str:
        """A diagnostic's path in the text, from its path in the pruned data."""
        for container, numbers in self.renumbered.items():
            prefix = path_text(container) + "["
            if text.startswith(prefix):
                index, bracket, rest = text[len(prefix) :].partition("]")
                if bracket and index.isdigit() and int(index) in numbers:
                    return f"{prefix}{numbers[int(index)]}]{rest}"
        return text


def meaning_of_the_rest(loaded: LoadedSpec, places: Iterable[PathKey]) -> list[Diagnostic]:
    """The meaning diagnostics of the parts of `loaded` that hold no shape error at `places`."""
    left_out = list(places)
    for _ in range(_ROUNDS):
        result = prune(loaded, left_out)
        if result is None:
            return []
        rest, pruned = result
        # Leaving an item out may leave its mapping too short for the schema: leave that out too.
        shape, more = shape_problems(rest)
        if not has_errors(shape):
            _, diagnostics = analyze(rest)
            return without_consequences(diagnostics, pruned, rest)
        left_out += [pruned.original_place(place) for place in more]
    return []


_ROUNDS = 4


def prune(loaded: LoadedSpec, places: Iterable[PathKey]) -> tuple[LoadedSpec, Pruned] | None:
    """A copy of the spec without the items holding shape errors at `places`; None when the
    problem is in the spec's frame (a section that is not a mapping, no domain, another format
    version), so that nothing can be checked for meaning."""
    units: set[PathKey] = set()
    dropped_top: set[str] = set()
    for place in places:
        unit = _unit(loaded.data, place)
        if unit is not None:
            units.add(unit)
            continue
        if not place or place[0] in _SECTIONS:
            return None
        if place[0] in _OPTIONAL_TOP:
            dropped_top.add(str(place[0]))
            continue
        if _misspelled_section(loaded.data, str(place[0])):
            return None  # `read_model:` for `read_models:`: every use of them would be noise
        dropped_top.add(str(place[0]))
    # An item inside another pruned item goes with it.
    outer = {u for u in units if not any(u[: len(o)] == o for o in units if o != u)}
    pruned = Pruned()
    data = {k: v for k, v in loaded.data.items() if k not in dropped_top}
    lists: dict[PathKey, set[int]] = {}
    for unit in sorted(outer, key=_order):
        _record(pruned, unit, _at(loaded.data, unit))
        if isinstance(unit[-1], int):
            lists.setdefault(unit[:-1], set()).add(unit[-1])
        else:
            data = _without(data, unit)
    for container, indexes in lists.items():
        data = _without_items(data, container, indexes)
    positions, key_positions = loaded.positions, loaded.key_positions
    for container, indexes in lists.items():
        positions = _renumber(positions, container, indexes)
        key_positions = _renumber(key_positions, container, indexes)
        total = len(_at(loaded.data, container))
        kept = [i for i in range(total) if i not in indexes]
        pruned.renumbered[container] = dict(enumerate(kept))
    copy = LoadedSpec(loaded.file, data, positions, key_positions, loaded.text)
    return copy, pruned


def without_consequences(
    diagnostics: list[Diagnostic], pruned: Pruned, loaded: LoadedSpec
) -> list[Diagnostic]:
    """The diagnostics that do not only follow from the pruning, at their paths in the text.

    A dropped diagnostic on a field's declaration (its type is a pruned type) leaves that field
    out of the model too: what only follows from that goes as well, until nothing more does.
    """
    paths = {path_text(p): p for p in loaded.positions}
    left = list(diagnostics)
    while True:
        kept = [d for d in left if not pruned.explains(d, loaded.data)]
        staying = {id(d) for d in kept}
        failed = False
        for diagnostic in left:
            if id(diagnostic) in staying or diagnostic.path not in paths:
                continue
            unit = _unit(loaded.data, paths[diagnostic.path])
            if unit is not None and len(unit) in (4, 6) and unit[-2] in ("fields", "state"):
                before = len(pruned.fields)
                _record(pruned, unit, None)
                failed = failed or len(pruned.fields) > before
        if not failed:
            break
        left = kept
    return [replace(d, path=pruned.original_path(d.path)) for d in kept]


# -- finding the items -------------------------------------------------------------------------


def _unit(data: dict[str, Any], place: PathKey) -> PathKey | None:
    """The path of the smallest named item that holds `place`, if any."""
    best: PathKey | None = None
    for pattern in _UNITS:
        if len(place) < len(pattern):
            continue
        candidate = place[: len(pattern)]
        if _matches(data, pattern, candidate) and (best is None or len(candidate) > len(best)):
            best = candidate
    return best


def _matches(data: dict[str, Any], pattern: tuple[str, ...], path: PathKey) -> bool:
    node: Any = data
    for expected, part in zip(pattern, path, strict=True):
        if expected == _INDEX:
            if not (isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)):
                return False
        elif not (isinstance(node, dict) and part in node) or expected not in (_NAME, part):
            return False
        node = node[part]
    return True


def _misspelled_section(data: dict[str, Any], key: str) -> bool:
    absent = [s for s in _SECTIONS if s not in data]
    return bool(difflib.get_close_matches(key, absent, n=1, cutoff=0.8))


def _record(pruned: Pruned, unit: PathKey, body: Any) -> None:
    names = [str(p) for p in unit if isinstance(p, str)]
    if unit[0] == "aggregates" and len(unit) == 4 and unit[2] == "commands":
        pruned.commands_of.add(str(unit[1]))
    if len(unit) == 6 or (len(unit) == 4 and unit[2] in ("fields", "state")):
        owner = names[-3] if len(unit) == 6 else names[1]
        kind = "state" if unit[2] == "state" else _field_kind(unit)
        pruned.fields.add((kind, owner, names[-1]))
        return
    if isinstance(unit[-1], int):
        return  # scenarios: nothing refers to them
    pruned.names.add(str(unit[-1]))
    pruned.automations = pruned.automations or unit[0] == "automations"
    if len(unit) == 2 and unit[0] == "aggregates" and isinstance(body, dict):
        for section in ("errors", "events", "commands"):
            if isinstance(body.get(section), dict):
                pruned.names.update(str(name) for name in body[section])


def _field_kind(unit: PathKey) -> str:
    if unit[0] == "aggregates":
        return "event" if unit[2] == "events" else "command"
    return "type" if unit[0] == "types" else "read model"


def _listens(data: dict[str, Any], path: str, event: str) -> bool:
    """Whether the diagnostic's place is in an automation or read-model handler of `event`,
    whose expressions say `event.` for it without naming it."""
    for name, body in (data.get("automations") or {}).items():
        if path.startswith(f"automations.{name}.") and isinstance(body, dict):
            on = body.get("on")
            if on == event or (isinstance(on, list) and event in on):
                return True
    return False


def _mentions(message: str, name: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", message) is not None


def _order(path: PathKey) -> tuple[str, ...]:
    return tuple(str(p) for p in path)


# -- copying without them ----------------------------------------------------------------------


def _at(data: Any, path: PathKey) -> Any:
    for part in path:
        data = data[part]
    return data


def _without(data: Any, path: PathKey) -> Any:
    """A copy of `data` without the mapping key at `path` (only the containers on the way are
    copied: the rest is shared, and never changed)."""
    if len(path) == 1:
        return {k: v for k, v in data.items() if k != path[0]}
    copy: Any = dict(data) if isinstance(data, dict) else list(data)
    copy[path[0]] = _without(data[path[0]], path[1:])
    return copy


def _without_items(data: Any, path: PathKey, indexes: set[int]) -> Any:
    if not path:
        return [item for i, item in enumerate(data) if i not in indexes]
    copy: Any = dict(data) if isinstance(data, dict) else list(data)
    copy[path[0]] = _without_items(data[path[0]], path[1:], indexes)
    return copy


def _renumber(
    table: Mapping[PathKey, tuple[int, int]], container: PathKey, indexes: set[int]
) -> dict[PathKey, tuple[int, int]]:
    """Positions with the items of the list at `container` numbered as in the pruned copy."""
    depth = len(container)
    out: dict[PathKey, tuple[int, int]] = {}
    for path, position in table.items():
        if len(path) > depth and path[:depth] == container and isinstance(path[depth], int):
            index = path[depth]
            assert isinstance(index, int)
            if index in indexes:
                continue
            shift = sum(1 for i in indexes if i < index)
            path = (*container, index - shift, *path[depth + 1 :])
        out[path] = position
    return out

"""Where a rule is written: its spec path, its line and column, and the spec's own text for it.

The model carries no paths; it keeps the spec's order and names, so a rule's path is built from
them (`aggregates.Account.commands.DepositMoney.rejects[1].if`) and looked up in the loaded spec.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from generator.spec.load import LoadedSpec, PathKey, path_text
from generator.spec.model import Spec


def raw(loaded: LoadedSpec, *path: str | int) -> Any:
    """The spec's data at `path` (None when absent)."""
    current: Any = loaded.data
    for key in path:
        if isinstance(key, int):
            current = current[key] if isinstance(current, list) and key < len(current) else None
        else:
            current = current.get(key) if isinstance(current, Mapping) else None
    return current


def written(value: Any) -> str:
    """A spec value as it reads in the spec: text as is, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)


def position(loaded: LoadedSpec, path: PathKey) -> tuple[int, int]:
    return loaded.where(path)


def dotted(path: PathKey) -> str:
    return path_text(path)


def slice_names(spec: Spec) -> list[str]:
    """What `--slice` accepts: aggregates, commands, read models and automations."""
    found = [a.name for a in spec.aggregates]
    found += [c.name for a in spec.aggregates for c in a.commands]
    found += [r.name for r in spec.read_models] + [a.name for a in spec.automations]
    return found

"""Random edits of a spec's data, the way a person edits a spec between two generates: a
description reworded, an entry dropped, a value changed, a shared type reordered or extended, the
domain renamed. An edit may make the spec invalid; callers that need a valid one check it.
"""

from __future__ import annotations

import copy
import os
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from spec_strategies.mutations import data_paths
from spec_strategies.names import TEXT


def edit_settings(*, ci: int, long: int) -> settings:
    """Settings of a property over chains of edits: in CI `ci` examples from a fixed seed (no
    shrinking); with EVENTFORGE_HYPOTHESIS_PROFILE set to anything else, `long` with fresh
    randomness, shrunk."""
    is_long = os.environ.get("EVENTFORGE_HYPOTHESIS_PROFILE", "ci") != "ci"
    return settings(
        max_examples=long if is_long else ci,
        deadline=None,
        database=None,
        derandomize=not is_long,
        phases=list(Phase) if is_long else [Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


def edit(draw: Any, data: dict[str, Any]) -> dict[str, Any]:
    """One random edit of a copy of `data` (which may make it invalid)."""
    data = copy.deepcopy(data)
    paths = data_paths(data)[1:]
    kind = draw(st.sampled_from(["describe", "drop", "value", "types", "domain"]))
    types = data.get("types")
    enums = [
        t
        for t in (types.values() if isinstance(types, dict) else ())
        if isinstance(t, dict) and isinstance(t.get("enum"), list)
    ]  # an earlier edit may have made `types:` or an enum something else
    if kind == "types" and enums:
        # Spec-wide facts every aggregate's files read: a state field of an enum without a
        # default starts at its first member.
        members = draw(st.sampled_from(enums))["enum"]
        if draw(st.booleans()):
            members.reverse()
        else:
            members.append(f"Extra{len(members)}")
        return data
    if kind == "domain":
        data["domain"] = draw(st.sampled_from(["Shop", "Ledger Two", "Wharf"]))
        data.pop("package", None)
        return data
    if kind == "describe":
        described = [p for p in paths if p[-1] in ("description", "message")] or paths
        path = draw(st.sampled_from(described))
    else:
        path = draw(st.sampled_from(paths))
    parent: Any = data
    for part in path[:-1]:
        parent = parent[part]
    key = path[-1]
    if kind == "drop":
        del parent[key]
    elif kind == "describe":
        parent[key] = draw(TEXT)
    else:
        value = parent[key]
        options: list[Any] = [0, 1, True, "x", "int", "str?", "decimal"]
        if isinstance(value, str):
            options += [value + "s", value.upper(), value[:-1]]
        parent[key] = draw(st.sampled_from(options))
    return data

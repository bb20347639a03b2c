"""Whole valid specs: shared types, aggregates, read models and automations, with the features
each uses (for the coverage test)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from hypothesis import reject
from hypothesis import strategies as st

from generator.spec.names import PROJECT_NAMES, TAKEN_PACKAGES, is_keyword, snake
from spec_strategies.aggregates import aggregate, aggregate_spec, new_field
from spec_strategies.names import TEXT, TRICKY_PACKAGES, VALUE_TEXT, WORDS, Names, Reject
from spec_strategies.values import Domain, FieldDef, T, draw_pivots
from spec_strategies.views import automations, read_models


@dataclass
class Built:
    """A drawn spec: its data (dumped to YAML for the generator), its package name, and the
    features it uses."""

    data: dict[str, Any]
    package: str
    features: frozenset[str] = field(default_factory=frozenset)

    def yaml(self) -> str:
        text = dump(self.data)
        assert yaml.safe_load(text) == self.data, "the test's YAML does not read back as written"
        return text


class _Dumper(yaml.SafeDumper):
    """Strings with line breaks YAML folds (NEL, LS, PS, CR) or control characters are written
    double-quoted, with escapes, so that they read back exactly."""


def _str(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    style = '"' if not text.isprintable() or any(c in text for c in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _str)


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


@st.composite
def valid_specs(draw: Any, *, max_aggregates: int = 3, scenarios: str = "usual") -> Built:
    """A valid spec; `scenarios` is "lean", "usual" or "many" (see Domain.scenario_count)."""
    try:
        return _build(draw, max_aggregates, scenarios)
    except Reject:
        reject()
        raise AssertionError("unreachable") from None


def _build(draw: Any, max_aggregates: int, scenarios: str) -> Built:
    names = Names(draw)
    pivots, close = draw_pivots(draw)
    domain = Domain(pivots=pivots, close=close, scenario_count=scenarios)
    data: dict[str, Any] = {"eventforge": 1}
    if draw(st.booleans()):
        data["domain"] = draw(st.sampled_from(WORDS))
        package = snake(data["domain"])
    else:
        data["domain"] = draw(TEXT)
        package = draw(
            st.sampled_from(TRICKY_PACKAGES)
            | st.from_regex(r"\A[a-z][a-z0-9]{1,8}(?:_[a-z0-9]{1,4})?\Z")
        )
        if is_keyword(package) or package in TAKEN_PACKAGES or package in PROJECT_NAMES:
            raise Reject
        data["package"] = package
    names.blocked.add("".join(p[:1].upper() + p[1:] for p in package.split("_")) + "Application")
    if draw(st.booleans()):
        data["description"] = draw(TEXT)
    types = _shared_types(draw, names, domain)
    if types:
        data["types"] = types
    aggregates = [
        aggregate(draw, names, domain) for _ in range(draw(st.integers(1, max_aggregates)))
    ]
    data["aggregates"] = {a.name: aggregate_spec(draw, a, domain) for a in aggregates}
    views = read_models(draw, names, domain, aggregates)
    if views:
        data["read_models"] = views
    policies = automations(draw, names, domain, aggregates)
    if policies:
        data["automations"] = policies
    return Built(data=data, package=package, features=frozenset(domain.features))


def _shared_types(draw: Any, names: Names, domain: Domain) -> dict[str, Any]:
    """Enums, then value objects that use enums and the value objects before them."""
    types: dict[str, Any] = {}
    for _ in range(draw(st.integers(0, 2))):
        name = names.pascal_name()
        domain.enums[name] = draw(st.lists(VALUE_TEXT, min_size=1, max_size=4, unique=True))
        types[name] = {"enum": domain.enums[name]}
        if draw(st.booleans()):
            types[name]["description"] = draw(TEXT)
    for _ in range(1 + (draw(st.integers(0, 2)) > 0)):
        name = names.pascal_name()
        taken: set[str] = set()
        fields = [new_field(draw, names, taken, domain) for _ in range(draw(st.integers(1, 3)))]
        if domain.records and draw(st.integers(0, 2)) > 0:  # a value object inside this one
            inner = T("record", draw(st.sampled_from(sorted(domain.records))))
            fields.append(FieldDef(names.snake_name(taken), inner))
        if any("record" in (f.type.kind, f.type.item and f.type.item.kind) for f in fields):
            domain.features.add("type:nested-record")
        domain.records[name] = fields
        types[name] = {"fields": {f.name: f.spec() for f in fields}}
    return types

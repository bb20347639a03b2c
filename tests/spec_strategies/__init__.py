"""Hypothesis strategies: random VALID specs whose scenarios hold, and random mutations of them.

`valid_specs()` draws a whole domain (enum and value-object types, value objects inside value
objects, several aggregates with state, errors, events with `apply` rules, commands with guards
and explicit `emits` mappings, read models, automations) and then writes the scenarios by running
the spec's own rules here, in a small interpreter of the expressions it drew: each expression is
kept twice, as the spec text and as Python computing what the generated code must compute. So
every scenario is true by construction, and a generated package whose tests fail has a generator
bug, not a strategy bug.

The strategies reach the whole language: every field type (and optional and list forms), every
operator and function expressions allow, guards whose literals sit where the scenarios' values
land (on the boundary and on each side), read-model scenarios over several streams with deletes,
and automation scenarios with several events, some not matching. `Built.features` names what a
spec uses; FEATURES lists everything, and tests/end_to_end/test_properties.py checks that the CI
examples use each.

Modules: values (types, values, pivots), terms, expressions and conditions (drawn expressions and
their meaning), aggregates, views (read models, automations), specs (whole specs), mutations,
names.

Names are drawn from ordinary words and from names the generated modules use themselves (`Any`,
`Path`, `replace`, ...), minus the names the validator documents as reserved, so a reserved name
that is missing from the validator's list shows up as a package that does not work.
"""

from __future__ import annotations

from spec_strategies.mutations import mutated_specs
from spec_strategies.specs import Built, dump, valid_specs

_TYPES = ["int", "decimal", "float", "str", "bool", "uuid", "date", "datetime", "enum", "record"]
_TYPES += ["duration", "map"]
_OPERATORS = ["+", "-", "*", "/", "//", "%", "neg", "<", "<=", ">", ">=", "==", "!=", "chain"]
_OPERATORS += [
    "in",
    "not-in",
    "is-None",
    "is-not-None",
    "and",
    "or",
    "not",
    "truthy",
    "str+",
    "list+",
]
# Everything a drawn spec may use; the CI examples must use each at least once.
FEATURES = frozenset(
    [f"type:{t}" for t in [*_TYPES, "list", "optional", "nested-record"]]
    + [f"op:{o}" for o in _OPERATORS]
    + [f"fn:{f}" for f in ("len", "abs", "min", "max", "now", "now-value")]
    + ["attr:record", "attr:nested", "lit:negative", "widen", "literal"]
    + ["boundary:below", "boundary:at", "boundary:above"]
    + ["rm:several-rows", "rm:delete", "rm:row-made-again", "rm:unhandled-event"]
    + ["auto:several-events", "auto:other-event"]
)

__all__ = ["FEATURES", "Built", "dump", "mutated_specs", "valid_specs"]

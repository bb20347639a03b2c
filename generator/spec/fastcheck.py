"""A fast yes/no check of a JSON Schema, for the common case: a spec whose shape is right.

jsonschema explains every problem it finds, which makes it slow on a large spec even when there
is nothing to explain (most of a validate of a 1,000-command spec went there). This compiles the
schema, once, into plain Python functions that only answer "valid?". When the answer is yes,
jsonschema has nothing to say either; when it is no (or the schema uses a keyword this module
does not know), jsonschema runs as before and reports the problems. So the fast check may only
ever be stricter than jsonschema, never more lenient: every doubtful case answers no.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[Any], bool]

# Keywords that only document: they never make an instance invalid.
_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$defs", "title", "description", "default", "examples", "$comment"}
)


class Unsupported(Exception):
    """The schema uses a keyword this module does not compile: use jsonschema alone."""


def compile_schema(schema: Mapping[str, Any]) -> Check:
    """A function answering whether an instance is valid against `schema` (stricter if unsure)."""
    return _Compiler(schema).compile(schema)


def _is_type(kind: str) -> Check:
    # Stricter than JSON Schema where Python differs: bool is never a number, 1.0 never an integer.
    if kind == "object":
        return lambda value: isinstance(value, dict)
    if kind == "array":
        return lambda value: isinstance(value, list)
    if kind == "string":
        return lambda value: isinstance(value, str)
    if kind == "integer":
        return lambda value: isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return lambda value: isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return lambda value: isinstance(value, bool)
    if kind == "null":
        return lambda value: value is None
    raise Unsupported(f"type {kind!r}")


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same type all the way down (stricter than JSON Schema's equality)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


class _Compiler:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.refs: dict[str, Check] = {}

    def compile(self, schema: Any) -> Check:
        if schema is True or schema == {}:
            return lambda value: True
        if schema is False:
            return lambda value: False
        if not isinstance(schema, Mapping):
            raise Unsupported(repr(schema))
        checks: list[Check] = []
        for keyword, argument in schema.items():
            if keyword in _ANNOTATIONS or keyword in ("then", "else"):
                continue  # `then` and `else` are compiled with their `if`
            checks.append(self._keyword(keyword, argument, schema))
        if not checks:
            return lambda value: True
        if len(checks) == 1:
            return checks[0]
        return lambda value: all(check(value) for check in checks)

    def _keyword(self, keyword: str, argument: Any, schema: Mapping[str, Any]) -> Check:
        method = getattr(self, "_k_" + keyword.lstrip("$"), None)
        if method is None:
            raise Unsupported(keyword)
        check: Check = method(argument, schema)
        return check

    # -- keywords ----------------------------------------------------------------------------

    def _k_ref(self, ref: Any, schema: Mapping[str, Any]) -> Check:
        if not isinstance(ref, str) or not ref.startswith("#/$defs/") or ref.count("/") != 2:
            raise Unsupported(f"$ref {ref!r}")
        name = ref.removeprefix("#/$defs/")
        if name not in self.refs:
            target = self.root.get("$defs", {}).get(name)
            if target is None:
                raise Unsupported(f"$ref {ref!r}")
            compiled: list[Check] = []  # filled below; a recursive reference waits for it
            self.refs[name] = lambda value: compiled[0](value)
            compiled.append(self.compile(target))
        return self.refs[name]

    def _k_type(self, kinds: Any, schema: Mapping[str, Any]) -> Check:
        if isinstance(kinds, str):
            return _is_type(kinds)
        checks = [_is_type(kind) for kind in kinds]
        return lambda value: any(check(value) for check in checks)

    def _k_properties(self, properties: Any, schema: Mapping[str, Any]) -> Check:
        compiled = {name: self.compile(sub) for name, sub in properties.items()}

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            for name, sub in compiled.items():
                if name in value and not sub(value[name]):
                    return False
            return True

        return check

    def _k_additionalProperties(self, additional: Any, schema: Mapping[str, Any]) -> Check:
        if "patternProperties" in schema:
            raise Unsupported("patternProperties")
        known = frozenset(schema.get("properties", {}))
        if additional is False:
            return lambda value: not isinstance(value, dict) or known.issuperset(value)
        sub = self.compile(additional)

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            return all(sub(item) for key, item in value.items() if key not in known)

        return check

    def _k_required(self, names: Any, schema: Mapping[str, Any]) -> Check:
        required = tuple(names)
        return lambda value: not isinstance(value, dict) or all(n in value for n in required)

    def _k_minProperties(self, count: Any, schema: Mapping[str, Any]) -> Check:
        return lambda value: not isinstance(value, dict) or len(value) >= count

    def _k_maxProperties(self, count: Any, schema: Mapping[str, Any]) -> Check:
        return lambda value: not isinstance(value, dict) or len(value) <= count

    def _k_propertyNames(self, names: Any, schema: Mapping[str, Any]) -> Check:
        sub = self.compile(names)
        return lambda value: not isinstance(value, dict) or all(sub(key) for key in value)

    def _k_items(self, items: Any, schema: Mapping[str, Any]) -> Check:
        if "prefixItems" in schema or not isinstance(items, Mapping | bool):
            raise Unsupported("items")
        sub = self.compile(items)
        return lambda value: not isinstance(value, list) or all(sub(item) for item in value)

    def _k_minItems(self, count: Any, schema: Mapping[str, Any]) -> Check:
        return lambda value: not isinstance(value, list) or len(value) >= count

    def _k_maxItems(self, count: Any, schema: Mapping[str, Any]) -> Check:
        return lambda value: not isinstance(value, list) or len(value) <= count

    def _k_uniqueItems(self, unique: Any, schema: Mapping[str, Any]) -> Check:
        if not unique:
            return lambda value: True

        def check(value: Any) -> bool:
            if not isinstance(value, list):
                return True
            if all(type(item) is str for item in value):
                return len(set(value)) == len(value)
            return False  # mixed items: leave the comparison to jsonschema

        return check

    def _k_minLength(self, count: Any, schema: Mapping[str, Any]) -> Check:
        return lambda value: not isinstance(value, str) or len(value) >= count

    def _k_pattern(self, pattern: Any, schema: Mapping[str, Any]) -> Check:
        compiled = re.compile(pattern)
        return lambda value: not isinstance(value, str) or compiled.search(value) is not None

    def _k_minimum(self, bound: Any, schema: Mapping[str, Any]) -> Check:
        def check(value: Any) -> bool:
            if isinstance(value, bool) or not isinstance(value, int | float):
                return True
            return bool(value >= bound)

        return check

    def _k_const(self, constant: Any, schema: Mapping[str, Any]) -> Check:
        return lambda value: _same(value, constant)

    def _k_enum(self, allowed: Any, schema: Mapping[str, Any]) -> Check:
        options = list(allowed)
        return lambda value: any(_same(value, option) for option in options)

    def _k_if(self, condition: Any, schema: Mapping[str, Any]) -> Check:
        test = self.compile(condition)
        then = self.compile(schema.get("then", True))
        otherwise = self.compile(schema.get("else", True))
        return lambda value: then(value) if test(value) else otherwise(value)

"""Step 2a, validate the shape: the JSON Schema in schemas/, errors turned into located diagnostics."""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from generator.spec.diagnostics import Diagnostic
from generator.spec.fastcheck import Check, Unsupported, compile_schema
from generator.spec.load import LoadedSpec, PathKey, path_text
from generator.support.resources import schema_path

if TYPE_CHECKING:  # jsonschema is imported only when a spec's shape is wrong (see _fast_check)
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError
from generator.spec.values import kind_of


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(schema_path().read_text(encoding="utf-8"))
    return schema


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_schema())


@lru_cache(maxsize=1)
def _fast_check() -> Check | None:
    try:
        return compile_schema(_schema())
    except Unsupported:
        return None


def check_shape(spec: LoadedSpec) -> list[Diagnostic]:
    return shape_problems(spec)[0]


def shape_problems(spec: LoadedSpec) -> tuple[list[Diagnostic], list[PathKey]]:
    """The shape diagnostics, and the place of each problem in the data: the node itself, or for
    an unknown or a missing key, the key under its mapping (what partial.py prunes)."""
    diagnostics: list[Diagnostic] = []
    places: list[PathKey] = []
    version = spec.data.get("eventforge")
    # `True == 1` in Python, so `eventforge: yes` would pass a plain comparison.
    if "eventforge" in spec.data and (version != 1 or isinstance(version, bool)):
        line, column = spec.where(("eventforge",))
        diagnostics.append(
            Diagnostic(
                code="E203",
                message=f"format version {version!r} is not supported; this eventforge reads version 1",
                file=spec.file,
                line=line,
                column=column,
                path="eventforge",
            )
        )
        places.append(())  # a spec of another format: its meaning cannot be checked
    fast = _fast_check()
    if fast is not None and fast(_unchecked(spec)):
        # The shape is right: jsonschema would find nothing (fastcheck.py).
        return diagnostics, places
    for error in _validator().iter_errors(spec.data):
        if error.validator == "const" and list(error.absolute_path) == ["eventforge"]:
            continue
        diagnostics.extend(_convert(spec, error))
        places.extend(_places(error))
    return diagnostics, places


def _unchecked(spec: LoadedSpec) -> dict[str, Any]:
    """The data with the entries known to have the right shape left out (LoadedSpec.checked),
    where that cannot change the answer: blocks whose schema checks each entry on its own
    (`additionalProperties`), with a count that leaving entries out could break kept whole
    enough (one entry stays when all are checked). Otherwise, the data."""
    if not spec.checked:
        return spec.data
    data = dict(spec.data)
    for block in {str(path[0]) for path in spec.checked}:
        entries = data.get(block)
        if not isinstance(entries, dict) or not _per_entry(block):
            continue
        kept = {n: e for n, e in entries.items() if (block, n) not in spec.checked}
        if not kept and entries:
            first = next(iter(entries))
            kept = {first: entries[first]}
        data[block] = kept
    return data


@lru_cache(maxsize=8)
def _per_entry(block: str) -> bool:
    """Whether the schema checks each entry of the top-level `block` on its own: nothing about
    the block but its type, its entries' schema and at least one entry."""
    found = _schema().get("properties", {}).get(block)
    if not isinstance(found, dict):
        return False
    allowed = {"type", "description", "additionalProperties", "minProperties"}
    return (
        found.keys() <= allowed
        and found.get("type") == "object"
        and found.get("minProperties", 0) <= 1
        and isinstance(found.get("additionalProperties"), dict)
    )


def _places(error: ValidationError) -> list[PathKey]:
    path: PathKey = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        return [(*path, key) for key in error.instance if key not in allowed]
    if error.validator == "required" and isinstance(error.instance, dict):
        wanted = error.validator_value if isinstance(error.validator_value, list) else []
        return [(*path, key) for key in wanted if key not in error.instance] or [path]
    return [path]


def _convert(spec: LoadedSpec, error: ValidationError) -> list[Diagnostic]:
    path = tuple(error.absolute_path)
    where = path_text(path) or "the spec"
    kind = error.validator
    hint = ""
    if kind == "additionalProperties":
        schema = error.schema if isinstance(error.schema, dict) else {}
        allowed = sorted(schema.get("properties", {}))
        extras = (
            [k for k in error.instance if k not in allowed]
            if isinstance(error.instance, dict)
            else []
        )
        out = []
        for key in extras:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"allowed keys: {', '.join(allowed)}"
            line, column = spec.where((*path, key), key=True)
            out.append(
                _diag(
                    spec,
                    "E202",
                    f"unknown key {key!r} in {where}",
                    (*path, key),
                    line,
                    column,
                    hint,
                )
            )
        return out
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        code, message = "E201", f"{where} needs the key {missing!r}"
        if missing == "error" and path[-2:-1] == ("rejects",):
            message += " (or `emits:`)"
            hint = "a rule raises `error: ErrorName`, or records `emits: [EventName]` instead"
    elif kind == "type":
        expected = error.validator_value
        wanted = " or ".join(expected) if isinstance(expected, list) else str(expected)
        article = _article(wanted)
        if wanted == "string or object":
            article = _name_or_mapping(error.schema)
        code, message = (
            "E200",
            f"{where} must be {article}, not {kind_of(error.instance)}",
        )
        if isinstance(error.instance, bool):
            hint = "YAML reads yes/no/on/off/true/false as booleans; quote the value"
    elif kind in ("enum", "const"):
        value = error.validator_value
        allowed = list(value) if kind == "enum" and isinstance(value, list) else [value]
        code = "E204"
        message = f"{where} is {error.instance!r}; allowed: {', '.join(repr(a) for a in allowed)}"
    elif kind in (
        "minProperties",
        "maxProperties",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minLength",
    ):
        code, message = "E205", f"{where}: {_plain(error)}"
        if path[-2:] == ("then", "state"):
            hint = "an empty state check checks nothing: name the fields to compare, or remove `state:`"
    else:
        code, message = "E200", f"{where}: {error.message}"
    line, column = spec.where(path)
    return [_diag(spec, code, message, path, line, column, hint)]


def _plain(error: ValidationError) -> str:
    value = error.validator_value
    return {
        "minProperties": f"needs at least {value} entr{'y' if value == 1 else 'ies'}",
        "maxProperties": f"allows at most {value} entr{'y' if value == 1 else 'ies'} (one name per record)",
        "minItems": f"needs at least {value} item(s)",
        "maxItems": f"allows at most {value} item(s)",
        "uniqueItems": "has repeated items",
        "minLength": "must not be empty",
    }.get(str(error.validator), error.message)


# Where the spec takes a name or a mapping, the name differs: say which one (by `$defs` entry).
_NAME_OR_MAPPING = {
    "aggregateId": "a field name or a mapping",
    "emit": "an event name or a mapping",
    "eventMapping": "an event name or a mapping",
    "readModelHandler": "`delete` or a mapping",
    "upcastStep": "`custom` or a mapping",
}


def _name_or_mapping(schema: Any) -> str:
    definitions = _schema().get("$defs", {})
    for name, wording in _NAME_OR_MAPPING.items():
        if schema is definitions.get(name) or schema == definitions.get(name):
            return wording
    return "a type name or a mapping"


def _article(kind: str) -> str:
    return {
        "object": "a mapping",
        "array": "a list",
        "string": "a string",
        "integer": "an integer",
        "boolean": "true or false",
        "number": "a number",
        "null": "null",
        "string or object": "a type name or a mapping",
        "array or object": "a list or a mapping",
        "string or array or object": "an event's name, a list of them or a mapping",
        "object or array": "a mapping or a list",
        "string or array": "a name or a list of names",
        "object or null": "a mapping",
    }.get(kind, f"a {kind}")


def _diag(
    spec: LoadedSpec,
    code: str,
    message: str,
    path: tuple[Any, ...],
    line: int,
    column: int,
    hint: str,
) -> Diagnostic:
    return Diagnostic(
        code=code,
        message=message,
        file=spec.file,
        line=line,
        column=column,
        path=path_text(path),
        hint=hint,
    )

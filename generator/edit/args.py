"""Reading the arguments of spec edits: `name:type` fields, YAML snippets, guards.

Values are read with the spec's own loader (YAML 1.1, positions, safe), so a snippet means on the
command line exactly what it would mean inside the spec. JSON is YAML, so JSON works too.
A malformed argument is an E900 diagnostic, reported like a spec error (exit code 2).
"""

from __future__ import annotations

import re
from typing import Any, NoReturn

import yaml

from generator.spec.diagnostics import Diagnostic, SpecError
from generator.spec.load import load_text

_FIELD = re.compile(r"^\s*(?P<name>[^:=\s]+)\s*:\s*(?P<type>[^=]+?)\s*(?:=(?P<default>.*))?$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def usage_error(message: str, *, where: str = "", hint: str = "") -> NoReturn:
    """An E900 about the command line: no file, no position (`where` is the option at fault)."""
    text = message if not where or message.startswith(where) else f"{where}: {message}"
    raise SpecError([Diagnostic(code="E900", message=text, file="", line=0, column=0, hint=hint)])


def parse_field(text: str) -> tuple[str, Any]:
    """`amount:decimal`, `note:str?`, `tags:list[str]`, `limit:decimal=0` -> (name, spec value)."""
    match = _FIELD.match(text)
    if not match:
        usage_error(
            f"{text!r} is not a field; write name:type, like amount:decimal or note:str?",
            where="--field",
            hint="fields are name:type or name:type=default: amount:decimal, tags:list[str], "
            "stock:map[str, int], limit:decimal=0",
        )
    name, type_text, default = match.group("name"), match.group("type"), match.group("default")
    if default is None:
        return name, type_text
    return name, {"type": type_text, "default": scalar_value(default.strip())}


def parse_fields(texts: tuple[str, ...] | list[str]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for text in texts:
        name, value = parse_field(text)
        if name in fields:
            usage_error(f"the field {name!r} is given twice", where="--field")
        fields[name] = value
    return fields


def scalar_value(text: str) -> Any:
    """A default written after `=`: read as YAML (`0`, `false`, `EUR`, `"3.20"`)."""
    if not text:
        return ""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def snippet(text: str, *, option: str) -> dict[str, Any]:
    """A YAML (or JSON) mapping given on the command line, like `AccountOpened: {owner: Ada}`."""
    try:
        loaded = load_text(text, option)
    except SpecError as exc:
        first = exc.diagnostics[0]
        usage_error(
            f"{option} {text!r} is not a YAML mapping: {first.message}",
            where=option,
            hint="write a mapping like 'Name: {field: value}'; quote the whole argument in the shell",
        )
    return loaded.data


def record(text: str, *, option: str) -> dict[str, Any]:
    """One `Name: {field: value}` record; a bare `Name` means a record without values."""
    if _NAME.match(text.strip()):
        return {text.strip(): {}}
    data = snippet(text, option=option)
    if len(data) != 1:
        usage_error(
            f"{option} {text!r} must name exactly one event or command, like 'Name: {{field: value}}'",
            where=option,
        )
    name, values = next(iter(data.items()))
    return {name: values if values is not None else {}}


def send_entry(text: str) -> dict[str, Any]:
    """`--send 'Command: {...}'`, or `'{Command: {...}, for: item in items, if: ...}'`."""
    if _NAME.match(text.strip()):
        return {text.strip(): {}}
    data = snippet(text, option="--send")
    commands = [k for k in data if k not in ("for", "if")]
    if len(commands) != 1:
        usage_error(
            f"--send {text!r} must name exactly one command, like 'Name: {{field: value}}' "
            "(beside it only `for:` and `if:`)",
            where="--send",
        )
    return {
        key: (value if value is not None or key in ("for", "if") else {})
        for key, value in data.items()
    }


def is_name(text: str) -> bool:
    return bool(_NAME.match(text.strip()))


def emit(text: str) -> str | dict[str, Any]:
    """`--emits Name` or `--emits 'Name: {field: "= command.x"}'`."""
    if _NAME.match(text.strip()):
        return text.strip()
    return record(text, option="--emits")


def guard(text: str) -> dict[str, str]:
    """`--reject 'ErrorName: condition'` -> {if: condition, error: ErrorName}."""
    error, separator, condition = text.partition(":")
    if not separator or not _NAME.match(error.strip()) or not condition.strip():
        usage_error(
            f"{text!r} is not a guard; write 'ErrorName: condition', like 'AccountIsClosed: state.closed'",
            where="--reject",
        )
    return {"if": condition.strip(), "error": error.strip()}


def handler(text: str) -> tuple[str, Any]:
    """`--on 'Event: delete'` or `--on 'Event: {set: {field: value}}'` of a read model."""
    data = snippet(text, option="--on")
    if len(data) != 1:
        usage_error(f"--on {text!r} must handle exactly one event", where="--on")
    name, value = next(iter(data.items()))
    return name, value

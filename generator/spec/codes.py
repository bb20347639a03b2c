"""Every diagnostic code eventforge can report: stable, documented in the README.

A code never changes meaning once released; new problems get new codes.
"""

from __future__ import annotations

CODES: dict[str, str] = {
    # load: bytes -> YAML -> data with positions
    "E100": "the spec file cannot be read (I/O error; exit code 2)",
    "E101": "the spec is not valid UTF-8",
    "E102": "YAML syntax error",
    "E103": "a key appears twice in one mapping",
    "E104": "anchors and aliases expand to too many nodes",
    "E105": "the spec is empty, or not a mapping at the top",
    "E106": "a YAML tag that safe loading does not allow",
    "E107": "the spec file is too large",
    "E108": "more than one YAML document in the spec",
    # schema: the shape of the spec
    "E200": "a value has the wrong type",
    "E201": "a required key is missing",
    "E202": "an unknown key",
    "E203": "unsupported format version (the `eventforge:` key)",
    "E204": "a value is not one of the allowed values",
    "E205": "a list or mapping has too few or too many entries",
    # names
    "E300": "not a valid name (PascalCase for kinds, snake_case for fields and packages)",
    "E301": "a Python keyword, soft keyword or reserved name",
    "E302": "a name is declared twice (names are unique across kinds)",
    "E303": "two names collide once converted to module or member names",
    "W304": "an event name that does not look like the past tense",
    # references and types
    "E400": "unknown type",
    "E401": "unknown event",
    "E402": "unknown error",
    "E403": "unknown command",
    "E404": "unknown field",
    "E405": "value-object types refer to each other in a cycle",
    "E406": "an event field that nothing fills",
    "E407": "`creates` misused",
    "E408": "a value does not match its field's type",
    "E409": "a command emits an event of another aggregate",
    "E410": "the aggregate id is declared wrongly",
    "E411": "a type is declared wrongly",
    "W412": "no command creates this aggregate, so its streams can never start",
    "E413": "a read model's key is not on an event it handles",
    "E414": "a command reads a read model or aggregate the spec does not declare",
    "E415": "a command's read is named like something else the command's code uses",
    "E416": "a form a hand-written (custom) decision cannot use",
    "E417": "a named id of a scenario or timeline is used for two different things",
    "E418": "a scenario's `given` event is of a stream its command does not read",
    "E419": "a timeline checks what its step cannot have caused",
    "E420": "an automation listens to the rejection of a command no automation sends",
    "E430": "a read model deletes rows by, or indexes, a field it cannot look rows up by",
    # information completeness (warnings; `validate --strict` makes them errors)
    "W440": "a read-model field that no event sets",
    "W441": "a command field that nothing uses",
    "W442": "an event that no command emits",
    # expressions
    "E500": "an expression is not valid Python syntax",
    "E501": "a construct that expressions may not use",
    "E502": "a name that is not available in this expression",
    "E503": "an attribute that does not exist on the spec's types",
    "E504": "an expression's type does not fit where it is used",
    # scenarios
    "E600": "a scenario is malformed",
    "E601": "a required field is missing from scenario data",
    "E602": "two scenarios have names that make the same test name",
    # event schema evolution, against the lock file
    "E800": "an event stored before was removed or renamed",
    "E801": "an event's version went down",
    "E802": "a field of a stored event was removed without raising its version",
    "E803": "a field of a stored event changed type without raising its version",
    "E804": "a new field without a default on a stored event, not covered by an upcast",
    "E805": "an event's upcast steps are missing or wrong",
    "E806": "an event's stored topic changed (the package was renamed)",
    "E807": "the lock file cannot be read",
    # generation and files
    "E700": "a generated file fails ruff (an eventforge bug: please report it)",
    "E701": "a path would leave the output directory",
    # the command line: edits, usage
    "E900": "a command-line argument is malformed (a field that is not `name:type`, a YAML snippet that cannot be read, an unknown choice)",
    "E901": "an edit or a slice names something the spec does not declare",
    "E902": "the file exists already (init never overwrites a spec)",
    "E903": "the optional `mcp` extra is not installed",
}


def describe(code: str) -> str:
    return CODES[code]

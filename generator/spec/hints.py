"""A one-line fix for every diagnostic code, used when a diagnostic carries no specific hint.

Output (text and JSON) always carries a hint, so a person or a language model reading one error
knows what to try next. Specific hints written where a problem is found take precedence.
"""

from __future__ import annotations

DEFAULT_HINTS: dict[str, str] = {
    "E100": "check the path; the spec is `eventforge.yaml` in the current directory by default",
    "E101": "save the file as UTF-8",
    "E102": "fix the YAML at this spot: check indentation (spaces only), colons and quotes",
    "E103": "keep one of the two keys and merge their contents",
    "E104": "write the repeated parts out instead of nesting anchors and aliases",
    "E105": "start the spec with `eventforge: 1`, `domain: Name` and `aggregates:`",
    "E106": "remove the `!tag`; write plain YAML values",
    "E107": "split the spec or flatten the nesting; real specs are far below the limit",
    "E108": "remove the `---` separator: a spec is one YAML document",
    "E200": "use the kind of value the reference shows here (text, number, list or mapping)",
    "E201": "add the missing key",
    "E202": "remove the key or fix its spelling; `eventforge prompt` prints the reference",
    "E203": "write `eventforge: 1` at the top of the spec",
    "E204": "use one of the allowed values",
    "E205": "add or remove entries to fit the allowed count",
    "E300": "PascalCase for aggregates, commands, events, errors, types; snake_case for fields",
    "E301": "choose another name (add a word: `due_date`, not `date`)",
    "E302": "give one of the two a different name; names are unique across all kinds",
    "E303": "rename one so that their module or member names differ",
    "W304": "name events in the past tense, like `MoneyDeposited`",
    "E400": "use str, int, float, decimal, bool, uuid, date, datetime, list[T], T?, or a type from `types:`",
    "E401": "declare the event under the aggregate's `events:` or fix the name",
    "E402": "declare the error under the aggregate's `errors:` or fix the name",
    "E403": "declare the command under the aggregate's `commands:` or fix the name",
    "E404": "declare the field or fix the name",
    "E405": "break the cycle: one of the value objects must not contain the other",
    "E406": 'add a command field of that name, or map it in `emits:` (`- Event: {field: "= expr"}`)',
    "E407": "put `creates: true` on one command that starts the stream, and only there",
    "E408": "write a value of the field's type (a decimal as `3.20`, a date as `2024-01-31`)",
    "E409": "emit only events of the command's own aggregate; use an automation to reach another",
    "E410": "write `id: name` (a uuid field) or `id: {name: name, type: TYPE}`",
    "E411": "declare a type as `{enum: [...]}` or `{fields: {...}}`, exactly one of them",
    "W412": "add a command with `creates: true` that emits the aggregate's first event",
    "E413": "key the read model by a field that every event it handles carries",
    "E500": "write a Python expression, like `state.balance + event.amount`",
    "E501": "use only literals, names, attributes, arithmetic, comparisons, and/or/not, in, len, abs, min, max, now",
    "E502": "use the names available here (command, state, event, row)",
    "E503": "use a field that the spec declares on that type",
    "E504": "change the expression so that its type fits (a condition must be a bool)",
    "E600": "write a scenario as `{name, given: [...], when: {Command: {...}}, then: ...}`",
    "E601": "give the field a value in the scenario, or a default in its declaration",
    "E602": "rename one of the scenarios",
    "E800": "keep the event (you may stop emitting it), or rename it back",
    "E801": "an event's version only goes up",
    "E802": "raise the event's `version:` and add an `upcast:` step that removes the field",
    "E803": "raise the event's `version:` and add an `upcast:` step (or a new field name)",
    "E804": "give the field a default, or raise `version:` and add it in an `upcast:` step",
    "E805": "add one `upcast:` step per older version: `{N: {rename: {...}, add: {...}, remove: [...]}}` or `N: custom`",
    "E806": "set `package:` back to the name the events were stored under",
    "E807": "restore eventforge.lock from version control, or delete it to start a new baseline",
    "E700": "report this eventforge bug; meanwhile, change the spec text that the file comes from",
    "E701": "remove the link or path that leads out of the output directory",
    "E900": "see `eventforge COMMAND --help` for the argument forms and an example",
    "E901": "check the spelling; `eventforge context` lists what the spec declares",
    "E902": "edit the existing file, or choose another directory",
    "E903": "install the extra: pip install 'eventforge[mcp]'",
}


def hint_for(code: str) -> str:
    return DEFAULT_HINTS.get(code, "")

"""A one-line fix for every diagnostic code, used when a diagnostic carries no specific hint.

Output (text and JSON) always carries a hint, so a person or a language model reading one error
knows what to try next. Specific hints written where a problem is found take precedence; where
one code covers problems of different kinds (a value that may be None, an operator on the wrong
types, ...), the hint that fits the message comes before the code's default (BY_MESSAGE).
"""

from __future__ import annotations

import re

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
    "E300": "PascalCase for aggregates, commands, events, errors, types, read models and automations; snake_case for fields",
    "E301": "choose another name; the message says what uses this one already",
    "E302": "give one of the two a different name; names are unique across all kinds",
    "E303": "rename one so that their module or member names differ",
    "W304": "name events in the past tense, like `MoneyDeposited`",
    "E400": "use str, int, float, decimal, bool, uuid, date, datetime, duration, list[T], map[K, V], T?, or a type from `types:`",
    "E401": "declare the event under the aggregate's `events:` or fix the name",
    "E402": "declare the error under the aggregate's `errors:` or fix the name",
    "E403": "declare the command under the aggregate's `commands:` or fix the name",
    "E404": "declare the field or fix the name",
    "E405": "break the cycle: one of the value objects must not contain the other",
    "E406": 'add a command field of that name, or map it in `emits:` (`- Event: {field: "= expr"}`)',
    "E407": "a command without `creates:` needs `given` events (or expects StreamNotFound); only `creates: true` fails with StreamExists",
    "E408": "write a value of the field's type (a decimal as `3.20`, a date as `2024-01-31`)",
    "E409": "emit only events of the command's own aggregate; use an automation to reach another",
    "E410": "write `id: name` (a uuid field) or `id: {name: name, type: TYPE}`",
    "E411": "declare a type as `{enum: [...]}` or `{fields: {...}}`, exactly one of them",
    "W412": "add a command with `creates: true` that emits the aggregate's first event",
    "E413": "key the read model by a field that every event it handles carries",
    "E414": "read one of the spec's `read_models:` or `aggregates:`, or declare it",
    "E415": "name the read after what it finds, like `product_row`, unlike any field or name in use",
    "E416": "let the hand-written decide() do it, or drop `handler: custom`",
    "E417": "give each thing its own name (`cart-1` for a cart, `ada-1` for a customer)",
    "E418": "give only events of streams the command reads (its `reads:`), or what it finds under `reads:`",
    "E419": "check it after the step whose events update that read model or start that automation",
    "E420": "send the command from another automation, or listen to an event",
    "E430": "delete and index by key fields or by fields listed under `index:`, each one value",
    "W440": 'set it in an `on:` handler (`set: {field: "= event.x"}`), or remove the field',
    "W441": "use it in an `emits` mapping, a guard or a read, or remove the field",
    "W442": "emit it from a command, or move it to `external_events:` if another system records it; an event kept only for streams stored earlier may be left as it is (without --strict)",
    "E500": "write a Python expression, like `state.balance + event.amount`",
    "E501": "use only literals (lists, maps), names, attributes, arithmetic, comparisons, and/or/not, in, x if c else y, subscripts, one-`for` comprehensions, the map methods get/keys/values/items, a list's index(), .date(), the listed functions and value objects by keyword",
    "E502": "use one of the names the message lists as available here",
    "E503": "use a field that the spec declares on that type",
    "E504": "change the expression so that its value has the type needed here (the message says which)",
    "E600": "write a scenario as `{name, given: [...], when: {Command: {...}}, then: ...}`",
    "E601": "give the field a value in the scenario, or a default in its declaration",
    "E602": "rename one of the scenarios",
    "E800": "keep the event (you may stop emitting it), or rename it back",
    "E801": "set the event's `version:` back to the locked one or higher: versions only go up",
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


# Per code, the hints of its kinds of problem: the first whose pattern the message matches.
_NUL = (
    re.compile(r"cannot hold the NUL character"),
    "leave the character out (an escape such as `\\0` in a double-quoted string writes it)",
)
BY_MESSAGE: dict[str, tuple[tuple[re.Pattern[str], str], ...]] = {
    "E200": (_NUL,),
    "E408": (
        _NUL,
        (
            re.compile(r"is not a duration|expected a duration|finer than a microsecond"),
            "write a duration as a number and a unit (`24h`, `30m`, `7d`, `90s`, `1d12h`) or in "
            "ISO 8601 (`PT24H`, `P1DT2H`, `PT0.5S`); a minus sign before it makes it negative",
        ),
        (
            re.compile(r"the key .* is not an integer|the key .* is the same |a key of a map\["),
            "write each key once, as the map's key type reads it: an int as `3`, a date as "
            "`2024-01-31`, a uuid in full, an enum by one of its values",
        ),
        (
            re.compile(r"expected a mapping for map\["),
            "write the map as a YAML mapping of keys to values, like `{tea: 2, coffee: 0}` "
            "(`{}` when it is empty)",
        ),
    ),
    "E411": (
        (
            re.compile(r"a map's key is one of"),
            "key the map by str, int, uuid, date or an enum, never optional; a decimal or a "
            "value object can be what the map holds instead",
        ),
        (
            re.compile(r"is not a type \(write"),
            "write a type as the message shows, like `list[str]`, `map[str, int]` or `decimal?`",
        ),
    ),
    "E406": (
        (
            re.compile(r"emits no events"),
            "list the events it records under `emits:`, or write its decide() by hand "
            "(`handler: custom`)",
        ),
    ),
    "E404": (
        (
            re.compile(r"is implicit in aggregate scenarios"),
            "leave the id out: an aggregate scenario runs on one stream, and its id is implicit",
        ),
    ),
    "E502": (
        (
            re.compile(r"\.on\.\w+\.if: the name 'row' is not available"),
            "a read model's `if:` sees only `event`, as there may be no row yet: choose by the "
            'row in a `set:` value instead (`"= row.x + 1 if row.x > 0 else 0"`)',
        ),
    ),
    "E503": (
        (
            re.compile(r"is None when the read finds nothing"),
            "stop first when it found nothing (`- {if: product is None, error: UnknownProduct}`), "
            "or emit only when it did (`if: product is not None`)",
        ),
        (
            re.compile(r"is an optional value, which has no attribute"),
            "the value may be None: make its field required, or read the attribute from a "
            "value that is always set",
        ),
        (
            re.compile(r"is an? \S+, which has no attribute"),
            "only values of a type with `fields:` have attributes; use the value itself",
        ),
    ),
    "E501": (
        (
            re.compile(r"inside a comprehension|takes one `for`"),
            "use two steps: one rule computes the inner collection into a field, a later rule "
            "goes over that field",
        ),
        (
            re.compile(r"comprehension variable"),
            "name the variable in snake_case, unlike the context's names, reads, types and "
            "Python's builtins (like `item` or `line`)",
        ),
        (
            re.compile(r"calling '"),
            "call only len, abs, min, max, now, sum, any, all, sorted, round, days, hours, "
            "minutes, or a value object by keyword (`CartItem(product_id=..., price=...)`)",
        ),
    ),
    "E504": (
        (
            re.compile(r"may be None here"),
            "check it first: `x.price if x is not None else 0`, or a rule before that stops "
            "when it is None",
        ),
        (
            re.compile(r"cannot subtract lists"),
            "remove items with a comprehension: `[i for i in state.items if i != event.item]`",
        ),
        (
            re.compile(r"have no common type"),
            "give every branch or item the same type (an int mixes with decimals or floats; "
            "nothing else does)",
        ),
        (
            re.compile(r"cannot go over|goes over"),
            "go over a list, a map (its keys), or a map's keys(), values() or items()",
        ),
        (
            re.compile(r"cannot look for"),
            "look for a value of the collection's item type (a map's key type) in it",
        ),
        (
            re.compile(r"a key of|indexed by|a map's key is|a map's keys share"),
            "a map's key has the map's key type; a list's index is an int",
        ),
        (
            re.compile(r"every field without a default is given"),
            "give each field of the value object that has no default: "
            "`CartItem(product_id=..., price=...)`",
        ),
        (
            re.compile(
                r"sum\(\) adds|round\(\) takes|abs\(\) takes|len\(\) takes|cannot order|"
                r"any\(\) takes|all\(\) takes|\(\) takes an int or a float"
            ),
            "give the function values it works on (the message says which)",
        ),
        (
            re.compile(r"None does not fit"),
            "only an optional field (`T?`) takes None: make the field optional, or give a value",
        ),
        (
            re.compile(
                r"a (\S+)\? value does not fit an? \1 |is an? (\S+)\? but the event field is an? \2;"
            ),
            "the value may be None and the field may not: make the field optional (`T?`), or "
            "fill it from a value that is always set",
        ),
        (
            re.compile(r"decimal and float"),
            "declare both values decimal (exact, for money) or both float",
        ),
        (
            re.compile(r"cannot compare"),
            "compare values of the same type: numbers with numbers, text with text, dates "
            "with dates, an enum with one of its values",
        ),
        (
            re.compile(r"cannot apply"),
            "use the operator on values it works on: numbers for arithmetic, text + text, "
            "list + list",
        ),
        (
            re.compile(r"is not a value of"),
            "use one of the enum's values (the message lists them)",
        ),
        (
            re.compile(r"the types differ, so say how in `apply:`"),
            "add an `apply:` rule for the state field whose value has the state field's type",
        ),
        (
            re.compile(r"does not fit|but the event field is"),
            "give a value of the field's type, or change the field's type (an int fits a "
            "decimal or float field; nothing else converts by itself)",
        ),
    ),
    "E600": (
        (
            re.compile(r"`then` has an error"),
            "a scenario expects an error, or events and state: split it in two",
        ),
    ),
    "E805": (
        (
            re.compile(r"so it has no step from version"),
            "remove that step, or raise the event's `version:` past it",
        ),
    ),
}


def hint_for(code: str, message: str = "") -> str:
    """The hint for a diagnostic of `code` saying `message` that carries none of its own."""
    for pattern, hint in BY_MESSAGE.get(code, ()):
        if pattern.search(message):
            return hint
    return DEFAULT_HINTS.get(code, "")

"""Names for drawn specs: ordinary words, names the generated modules use themselves, and text
a person or an agent might paste."""

from __future__ import annotations

import keyword
from typing import Any

from hypothesis import strategies as st

from generator.spec.names import (
    PACKAGE_MODULES,
    RESERVED_CLASSES,
    RESERVED_FIELDS,
    RESERVED_MODULES,
    is_keyword,
    snake,
)

# PascalCase names the generated modules import or define themselves.
TRICKY_CLASSES = [
    "Any", "ClassVar", "Callable", "Path", "UTC", "Decider", "DomainApplication", "Sequence",
    "Mapping", "Iterable", "Protocol", "Generic", "TypeVar", "Mapper", "Transcoder",
    "StoredEvent", "IntegrityError", "AggregateNotFoundError", "StreamNotFoundError",
    "StreamExistsError", "ConcurrencyConflictError", "State", "Expected", "Scenario", "Given",
    "When", "Then", "ScenarioFailed", "Handled", "ReadModel", "Exception", "Field", "Date",
    "Runtime", "Types", "Testing", "Projections", "Cli", "ReadModels", "Automations", "As", "If",
    "Class", "Return", "Import", "Match", "Type", "Lambda", "Main", "Tests", "Custom", "Events",
    "Datetime", "Uuid", "Str", "Int", "Bool", "List", "Tuple", "Optional", "Literal", "Self",
    "Application", "Snapshot", "Recorded", "Automation", "DomainError", "Tracking", "Clock",
    "InvalidValueError", "ConfigurationError", "PersistenceError", "Case", "NamedTuple",
]  # fmt: skip
# snake_case names the generated modules use as functions, modules or variables.
TRICKY_FIELDS = [
    "replace", "dataclass", "annotations", "decimal", "uuid", "assert_never", "encode", "decode",
    "decide", "evolve", "initial_state", "stream_id", "creates", "decider", "pytest", "make_app",
    "tmp_path", "expect", "scenario", "check", "sequence", "any", "typing", "types", "enum",
    "dataclasses", "message", "name", "value", "values", "json", "mro", "args", "key", "key_of",
    "update", "rows", "sent", "utc", "data", "events", "errors", "kwargs", "env", "app",
    # names the domain may use although the generated code uses them too (issue 12, section 1)
    "date", "datetime", "str", "int", "float", "bool", "tuple", "list", "field", "uuid4", "new_id",
    "now", "state", "event", "row", "command", "timestamp", "topic", "type", "match", "case",
    "self", "cls", "event_type", "dt", "builtins", "runtime", "originator_id",
]  # fmt: skip
TRICKY_PACKAGES = [
    "json", "enum", "types", "decimal", "typing", "eventsourcing", "test", "tests", "pytest",
    "src", "generator", "dataclasses", "uuid", "datetime", "collections", "abc", "runtime",
    "application", "testing", "conftest", "site", "code", "io", "os", "sys",
]  # fmt: skip
WORDS = [
    "Account", "Order", "Invoice", "Cart", "Shelf", "Ticket", "Wallet", "Loan", "Book", "Member",
    "Stock", "Parcel", "Room", "Booking", "Course", "Badge", "Task", "Note", "Plan", "Meter",
]  # fmt: skip
FIELD_WORDS = [
    "amount", "count", "note", "label", "total", "flag", "status", "tags", "size", "owner",
    "code", "level", "rate", "due_on", "title", "score", "qty", "limit", "ref", "memo",
]  # fmt: skip

_PASCAL = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(TRICKY_CLASSES),
    st.from_regex(r"\A[A-Z][a-z]{1,6}(?:[A-Z0-9][a-z0-9]{0,5}){0,2}\Z"),
)
_SNAKE = st.one_of(
    st.sampled_from(FIELD_WORDS),
    st.sampled_from(TRICKY_FIELDS),
    st.from_regex(r"\A[a-z][a-z0-9]{0,7}(?:_[a-z0-9]{1,4}){0,2}\Z"),
)
# Text a person or an agent might paste: quotes, escapes, newlines, template syntax, RTL marks.
NASTY = [
    '"""', "'''", "\\", "\\n", "\n", "\r\n", "\0", "{{ x }}", "{% if %}", "{#", "\u202e",
    "\u200b", "é", "日本", "☃", "#", "%s", "{}", "$x", "`", "\t", "=", ":", "- ", "&a", "*a",
]  # fmt: skip
TEXT = st.one_of(
    st.text(max_size=12),
    st.lists(st.sampled_from(NASTY) | st.text(max_size=3), max_size=4).map("".join),
)
# Text that is data (values, enum members): no NUL, which the validator refuses because PostgreSQL's
# text columns cannot hold it (descriptions and messages keep it: they are never stored as text).
VALUE_TEXT = TEXT.map(lambda text: text.replace("\0", ""))


class Names:
    """Names drawn so far: PascalCase names are unique across the spec, as the validator wants."""

    def __init__(self, draw: Any) -> None:
        self.draw = draw
        self.pascal: set[str] = set()
        self.blocked: set[str] = set()  # names eventforge generates itself
        self.aggregates: set[str] = set()  # module names of aggregates
        self.read_models: set[str] = set()
        self.automations: set[str] = set()

    def pascal_name(self, *, module_of: set[str] | None = None) -> str:
        """A fresh PascalCase name; with `module_of`, also a fresh, unreserved module name."""
        for _ in range(50):
            name = self.draw(_PASCAL)
            if name in self.pascal or name in self.blocked or name in RESERVED_CLASSES:
                continue
            if is_keyword(name) or name in ("None", "True", "False"):
                continue
            module = snake(name)
            if module_of is not None and (
                module in module_of or module in RESERVED_MODULES or is_keyword(module)
            ):
                continue
            if module_of is self.aggregates and module in PACKAGE_MODULES:
                continue
            self.pascal.add(name)
            if module_of is not None:
                module_of.add(snake(name))
            return name
        raise Reject

    def aggregate_name(self) -> str:
        name = self.pascal_name(module_of=self.aggregates)
        if {f"{name}State", f"{name}Error", f"{name}Event"} & self.pascal:
            raise Reject
        self.blocked |= {f"{name}State", f"{name}Error", f"{name}Event"}
        return name

    def snake_name(self, taken: set[str]) -> str:
        for _ in range(50):
            name = self.draw(_SNAKE)
            # Hard keywords are `from_` in Python, which the expressions' evaluator here does not
            # spell; tests/end_to_end/test_names_generated.py covers them.
            if name in taken or name in RESERVED_FIELDS or keyword.iskeyword(name):
                continue
            taken.add(name)
            return name
        raise Reject


class Reject(Exception):
    """The draw ran out of fresh names; the strategy filters such draws out."""

"""Names: what a spec may call things, and how names become Python identifiers."""

from __future__ import annotations

import keyword
import re
import sys
import unicodedata
from functools import lru_cache

PASCAL = re.compile(r"^[A-Z][A-Za-z0-9]*$")
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")

# Names the generated runtime uses on commands, events, state and rows, or that would shadow the
# names expressions and generated modules rely on. Documented in the README.
RESERVED_FIELDS = frozenset(
    {
        "id",
        "version",
        "originator_id",
        "originator_version",
        "timestamp",
        "topic",
        "state",
        "command",
        "event",
        "row",
        "class_version",
        "self",
        "cls",
        "now",
        "state_schema",
        # Names the generated class bodies use for types and defaults: a field of that name
        # would shadow them for the fields after it.
        "str",
        "int",
        "float",
        "bool",
        "tuple",
        "list",
        "date",
        "datetime",
        "field",
        "uuid4",
        "new_id",
    }
)

# Class names the generated package defines itself, per aggregate or once.
RESERVED_CLASSES = frozenset(
    {"DomainError", "Recorded", "Snapshot", "Application", "Decimal", "UUID", "Enum", "StrEnum"}
    # Names that generated modules import or define next to the spec's own classes.
    | {"Any", "ClassVar", "Callable", "Iterator", "Sequence", "Path", "UTC", "Decider"}
    | {"DomainApplication", "ReadModel", "Automation", "Handled", "MakeApp"}
)

# Module names the generated package uses; a command module may not take one.
RESERVED_MODULES = frozenset(
    {"state", "events", "errors", "evolve", "decider", "custom", "types", "runtime", "application"}
)


# Module and folder names at the top of the generated package; an aggregate may not take one.
PACKAGE_MODULES = frozenset(
    {"runtime", "application", "testing", "types", "projections", "cli", "read_models"}
    | {"automations"}
)

# Top-level modules that a generated package or its tests import, directly or through their
# dependencies: a package of that name would hide them.
TAKEN_PACKAGES = frozenset(sys.stdlib_module_names) | {
    "eventsourcing",
    "typing_extensions",
    "psycopg",
    "pytest",
    "pluggy",
    "iniconfig",
    "packaging",
    "pygments",
}

# Top-level names the generated project uses itself: its test folder (a package on the test
# path) and pytest's conftest module.
PROJECT_NAMES = frozenset({"tests", "conftest"})

# Soft keywords of every Python the generated code may run on (`type` is one since 3.12).
SOFT_KEYWORDS = frozenset({"_", "case", "match", "type"})


def is_keyword(name: str) -> bool:
    return keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in SOFT_KEYWORDS


_ACRONYM = re.compile(r"([A-Z]+)([A-Z][a-z])")
_HUMP = re.compile(r"([a-z0-9])([A-Z])")


@lru_cache(maxsize=65536)
def snake(name: str) -> str:
    """DepositMoney -> deposit_money; HTTPRequestSent -> http_request_sent."""
    return _HUMP.sub(r"\1_\2", _ACRONYM.sub(r"\1_\2", name)).lower()


def words(name: str) -> str:
    """DepositMoney -> deposit money (for prose)."""
    return snake(name).replace("_", " ")


def test_name(scenario: str) -> str:
    """A scenario's name as a test function name: 'deposits add up' -> test_deposits_add_up."""
    text = unicodedata.normalize("NFKD", scenario)
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    return f"test_{text or 'scenario'}"


def enum_member(value: str) -> str:
    """An enum value as a member name: 'in progress' -> IN_PROGRESS, 'é' -> E, '' -> EMPTY.

    Values that give no letters or digits become VALUE_<n>; collisions are settled by
    `enum_members`, which numbers later duplicates.
    """
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    text = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").upper()
    if not text:
        return ""
    if text[0].isdigit():
        text = f"V_{text}"
    if keyword.iskeyword(text.lower()) and text.lower() == text:
        text = f"{text}_"
    return text


def enum_members(values: list[str]) -> list[str]:
    """Member names for an enum's values, collision-free and stable under appending values."""
    names: list[str] = []
    taken: set[str] = set()
    for index, value in enumerate(values, start=1):
        base = enum_member(value) or f"VALUE_{index}"
        name = base
        suffix = 2
        while name in taken or name.startswith("_"):
            name = f"{base}_{suffix}"
            suffix += 1
        taken.add(name)
        names.append(name)
    return names


def past_tense(name: str) -> bool:
    """Heuristic for W304: does the last word of an event name read like the past tense?"""
    last = re.findall(r"[A-Z][a-z0-9]*", name)
    word = (last[-1] if last else name).lower()
    irregular = {
        "sent",
        "paid",
        "made",
        "built",
        "sold",
        "won",
        "lost",
        "held",
        "left",
        "met",
        "set",
        "put",
        "cut",
        "shut",
        "read",
        "spent",
        "begun",
        "began",
        "done",
        "given",
        "taken",
        "written",
        "chosen",
        "bought",
        "brought",
        "kept",
        "found",
        "told",
        "run",
        "split",
        "bound",
        "drawn",
        "grown",
        "known",
        "shown",
        "thrown",
        "frozen",
        "withdrawn",
        "forgotten",
    }
    return word.endswith("ed") or word in irregular

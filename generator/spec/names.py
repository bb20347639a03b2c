"""Names: what a spec may call things, and how names become Python identifiers."""

from __future__ import annotations

import keyword
import re
import sys
import unicodedata
from functools import lru_cache

PASCAL = re.compile(r"^[A-Z][A-Za-z0-9]*$")
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")

# What the runtime gives every state: a state field (or the aggregate's id field, which is one)
# of that name would take its place. Each with the reason given when it is refused.
STATE_MEMBERS: dict[str, str] = {
    "version": "every state counts its events in `version`",
    "exists": "every state says in `exists` whether its stream has started",
    "id": "every state's `id` is its stream's id in the store (the eventsourcing library reads it)",
    "state_schema": "every state class keeps the fingerprint of its shape in `state_schema`, so "
    "that snapshots of an older shape are not loaded",
}

# What the runtime gives every event class: an event field of that name would take its place.
EVENT_MEMBERS: dict[str, str] = {
    "class_version": "an event's `class_version` is the version its payloads are stored under, "
    "which upcasting reads",
}
# An event's upcasting steps are static methods of its class, named as the library names them.
UPCAST_METHOD = re.compile(r"upcast_v[0-9]+_v[0-9]+\Z")

# Every field name refused somewhere (on states or events), for tools that want names that are
# accepted everywhere.
RESERVED_FIELDS = frozenset(STATE_MEMBERS) | frozenset(EVENT_MEMBERS)

# Names the generated class bodies use in annotations and defaults. A field may have any of these
# names: the class then spells the name through its module (`dt.date`, `builtins.str`), see
# generator/build/shadow.py.
SHADOWABLE = frozenset(
    {"str", "int", "float", "bool", "tuple", "date", "datetime", "timedelta", "field", "uuid4"}
    | {"new_id"}
)

# Class names the generated modules import next to the spec's own classes, each with where it
# comes from. The generated package's own helpers (`Decider`, `ReadModel`, `DomainError`...) are
# imported through their modules where a spec class could meet them, so they are free.
RESERVED_CLASSES: dict[str, str] = {
    "Decimal": "decimal.Decimal",
    "UUID": "uuid.UUID",
    "UTC": "datetime.UTC",
    "StrEnum": "enum.StrEnum",
    "Any": "typing.Any",
    "ClassVar": "typing.ClassVar",
    "Never": "typing.Never",
    "Callable": "collections.abc.Callable",
    "Mapping": "collections.abc.Mapping",
    "Iterator": "collections.abc.Iterator",
    "MakeApp": "the generated store test's factory type",
}

# Module names the generated package uses, and the names an aggregate's decider module defines
# or imports beside its command modules; a command module may not take one.
RESERVED_MODULES = frozenset(
    {"state", "events", "errors", "evolve", "decider", "custom", "types", "runtime", "application"}
    | {"decide", "read", "stream_id", "event_key", "creates", "initial_state", "projections"}
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


def attribute(name: str) -> str:
    """A field's name in generated Python: the spec's name, with a trailing underscore only
    where Python's grammar forbids the name (`from` -> `from_`; soft keywords such as `type`
    and `match` are legal attribute names and stay). Payloads and JSON keep the spec's name;
    the generated runtime maps back with the inverse rule."""
    return f"{name}_" if keyword.iskeyword(name) else name


def spelled_like_keyword(name: str) -> bool:
    """Whether `name` is how generated code spells a keyword field (`from_` for `from`), which
    would make two spec names one attribute, and one JSON key ambiguous."""
    return name.endswith("_") and keyword.iskeyword(name[:-1])


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
    """Heuristic for W304: does any word of an event name read like a past tense or participle?

    `MoneyDeposited`, `AddedItemToCart`, `BookLent`, `GuestCheckedIn`, `CardIssuedEvent`: a
    regular past (`-ed`, but not `need` or `speed`) or an irregular one anywhere. Forms that are
    also the present (`set`, `reset`, `read`) count only after the first word, or alone:
    `PriceSet` is a fact, `SetPrice` an order.
    """
    words = [w for w in snake(name).split("_") if w]
    for index, word in enumerate(words):
        if word.endswith("ed") and word not in _NOT_PAST and len(word) > 3:
            return True
        if word in _IRREGULAR_PAST or (word in _PAST_OR_PRESENT and (index or len(words) == 1)):
            return True
    return False


# Words that end in -ed but are not a past tense.
_NOT_PAST_WORDS = """
    need feed seed speed breed bleed embed exceed proceed succeed weed deed reed greed creed
    indeed hundred naked sacred wicked bed shed red
    """
_NOT_PAST = frozenset(_NOT_PAST_WORDS.split())

# Irregular past tenses and participles that are not also the present.
_IRREGULAR_PAST_WORDS = """
    arose arisen awoke awoken was were been became began begun bent bit bitten blew blown broke
    broken bred brought built burnt bought caught chose chosen came clung crept dealt dug did done
    drew drawn dreamt drank drunk drove driven ate eaten fell fallen fed felt fought found fled
    flew flown forbade forbidden forecast forgot forgotten forgave forgiven forsook froze frozen
    got gotten gave given went gone grew grown hung had heard hid hidden held kept knelt
    knew known laid led leant leapt learnt left lent lain lit lost made meant met mislaid
    misled mistook mistaken outbid outgrew outgrown overcame overdrawn overdrew overheard overpaid
    overran overridden overrode oversold overtook overtaken overthrew overthrown paid prepaid
    proven rebuilt redone redid remade repaid resold resent retold rewound rewritten rewrote rode
    ridden rang rung rose risen ran said saw seen sought sold sent shook shaken shone shot shown
    shrank shrunk sang sung sank sunk sat slain slew slept slid slung spoke spoken sped spent spun
    spilt sprang sprung stood stole stolen stuck stung stank stunk strode struck stricken strove
    striven swore sworn swept swam swum swung took taken taught tore torn told thought threw thrown
    trod trodden underpaid undersold understood undertook undertaken underwent undergone undid
    undone unbound unwound upheld withdrew withdrawn withheld withstood woke woken wore worn wove
    woven wept won wrote written
    """
_IRREGULAR_PAST = frozenset(_IRREGULAR_PAST_WORDS.split())

# Past forms spelled like the present: a past only after the first word (`PriceSet`, `SetPrice`).
_PAST_OR_PRESENT_WORDS = """
    bet bid broadcast burst cast cost cut hit hurt let put quit read reset run set shed shut split
    spread upset wed become come overcome lay ground wound
    """
_PAST_OR_PRESENT = frozenset(_PAST_OR_PRESENT_WORDS.split())

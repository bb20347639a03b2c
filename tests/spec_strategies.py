"""Hypothesis strategies: random VALID specs whose scenarios hold, and random mutations of them.

`valid_specs()` draws a whole domain (shared enum and value-object types, several aggregates with
state, errors, events with `apply` rules, commands with guards and explicit `emits` mappings, read
models, automations) and then writes the scenarios by running the spec's own rules here, in a small
interpreter of the expressions it drew: each expression is kept twice, as the spec text and as
Python this module evaluates on plain values. So every scenario is true by construction, and a
generated package whose tests fail has a generator bug, not a strategy bug.

Names are drawn from ordinary words and from names the generated modules use themselves (`Any`,
`Path`, `replace`, ...), minus the names the validator documents as reserved, so a reserved name
that is missing from the validator's list shows up as a package that does not work.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import yaml
from hypothesis import reject
from hypothesis import strategies as st

from generator.spec.names import (
    PACKAGE_MODULES,
    PROJECT_NAMES,
    RESERVED_CLASSES,
    RESERVED_FIELDS,
    RESERVED_MODULES,
    TAKEN_PACKAGES,
    is_keyword,
    snake,
)

# -- names -------------------------------------------------------------------------------------

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
]  # fmt: skip
# snake_case names the generated modules use as functions, modules or variables.
TRICKY_FIELDS = [
    "replace", "dataclass", "annotations", "decimal", "uuid", "assert_never", "encode", "decode",
    "decide", "evolve", "initial_state", "stream_id", "creates", "decider", "pytest", "make_app",
    "tmp_path", "expect", "scenario", "check", "sequence", "any", "typing", "types", "enum",
    "dataclasses", "message", "name", "value", "values", "json", "mro", "args", "key", "key_of",
    "update", "rows", "sent", "utc", "data", "events", "errors", "kwargs", "env", "app",
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
        raise _Reject

    def aggregate_name(self) -> str:
        name = self.pascal_name(module_of=self.aggregates)
        if {f"{name}State", f"{name}Error", f"{name}Event"} & self.pascal:
            raise _Reject
        self.blocked |= {f"{name}State", f"{name}Error", f"{name}Event"}
        return name

    def snake_name(self, taken: set[str]) -> str:
        for _ in range(50):
            name = self.draw(_SNAKE)
            if name in taken or name in RESERVED_FIELDS or is_keyword(name):
                continue
            taken.add(name)
            return name
        raise _Reject


class _Reject(Exception):
    """The draw ran out of fresh names; the strategy filters such draws out."""


# -- types and values --------------------------------------------------------------------------


@dataclass(frozen=True)
class T:
    kind: str  # int decimal float str bool date uuid enum record list
    name: str = ""  # enum or record name
    item: T | None = None
    optional: bool = False

    @property
    def spec(self) -> str:
        base = f"list[{self.item.spec}]" if self.item else (self.name or self.kind)
        return base + "?" if self.optional else base

    def required(self) -> T:
        return T(self.kind, self.name, self.item)


@dataclass
class Domain:
    enums: dict[str, list[str]] = field(default_factory=dict)
    records: dict[str, dict[str, tuple[T, Any]]] = field(default_factory=dict)  # (type, default)


_NO_DEFAULT = object()


def zero(t: T, domain: Domain) -> Any:
    if t.optional:
        return None
    if t.kind == "record":  # record values are kept in spec form: a mapping of spec values
        return {
            name: to_yaml(default if default is not _NO_DEFAULT else zero(ft, domain), ft)
            for name, (ft, default) in domain.records[t.name].items()
        }
    return {
        "int": 0,
        "decimal": Decimal(0),
        "float": 0.0,
        "str": "",
        "bool": False,
        "date": dt.date(1, 1, 1),
        "uuid": UUID(int=0),
        "list": (),
        "enum": domain.enums.get(t.name, [""])[0],
    }[t.kind]


def to_yaml(value: Any, t: T) -> Any:
    """A Python value of type `t` as the spec writes it."""
    if value is None:
        return None
    if t.kind == "decimal":
        return str(Decimal(value))
    if t.kind == "float":
        return float(value)
    if t.kind in ("date", "uuid"):
        return str(value)
    if t.kind == "list":
        assert t.item is not None
        return [to_yaml(v, t.item) for v in value]
    if t.kind == "record":
        return dict(value)  # record values are kept in spec form already
    return value


def values_of(t: T, domain: Domain) -> st.SearchStrategy[Any]:
    """Python values of type `t` (records as their spec mapping, filled in completely)."""
    base: st.SearchStrategy[Any]
    if t.kind == "int":
        base = st.integers(-1000, 1000)
    elif t.kind == "decimal":
        base = st.decimals(-1000, 1000, places=2, allow_nan=False, allow_infinity=False)
    elif t.kind == "float":
        base = st.integers(-400, 400).map(lambda n: n / 4)
    elif t.kind == "str":
        base = TEXT
    elif t.kind == "bool":
        base = st.booleans()
    elif t.kind == "date":
        base = st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))
    elif t.kind == "uuid":
        base = st.uuids()
    elif t.kind == "enum":
        base = st.sampled_from(domain.enums[t.name])
    elif t.kind == "list":
        assert t.item is not None
        base = st.lists(values_of(t.item, domain), max_size=3).map(tuple)
    else:
        fields = domain.records[t.name]
        base = st.fixed_dictionaries(
            {
                name: values_of(ft, domain).map(lambda v, ft=ft: to_yaml(v, ft))
                for name, (ft, _) in fields.items()
            }
        )
    return st.none() | base if t.optional else base


# -- expressions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expr:
    text: str  # as the spec writes it
    py: str  # as this module evaluates it


_BUILTINS = {"len": len, "abs": abs, "min": min, "max": max}


def evaluate(expr: Expr, **names: dict[str, Any]) -> Any:
    scope = {k: SimpleNamespace(**v) for k, v in names.items()}
    return eval(expr.py, {"Decimal": Decimal, "__builtins__": _BUILTINS}, scope)


Refs = dict[str, dict[str, T]]  # context name -> field -> type


def _refs_of(refs: Refs, want: T, *, exact: bool = True) -> list[Expr]:
    """References to fields of type `want` (or, unless `exact`, of its required form)."""
    found = []
    for context, fields in refs.items():
        for name, t in fields.items():
            if t == want or (not exact and not t.optional and t == want.required()):
                found.append(Expr(f"{context}.{name}", f"{context}.{name}"))
    return found


def _list_types(refs: Refs) -> list[T]:
    kinds = {t for fields in refs.values() for t in fields.values()}
    return sorted((t for t in kinds if t.kind == "list" and not t.optional), key=lambda t: t.spec)


def value_expr(draw: Any, want: T, refs: Refs, domain: Domain) -> Expr | None:
    """An expression of type `want` over `refs`, or None when none fits (then use a literal)."""
    kind = want.kind
    options = _refs_of(refs, want, exact=False)
    if want.optional:
        options.append(Expr("None", "None"))
    if kind in ("int", "decimal", "float") and (kind != "int" or not want.optional):
        nums = _refs_of(refs, T(kind)) + _refs_of(refs, T("int"))
        if nums:
            a, b = draw(st.sampled_from(nums)), draw(st.sampled_from(nums))
            n = draw(st.integers(0, 9))
            options += [
                Expr(f"{a.text} + {b.text}", f"({a.py}) + ({b.py})"),
                Expr(f"{a.text} - {n}", f"({a.py}) - {n}"),
                Expr(f"{a.text} * 2", f"({a.py}) * 2"),
                Expr(f"abs({a.text})", f"abs({a.py})"),
                Expr(f"max({a.text}, {n})", f"max({a.py}, {n})"),
                Expr(f"min({n}, {a.text})", f"min({n}, {a.py})"),
            ]
        if kind == "decimal" and _refs_of(refs, T("decimal")):
            d = draw(st.sampled_from(_refs_of(refs, T("decimal"))))
            options.append(Expr(f"{d.text} + {n}.25", f"({d.py}) + Decimal('{n}.25')"))
        if kind == "float" and _refs_of(refs, T("float")):
            f = draw(st.sampled_from(_refs_of(refs, T("float"))))
            options.append(Expr(f"{f.text} - 0.5", f"({f.py}) - 0.5"))
        lists = [e for t in _list_types(refs) for e in _refs_of(refs, t)]
        if lists:
            lst = draw(st.sampled_from(lists))
            options.append(Expr(f"len({lst.text})", f"len({lst.py})"))
        n = draw(st.integers(-50, 50))
        options.append(Expr(str(n), str(n)))
    if kind == "str" and not want.optional:
        strs = _refs_of(refs, T("str"))
        if strs:
            a, text = draw(st.sampled_from(strs)), draw(TEXT)
            options.append(Expr(f"{a.text} + {text!r}", f"({a.py}) + {text!r}"))
    if kind == "bool" and not want.optional:
        options.append(condition(draw, refs, domain))
    if kind == "list" and not want.optional and want.item is not None:
        items, lists = _refs_of(refs, want.item), _refs_of(refs, want)
        if lists and items:
            a, b = draw(st.sampled_from(lists)), draw(st.sampled_from(items))
            options.append(Expr(f"{a.text} + [{b.text}]", f"({a.py}) + ({b.py},)"))
        if lists:
            a, b = draw(st.sampled_from(lists)), draw(st.sampled_from(lists))
            options.append(Expr(f"{a.text} + {b.text}", f"({a.py}) + ({b.py})"))
    if kind == "enum":
        value = draw(st.sampled_from(domain.enums[want.name]))
        options.append(Expr(repr(value), repr(value)))
    if not options:
        return None
    return draw(st.sampled_from(options))


def condition(draw: Any, refs: Refs, domain: Domain, depth: int = 0) -> Expr:
    """A boolean expression over `refs` (a guard, or a bool value)."""
    literal = draw(st.sampled_from(["True", "False"]))
    options = [Expr(literal, literal)]
    for context, fields in refs.items():
        for name, t in fields.items():
            ref = f"{context}.{name}"
            if t.optional:
                options += [Expr(f"{ref} is None", f"{ref} is None")]
                options += [Expr(f"{ref} is not None", f"{ref} is not None")]
            elif t.kind == "bool":
                options += [Expr(ref, ref), Expr(f"not {ref}", f"not {ref}")]
            elif t.kind in ("int", "decimal", "float"):
                n = draw(st.integers(-20, 20))
                op = draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
                options.append(Expr(f"{ref} {op} {n}", f"{ref} {op} {n}"))
            elif t.kind == "str":
                text, op = draw(TEXT), draw(st.sampled_from(["==", "!="]))
                options.append(Expr(f"{ref} {op} {text!r}", f"{ref} {op} {text!r}"))
            elif t.kind == "enum":
                values = domain.enums[t.name]
                value, op = draw(st.sampled_from(values)), draw(st.sampled_from(["==", "!="]))
                options.append(Expr(f"{ref} {op} {value!r}", f"{ref} {op} {value!r}"))
                chosen = draw(st.lists(st.sampled_from(values), min_size=1, max_size=2))
                listed = ", ".join(repr(v) for v in chosen)
                options.append(Expr(f"{ref} in [{listed}]", f"{ref} in ({listed},)"))
            elif t.kind == "list":
                n = draw(st.integers(0, 3))
                options.append(Expr(f"len({ref}) >= {n}", f"len({ref}) >= {n}"))
    chosen = draw(st.sampled_from(options))
    if depth < 1 and draw(st.booleans()):
        other = condition(draw, refs, domain, depth + 1)
        op = draw(st.sampled_from(["and", "or"]))
        return Expr(f"{chosen.text} {op} {other.text}", f"({chosen.py}) {op} ({other.py})")
    return chosen


def coerce(value: Any, t: T) -> Any:
    """A value as a field of type `t` holds it (an int in a decimal field is a Decimal)."""
    if value is None:
        return None
    if t.kind == "decimal":
        return Decimal(value)
    if t.kind == "float":
        return float(value)
    return value


# What a mapping says for a field (the spec value), and how to compute it from the context.
Assigned = tuple[Any, Callable[..., Any]]


def assignment(draw: Any, t: T, refs: Refs, domain: Domain) -> Assigned:
    """What an `apply`, `set`, `send` or `emits` mapping says for a field of type `t`."""
    if t.kind != "record" and draw(st.integers(0, 3)) > 0:
        expr = value_expr(draw, t, refs, domain)
        if expr is not None:
            return "= " + expr.text, lambda **names: coerce(evaluate(expr, **names), t)
    value = draw(values_of(t, domain))
    if isinstance(value, str) and value.startswith("="):
        # A literal string that starts with `=` would read as an expression: write it as one.
        return "= " + repr(value), lambda **_: value
    return to_yaml(value, t), lambda **_: value


# -- the spec ----------------------------------------------------------------------------------


@dataclass
class FieldDef:
    name: str
    type: T
    default: Any = _NO_DEFAULT

    def spec(self) -> Any:
        if self.default is _NO_DEFAULT:
            return self.type.spec
        return {"type": self.type.spec, "default": to_yaml(self.default, self.type)}

    def start(self, domain: Domain) -> Any:
        """The value the field has when a scenario leaves it out."""
        return zero(self.type, domain) if self.default is _NO_DEFAULT else self.default

    @property
    def required(self) -> bool:
        return self.default is _NO_DEFAULT and not self.type.optional


@dataclass
class EventDef:
    name: str
    fields: list[FieldDef]
    apply: dict[str, Assigned]


@dataclass
class CommandDef:
    name: str
    creates: bool
    fields: list[FieldDef]
    guards: list[tuple[Expr, str]]
    emits: list[tuple[str, dict[str, Assigned]]]  # event, explicit mapping
    custom: bool = False


@dataclass
class AggregateDef:
    name: str
    id_name: str
    id_type: T
    id_spec: Any
    state: list[FieldDef]
    errors: dict[str, str]
    events: dict[str, EventDef]
    commands: dict[str, CommandDef]


@dataclass
class Built:
    """A drawn spec: its data (dumped to YAML for the generator) and its package name."""

    data: dict[str, Any]
    package: str

    def yaml(self) -> str:
        text = dump(self.data)
        assert yaml.safe_load(text) == self.data, "the test's YAML does not read back as written"
        return text


class _Dumper(yaml.SafeDumper):
    """Strings with line breaks YAML folds (NEL, LS, PS, CR) or control characters are written
    double-quoted, with escapes, so that they read back exactly."""


def _str(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    style = '"' if not text.isprintable() or any(c in text for c in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _str)


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def _field_type(draw: Any, domain: Domain, *, nested: bool = True) -> T:
    kinds = ["int", "decimal", "float", "str", "bool", "date", "uuid"]
    kinds += ["enum", "enum"] if domain.enums else []
    kinds += ["record"] if domain.records else []
    kinds += ["list"] if nested else []
    kind = draw(st.sampled_from(kinds))
    if kind == "enum":
        t = T("enum", draw(st.sampled_from(sorted(domain.enums))))
    elif kind == "record":
        t = T("record", draw(st.sampled_from(sorted(domain.records))))
    elif kind == "list":
        t = T("list", item=_field_type(draw, domain, nested=False))
    else:
        t = T(kind)
    if nested and kind in ("int", "str", "decimal", "enum") and draw(st.integers(0, 4)) == 0:
        t = T(t.kind, t.name, t.item, optional=True)
    return t


def _field(
    draw: Any, names: Names, taken: set[str], domain: Domain, *, defaults: bool = True
) -> FieldDef:
    name = names.snake_name(taken)
    t = _field_type(draw, domain)
    if defaults and draw(st.integers(0, 3)) == 0:
        return FieldDef(name, t, draw(values_of(t, domain)))
    return FieldDef(name, t)


@st.composite
def valid_specs(draw: Any, *, max_aggregates: int = 3) -> Built:
    try:
        return _build(draw, max_aggregates)
    except _Reject:
        reject()
        raise AssertionError("unreachable") from None


def _build(draw: Any, max_aggregates: int) -> Built:
    names = Names(draw)
    domain = Domain()
    data: dict[str, Any] = {"eventforge": 1}
    if draw(st.booleans()):
        data["domain"] = draw(st.sampled_from(WORDS))
        package = snake(data["domain"])
    else:
        data["domain"] = draw(TEXT)
        package = draw(
            st.sampled_from(TRICKY_PACKAGES)
            | st.from_regex(r"\A[a-z][a-z0-9]{1,8}(?:_[a-z0-9]{1,4})?\Z")
        )
        if is_keyword(package) or package in TAKEN_PACKAGES or package in PROJECT_NAMES:
            raise _Reject
        data["package"] = package
    names.blocked.add("".join(p[:1].upper() + p[1:] for p in package.split("_")) + "Application")
    if draw(st.booleans()):
        data["description"] = draw(TEXT)

    # Shared types: enums, then value objects that use enums and the value objects before them.
    types: dict[str, Any] = {}
    for _ in range(draw(st.integers(0, 2))):
        name = names.pascal_name()
        domain.enums[name] = draw(st.lists(TEXT, min_size=1, max_size=4, unique=True))
        types[name] = {"enum": domain.enums[name]}
        if draw(st.booleans()):
            types[name]["description"] = draw(TEXT)
    for _ in range(draw(st.integers(0, 2))):
        name = names.pascal_name()
        taken: set[str] = set()
        fields = [_field(draw, names, taken, domain) for _ in range(draw(st.integers(1, 3)))]
        domain.records[name] = {f.name: (f.type, f.default) for f in fields}
        types[name] = {"fields": {f.name: f.spec() for f in fields}}
    if types:
        data["types"] = types

    aggregates = [
        _aggregate(draw, names, domain) for _ in range(draw(st.integers(1, max_aggregates)))
    ]
    data["aggregates"] = {a.name: _aggregate_spec(draw, a, domain) for a in aggregates}
    read_models = _read_models(draw, names, domain, aggregates)
    if read_models:
        data["read_models"] = read_models
    automations = _automations(draw, names, domain, aggregates)
    if automations:
        data["automations"] = automations
    return Built(data=data, package=package)


def _aggregate(draw: Any, names: Names, domain: Domain) -> AggregateDef:
    name = names.aggregate_name()
    taken: set[str] = set()
    style = draw(st.integers(0, 3))
    if style <= 1:
        id_name, id_type, id_spec = snake(name) + "_id", T("uuid"), None
        if id_name in RESERVED_FIELDS or is_keyword(id_name):
            raise _Reject
        taken.add(id_name)
    else:
        id_name = names.snake_name(taken)
        id_type = T("uuid") if style == 2 else T("str")
        id_spec = id_name if style == 2 else {"name": id_name, "type": "str"}
    state = [_field(draw, names, taken, domain) for _ in range(draw(st.integers(1, 4)))]
    errors = {names.pascal_name(): draw(TEXT) for _ in range(draw(st.integers(1, 2)))}
    state_refs = {f.name: f.type for f in state} | {id_name: id_type}

    events: dict[str, EventDef] = {}
    extra_names: set[str] = set()  # event fields that are not state fields, unique per aggregate
    for index in range(draw(st.integers(2, 4))):
        event = names.pascal_name()
        if index == 0:  # the first event, which creates the stream, sets most of the state
            copies = [f for f in state if f.default is _NO_DEFAULT or draw(st.booleans())]
        else:
            copies = draw(st.lists(st.sampled_from(state), max_size=3, unique_by=lambda f: f.name))
        fields = [
            FieldDef(f.name, f.type.required() if draw(st.booleans()) else f.type) for f in copies
        ]
        used = taken | extra_names | {f.name for f in fields}
        fields += [_field(draw, names, used, domain) for _ in range(draw(st.integers(0, 2)))]
        extra_names |= {f.name for f in fields} - taken
        event_refs = {f.name: f.type for f in fields} | {id_name: id_type}
        refs = {"state": state_refs, "event": event_refs}
        targets = draw(st.lists(st.sampled_from(state), max_size=2, unique_by=lambda f: f.name))
        apply = {t.name: assignment(draw, t.type, refs, domain) for t in targets}
        events[event] = EventDef(event, fields, apply)

    commands: dict[str, CommandDef] = {}
    modules: set[str] = set()
    event_list = list(events.values())
    state_names = {f.name for f in state}
    for index in range(draw(st.integers(1, 3))):
        command = names.pascal_name(module_of=modules)
        creates = index == 0
        emitted = (
            [event_list[0]]
            if creates
            else draw(st.lists(st.sampled_from(event_list[1:]), min_size=1, max_size=2))
        )
        by_name: dict[str, FieldDef] = {}
        for event in emitted:
            for f in event.fields:
                if f.name in by_name or draw(st.integers(0, 3)) == 0:
                    continue
                if f.name in state_names and not creates and draw(st.booleans()):
                    continue  # left to be filled from the state
                t = f.type
                if t.kind in ("decimal", "float") and not t.optional and draw(st.booleans()):
                    t = T("int")  # an int command field fills a decimal or float event field
                by_name[f.name] = FieldDef(f.name, t)
        fields = list(by_name.values())
        extra_taken = taken | extra_names | set(by_name)
        fields += [_field(draw, names, extra_taken, domain) for _ in range(draw(st.integers(0, 2)))]
        command_refs = {f.name: f.type for f in fields} | {id_name: id_type}
        refs = {"command": command_refs, "state": state_refs}
        guards = [
            (condition(draw, refs, domain), draw(st.sampled_from(sorted(errors))))
            for _ in range(draw(st.integers(0, 2)))
        ]
        emits = []
        for event in emitted:
            mapping: dict[str, Assigned] = {}
            for f in event.fields:
                source = _auto_source(f, command_refs, state_refs)
                if source in (None, "clash") or draw(st.integers(0, 4)) == 0:
                    if source is None and f.default is not _NO_DEFAULT and draw(st.booleans()):
                        continue  # left to the event field's default
                    mapping[f.name] = assignment(draw, f.type, refs, domain)
            emits.append((event.name, mapping))
        custom = not creates and draw(st.integers(0, 5)) == 0
        commands[command] = CommandDef(command, creates, fields, guards, emits, custom)
    return AggregateDef(name, id_name, id_type, id_spec, state, errors, events, commands)


def _auto_source(f: FieldDef, command_refs: dict[str, T], state_refs: dict[str, T]) -> str | None:
    """Where an unmapped event field is filled from, by the spec's fill rules."""
    for context, refs in (("command", command_refs), ("state", state_refs)):
        t = refs.get(f.name)
        if t is None:
            continue
        widened = t.kind == "int" and f.type.kind in ("decimal", "float")
        fits = (t.required() == f.type.required() or widened) and (
            f.type.optional or not t.optional
        )
        return context if fits else "clash"
    return None


def _aggregate_spec(draw: Any, a: AggregateDef, domain: Domain) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if draw(st.booleans()):
        body["description"] = draw(TEXT)
    if a.id_spec is not None:
        body["id"] = a.id_spec
    body["state"] = {f.name: f.spec() for f in a.state}
    body["errors"] = dict(a.errors)
    body["events"] = {}
    for event in a.events.values():
        spec: dict[str, Any] = {}
        if draw(st.integers(0, 3)) == 0:
            spec["description"] = draw(TEXT)
        spec["fields"] = {f.name: f.spec() for f in event.fields}
        if event.apply:
            spec["apply"] = {k: v for k, (v, _) in event.apply.items()}
        body["events"][event.name] = spec
    body["commands"] = {}
    for command in a.commands.values():
        spec = {"creates": True} if command.creates else {}
        if command.custom:
            spec["handler"] = "custom"
        if draw(st.integers(0, 3)) == 0:
            spec["description"] = draw(TEXT)
        if command.fields:
            spec["fields"] = {f.name: f.spec() for f in command.fields}
        if command.guards:
            spec["rejects"] = [{"if": g.text, "error": e} for g, e in command.guards]
        spec["emits"] = [
            {event: {k: v for k, (v, _) in mapping.items()}} if mapping else event
            for event, mapping in command.emits
        ]
        body["commands"][command.name] = spec
    scenarios = _scenarios(draw, a, domain)
    if scenarios:
        body["scenarios"] = scenarios
    return body


# -- running the spec's own rules --------------------------------------------------------------


def evolve(
    a: AggregateDef, state: dict[str, Any], event: EventDef, values: dict[str, Any]
) -> dict[str, Any]:
    """The state after `event` (every update reads the state from before it)."""
    new = dict(state)
    state_names = {f.name for f in a.state}
    for f in event.fields:
        if f.name in state_names and f.name not in event.apply:
            new[f.name] = values[f.name]
    for target, (_, compute) in event.apply.items():
        new[target] = compute(state=state, event=values)
    return new


def decide(
    a: AggregateDef,
    domain: Domain,
    command: CommandDef,
    state: dict[str, Any],
    values: dict[str, Any],
) -> tuple[str | None, list[tuple[EventDef, dict[str, Any]]]]:
    """The error the guards raise, or the events the command emits with their values."""
    for guard, error in command.guards:
        if evaluate(guard, command=values, state=state):
            return error, []
    emitted = []
    for event_name, mapping in command.emits:
        event = a.events[event_name]
        out: dict[str, Any] = {a.id_name: values[a.id_name]}
        for f in event.fields:
            if f.name in mapping:
                value = mapping[f.name][1](command=values, state=state)
            elif f.name in values:
                value = values[f.name]
            elif f.name in state:
                value = state[f.name]
            else:
                value = f.start(domain)
            out[f.name] = coerce(value, f.type)
        emitted.append((event, out))
    return None, emitted


def _draw_values(
    draw: Any, fields: list[FieldDef], domain: Domain, *, every: bool = False
) -> tuple[dict[str, Any], set[str]]:
    """A value for every field, and which of them the scenario writes (the others default)."""
    values, shown = {}, set()
    for f in fields:
        if every or f.required or draw(st.booleans()):
            values[f.name] = coerce(draw(values_of(f.type, domain)), f.type)
            shown.add(f.name)
        else:
            values[f.name] = f.start(domain)
    return values, shown


def _written(
    fields: list[FieldDef], values: dict[str, Any], keep: set[str] | None = None
) -> dict[str, Any]:
    return {
        f.name: to_yaml(values[f.name], f.type) for f in fields if keep is None or f.name in keep
    }


def _scenarios(draw: Any, a: AggregateDef, domain: Domain) -> list[dict[str, Any]]:
    scenarios: list[dict[str, Any]] = []
    creating = next(c for c in a.commands.values() if c.creates)
    first_event = a.events[creating.emits[0][0]]
    # The stream the generated scenario tests use (render.py `_aggregate_context`).
    uuid = UUID("00000000-0000-4000-8000-000000000001")
    stream: Any = f"{snake(a.name)}-1" if a.id_type.kind == "str" else uuid
    for command in a.commands.values():
        if command.custom:
            continue
        for _ in range(draw(st.integers(0, 2))):
            state = {f.name: f.start(domain) for f in a.state} | {a.id_name: stream}
            given: list[dict[str, Any]] = []
            if not command.creates:
                later = draw(st.lists(st.sampled_from(list(a.events.values())), max_size=2))
                for event in [first_event, *later]:
                    values, shown = _draw_values(draw, event.fields, domain)
                    given.append({event.name: _written(event.fields, values, shown)})
                    state = evolve(a, state, event, {**values, a.id_name: stream})
            values, shown = _draw_values(draw, command.fields, domain)
            error, emitted = decide(a, domain, command, state, {**values, a.id_name: stream})
            scenario: dict[str, Any] = {"name": f"case {len(scenarios) + 1} {draw(TEXT)}"}
            if given:
                scenario["given"] = given
            scenario["when"] = {command.name: _written(command.fields, values, shown)}
            if error is not None:
                scenario["then"] = {"error": error}
                scenarios.append(scenario)
                continue
            after, expected = state, []
            for event, out in emitted:
                keep = {f.name for f in event.fields if draw(st.integers(0, 4)) > 0}
                expected.append({event.name: _written(event.fields, out, keep)})
                after = evolve(a, after, event, out)
            checked = {f.name for f in a.state if draw(st.booleans())}
            state_spec = _written(a.state, after, checked)
            form = draw(st.integers(0, 3))
            if form == 0 or not state_spec:
                scenario["then"] = expected
            elif form == 1:
                scenario["then"] = {"events": expected}
            elif form == 2:
                scenario["then"] = {"events": expected, "state": state_spec}
            else:
                scenario["then"] = {"state": state_spec}
            scenarios.append(scenario)
    return scenarios


# -- read models and automations ---------------------------------------------------------------


def _field_type_in(fields: list[FieldDef], name: str) -> T:
    return next(f.type for f in fields if f.name == name)


def _stream(draw: Any, a: AggregateDef) -> Any:
    return draw(st.uuids()) if a.id_type.kind == "uuid" else draw(TEXT)


def _read_models(
    draw: Any, names: Names, domain: Domain, aggregates: list[AggregateDef]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for _ in range(draw(st.integers(0, 2))):
        a = draw(st.sampled_from(aggregates))
        name = names.pascal_name(module_of=names.read_models)
        names.blocked.add(f"{name}Row")
        taken = {a.id_name}
        fields = [
            _field(draw, names, taken, domain, defaults=False)
            for _ in range(draw(st.integers(1, 3)))
        ]
        row_refs = {f.name: f.type for f in fields} | {a.id_name: a.id_type}
        handled = draw(
            st.lists(
                st.sampled_from(list(a.events.values())),
                min_size=1,
                max_size=3,
                unique_by=lambda e: e.name,
            )
        )
        on: dict[str, Any] = {}
        rules: dict[str, dict[str, Assigned] | None] = {}
        for event in handled:
            if len(handled) > 1 and event is handled[-1] and draw(st.integers(0, 3)) == 0:
                on[event.name], rules[event.name] = "delete", None
                continue
            event_refs = {f.name: f.type for f in event.fields} | {a.id_name: a.id_type}
            refs = {"event": event_refs, "row": row_refs}
            targets = draw(
                st.lists(st.sampled_from(fields), max_size=3, unique_by=lambda f: f.name)
            )
            sets = {f.name: assignment(draw, f.type, refs, domain) for f in targets}
            on[event.name] = {"set": {k: v for k, (v, _) in sets.items()}}
            rules[event.name] = sets
        spec: dict[str, Any] = {
            "key": a.id_name,
            "fields": {f.name: f.spec() for f in fields},
            "on": on,
        }
        if draw(st.booleans()):
            spec["description"] = draw(TEXT)
        scenarios = []
        for index in range(draw(st.integers(0, 2))):
            stream = _stream(draw, a)
            row: dict[str, Any] | None = None
            given = []
            for event in draw(st.lists(st.sampled_from(handled), min_size=1, max_size=3)):
                values, _ = _draw_values(draw, event.fields, domain, every=True)
                values[a.id_name] = stream
                given.append(
                    {event.name: _written([FieldDef(a.id_name, a.id_type), *event.fields], values)}
                )
                sets = rules[event.name]
                if sets is None:
                    row = None
                    continue
                current = row or {f.name: f.start(domain) for f in fields} | {a.id_name: stream}
                row = dict(current)
                for target, (_, compute) in sets.items():
                    row[target] = compute(event=values, row=current)
            then = [] if row is None else [_written([FieldDef(a.id_name, a.id_type), *fields], row)]
            scenarios.append(
                {"name": f"view {index + 1} {draw(TEXT)}", "given": given, "then": then}
            )
        if scenarios:
            spec["scenarios"] = scenarios
        out[name] = spec
    return out


def _automations(
    draw: Any, names: Names, domain: Domain, aggregates: list[AggregateDef]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    # No automation may be set off, directly or through another, by the events it causes: such a
    # cascade never ends (the generated automation test would wait for it forever).
    triggers: set[str] = set()
    caused: set[str] = set()
    for _ in range(draw(st.integers(0, 2))):
        source = draw(st.sampled_from(aggregates))
        event = draw(st.sampled_from(list(source.events.values())))
        target = draw(st.sampled_from(aggregates))
        command = draw(st.sampled_from(list(target.commands.values())))
        emitted = {e for e, _ in command.emits}
        if emitted & (triggers | {event.name}) or event.name in caused | emitted:
            continue
        triggers.add(event.name)
        caused |= emitted
        name = names.pascal_name(module_of=names.automations)
        event_refs = {f.name: f.type for f in event.fields} | {source.id_name: source.id_type}
        targets = list(command.fields)
        if not command.creates:
            targets = [FieldDef(target.id_name, target.id_type), *targets]
        # Another aggregate's stream id is not a stream of the target aggregate (the runtime
        # does not handle that yet: it loads the other aggregate's events with the wrong decider).
        others = {k: v for k, v in event_refs.items() if k != source.id_name}
        send = {
            f.name: assignment(
                draw,
                f.type,
                {
                    "event": others
                    if f.name == target.id_name and target is not source
                    else event_refs
                },
                domain,
            )
            for f in targets
            if f.required or draw(st.booleans())
        }
        spec: dict[str, Any] = {
            "on": event.name,
            "send": {command.name: {k: v for k, (v, _) in send.items()}},
        }
        if draw(st.booleans()):
            spec["description"] = draw(TEXT)
        if draw(st.booleans()):
            stream = _stream(draw, source)
            values, _ = _draw_values(draw, event.fields, domain, every=True)
            values[source.id_name] = stream
            sent = {k: compute(event=values) for k, (_, compute) in send.items()}
            written = {k: to_yaml(v, _field_type_in(targets, k)) for k, v in sent.items()}
            given_fields = [FieldDef(source.id_name, source.id_type), *event.fields]
            spec["scenarios"] = [
                {
                    "name": f"policy {draw(TEXT)}",
                    "given": [{event.name: _written(given_fields, values)}],
                    "then": [{command.name: written}],
                }
            ]
        out[name] = spec
    return out


# -- mutations ---------------------------------------------------------------------------------

GARBAGE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | TEXT
    | st.sampled_from(
        ["= state.", "= command.x(", "list[", "?", "=", "Nope", "__class__", "{{x}}"]
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            out += _paths(value, (*prefix, index))
    return out


def _strings(data: Any) -> list[str]:
    if isinstance(data, dict):
        return [s for k, v in data.items() for s in [str(k), *_strings(v)]]
    if isinstance(data, list):
        return [s for v in data for s in _strings(v)]
    return [data] if isinstance(data, str) else []


@st.composite
def mutated_specs(draw: Any) -> str:
    """A valid spec with a few random edits, as YAML text (which may no longer be valid)."""
    data = copy.deepcopy(draw(valid_specs(max_aggregates=2)).data)
    words = sorted(set(_strings(data))) or ["x"]
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(data)[1:]))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        key = path[-1]
        kind = draw(st.sampled_from(["delete", "swap", "rename", "garbage", "insert", "retype"]))
        if kind == "delete":
            del parent[key]
        elif kind == "garbage":
            parent[key] = draw(GARBAGE)
        elif kind == "swap":
            value = parent[key]
            swaps = [[value], {"x": value}, str(value), 0, None, True, 1.5, [], {}]
            parent[key] = draw(st.sampled_from(swaps))
        elif kind == "rename":
            word = draw(st.sampled_from(words))
            new = draw(st.sampled_from([word, word + "s", word[:-1], word.upper(), word.lower()]))
            if isinstance(parent, dict):
                parent[new] = parent.pop(key)
            else:
                parent[key] = new
        elif kind == "insert" and isinstance(parent[key], dict):
            parent[key][draw(TEXT | st.sampled_from(words))] = draw(GARBAGE)
        else:
            types = ["int", "decimal", "str?", "list[int]", "Unknown", "list[", "float", "bool"]
            parent[key] = draw(st.sampled_from(types))
    text = dump(data)
    if draw(st.integers(0, 4)) == 0:  # and sometimes a raw edit of the text itself
        at = draw(st.integers(0, max(len(text) - 1, 0)))
        pieces = ["", ":", "- ", "{", "[", "'", '"', "&a ", "*a ", "\t", "\n  ", "!!python/name:x "]
        piece, cut = draw(st.sampled_from(pieces)), draw(st.integers(0, 3))
        text = text[:at] + piece + text[at + cut :]
    return text

"""Types and values of drawn specs, as this package computes with them.

Values are the Python values the generated code holds (a decimal is a `Decimal`, a value object a
`Rec`, a list a tuple), so the spec's rules can be run here on them; `to_yaml` writes them the
way a spec does. Numbers, dates and strings are drawn next to a few pivots, which guards use as
their literals: the scenarios then land on a guard's boundary and on each side of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from hypothesis import strategies as st

from spec_strategies.names import VALUE_TEXT

NUMERIC = ("int", "decimal", "float")
UTC = dt.UTC
# What a boundary is made of: a guard `x < p` flips between p - STEP and p.
STEP: dict[str, Any] = {
    "int": 1,
    "decimal": Decimal("0.01"),
    "float": 0.25,
    "date": dt.timedelta(days=1),
    "datetime": dt.timedelta(seconds=1),
}


@dataclass(frozen=True)
class T:
    kind: str  # int decimal float str bool date datetime duration uuid enum record list map
    name: str = ""  # enum or record name
    item: T | None = None  # a list's items, a map's values
    optional: bool = False
    key: T | None = None  # a map's keys

    @property
    def spec(self) -> str:
        if self.key is not None and self.item is not None:
            base = f"map[{self.key.spec}, {self.item.spec}]"
        else:
            base = f"list[{self.item.spec}]" if self.item else (self.name or self.kind)
        return base + "?" if self.optional else base

    def required(self) -> T:
        return T(self.kind, self.name, self.item, key=self.key)

    def maybe(self) -> T:
        return T(self.kind, self.name, self.item, optional=True, key=self.key)


_NO_DEFAULT = object()


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
    def has_default(self) -> bool:
        return self.default is not _NO_DEFAULT

    @property
    def required(self) -> bool:
        return self.default is _NO_DEFAULT and not self.type.optional


class Rec:
    """A value object's value: its fields' values by name, read as attributes as in the code
    (the own attributes start with `_`, which no field name does)."""

    __slots__ = ("_name", "_types", "_values")

    def __init__(self, name: str, values: dict[str, Any], types: dict[str, T]) -> None:
        self._name, self._values, self._types = name, values, types

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_"):  # an own attribute not set yet (a copy being made)
            raise AttributeError(attr)
        try:
            return self._values[attr]
        except KeyError:
            raise AttributeError(attr) from None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rec) and (self._name, self._values) == (other._name, other._values)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{self._name}{self._values!r}"


class Indeterminate(Exception):
    """A rule compared a time taken by `now()`: its outcome is not known in advance."""


class _Now:
    """A value `now()` gave while the generated code ran: unknown here, so never written into an
    expected value and never compared (comparing it raises Indeterminate)."""

    def _unknown(self, other: object) -> bool:
        raise Indeterminate

    __lt__ = __le__ = __gt__ = __ge__ = __eq__ = __ne__ = _unknown
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return "NOW"


NOW = _Now()


def holds_now(value: Any) -> bool:
    if value is NOW:
        return True
    if isinstance(value, tuple):
        return any(holds_now(v) for v in value)
    if isinstance(value, Rec):
        return any(holds_now(v) for v in value._values.values())
    if isinstance(value, dict):
        return any(holds_now(v) for v in value.values())
    return False


@dataclass
class Domain:
    enums: dict[str, list[str]] = field(default_factory=dict)
    records: dict[str, list[FieldDef]] = field(default_factory=dict)
    pivots: dict[str, list[Any]] = field(default_factory=dict)  # kind -> guard literals
    close: dict[str, list[Any]] = field(default_factory=dict)  # kind -> values next to them
    features: set[str] = field(default_factory=set)  # what the spec and its scenarios use
    # How many scenarios: "lean" (none or one each: a base for mutations, smaller and as
    # broad), "usual" (one, now and then two), "many" (two or three: for the generated packages,
    # whose cost is mostly fixed, so more scenarios meet more boundaries for little more time).
    scenario_count: str = "usual"

    def scenarios(self, draw: Any) -> int:
        """How many scenarios a command, read model or automation gets."""
        if self.scenario_count == "many":
            return draw(st.integers(2, 3))
        return self.some(draw)

    def some(self, draw: Any) -> int:
        """How many of a part (read models, automations): one, now and then two; none or one
        for a lean spec."""
        if self.scenario_count == "lean":
            return draw(st.integers(0, 1))
        return 1 + (draw(st.integers(0, 3)) == 0)


def zero(t: T, domain: Domain) -> Any:
    if t.optional:
        return None
    if t.kind == "record":
        fields = domain.records[t.name]
        return Rec(t.name, {f.name: f.start(domain) for f in fields}, _types(fields))
    return {
        "int": 0,
        "decimal": Decimal(0),
        "float": 0.0,
        "str": "",
        "bool": False,
        "date": dt.date(1, 1, 1),
        "datetime": dt.datetime(1, 1, 1, tzinfo=UTC),
        "uuid": UUID(int=0),
        "duration": dt.timedelta(0),
        "list": (),
        "map": {},
        "enum": domain.enums.get(t.name, [""])[0],
    }[t.kind]


def _types(fields: list[FieldDef]) -> dict[str, T]:
    return {f.name: f.type for f in fields}


def to_yaml(value: Any, t: T) -> Any:
    """A value of type `t` as the spec writes it."""
    assert value is not NOW, "a time taken by now() cannot be written"
    if value is None:
        return None
    if t.kind == "decimal":
        return str(Decimal(value))
    if t.kind == "float":
        return float(value)
    if t.kind in ("date", "datetime"):
        return value.isoformat()
    if t.kind == "uuid":
        return str(value)
    if t.kind == "list":
        assert t.item is not None
        return [to_yaml(v, t.item) for v in value]
    if t.kind == "record":
        return {k: to_yaml(v, value._types[k]) for k, v in value._values.items()}
    if t.kind == "map":
        assert t.key is not None and t.item is not None
        return {_key_yaml(k, t.key): to_yaml(v, t.item) for k, v in value.items()}
    if t.kind == "duration":
        return _duration_yaml(value)
    return value


def _key_yaml(key: Any, t: T) -> Any:
    """A map's key as a spec writes it: the loader reads every key as its text, so an int key
    may stand as a number, the others as text."""
    return key if t.kind in ("int", "str", "enum") else to_yaml(key, t)


def _duration_yaml(value: dt.timedelta) -> str:
    """A duration written one of the ways a spec may write it: `1d2h30m5.5s` or ISO 8601, with a
    minus sign when negative."""
    micro = abs(value) // dt.timedelta(microseconds=1)
    days, micro = divmod(micro, 86_400_000_000)
    hours, micro = divmod(micro, 3_600_000_000)
    minutes, micro = divmod(micro, 60_000_000)
    seconds = f"{micro // 1_000_000}" + (f".{micro % 1_000_000:06d}" if micro % 1_000_000 else "")
    sign = "-" if value < dt.timedelta(0) else ""
    if micro % 2:  # ISO 8601 now and then (the microseconds pick, which a draw varies)
        return f"{sign}P{days}DT{hours}H{minutes}M{seconds}S"
    parts = [f"{days}d" * bool(days), f"{hours}h" * bool(hours), f"{minutes}m" * bool(minutes)]
    short = "".join(parts) + (f"{seconds}s" if micro or not any(parts) else "")
    return sign + short


def coerce(value: Any, t: T) -> Any:
    """A value as a field of type `t` holds it (an int in a decimal field is a Decimal)."""
    if value is None or value is NOW:
        return value
    if t.kind == "decimal":
        return Decimal(value)
    if t.kind == "float":
        return float(value)
    if t.kind == "bool":  # `x and y` is a bool in the language, whatever x and y are
        return bool(value)
    if t.kind == "list" and t.item is not None:
        return tuple(coerce(v, t.item) for v in value)
    if t.kind == "map" and t.item is not None:
        return {k: coerce(v, t.item) for k, v in value.items()}
    return value


# Far from today, so that comparing them with now() has a known outcome for two centuries.
_PAST = (dt.datetime(1900, 1, 2), dt.datetime(1999, 12, 31))
_FUTURE = (dt.datetime(2200, 1, 1), dt.datetime(2299, 12, 31))
_ZONES = [UTC, dt.timezone(dt.timedelta(hours=2)), dt.timezone(dt.timedelta(hours=-5, minutes=-30))]
_DATETIMES = st.one_of(
    st.datetimes(*_PAST, timezones=st.sampled_from(_ZONES)),
    st.datetimes(*_FUTURE, timezones=st.sampled_from(_ZONES)),
)
_BASE: dict[str, st.SearchStrategy[Any]] = {
    "int": st.integers(-1000, 1000),
    "decimal": st.decimals(-1000, 1000, places=2, allow_nan=False, allow_infinity=False),
    "float": st.integers(-4000, 4000).map(lambda n: n / 4),
    "str": VALUE_TEXT,
    "bool": st.booleans(),
    "date": st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)),
    "datetime": _DATETIMES,
    "uuid": st.uuids(),
    # Negative ones too, and to the microsecond, within what a timedelta holds either way.
    "duration": st.timedeltas(dt.timedelta(days=-99_999), dt.timedelta(days=99_999))
    | st.sampled_from([dt.timedelta(0), dt.timedelta(hours=24), dt.timedelta(minutes=-30)]),
}
# Pivots: small numbers, so that arithmetic in guards still lands near them.
PIVOTS: dict[str, st.SearchStrategy[Any]] = {
    "int": st.integers(-20, 20),
    "decimal": st.decimals(-20, 20, places=2, allow_nan=False, allow_infinity=False),
    "float": st.integers(-80, 80).map(lambda n: n / 4),
    "str": VALUE_TEXT,
    "date": _BASE["date"],
    "datetime": _DATETIMES,
}


def draw_pivots(draw: Any) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    """One pivot per kind, now and then two; and the values next to them, in a drawn order (a
    draw favours the first of a list, which would favour one side of each boundary)."""
    pivots = {
        kind: draw(st.lists(s, min_size=1, max_size=1 + (draw(st.integers(0, 3)) == 0)))
        for kind, s in PIVOTS.items()
    }
    return pivots, {kind: draw(st.permutations(near(kind, p))) for kind, p in pivots.items()}


def near(kind: str, pivots: list[Any]) -> list[Any]:
    """The pivots, and the value just on each side of each."""
    if kind not in STEP:
        return list(pivots)
    return [p + d for p in pivots for d in (-STEP[kind], 0 * STEP[kind], STEP[kind])]


def values_of(t: T, domain: Domain) -> st.SearchStrategy[Any]:
    """Values of type `t`, half of the numbers, dates and strings next to the pivots."""
    base: st.SearchStrategy[Any]
    if t.kind in _BASE:
        base = _BASE[t.kind]
        close = domain.close.get(t.kind, [])
        if close:  # three times in four
            base = st.sampled_from(close) | st.sampled_from(close) | st.sampled_from(close) | base
    elif t.kind == "enum":
        base = st.sampled_from(domain.enums[t.name])
    elif t.kind == "list":
        assert t.item is not None
        base = st.lists(values_of(t.item, domain), max_size=3).map(tuple)
    elif t.kind == "map":
        assert t.key is not None and t.item is not None
        base = st.dictionaries(values_of(t.key, domain), values_of(t.item, domain), max_size=3)
    else:
        fields = domain.records[t.name]
        types = _types(fields)
        base = st.fixed_dictionaries({f.name: values_of(f.type, domain) for f in fields}).map(
            lambda values: Rec(t.name, values, types)
        )
    return st.none() | base if t.optional else base

"""Incremental analysis: an aggregate's or a read model's analysis reused from the last run when
everything it read is the same.

A unit of analysis (one aggregate's declarations, its scenarios, one read model) is a function of
its name and of what it reads of the Context: the spec data, and what earlier steps declared.
The first time, it runs against a `Recording` view of the Context, which notes every read as
(where, key, fingerprint of the value found, or of its absence) and every write. Next time, the
unit's result is reused only when each of those reads gives the same fingerprint now; its writes
are then replayed, so the Context ends as a clean run leaves it. The unit's own writes are not
inputs (a key it wrote, read again, is its own), and everything the Context does not hold (the
rules, the compiler) is eventforge itself, which keys the whole cache (build/toolkey.py).

There is no list of what a unit depends on to keep up to date: what it reads is what is checked.
Anything the view cannot tell apart (a read of the spec's positions, a diagnostic, a method not
mapped below) spoils the unit, which is then simply not kept. A fingerprint is the digest of an
unshared pickle of the value: types, order and nesting count (`1` is not `True`, a reordered map
differs), and two values with the same digest have the same content. A false difference (say a
set iterated in another order) only costs a rerun.

tests/spec/test_analysis_reuse.py: random edits, then an analysis reusing the last one's units
gives the same model and diagnostics as a clean one; leaving any kind of read unrecorded fails it.
"""

from __future__ import annotations

import functools
import hashlib
import io
import marshal
import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

from generator.spec.analyze.context import Context

if TYPE_CHECKING:
    from generator.spec.analyze.named_ids import NamedIds  # noqa: F401 (a field's type)

T = TypeVar("T")

# The Context's maps a unit reads by key; `data` (the spec itself) is read a section deeper.
MAPS = (
    "declared",
    "enum_values",
    "record_fields",
    "record_types",
    "events",
    "event_aggregate",
    "external_events",
    "commands",
    "aggregates",
    "id_fields",
    "failed_fields",
    "aggregate_modules",
)
# Plain attributes a unit may read (fingerprinted whole) and set (the last value is replayed).
ATTRIBUTES = ("package", "named_ids", "diagnostics")
# What a whole-map read noted: its keys only (iteration, length, truth) or its items too.
KEYS, ITEMS = ("*", "keys"), ("*", "items")
_ABSENT = b"\x00absent"
_SECTION = b"\x00section"

Read = tuple[str, Any, bytes]  # (where: a map, "data", "data.<section>" or "attr"; key; digest)
Write = tuple[str, Any, Any]  # (map, key, value)
Made = tuple[Any, list[Write], dict[str, Any]]  # a unit's result, writes, attributes it set


@dataclass(frozen=True)
class Unit:
    """What a unit read (the reuse condition) and what it made, pickled: (result, writes, the
    attributes it set)."""

    reads: tuple[Read, ...]
    made: bytes


@dataclass
class UnitMemo:
    """The units of the last analysis, by unit name, and those of this one (what to keep)."""

    known: dict[str, Unit] = field(default_factory=dict)
    current: dict[str, Unit] = field(default_factory=dict)
    reused: int = 0

    def recall(self, name: str) -> Unit | None:
        return self.known.get(name)

    def keep(self, name: str, unit: Unit) -> None:
        self.current[name] = unit


class _Spoiled(Exception):
    """A value that cannot be fingerprinted: the unit is not kept."""


def digest(value: Any) -> bytes:
    """The fingerprint of a value: of plain data (the spec's), its marshal format 2, which has no
    references and keeps types and order; of anything else an unshared pickle (so the same
    content gives the same bytes whichever objects happen to be shared); hashed. The first byte
    says which, so the two never match each other."""
    try:
        plain = b"m" + marshal.dumps(value, 2)
    except ValueError:
        pass  # a model object, or a date
    else:
        return hashlib.blake2b(plain, digest_size=16).digest()
    buffer = io.BytesIO(b"p")
    buffer.seek(1)
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True  # no memo: a shared object is written each time, like an unshared one
    try:
        pickler.dump(value)
    except (pickle.PicklingError, TypeError, AttributeError, ValueError, RecursionError) as exc:
        raise _Spoiled from exc
    return hashlib.blake2b(buffer.getvalue(), digest_size=16).digest()


class _Digests:
    """Fingerprints of one analysis run. The spec data and frozen model values never change
    during a run, so theirs are computed once per object; a Context map's never are."""

    def __init__(self) -> None:
        self._by_id: dict[int, tuple[Any, bytes]] = {}
        self._whole: dict[tuple[int, tuple[str, str]], tuple[Any, bytes]] = {}

    def of(self, value: Any, *, stable: bool) -> bytes:
        return self._kept(self._by_id, id(value), value, stable, lambda: digest(value))

    def made_by(self, value: Any, inputs: bytes, label: str) -> None:
        """A frozen value a unit made: fingerprinted by that unit's inputs and where it went
        (the unit is a function of its inputs, so the same inputs make the same value), which
        costs nothing where hashing its content would cost a pickle of it."""
        if _frozen(value):
            origin = hashlib.blake2b(b"o" + inputs + label.encode(), digest_size=16).digest()
            self._by_id[id(value)] = (value, origin)

    def whole(self, table: dict[Any, Any], what: tuple[str, str], *, stable: bool) -> bytes:
        """A whole map's: its keys, or its items."""
        return self._kept(
            self._whole,
            (id(table), what),
            table,
            stable,
            lambda: digest(tuple(table) if what == KEYS else table),
        )

    @staticmethod
    def _kept(
        kept: dict[Any, tuple[Any, bytes]],
        key: Any,
        value: Any,
        stable: bool,
        compute: Callable[[], bytes],
    ) -> bytes:
        """`compute()`, once per object when it is stable (the object kept alive beside it, so
        that its id is not reused)."""
        if not stable:
            return compute()
        known = kept.get(key)
        if known is not None and known[0] is value:
            return known[1]
        made = compute()
        kept[key] = (value, made)
        return made


class _Recorder:
    def __init__(self, digests: _Digests) -> None:
        self.digests = digests
        self.reads: dict[tuple[str, Any], bytes] = {}
        self.writes: list[Write] = []
        self.written: set[tuple[str, Any]] = set()
        self.written_maps: set[str] = set()
        self.assigned: dict[str, Any] = {}
        self.spoiled = False

    def read(self, where: str, key: Any, value: Any, *, stable: bool = True) -> None:
        if (where, key) in self.written or (where, key) in self.reads:
            return
        try:
            self.reads[(where, key)] = self.digests.of(value, stable=stable)
        except _Spoiled:
            self.spoiled = True

    def whole(
        self, where: str, what: tuple[str, str], table: dict[Any, Any], *, stable: bool
    ) -> None:
        if (where, what) not in self.reads:
            try:
                self.reads[(where, what)] = self.digests.whole(table, what, stable=stable)
            except _Spoiled:
                self.spoiled = True

    def absent(self, where: str, key: Any) -> None:
        if (where, key) not in self.written:
            self.reads.setdefault((where, key), _ABSENT)


class _MapView:
    """A Context map as a unit sees it: reads by key are noted with the value found, whole
    reads with the whole map; anything else spoils the unit."""

    def __init__(self, real: dict[Any, Any], where: str, recorder: _Recorder, *, data: bool):
        self._real = real
        self._where = where
        self._recorder = recorder
        self._data = data  # spec data: never changes during a run
        # What the unit has seen of each key (read once, or written by it) and which whole
        # reads it made: the first read is the input, later ones give the same or its own.
        self._seen: dict[Any, Any] = {}
        self._wholes: set[tuple[str, str]] = set()

    def _value(self, key: Any) -> Any:
        if key in self._seen:
            return self._seen[key]
        value = self._real[key]
        if self._where == "data" and isinstance(value, dict):
            # A section of the spec: its presence is the read here, its entries are read below.
            self._recorder.read("data", key, _SECTION)
            value = _MapView(value, f"data.{key}", self._recorder, data=True)
        else:
            self._recorder.read(self._where, key, value, stable=self._data or _frozen(value))
        self._seen[key] = value
        return value

    def __getitem__(self, key: Any) -> Any:
        if key not in self._real:
            self._recorder.absent(self._where, key)
            raise KeyError(key)
        return self._value(key)

    def get(self, key: Any, default: Any = None) -> Any:
        if key not in self._real:
            self._recorder.absent(self._where, key)
            return default
        return self._value(key)

    def __contains__(self, key: object) -> bool:
        if key in self._real:
            self._value(key)
            return True
        self._recorder.absent(self._where, key)
        return False

    def __setitem__(self, key: Any, value: Any) -> None:
        if self._data:
            self._recorder.spoiled = True  # the spec is read, never written
        self._real[key] = value
        self._seen[key] = value
        self._recorder.writes.append((self._where, key, value))
        self._recorder.written.add((self._where, key))
        self._recorder.written_maps.add(self._where)

    def _whole(self, what: tuple[str, str]) -> None:
        if what in self._wholes:
            return  # noted before the unit wrote to the map: what it sees now follows from it
        if self._where in self._recorder.written_maps:
            self._recorder.spoiled = True  # the map holds the unit's own writes: not an input
            return
        self._wholes.add(what)
        self._recorder.whole(self._where, what, self._real, stable=self._data)

    def __iter__(self) -> Iterator[Any]:
        self._whole(KEYS)
        return iter(self._real)

    def __len__(self) -> int:
        self._whole(KEYS)
        return len(self._real)

    def __bool__(self) -> bool:
        self._whole(KEYS)
        return bool(self._real)

    def keys(self) -> Any:
        self._whole(KEYS)
        return self._real.keys()

    def items(self) -> Any:
        self._whole(ITEMS)
        return self._real.items()

    def values(self) -> Any:
        self._whole(ITEMS)
        return self._real.values()

    def __getattr__(self, name: str) -> Any:
        self._recorder.spoiled = True  # setdefault, pop, ...: not mapped, so not kept
        return getattr(self._real, name)


def _frozen(value: Any) -> bool:
    params = getattr(type(value), "__dataclass_params__", None)
    return isinstance(value, str | int | bool) or (params is not None and params.frozen)


class Recording:
    """The Context as a unit sees it (see the module docstring)."""

    def __init__(self, ctx: Context, recorder: _Recorder) -> None:
        object.__setattr__(self, "_ctx", ctx)
        object.__setattr__(self, "_recorder", recorder)

    def __getattr__(self, name: str) -> Any:
        # Called once per name: what it returns is kept on the view (below), so later reads of
        # the name are plain attribute reads. An attribute the unit sets replaces it (__setattr__).
        ctx: Context = object.__getattribute__(self, "_ctx")
        recorder: _Recorder = object.__getattribute__(self, "_recorder")
        value = getattr(ctx, name)
        if name == "compiled":
            # The compiler's memo, the unit's own: a result memoized by another unit would skip
            # the reads that computing it makes, and this unit would not note them. (Its key
            # holds the id of the records map, which is this view, so it would miss anyway; the
            # memo of its own does not rely on that.)
            value = {}
        elif name == "data" or (name in MAPS and isinstance(value, dict)):
            value = _MapView(value, name, recorder, data=name == "data")
        elif name in MAPS or name in ATTRIBUTES:
            recorder.read("attr", name, value, stable=False)
        elif name == "error":
            recorder.spoiled = True  # a diagnostic carries positions: not kept
        elif name == "failed":
            value = functools.partial(Context.failed, cast(Context, self))
        else:
            recorder.spoiled = True  # the spec's positions, or anything not mapped here
        object.__setattr__(self, name, value)
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        recorder: _Recorder = object.__getattribute__(self, "_recorder")
        if name not in MAPS and name not in ATTRIBUTES:
            recorder.spoiled = True
        setattr(object.__getattribute__(self, "_ctx"), name, value)
        object.__setattr__(self, name, value)  # the unit's own from now on: not an input
        recorder.assigned[name] = value


def _current(ctx: Context, where: str, key: Any, digests: _Digests) -> bytes:
    """What a noted read gives now."""
    if where == "attr":
        return digests.of(getattr(ctx, key), stable=False)
    if where == "data":
        if key in (KEYS, ITEMS):
            return digests.whole(ctx.data, key, stable=True)
        if key not in ctx.data:
            return _ABSENT
        value = ctx.data[key]
        return digests.of(_SECTION if isinstance(value, dict) else value, stable=True)
    if where.startswith("data."):
        section = ctx.data.get(where[5:])
        table: Any = section if isinstance(section, dict) else None
        stable = True
    else:
        table = getattr(ctx, where)
        stable = False
    if not isinstance(table, dict):
        return b""  # matches no digest: the map was not there when noted
    if key in (KEYS, ITEMS):
        return digests.whole(table, key, stable=stable)
    if key not in table:
        return _ABSENT
    value = table[key]
    return digests.of(value, stable=stable or _frozen(value))


class Reuse:
    """Runs the units of one analysis, reusing those of the last one whose reads still hold."""

    def __init__(self, memo: UnitMemo | None) -> None:
        self.memo = memo
        self._digests = _Digests()

    def run(self, ctx: Context, name: str, unit: Callable[[Context], T]) -> T:
        if self.memo is None:
            return unit(ctx)
        known = self.memo.recall(name)
        made = self._still_holds(ctx, known) if known is not None else None
        if known is not None and made is not None:
            self.memo.keep(name, known)
            self.memo.reused += 1
            self._made_by(name, known.reads, *made)
            return cast(T, _replay(ctx, made))
        recorder = _Recorder(self._digests)
        reported = len(ctx.diagnostics)
        result = unit(cast(Context, Recording(ctx, recorder)))
        if not recorder.spoiled and len(ctx.diagnostics) == reported:
            try:
                blob = pickle.dumps((result, recorder.writes, recorder.assigned), protocol=5)
            except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
                return result
            reads = tuple((where, key, noted) for (where, key), noted in recorder.reads.items())
            self.memo.keep(name, Unit(reads, blob))
            self._made_by(name, reads, result, recorder.writes, recorder.assigned)
        return result

    def _still_holds(self, ctx: Context, known: Unit) -> Made | None:
        """What the unit made, when each of its reads gives what it gave then."""
        try:
            same = all(
                _current(ctx, where, key, self._digests) == noted
                for where, key, noted in known.reads
            )
        except _Spoiled:
            return None
        return _loaded(known.made) if same else None

    def _made_by(
        self,
        name: str,
        reads: tuple[Read, ...],
        result: Any,
        writes: list[Write],
        assigned: dict[str, Any],
    ) -> None:
        inputs = hashlib.blake2b(
            repr((name, reads)).encode("utf-8", "surrogatepass"), digest_size=16
        ).digest()
        self._digests.made_by(result, inputs, "")
        for where, key, value in writes:
            self._digests.made_by(value, inputs, repr((where, key)))


def _loaded(made: bytes) -> Made | None:
    """A unit's result, writes and attributes, or None (analysed again) when they are not what
    this eventforge keeps: writes to the Context's maps, the attributes a unit may set."""
    try:
        result, writes, assigned = _Unpickler(io.BytesIO(made)).load()
        fits = (
            isinstance(writes, list)
            and all(
                isinstance(w, tuple) and len(w) == 3 and w[0] in MAPS and isinstance(w[1], str)
                for w in writes
            )
            and isinstance(assigned, dict)
            and all(name in ATTRIBUTES or name in MAPS for name in assigned)
        )
    except Exception:  # any failure to read a cache means analysing again, never an error
        return None
    return (result, writes, assigned) if fits else None


def _replay(ctx: Context, made: Made) -> Any:
    result, writes, assigned = made
    for where, key, value in writes:
        getattr(ctx, where)[key] = value
    for name, value in assigned.items():
        setattr(ctx, name, value)
    return result


# What a kept unit's pickle may name: the model's classes and a few plain value types, so that
# loading one runs no code but their constructors. (What a unit holds becomes generated code, so
# the cache file is also signed by the user's eventforge: build/analysis_cache.py.)
_ALLOWED_MODULES = ("generator.spec.model", "generator.spec.types")
_ALLOWED = {
    ("decimal", "Decimal"),
    ("datetime", "date"),
    ("builtins", "frozenset"),
    ("builtins", "set"),
}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        if module in _ALLOWED_MODULES and "." not in name:
            # A class the model module defines: not a function or module it imports (`re`),
            # and no dotted path through one (`re.compile`).
            found = super().find_class(module, name)
            if isinstance(found, type) and found.__module__ == module:
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of an analysis")

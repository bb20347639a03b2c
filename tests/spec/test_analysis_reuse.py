"""Incremental analysis (generator/spec/analyze/reuse.py): an analysis that reuses the last one's
units gives the same model and the same diagnostics as a clean analysis, after any edit.

The property draws a spec (random ones from tests/spec_strategies/, and the examples, which use
reads, read models, automations and timelines) and a chain of random edits, valid or not; each
analysis reuses what the one before it kept, through the cache file a generate uses. The tests
below it pin the reads that matter one by one, so that a read left unrecorded shows as a named
failure, and that reuse does happen (a cache that never hits would pass the property).
"""

from __future__ import annotations

import marshal
import pickle
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pytest
from conftest import write_cache
from hypothesis import given
from hypothesis import strategies as st
from spec_strategies import valid_specs
from spec_strategies.edits import edit, edit_settings
from spec_strategies.specs import dump

from generator.build.analysis_cache import ANALYSIS_FILE, AnalysisCache
from generator.build.cache import FORMAT
from generator.build.cachefile import signed, signing_key
from generator.spec.analyze.reuse import (
    _ABSENT,
    _SECTION,
    ITEMS,
    KEYS,
    Unit,
    UnitMemo,
    _Digests,
    _loaded,
    _MapView,
    _Recorder,
    digest,
)
from generator.spec.diagnostics import Diagnostic
from generator.spec.load import load_bytes
from generator.spec.model import Spec
from generator.spec.validate import validate_loaded

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
_SETTINGS = edit_settings(ci=12, long=200)
# Six examples, each of them a larger spec than most random ones: fewer chains each in CI.
_EXAMPLE_SETTINGS = edit_settings(ci=7, long=200)
_TOOL = "test"


def _analysis(text: str, memo: UnitMemo | None) -> tuple[Spec | None, list[Diagnostic]]:
    return validate_loaded(load_bytes(text.encode("utf-8"), "eventforge.yaml"), memo)


def _reused(text: str, folder: Path) -> tuple[Spec | None, list[Diagnostic], int]:
    """An analysis reusing the units in `folder`'s cache file, which then holds this one's."""
    cache = AnalysisCache.open(folder, _TOOL)
    spec, diagnostics = _analysis(text, cache.memo)
    cache.save()
    return spec, diagnostics, cache.memo.reused


def _same(text: str, folder: Path) -> int:
    """Analyse `text` reusing the last units and cleanly; assert both give the same; how many
    units were reused."""
    spec, diagnostics, reused = _reused(text, folder)
    clean, expected = _analysis(text, None)
    assert diagnostics == expected
    assert spec == clean
    if clean is not None:
        assert spec is not None
        # Equal and of the same types all the way down (`==` takes 1 for True).
        assert digest(spec) == digest(clean)
    return reused


def _edits(data: st.DataObject, spec: dict[str, Any], folder: Path) -> None:
    assert _same(dump(spec), folder) == 0
    for _ in range(data.draw(st.integers(1, 4), label="edits")):
        spec = edit(data.draw, spec)
        _same(dump(spec), folder)


@_SETTINGS
@given(data=st.data())
def test_reusing_units_after_random_edits_equals_a_clean_analysis(
    data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    built = data.draw(valid_specs(max_aggregates=3, scenarios="lean"), label="spec")
    _edits(data, built.data, tmp_path_factory.mktemp("reuse"))


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()))
@_EXAMPLE_SETTINGS
@given(data=st.data())
def test_reusing_units_after_random_edits_of_an_example_equals_a_clean_analysis(
    example: str, data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    text = (EXAMPLES / example / "eventforge.yaml").read_text(encoding="utf-8")
    spec = load_bytes(text.encode("utf-8"), "eventforge.yaml").data  # `str?` in flow maps too
    _edits(data, spec, tmp_path_factory.mktemp("reuse"))


# Two aggregates computing the same expression over a value object in a value object, and a
# read model whose scenario holds values of another aggregate's event.
_SHOP = """\
eventforge: 1
domain: Shop
types:
  Status:
    enum: [Open, Closed]
  Money:
    fields: {amount: decimal}
  Price:
    fields: {money: Money, label: str}
aggregates:
  Order:
    description: An order.
    state:
      status: Status
      total: {type: decimal, default: 0}
    events:
      Placed:
        fields: {amount: decimal, price: Price}
        apply: {total: = event.price.money.amount}
    commands:
      Place:
        creates: true
        fields: {amount: decimal, price: Price}
        emits: [Placed]
    scenarios:
      - name: placing adds up
        when: {Place: {amount: 3, price: {money: {amount: 2}, label: tea}}}
        then: [{Placed: {amount: 3, price: {money: {amount: 2}, label: tea}}}]
  Shelf:
    description: A shelf.
    state:
      level: {type: decimal, default: 0}
    events:
      Stocked:
        fields: {count: int, price: Price}
        apply: {level: = event.price.money.amount}
    commands:
      Stock:
        creates: true
        fields: {count: int, price: Price}
        emits: [Stocked]
read_models:
  Totals:
    key: order_id
    fields: {total: decimal}
    on:
      Placed: {set: {total: "= event.amount"}}
    scenarios:
      - name: totals follow
        given:
          - Placed:
              order_id: 8bcb2914-5832-50dd-8ca8-c5959ea9d29b
              amount: 3
              price: {money: {amount: 2}, label: tea}
        then: [{order_id: 8bcb2914-5832-50dd-8ca8-c5959ea9d29b, total: 3}]
"""


def _after(tmp_path: Path, before: str, after: str) -> int:
    assert _same(before, tmp_path) == 0
    return _same(after, tmp_path)


def test_an_edit_of_one_aggregate_reuses_the_others(tmp_path: Path) -> None:
    """A description of Shelf: Order's two units and the read model are reused; Shelf's
    declarations and scenarios are analysed again."""
    after = _SHOP.replace("A shelf.", "A shelf of the shop.")
    assert _after(tmp_path, _SHOP, after) == 3


def test_nothing_changed_reuses_every_unit(tmp_path: Path) -> None:
    assert _after(tmp_path, _SHOP, _SHOP) == 5


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # A value object inside one: Order and Shelf compile the same expression over it (the
        # compiler's memo must not hide the read from the second), and the read model's
        # scenario holds a value of it.
        ("fields: {amount: decimal}\n  Price", "fields: {amount: int}\n  Price"),
        # A shared type's kind: every field of that type parses to another type.
        ("enum: [Open, Closed]", "fields: {code: str}"),
        # An enum's first member is a state's start.
        ("[Open, Closed]", "[Closed, Open]"),
        # Another aggregate's event, whose values the read model's scenario holds.
        ("fields: {amount: decimal, price: Price}", "fields: {amount: int, price: Price}"),
        # The domain: the package name every unit's code is named in.
        ("domain: Shop", "domain: Shop Two"),
        # A default of the state: the aggregate's own body.
        ("default: 0}", "default: 1}"),
    ],
)
def test_an_edit_of_what_a_unit_reads_is_seen(tmp_path: Path, old: str, new: str) -> None:
    assert old in _SHOP
    _after(tmp_path, _SHOP, _SHOP.replace(old, new))


def test_a_unit_whose_pickle_names_other_code_is_not_loaded(tmp_path: Path) -> None:
    """A cache file is the user's own, but loading it runs nothing eventforge does not name:
    a unit whose pickle calls a function is analysed again instead."""
    assert _same(_SHOP, tmp_path) == 0
    cache = AnalysisCache.open(tmp_path, _TOOL)
    name = "aggregate Order"
    known = cache.memo.known[name]
    marker = tmp_path / "ran"
    evil = pickle.dumps(_Runs(str(marker)))
    cache.memo.current = dict(cache.memo.known) | {name: Unit(known.reads, evil)}
    cache.save()
    assert _same(_SHOP, tmp_path) == 4
    assert not marker.exists()


class _Runs:
    """Unpickled, it would create a file."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (Path(self.path),))


def test_a_broken_or_foreign_cache_file_is_ignored(tmp_path: Path) -> None:
    assert _same(_SHOP, tmp_path) == 0
    write_cache(tmp_path, ANALYSIS_FILE, b"not marshal")  # signed: unmarshalling is what fails
    assert _same(_SHOP, tmp_path) == 0
    assert AnalysisCache.open(tmp_path, "another eventforge").memo.known == {}


def _view(table: dict[str, Any], where: str = "events") -> tuple[Any, Any]:
    recorder = _Recorder(_Digests())
    return _MapView(table, where, recorder, data=False), recorder


@pytest.mark.parametrize(
    ("read", "noted"),
    [
        (lambda v: v["a"], ("a", 1)),
        (lambda v: v.get("a"), ("a", 1)),
        (lambda v: "a" in v, ("a", 1)),
        (lambda v: v.get("zz"), ("zz", None)),
        (lambda v: "zz" in v, ("zz", None)),
        (lambda v: v.get("zz", 0), ("zz", None)),
        (lambda v: list(v), (KEYS, ("a", "b"))),
        (lambda v: len(v), (KEYS, ("a", "b"))),
        (lambda v: bool(v), (KEYS, ("a", "b"))),
        (lambda v: list(v.keys()), (KEYS, ("a", "b"))),
        (lambda v: list(v.items()), (ITEMS, {"a": 1, "b": 2})),
        (lambda v: list(v.values()), (ITEMS, {"a": 1, "b": 2})),
    ],
)
def test_each_way_of_reading_a_map_is_noted_with_what_it_found(read: Any, noted: Any) -> None:
    view, recorder = _view({"a": 1, "b": 2})
    read(view)
    key, value = noted
    assert list(recorder.reads) == [("events", key)]
    found = recorder.reads[("events", key)]
    assert found == (_ABSENT if value is None else digest(value))
    assert not recorder.spoiled


def test_a_missing_key_read_by_subscript_is_noted_absent() -> None:
    view, recorder = _view({"a": 1})
    with pytest.raises(KeyError):
        view["zz"]
    assert recorder.reads == {("events", "zz"): _ABSENT}


def test_a_unit_s_own_writes_are_replayed_not_inputs() -> None:
    view, recorder = _view({"a": 1})
    view["b"] = 2
    assert view["b"] == 2
    assert recorder.reads == {}
    assert recorder.writes == [("events", "b", 2)]
    list(view)  # the map now holds the unit's own write: a whole read of it is no input
    assert recorder.spoiled


def test_a_map_method_the_view_does_not_map_spoils_the_unit() -> None:
    view, recorder = _view({"a": 1})
    view.setdefault("a", 3)
    assert recorder.spoiled


def test_a_spec_section_read_notes_its_presence_and_each_entry_read() -> None:
    recorder = _Recorder(_Digests())
    data = _MapView({"aggregates": {"A": {"x": 1}}}, "data", recorder, data=True)
    assert data.get("read_models") is None
    assert data["aggregates"]["A"] == {"x": 1}
    assert recorder.reads == {
        ("data", "read_models"): _ABSENT,
        ("data", "aggregates"): digest(_SECTION),
        ("data.aggregates", "A"): digest({"x": 1}),
    }
    assert digest({"x": 1}) != digest({"x": True}) != digest({"x": 1.0})
    assert digest({"x": 1, "y": 2}) != digest({"y": 2, "x": 1})


def test_a_unit_compiles_with_a_memo_of_its_own() -> None:
    """The compiler's memo is shared by a whole clean analysis; a unit that found an expression
    there would skip the reads compiling it makes (a value object's fields), and reuse would not
    know the unit depends on them."""
    from generator.spec.analyze.context import Context
    from generator.spec.analyze.reuse import Recording

    ctx = Context(spec=load_bytes(_SHOP.encode("utf-8"), "eventforge.yaml"), data={})
    ctx.compiled[("x",)] = "x"
    assert Recording(ctx, _Recorder(_Digests())).compiled == {}


def _global(module: str, name: str) -> bytes:
    """A unit's pickle, (result, writes, attributes), whose result is just a name (protocol 4's
    STACK_GLOBAL, which follows dotted paths)."""
    text = [part.encode() for part in (module, name)]
    body = b"".join(b"\x8c" + bytes([len(t)]) + t + b"\x94" for t in text)
    return b"\x80\x04" + body + b"\x93]}\x87."


@pytest.mark.parametrize(
    "blob",
    [
        pickle.dumps((Path("x"), [], {})),  # a class outside the model
        _global("generator.spec.types", "re"),  # a module the model imports
        _global("generator.spec.model", "snake"),  # a function it imports
        _global("generator.spec.model", "Spec.__init__"),  # a dotted path through a class
        _global("generator.spec.types", "re.compile"),  # ... and through a module
    ],
)
def test_a_unit_naming_anything_but_a_model_class_is_not_loaded(blob: bytes) -> None:
    assert len(pickle.loads(blob)) == 3  # what a plain unpickler would hand over
    assert _loaded(blob) is None


def test_a_unit_naming_a_model_class_is_loaded() -> None:
    assert _loaded(pickle.dumps((Spec, [], {}))) == (Spec, [], {})


def test_a_whole_read_before_the_unit_s_writes_stays_its_input() -> None:
    """Read whole, then written: what the unit sees after follows from the first read and its
    own writes, so the unit is kept, with the first read as its input."""
    view, recorder = _view({"a": 1})
    assert list(view) == ["a"]
    view["b"] = 2
    assert list(view) == ["a", "b"]
    assert recorder.reads == {("events", KEYS): digest(("a",))}
    assert not recorder.spoiled


def _write_units(folder: Path, units: dict[str, Any], key: bytes) -> None:
    document = {"format": FORMAT, "tool": _TOOL, "units": units}
    blob = marshal.dumps(document)
    target = folder / ANALYSIS_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(signed(key, ANALYSIS_FILE, blob))


def test_a_cache_file_this_user_s_eventforge_did_not_sign_is_ignored(tmp_path: Path) -> None:
    """What a unit made becomes generated code: a unit that claims to read nothing (so that it
    always holds) and made something else, in a file from elsewhere, must not be trusted."""
    assert _same(_SHOP, tmp_path) == 0
    shelf = AnalysisCache.open(tmp_path, _TOOL).memo.known["aggregate Shelf"]
    forged = {"aggregate Order": ((), shelf.made)}
    _write_units(tmp_path, forged, b"k" * 32)  # another user's key, or a made-up one
    assert AnalysisCache.open(tmp_path, _TOOL).memo.known == {}
    assert _same(_SHOP, tmp_path) == 0
    key = signing_key()
    assert key is not None
    _write_units(tmp_path, forged, key)  # what the check stops: signed, it would be reused
    assert list(AnalysisCache.open(tmp_path, _TOOL).memo.known) == ["aggregate Order"]


@pytest.mark.parametrize(
    "read",
    [("nosuchmap", "x", b"d"), ("events", ["x"], b"d"), ("attr", "spec", b"d"), ("events", "x")],
)
def test_a_signed_file_with_a_read_eventforge_never_notes_is_ignored(
    tmp_path: Path, read: tuple[Any, ...]
) -> None:
    key = signing_key()
    assert key is not None
    _write_units(tmp_path, {"aggregate Order": ((read,), b"")}, key)
    assert AnalysisCache.open(tmp_path, _TOOL).memo.known == {}
    assert _same(_SHOP, tmp_path) == 0


@pytest.mark.parametrize(
    "made",
    [
        (None, [("spec", "x", 1)], {}),  # a write to no map of the Context
        (None, [("events", 1, 1)], {}),  # ... under a key no name has
        (None, [], {"spec": None}),  # an attribute a unit never sets
        (None, [], []),
    ],
)
def test_a_unit_whose_writes_are_not_a_unit_s_is_not_loaded(made: Any) -> None:
    assert _loaded(pickle.dumps(made)) is None


class _BadDecimal:
    def __reduce__(self) -> tuple[Any, ...]:
        return (Decimal, ("x",))


def test_a_unit_that_fails_to_load_is_analysed_again() -> None:
    blob = pickle.dumps((_BadDecimal(), [], {}))
    with pytest.raises(InvalidOperation):
        pickle.loads(blob)  # an ArithmeticError, none of the unpickler's own errors
    assert _loaded(blob) is None


def test_without_a_user_cache_folder_nothing_is_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVENTFORGE_NO_TEMPLATE_CACHE", "1")
    cache = AnalysisCache.open(tmp_path, _TOOL)
    assert cache.memo is None
    assert _analysis(_SHOP, cache.memo) == _analysis(_SHOP, None)
    cache.save()
    assert not (tmp_path / ANALYSIS_FILE).exists()


def test_a_whole_read_of_the_spec_is_checked_like_any_other() -> None:
    from generator.spec.analyze.context import Context
    from generator.spec.analyze.reuse import _current

    loaded = load_bytes(_SHOP.encode("utf-8"), "eventforge.yaml")
    recorder = _Recorder(_Digests())
    assert list(_MapView(loaded.data, "data", recorder, data=True)) == list(loaded.data)
    ((where, key), noted) = recorder.reads.popitem()
    assert _current(Context(spec=loaded, data=loaded.data), where, key, _Digests()) == noted
    other = {**loaded.data, "description": "x"}
    assert _current(Context(spec=loaded, data=other), where, key, _Digests()) != noted

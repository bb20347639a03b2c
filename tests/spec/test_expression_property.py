"""The expression compiler accepts exactly the well-typed expressions (issue 13).

Scopes and expressions come from tests/spec_strategies/: typed_expressions.py (random field types
and the typed grammar), collection_expressions.py (its section-4 forms: conditionals, subscripts,
comprehensions, dict literals and |, map methods, sum/any/all/sorted/round, durations, .date(),
time arithmetic, value objects by keyword), expression_cases.py and collection_cases.py
(expressions that break one typing rule each, ILL_FORMS). Both directions are checked:

- completeness: every well-typed expression compiles, and soundness: every ill-typed one is
  refused with a registered E5xx code and a message;
- whatever compiles gives code that runs and type-checks: each example's scope becomes a module
  (frozen dataclasses for `state`, `command`, `event` and the value objects, StrEnums like the
  generated types.py) with one function per compiled expression, typed with the field's type as
  its return annotation. Each function runs on random values of its parameters and must return a
  value of that type or raise one of DOMAIN_ERRORS; test_the_compiled_code_passes_mypy_strict
  then runs `mypy --strict` once on every module of the run.

CI draws a fixed set of 60 examples (derandomized, no shrinking: about 15 s for the file with its
one mypy run), and checks they reach every ill-typed form (ILL_FORMS) and every well-typed form
(WELL_FORMS); `EVENTFORGE_HYPOTHESIS_PROFILE=long` draws 1000 with fresh randomness and shrinks,
and `EVENTFORGE_HYPOTHESIS_EXAMPLES=expressions=N` sets the number (the variables
tests/end_to_end/test_properties.py reads).

Known holes of the checker (/work/notes/expression-bugs.md) are listed in KNOWN_HOLES: their
ill-typed forms are still drawn and compiled, but not judged; each has a strict xfail below with
a concrete case, which starts passing (and so fails) when the hole is closed. Well-typed forms
the checker got wrong (B10-B15, all fixed) each have a regression test below holding the failing
example.
"""

from __future__ import annotations

import decimal
import importlib
import os
import re
import subprocess
import sys
import tempfile
import types
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from spec_strategies.collection_expressions import WELL_FORMS
from spec_strategies.expression_cases import ILL_FORMS, batches
from spec_strategies.typed_expressions import Batch, Case

from generator.spec.codes import CODES
from generator.spec.expressions import Scope, compile_expression
from generator.spec.types import TypeRef

DURATION = TypeRef("duration")

PROFILE = os.environ.get("EVENTFORGE_HYPOTHESIS_PROFILE", "ci")


def _examples() -> int:
    chosen = dict(
        item.split("=", 1)
        for item in os.environ.get("EVENTFORGE_HYPOTHESIS_EXAMPLES", "").split(",")
        if "=" in item
    )
    return int(chosen.get("expressions", 60 if PROFILE == "ci" else 1000))


# What running a well-typed expression may raise: outcomes of the domain's values, which the
# spec's rules are there to guard against (a zero divisor, a missing map key, an index past the
# end, min/max/sorted of an empty sequence, a date pushed out of range, a decimal quotient too
# long). TypeError, AttributeError, NameError and the rest never are: they mean wrong code.
DOMAIN_ERRORS = (
    ZeroDivisionError,  # decimal.DivisionByZero is one
    decimal.InvalidOperation,
    OverflowError,
    KeyError,
    IndexError,
    ValueError,
)

# Ill-typed forms the checker accepts today (bug notes in /work/notes/expression-bugs.md): drawn
# and compiled, not judged; each needs a strict xfail example in HOLE_EXAMPLES. B1-B9 are fixed.
KNOWN_HOLES: dict[str, str] = {}

# One example of each hole, over HOLE_SCOPE: a strict xfail each while the hole is open, a
# regression test once it is closed (B1-B8, fixed by the issue-13 expression work).
HOLE_EXAMPLES: dict[str, tuple[str, TypeRef]] = {
    "list-literal-operand": ("state.tags - ['a']", TypeRef("list", item=TypeRef("str"))),
    "list-literal-wrong-items": ("['x']", TypeRef("list", item=TypeRef("int"))),
    "arith-optional": ("state.maybe + 1", TypeRef("int")),
    "order-optional": ("state.maybe < 1", TypeRef("bool")),
    "order-unorderable": ("state.stock < state.stock", TypeRef("bool")),
    "eq-unrelated": ("state.count == state.name", TypeRef("bool")),
    "in-scalar": ("1 in state.count", TypeRef("bool")),
    "in-wrong-item": ("state.count in state.tags", TypeRef("bool")),
    "len-scalar": ("len(state.count)", TypeRef("int")),
    "abs-non-number": ("abs(state.name)", TypeRef("str")),
    "minmax-mixed": ("max(command.amount, command.rate)", TypeRef("decimal")),
    "neg-non-number": ("-state.name", TypeRef("str")),
}
HOLE_SCOPE = Scope(
    names={
        "state": {
            "count": TypeRef("int"),
            "maybe": TypeRef("int", optional=True),
            "name": TypeRef("str"),
            "tags": TypeRef("list", item=TypeRef("str")),
            "stock": TypeRef("map", key=TypeRef("str"), item=TypeRef("int")),
        },
        "command": {"amount": TypeRef("decimal"), "rate": TypeRef("float")},
    },
    records={},
    enums={},
)


@pytest.fixture(autouse=True)
def _drawn_without_the_processs_modules(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Hypothesis mixes literals of every local module imported so far into what it draws
    (`providers._get_local_constants`), so the same derandomized examples differed with what
    had run before in the process: the whole suite, or another file of a pytest-xdist worker,
    sometimes drew no case of one form (comp-narrow). Drawn without them, the CI examples are
    the same in every process. (Hypothesis internals: if they move, this does nothing.)"""
    try:
        providers = importlib.import_module("hypothesis.internal.conjecture.providers")
    except ImportError:
        providers = None
    constants = getattr(providers, "Constants", None)
    cache = getattr(providers, "CONSTANTS_CACHE", None)
    if constants is None or cache is None or not hasattr(providers, "_get_local_constants"):
        yield
        return
    none = constants()
    monkeypatch.setattr(providers, "_get_local_constants", lambda: none)
    cache.cache.clear()  # keyed by the kind of choice only: built from the old constants
    yield
    cache.cache.clear()


_MODULES: list[tuple[str, dict[int, str]]] = []  # each example's module and what its lines hold
_OUTCOMES: Counter[str] = Counter()  # what running and judging gave, by kind
_ILL_FORMS_SEEN: set[str] = set()
_WELL_FORMS_SEEN: set[str] = set()

_HEADER = """\
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from uuid import UUID


class clock:  # noqa: N801  (the generated package's clock module, which now() compiles to)
    @staticmethod
    def now() -> datetime:
        return datetime.now(tz=UTC)
"""


def _class_name(context: str) -> str:
    return context.capitalize() + "Fields"


def render(scope: Scope, compiled: list[tuple[Case, str]]) -> tuple[str, dict[int, str]]:
    """The module for one example, and the case each function's `return` line holds."""
    lines = _HEADER.splitlines()
    for enum, values in scope.enums.items():
        lines += ["", "", f"class {enum}(StrEnum):"]
        lines += [f"    {member} = {value!r}" for value, member in values.items()]
    classes = {**scope.records, **{_class_name(c): f for c, f in scope.names.items()}}
    for name, fields in classes.items():
        defaults = getattr(fields, "defaults", frozenset())  # a ValueObject's: None
        lines += ["", "", "@dataclass(frozen=True, kw_only=True)", f"class {name}:"]
        lines += [
            f"    {field}: {typ.python}{' = None' if field in defaults else ''}"
            for field, typ in fields.items()
        ]
    params = ", ".join(f"{c}: {_class_name(c)}" for c in scope.names)
    where: dict[int, str] = {}
    for index, (case, code) in enumerate(compiled):
        lines += ["", "", f"def case_{index}({params}) -> {case.expected.python}:"]
        lines.append(f"    return {code}")
        where[len(lines)] = f"{case.text!r} as {case.expected.spec} ({case.form}) -> {code}"
    return "\n".join(lines) + "\n", where


def describe(scope: Scope) -> str:
    """The scope in spec terms, for failure messages."""
    parts = [f"{c}: {{{', '.join(f'{f}: {t.spec}' for f, t in fs.items())}}}" for c, fs in (
        *scope.names.items(), *scope.records.items())]  # fmt: skip
    parts += [f"{e}: {list(values)}" for e, values in scope.enums.items()]
    return "scope: " + "; ".join(parts)


def _load(text: str) -> dict[str, Any]:
    module = types.ModuleType("expression_property_example")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    try:
        exec(compile(text, "<example>", "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]
    return module.__dict__


def values_of(typ: TypeRef, ns: Mapping[str, Any], scope: Scope) -> st.SearchStrategy[Any]:
    """Random values of a field type, as the generated code holds them."""
    if typ.optional:
        return st.none() | values_of(typ.required(), ns, scope)
    kind = typ.kind
    if kind == "list":
        assert typ.item is not None
        return st.lists(values_of(typ.item, ns, scope), max_size=3).map(tuple)
    if kind == "map":
        assert typ.key is not None and typ.item is not None
        keys, items = values_of(typ.key, ns, scope), values_of(typ.item, ns, scope)
        return st.dictionaries(keys, items, max_size=3)
    if kind == "enum":
        return st.sampled_from(list(ns[typ.name]))
    if kind == "record":
        fields = scope.records[typ.name]
        return st.builds(ns[typ.name], **{f: values_of(t, ns, scope) for f, t in fields.items()})
    return _PRIMITIVE_VALUES[kind]


_PRIMITIVE_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "int": st.integers(-5, 5) | st.integers(-(10**6), 10**6),
    "float": st.sampled_from([0.0, 0.5, -2.0]) | st.floats(-1e6, 1e6, allow_nan=False),
    "decimal": st.decimals(-(10**6), 10**6, places=2, allow_nan=False, allow_infinity=False),
    "str": st.text("abz ", max_size=4),
    "bool": st.booleans(),
    "uuid": st.uuids(),
    "date": st.dates(date(1, 1, 1), date(9999, 12, 31)) | st.dates(date(2000, 1, 1)),
    "datetime": st.datetimes(timezones=st.just(UTC)),
    "duration": st.timedeltas(timedelta(days=-(10**4)), timedelta(days=10**4)),
}


def conforms(value: Any, typ: TypeRef, ns: Mapping[str, Any]) -> bool:
    """Whether `value` is a value of `typ` as generated code holds it (an int is not a Decimal,
    a bool not an int, a datetime not a date)."""
    if value is None:
        return typ.optional
    kind = typ.kind
    if kind == "list":
        assert typ.item is not None
        return isinstance(value, tuple) and all(conforms(v, typ.item, ns) for v in value)
    if kind == "map":
        assert typ.key is not None and typ.item is not None
        key, item = typ.key, typ.item
        return isinstance(value, Mapping) and all(
            conforms(k, key, ns) and conforms(v, item, ns) for k, v in value.items()
        )
    if kind in ("enum", "record"):
        return isinstance(value, ns[typ.name])
    exact = {"int": int, "float": float, "decimal": Decimal, "str": str, "bool": bool}
    exact.update({"uuid": UUID, "date": date, "datetime": datetime, "duration": timedelta})
    return type(value) is exact[kind]


def _contexts(scope: Scope, ns: Mapping[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            c: st.builds(ns[_class_name(c)], **{f: values_of(t, ns, scope) for f, t in fs.items()})
            for c, fs in scope.names.items()
        }
    )


def _judge_refusal(case: Case, scope: Scope) -> bool:
    """Soundness: an ill-typed case is refused with registered E5xx codes and messages. Returns
    whether it was refused (a known hole may be accepted)."""
    result = compile_expression(case.text, scope, expected=case.expected)
    if not result.errors and case.form in KNOWN_HOLES:
        _OUTCOMES[f"hole:{case.form}"] += 1
        return False
    assert result.errors, (
        f"ill-typed ({case.form}) but accepted: {case.text!r} as {case.expected.spec}"
        f" -> {result.code}\n{describe(scope)}"
    )
    for code, message in result.errors:
        assert re.fullmatch(r"E5\d\d", code) and code in CODES and message, (case, code, message)
    return True


def _short(ctx: dict[str, Any]) -> str:
    text = repr(ctx)
    return text if len(text) < 2000 else text[:2000] + "..."


def _run(fn: Any, ctx: dict[str, Any], case: Case, code: str, ns: Mapping[str, Any]) -> None:
    try:
        value = fn(**ctx)
    except DOMAIN_ERRORS as exc:
        _OUTCOMES[type(exc).__name__] += 1
        return
    except Exception as exc:
        raise AssertionError(
            f"{case.text!r} as {case.expected.spec} compiled to {code!r}, which raised"
            f" {exc!r} on {_short(ctx)}"
        ) from None
    _OUTCOMES["value"] += 1
    assert conforms(value, case.expected, ns), (
        f"{case.text!r} as {case.expected.spec} compiled to {code!r}, which gave {value!r}"
        f" ({type(value).__name__}) on {_short(ctx)}"
    )


@settings(
    max_examples=_examples(),
    derandomize=PROFILE == "ci",
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=list(HealthCheck),
    # Shrinking a batch takes minutes: only the long profile shrinks; the messages name the case.
    phases=list(Phase) if PROFILE == "long" else [Phase.explicit, Phase.generate],
)
@given(batch=batches(), data=st.data())
def test_expressions_compile_exactly_when_well_typed_and_run(batch: Batch, data: Any) -> None:
    _check(batch, data)


def _check(batch: Batch, data: Any) -> None:
    compiled: list[tuple[Case, str]] = []
    for case in batch.cases:
        if not case.well_typed:
            _ILL_FORMS_SEEN.add(case.form)
            _judge_refusal(case, batch.scope)
            continue
        _WELL_FORMS_SEEN.update(case.forms)
        result = compile_expression(case.text, batch.scope, expected=case.expected)
        assert not result.errors, (
            f"well-typed ({case.form}) but refused: {case.text!r} as {case.expected.spec}:"
            f" {result.errors}\n{describe(batch.scope)}"
        )
        compiled.append((case, result.code))
    module, where = render(batch.scope, compiled)
    ns = _load(module)
    for _ in range(3):
        ctx = data.draw(_contexts(batch.scope, ns))
        for index, (case, code) in enumerate(compiled):
            _run(ns[f"case_{index}"], ctx, case, code, ns)
    _MODULES.append((module, where))


def _mypy(modules: list[tuple[str, dict[int, str]]]) -> list[str]:
    """`mypy --strict` on the modules, in one run: the errors, each with its case."""
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for index, (module, _) in enumerate(modules):
            path = Path(tmp) / f"example_{index}.py"
            path.write_text(module, encoding="utf-8")
            files.append(path.name)
        typed = subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *files],
            cwd=tmp,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "MYPY_CACHE_DIR": os.devnull},
        )
    errors = []
    for line in typed.stdout.splitlines():
        found = re.match(r"example_(\d+)\.py:(\d+): error: (.*)", line)
        if found:
            _, where = modules[int(found.group(1))]
            case = where.get(int(found.group(2)), "(not a case's line)")
            errors.append(f"{case}\n    {found.group(3)}")
    if typed.returncode and not errors:
        errors.append(typed.stdout + typed.stderr)
    return errors


def test_the_compiled_code_passes_mypy_strict() -> None:
    """Every module the property rendered passes `mypy --strict`, in one run of mypy."""
    if not _MODULES:  # run alone (-k): draw the examples first
        test_expressions_compile_exactly_when_well_typed_and_run()
    errors = _mypy(_MODULES)
    assert not errors, "\n".join(errors)


def _drawn_until_seen(forms: set[str], seen: set[str]) -> None:
    """When some of `forms` is not in `seen`, draw 120 more examples (another fixed seed), each
    checked like the property's; their modules pass mypy --strict too.

    The CI's 60 derandomized examples reach every form when the file runs alone, but in a few
    runs of the whole suite one form (comp-narrow) was missing, for a reason not found; a form
    the grammar cannot reach at all is still missing after these and fails the test."""
    if forms <= seen:
        return
    start = len(_MODULES)

    @settings(
        max_examples=120,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate],
    )
    @given(batch=batches(), data=st.data())
    def more(batch: Batch, data: Any) -> None:
        _check(batch, data)

    more()
    errors = _mypy(_MODULES[start:])
    assert not errors, "\n".join(errors)


@pytest.mark.skipif(PROFILE != "ci" or _examples() < 40, reason="counts the CI examples")
def test_the_ci_examples_reach_every_ill_typed_form() -> None:
    if not _MODULES:
        test_expressions_compile_exactly_when_well_typed_and_run()
    _drawn_until_seen(set(ILL_FORMS), _ILL_FORMS_SEEN)
    assert set(ILL_FORMS) - _ILL_FORMS_SEEN == set()


@pytest.mark.skipif(PROFILE != "ci" or _examples() < 40, reason="counts the CI examples")
def test_the_ci_examples_reach_every_well_typed_form() -> None:
    """Every form of the typed grammar (WELL_FORMS: the section-4 ones too) is in some
    well-typed case the CI examples compiled and ran."""
    if not _MODULES:
        test_expressions_compile_exactly_when_well_typed_and_run()
    _drawn_until_seen(set(WELL_FORMS), _WELL_FORMS_SEEN)
    assert set(WELL_FORMS) - _WELL_FORMS_SEEN == set()
    assert _WELL_FORMS_SEEN - set(WELL_FORMS) == set()  # a form drawn but not listed


@pytest.mark.parametrize("text", ["1 == 2", "'aa' != 'bz'", "[command.amount, 1] == [2]"])
def test_two_different_literals_compared_are_refused(text: str) -> None:
    """B9 (fixed): `1 == 2` used to validate while mypy --strict refuses the comparison of two
    literals that cannot be equal; now it is refused (E504). The grammar does not draw it (_eq)."""
    case = Case(text, TypeRef("bool"), well_typed=True, form="eq")
    result = compile_expression(case.text, HOLE_SCOPE, expected=case.expected)
    assert [code for code, _ in result.errors] == ["E504"]


@pytest.mark.parametrize(
    ("text", "part"),
    [("(-17 if True else None) != (None if False else -2)", "True"),
     ("(3 if not (state.count > 1 and False) else 4) == 5", "False"),
     ("(3 if state.count > 1 or 1 == 1 else 4) == 5", "1 == 1"),
     ("(3 if len([1]) > 0 else 4) == 5", "len([1]) > 0"),
     ("[t for t in state.tags if not 'a']", "'a'")],
)  # fmt: skip
def test_a_condition_with_a_part_that_never_changes_is_refused(text: str, part: str) -> None:
    """B16 (fixed): `(-17 if True else None) != (None if False else -2)` validated, but mypy
    --strict drops the branches a literal condition rules out, reads `-17 != -2` and refuses it
    (as it refuses `-17 == 2`, which validated too). A literal part of a condition is dead code:
    refused (E504), naming the part."""
    result = compile_expression(text, HOLE_SCOPE, expected=TypeRef("bool"))
    assert {code for code, _ in result.errors} == {"E504"}, result
    assert f"never changes ({part})" in result.errors[0][1]


@pytest.mark.parametrize("text", ["-17 == 2", "-(3) != +4", "'a' == -1"])
def test_signed_literals_that_differ_are_refused(text: str) -> None:
    result = compile_expression(text, HOLE_SCOPE, expected=TypeRef("bool"))
    assert [code for code, _ in result.errors] == ["E504"], result


@pytest.mark.parametrize(
    "text",
    ["(3 if state.count > 1 or now() > now() else 4) == 5", "-3 == -3",
     "len([t for t in state.tags if t or state.count]) > 0"],
)  # fmt: skip
def test_a_condition_that_reads_values_is_kept(text: str) -> None:
    """The other side of B16: each part reads the state, a variable or the clock; mypy accepts."""
    case = Case(text, TypeRef("bool"), well_typed=True, form="x")
    result = compile_expression(text, HOLE_SCOPE, expected=case.expected)
    assert result.errors == [], result
    module, _ = render(HOLE_SCOPE, [(case, result.code)])
    assert not _mypy([(module, {})])


@pytest.mark.parametrize(
    "text",
    ["[state.count, 1][3]", "[state.count, 1][0]", "([state.count] + [1])[-1]", "[5][0:-8]",
     "([state.count][:1] if state.count > 0 else [state.count])[0]"],
)  # fmt: skip
def test_a_list_written_out_is_not_indexed_at_a_constant(text: str) -> None:
    """B10 (fixed): `[state.count, 1][3]` validated and compiled to `(state.count, 1)[3]`, which
    mypy --strict refuses ("Tuple index out of range"), and `sum([5][0:-8])` summed what mypy
    types as an empty tuple (Any). mypy knows such a list's items, so the result is known: it is
    refused (E504). A position that is not a number is fine: `[1, 2][state.count]`."""
    typ = TypeRef("list", item=TypeRef("int")) if ":" in text else TypeRef("int")
    result = compile_expression(text, HOLE_SCOPE, expected=typ)
    assert result.errors and {code for code, _ in result.errors} == {"E504"}, result
    assert all("constant position" in message for _, message in result.errors)
    indexed = compile_expression("[1, 2][state.count]", HOLE_SCOPE, expected=TypeRef("int"))
    assert (indexed.errors, indexed.code) == ([], "(1, 2)[state.count]")


def test_the_sum_of_a_map_adds_its_keys() -> None:
    """B11 (fixed): `sum(m)` goes over a map's keys, but the compiled sum started from a zero
    of the values' type: `sum(state.waits)` (map[int, duration]) was
    `sum(state.waits, timedelta())`, a TypeError."""
    scope = Scope(names={"state": {"waits": TypeRef("map", key=TypeRef("int"), item=DURATION)}},
                  records={}, enums={})  # fmt: skip
    case = Case("sum(state.waits)", TypeRef("int"), well_typed=True, form="sum")
    result = compile_expression(case.text, scope, expected=case.expected)
    assert (result.errors, result.code) == ([], "sum(state.waits)")
    ns = _load(render(scope, [(case, result.code)])[0])
    assert ns["case_0"](state=ns["StateFields"](waits={2: timedelta(days=1), 3: timedelta()})) == 5


_MAPS = TypeRef("list", item=TypeRef("map", key=TypeRef("str"), item=TypeRef("int")))
_MAYBE_INTS = TypeRef("list", item=TypeRef("int", optional=True))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[{}, {}][state.count:]", _MAPS),
        ("[{}] + [{}]", _MAPS),
        ("[{} for it in state.tags][1:]", _MAPS),
        ("[{} for it in state.tags] + [{'a': 1}]", _MAPS),
        ("[0 for it in state.tags][:]", _MAYBE_INTS),
        ("[state.count for it in state.tags] + [state.maybe]", _MAYBE_INTS),
        ("{'a': [0 for t in state.tags]}", TypeRef("map", key=TypeRef("str"), item=_MAYBE_INTS)),
        ("{'a': 1} | state.stock", TypeRef("map", key=TypeRef("str"), item=TypeRef("int", optional=True))),
    ],
)  # fmt: skip
def test_a_container_fits_one_of_wider_items(text: str, expected: TypeRef) -> None:
    """B12 and B15 (fixed): a list of empty literals that is no bare literal (`[{}, {}]` sliced,
    `[{}] + [{}]`) was refused for a list[map[str, int]] ("a list[empty map] value does not
    fit"), and a list[int] that is no literal (`[0 for it in state.tags][:]`) for a
    list[int?]: containers fitted only when their items were equal. The compiled tuples are
    covariant in their items and Mappings in their values, so mypy --strict takes them; the
    compiled code runs and type-checks."""
    case = Case(text, expected, well_typed=True, form="x")
    result = compile_expression(text, HOLE_SCOPE, expected=expected)
    assert not result.errors, result.errors
    module, _ = render(HOLE_SCOPE, [(case, result.code)])
    state = _load(module)["StateFields"](
        count=1, maybe=None, name="", tags=("a", "b"), stock={"b": 2}
    )
    command = _load(module)["CommandFields"](amount=Decimal(1), rate=1.0)
    value = _load(module)["case_0"](state=state, command=command)
    assert isinstance(value, tuple | dict) and value
    assert not _mypy([(module, {})])


_STATUS = TypeRef("enum", name="Status")
_STATUS_SCOPE = Scope(
    names={"state": {"tags": TypeRef("list", item=TypeRef("str")), "n": TypeRef("int")}},
    records={},
    enums={"Status": {"open": "OPEN", "paid": "PAID"}},
)


@pytest.mark.parametrize(
    ("text", "expected", "code"),
    [
        ("[{} if it == 'x' else {'paid': 3} for it in state.tags][state.n:]",
         TypeRef("list", item=TypeRef("map", key=_STATUS, item=TypeRef("int", optional=True))),
         "tuple({} if it == 'x' else {Status.PAID: 3} for it in state.tags)[state.n:]"),
        ("[{'paid': 1}] + [{'open': 2}]", TypeRef("list", item=TypeRef("map", key=_STATUS, item=TypeRef("int"))),
         "({Status.PAID: 1}, {Status.OPEN: 2})"),
        ("[1, 2][state.n:]", TypeRef("list", item=TypeRef("decimal")),
         "(Decimal('1'), Decimal('2'))[state.n:]"),
        ("[1] + [state.n]", TypeRef("list", item=TypeRef("decimal")), "(Decimal('1'), Decimal(state.n))"),
        ("[{'paid': 1}][state.n]", TypeRef("map", key=_STATUS, item=TypeRef("int")),
         "({Status.PAID: 1},)[state.n]"),
    ],
)  # fmt: skip
def test_a_slice_sum_or_item_of_lists_takes_the_fields_items(
    text: str, expected: TypeRef, code: str
) -> None:
    """A list sliced or added is written with the field's items, like the list itself: text in
    it becomes the enum member, ints decimals (found by the long profile once B12 was closed:
    `[{'paid': 3} for ...][n:]` for a list[map[Status, int?]] was refused as a list[map[str,
    int]]). The code type-checks."""
    case = Case(text, expected, well_typed=True, form="x")
    result = compile_expression(text, _STATUS_SCOPE, expected=expected)
    assert (result.errors, result.code) == ([], code)
    module, _ = render(_STATUS_SCOPE, [(case, result.code)])
    assert not _mypy([(module, {})])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sorted([state.count])[:]", TypeRef("list", item=TypeRef("decimal"))),
        ("[state.maybe for it in state.tags]", TypeRef("list", item=TypeRef("int"))),
        ("{'a': state.maybe}", TypeRef("map", key=TypeRef("str"), item=TypeRef("int"))),
        ("state.stock", TypeRef("map", key=TypeRef("str"), item=TypeRef("decimal"))),
        ("state.stock", TypeRef("map", key=TypeRef("int"), item=TypeRef("int"))),
        ("[state.tags][state.count:]", TypeRef("list", item=TypeRef("list", item=TypeRef("int")))),
    ],
)  # fmt: skip
def test_a_container_of_other_items_still_does_not_fit(text: str, expected: TypeRef) -> None:
    """The other side of B12/B15: items fit only as they are, so a list of ints that is no
    literal is no list of decimals (nothing converts its items), optional items do not fit
    required ones, a list of text is no list of ints, and a map's keys are what they are
    (a Mapping is invariant in its keys)."""
    result = compile_expression(text, HOLE_SCOPE, expected=expected)
    assert [code for code, _ in result.errors] == ["E504"], result
    assert "does not fit" in result.errors[0][1]


@pytest.mark.parametrize("text", ["[x for x in []]", "[x for x in [{}]]", "{x: 1 for x in [[]]}"])
def test_a_comprehension_over_an_empty_literal_is_refused(text: str) -> None:
    """B13 (fixed): `[x for x in []]` validated and compiled to `tuple(x for x in ())`, which
    mypy --strict refuses ("Need type annotation for x"); now it is refused, like sum([])."""
    expected = TypeRef("list", item=TypeRef("map", key=TypeRef("str"), item=TypeRef("int")))
    result = compile_expression(text, HOLE_SCOPE, expected=expected)
    assert [code for code, _ in result.errors] == ["E504"]
    assert "is made of empty literals" in result.errors[0][1]


def test_a_conditional_on_not_of_a_value_keeps_a_bool_condition() -> None:
    """B14 (fixed): `a if not x else b` compiled to `b if x else a` whatever x: `False if not
    state.tags else True` became `state.tags` (a tuple in a bool field), and a datetime
    condition made mypy type `now() + (b if clock.now() else min(...))` as Any. Now a value
    that is no bool is tested as bool(x) where it must be."""
    cases = [
        Case("False if not state.tags else True", TypeRef("bool"), well_typed=True, form="x"),
        Case(
            "now() + (days(1) if not now() else min(days(2), days(3)))",
            TypeRef("datetime"),
            well_typed=True,
            form="x",
        ),
    ]
    compiled = []
    for case in cases:
        result = compile_expression(case.text, HOLE_SCOPE, expected=case.expected)
        assert not result.errors
        compiled.append((case, result.code))
    module, _ = render(HOLE_SCOPE, compiled)
    ns = _load(module)
    state = ns["StateFields"](count=1, maybe=None, name="", tags=("a",), stock={})
    command = ns["CommandFields"](amount=Decimal(1), rate=1.0)
    assert ns["case_0"](state=state, command=command) is True
    assert compiled[0][1] == "bool(state.tags)"
    assert "if bool(clock.now()) else timedelta(days=1)" in compiled[1][1]
    assert not _mypy([(module, {})])


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1 if (False if state.count > 1 else True) else 2", "2 if state.count > 1 else 1"),
        ("False if (True if not state.tags else False) else True", "bool(state.tags)"),
    ],
)
def test_a_conditional_on_a_conditional_compiles(text: str, code: str) -> None:
    """The inner conditional rewritten to `not ...` is the outer one's test (the long profile
    found the first B14 fix failing an assertion on it)."""
    expected = TypeRef("bool") if text.startswith("False") else TypeRef("int")
    result = compile_expression(text, HOLE_SCOPE, expected=expected)
    assert (result.errors, result.code) == ([], code)


@pytest.mark.parametrize(
    "form",
    [
        pytest.param(f, marks=pytest.mark.xfail(strict=True, reason=KNOWN_HOLES[f]))
        if f in KNOWN_HOLES
        else f
        for f in sorted(HOLE_EXAMPLES)
    ],
)
def test_known_hole_is_refused(form: str) -> None:
    text, expected = HOLE_EXAMPLES[form]
    _judge_refusal(Case(text, expected, well_typed=False, form="example"), HOLE_SCOPE)


def test_every_known_hole_has_an_example() -> None:
    assert set(KNOWN_HOLES) <= set(HOLE_EXAMPLES)


def test_a_comprehension_over_a_list_written_out_goes_over_a_list() -> None:
    """Found by the long profile: `any(6 == it for it in [-16])` compiled to `... for it in
    (-16,)`, over which mypy --strict types `it` as Literal[-16] and refuses `6 == it` as a
    non-overlapping comparison. Over a list, `it` is an int."""
    case = Case("any(6 == it for it in [-16])", TypeRef("bool"), well_typed=True, form="x")
    result = compile_expression(case.text, HOLE_SCOPE, expected=case.expected)
    assert (result.errors, result.code) == ([], "any(6 == it for it in [-16])")
    module, _ = render(HOLE_SCOPE, [(case, result.code)])
    assert not _mypy([(module, {})])

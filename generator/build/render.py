"""Step 5, render: planned files -> source text, through Jinja2 with StrictUndefined.

Templates hold layout; every decision a template needs (quoting, defaults, sample values, names)
is a helper registered here. Spec text reaches Python source only through `py` (repr) or
`docstring`, never raw.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import jinja2

from generator.build.plan import (
    PlannedFile,
    custom_automation_path,
    custom_path,
    read_model_custom_path,
    upcast_path,
)
from generator.build.produced import Rendered
from generator.build.shadow import Spelling
from generator.build.slices import Slices, bytecode_cache, own_context
from generator.evolution.upcast_cases import upcast_cases
from generator.spec import model as m
from generator.spec.names import snake, words
from generator.spec.types import TypeRef
from generator.support.resources import templates_dir

if TYPE_CHECKING:
    from generator.build.cache import RenderCache


def render_all(
    spec: m.Spec,
    files: list[PlannedFile],
    lock: Mapping[str, Any] | None = None,
    cache: RenderCache | None = None,
) -> Mapping[str, str]:
    """Every planned file's text; with `cache`, a file whose key the render cache knows is
    rendered only if its text is asked for (see produced.Rendered)."""
    render, key_of = _renderers(spec, lock, cache)
    if cache is None:
        return {planned.path: render(planned) for planned in files}
    texts: dict[str, str] = {}
    deferred: dict[str, tuple[str, Callable[[], str]]] = {}
    for planned in files:
        key = key_of(planned)
        digest = cache.lookup(planned.path, key) if key else None
        if digest is None:
            texts[planned.path] = render(planned)
        else:
            deferred[planned.path] = (digest, functools.partial(render, planned))
    return Rendered([planned.path for planned in files], texts, deferred)


class _Current:
    """The spec the environment's filters see: the whole spec, or the slice being rendered."""

    def __init__(self, spec: m.Spec) -> None:
        self.spec = spec


def renderer(
    spec: m.Spec, lock: Mapping[str, Any] | None = None, cache: RenderCache | None = None
) -> Callable[[PlannedFile], str]:
    """Renders one planned file at a time, keeping one environment (so each template compiles
    once): mutation analysis renders the same few files again for every mutant.

    A file of one aggregate, or of one read model, is rendered from that aggregate's or read
    model's slice of the spec (see slices.py); with `cache`, what it renders is recorded under a
    key of the slice, the file's own context and eventforge (code, templates), so that the next
    generate knows it (render_all)."""
    return _renderers(spec, lock, cache)[0]


def _renderers(
    spec: m.Spec, lock: Mapping[str, Any] | None = None, cache: RenderCache | None = None
) -> tuple[Callable[[PlannedFile], str], Callable[[PlannedFile], str]]:
    """renderer's function, and one that gives a file's render-cache key ("" if none)."""
    current = _Current(spec)
    env = _environment(current, bytecode_cache(cache.tool) if cache is not None else None)
    shared = {**_shared_context(spec), "upcast_cases": upcast_cases(spec, lock or {})}
    view_imports = _event_imports(spec)
    slices = Slices(spec, _shared_context)

    def key_of(planned: PlannedFile) -> str:
        part = slices.of(planned)
        if part is None or cache is None:
            return ""
        return cache.key(planned.template, planned.origin, part.digest, *own_context(planned))

    def render(planned: PlannedFile) -> str:
        part = slices.of(planned)
        if part is None:
            context = {**shared, **planned.context, "origin": planned.origin}
            if "read_model" in planned.context or "automation" in planned.context:
                context["view_imports"] = view_imports
            return env.get_template(planned.template).render(context)
        key = key_of(planned)
        context = {**part.shared, **planned.context, "origin": planned.origin}
        aggregate = planned.context.get("aggregate")
        if aggregate is not None:
            context.update(_aggregate_context(part.spec, aggregate, planned.context))
        current.spec = part.spec
        try:
            text = env.get_template(planned.template).render(context)
        finally:
            current.spec = spec
        if cache is not None:
            cache.remember(planned.path, key, text)
        return text

    return render, key_of


def _environment(
    current: _Current, bytecode: jinja2.BytecodeCache | None = None
) -> jinja2.Environment:
    env = jinja2.Environment(
        bytecode_cache=bytecode,
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters.update(
        py=py,
        # JSON escapes what TOML's basic strings refuse, except DEL.
        toml=lambda text: json.dumps(str(text), ensure_ascii=False).replace("\x7f", "\\u007f"),
        docstring=docstring,
        docstring_text=_docstring_body,
        comment=comment,
        md=markdown,
        prose=words,
        state_default=lambda field: dataclass_default(
            field.default_code if field.default_code is not None else zero(field.type, current.spec)
        ),
        dataclass_default=dataclass_default,
        custom_path=lambda command: custom_path(current.spec, command),
        custom_automation_path=lambda automation: custom_automation_path(current.spec, automation),
        upcast_path=lambda event: upcast_path(current.spec, event),
        read_model_custom_path=lambda read_model: read_model_custom_path(current.spec, read_model),
        emitted_union=lambda command: " | ".join(command.emitted) or "object",
        emitted_names=lambda command: ", ".join(command.emitted),
        recorded_union=lambda command: " | ".join(
            dict.fromkeys(e.event for g in command.guards for e in g.emits)
        ),
        construct=construct,
        construct_plain=lambda record: (
            f"{record.name}(" + ", ".join(f"{v.attribute}={v.code}" for v in record.values) + ")"
        ),
        state_schema=state_schema,
    )
    env.globals["class_body"] = lambda *groups: ClassBody(
        current.spec, [f for g in groups for f in g]
    )
    env.globals["named_ids"] = named_ids
    return env


def named_ids(*groups: Iterable[Any]) -> list[Any]:
    """The named ids of these scenarios (or timelines), each constant once, in the order first
    used: a test module defines each as a constant at its top."""
    found: dict[str, Any] = {}
    for group in groups:
        for holder in group:
            for named in holder.ids:
                found.setdefault(named.constant, named)
    return list(found.values())


def _types_import(spec: m.Spec) -> str:
    names = [e.name for e in spec.enums] + [r.name for r in spec.records]
    return f"from {spec.package}.types import {', '.join(sorted(names))}" if names else ""


def _shared_context(spec: m.Spec) -> dict[str, Any]:
    return {
        "spec": spec,
        "types_import": _types_import(spec),
        "records_in_order": _records_in_order(spec),
    }


def _event_imports(spec: m.Spec) -> list[tuple[str, list[str]]]:
    """Every event class by aggregate module, for tests that construct events of any aggregate."""
    return [(a.module, [e.name for e in a.events]) for a in spec.aggregates if a.events]


def _aggregate_context(
    spec: m.Spec, aggregate: m.Aggregate, context: Mapping[str, Any]
) -> dict[str, Any]:
    constant = f"{snake(aggregate.name).upper()}_ID"
    if aggregate.id_field.type.kind == "uuid":
        value = 'UUID("00000000-0000-4000-8000-000000000001")'
    else:
        value = py(f"{snake(aggregate.name)}-1")
    found: dict[str, Any] = {
        "stream_constant": constant,
        "stream_value": value,
        "id_field": aggregate.id_field.attribute,
    }
    if context.get("store"):  # its store tests (test_aggregate_store.py.jinja)
        found["event_samples"] = [
            _event_sample(spec, aggregate, e, i) for i, e in enumerate(aggregate.events, start=1)
        ]
        found["store_runs"] = _store_runs(aggregate)
    return found


# -- quoting -----------------------------------------------------------------------------------


def py(value: object) -> str:
    """Any spec text as a Python literal."""
    return repr(value)


def _docstring_body(text: str) -> str:
    text = str(text).strip()
    if text.isascii() and "\\" not in text and _PLAIN.match(text):
        body = text.replace('"""', '\\"\\"\\"')  # the common case, without the loop below
    else:
        body = _escaped(text)
    # A closing quote would run into the closing """, unless a backslash escapes it already
    # (an odd run of backslashes: an even one is escaped backslashes, and the quote is bare).
    before = body[:-1]
    if body.endswith('"') and (len(before) - len(before.rstrip("\\"))) % 2 == 0:
        body = before + '\\"'
    return body


_PLAIN = re.compile(r"[ -~\n\t]*\Z")  # printable ASCII, newlines and tabs


def _escaped(text: str) -> str:
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == "\n" or ch == "\t" or (ch.isprintable() and unicodedata.category(ch) != "Cf"):
            out.append(ch)
        else:
            out.append(f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}")
    return "".join(out).replace('"""', '\\"\\"\\"')


def docstring(text: str, fallback: str = "") -> str:
    """A docstring literal for spec text: quotes, backslashes and control characters escaped."""
    body = _docstring_body(str(text) if str(text).strip() else fallback)
    if not body.endswith((".", "!", "?", ":")) and "\n" not in body:
        body += "."
    return f'"""{body}"""'


def comment(text: str) -> str:
    """Spec text on one comment line."""
    text = str(text)
    if text.isascii() and text.isprintable():
        return text
    return "".join(
        ch if ch.isprintable() and unicodedata.category(ch) != "Cf" else " " for ch in str(text)
    )


def markdown(text: str) -> str:
    # A bare carriage return would read back as a newline, so the file would look hand-edited.
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("<", "&lt;").replace(">", "&gt;")


# -- class bodies ------------------------------------------------------------------------------


class ClassBody:
    """The field lines of one generated dataclass: `attribute: annotation = default`, with the
    names a field could shadow spelled safely (see shadow.py)."""

    def __init__(self, spec: m.Spec, fields: list[m.Field]) -> None:
        self.spec = spec
        self.spelling = Spelling(f.attribute for f in fields)

    def field(self, field: m.Field) -> str:
        """A field with its declared default, if it has one."""
        if field.default_code is None:
            return self.bare(field)
        return self._line(field, dataclass_default(field.default_code))

    def state_field(self, field: m.Field) -> str:
        """A field that always has a default: its declared one, or its type's zero value."""
        code = field.default_code if field.default_code is not None else zero(field.type, self.spec)
        return self._line(field, dataclass_default(code))

    def name(self, name: str) -> str:
        """How this body spells one of the names a field could shadow (`int`, `date`...)."""
        return self.spelling.code(name)

    def bare(self, field: m.Field) -> str:
        return f"{field.attribute}: {self.spelling.code(field.annotation)}"

    def made(self, field: m.Field, factory: str) -> str:
        """A field whose default is made by calling `factory` (a new id)."""
        return self._line(field, f"field(default_factory={factory})")

    def _line(self, field: m.Field, default: str) -> str:
        return f"{self.bare(field)} = {self.spelling.code(default)}"


# -- values ------------------------------------------------------------------------------------

# Calls ruff knows to return immutable values (RUF009 accepts them as dataclass defaults).
_IMMUTABLE_CALLS = ("Decimal", "date", "datetime", "timedelta")


def dataclass_default(code: str) -> str:
    """A field default as it goes into a dataclass: other calls (a value object, a UUID) become
    a default factory, so the class does not share one instance that ruff cannot prove immutable."""
    node = ast.parse(code, mode="eval").body
    if isinstance(node, ast.Dict):  # a map: a dataclass refuses a mutable default
        return (
            "field(default_factory=dict)"
            if not node.keys
            else f"field(default_factory=lambda: {code})"
        )
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id not in _IMMUTABLE_CALLS
    ):
        return f"field(default_factory=lambda: {code})"
    return code


def zero(typ: TypeRef, spec: m.Spec) -> str:
    """The value a state field without a default starts at."""
    if typ.optional:
        return "None"
    simple = {
        "str": '""',
        "int": "0",
        "float": "0.0",
        "decimal": 'Decimal("0")',
        "bool": "False",
        "uuid": "UUID(int=0)",
        "date": "date(1, 1, 1)",
        "datetime": "datetime(1, 1, 1, tzinfo=UTC)",
        "duration": "timedelta(0)",
        "list": "()",
        "map": "{}",
    }
    if typ.kind in simple:
        return simple[typ.kind]
    if typ.kind == "enum":
        enum = next(e for e in spec.enums if e.name == typ.name)
        return f"{enum.name}.{enum.members[0].name}"
    record = next(r for r in spec.records if r.name == typ.name)
    parts = [
        f"{f.attribute}={f.default_code if f.default_code is not None else zero(f.type, spec)}"
        for f in record.fields
    ]
    return f"{record.name}({', '.join(parts)})"


def sample(typ: TypeRef, spec: m.Spec, n: int) -> str:
    """A non-default value of every type, for store round-trip tests."""
    if typ.kind == "list":
        assert typ.item is not None
        return f"({sample(typ.item, spec, n)}, {sample(typ.item, spec, n + 1)})"
    if typ.kind == "map":
        assert typ.key is not None and typ.item is not None
        if typ.key.kind == "enum":  # its first and last members
            members = next(e for e in spec.enums if e.name == typ.key.name).members
            keys = list(
                dict.fromkeys(f"{typ.key.name}.{m.name}" for m in (members[0], members[-1]))
            )
        else:
            keys = [sample(typ.key, spec, n), sample(typ.key, spec, n + 1)]
        return (
            "{"
            + ", ".join(f"{k}: {sample(typ.item, spec, n + i)}" for i, k in enumerate(keys))
            + "}"
        )
    values = {
        "str": py(f'sample {n}: "quoted" \\ {{{{x}}}} ünïcødé'),
        "int": str(1000 + n),
        "float": f"{n}.25",
        "decimal": f'Decimal("{n}.10")',
        "bool": "True",
        "uuid": f'UUID("00000000-0000-4000-8000-{n:012d}")',
        "date": f"date(2024, 2, {1 + n % 28})",
        "datetime": f"datetime(2024, 2, 29, 12, {n % 60}, 30, 123456, tzinfo=UTC)",
        # Negative on odd samples, with hours against the days and microseconds.
        "duration": f"timedelta(days={-n if n % 2 else n}, hours=-{n % 24}, microseconds={n * 7})",
    }
    if typ.kind in values:
        return values[typ.kind]
    if typ.kind == "enum":
        enum = next(e for e in spec.enums if e.name == typ.name)
        return f"{enum.name}.{enum.members[-1].name}"
    record = next(r for r in spec.records if r.name == typ.name)
    return (
        f"{record.name}("
        + ", ".join(
            f"{f.attribute}={sample(f.type, spec, n + i)}" for i, f in enumerate(record.fields)
        )
        + ")"
    )


def state_schema(aggregate: m.Aggregate) -> str:
    """A fingerprint of everything that shapes a state: its fields and every event's updates."""
    parts = [f"{f.name}:{f.type.spec}={f.default_code}" for f in aggregate.state_fields]
    for event in aggregate.events:
        parts.append(f"{event.name}:" + ";".join(f"{u.target}={u.code}" for u in event.updates))
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


def _stream_value(aggregate: m.Aggregate, n: int) -> str:
    if aggregate.id_field.type.kind == "uuid":
        return f'UUID("00000000-0000-4000-8000-{n:012d}")'
    return py(f"{snake(aggregate.name)}-{n}")


def _event_sample(spec: m.Spec, aggregate: m.Aggregate, event: m.Event, n: int) -> str:
    parts = [f"{aggregate.id_field.attribute}={_stream_value(aggregate, n)}"]
    parts += [
        f"{f.attribute}={sample(f.type, spec, n * 10 + i)}" for i, f in enumerate(event.fields)
    ]
    return f"{event.name}({', '.join(parts)})"


def construct(record: m.Record, id_field: str, stream: str) -> str:
    """A scenario record as a constructor call on the scenario's stream."""
    parts = [f"{id_field}={stream}"] + [f"{v.attribute}={v.code}" for v in record.values]
    return f"{record.name}({', '.join(parts)})"


def _store_runs(aggregate: m.Aggregate) -> list[dict[str, Any]]:
    """Scenarios whose command succeeds and is declarative, to replay through the store."""
    runs = []
    # A command that reads beyond its stream is left out: what it reads comes from other streams
    # and read models, which its scenario gives to decide() and this store does not hold.
    left_out = {c.name for c in aggregate.commands if c.custom or c.reads}
    for index, scenario in enumerate(aggregate.scenarios, start=1):
        if scenario.then_error or scenario.when.name in left_out:
            continue
        stream = _stream_value(aggregate, 1000 + index)
        runs.append(
            {
                "name": scenario.name,
                "given": [
                    construct(r, aggregate.id_field.attribute, stream) for r in scenario.given
                ],
                "when": construct(scenario.when, aggregate.id_field.attribute, stream),
                "creates": aggregate.command(scenario.when.name).creates,
            }
        )
    return runs


def _records_in_order(spec: m.Spec) -> list[m.RecordType]:
    """Value types ordered so that each comes after the types its defaults refer to."""
    ordered: list[m.RecordType] = []
    placed: set[str] = set()
    pending = list(spec.records)
    while pending:
        for record in pending:
            needs = {_base(f.type) for f in record.fields} & {r.name for r in spec.records}
            if needs <= placed | {record.name}:
                ordered.append(record)
                placed.add(record.name)
                pending.remove(record)
                break
        else:  # a cycle; validation rejects these, so this is unreachable for a valid spec
            ordered.extend(pending)
            break
    return ordered


def _base(typ: TypeRef) -> str:
    while typ.item is not None:
        typ = typ.item
    return typ.name

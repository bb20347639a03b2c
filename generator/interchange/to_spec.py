"""A board (eventmodelers.Board) as an eventforge spec: a document for yamltext.dump.

Commands with their events go to the aggregate the board names (the element's `aggregate`, else
the slice's, else the context); read models and automations to their sections; specifications
become scenarios (SPEC_EVENT given, SPEC_COMMAND when, SPEC_EVENT / SPEC_ERROR / SPEC_READMODEL
then). What the board does not say becomes a hand-written part: a command whose board shows an
error case, or whose events hold fields its command does not give, is `handler: custom` (its rules
are the board's error cases, to write by hand); read models (the board does not say how an event
changes a row) and automations (nor which values a processor sends) are `handler: custom` too.
Every such decision is a TODO comment in the spec; `eventforge check` lists the stubs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from generator.interchange.eventmodelers import Board, BoardField, Element, Specification, Step
from generator.interchange.naming import (
    TYPES,
    Names,
    example,
    field_name,
    pascal,
    placeholder,
    strip_prefix,
)
from generator.interchange.to_spec_views import automations, read_models, scenarios
from generator.interchange.yamltext import Key

GENERIC_ERRORS = frozenset({"", "error", "errorcase", "error case", "exception", "failure"})


@dataclass
class Imported:
    """The spec document and what the import noticed."""

    document: dict[str, Any]
    notes: list[str] = field(default_factory=list)


@dataclass
class _Aggregate:
    name: str
    id_name: str = ""
    id_type: str = "uuid"
    commands: dict[Key, dict[str, Any]] = field(default_factory=dict)
    events: dict[Key, dict[str, Any]] = field(default_factory=dict)
    errors: dict[Key, str] = field(default_factory=dict)
    scenarios: list[dict[Key, Any]] = field(default_factory=list)


class _Import:
    def __init__(self, board: Board, domain: str, known: dict[tuple[str, str], str]) -> None:
        self.board = board
        self.domain = domain
        self.known = known  # (kind, board id) -> name, from the spec being re-imported onto
        self.notes: list[str] = list(board.notes)
        self.names = Names()
        self.elements = board.elements()
        self.by_title: dict[tuple[str, str], Element] = {}
        for element in self.elements.values():
            self.by_title.setdefault((element.kind, element.title.lower()), element)
        self.types: dict[Key, dict[str, Any]] = {}
        self.aggregates: dict[str, _Aggregate] = {}
        self.owner: dict[str, _Aggregate] = {}  # element id -> its aggregate
        self.name_of: dict[str, str] = {}  # element id -> spec name
        self.field_types: dict[str, dict[str, str]] = {}  # element id -> field -> spec type
        self.external: dict[Key, dict[str, Any]] = {}
        self.shared: dict[str, Any] = {}  # field -> example, of the specification being read

    # -- names -----------------------------------------------------------------------------

    def claim(self, title: str, kind: str, board_id: str, fallback: str) -> str:
        old = self.known.get((kind.replace(" ", "-"), board_id))
        if old and old not in self.names.kinds:
            return self.names.keep(old, kind)
        return self.names.claim(title, kind, fallback)

    def key(self, name: str, kind: str, board_id: str, notes: tuple[str, ...] = ()) -> Key:
        return Key(name, (kind.replace(" ", "-"), board_id) if board_id else None, notes)

    # -- fields ----------------------------------------------------------------------------

    def spec_type(self, f: BoardField, owner: str) -> str:
        base = TYPES.get(f.type.lower())
        if f.type.lower() == "custom":
            if f.subfields:
                base = self.value_object(f, owner)
            else:
                base = "str"
                self.notes.append(
                    f"{owner!r}: the Custom field {f.name!r} has no subfields; read as text"
                )
        elif base is None:
            self.notes.append(
                f"{owner!r}: unknown field type {f.type!r} of {f.name!r}; read as text"
            )
            base = "str"
        if f.list:
            return f"list[{base}]"
        return f"{base}?" if f.optional else base

    def value_object(self, f: BoardField, owner: str) -> str:
        title = f.name[:-1] if f.list and f.name.endswith("s") else f.name
        wanted = pascal(title, "Value")
        for key, definition in self.types.items():
            if str(key).startswith(wanted) and definition["fields"] == self.fields(
                f.subfields, owner
            ):
                return str(key)
        name = self.names.claim(title, "type", "Value")
        self.types[Key(name)] = {"fields": self.fields(f.subfields, owner)}
        return name

    def fields(
        self, board_fields: tuple[BoardField, ...], owner: str, skip: str = ""
    ) -> dict[str, str]:
        out: dict[str, str] = {}
        for f in board_fields:
            name = field_name(f.name)
            if name == skip:
                continue
            if name in out:
                self.notes.append(f"{owner!r}: the field {f.name!r} appears twice; kept once")
                continue
            out[name] = self.spec_type(f, owner)
        return out

    # -- aggregates ------------------------------------------------------------------------

    def aggregate_for(self, element: Element) -> _Aggregate:
        title = element.aggregate
        if not title:
            for link in element.links:
                other = self.elements.get(link.id)
                if other is not None and other.aggregate and other.kind in ("COMMAND", "EVENT"):
                    title = other.aggregate
                    break
        if not title:
            for slice_ in self.board.slices:
                if slice_.title == element.slice and slice_.aggregates:
                    title = next((a for a in slice_.aggregates if a.lower() != "default"), "")
        title = title or element.context or self.domain
        wanted = pascal(title, "Aggregate")
        for aggregate in self.aggregates.values():
            if pascal(aggregate.name, "Aggregate") == wanted:
                return aggregate
        name = self.claim(title, "aggregate", title, "Aggregate")
        self.aggregates[name] = aggregate = _Aggregate(name)
        return aggregate

    def choose_ids(self) -> None:
        """Each aggregate's id: the field its commands and events mark as the id, the one most
        of them use (with the type most of them give it); else `<aggregate>_id`."""
        counts: dict[str, Counter[tuple[str, str]]] = {}
        for element in self.elements.values():
            aggregate = self.owner.get(element.id)
            if aggregate is None:
                continue
            for f in element.fields:
                if f.id_attribute and not f.list:
                    kind = TYPES.get(f.type.lower(), "str")
                    counts.setdefault(aggregate.name, Counter())[(field_name(f.name), kind)] += 1
        for aggregate in self.aggregates.values():
            found = counts.get(aggregate.name)
            if not found:
                aggregate.id_name = field_name(f"{aggregate.name}Id")
                continue
            names: Counter[str] = Counter()
            for (name, _), n in found.items():
                names[name] += n
            aggregate.id_name = names.most_common(1)[0][0]
            kinds = Counter({k: n for (name, k), n in found.items() if name == aggregate.id_name})
            kind = kinds.most_common(1)[0][0]
            aggregate.id_type = kind if kind in ("uuid", "str") else "str"
            if len(kinds) > 1:
                self.notes.append(
                    f"aggregate {aggregate.name}: its id {aggregate.id_name} has the types "
                    f"{', '.join(sorted(kinds))} on the board; {aggregate.id_type} is used"
                )

    # -- the walk --------------------------------------------------------------------------

    def run(self) -> Imported:
        commands = [e for e in self.elements.values() if e.kind == "COMMAND"]
        # Events in the order their commands emit them, then the rest in the board's order: the
        # order an export writes them in, so that import, export, import is a fixed point.
        events: list[Element] = []
        for command in commands:
            for link in command.links:
                event = self.elements.get(link.id)
                if (
                    link.element_type == "EVENT"
                    and not link.inbound
                    and event is not None
                    and event.kind == "EVENT"
                    and event not in events
                ):
                    events.append(event)
        events += [e for e in self.elements.values() if e.kind == "EVENT" and e not in events]
        for element in [*commands, *events]:
            if element.kind == "EVENT" and element.external and not self.emitted_by(element):
                continue
            self.owner[element.id] = self.aggregate_for(element)
        self.choose_ids()
        for element in events:
            self.add_event(element)
        for element in commands:
            self.add_command(element)
        views = read_models(self)
        policies = automations(self)
        scenarios(self, views, policies)
        self.notes.extend(self.names.notes)
        return Imported(_document(self, views, policies), self.notes)

    def emitted_by(self, event: Element) -> list[Element]:
        found = []
        for command in self.elements.values():
            if command.kind == "COMMAND" and event in self.linked(command, "EVENT", inbound=False):
                found.append(command)
        return found

    def linked(self, element: Element, kind: str, inbound: bool) -> list[Element]:
        found: list[Element] = []
        for link in element.links:
            if link.inbound != inbound or link.element_type != kind:
                continue
            other = self.elements.get(link.id) or self.by_title.get((kind, link.title.lower()))
            if other is None:
                self.notes.append(
                    f"{element.title!r}: its link to the {kind.lower()} {link.title!r} leads to "
                    "nothing on the board; skipped"
                )
            elif other not in found:
                found.append(other)
        return found

    def add_event(self, element: Element) -> None:
        name = self.claim(
            element.title,
            "event" if element.id in self.owner else "external event",
            element.id,
            "Event",
        )
        self.name_of[element.id] = name
        aggregate = self.owner.get(element.id)
        skip = aggregate.id_name if aggregate else ""
        fields = self.fields(element.fields, element.title, skip)
        self.field_types[element.id] = fields
        body: dict[str, Any] = {}
        if element.description:
            body["description"] = element.description
        body["fields"] = fields
        if aggregate is None:
            self.external[self.key(name, "external event", element.id)] = body
        else:
            aggregate.events[self.key(name, "event", element.id)] = body

    def add_command(self, element: Element) -> None:
        aggregate = self.owner[element.id]
        name = self.claim(element.title, "command", element.id, "Command")
        self.name_of[element.id] = name
        fields = self.fields(element.fields, element.title, aggregate.id_name)
        self.field_types[element.id] = fields
        emits: list[str] = []
        todo: list[str] = []
        for event in self.linked(element, "EVENT", inbound=False):
            if self.owner.get(event.id) is not aggregate:
                self.notes.append(
                    f"command {element.title!r}: the event {event.title!r} is not of its "
                    f"aggregate {aggregate.name}; not emitted"
                )
                continue
            emits.append(self.name_of[event.id])
            for f, kind in self.field_types[event.id].items():
                if fields.get(f) != kind:
                    todo.append(f"{self.name_of[event.id]}.{f} is not given by the command")
        errors = self.errors_of(element, aggregate)
        if errors:
            todo.append(
                "the board shows error cases (" + ", ".join(errors) + ") but not their rules"
            )
        body: dict[str, Any] = {}
        if element.description:
            body["description"] = element.description
        expected = {e for spec in self.specs_of(element) for e in self.expected_errors(spec)}
        refused = any(
            spec.given and set(self.expected_errors(spec)) - {"StreamExists", "StreamNotFound"}
            for spec in self.specs_of(element)
        )  # a creating command refusing an existing stream by a rule the board does not say
        if "StreamExists" in expected or (element.creates and not refused):
            body["creates"] = True
        elif "StreamNotFound" not in expected:
            body["creates"] = "if-missing"
        if todo:
            body["handler"] = "custom"
        body["fields"] = fields
        body["emits"] = emits
        notes = (f"write decide() by hand: {'; '.join(todo)}",) if todo else ()
        aggregate.commands[self.key(name, "command", element.id, notes)] = body

    def errors_of(self, command: Element, aggregate: _Aggregate) -> list[str]:
        names = []
        for spec in self.specs_of(command):
            for step in spec.then:
                if step.type == "SPEC_ERROR":
                    name = self.error(spec, step, aggregate)
                    if name not in ("StreamNotFound", "StreamExists"):
                        names.append(name)
        return names

    def error(self, spec: Specification, step: Step, aggregate: _Aggregate) -> str:
        builtin = pascal(step.title, "")
        if builtin in ("StreamNotFound", "StreamExists"):
            return builtin
        generic = step.title.lower().replace("-", " ").replace("_", " ").strip() in GENERIC_ERRORS
        title = spec.title if generic else step.title
        board_id = step.id or spec.id
        for key in aggregate.errors:
            if key.board == ("error", board_id):
                return str(key)
        name = self.claim(title, "error", board_id, "Rejected")
        message = strip_prefix((step.title if not generic else "") or spec.title)
        words = message[0].upper() + message[1:] if message else name
        aggregate.errors[self.key(name, "error", board_id)] = words.rstrip(".") + "."
        return name

    def expected_errors(self, spec: Specification) -> list[str]:
        return [pascal(s.title, "") for s in spec.then if s.type == "SPEC_ERROR"]

    def specs_of(self, command: Element) -> list[Specification]:
        found = []
        for slice_ in self.board.slices:
            for spec in slice_.specifications:
                when = [s for s in spec.when if s.type == "SPEC_COMMAND"]
                if when and self.step_element(when[0], "COMMAND") is command:
                    found.append(spec)
        return found

    def step_element(self, step: Step, kind: str) -> Element | None:
        element = self.elements.get(step.linked_id)
        if element is not None and element.kind == kind:
            return element
        return self.by_title.get((kind, step.title.lower()))

    def record(self, step: Step, types: dict[str, str], skip: str = "") -> dict[str, Any]:
        return record(self, step, types, skip)


# -- values ----------------------------------------------------------------------------


def record(run: _Import, step: Step, types: dict[str, str], skip: str = "") -> dict[str, Any]:
    """A step's field values: the board's example where it fits the type, else the example
    another step of the specification gives a field of that name, else a placeholder (the same
    for the same field name), so that a value copied from the command matches."""
    values = {field_name(k): v for k, v in step.values.items()}
    out: dict[str, Any] = {}
    for name, kind in types.items():
        if name == skip:
            continue
        ok, value = example(values.get(name), kind)
        if not ok:  # the example another step of the specification gives this field
            ok, value = example(run.shared.get(name), kind)
        out[name] = value if ok else _placeholder(run, name, kind)
    return out


def _placeholder(run: _Import, name: str, kind: str) -> Any:
    value = placeholder(name, kind)
    if value is None and not kind.endswith("?") and not kind.startswith("list["):
        definition = run.types.get(Key(kind))
        if definition is not None:
            return {k: _placeholder(run, k, t) for k, t in definition["fields"].items()}
    return value


# -- the document ----------------------------------------------------------------------


def _document(
    run: _Import, read_models: dict[Key, Any], automations: dict[Key, Any]
) -> dict[str, Any]:
    document: dict[str, Any] = {"eventforge": 1, "domain": run.domain}
    if not run.domain.isascii():  # the package name is the domain's, in ASCII
        document["package"] = field_name(run.domain)
    if run.types:
        document["types"] = run.types
    aggregates: dict[str, Any] = {}
    for aggregate in run.aggregates.values():
        body: dict[str, Any] = {}
        if aggregate.id_type == "uuid":
            body["id"] = aggregate.id_name
        else:
            body["id"] = {"name": aggregate.id_name, "type": aggregate.id_type}
        if aggregate.errors:
            body["errors"] = aggregate.errors
        body["events"] = aggregate.events
        body["commands"] = aggregate.commands
        if aggregate.scenarios:
            body["scenarios"] = aggregate.scenarios
        aggregates[aggregate.name] = body
    document["aggregates"] = aggregates
    if run.external:
        document["external_events"] = run.external
    if read_models:
        document["read_models"] = read_models
    if automations:
        document["automations"] = automations
    return document


def board_to_spec(
    board: Board, domain: str, known: dict[tuple[str, str], str] | None = None
) -> Imported:
    return _Import(board, domain, known or {}).run()

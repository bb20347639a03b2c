"""The typed, immutable intermediate model: the only thing templates ever see.

Everything here is validated: names are identifiers, `code` strings are Python compiled from the
spec's allowed expression subset or from literal values, never raw spec text.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.spec.names import attribute, snake
from generator.spec.types import TypeRef


@dataclass(frozen=True, kw_only=True)
class Field:
    name: str
    type: TypeRef
    default_code: str | None = None  # a Python literal, when the field has a default
    description: str = ""

    @property
    def attribute(self) -> str:
        """The name in generated Python (`from_` for `from`); payloads and JSON use `name`."""
        return attribute(self.name)

    @property
    def annotation(self) -> str:
        return self.type.python


@dataclass(frozen=True, kw_only=True)
class EnumMember:
    name: str
    value: str


@dataclass(frozen=True, kw_only=True)
class EnumType:
    name: str
    description: str
    members: tuple[EnumMember, ...]


@dataclass(frozen=True, kw_only=True)
class RecordType:
    name: str
    description: str
    fields: tuple[Field, ...]


@dataclass(frozen=True, kw_only=True)
class Assignment:
    """`target = code` inside a generated constructor call (or, in an upcast step, a JSON key)."""

    target: str  # the spec's name
    code: str

    @property
    def attribute(self) -> str:
        """The target's name in generated Python, as a keyword argument."""
        return attribute(self.target)


@dataclass(frozen=True, kw_only=True)
class ErrorDef:
    name: str
    message: str


@dataclass(frozen=True, kw_only=True)
class Upcast:
    """How a stored payload of `from_version` becomes the next version (on JSON data)."""

    from_version: int
    custom: bool
    renames: tuple[tuple[str, str], ...] = ()
    adds: tuple[Assignment, ...] = ()  # code evaluates to the JSON form of the value
    removes: tuple[str, ...] = ()

    @property
    def method(self) -> str:
        return f"upcast_v{self.from_version}_v{self.from_version + 1}"

    @property
    def function(self) -> str:
        return f"v{self.from_version}_to_v{self.from_version + 1}"


@dataclass(frozen=True, kw_only=True)
class Event:
    name: str
    aggregate: str
    description: str
    fields: tuple[Field, ...]  # without the aggregate's id field
    updates: tuple[Assignment, ...]  # how evolve changes state
    version: int
    topic: str
    upcasts: tuple[Upcast, ...] = ()

    @property
    def module(self) -> str:
        return snake(self.name)

    @property
    def custom_upcasts(self) -> tuple[Upcast, ...]:
        return tuple(u for u in self.upcasts if u.custom)


@dataclass(frozen=True, kw_only=True)
class Emit:
    event: str
    values: tuple[Assignment, ...]  # every field of the event, id field included
    condition: str | None = None  # compiled Python of its `if:`; None: always emitted
    source: str = ""  # the spec's text of its `if:`
    # A custom command's entry with a mapping gets a helper that builds the event with it; the
    # fields the spec does not map are the helper's keyword arguments.
    builds: bool = False
    open_fields: tuple[Field, ...] = ()
    nth: int = 1  # which mapped entry of its event in the command: the second gets its own helper

    @property
    def helper(self) -> str:
        """The name of a custom command's helper that builds this event (`build_booked`, and
        `build_booked_2` for a second mapped entry of Booked)."""
        suffix = f"_{self.nth}" if self.nth > 1 else ""
        return f"build_{snake(self.event)}{suffix}"


@dataclass(frozen=True, kw_only=True)
class Guard:
    condition: str  # compiled Python
    source: str  # the spec's text, shown in comments and docs
    error: str = ""  # the error it raises, or
    emits: tuple[Emit, ...] = ()  # the events it records instead (then the decision stops)


# The errors every stream may fail with, by their names in scenarios, with the runtime's class.
BUILT_IN_ERRORS = {"StreamExists": "StreamExistsError", "StreamNotFound": "StreamNotFoundError"}


@dataclass(frozen=True, kw_only=True)
class Read:
    """An input from outside the stream, read before deciding and passed to decide() by name."""

    name: str  # the keyword argument
    kind: str  # "row" (by key), "rows" (by equal fields), "state" (by id), "states" (by ids)
    source: str  # the read model or the aggregate
    source_module: str  # the read model's module, or the aggregate's
    annotation: str  # its Python type
    key: str = ""  # compiled Python over command and state: the key, the id or the ids
    where: tuple[Assignment, ...] = ()  # for "rows": field = compiled Python
    row_class: str = ""  # the row's class, or the state's


@dataclass(frozen=True, kw_only=True)
class Command:
    name: str
    module: str
    aggregate: str
    description: str
    creates: bool  # `creates: true`: new streams only
    custom: bool
    fields: tuple[Field, ...]  # without the aggregate's id field
    guards: tuple[Guard, ...]
    emits: tuple[Emit, ...]
    if_missing: bool = False  # `creates: if-missing`: a new stream or an existing one
    reads: tuple[Read, ...] = ()

    @property
    def needs_stream(self) -> bool:
        """Whether the command runs on existing streams only (neither `creates` form)."""
        return not (self.creates or self.if_missing)

    @property
    def checks(self) -> bool:
        """Whether a custom command's decide() comes after generated checks: its stream's (both
        `creates` forms but `if-missing` have one) and its rules."""
        return bool(self.guards) or not self.if_missing

    @property
    def emitted(self) -> tuple[str, ...]:
        """Every event the command may emit, its rules' included, in order and once each."""
        names = [e.event for e in self.emits] + [e.event for g in self.guards for e in g.emits]
        return tuple(dict.fromkeys(names))

    @property
    def chooses(self) -> bool:
        """Whether an `emits` entry has an `if:`, so decide() builds its list step by step."""
        return any(e.condition is not None for e in self.emits)

    @property
    def records(self) -> bool:
        """Whether a rule records events instead of raising (`rejects: - {if, emits}`)."""
        return any(g.emits for g in self.guards)


@dataclass(frozen=True, kw_only=True)
class Record:
    """A value written in a scenario: a class name and its keyword arguments as code."""

    name: str
    values: tuple[Assignment, ...]


@dataclass(frozen=True, kw_only=True)
class NamedId:
    """A named id of a scenario or timeline (`cart-1`): the constant the generated test defines
    for it ("" for a text id, which is written as itself) and its value as code."""

    name: str
    constant: str
    code: str


@dataclass(frozen=True, kw_only=True)
class Elsewhere:
    """Given events of another aggregate's streams, which the command reads."""

    aggregate: str
    aggregate_module: str
    events: tuple[Record, ...]  # id field included


@dataclass(frozen=True, kw_only=True)
class Scenario:
    name: str
    test_name: str
    description: str
    given: tuple[Record, ...]
    when: Record
    then_events: tuple[Record, ...] | None
    then_state: tuple[Assignment, ...]
    then_error: str | None
    reads: tuple[Record, ...] = ()  # rows and states the command's reads find (`reads:`)
    ids: tuple[NamedId, ...] = ()  # the named ids it defines as constants
    elsewhere: tuple[Elsewhere, ...] = ()  # given events of other aggregates, by aggregate
    at: str | None = None  # `at:`, the time now() reads (Python source), or the real clock

    @property
    def is_custom(self) -> bool:
        return False

    @property
    def error_class(self) -> str:
        """The expected error as the generated test names it (built-in ones are the runtime's)."""
        error = self.then_error or ""
        built_in = BUILT_IN_ERRORS.get(error)
        return f"runtime.{built_in}" if built_in else error


@dataclass(frozen=True, kw_only=True)
class Aggregate:
    name: str
    module: str
    description: str
    id_field: Field
    state_fields: tuple[Field, ...]
    errors: tuple[ErrorDef, ...]
    events: tuple[Event, ...]
    commands: tuple[Command, ...]
    scenarios: tuple[Scenario, ...]

    @property
    def state_class(self) -> str:
        return f"{self.name}State"

    def command(self, name: str) -> Command:
        return next(c for c in self.commands if c.name == name)

    def scenarios_for(self, command: str) -> tuple[Scenario, ...]:
        return tuple(s for s in self.scenarios if s.when.name == command)


@dataclass(frozen=True, kw_only=True)
class RowUpdate:
    """What one event does to a read model: set fields of its row (creating it), delete its row,
    or delete every row whose fields equal `delete_where`; only when `condition` holds."""

    event: str
    aggregate_module: str  # where the event class lives
    delete: bool
    sets: tuple[Assignment, ...]
    condition: str = ""  # `if:`, as code over `event`; empty: always
    delete_where: tuple[Assignment, ...] = ()  # field = code over `event`; non-empty: by fields

    @property
    def keyed(self) -> bool:
        """True when the event updates (or deletes) the row of its key."""
        return not self.delete_where


@dataclass(frozen=True, kw_only=True)
class ViewScenario:
    """A read-model or automation scenario: given events (with their streams), then rows or commands."""

    name: str
    test_name: str
    description: str
    given: tuple[Record, ...]
    then: tuple[Record, ...]
    at: str | None = None  # `at:`, the time now() reads (Python source), or the real clock
    ids: tuple[NamedId, ...] = ()  # the named ids it defines as constants


@dataclass(frozen=True, kw_only=True)
class ReadModel:
    name: str
    module: str
    description: str
    keys: tuple[Field, ...]  # the fields making a row's key, in order (one or several)
    fields: tuple[Field, ...]  # without the key fields
    updates: tuple[RowUpdate, ...]
    index: tuple[str, ...] = ()  # fields rows are also looked up by
    custom: bool = False  # `handler: custom`: update() is written by hand
    scenarios: tuple[ViewScenario, ...] = ()

    @property
    def row_class(self) -> str:
        return f"{self.name}Row"

    @property
    def row_fields(self) -> tuple[Field, ...]:
        return (*self.keys, *self.fields)

    @property
    def key_names(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.keys)

    @property
    def index_attributes(self) -> tuple[str, ...]:
        return tuple(attribute(i) for i in self.index)

    @property
    def key_annotation(self) -> str:
        """The Python type of a key tuple."""
        return f"tuple[{', '.join(k.annotation for k in self.keys)}]"

    @property
    def handled_events(self) -> tuple[str, ...]:
        return tuple(u.event for u in self.updates)

    @property
    def deletes_where(self) -> bool:
        return any(u.delete_where for u in self.updates)

    def row_after(self, update: RowUpdate) -> tuple[tuple[str, str], ...]:
        """Each row field's attribute and its value after `update`, in field order: the code it
        sets, or the field of the row before (`row.<attribute>`)."""
        sets = {a.attribute: a.code for a in update.sets}
        return tuple(
            (f.attribute, sets.get(f.attribute, f"row.{f.attribute}")) for f in self.row_fields
        )


@dataclass(frozen=True, kw_only=True)
class Send:
    """One entry of an automation's `send:`: a command, its fields as code over `event` (and the
    reads, and the `for:` variable), sent when `condition` holds, once per item with `for:`."""

    command: str
    aggregate_module: str  # where the command lives
    module: str  # the command's module
    values: tuple[Assignment, ...]  # keyword arguments of the command
    condition: str | None = None  # compiled Python of the entry's `if:`
    source: str = ""  # the spec's text of that `if:`
    target: str = ""  # `for: item in items`: the variable, or "" (sent once)
    items: str = ""  # the compiled list it goes over


@dataclass(frozen=True, kw_only=True)
class Listened:
    """An event an automation listens to: an aggregate's event, an external event, or the
    rejection of a command (`on: {rejected: C}`: the event class is `CRejected`)."""

    name: str  # the class
    module: str  # the module it is imported from, below the package (`account.events`)
    rejected: str = ""  # the rejected command, for a rejection


@dataclass(frozen=True, kw_only=True)
class RejectedCommand:
    """The event an automation sees when a command another automation sent was rejected: the
    command's fields (its id field included) plus `error` and `message`."""

    command: str
    fields: tuple[Field, ...]

    @property
    def name(self) -> str:
        return f"{self.command}Rejected"


@dataclass(frozen=True, kw_only=True)
class Automation:
    name: str
    module: str
    description: str
    listens: tuple[Listened, ...]  # `on:`, one event or several
    sends: tuple[Send, ...]  # `send:`, in order
    condition: str | None = None  # compiled Python of `if:` over `event` and the reads
    source: str = ""  # the spec's text of `if:`
    reads: tuple[Read, ...] = ()
    custom: bool = False  # `handler: custom`: send() is hand-written
    scenarios: tuple[ViewScenario, ...] = ()

    @property
    def events(self) -> tuple[str, ...]:
        """The event classes it listens to."""
        return tuple(e.name for e in self.listens)

    @property
    def commands(self) -> tuple[str, ...]:
        """The commands it may send, once each, in order."""
        return tuple(dict.fromkeys(s.command for s in self.sends))

    @property
    def rejected(self) -> tuple[str, ...]:
        """The commands whose rejection it listens to."""
        return tuple(e.rejected for e in self.listens if e.rejected)

    @property
    def simple(self) -> bool:
        """One command, always sent once: send() returns a list of one."""
        return self.condition is None and all(
            s.condition is None and not s.target for s in self.sends
        )


@dataclass(frozen=True, kw_only=True)
class Step:
    """One step of a timeline: a command, then what it must have done. `at` (Python source) is
    the time `now()` reads from this step on, until a later step sets another."""

    command: Record  # id field included
    aggregate: str
    then_events: tuple[Record, ...] | None = None
    then_error: str | None = None
    error_class: str = ""  # as the generated test names it
    then_state: tuple[Assignment, ...] = ()
    rows: tuple[tuple[str, tuple[Record, ...]], ...] = ()  # read model -> expected rows
    sent: tuple[Record, ...] | None = None  # the commands automations sent after it
    at: str | None = None  # `at:`, the time now() reads from this step on


@dataclass(frozen=True, kw_only=True)
class Timeline:
    """A story of several steps on the real application (`timelines:`): one generated test."""

    name: str
    test_name: str
    description: str
    given: tuple[Record, ...]  # events of any aggregate, id fields included
    steps: tuple[Step, ...]
    ids: tuple[NamedId, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Spec:
    domain: str
    package: str
    description: str
    spec_file: str  # file name of the spec, relative to the output directory when possible
    enums: tuple[EnumType, ...]
    records: tuple[RecordType, ...]
    aggregates: tuple[Aggregate, ...]
    read_models: tuple[ReadModel, ...]
    automations: tuple[Automation, ...]
    timelines: tuple[Timeline, ...] = ()
    external_events: tuple[Event, ...] = ()  # `external_events:` (their aggregate is "")
    rejected_commands: tuple[RejectedCommand, ...] = ()  # listened to by automations

    @property
    def app_class(self) -> str:
        return f"{self.domain_class}Application"

    @property
    def domain_class(self) -> str:
        return "".join(part[:1].upper() + part[1:] for part in self.package.split("_"))

    @property
    def has_types(self) -> bool:
        return bool(self.enums or self.records)

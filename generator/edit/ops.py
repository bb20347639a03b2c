"""The spec edits that add things to the round-trip tree, and what every edit shares.

Each operation takes an `Editing` (the tree, and where the original text put each node) and
returns a `Change` (removals and renames are in refs.py). Whether the result is a valid spec is not decided here: the caller validates
the edited text with the usual validator before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NoReturn

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from generator.edit.entries import Trees
from generator.edit.yaml_roundtrip import (
    append_entry,
    append_item,
    block,
    insert_entry,
    item_node,
    node,
    scalar,
)
from generator.spec.diagnostics import Diagnostic, SpecError, listing
from generator.spec.load import LoadedSpec, PathKey, path_text
from generator.spec.names import snake
from generator.spec.pieces import PIECED  # the blocks whose entries EntryTrees gives one by one

TOP_ORDER = ("eventforge", "domain", "package", "description", "types", "aggregates")
AGGREGATE_ORDER = ("description", "id", "state", "errors", "events", "commands", "scenarios")
SECTION_OF = {"error": "errors", "event": "events", "command": "commands"}
TOP_SECTION = {"aggregate": "aggregates", "read-model": "read_models", "automation": "automations"}
FIELDS_ORDER = ("description", "key", "creates", "handler", "version", "fields")
VIEW_ORDER = ("description", "key", "fields", "on", "send", "scenarios")
KINDS = ("aggregate", "command", "event", "error", "type", "read-model", "automation")


@dataclass
class Change:
    summary: str
    changed: list[str] = field(default_factory=list)  # spec paths, like aggregates.Account.events
    notes: list[str] = field(default_factory=list)


@dataclass
class Editing:
    trees: Trees  # the whole document's tree, or only the entries the edit asks for (entries.py)
    loaded: LoadedSpec  # the spec before the edit: what it declares, and positions for messages

    @property
    def tree(self) -> CommentedMap:
        """The whole document's tree (an edit that asks for it runs on the whole document)."""
        return self.trees.whole()

    def fail(self, code: str, message: str, path: PathKey, *, hint: str = "") -> NoReturn:
        line, column = self.loaded.where(path, key=True)
        raise SpecError(
            [
                Diagnostic(
                    code=code,
                    message=message,
                    file=self.loaded.file,
                    line=line,
                    column=column,
                    path=path_text(path),
                    hint=hint,
                )
            ]
        )

    # -- finding things --------------------------------------------------------------------

    def top(self, key: str) -> Any:
        """The value of the top-level `key` (not a pieced block); None when there is none."""
        root = self.trees.top(key)
        return root.get(key) if root is not None else None

    def entries(self, block: str, mentioning: str) -> Iterator[tuple[str, CommentedMap]]:
        """The entries of `block` (a mapping of named bodies) that may refer to `mentioning`:
        every one that does is among them (entries.py opens only those that spell it)."""
        return self.trees.entries(block, mentioning)

    def declared(self) -> dict[str, PathKey]:
        """Every PascalCase name the spec declares, with where it is declared: read from the
        spec as loaded, not from the tree, so that an edit of one entry need not parse the
        others (every operation asks before it changes anything)."""
        data = self.loaded.data
        names: dict[str, PathKey] = {}
        for section in ("types", "aggregates", "read_models", "automations"):
            for name in _mapping(data.get(section)):
                names[str(name)] = (section, str(name))
        for aggregate, body in self._loaded_aggregates().items():
            for section in ("errors", "events", "commands"):
                for name in body.get(section) or {}:
                    names[str(name)] = ("aggregates", aggregate, section, str(name))
        return names

    def _loaded_aggregates(self) -> dict[str, dict[str, Any]]:
        """The aggregates with a body, as loaded."""
        found = _mapping(self.loaded.data.get("aggregates"))
        return {str(k): v for k, v in found.items() if isinstance(v, dict)}

    def locate(self, kind: str, name: str) -> PathKey:
        """Where `name` of this kind is declared; E901 when it is not."""
        path = self.declared().get(name)
        expected = {**TOP_SECTION, "type": "types", **SECTION_OF}[kind]
        if path is None or path[-2] != expected:
            known = sorted(n for n, p in self.declared().items() if p[-2] == expected)
            self.fail(
                "E901",
                f"the spec declares no {kind.replace('-', ' ')} {name!r}",
                (expected,),
                hint=f"declared: {listing(known, name)}"
                if known
                else f"the spec has no {expected}",
            )
        return path

    def container(self, path: PathKey) -> CommentedMap:
        """The mapping that holds the node at `path` (a path `declared` gave)."""
        if len(path) >= 2 and path[0] in PIECED and isinstance(path[1], str):
            current: Any = self.trees.block(path[0], path[1])
            rest = path[1:-1]
        else:
            top = self.trees.top(str(path[0])) if path and path[0] not in PIECED else None
            current, rest = top if top is not None else self.tree, path[:-1]
        for key in rest:
            current = current[key]
        assert isinstance(current, CommentedMap)
        return current

    def root_of(self, key: str, order: tuple[str, ...]) -> CommentedMap:
        """A root that holds the top-level `key`, or where it goes when the spec has none yet
        (after the last key of `order` before it)."""
        root = self.trees.top(key)
        return root if root is not None else self.trees.beside(key, order[: order.index(key)])

    def require_new(self, name: str) -> None:
        existing = self.declared().get(name)
        if existing is not None:
            self.fail(
                "E302",
                f"{name} is declared already, at {path_text(existing)}; names are unique across kinds",
                existing,
                hint="choose another name, or rename the existing one with `eventforge rename`",
            )

    def aggregate(self, name: str) -> CommentedMap:
        aggregates = self.trees.block("aggregates", name)
        if aggregates is not None and aggregates[name] is None:
            aggregates[name] = CommentedMap()  # `Name:` with nothing under it yet
        body = aggregates.get(name) if aggregates is not None else None
        if not isinstance(body, CommentedMap):
            known = listing(list(self._loaded_aggregates()), name) or "none yet"
            self.fail(
                "E901",
                f"the spec declares no aggregate {name!r}",
                ("aggregates",),
                hint=f"aggregates: {known}",
            )
        return body


def section(parent: CommentedMap, key: str, order: tuple[str, ...]) -> CommentedMap:
    """The mapping under `key`, created in its usual place when missing."""
    value = parent.get(key)
    if isinstance(value, CommentedMap):
        if not value and value.fa.flow_style():
            value.fa.set_block_style()
        return value
    created = CommentedMap()
    if key in parent:
        parent[key] = created
    else:
        insert_entry(
            parent, key, created, after=order[: order.index(key)] if key in order else order
        )
    return created


def sequence(parent: CommentedMap, key: str, order: tuple[str, ...]) -> CommentedSeq:
    value = parent.get(key)
    if isinstance(value, CommentedSeq):
        return value
    created = CommentedSeq()
    if key in parent:
        parent[key] = created
    else:
        insert_entry(parent, key, created, after=order[: order.index(key)])
    return created


def _fields_node(fields: dict[str, Any]) -> Any:
    """`{a: str, b: decimal}` in flow style when short and simple, else one field per line."""
    simple = all(isinstance(v, str) for v in fields.values())
    width = sum(len(k) + len(str(v)) + 4 for k, v in fields.items())
    if simple and width <= 60:
        return node(fields, flow=True)
    return block(fields)


def _mapping(value: Any) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


# -- add ---------------------------------------------------------------------------------------


def add_aggregate(
    editing: Editing, *, name: str, id_field: str | None, state: dict[str, Any], description: str
) -> Change:
    editing.require_new(name)
    body = CommentedMap()
    if description:
        body["description"] = scalar(description, flow=False)
    body["id"] = _id_node(id_field or f"{snake(name)}_id")
    if state:
        body["state"] = _fields_node(state)
    aggregates = section(editing.trees.tail("aggregates"), "aggregates", TOP_ORDER)
    append_entry(aggregates, name, body)
    return Change(f"added aggregate {name}", [f"aggregates.{name}"])


def _id_node(text: str) -> Any:
    name, _, type_text = text.partition(":")
    if type_text:
        return node({"name": name.strip(), "type": type_text.strip()}, flow=True)
    return scalar(name.strip(), flow=False)


def add_error(editing: Editing, *, aggregate: str, name: str, message: str) -> Change:
    body = editing.aggregate(aggregate)
    editing.require_new(name)
    errors = section(body, "errors", AGGREGATE_ORDER)
    append_entry(errors, name, scalar(message or name, flow=errors.fa.flow_style()))
    return Change(f"added error {name} to {aggregate}", [f"aggregates.{aggregate}.errors.{name}"])


def add_event(
    editing: Editing,
    *,
    aggregate: str,
    name: str,
    fields: dict[str, Any],
    apply: dict[str, Any],
    description: str,
) -> Change:
    body = editing.aggregate(aggregate)
    editing.require_new(name)
    event = CommentedMap()
    if description:
        event["description"] = scalar(description, flow=False)
    event["fields"] = _fields_node(fields)
    if apply:
        event["apply"] = node(apply, flow=True)
    append_entry(section(body, "events", AGGREGATE_ORDER), name, event)
    return Change(f"added event {name} to {aggregate}", [f"aggregates.{aggregate}.events.{name}"])


def add_command(
    editing: Editing,
    *,
    aggregate: str,
    name: str,
    fields: dict[str, Any],
    emits: list[str | dict[str, Any]],
    rejects: list[dict[str, str]],
    creates: bool | str,
    custom: bool,
    description: str,
) -> Change:
    body = editing.aggregate(aggregate)
    editing.require_new(name)
    command = CommentedMap()
    if description:
        command["description"] = scalar(description, flow=False)
    if creates:
        command["creates"] = creates  # true, or "if-missing"
    if custom:
        command["handler"] = "custom"
    if fields:
        command["fields"] = _fields_node(fields)
    if rejects:
        command["rejects"] = CommentedSeq([block(r) for r in rejects])
    if all(isinstance(e, str) for e in emits):
        command["emits"] = node(emits, flow=True)
    else:
        command["emits"] = CommentedSeq([e if isinstance(e, str) else block(e) for e in emits])
    append_entry(section(body, "commands", AGGREGATE_ORDER), name, command)
    return Change(
        f"added command {name} to {aggregate}", [f"aggregates.{aggregate}.commands.{name}"]
    )


def add_field(editing: Editing, *, owner: str, fields: dict[str, Any]) -> Change:
    """Fields of an aggregate's state, a command, an event, a value object or a read model."""
    path = field_owner(editing, owner)
    parent = editing.container(path)[path[-1]]
    key = "state" if path[0] == "aggregates" and len(path) == 2 else "fields"
    target = section(parent, key, AGGREGATE_ORDER if key == "state" else FIELDS_ORDER)
    for name, value in fields.items():
        if name in target:
            editing.fail("E302", f"{owner} has a field {name!r} already", (*path, key, name))
        flow = target.fa.flow_style()
        append_entry(
            target,
            name,
            node(value, flow=True) if not isinstance(value, str) else scalar(value, flow=flow),
        )
    where = path_text((*path, key))
    return Change(f"added {', '.join(fields)} to {owner}", [f"{where}.{n}" for n in fields])


def field_owner(editing: Editing, owner: str) -> PathKey:
    path = editing.declared().get(owner)
    if path is None or path[-2] not in ("aggregates", "commands", "events", "types", "read_models"):
        editing.fail(
            "E901",
            f"{owner!r} is not an aggregate, command, event, value object or read model of the spec",
            (),
            hint="fields belong to an aggregate (its state), a command, an event, a type or a read model",
        )
    return path


def add_scenario(
    editing: Editing,
    *,
    owner: str,
    scenario: dict[str, Any],
) -> Change:
    """`scenario` is plain data: {name, description?, at?, given?, when?, then}."""
    path = editing.declared().get(owner)
    if path is None or path[-2] not in ("aggregates", "read_models", "automations"):
        editing.fail(
            "E901",
            f"{owner!r} is not an aggregate, read model or automation of the spec",
            (),
            hint="scenarios belong to the aggregate of the command, or to a read model or automation",
        )
    body = editing.container(path)[path[-1]]
    order = AGGREGATE_ORDER if path[0] == "aggregates" else VIEW_ORDER
    append_item(sequence(body, "scenarios", order), _scenario_node(scenario))
    index = len(body["scenarios"]) - 1
    return Change(
        f"added scenario {scenario['name']!r} to {owner}",
        [f"{path_text(path)}.scenarios[{index}]"],
    )


def _scenario_node(scenario: dict[str, Any]) -> CommentedMap:
    out = CommentedMap()
    out["name"] = scalar(str(scenario["name"]), flow=False)
    if scenario.get("description"):
        out["description"] = scalar(str(scenario["description"]), flow=False)
    if scenario.get("at"):
        out["at"] = scalar(str(scenario["at"]), flow=False)
    if scenario.get("given"):
        out["given"] = CommentedSeq([block(r) for r in scenario["given"]])
    if "when" in scenario:
        out["when"] = block(scenario["when"])
    then = scenario["then"]
    if isinstance(then, list):
        out["then"] = records_node(then) if then else node([], flow=True)
    else:
        out["then"] = CommentedMap()
        for key, value in then.items():
            out["then"][key] = (
                records_node(value)
                if key == "events"
                else node(value, flow=True)
                if isinstance(value, dict)
                else scalar(str(value), flow=False)
            )
    return out


def records_node(items: list[Any]) -> CommentedSeq:
    return CommentedSeq([block(i) if _is_record(i) else node(i, flow=True) for i in items])


def _is_record(item: Any) -> bool:
    return isinstance(item, dict) and len(item) == 1 and str(next(iter(item)))[:1].isupper()


def add_read_model(
    editing: Editing,
    *,
    name: str,
    key: str | list[str],
    fields: dict[str, Any],
    on: dict[str, Any] | list[str],
    description: str,
    index: list[str] | None = None,
    custom: bool = False,
) -> Change:
    editing.require_new(name)
    body = CommentedMap()
    if description:
        body["description"] = scalar(description, flow=False)
    body["key"] = node(key, flow=True) if isinstance(key, list) else scalar(key, flow=False)
    body["fields"] = _fields_node(fields)
    if index:
        body["index"] = node(index, flow=True)
    if custom:
        body["handler"] = scalar("custom", flow=False)
    if isinstance(on, list):
        body["on"] = node(on, flow=True)
    else:
        body["on"] = CommentedMap()
        for event, handler in on.items():
            body["on"][event] = (
                node(handler, flow=True)
                if isinstance(handler, dict)
                else scalar(str(handler), flow=False)
            )
    root = editing.trees.tail("read_models")
    append_entry(section(root, "read_models", (*TOP_ORDER, "read_models")), name, body)
    return Change(f"added read model {name}", [f"read_models.{name}"])


def add_automation(
    editing: Editing,
    *,
    name: str,
    on: Any,
    send: list[dict[str, Any]],
    description: str,
    condition: str | None = None,
    reads: dict[str, Any] | None = None,
    custom: bool = False,
) -> Change:
    editing.require_new(name)
    body = CommentedMap()
    if description:
        body["description"] = scalar(description, flow=False)
    body["on"] = scalar(on, flow=False) if isinstance(on, str) else item_node(on)
    if condition:
        body["if"] = scalar(condition, flow=False)
    if custom:
        body["handler"] = "custom"
    if reads:
        body["reads"] = block(reads)
    simple = len(send) == 1 and not set(send[0]) & {"for", "if"}
    body["send"] = block(send[0]) if simple else CommentedSeq([block(entry) for entry in send])
    order = (*TOP_ORDER, "read_models", "automations")
    append_entry(section(editing.root_of("automations", order), "automations", order), name, body)
    return Change(f"added automation {name}", [f"automations.{name}"])

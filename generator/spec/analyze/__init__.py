"""Step 2b and 3, validate the meaning and build the model.

One pass over the (shape-checked) data does both: each check that passes contributes a piece of
the immutable model, each that fails adds a located diagnostic. When any error was found the model
is discarded, so templates only ever see a fully valid spec.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from generator.spec import model as m
from generator.spec.diagnostics import Diagnostic, Level, has_errors
from generator.spec.expressions import Scope, compile_expression, widen
from generator.spec.load import LoadedSpec, PathKey, path_text
from generator.spec.names import (
    PACKAGE_MODULES,
    PASCAL,
    PROJECT_NAMES,
    RESERVED_CLASSES,
    RESERVED_FIELDS,
    RESERVED_MODULES,
    SNAKE,
    TAKEN_PACKAGES,
    enum_members,
    is_keyword,
    past_tense,
    snake,
    test_name,
)
from generator.spec.types import TypeRef, TypeSyntaxError, parse_type
from generator.spec.values import ValueMismatch, render_value

_KINDS = {
    "types": "type",
    "aggregates": "aggregate",
    "read_models": "read model",
    "automations": "automation",
}


def analyze(spec: LoadedSpec) -> tuple[m.Spec | None, list[Diagnostic]]:
    analyzer = _Analyzer(spec)
    result = analyzer.run()
    diagnostics = analyzer.diagnostics
    return (None if has_errors(diagnostics) else result), diagnostics


# A name not preceded by a dot, and the attribute after it if any: `state . closed` too.
_REFERENCE = re.compile(r"(?<![\w.])([^\W\d]\w*)(\s*\.\s*([^\W\d]\w*))?")


class _Analyzer:
    def __init__(self, spec: LoadedSpec) -> None:
        self.spec = spec
        self.data = spec.data
        self.diagnostics: list[Diagnostic] = []
        self.declared: dict[str, tuple[str, PathKey]] = {}  # PascalCase name -> (kind, path)
        self.enum_values: dict[str, dict[str, str]] = {}
        self.record_fields: dict[str, tuple[m.Field, ...]] = {}
        self.record_types: dict[str, dict[str, TypeRef]] = {}
        self.events: dict[str, m.Event] = {}
        self.event_aggregate: dict[str, str] = {}
        self.commands: dict[str, m.Command] = {}
        self.aggregates: dict[str, m.Aggregate] = {}
        self.id_fields: dict[str, m.Field] = {}
        self.package = ""
        # Fields whose declaration was reported (bad name or type), by the name declaring them,
        # so that uses of them are not reported again as missing.
        self.failed_fields: dict[str, set[str]] = {}
        self._aggregate_modules: dict[str, list[str]] | None = None  # package folder -> names
        self._compiled: dict[tuple[Any, ...], str] = {}  # see _expression

    # -- reporting -------------------------------------------------------------------------

    def error(
        self,
        code: str,
        message: str,
        path: PathKey,
        *,
        key: bool = False,
        hint: str = "",
        level: Level = Level.ERROR,
    ) -> None:
        line, column = self.spec.where(path, key=key)
        self.diagnostics.append(
            Diagnostic(
                code=code,
                message=message,
                file=self.spec.file,
                line=line,
                column=column,
                path=path_text(path),
                hint=hint,
                level=level,
            )
        )

    # -- the whole spec --------------------------------------------------------------------

    def run(self) -> m.Spec | None:
        domain = str(self.data["domain"])
        package = self._package(domain)
        self.package = package
        self._declare_names()
        enums, records = self._types()
        for name, body in self.data["aggregates"].items():
            self._aggregate_shell(name, body or {})
        for name, body in self.data["aggregates"].items():
            aggregate = self._aggregate(name, body or {})
            if aggregate is not None:
                self.aggregates[name] = aggregate
        read_models = tuple(
            self._read_model(name, body)
            for name, body in (self.data.get("read_models") or {}).items()
        )
        automations = tuple(
            self._automation(name, body)
            for name, body in (self.data.get("automations") or {}).items()
        )
        if has_errors(self.diagnostics):
            return None
        return m.Spec(
            domain=domain,
            package=package,
            description=str(self.data.get("description") or ""),
            spec_file=Path(self.spec.file).name,
            enums=enums,
            records=records,
            aggregates=tuple(self.aggregates.values()),
            read_models=tuple(r for r in read_models if r is not None),
            automations=tuple(a for a in automations if a is not None),
        )

    def _package(self, domain: str) -> str:
        if "package" in self.data:
            package = str(self.data["package"])
            path: PathKey = ("package",)
        else:
            package = snake("".join(ch for ch in domain.title() if ch.isalnum()))
            path = ("domain",)
        if not SNAKE.match(package):
            self.error(
                "E300",
                f"the package name {package!r} is not a valid snake_case import name",
                path,
                hint="set `package:` to a name like `bank` or `order_desk`",
            )
        elif is_keyword(package):
            self.error("E301", f"the package name {package!r} is a Python keyword", path)
        elif package in PROJECT_NAMES:
            self.error(
                "E301",
                f"the package name {package!r} is taken by the generated project itself (its "
                "`tests/` folder and `conftest.py`); imports of the package would find those",
                path,
                hint="set `package:` to a name of your own, like `bank` or `order_desk`",
            )
        elif package in TAKEN_PACKAGES:
            self.error(
                "E301",
                f"the package name {package!r} is a module the generated code imports (from "
                "Python or a dependency); the package would hide it",
                path,
                hint="set `package:` to a name of your own, like `bank` or `order_desk`",
            )
        return package

    def _declare_names(self) -> None:
        """Every PascalCase name, across kinds, must be valid and unique."""
        for section, kind in _KINDS.items():
            for name in self.data.get(section) or {}:
                self._declare(name, kind, (section, name))
        for agg_name, body in self.data["aggregates"].items():
            body = body or {}
            for section, kind in (
                ("errors", "error"),
                ("events", "event"),
                ("commands", "command"),
            ):
                for name in body.get(section) or {}:
                    self._declare(name, kind, ("aggregates", agg_name, section, name))
        generated = {f"{a}State": ("aggregates", a) for a in self.data["aggregates"]}
        generated.update({f"{a}Error": ("aggregates", a) for a in self.data["aggregates"]})
        generated.update({f"{a}Event": ("aggregates", a) for a in self.data["aggregates"]})
        app_class = "".join(p[:1].upper() + p[1:] for p in self.package.split("_")) + "Application"
        if app_class in self.declared:
            kind, where = self.declared[app_class]
            self.error(
                "E303",
                f"the {kind} name {app_class!r} collides with the application class eventforge "
                f"generates for the package {self.package!r}",
                where,
                key=True,
            )
        generated.update(
            {f"{r}Row": ("read_models", r) for r in self.data.get("read_models") or {}}
        )
        for section in ("read_models", "automations"):
            modules: dict[str, str] = {}
            for item in self.data.get(section) or {}:
                if snake(item) in modules:
                    self.error(
                        "E303",
                        f"{modules[snake(item)]!r} and {item!r} would share the module "
                        f"{snake(item)!r}",
                        (section, item),
                        key=True,
                    )
                modules[snake(item)] = item
        for name, path in generated.items():
            if name in self.declared:
                kind, where = self.declared[name]
                self.error(
                    "E303",
                    f"the {kind} name {name!r} collides with the class eventforge generates "
                    f"for aggregate {path[1]!r}",
                    where,
                    key=True,
                )

    def _declare(self, name: str, kind: str, path: PathKey) -> None:
        if not PASCAL.match(name):
            self.error(
                "E300",
                f"the {kind} name {name!r} must be PascalCase (like DepositMoney)",
                path,
                key=True,
            )
            return
        if is_keyword(name) or name in ("None", "True", "False") or name in RESERVED_CLASSES:
            self.error("E301", f"the {kind} name {name!r} is reserved", path, key=True)
            return
        if kind in ("aggregate", "command", "read model", "automation") and is_keyword(snake(name)):
            self.error(
                "E301",
                f"the {kind} name {name!r} would get the module name {snake(name)!r}, "
                "a Python keyword",
                path,
                key=True,
            )
            return
        if name in self.declared:
            first_kind, first_path = self.declared[name]
            line = self.spec.where(first_path, key=True)[0]
            self.error(
                "E302",
                f"{name!r} is declared as {_a(kind)} and as {_a(first_kind)} (line {line}); "
                "names are unique across the spec",
                path,
                key=True,
            )
            return
        self.declared[name] = (kind, path)

    # -- shared types ----------------------------------------------------------------------

    def _types(self) -> tuple[tuple[m.EnumType, ...], tuple[m.RecordType, ...]]:
        types = self.data.get("types") or {}
        for name, body in types.items():
            body = body or {}
            has_enum, has_fields = "enum" in body, "fields" in body
            if has_enum == has_fields:
                self.error(
                    "E411",
                    f"type {name!r} needs exactly one of `enum:` or `fields:`",
                    ("types", name),
                    key=True,
                )
                continue
            if has_enum:
                values = [str(v) if not isinstance(v, str) else v for v in body["enum"]]
                for index, value in enumerate(body["enum"]):
                    if not isinstance(value, str):
                        self.error(
                            "E200",
                            f"enum values are strings; quote {value!r}",
                            ("types", name, "enum", index),
                        )
                self.enum_values[name] = dict(zip(values, enum_members(values), strict=True))
            else:
                self.record_types[name] = {}
        # Record fields may refer to any type, so parse them once all names are known, and each
        # record after the records it uses, so that a record-typed default finds their fields.
        records: dict[str, m.RecordType] = {}
        for name in self._record_order(types):
            body = types[name]
            fields = self._fields(
                body.get("fields") or {}, ("types", name, "fields"), owner=f"type {name}"
            )
            self.record_fields[name] = fields
            self.record_types[name] = {f.name: f.type for f in fields}
            description = str(body.get("description") or "")
            records[name] = m.RecordType(name=name, description=description, fields=fields)
        self._check_cycles()
        enums = tuple(
            m.EnumType(
                name=name,
                description=str((types[name] or {}).get("description") or ""),
                members=tuple(
                    m.EnumMember(name=member, value=value) for value, member in members.items()
                ),
            )
            for name, members in self.enum_values.items()
        )
        return enums, tuple(records[name] for name in self.record_types)

    def _record_order(self, types: Mapping[str, Any]) -> list[str]:
        """Record names, each after the records its field types mention (any order in a cycle)."""
        order: list[str] = []

        def visit(name: str, trail: tuple[str, ...]) -> None:
            if name in order or name in trail:
                return
            for spec in ((types[name] or {}).get("fields") or {}).values():
                text = spec.get("type") if isinstance(spec, dict) else spec
                for word in str(text).replace("[", " ").replace("]", " ").replace("?", " ").split():
                    if word in self.record_types:
                        visit(word, (*trail, name))
            order.append(name)

        for name in self.record_types:
            visit(name, ())
        return order

    def _check_cycles(self) -> None:
        def refs(name: str) -> set[str]:
            found: set[str] = set()
            for typ in self.record_types[name].values():
                while typ.kind == "list" and typ.item is not None:
                    typ = typ.item
                if typ.kind == "record":
                    found.add(typ.name)
            return found

        for start in self.record_types:
            stack, seen = [(start, [start])], set()
            while stack:
                current, trail = stack.pop()
                for nxt in sorted(refs(current)):
                    if nxt == start:
                        cycle = " -> ".join([*trail, start])
                        self.error(
                            "E405",
                            f"value types refer to each other in a cycle: {cycle}",
                            ("types", start),
                            key=True,
                        )
                        stack = []
                        break
                    if nxt not in seen:
                        seen.add(nxt)
                        stack.append((nxt, [*trail, nxt]))

    # -- fields ----------------------------------------------------------------------------

    def _type(self, text: Any, path: PathKey) -> TypeRef | None:
        if not isinstance(text, str):
            self.error(
                "E200", f"a type must be a string like 'decimal' or 'list[str]', not {text!r}", path
            )
            return None
        try:
            return parse_type(text, set(self.enum_values), set(self.record_types))
        except TypeSyntaxError:
            self.error(
                "E411",
                f"{text!r} is not a type (write str, int, list[T], T?, or a name from types:)",
                path,
            )
        except KeyError as exc:
            known = ", ".join(
                [
                    *(["str", "int", "float", "decimal", "bool", "uuid", "date", "datetime"]),
                    *self.enum_values,
                    *self.record_types,
                ]
            )
            self.error("E400", f"unknown type {exc.args[0]!r} (known: {known})", path)
        return None

    def _fields(
        self, raw: Mapping[str, Any], path: PathKey, *, owner: str, reserved: tuple[str, ...] = ()
    ) -> tuple[m.Field, ...]:
        fields: list[m.Field] = []
        for name, spec in raw.items():
            field = self._field(name, spec, (*path, name), owner=owner, reserved=reserved)
            if field is not None:
                fields.append(field)
            else:
                self.failed_fields.setdefault(str(path[-2]), set()).add(name)
        return tuple(fields)

    def _field(
        self, name: str, spec: Any, path: PathKey, *, owner: str, reserved: tuple[str, ...] = ()
    ) -> m.Field | None:
        ok = self._field_name(name, path, owner=owner, reserved=reserved)
        if isinstance(spec, dict):
            typ = self._type(spec.get("type"), (*path, "type"))
            if typ is not None and spec.get("optional") and not typ.optional:
                typ = TypeRef(typ.kind, typ.name, typ.item, optional=True)
            description = str(spec.get("description") or "")
        else:
            typ = self._type(spec, path)
            description = ""
        if typ is None or not ok:
            return None
        default_code: str | None = None
        if isinstance(spec, dict) and "default" in spec:
            default_code = self._value(
                spec["default"], typ, (*path, "default"), what=f"the default of {name!r}"
            )
            if default_code is None:
                return None
        elif typ.optional:
            default_code = "None"
        return m.Field(name=name, type=typ, default_code=default_code, description=description)

    def _field_name(
        self, name: str, path: PathKey, *, owner: str, reserved: tuple[str, ...] = ()
    ) -> bool:
        if not SNAKE.match(name):
            self.error(
                "E300", f"the field name {name!r} in {owner} must be snake_case", path, key=True
            )
            return False
        if is_keyword(name):
            self.error(
                "E301", f"the field name {name!r} in {owner} is a Python keyword", path, key=True
            )
            return False
        if name in RESERVED_FIELDS or name in reserved:
            why = (
                "is the aggregate's id field, which is implicit"
                if name in reserved
                else "is reserved by the generated runtime"
            )
            if name in reserved and owner.startswith("read model"):
                why = "is the read model's key, which is implicit"
            code = "E410" if name in reserved else "E301"
            self.error(code, f"the field name {name!r} in {owner} {why}", path, key=True)
            return False
        return True

    def _value(self, value: Any, typ: TypeRef, path: PathKey, *, what: str) -> str | None:
        try:
            return render_value(value, typ, self.enum_values, self.record_fields)
        except ValueMismatch as exc:
            self.error("E408", f"{what}: {exc.message}", (*path, *exc.path))
            return None

    def _assign(
        self, value: Any, typ: TypeRef, scope: Scope, path: PathKey, *, what: str
    ) -> str | None:
        """A value where a literal or an `= expression` may stand."""
        if isinstance(value, str) and value.startswith("="):
            return self._expression(value[1:], scope, path, expected=typ, what=what)
        return self._value(value, typ, path, what=what)

    def _expression(
        self, text: str, scope: Scope, path: PathKey, *, expected: TypeRef | None, what: str
    ) -> str | None:
        # The same guard or rule is often written many times (each command of an aggregate
        # checks `state.closed`): compile it once per text and the types it refers to. The key
        # holds each `name.attribute` the text may use with that attribute's type (None when
        # there is no such attribute), and all of a name's fields when it is used bare;
        # identifiers are NFKC-normalised, as Python does. So the key covers everything the
        # code depends on, and the same guard in a hundred commands compiles once.
        normal = unicodedata.normalize("NFKC", text)
        used: dict[str, set[str] | None] = {}
        for found in _REFERENCE.finditer(normal):
            name, attribute = found[1], found[3]
            if name not in scope.names:
                continue
            attributes = used.setdefault(name, set())
            if attributes is not None:
                if attribute is None:
                    used[name] = None  # the name itself: every field may matter
                else:
                    attributes.add(attribute)
        seen = tuple(
            (
                name,
                tuple(sorted(scope.names[name].items()))
                if attributes is None
                else tuple((a, scope.names[name].get(a)) for a in sorted(attributes)),
            )
            for name, attributes in sorted(used.items())
        )
        key = (text, expected, seen, id(scope.records), id(scope.enums))
        known = self._compiled.get(key)
        if known is not None:
            return known
        compiled = compile_expression(text, scope, expected=expected)
        for code, message in compiled.errors:
            self.error(code, f"{what}: {message}", path)
        if compiled.errors:
            return None
        self._compiled[key] = compiled.code
        return compiled.code

    # -- aggregates ------------------------------------------------------------------------

    def _aggregate_shell(self, name: str, body: Mapping[str, Any]) -> None:
        """The id field, needed before any aggregate's events can be referenced."""
        raw = body.get("id", snake(name) + "_id")
        path: PathKey = ("aggregates", name, "id")
        id_name, id_type = (
            (raw, "uuid") if isinstance(raw, str) else (raw.get("name"), raw.get("type", "uuid"))
        )
        if (
            not isinstance(id_name, str)
            or not SNAKE.match(id_name)
            or is_keyword(id_name)
            or id_name in RESERVED_FIELDS
        ):
            self.error(
                "E410",
                f"the id field name {id_name!r} of {name} must be a snake_case name "
                "that is not reserved",
                (*path, "name") if isinstance(raw, dict) else path,
            )
            id_name = snake(name) + "_id"
        if id_type not in ("uuid", "str"):
            self.error(
                "E410",
                f"the id of {name} must have type uuid or str, not {id_type!r}",
                (*path, "type"),
            )
            id_type = "uuid"
        self.id_fields[name] = m.Field(name=id_name, type=TypeRef(id_type))
        for event in body.get("events") or {}:
            self.event_aggregate[event] = name

    def _aggregate(self, name: str, body: Mapping[str, Any]) -> m.Aggregate | None:
        base: PathKey = ("aggregates", name)
        id_field = self.id_fields[name]
        reserved = (id_field.name,)
        state_fields = self._fields(
            body.get("state") or {}, (*base, "state"), owner=f"{name}'s state", reserved=reserved
        )
        errors = tuple(
            m.ErrorDef(name=e, message=str(msg)) for e, msg in (body.get("errors") or {}).items()
        )
        state_types = {f.name: f.type for f in state_fields} | {id_field.name: id_field.type}
        events = []
        for event_name, event_body in (body.get("events") or {}).items():
            event = self._event(
                name, event_name, event_body or {}, state_fields, state_types, reserved
            )
            if event is not None:
                events.append(event)
                self.events[event_name] = event
        error_names = {e.name for e in errors}
        commands = []
        for command_name, command_body in (body.get("commands") or {}).items():
            command = self._command(
                name, command_name, command_body or {}, state_types, error_names, reserved
            )
            if command is not None:
                commands.append(command)
                self.commands[command_name] = command
        self._module_collisions(name, body)
        if not any(c.creates for c in commands) and commands:
            self.error(
                "W412",
                f"no command of {name} has `creates: true`, so no {name} stream can ever start",
                (*base, "commands"),
                key=True,
                level=Level.WARNING,
            )
        aggregate = m.Aggregate(
            name=name,
            module=snake(name),
            description=str(body.get("description") or ""),
            id_field=id_field,
            state_fields=state_fields,
            errors=errors,
            events=tuple(events),
            commands=tuple(commands),
            scenarios=(),
        )
        scenarios = self._scenarios(aggregate, body.get("scenarios") or [], base)
        return m.Aggregate(**{**aggregate.__dict__, "scenarios": scenarios})

    def _module_collisions(self, name: str, body: Mapping[str, Any]) -> None:
        modules: dict[str, str] = {}
        for command in body.get("commands") or {}:
            module = snake(command)
            path = ("aggregates", name, "commands", command)
            if module in RESERVED_MODULES:
                self.error(
                    "E303",
                    f"command {command!r} would get the module name {module!r}, which the "
                    "generated package uses itself",
                    path,
                    key=True,
                )
            elif module in modules:
                self.error(
                    "E303",
                    f"commands {modules[module]!r} and {command!r} would share the module {module!r}",
                    path,
                    key=True,
                )
            modules[module] = command
        if self._aggregate_modules is None:  # once, not once per aggregate (a large spec has many)
            self._aggregate_modules = {}
            for aggregate in self.data["aggregates"]:
                self._aggregate_modules.setdefault(snake(aggregate), []).append(aggregate)
        if snake(name) in PACKAGE_MODULES:
            self.error(
                "E303",
                f"aggregate {name!r} would get the package folder {snake(name)!r}, which the "
                "generated package uses itself",
                ("aggregates", name),
                key=True,
            )
        others = [a for a in self._aggregate_modules[snake(name)] if a != name]
        if others:
            self.error(
                "E303",
                f"aggregates {name!r} and {others[0]!r} would share the package folder "
                f"{snake(name)!r}",
                ("aggregates", name),
                key=True,
            )

    def _event(
        self,
        aggregate: str,
        name: str,
        body: Mapping[str, Any],
        state_fields: tuple[m.Field, ...],
        state_types: dict[str, TypeRef],
        reserved: tuple[str, ...],
    ) -> m.Event | None:
        path: PathKey = ("aggregates", aggregate, "events", name)
        if not past_tense(name):
            self.error(
                "W304",
                f"event {name!r} does not read like the past tense (events record what happened)",
                path,
                key=True,
                level=Level.WARNING,
            )
        fields = self._fields(
            body.get("fields") or {}, (*path, "fields"), owner=f"event {name}", reserved=reserved
        )
        id_field = self.id_fields[aggregate]
        event_types = {f.name: f.type for f in fields} | {id_field.name: id_field.type}
        scope = Scope(
            names={"state": state_types, "event": event_types},
            records=self.record_types,
            enums=self.enum_values,
        )
        updates: dict[str, str] = {}
        by_name = {f.name: f for f in state_fields}
        for field in fields:
            target = by_name.get(field.name)
            if (target is not None and "apply" not in body) or (
                target is not None and field.name not in (body.get("apply") or {})
            ):
                if target.type.required() != field.type.required() or (
                    field.type.optional and not target.type.optional
                ):
                    self.error(
                        "E504",
                        f"event {name} copies {field.name!r} ({field.type.spec}) into state "
                        f"({target.type.spec}); the types differ, so say how in `apply:`",
                        (*path, "fields", field.name),
                        key=True,
                    )
                else:
                    updates[field.name] = f"event.{field.name}"
        for target_name, value in (body.get("apply") or {}).items():
            where = (*path, "apply", target_name)
            target = by_name.get(target_name)
            if target is None:
                known = ", ".join(by_name) or "none"
                self.error(
                    "E404",
                    f"event {name} applies to {target_name!r}, which is not a state field "
                    f"of {aggregate} (state: {known})",
                    where,
                    key=True,
                )
                continue
            code = self._assign(
                value, target.type, scope, where, what=f"{name}.apply.{target_name}"
            )
            if code is not None:
                updates[target_name] = code
        version = int(body.get("version", 1))
        upcasts = self._upcasts(name, version, body.get("upcast") or {}, fields, path)
        return m.Event(
            name=name,
            aggregate=aggregate,
            description=str(body.get("description") or ""),
            fields=fields,
            updates=tuple(
                m.Assignment(target=f.name, code=updates[f.name])
                for f in state_fields
                if f.name in updates
            ),
            version=version,
            topic=f"{self.package}:{name}",
            upcasts=upcasts,
        )

    def _upcasts(
        self,
        event: str,
        version: int,
        raw: Mapping[str, Any],
        fields: tuple[m.Field, ...],
        path: PathKey,
    ) -> tuple[m.Upcast, ...]:
        """`upcast:` steps: one for every version below the current one, none for any other."""
        steps: list[m.Upcast] = []
        for key in raw:
            if not 1 <= int(key) < version:
                self.error(
                    "E805",
                    f"event {event} is at version {version}, so it has no step from version {key}",
                    (*path, "upcast", key),
                    key=True,
                )
        by_name = {f.name: f for f in fields}
        for start in range(1, version):
            where = (*path, "upcast", str(start))
            step = raw.get(str(start))
            if step is None:
                self.error(
                    "E805",
                    f"event {event} is at version {version} but does not say how a version {start} "
                    f"payload becomes version {start + 1}",
                    (*path, "version"),
                    hint=f"add `upcast: {{{start}: {{rename: {{old: new}}, add: {{field: value}}}}}}` or "
                    f"`{start}: custom`",
                )
                continue
            if step == "custom":
                steps.append(m.Upcast(from_version=start, custom=True))
                continue
            renames = []
            for old, new in (step.get("rename") or {}).items():
                for text in (old, new):
                    if not SNAKE.match(str(text)):
                        self.error(
                            "E300",
                            f"{text!r} is not a snake_case field name",
                            (*where, "rename", old),
                        )
                renames.append((str(old), str(new)))
            adds = []
            for target, value in (step.get("add") or {}).items():
                field = by_name.get(target)
                if field is None:
                    self.error(
                        "E404",
                        f"event {event} has no field {target!r} to add",
                        (*where, "add", target),
                        key=True,
                    )
                    continue
                code = self._value(
                    value, field.type, (*where, "add", target), what=f"{event} upcast add {target}"
                )
                if code is not None:
                    adds.append(m.Assignment(target=target, code=f"encode({code})"))
            removes = tuple(str(r) for r in step.get("remove") or [])
            steps.append(
                m.Upcast(
                    from_version=start,
                    custom=False,
                    renames=tuple(renames),
                    adds=tuple(adds),
                    removes=removes,
                )
            )
        return tuple(steps)

    def _command(
        self,
        aggregate: str,
        name: str,
        body: Mapping[str, Any],
        state_types: dict[str, TypeRef],
        error_names: set[str],
        reserved: tuple[str, ...],
    ) -> m.Command | None:
        path: PathKey = ("aggregates", aggregate, "commands", name)
        fields = self._fields(
            body.get("fields") or {}, (*path, "fields"), owner=f"command {name}", reserved=reserved
        )
        id_field = self.id_fields[aggregate]
        command_types = {f.name: f.type for f in fields} | {id_field.name: id_field.type}
        scope = Scope(
            names={"command": command_types, "state": state_types},
            records=self.record_types,
            enums=self.enum_values,
        )
        guards = []
        for index, rule in enumerate(body.get("rejects") or []):
            where = (*path, "rejects", index)
            if rule["error"] not in error_names:
                known = ", ".join(sorted(error_names)) or "none declared"
                self.error(
                    "E402",
                    f"command {name} rejects with {rule['error']!r}, which is not an error of "
                    f"{aggregate} (errors: {known})",
                    (*where, "error"),
                )
            condition = self._expression(
                str(rule["if"]),
                scope,
                (*where, "if"),
                expected=None,
                what=f"{name}.rejects[{index}].if",
            )
            if condition is not None:
                guards.append(
                    m.Guard(condition=condition, source=str(rule["if"]), error=rule["error"])
                )
        custom = body.get("handler") == "custom"
        emits = []
        for index, item in enumerate(body.get("emits") or []):
            emit = self._emit(
                aggregate,
                name,
                item,
                (*path, "emits", index),
                fields,
                scope,
                state_types,
                custom=custom,
            )
            if emit is not None:
                emits.append(emit)
        if not body.get("emits") and not custom:  # listed but wrong events are reported above
            self.error(
                "E406", f"command {name} emits no events; list them under `emits:`", path, key=True
            )
        return m.Command(
            name=name,
            module=snake(name),
            aggregate=aggregate,
            description=str(body.get("description") or ""),
            creates=bool(body.get("creates", False)),
            custom=custom,
            fields=fields,
            guards=tuple(guards),
            emits=tuple(emits),
        )

    def _emit(
        self,
        aggregate: str,
        command: str,
        item: Any,
        path: PathKey,
        command_fields: tuple[m.Field, ...],
        scope: Scope,
        state_types: dict[str, TypeRef],
        *,
        custom: bool = False,
    ) -> m.Emit | None:
        if isinstance(item, str):
            event_name, mapping = item, {}
        else:
            event_name, mapping = next(iter(item.items()))
            mapping = mapping or {}
        event = self.events.get(event_name)
        if event is not None and event.aggregate != aggregate:
            event = (
                None  # another aggregate's event (E409), also when that aggregate was read first
            )
        if event is None:
            owner = self.event_aggregate.get(event_name)
            if owner is not None and owner != aggregate:
                self.error(
                    "E409",
                    f"command {command} of {aggregate} emits {event_name}, an event of {owner}; "
                    "a command emits its own aggregate's events (use an automation to cross over)",
                    path,
                )
            elif owner is None:
                self.error(
                    "E401",
                    f"command {command} emits {event_name!r}, which is not an event of {aggregate}",
                    path,
                )
            return None
        id_field = self.id_fields[aggregate]
        by_command = {f.name: f for f in command_fields}
        values = [m.Assignment(target=id_field.name, code=f"command.{id_field.name}")]
        event_fields = {f.name: f for f in event.fields}
        for key in mapping:
            if key not in event_fields and key not in self._failed(event_name):
                self.error(
                    "E404",
                    f"{command} maps {key!r}, which is not a field of event {event_name}",
                    (*path, event_name, key),
                    key=True,
                )
        for field in event.fields:
            what = f"{command} -> {event_name}.{field.name}"
            if field.name in mapping:
                code = self._assign(
                    mapping[field.name],
                    field.type,
                    scope,
                    (*path, event_name, field.name),
                    what=what,
                )
            elif custom:
                continue  # the hand-written decide() fills the event; only explicit mappings are checked
            elif field.name in by_command:
                code = self._fill_from("command", by_command[field.name].type, field, path, what)
            elif field.name in state_types:
                code = self._fill_from("state", state_types[field.name], field, path, what)
            elif field.default_code is not None or field.name in self._failed(command, aggregate):
                continue
            else:
                self.error(
                    "E406",
                    f"event {event_name} field {field.name!r} is not filled by command {command}: "
                    "no mapping, no command or state field of that name",
                    path,
                    hint=f"add it to the command's fields, or map it: `- {event_name}: "
                    f'{{{field.name}: "= command.<field>"}}`',
                )
                continue
            if code is not None:
                values.append(m.Assignment(target=field.name, code=code))
        return m.Emit(event=event_name, values=tuple(values))

    def _fill_from(
        self, source: str, typ: TypeRef, field: m.Field, path: PathKey, what: str
    ) -> str | None:
        if (
            typ.required() != field.type.required()
            and not (typ.kind == "int" and field.type.kind in ("decimal", "float"))
        ) or (typ.optional and not field.type.optional):
            self.error(
                "E504",
                f"{what}: {source}.{field.name} is a {typ.spec} but the event field is a "
                f"{field.type.spec}; map it explicitly",
                path,
            )
            return None
        return widen(f"{source}.{field.name}", typ, field.type)

    # -- aggregate scenarios ---------------------------------------------------------------

    def _scenarios(
        self, aggregate: m.Aggregate, raw: list[Any], base: PathKey
    ) -> tuple[m.Scenario, ...]:
        scenarios: list[m.Scenario] = []
        seen: dict[str, str] = {}
        for index, body in enumerate(raw):
            path = (*base, "scenarios", index)
            scenario = self._scenario(aggregate, body, path)
            if scenario is None:
                continue
            if scenario.test_name in seen:
                self.error(
                    "E602",
                    f"scenario {scenario.name!r} makes the test name {scenario.test_name}, "
                    f"like scenario {seen[scenario.test_name]!r} of {aggregate.name}; rename one",
                    (*path, "name"),
                )
                continue
            seen[scenario.test_name] = scenario.name
            scenarios.append(scenario)
        return tuple(scenarios)

    def _scenario(
        self, aggregate: m.Aggregate, body: Mapping[str, Any], path: PathKey
    ) -> m.Scenario | None:
        name = str(body["name"])
        label = f"scenario {name!r}"
        events = {e.name: e for e in aggregate.events}
        commands = {c.name: c for c in aggregate.commands}
        given = []
        for index, record in enumerate(body.get("given") or []):
            item = self._record(
                record,
                events,
                (*path, "given", index),
                label,
                kind="event",
                aggregate=aggregate,
                partial=False,
            )
            if item is not None:
                given.append(item)
        when_name, when_values = next(iter(body["when"].items()))
        command = commands.get(when_name)
        when = None
        if command is None:
            self.error(
                "E403",
                f"{label}: {when_name!r} is not a command of {aggregate.name}",
                (*path, "when", when_name),
                key=True,
            )
        else:
            when = self._record(
                {when_name: when_values},
                commands,
                (*path, "when"),
                label,
                kind="command",
                aggregate=aggregate,
                partial=False,
            )
            if command.creates and body.get("given"):
                self.error(
                    "E407",
                    f"{label}: {when_name} creates a new {aggregate.name}, so the scenario "
                    "cannot have `given` events",
                    (*path, "given"),
                    key=True,
                )
            if not command.creates and not body.get("given"):
                self.error(
                    "E407",
                    f"{label}: {when_name} needs an existing {aggregate.name}; give the events "
                    "that created it under `given`",
                    (*path, "when"),
                    key=True,
                )
        then = body["then"]
        then_events: list[m.Record] | None = None
        then_state: list[m.Assignment] = []
        then_error: str | None = None
        raw_events = then if isinstance(then, list) else then.get("events")
        if raw_events is not None:
            then_events = []
            for index, record in enumerate(raw_events):
                where = (
                    (*path, "then", index)
                    if isinstance(then, list)
                    else (*path, "then", "events", index)
                )
                item = self._record(
                    record, events, where, label, kind="event", aggregate=aggregate, partial=True
                )
                if item is not None:
                    then_events.append(item)
        if isinstance(then, dict):
            state_fields = {f.name: f for f in aggregate.state_fields}
            for key, value in (then.get("state") or {}).items():
                where = (*path, "then", "state", key)
                if key not in state_fields:
                    self.error(
                        "E404",
                        f"{label}: {key!r} is not a state field of {aggregate.name}",
                        where,
                        key=True,
                    )
                    continue
                code = self._value(
                    value, state_fields[key].type, where, what=f"{label}: state.{key}"
                )
                if code is not None:
                    then_state.append(m.Assignment(target=key, code=code))
            if "error" in then:
                then_error = str(then["error"])
                if then_error not in {e.name for e in aggregate.errors}:
                    self.error(
                        "E402",
                        f"{label}: {then_error!r} is not an error of {aggregate.name}",
                        (*path, "then", "error"),
                    )
                if raw_events is not None or then.get("state"):
                    self.error(
                        "E600",
                        f"{label}: `then` has an error, so it cannot also expect events or state",
                        (*path, "then"),
                    )
        if when is None:
            return None
        return m.Scenario(
            name=name,
            test_name=test_name(name),
            description=str(body.get("description") or ""),
            given=tuple(given),
            when=when,
            then_events=tuple(then_events) if then_events is not None else None,
            then_state=tuple(then_state),
            then_error=then_error,
        )

    def _record(
        self,
        record: Mapping[str, Any],
        known: Mapping[str, Any],
        path: PathKey,
        label: str,
        *,
        kind: str,
        aggregate: m.Aggregate,
        partial: bool,
    ) -> m.Record | None:
        name, values = next(iter(record.items()))
        values = values or {}
        target = known.get(name)
        if target is None:
            code = "E401" if kind == "event" else "E403"
            self.error(
                code,
                f"{label}: {name!r} is not an {kind} of {aggregate.name}",
                (*path, name),
                key=True,
            )
            return None
        id_field = aggregate.id_field
        if id_field.name in values:
            self.error(
                "E404",
                f"{label}: {id_field.name!r} is implicit in aggregate scenarios; leave it out",
                (*path, name, id_field.name),
                key=True,
            )
            return None
        return self._values(name, target.fields, values, (*path, name), label, partial=partial)

    def _failed(self, *owners: str) -> set[str]:
        return set[str]().union(*(self.failed_fields.get(owner, set()) for owner in owners))

    def _values(
        self,
        name: str,
        fields: tuple[m.Field, ...],
        values: Mapping[str, Any],
        path: PathKey,
        label: str,
        *,
        partial: bool,
    ) -> m.Record | None:
        by_name = {f.name: f for f in fields}
        ok = True
        for key in values:
            if key not in by_name and key not in self._failed(name):
                known = ", ".join(by_name) or "none"
                self.error(
                    "E404",
                    f"{label}: {name} has no field {key!r} (fields: {known})",
                    (*path, key),
                    key=True,
                )
                ok = False
        assignments = []
        for field in fields:
            if field.name in values:
                code = self._value(
                    values[field.name],
                    field.type,
                    (*path, field.name),
                    what=f"{label}: {name}.{field.name}",
                )
                if code is None:
                    ok = False
                else:
                    assignments.append(m.Assignment(target=field.name, code=code))
            elif not partial and field.default_code is None:
                self.error(
                    "E601", f"{label}: {name} needs a value for {field.name!r}", path, key=True
                )
                ok = False
        return m.Record(name=name, values=tuple(assignments)) if ok else None

    # -- read models and automations (validated now, generated by a later step) ------------

    def _read_model(self, name: str, body: Mapping[str, Any]) -> m.ReadModel | None:
        path: PathKey = ("read_models", name)
        key = str(body["key"])
        fields = self._fields(
            body.get("fields") or {}, (*path, "fields"), owner=f"read model {name}", reserved=(key,)
        )
        key_type: TypeRef | None = None
        updates: list[m.RowUpdate] = []
        for event_name, handler in body["on"].items():
            where = (*path, "on", event_name)
            event = self.events.get(event_name)
            if event is None:
                self.error(
                    "E401",
                    f"read model {name} handles {event_name!r}, which is not an event",
                    where,
                    key=True,
                )
                continue
            event_types = {f.name: f.type for f in event.fields}
            id_field = self.id_fields[event.aggregate]
            event_types[id_field.name] = id_field.type
            if key not in event_types:
                self.error(
                    "E413",
                    f"read model {name} is keyed by {key!r}, which event {event_name} does not carry",
                    where,
                    key=True,
                )
                continue
            if key_type is not None and event_types[key].required() != key_type:
                self.error(
                    "E413",
                    f"read model {name} is keyed by {key!r}, which is a {event_types[key].spec} "
                    f"on {event_name} but a {key_type.spec} on an earlier event",
                    where,
                    key=True,
                )
                continue
            key_type = key_type or event_types[key].required()
            module = snake(event.aggregate)
            if not isinstance(handler, dict):
                updates.append(
                    m.RowUpdate(event=event_name, aggregate_module=module, delete=True, sets=())
                )
                continue
            row_types = {f.name: f.type for f in fields} | {key: event_types[key]}
            scope = Scope(
                names={"event": event_types, "row": row_types},
                records=self.record_types,
                enums=self.enum_values,
            )
            by_name = {f.name: f for f in fields}
            sets: list[m.Assignment] = []
            for target, value in (handler.get("set") or {}).items():
                if target not in by_name:
                    self.error(
                        "E404",
                        f"read model {name} sets {target!r}, which is not one of its fields",
                        (*where, "set", target),
                        key=True,
                    )
                    continue
                code = self._assign(
                    value,
                    by_name[target].type,
                    scope,
                    (*where, "set", target),
                    what=f"{name}.on.{event_name}.set.{target}",
                )
                if code is not None:
                    sets.append(m.Assignment(target=target, code=code))
            updates.append(
                m.RowUpdate(
                    event=event_name, aggregate_module=module, delete=False, sets=tuple(sets)
                )
            )
        key_field = m.Field(name=key, type=key_type or TypeRef("uuid"))
        row_fields = (key_field, *fields)
        scenarios: list[m.ViewScenario] = []
        for index, scenario in enumerate(body.get("scenarios") or []):
            where = (*path, "scenarios", index)
            label = f"scenario {scenario['name']!r}"
            given = self._given_events(scenario.get("given") or [], (*where, "given"), label)
            rows = []
            for row_index, row in enumerate(scenario["then"]):
                record = self._values(
                    name, row_fields, row, (*where, "then", row_index), label, partial=True
                )
                if record is not None:
                    rows.append(record)
            scenarios.append(self._view_scenario(scenario, given, rows))
        self._unique_tests(scenarios, path, f"read model {name}")
        return m.ReadModel(
            name=name,
            module=snake(name),
            description=str(body.get("description") or ""),
            key=key_field,
            fields=fields,
            updates=tuple(updates),
            scenarios=tuple(scenarios),
        )

    def _view_scenario(
        self, body: Mapping[str, Any], given: list[m.Record], then: list[m.Record]
    ) -> m.ViewScenario:
        name = str(body["name"])
        return m.ViewScenario(
            name=name,
            test_name=test_name(name),
            description=str(body.get("description") or ""),
            given=tuple(given),
            then=tuple(then),
        )

    def _unique_tests(self, scenarios: list[m.ViewScenario], path: PathKey, owner: str) -> None:
        seen: dict[str, str] = {}
        for index, scenario in enumerate(scenarios):
            if scenario.test_name in seen:
                self.error(
                    "E602",
                    f"scenario {scenario.name!r} makes the test name {scenario.test_name}, like "
                    f"scenario {seen[scenario.test_name]!r} of {owner}; rename one",
                    (*path, "scenarios", index, "name"),
                )
            seen[scenario.test_name] = scenario.name

    def _given_events(self, records: list[Any], path: PathKey, label: str) -> list[m.Record]:
        """Events given to read-model and automation scenarios: they name their stream explicitly."""
        given: list[m.Record] = []
        for index, record in enumerate(records):
            event_name, values = next(iter(record.items()))
            event = self.events.get(event_name)
            if event is None:
                self.error(
                    "E401",
                    f"{label}: {event_name!r} is not an event",
                    (*path, index, event_name),
                    key=True,
                )
                continue
            id_field = self.id_fields[event.aggregate]
            item = self._values(
                event_name,
                (id_field, *event.fields),
                values or {},
                (*path, index, event_name),
                label,
                partial=False,
            )
            if item is not None:
                given.append(item)
        return given

    def _automation(self, name: str, body: Mapping[str, Any]) -> m.Automation | None:
        path: PathKey = ("automations", name)
        event = self.events.get(str(body["on"]))
        if event is None:
            self.error(
                "E401",
                f"automation {name} listens to {body['on']!r}, which is not an event",
                (*path, "on"),
            )
        command_name, mapping = next(iter(body["send"].items()))
        command = self.commands.get(command_name)
        if command is None:
            self.error(
                "E403",
                f"automation {name} sends {command_name!r}, which is not a command",
                (*path, "send", command_name),
                key=True,
            )
        if event is None or command is None:
            return None
        id_field = self.id_fields[command.aggregate]
        event_id = self.id_fields[event.aggregate]
        event_types = {f.name: f.type for f in event.fields} | {event_id.name: event_id.type}
        scope = Scope(
            names={"event": event_types}, records=self.record_types, enums=self.enum_values
        )
        targets = {f.name: f for f in command.fields}
        targets[id_field.name] = id_field
        values: list[m.Assignment] = []
        for key, value in (mapping or {}).items():
            where = (*path, "send", command_name, key)
            if key not in targets:
                self.error(
                    "E404",
                    f"automation {name}: {command_name} has no field {key!r}",
                    where,
                    key=True,
                )
                continue
            code = self._assign(
                value, targets[key].type, scope, where, what=f"{name}.send.{command_name}.{key}"
            )
            if code is not None:
                values.append(m.Assignment(target=key, code=code))
        for field in targets.values():
            optional = field.default_code is not None or (
                command.creates and field.name == id_field.name
            )
            if field.name not in (mapping or {}) and not optional:
                self.error(
                    "E601",
                    f"automation {name}: {command_name} needs a value for {field.name!r}",
                    (*path, "send", command_name),
                    key=True,
                )
        scenarios: list[m.ViewScenario] = []
        for index, scenario in enumerate(body.get("scenarios") or []):
            where = (*path, "scenarios", index)
            label = f"scenario {scenario['name']!r}"
            given = self._given_events(scenario.get("given") or [], (*where, "given"), label)
            sent_records: list[m.Record] = []
            for sent_index, record in enumerate(scenario["then"]):
                sent_name, sent_values = next(iter(record.items()))
                sent = self.commands.get(sent_name)
                if sent is None:
                    self.error(
                        "E403",
                        f"{label}: {sent_name!r} is not a command",
                        (*where, "then", sent_index, sent_name),
                        key=True,
                    )
                    continue
                sent_id = self.id_fields[sent.aggregate]
                item = self._values(
                    sent_name,
                    (sent_id, *sent.fields),
                    sent_values or {},
                    (*where, "then", sent_index, sent_name),
                    label,
                    partial=True,
                )
                if item is not None:
                    sent_records.append(item)
            scenarios.append(self._view_scenario(scenario, given, sent_records))
        self._unique_tests(scenarios, path, f"automation {name}")
        return m.Automation(
            name=name,
            module=snake(name),
            description=str(body.get("description") or ""),
            on=event.name,
            on_module=snake(event.aggregate),
            sends=command_name,
            sends_aggregate=snake(command.aggregate),
            sends_module=command.module,
            values=tuple(values),
            scenarios=tuple(scenarios),
        )


def _a(noun: str) -> str:
    """'an event', 'a command'."""
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"

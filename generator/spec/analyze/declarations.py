"""Names: the package's, every declared PascalCase name, and the modules they turn into."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.spec.analyze.context import Context
from generator.spec.load import PathKey
from generator.spec.names import (
    PACKAGE_MODULES,
    PASCAL,
    PROJECT_NAMES,
    RESERVED_CLASSES,
    RESERVED_MODULES,
    SNAKE,
    TAKEN_PACKAGES,
    is_keyword,
    snake,
)

_SUFFIX = {
    "type": "Value",
    "aggregate": "Record",
    "read model": "View",
    "automation": "Policy",
    "error": "Error",
    "event": "Recorded",
    "command": "Request",
    "external event": "Received",
}

_KINDS = {
    "types": "type",
    "aggregates": "aggregate",
    "read_models": "read model",
    "automations": "automation",
}


def package_name(ctx: Context, domain: str) -> str:
    if "package" in ctx.data:
        package = str(ctx.data["package"])
        path: PathKey = ("package",)
    else:
        package = snake("".join(ch for ch in domain.title() if ch.isalnum()))
        path = ("domain",)
    if not SNAKE.match(package):
        ctx.error(
            "E300",
            f"the package name {package!r} is not a valid snake_case import name",
            path,
            hint="set `package:` to a name like `bank` or `order_desk`",
        )
    elif is_keyword(package):
        ctx.error("E301", f"the package name {package!r} is a Python keyword", path)
    elif package in PROJECT_NAMES:
        ctx.error(
            "E301",
            f"the package name {package!r} is taken by the generated project itself (its "
            "`tests/` folder and `conftest.py`); imports of the package would find those",
            path,
            hint="set `package:` to a name of your own, like `bank` or `order_desk`",
        )
    elif package in TAKEN_PACKAGES:
        ctx.error(
            "E301",
            f"the package name {package!r} is a module the generated code imports (from "
            "Python or a dependency); the package would hide it",
            path,
            hint="set `package:` to a name of your own, like `bank` or `order_desk`",
        )
    return package


def declare_names(ctx: Context) -> None:
    """Every PascalCase name, across kinds, must be valid and unique."""
    for section, kind in _KINDS.items():
        for name in ctx.data.get(section) or {}:
            _declare(ctx, name, kind, (section, name))
    for agg_name, body in ctx.data["aggregates"].items():
        body = body or {}
        for section, kind in (
            ("errors", "error"),
            ("events", "event"),
            ("commands", "command"),
        ):
            for name in body.get(section) or {}:
                _declare(ctx, name, kind, ("aggregates", agg_name, section, name))
    # After the aggregates' events: a clash is reported where the external event is declared.
    for name in ctx.data.get("external_events") or {}:
        _declare(ctx, name, "external event", ("external_events", name))
    _application_class(ctx)
    _view_modules(ctx)
    for name, path in _generated(ctx).items():
        if name in ctx.declared:
            kind, where = ctx.declared[name]
            owner = "aggregate" if path[0] == "aggregates" else "read model"
            ctx.error(
                "E303",
                f"the {_declaration(ctx, kind, where)} is named like the class {name} that "
                f"eventforge generates for {owner} {path[1]} (line {_line(ctx, path)})",
                where,
                key=True,
                hint=f"rename the {kind} (like {name + _SUFFIX[kind]!r}), or {owner} {path[1]}",
            )


def _declare(ctx: Context, name: str, kind: str, path: PathKey) -> None:
    if not PASCAL.match(name):
        ctx.error(
            "E300",
            f"the {kind} name {name!r} must be PascalCase (like DepositMoney)",
            path,
            key=True,
        )
        return
    if is_keyword(name) or name in ("None", "True", "False"):
        ctx.error("E301", f"the {kind} name {name!r} is a Python keyword", path, key=True)
        return
    if name in RESERVED_CLASSES:
        ctx.error(
            "E301",
            f"the {kind} name {name!r} is the name generated modules give "
            f"{RESERVED_CLASSES[name]}, which they use next to the spec's classes",
            path,
            key=True,
            hint=f"add a word to the name, like {name + _SUFFIX[kind]!r}",
        )
        return
    if kind in ("aggregate", "command", "read model", "automation") and is_keyword(snake(name)):
        ctx.error(
            "E301",
            f"the {kind} name {name!r} would get the module name {snake(name)!r}, a Python keyword",
            path,
            key=True,
        )
        return
    if name in ctx.declared:
        first_kind, first_path = ctx.declared[name]
        first = _a(_declaration(ctx, first_kind, first_path, name=False))
        second = _a(_declaration(ctx, kind, path, name=False))
        ctx.error(
            "E302",
            f"{name!r} is declared twice: as {first} and as {second}; names are unique across "
            "the spec",
            path,
            key=True,
        )
        return
    ctx.declared[name] = (kind, path)


def _generated(ctx: Context) -> dict[str, PathKey]:
    """The classes eventforge writes for each aggregate and read model, with their owner."""
    aggregates = ctx.data["aggregates"]
    generated: dict[str, PathKey] = {f"{a}State": ("aggregates", a) for a in aggregates}
    generated.update({f"{a}Error": ("aggregates", a) for a in aggregates})
    generated.update({f"{a}Event": ("aggregates", a) for a in aggregates})
    generated.update({f"{r}Row": ("read_models", r) for r in ctx.data.get("read_models") or {}})
    return generated


def _application_class(ctx: Context) -> None:
    app_class = "".join(p[:1].upper() + p[1:] for p in ctx.package.split("_")) + "Application"
    if app_class in ctx.declared:
        kind, where = ctx.declared[app_class]
        source: PathKey = ("package",) if "package" in ctx.data else ("domain",)
        ctx.error(
            "E303",
            f"the {_declaration(ctx, kind, where)} is named like the application class "
            f"eventforge generates for the package {ctx.package!r} (`{source[0]}:`, line "
            f"{_line(ctx, source)})",
            where,
            key=True,
        )


def _view_modules(ctx: Context) -> None:
    for section in ("read_models", "automations"):
        modules: dict[str, str] = {}
        for item in ctx.data.get(section) or {}:
            if snake(item) in modules:
                first = modules[snake(item)]
                ctx.error(
                    "E303",
                    f"{first!r} (line {_line(ctx, (section, first))}) and {item!r} (line "
                    f"{_line(ctx, (section, item))}) would share the module {snake(item)!r}",
                    (section, item),
                    key=True,
                )
            modules[snake(item)] = item


def module_collisions(ctx: Context, name: str, body: Mapping[str, Any]) -> None:
    """An aggregate's command modules, and its package folder, must be its own."""
    modules: dict[str, str] = {}
    for command in body.get("commands") or {}:
        module = snake(command)
        path = ("aggregates", name, "commands", command)
        if module in RESERVED_MODULES:
            ctx.error(
                "E303",
                f"command {command!r} would get the module name {module!r}, which the "
                "generated package uses itself",
                path,
                key=True,
                hint=f"add a word to the command's name, like {command + _SUFFIX['command']!r}",
            )
        elif module in modules:
            first: PathKey = ("aggregates", name, "commands", modules[module])
            ctx.error(
                "E303",
                f"commands {modules[module]!r} (line {_line(ctx, first)}) and {command!r} "
                f"(line {_line(ctx, path)}) would share the module {module!r}",
                path,
                key=True,
            )
        modules[module] = command
    _package_folder(ctx, name)


def declare_aggregate_modules(ctx: Context) -> None:
    """Which aggregates each package folder would hold: once, not once per aggregate (a large
    spec has many), and before any aggregate is analysed (each reads only its own folder's)."""
    modules: dict[str, list[str]] = {}
    for aggregate in ctx.data["aggregates"]:
        modules.setdefault(snake(aggregate), []).append(aggregate)
    ctx.aggregate_modules = modules


def _package_folder(ctx: Context, name: str) -> None:
    assert ctx.aggregate_modules is not None, "declare_aggregate_modules runs before aggregates"
    if snake(name) in PACKAGE_MODULES:
        ctx.error(
            "E303",
            f"aggregate {name!r} would get the package folder {snake(name)!r}, which the "
            "generated package uses itself",
            ("aggregates", name),
            key=True,
            hint=f"add a word to the aggregate's name, like {name + _SUFFIX['aggregate']!r}",
        )
    others = [a for a in ctx.aggregate_modules[snake(name)] if a != name]
    if others:
        ctx.error(
            "E303",
            f"aggregates {name!r} (line {_line(ctx, ('aggregates', name))}) and {others[0]!r} "
            f"(line {_line(ctx, ('aggregates', others[0]))}) would share the package folder "
            f"{snake(name)!r}",
            ("aggregates", name),
            key=True,
        )


def _declaration(ctx: Context, kind: str, path: PathKey, *, name: bool = True) -> str:
    """`event 'Opened' of aggregate Account (line 12)`: a declaration, so that a message about
    two of them says where each one is."""
    text = f"{kind} {path[-1]!r}" if name else kind
    if len(path) == 4 and path[0] == "aggregates":
        text += f" of aggregate {path[1]}"
    return f"{text} (line {_line(ctx, path)})"


def _line(ctx: Context, path: PathKey) -> int:
    return ctx.spec.where(path, key=True)[0]


def _a(noun: str) -> str:
    """'an event', 'a command'."""
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"

"""Run the spec's scenarios against each mutant, in this process.

The package is rendered once (no formatting: the tests only need it to run), written to a
temporary directory under a package name of its own, and imported with its scenario tests. A
mutant re-renders only the module it changes; the functions whose code differs are compiled and
their code objects swapped into the imported functions, the tests of that slice run, and the
original code goes back. Swapping `__code__` rather than module attributes matters: the decider,
the read model and the automation objects hold their functions, so a replaced attribute would
never be called.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import itertools
import sys
import tempfile
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from generator.build.plan import Owner, PlannedFile, plan
from generator.build.render import renderer
from generator.mutants.mutant import Mutant, Unit
from generator.spec import model as m

_RUNS = itertools.count(1)  # test modules' names: never imported by name, never reused
# Files the scenario tests do not import, by template (exact, whatever a file is named): the store tests (tests/test_store.py and each aggregate's) need a database, the rest
# an app (timelines run on the application, which is not rendered here; the bad-input tests on
# the command line, which is not either).
_SKIPPED = (
    "package/cli.py.jinja",
    "package/main.py.jinja",
    "package/application.py.jinja",
    "tests/test_store.py.jinja",
    "tests/test_aggregate_store.py.jinja",
    "tests/test_bad_input.py.jinja",
    "tests/test_upcasting.py.jinja",
    "tests/test_timelines.py.jinja",
)

Test = tuple[str, Callable[[], object]]


@dataclass
class Harness:
    """The generated package, imported, with its scenario tests grouped by file."""

    spec: m.Spec
    root: Path  # where it is written
    render: Callable[[PlannedFile], str]
    planned: dict[str, PlannedFile]
    functions: dict[str, dict[str, str]]  # path -> top-level function -> its dumped tree
    modules: dict[str, types.ModuleType]
    tests: dict[str, list[Test]]
    failing: set[str] = field(default_factory=set)  # "path::test" failing without any mutant
    stubs: set[str] = field(default_factory=set)  # user-owned files the project does not have
    broken: dict[str, str] = field(default_factory=dict)  # test files that do not import

    def run(self, mutant: Mutant) -> bool | None:
        """True when a scenario kills the mutant, False when it survives, None when it is
        equivalent (the generated code is the same)."""
        path = self.path(mutant.unit)
        planned = self.planned[path]
        source = self.render(replace(planned, context=self.context(mutant, planned)))
        changed = _changed_functions(source, self.functions[path])
        if not changed:
            return None
        tests = [test for test in self.tests_of(mutant.unit) if test[0] not in self.failing]
        module = self.modules.get(path)
        if not tests or module is None:
            return False
        codes = _compile(changed, str(self.root / path))
        with _swapped(module, codes):
            return any(not _passes(test) for test in tests)

    def context(self, mutant: Mutant, planned: PlannedFile) -> dict[str, Any]:
        replacement = mutant.replacement
        if isinstance(replacement, m.Command):
            aggregate = planned.context["aggregate"]
            commands = tuple(
                replacement if c.name == replacement.name else c for c in aggregate.commands
            )
            return {
                **planned.context,
                "aggregate": replace(aggregate, commands=commands),
                "command": replacement,
            }
        key = {m.Aggregate: "aggregate", m.ReadModel: "read_model", m.Automation: "automation"}
        return {**planned.context, key[type(replacement)]: replacement}

    def path(self, unit: Unit) -> str:
        src = f"src/{self.spec.package}"
        if unit.kind == "command":
            aggregate, command = self._command(unit.name)
            return f"{src}/{aggregate.module}/{command.module}.py"
        if unit.kind == "evolve":
            aggregate = next(a for a in self.spec.aggregates if a.name == unit.name)
            return f"{src}/{aggregate.module}/evolve.py"
        if unit.kind == "read_model":
            module = next(r.module for r in self.spec.read_models if r.name == unit.name)
            return f"{src}/read_models/{module}.py"
        module = next(a.module for a in self.spec.automations if a.name == unit.name)
        return f"{src}/automations/{module}.py"

    def tests_of(self, unit: Unit) -> list[Test]:
        """The tests that can see the unit: "path::name" and the function."""
        if unit.kind == "command":
            aggregate, command = self._command(unit.name)
            files = [f"tests/{aggregate.module}/test_{command.module}.py"]
        elif unit.kind == "evolve":
            module = next(a.module for a in self.spec.aggregates if a.name == unit.name)
            files = [p for p in self.tests if p.startswith(f"tests/{module}/")]
        elif unit.kind == "read_model":
            module = next(r.module for r in self.spec.read_models if r.name == unit.name)
            files = [f"tests/read_models/test_{module}.py"]
        else:
            module = next(a.module for a in self.spec.automations if a.name == unit.name)
            files = [f"tests/automations/test_{module}.py"]
        return [test for p in files for test in _named(p, self.tests.get(p, []))]

    def _command(self, name: str) -> tuple[m.Aggregate, m.Command]:
        for aggregate in self.spec.aggregates:
            for command in aggregate.commands:
                if command.name == name:
                    return aggregate, command
        raise KeyError(name)


@contextmanager
def harness(spec: m.Spec, project: Path | None = None) -> Iterator[Harness]:
    """The package of `spec`, generated into a temporary directory and imported, with the
    user-owned files (custom handlers) taken from `project` when it has them; removed from
    `sys.modules` and `sys.path` afterwards."""
    render = renderer(spec)
    everything = plan(spec)
    planned = {
        p.path: p
        for p in everything
        if p.path.startswith(("src/", "tests/")) and p.template not in _SKIPPED
    }
    known = {p.path for p in everything}
    sources, stubs = _sources(render, planned, known, project, spec.package)
    functions = {
        path: _function_trees(sources[path])
        for path in planned
        if planned[path].owner is Owner.GENERATED and path.startswith("src/")
    }
    with tempfile.TemporaryDirectory(prefix="eventforge-mutants-") as temporary:
        root = Path(temporary)
        for path, text in sources.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        with _isolated(spec.package, root / "src") as test_names:
            tests, broken = _import_tests(root, planned, test_names)
            modules = {
                path: sys.modules[_module_name(path)]
                for path in planned
                if path.startswith("src/") and _module_name(path) in sys.modules
            }
            result = Harness(spec, root, render, planned, functions, modules, tests)
            result.stubs = stubs
            result.broken = broken
            result.failing = {
                name
                for path in tests
                for name, test in _named(path, tests[path])
                if not _passes((name, test))
            }
            yield result


def _sources(
    render: Callable[[PlannedFile], str],
    planned: dict[str, PlannedFile],
    known: set[str],
    project: Path | None,
    package: str,
) -> tuple[dict[str, str], set[str]]:
    """The text of every file to write: generated files rendered; user-owned files (custom
    handlers) from the project, or their stubs when it lacks them (returned too); and any module
    the project added to the package, which a handler may import."""
    sources: dict[str, str] = {}
    stubs: set[str] = set()
    for path, planned_file in planned.items():
        own = project / path if project is not None else None
        if planned_file.owner is Owner.USER and own is not None and own.is_file():
            sources[path] = own.read_text(encoding="utf-8")
            continue
        sources[path] = render(planned_file)
        if planned_file.owner is Owner.USER:
            stubs.add(path)
    if project is not None and (project / "src" / package).is_dir():
        for module in sorted((project / "src" / package).rglob("*.py")):
            path = module.relative_to(project).as_posix()
            if path not in known and "__pycache__" not in path:
                sources[path] = module.read_text(encoding="utf-8")
    return sources, stubs


@contextmanager
def _isolated(package: str, source_root: Path) -> Iterator[list[str]]:
    """Import `package` from `source_root` for the duration: a module of that name imported
    before (the user's own copy, or an earlier run's) is set aside and put back afterwards, so
    runs in one process never see each other's modules. Yields the list the test modules' names
    go into, to be removed too."""
    mine = [n for n in sys.modules if n.split(".")[0] == package]
    earlier = {name: sys.modules.pop(name) for name in mine}
    sys.path.insert(0, str(source_root))
    importlib.invalidate_caches()
    writes_bytecode = sys.dont_write_bytecode
    sys.dont_write_bytecode = True  # the directory goes away with the run
    test_names: list[str] = []
    try:
        yield test_names
    finally:
        sys.dont_write_bytecode = writes_bytecode
        sys.path.remove(str(source_root))
        for name in [n for n in sys.modules if n.split(".")[0] == package] + test_names:
            sys.modules.pop(name, None)
        sys.modules.update(earlier)


def _named(path: str, tests: list[Test]) -> list[Test]:
    return [(f"{path}::{name}", test) for name, test in tests]


def _import_tests(
    root: Path, planned: dict[str, PlannedFile], names: list[str]
) -> tuple[dict[str, list[Test]], dict[str, str]]:
    """The test functions of each generated test file; and the files that failed to import,
    with the error (a hand-written handler that does not import, say)."""
    found: dict[str, list[Test]] = {}
    broken: dict[str, str] = {}
    for path in sorted(p for p in planned if p.startswith("tests/")):
        name = f"_eventforge_mutants_{next(_RUNS)}"
        spec = importlib.util.spec_from_file_location(name, root / path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        names.append(name)
        try:
            spec.loader.exec_module(module)
        except Exception as error:  # reported; its tests cannot kill anything
            broken[path] = f"{type(error).__name__}: {error}"
            continue
        found[path] = [
            (attribute, value)
            for attribute, value in vars(module).items()
            if attribute.startswith("test_") and callable(value)
        ]
    return found, broken


def _module_name(path: str) -> str:
    dotted = path.removeprefix("src/").removesuffix(".py").replace("/", ".")
    return dotted.removesuffix(".__init__")


def _passes(test: Test) -> bool:
    try:
        test[1]()
    except Exception:  # any failure kills: a wrong value, a wrong error, a crash
        return False
    return True


def _function_trees(source: str) -> dict[str, str]:
    """Each top-level function's source text, by name."""
    lines = source.splitlines()
    return {
        node.name: "\n".join(lines[node.lineno - 1 : node.end_lineno])
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef)
    }


def _changed_functions(source: str, original: dict[str, str]) -> list[ast.FunctionDef]:
    """The top-level functions whose text differs from the original's (compared as text: the
    template renders the same code for the same model, and dumping trees costs more). A function
    the mutant no longer renders (`check` once a custom command's only rule is dropped) becomes
    one that does nothing, which is what its absence means to the caller."""
    lines = source.splitlines()
    tree = ast.parse(source)
    rendered = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    changed = [
        node
        for name, node in rendered.items()
        if original.get(name) != "\n".join(lines[node.lineno - 1 : node.end_lineno])
    ]
    for name in original.keys() - rendered.keys():
        nothing = ast.parse(
            f"def {name}(*args: object, **kwargs: object) -> None:\n    return None"
        )
        changed += [n for n in nothing.body if isinstance(n, ast.FunctionDef)]
    return changed


def _compile(functions: list[ast.FunctionDef], filename: str) -> dict[str, types.CodeType]:
    """The code objects of `functions`, compiled as in their module (postponed annotations, so
    defining them evaluates nothing)."""
    future = ast.ImportFrom(module="__future__", names=[ast.alias(name="annotations")], level=0)
    module = ast.fix_missing_locations(ast.Module(body=[future, *functions], type_ignores=[]))
    namespace: dict[str, Any] = {}
    exec(compile(module, filename, "exec", dont_inherit=True), namespace)
    return {f.name: namespace[f.name].__code__ for f in functions}


@contextmanager
def _swapped(module: types.ModuleType, codes: dict[str, types.CodeType]) -> Iterator[None]:
    functions = {name: getattr(module, name) for name in codes}
    originals = {name: function.__code__ for name, function in functions.items()}
    try:
        for name, function in functions.items():
            function.__code__ = codes[name]
        yield
    finally:
        for name, function in functions.items():
            function.__code__ = originals[name]

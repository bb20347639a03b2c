"""Every command takes `--format json` and then prints exactly one JSON document on stdout, for
results and for errors (usage errors included), with the README's exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from conftest import ROOT, cli, copy_example

from generator.cli.main import main
from generator.spec.codes import CODES
from generator.spec.hints import DEFAULT_HINTS

ERROR_KEYS = {"code", "level", "message", "hint", "file", "path", "line", "column"}


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    context = click.Context(group)
    for name in group.list_commands(context):  # lazy commands too
        command = group.get_command(context, name)
        assert command is not None, name
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


ALL_COMMANDS = _commands(main)


def test_the_command_tree_is_what_the_readme_documents() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(ALL_COMMANDS) > 25
    for path in ALL_COMMANDS:
        assert f"eventforge {path[0]}" in readme, path


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=" ".join)
def test_every_command_accepts_format_json(path: tuple[str, ...]) -> None:
    command: click.Command = main
    for name in path:
        assert isinstance(command, click.Group)
        found = command.get_command(click.Context(command), name)
        assert found is not None, path
        command = found
    options = {o.name: o for o in command.params if isinstance(o, click.Option)}
    assert "fmt" in options, path
    assert isinstance(options["fmt"].type, click.Choice)
    assert "json" in options["fmt"].type.choices


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = cli(*path, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout and f"eventforge {path[0]}" in result.stdout, path


def _one_document(stdout: str) -> object:
    document = json.loads(stdout)  # raises unless stdout is exactly one JSON document
    return document


def _check_errors(document: object) -> None:
    assert isinstance(document, dict) and document["ok"] is False
    assert document["errors"]
    for error in document["errors"]:
        assert set(error) >= ERROR_KEYS
        assert error["code"] in CODES and error["hint"]


@pytest.mark.parametrize(
    ("argv", "exit_code"),
    [
        (("init", "{tmp}/new", "--example", "bank"), 0),
        (("init", "{tmp}/new", "--example", "nope"), 2),
        (("validate", "{spec}"), 0),
        (("generate", "{spec}", "--dry-run"), 0),
        (("check", "{spec}"), 1),
        (("context", "{spec}"), 0),
        (("context", "{spec}", "--slice", "CloseAccount"), 0),
        (("context", "{spec}", "--slice", "Nope"), 2),
        (("slices", "{spec}"), 0),
        (("model", "{spec}", "--mermaid"), 0),
        (("model", "{spec}", "--html", "{tmp}/model.html"), 0),
        (("model", "{spec}"), 2),
        (("model", "{spec}", "--html", "-"), 2),
        (("prompt", "a lending library"), 0),
        (("prompt", "a lending library", "--example", "nope"), 2),
        (("add", "error", "Account", "AccountIsFrozen", "Frozen.", "--spec", "{spec}"), 0),
        (("add", "command", "Account", "Freeze", "--emits", "Nope", "--spec", "{spec}"), 1),
        (("add", "field", "Account", "nofield", "--spec", "{spec}"), 2),
        (("rename", "event", "AccountClosed", "AccountShut", "--spec", "{spec}", "--dry-run"), 0),
        (("remove", "read-model", "AccountBalances", "--spec", "{spec}", "--dry-run"), 0),
        (("validate", "{tmp}/absent.yaml"), 2),
        (("generate", "{tmp}/absent.yaml"), 2),
        (("add", "error", "--no-such-option", "--spec", "{spec}"), 2),
        (("generate", "{spec}", "--no-such-option"), 2),
    ],
)
def test_one_json_document_and_the_exit_code(
    tmp_path: Path, argv: tuple[str, ...], exit_code: int
) -> None:
    spec = copy_example("bank", tmp_path / "bank")
    args = [a.format(tmp=tmp_path, spec=spec) for a in argv]
    result = cli(*args, "--format", "json")
    assert result.exit_code == exit_code, result.stdout + result.stderr
    document = _one_document(result.stdout)
    if args[0] == "validate":
        assert isinstance(document, list)  # validate's JSON is a list of diagnostics
        assert exit_code == 0 or all(set(d) >= ERROR_KEYS and d["hint"] for d in document)
    elif exit_code == 0:
        assert isinstance(document, dict) and document["ok"] is True
    elif args[0] != "check":
        _check_errors(document)


def test_validate_usage_errors_are_a_json_list_too() -> None:
    result = cli("validate", "--bogus", "--format", "json")
    assert result.exit_code == 2
    document = _one_document(result.stdout)
    assert isinstance(document, list) and document[0]["code"] == "E900"


def test_mcp_without_the_sdk_says_so_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "mcp", None)  # `import mcp` now raises ImportError
    monkeypatch.setitem(sys.modules, "mcp.server", None)
    monkeypatch.setitem(sys.modules, "mcp.server.mcpserver", None)
    result = cli("mcp", "--format", "json")
    assert result.exit_code == 2
    document = _one_document(result.stdout)
    _check_errors(document)
    assert isinstance(document, dict) and document["errors"][0]["code"] == "E903"
    text = cli("mcp")
    assert text.exit_code == 2 and "pip install 'eventforge[mcp]'" in text.stderr


def test_every_code_has_a_default_hint() -> None:
    assert set(DEFAULT_HINTS) == set(CODES)
    for code, hint in DEFAULT_HINTS.items():
        assert hint and "\n" not in hint, code


def test_every_validate_error_carries_a_hint(tmp_path: Path) -> None:
    corpus = sorted((ROOT / "tests/spec/invalid").glob("*.yaml"))
    assert len(corpus) > 50
    seen = set()
    for spec in corpus:
        document = _one_document(cli("validate", spec, "--format", "json").stdout)
        assert isinstance(document, list)
        for diagnostic in document:
            assert diagnostic["hint"], (spec.name, diagnostic)
            seen.add(diagnostic["code"])
    assert len(seen) > 30

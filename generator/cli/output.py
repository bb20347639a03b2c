"""Shared by the newer commands: one JSON document or text, and the exit codes of the README.

Exit codes: 0 fine, 1 the spec is (or would become) invalid, 2 usage or I/O error.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from generator.spec.diagnostics import Diagnostic, error
from generator.spec.load import DEFAULT_SPEC

# Codes that mean "the command line or the file system", not "the spec": exit code 2.
USAGE_CODES = frozenset({"E100", "E701", "E900", "E901", "E902", "E903"})

FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format; json prints one JSON document on stdout.",
)

SPEC_OPTION = click.option(
    "--spec",
    "spec",
    default=DEFAULT_SPEC,
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The spec file to edit.",
)


def exit_code(diagnostics: list[Diagnostic]) -> int:
    return 2 if any(d.code in USAGE_CODES for d in diagnostics) else 1


def emit_json(document: Any) -> None:
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


def fail(
    diagnostics: list[Diagnostic], fmt: str, *, extra: dict[str, Any] | None = None
) -> NoReturn:
    """Report errors (one JSON document, or text lines on stderr) and exit 1 or 2."""
    if fmt == "json":
        emit_json({"ok": False, **(extra or {}), "errors": [d.as_json() for d in diagnostics]})
    else:
        for diagnostic in diagnostics:
            click.echo(as_text(diagnostic), err=True)
    sys.exit(exit_code(diagnostics))


def as_text(diagnostic: Diagnostic) -> str:
    """Like Diagnostic.as_text, without the position for problems that have none."""
    if diagnostic.line:
        return diagnostic.as_text()
    where = f"{diagnostic.file}: " if diagnostic.file else ""
    hint = f" (hint: {diagnostic.fix})" if diagnostic.fix else ""
    return f"{where}{diagnostic.level}[{diagnostic.code}]: {diagnostic.message}{hint}"


def _wants_json(argv: list[str]) -> bool:
    pairs = zip(argv, [*argv[1:], ""], strict=True)
    return "--format=json" in argv or any(a == "--format" and b == "json" for a, b in pairs)


class JsonGroup(click.Group):
    """A command group whose usage errors are one JSON document when the command line asked for
    `--format json` (a list for `validate`, whose JSON output is a list of diagnostics).

    Commands named in `lazy` ("name" -> "module:attribute") are imported only when run or listed
    in help: the spec-editing and agent commands pull in ruamel.yaml and more, which a generate
    (run on every save) should not wait for.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy: dict[str, str] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            module, _, attribute = self.lazy[cmd_name].partition(":")
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        if not standalone_mode or not _wants_json(argv):
            return super().main(
                argv,
                prog_name,
                complete_var,
                standalone_mode,
                windows_expand_args=windows_expand_args,
                **extra,
            )
        try:
            result = super().main(
                argv,
                prog_name,
                complete_var,
                False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
        except click.ClickException as exc:
            usage = isinstance(exc, click.UsageError)
            hint = "see `eventforge --help` and `eventforge COMMAND --help`"
            diagnostic = error("E900", exc.format_message(), hint=hint)
            document: Any = [diagnostic.as_json()]
            if not argv or argv[0] != "validate":
                document = {"ok": False, "errors": document}
            emit_json(document)
            sys.exit(2 if usage else exc.exit_code)
        except click.exceptions.Abort:
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)

"""Commands for agents: `context`, `slices`, `prompt` and `mcp`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from generator.agent.context import brief, names
from generator.agent.prompt import DEFAULT_EXAMPLE, build_prompt, example_names
from generator.agent.slices import slices as list_slices
from generator.cli.output import FORMAT, emit_json, fail
from generator.spec.diagnostics import Level, SpecError, error, listing
from generator.spec.load import DEFAULT_SPEC, LoadedSpec, load_file
from generator.spec.model import Spec
from generator.spec.validate import validate_loaded

_SPEC = click.argument(
    "spec", required=False, default=DEFAULT_SPEC, type=click.Path(path_type=Path)
)
_OUT = click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the generated package is (default: the spec's directory).",
)


def _valid(spec_path: Path, fmt: str) -> tuple[Spec, LoadedSpec]:
    """The validated spec, or exit with its errors."""
    try:
        loaded = load_file(spec_path)
    except SpecError as exc:
        fail(exc.diagnostics, fmt)
    spec, diagnostics = validate_loaded(loaded)
    if spec is None:
        fail([d for d in diagnostics if d.level is Level.ERROR], fmt)
    return spec, loaded


def _out(spec_path: Path, out: Path | None) -> Path:
    if out is not None:
        return out
    return spec_path.parent if str(spec_path.parent) else Path(".")


@click.command()
@_SPEC
@click.option(
    "--slice",
    "name",
    default=None,
    metavar="NAME",
    help="One command, read model, automation or aggregate.",
)
@click.option(
    "--mutants",
    "with_mutants",
    is_flag=True,
    help="With --slice: also list the slice's rules no scenario pins (runs its scenarios).",
)
@_OUT
@FORMAT
def context(spec: Path, name: str | None, with_mutants: bool, out: Path | None, fmt: str) -> None:
    """Print a compact Markdown brief of the domain, or of one slice (--slice NAME): its fields,
    rules, events, the state it touches, its scenarios, and the files to read and to write.

    \b
    Examples:
      eventforge context                      # the whole domain
      eventforge context --slice CloseAccount # one command
      eventforge context --slice CloseAccount --format json   # with its size
      eventforge context --slice DepositMoney --mutants      # and the rules to pin
    """
    if with_mutants and name is None:
        hint = "name a slice: --slice NAME --mutants, or run `eventforge mutants` for all"
        fail([error("E900", "--mutants needs --slice", hint=hint)], fmt)
    model, loaded = _valid(spec, fmt)
    known = names(model)
    if name is not None and name not in known:
        fail(
            [
                error(
                    "E901",
                    f"the spec has no slice {name!r}",
                    file=str(spec),
                    hint=f"slices: {listing(known, name)}",
                )
            ],
            fmt,
        )
    result = brief(model, loaded, spec, _out(spec, out), name, mutants=with_mutants)
    if fmt == "json":
        emit_json(result.as_json(spec))
    else:
        click.echo(result.markdown, nl=False)
        click.echo(f"({result.bytes} bytes, about {result.tokens} tokens)", err=True)
    sys.exit(0)


@click.command()
@_SPEC
@_OUT
@FORMAT
def slices(spec: Path, out: Path | None, fmt: str) -> None:
    """List the slices (commands, read models, automations) with their status: implemented,
    custom handler missing, or not generated.

    \b
    Example:
      eventforge slices --format json
    """
    model, _ = _valid(spec, fmt)
    target = _out(spec, out)
    found = list_slices(model, spec, target)
    if fmt == "json":
        emit_json(
            {
                "ok": True,
                "spec": str(spec),
                "out": str(target),
                "slices": [s.as_json() for s in found],
            }
        )
    else:
        for item in found:
            where = f"  (write {', '.join(item.write)})" if item.write else ""
            click.echo(f"{item.status:>22}  {item.kind:<10}  {item.name}{where}")
    sys.exit(0)


@click.command()
@click.argument("description")
@click.option(
    "--example",
    default=DEFAULT_EXAMPLE,
    show_default=True,
    help="The example spec shown as a worked example.",
)
@FORMAT
def prompt(description: str, example: str, fmt: str) -> None:
    """Print one self-contained prompt that asks any language model to draft eventforge.yaml for
    DESCRIPTION ("-" reads it from stdin). eventforge makes no network call: pipe the prompt into
    the model you use, save the answer, and check it with `eventforge validate --format json`
    (each error carries a one-line fix hint; paste them back and repeat).

    \b
    Example:
      eventforge prompt "A gym: members book classes; a class has 20 places" | llm > eventforge.yaml
    """
    if description == "-":
        description = sys.stdin.read()
    if example not in example_names():
        fail(
            [
                error(
                    "E900",
                    f"there is no example {example!r}",
                    hint=f"examples: {', '.join(example_names())}",
                )
            ],
            fmt,
        )
    if not description.strip():
        fail(
            [
                error(
                    "E900",
                    "the description is empty",
                    hint='say what the domain is about: eventforge prompt "..."',
                )
            ],
            fmt,
        )
    result = build_prompt(description, example=example)
    if fmt == "json":
        emit_json(result.as_json())
    else:
        click.echo(result.text, nl=False)
    sys.exit(0)


@click.command()
@FORMAT
def mcp(fmt: str) -> None:
    """Run a Model Context Protocol server over stdio, for agents: tools to validate, plan,
    generate, check, give context, list slices and edit the spec; the spec language reference and
    the JSON Schema as resources. Needs the extra: pip install 'eventforge[mcp]'.

    \b
    Example (an MCP client runs it in the project directory):
      eventforge mcp
      {"command": "eventforge", "args": ["mcp"], "cwd": "/path/to/project"}
    """
    try:
        import mcp.server.mcpserver  # noqa: F401 - only to learn whether the extra is installed
    except ImportError as exc:
        message = f"`eventforge mcp` needs the MCP Python SDK, which is not installed ({exc})"
        fail([error("E903", message, hint="pip install 'eventforge[mcp]'")], fmt)
    from generator.agent.mcp_server import serve
    from generator.cli.main import main  # here: main loads this module lazily

    serve(main)

"""`eventforge remove | rename`, and what every spec-editing command shares (`add` is in
add.py): edit eventforge.yaml in place, validated before writing.

Each command changes the spec's YAML tree (comments, key order and quoting stay as written),
validates the result with the usual validator and writes it atomically, or refuses with the
located errors and leaves the file as it was.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

import click

from generator.cli.output import FORMAT, SPEC_OPTION, emit_json, fail
from generator.edit import ops as ops
from generator.edit import refs as refs
from generator.edit.session import EditRefused, EditResult, Operation, run_edit
from generator.spec.diagnostics import SpecError

_REFUSED_NOTE = "the positions below are in the edited text; --dry-run shows it as a diff"
DRY_RUN = click.option("--dry-run", is_flag=True, help="Show the change as a diff; write nothing.")
FIELDS = click.option(
    "--field",
    "fields",
    multiple=True,
    metavar="NAME:TYPE[=DEFAULT]",
    help="A field, like amount:decimal, note:str?, tags:list[str], stock:map[str, int], "
    "limit:decimal=0, grace:duration=24h (repeatable).",
)
DESCRIPTION = click.option("--description", default="", help="Documentation text.")


def edit(
    action: str,
    operation: Operation,
    *,
    spec: Path,
    fmt: str,
    dry_run: bool,
    mention: tuple[str, ...] = (),
    out: Path | None = None,
) -> None:
    try:
        result = run_edit(spec, action, operation, dry_run=dry_run, mention=mention, out=out)
    except SpecError as exc:
        refused = exc.diff if isinstance(exc, EditRefused) else ""
        if fmt != "json":
            click.echo(f"{spec}: not changed ({action} refused)", err=True)
            if refused:
                click.echo(refused if dry_run else _REFUSED_NOTE, err=True, nl=not dry_run)
        fail(exc.diagnostics, fmt, extra={"action": action, "spec": str(spec), "diff": refused})
    if fmt == "json":
        emit_json(result.as_json())
    else:
        _print_result(result)
    sys.exit(0)


def _print_result(result: EditResult) -> None:
    if result.dry_run:
        click.echo(result.diff, nl=False)
    verb = "would be " if result.dry_run else ""
    state = f"{verb}changed" if result.diff else "unchanged"
    click.echo(f"{result.change.summary} ({result.spec} {state})")
    for note in result.change.notes:
        click.echo(f"  {note}")
    for mention in result.mentions:
        click.echo(f"{mention.path}:{mention.line}: mentions it: {mention.text}")
    for warning in result.warnings:
        click.echo(warning.as_text(), err=True)
    for step in result.next_steps:
        click.echo(f"next: {step}", err=True)


def guarded(build: Callable[[], Operation], fmt: str, action: str, spec: Path) -> Operation:
    """Read the arguments; a malformed one is reported like any other error."""
    try:
        return build()
    except SpecError as exc:
        fail(exc.diagnostics, fmt, extra={"action": action, "spec": str(spec)})


# -- remove ----------------------------------------------------------------------------------------


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def remove() -> None:
    """Remove something from the spec.

    Removing a command removes its scenarios too. Anything else that still refers to what is
    removed (an event a command emits, an error a guard uses) makes the edit invalid, and it is
    refused with those references as errors: remove or change them first. User-owned files that
    mention the name are listed.
    """


def _remove_command(kind: str) -> click.Command:
    @click.command(kind)
    @click.argument("name")
    @SPEC_OPTION
    @DRY_RUN
    @FORMAT
    def command(name: str, spec: Path, dry_run: bool, fmt: str) -> None:
        operation = partial(refs.remove, kind=kind, name=name)
        edit(f"remove {kind}", operation, spec=spec, fmt=fmt, dry_run=dry_run, mention=(name,))

    command.help = f"Remove {kind.replace('-', ' ')} NAME.\n\n\b\nExample:\n  eventforge remove {kind} {_EXAMPLE_NAMES[kind]}"
    return command


_EXAMPLE_NAMES = {
    "aggregate": "Loan",
    "command": "FreezeAccount",
    "event": "AccountFrozen",
    "error": "AccountIsFrozen",
    "type": "Money",
    "read-model": "FrozenAccounts",
    "automation": "WelcomeBonus",
}

for _kind in ops.KINDS:
    remove.add_command(_remove_command(_kind))


@remove.command("field")
@click.argument("owner")
@click.argument("name")
@SPEC_OPTION
@DRY_RUN
@FORMAT
def remove_field(owner: str, name: str, spec: Path, dry_run: bool, fmt: str) -> None:
    """Remove field NAME from OWNER (an aggregate's state, a command, an event, a value object,
    a read model).

    \b
    Example:
      eventforge remove field OpenAccount nickname
    """
    edit(
        "remove field",
        partial(refs.remove_field, owner=owner, name=name),
        spec=spec,
        fmt=fmt,
        dry_run=dry_run,
        mention=(name,),
    )


@remove.command("scenario")
@click.argument("owner")
@click.argument("name")
@SPEC_OPTION
@DRY_RUN
@FORMAT
def remove_scenario(owner: str, name: str, spec: Path, dry_run: bool, fmt: str) -> None:
    """Remove the scenario called NAME from OWNER (an aggregate, read model or automation).

    \b
    Example:
      eventforge remove scenario Account "deposits add up"
    """
    edit(
        "remove scenario",
        partial(refs.remove_scenario, owner=owner, name=name),
        spec=spec,
        fmt=fmt,
        dry_run=dry_run,
    )


# -- rename ----------------------------------------------------------------------------------------


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def rename() -> None:
    """Rename something and every reference to it.

    Events are followed into emits, scenarios, read models and automations; commands into
    scenarios and automations; errors into guards and scenarios; types into field types.
    User-owned files that mention the old name are listed: update them after generating.
    """


def _rename_command(kind: str) -> click.Command:
    @click.command(kind)
    @click.argument("old")
    @click.argument("new")
    @SPEC_OPTION
    @click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Where the generated package is (default: the spec's directory), to list user files that mention OLD.",
    )
    @DRY_RUN
    @FORMAT
    def command(old: str, new: str, spec: Path, out: Path | None, dry_run: bool, fmt: str) -> None:
        operation = partial(refs.rename, kind=kind, old=old, new=new)
        edit(
            f"rename {kind}",
            operation,
            spec=spec,
            fmt=fmt,
            dry_run=dry_run,
            mention=(old,),
            out=out,
        )

    old, new = _RENAME_EXAMPLES[kind]
    command.help = f"Rename {kind.replace('-', ' ')} OLD to NEW, following every reference.\n\n\b\nExample:\n  eventforge rename {kind} {old} {new}"
    return command


_RENAME_EXAMPLES = {
    "aggregate": ("Account", "CurrentAccount"),
    "command": ("FreezeAccount", "SuspendAccount"),
    "event": ("AccountFrozen", "AccountSuspended"),
    "error": ("AccountIsFrozen", "AccountIsSuspended"),
    "type": ("Money", "Amount"),
    "read-model": ("AccountBalances", "Balances"),
    "automation": ("WelcomeBonus", "OpeningBonus"),
}

for _kind in ops.KINDS:
    rename.add_command(_rename_command(_kind))

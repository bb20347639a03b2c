"""`eventforge add reject | emit | read`: a rule, an `emits` entry or a read added to a command
that exists, in place, validated before it is written (registered on `add` in add.py)."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import click

from generator.cli.edit import DRY_RUN, edit, guarded
from generator.cli.output import FORMAT, SPEC_OPTION
from generator.edit import args as args
from generator.edit import rules as rules
from generator.edit.session import Operation


@click.command("reject")
@click.argument("command")
@click.option("--if", "condition", required=True, help="The condition, like 'state.closed'.")
@click.option("--error", default=None, metavar="ERROR", help="The error it raises.")
@click.option(
    "--emits",
    multiple=True,
    metavar="EVENT",
    help="An event it records instead of raising, or 'Event: {field: ...}' (repeatable).",
)
@SPEC_OPTION
@DRY_RUN
@FORMAT
def add_reject(
    command: str,
    condition: str,
    error: str | None,
    emits: tuple[str, ...],
    spec: Path,
    dry_run: bool,
    fmt: str,
) -> None:
    """Add a rule to COMMAND, checked after its other rules: when --if holds, it raises --error,
    or records the --emits events instead (and the decision stops there).

    \b
    Example:
      eventforge add reject WithdrawMoney --if 'command.amount <= 0' --error InvalidAmount
      eventforge add reject AddItem --if 'len(state.items) >= 3' --emits CartLimitReached
    """

    def build() -> Operation:
        if (error is None) == (not emits):
            args.usage_error(
                "say what the rule does: --error ERROR, or --emits EVENT (not both)",
                where="--error",
            )
        return partial(
            rules.add_reject,
            command=command,
            condition=condition,
            error=error,
            emits=[args.emit(e) for e in emits],
        )

    edit("add reject", guarded(build, fmt, "add reject", spec), spec=spec, fmt=fmt, dry_run=dry_run)


@click.command("emit")
@click.argument("command")
@click.argument("event", metavar="EVENT")
@click.option("--if", "condition", default=None, help="Emit it only when this holds.")
@SPEC_OPTION
@DRY_RUN
@FORMAT
def add_emit(
    command: str, event: str, condition: str | None, spec: Path, dry_run: bool, fmt: str
) -> None:
    """Add EVENT (a name, or 'Event: {field: "= expr"}') at the end of what COMMAND emits;
    with --if, only when that condition holds.

    \b
    Example:
      eventforge add emit AddItem 'CartCreated' --if 'not state.exists'
      eventforge add emit WithdrawMoney 'FeeCharged: {fee: 1}' --if 'command.amount < 10'
    """
    operation = guarded(
        lambda: partial(
            rules.add_emit, command=command, emit=args.emit(event), condition=condition
        ),
        fmt,
        "add emit",
        spec,
    )
    edit("add emit", operation, spec=spec, fmt=fmt, dry_run=dry_run)


@click.command("read")
@click.argument("command")
@click.argument("name")
@click.option("--read-model", default=None, metavar="NAME", help="Read a read model's rows.")
@click.option("--aggregate", default=None, metavar="NAME", help="Read an aggregate's states.")
@click.option(
    "--key",
    multiple=True,
    help="The row's key, like '= command.product_id'; for a read model keyed by several fields, "
    "one --key per field, in the key's order.",
)
@click.option(
    "--where",
    multiple=True,
    metavar="'FIELD: VALUE'",
    help="Rows whose field has this value, like 'cart_id: = command.cart_id' (repeatable).",
)
@click.option("--id", "id_", default=None, help="The stream's id, like '= command.product_id'.")
@click.option("--ids", default=None, help="A list of stream ids, like '= command.product_ids'.")
@SPEC_OPTION
@DRY_RUN
@FORMAT
def add_read(
    command: str,
    name: str,
    read_model: str | None,
    aggregate: str | None,
    key: tuple[str, ...],
    where: tuple[str, ...],
    id_: str | None,
    ids: str | None,
    spec: Path,
    dry_run: bool,
    fmt: str,
) -> None:
    """Add a read NAME to COMMAND: an input from outside its stream, passed to its decide() by
    name. A read model's row by --key (or None), its rows by --where, or an aggregate's state by
    --id (or states by --ids).

    \b
    Example:
      eventforge add read AddItem product --read-model Products --key '= command.product_id'
    """

    def build() -> Operation:
        read: dict[str, Any] = {}
        if read_model is not None:
            read["read_model"] = read_model
        if aggregate is not None:
            read["aggregate"] = aggregate
        if key:
            read["key"] = key[0] if len(key) == 1 else list(key)
        if where:
            read["where"] = {}
            for text in where:
                read["where"].update(args.snippet(text, option="--where"))
        if id_ is not None:
            read["id"] = id_
        if ids is not None:
            read["ids"] = ids
        return partial(rules.add_read, command=command, name=name, read=read)

    edit("add read", guarded(build, fmt, "add read", spec), spec=spec, fmt=fmt, dry_run=dry_run)

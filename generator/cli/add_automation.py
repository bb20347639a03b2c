"""`eventforge add automation`: an automation, a process step, added to the spec in place."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import click

from generator.cli.edit import DESCRIPTION, DRY_RUN, edit, guarded
from generator.cli.output import FORMAT, SPEC_OPTION
from generator.edit import args as args
from generator.edit import ops as ops


@click.command("automation")
@click.argument("name")
@click.option(
    "--on",
    "on",
    multiple=True,
    metavar="EVENT",
    help="An event that triggers it (repeatable: any of several events).",
)
@click.option(
    "--on-rejected",
    metavar="COMMAND",
    help="Instead of --on: the rejection of COMMAND, which another automation sends.",
)
@click.option("--if", "condition", help="Send only when this holds, like 'event.amount > 0'.")
@click.option(
    "--read",
    "reads",
    multiple=True,
    metavar="'NAME: {...}'",
    help="A read, like 'items: {read_model: CartItems, where: {product_id: = event.product_id}}' "
    "(repeatable).",
)
@click.option(
    "--send",
    required=True,
    multiple=True,
    metavar="'COMMAND: {...}'",
    help="A command to send; values may be '= event.field'; with 'for: item in items' or "
    "'if: ...' beside the command (repeatable: sent in order).",
)
@click.option("--custom", is_flag=True, help="send() is hand-written (handler: custom).")
@DESCRIPTION
@SPEC_OPTION
@DRY_RUN
@FORMAT
def add_automation(
    name: str,
    on: tuple[str, ...],
    on_rejected: str | None,
    condition: str | None,
    reads: tuple[str, ...],
    send: tuple[str, ...],
    custom: bool,
    description: str,
    spec: Path,
    dry_run: bool,
    fmt: str,
) -> None:
    """Add automation NAME: when event --on happens, send commands.

    \b
    Examples:
      eventforge add automation CloseFrozenAccounts --on AccountFrozen \\
          --send 'CloseAccount: {account_id: = event.account_id}'
      eventforge add automation ArchiveItems --on PriceChanged \\
          --if 'event.new_price != event.old_price' \\
          --read 'items: {read_model: CartItems, where: {product_id: = event.product_id}}' \\
          --send '{ArchiveItem: {cart_id: = item.cart_id}, for: item in items}'
      eventforge add automation ReturnRejectedTransfers --on-rejected ReceiveTransfer \\
          --send 'ReturnTransfer: {account_id: = event.from_account_id, amount: = event.amount}'
    """

    def operation_of() -> Any:
        if bool(on) == bool(on_rejected):
            args.usage_error(
                "give the events with --on, or the rejected command with --on-rejected (one of them)",
                where="--on",
            )
        trigger: Any = (
            {"rejected": on_rejected} if on_rejected else (on[0] if len(on) == 1 else list(on))
        )
        read_map: dict[str, Any] = {}
        for text in reads:
            read_map.update(args.snippet(text, option="--read"))
        return partial(
            ops.add_automation,
            name=name,
            on=trigger,
            send=[args.send_entry(text) for text in send],
            description=description,
            condition=condition,
            reads=read_map,
            custom=custom,
        )

    operation = guarded(operation_of, fmt, "add automation", spec)
    edit("add automation", operation, spec=spec, fmt=fmt, dry_run=dry_run)

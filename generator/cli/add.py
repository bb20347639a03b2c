"""`eventforge add KIND ...`: add an aggregate, command, event, error, field, scenario, read
model or automation to the spec, in place, validated before it is written."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import click

from generator.cli.add_automation import add_automation
from generator.cli.add_rules import add_emit, add_read, add_reject
from generator.cli.add_stories import AT, add_step, add_timeline
from generator.cli.edit import DESCRIPTION, DRY_RUN, FIELDS, edit, guarded
from generator.cli.output import FORMAT, SPEC_OPTION
from generator.edit import args as args
from generator.edit import ops as ops
from generator.edit.session import Operation

# -- add -----------------------------------------------------------------------------------------


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def add() -> None:
    """Add an aggregate, command, event, error, field, scenario, read model or automation; or a
    rule (reject), an emitted event (emit) or a read to a command; or a timeline, or a step to
    one.

    The spec (--spec, default ./eventforge.yaml) is edited in place: comments, key order and
    quoting stay as they were. The result is validated first; an edit that would make the spec
    invalid is refused with the usual errors (exit 1) and the file is left as it was.
    Then run `eventforge generate`.
    """


add.add_command(add_reject)
add.add_command(add_emit)
add.add_command(add_automation)
add.add_command(add_read)
add.add_command(add_timeline)
add.add_command(add_step)


@add.command("aggregate")
@click.argument("name")
@click.option(
    "--id",
    "id_field",
    default=None,
    metavar="NAME[:TYPE]",
    help="Id field (default: <name>_id, a uuid); TYPE is uuid or str.",
)
@click.option(
    "--state", multiple=True, metavar="NAME:TYPE[=DEFAULT]", help="A state field (repeatable)."
)
@DESCRIPTION
@SPEC_OPTION
@DRY_RUN
@FORMAT
def add_aggregate(
    name: str,
    id_field: str | None,
    state: tuple[str, ...],
    description: str,
    spec: Path,
    dry_run: bool,
    fmt: str,
) -> None:
    """Add aggregate NAME (a consistency boundary with its own state and events).

    \b
    Example:
      eventforge add aggregate Loan --state amount:decimal --state 'repaid:bool=false'
    """
    operation = guarded(
        lambda: partial(
            ops.add_aggregate,
            name=name,
            id_field=id_field,
            state=args.parse_fields(state),
            description=description,
        ),
        fmt,
        "add aggregate",
        spec,
    )
    edit("add aggregate", operation, spec=spec, fmt=fmt, dry_run=dry_run)


@add.command("error")
@click.argument("aggregate")
@click.argument("name")
@click.argument("message", required=False, default="")
@SPEC_OPTION
@DRY_RUN
@FORMAT
def add_error(aggregate: str, name: str, message: str, spec: Path, dry_run: bool, fmt: str) -> None:
    """Add error NAME, with MESSAGE, to AGGREGATE (for a command's --reject rules).

    \b
    Example:
      eventforge add error Account AccountIsFrozen "The account is frozen."
    """
    operation = partial(ops.add_error, aggregate=aggregate, name=name, message=message)
    edit("add error", operation, spec=spec, fmt=fmt, dry_run=dry_run)


@add.command("event")
@click.argument("aggregate")
@click.argument("name")
@FIELDS
@click.option(
    "--apply",
    "apply",
    multiple=True,
    metavar="'FIELD: VALUE'",
    help="How the event changes state: a literal or '= expression' (repeatable). Without it, fields named like state fields are copied.",
)
@DESCRIPTION
@SPEC_OPTION
@DRY_RUN
@FORMAT
def add_event(
    aggregate: str,
    name: str,
    fields: tuple[str, ...],
    apply: tuple[str, ...],
    description: str,
    spec: Path,
    dry_run: bool,
    fmt: str,
) -> None:
    """Add event NAME (past tense) to AGGREGATE.

    \b
    Example:
      eventforge add event Account AccountFrozen --field reason:str --apply 'frozen: true'
      eventforge add event Account FeeCharged --field fee:decimal \\
          --apply 'balance: = state.balance - event.fee'
    """

    def build() -> Operation:
        applied: dict[str, Any] = {}
        for text in apply:
            applied.update(args.snippet(text, option="--apply"))
        return partial(
            ops.add_event,
            aggregate=aggregate,
            name=name,
            fields=args.parse_fields(fields),
            apply=applied,
            description=description,
        )

    edit("add event", guarded(build, fmt, "add event", spec), spec=spec, fmt=fmt, dry_run=dry_run)


@add.command("command")
@click.argument("aggregate")
@click.argument("name")
@FIELDS
@click.option(
    "--emits",
    multiple=True,
    metavar="EVENT",
    help="An event it emits, or 'Event: {field: \"= command.x\"}' (repeatable, in order).",
)
@click.option(
    "--reject",
    "rejects",
    multiple=True,
    metavar="'ERROR: CONDITION'",
    help="A guard checked before deciding, like 'AccountIsClosed: state.closed' (repeatable).",
)
@click.option("--creates", is_flag=True, help="The command starts a new stream.")
@click.option(
    "--creates-if-missing",
    is_flag=True,
    help="The command runs on a new stream or an existing one (creates: if-missing).",
)
@click.option(
    "--custom",
    is_flag=True,
    help="decide() is hand-written in a user-owned file (handler: custom).",
)
@DESCRIPTION
@SPEC_OPTION
@DRY_RUN
@FORMAT
def add_command(
    aggregate: str,
    name: str,
    fields: tuple[str, ...],
    emits: tuple[str, ...],
    rejects: tuple[str, ...],
    creates: bool,
    creates_if_missing: bool,
    custom: bool,
    description: str,
    spec: Path,
    dry_run: bool,
    fmt: str,
) -> None:
    """Add command NAME (imperative) to AGGREGATE.

    \b
    Example:
      eventforge add command Account FreezeAccount --field reason:str \\
          --emits AccountFrozen --reject 'AccountIsClosed: state.closed' --custom
    """
    operation = guarded(
        lambda: partial(
            ops.add_command,
            aggregate=aggregate,
            name=name,
            fields=args.parse_fields(fields),
            emits=[args.emit(e) for e in emits],
            rejects=[args.guard(r) for r in rejects],
            creates="if-missing" if creates_if_missing else creates,
            custom=custom,
            description=description,
        ),
        fmt,
        "add command",
        spec,
    )
    edit("add command", operation, spec=spec, fmt=fmt, dry_run=dry_run)


@add.command("field")
@click.argument("owner")
@click.argument("fields", nargs=-1, required=True, metavar="NAME:TYPE[=DEFAULT]...")
@SPEC_OPTION
@DRY_RUN
@FORMAT
def add_field(owner: str, fields: tuple[str, ...], spec: Path, dry_run: bool, fmt: str) -> None:
    """Add fields to OWNER: an aggregate (its state), a command, an event, a value object or a
    read model.

    \b
    Example:
      eventforge add field OpenAccount 'nickname:str?'
      eventforge add field Account 'frozen:bool=false'
    """
    operation = guarded(
        lambda: partial(ops.add_field, owner=owner, fields=args.parse_fields(fields)),
        fmt,
        "add field",
        spec,
    )
    edit("add field", operation, spec=spec, fmt=fmt, dry_run=dry_run)


@add.command("scenario")
@click.argument("owner")
@click.option(
    "--name", "title", required=True, help="What the scenario shows; it names the generated test."
)
@click.option(
    "--given", multiple=True, metavar="'EVENT: {...}'", help="A past event (repeatable, in order)."
)
@click.option(
    "--when",
    "when",
    default=None,
    metavar="'COMMAND: {...}'",
    help="The command handled (aggregate scenarios).",
)
@click.option(
    "--then",
    "then",
    multiple=True,
    metavar="'EVENT: {...}'",
    help="An expected event; a row for a read model; a command for an automation (repeatable).",
)
@click.option(
    "--then-state",
    multiple=True,
    metavar="'FIELD: VALUE'",
    help="Expected state after the new events (repeatable).",
)
@click.option(
    "--then-error",
    default=None,
    metavar="ERROR",
    help="The error the command must be rejected with.",
)
@click.option("--then-nothing", is_flag=True, help="Expect no events (or no rows, no commands).")
@AT
@DESCRIPTION
@SPEC_OPTION
@DRY_RUN
@FORMAT
def add_scenario(
    owner: str,
    title: str,
    given: tuple[str, ...],
    when: str | None,
    then: tuple[str, ...],
    then_state: tuple[str, ...],
    then_error: str | None,
    then_nothing: bool,
    at: str | None,
    description: str,
    spec: Path,
    dry_run: bool,
    fmt: str,
) -> None:
    """Add a given-when-then scenario to OWNER: the aggregate of the command, or a read model or
    automation. Write it before the code: its generated test fails until the slice works.

    \b
    Example:
      eventforge add scenario Account --name "a frozen account refuses deposits" \\
          --given 'AccountOpened: {owner: Ada, overdraft_limit: 0}' \\
          --given 'AccountFrozen: {reason: fraud}' \\
          --when 'DepositMoney: {amount: 5}' --then-error AccountIsFrozen
      eventforge add scenario Ticket --name "a ticket is stamped" --at 2024-05-01T10:00:00Z \\
          --when 'OpenTicket: {title: Printer}' \\
          --then 'TicketOpened: {opened_at: 2024-05-01T10:00:00Z}'
    """

    def build() -> Operation:
        scenario: dict[str, Any] = {"name": title}
        if description:
            scenario["description"] = description
        if at is not None:
            scenario["at"] = at
        scenario["given"] = [args.record(g, option="--given") for g in given]
        if when is not None:
            scenario["when"] = args.record(when, option="--when")
        scenario["then"] = _then(then, then_state, then_error, then_nothing)
        return partial(ops.add_scenario, owner=owner, scenario=scenario)

    edit(
        "add scenario",
        guarded(build, fmt, "add scenario", spec),
        spec=spec,
        fmt=fmt,
        dry_run=dry_run,
    )


def _then(then: tuple[str, ...], state: tuple[str, ...], error: str | None, nothing: bool) -> Any:
    expected = [
        args.record(t, option="--then") if args.is_name(t) else args.snippet(t, option="--then")
        for t in then
    ]
    if error is not None:
        if then or state or nothing:
            args.usage_error(
                "--then-error cannot be combined with --then, --then-state or --then-nothing",
                where="--then-error",
            )
        return {"error": error}
    if state:
        values: dict[str, Any] = {}
        for text in state:
            values.update(args.snippet(text, option="--then-state"))
        return {"events": expected, "state": values} if expected else {"state": values}
    if expected or nothing:
        return expected
    args.usage_error(
        "say what must happen: --then (repeatable), --then-state, --then-error or --then-nothing",
        where="--then",
    )


@add.command("read-model")
@click.argument("name")
@click.option(
    "--key",
    required=True,
    help="The field that identifies a row (often a stream id, like account_id), or several "
    "separated by commas (cart_id,product_id).",
)
@FIELDS
@click.option(
    "--index",
    multiple=True,
    metavar="FIELD",
    help="A row field rows are also looked up by (repeatable).",
)
@click.option(
    "--on",
    "handlers",
    multiple=True,
    required=True,
    metavar="'EVENT: {set: {...}}'",
    help="What an event does to the rows (repeatable): 'Event: {set: {field: value}}', "
    "'Event: delete', 'Event: {delete_where: {field: value}}', each maybe with 'if: condition'; "
    "with --custom, just the event's name.",
)
@click.option(
    "--custom",
    is_flag=True,
    help="update(row, event) is written by hand, in a stub generate creates once.",
)
@DESCRIPTION
@SPEC_OPTION
@DRY_RUN
@FORMAT
def add_read_model(
    name: str,
    key: str,
    fields: tuple[str, ...],
    index: tuple[str, ...],
    handlers: tuple[str, ...],
    custom: bool,
    description: str,
    spec: Path,
    dry_run: bool,
    fmt: str,
) -> None:
    """Add read model NAME: rows kept up to date from events.

    \b
    Example:
      eventforge add read-model FrozenAccounts --key account_id --field reason:str \\
          --on 'AccountFrozen: {set: {reason: = event.reason}}' --on 'AccountClosed: delete'
      eventforge add read-model CartLines --key cart_id,sku --field quantity:int --index sku \\
          --on 'ItemAdded: {if: event.quantity > 0, set: {quantity: = event.quantity}}' \\
          --on 'CartCleared: {delete_where: {cart_id: = event.cart_id}}'
    """

    def build() -> Operation:
        on: dict[str, Any] | list[str] = (
            [h.strip() for h in handlers] if custom else dict(args.handler(h) for h in handlers)
        )
        keys = [k.strip() for k in key.split(",") if k.strip()]
        return partial(
            ops.add_read_model,
            name=name,
            key=keys if len(keys) > 1 else key.strip(),
            fields=args.parse_fields(fields),
            on=on,
            index=list(index),
            custom=custom,
            description=description,
        )

    edit(
        "add read-model",
        guarded(build, fmt, "add read-model", spec),
        spec=spec,
        fmt=fmt,
        dry_run=dry_run,
    )

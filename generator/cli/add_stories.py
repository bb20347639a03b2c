"""`eventforge add timeline | step`: a timeline (a story of several steps on the real
application) with its first step, and more steps for it; validated before they are written
(registered on `add` in add.py). `AT` is the `--at` option scenarios share."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import click

from generator.cli.edit import DESCRIPTION, DRY_RUN, edit, guarded
from generator.cli.output import FORMAT, SPEC_OPTION
from generator.edit import args as args
from generator.edit import stories as stories
from generator.edit.session import Operation

AT = click.option(
    "--at",
    default=None,
    metavar="TIME",
    help="The time now() reads, in ISO 8601 with its zone, like 2024-05-01T10:00:00Z.",
)


def _step_options(function: Callable[..., None]) -> Callable[..., None]:
    options = [
        click.option(
            "--when",
            "when",
            required=True,
            metavar="'COMMAND: {...}'",
            help="The command handled, its id field included (ids may be named: cart-1).",
        ),
        click.option(
            "--at",
            default=None,
            metavar="TIME",
            help="The time now() reads from this step on (ISO 8601 with its zone).",
        ),
        click.option(
            "--then",
            "then",
            multiple=True,
            metavar="'EVENT: {...}'",
            help="An event the command stored (repeatable, in order).",
        ),
        click.option(
            "--then-state",
            multiple=True,
            metavar="'FIELD: VALUE'",
            help="The state of the command's stream after the step; also version, exists.",
        ),
        click.option("--then-error", default=None, metavar="ERROR", help="The command's error."),
        click.option(
            "--rows",
            multiple=True,
            metavar="'READ_MODEL: {...}'",
            help="A row the read model holds after the step, its key included (repeatable; "
            "all of its rows are given); a bare name: no rows.",
        ),
        click.option(
            "--sent",
            multiple=True,
            metavar="'COMMAND: {...}'",
            help="A command the automations sent after the step (repeatable, in order).",
        ),
        click.option("--sent-nothing", is_flag=True, help="The automations sent nothing."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _step(options: dict[str, Any]) -> dict[str, Any]:
    step: dict[str, Any] = {}
    if options["at"] is not None:
        step["at"] = options["at"]
    step["when"] = args.record(options["when"], option="--when")
    then: dict[str, Any] = {}
    if options["then"]:
        then["events"] = [args.record(t, option="--then") for t in options["then"]]
    if options["then_error"] is not None:
        then["error"] = options["then_error"]
    if options["then_state"]:
        then["state"] = {}
        for text in options["then_state"]:
            then["state"].update(args.snippet(text, option="--then-state"))
    if options["rows"]:
        then["rows"] = {}
        for text in options["rows"]:
            [(name, row)] = args.record(text, option="--rows").items()
            then["rows"].setdefault(name, [])
            if row or not args.is_name(text):
                then["rows"][name].append(row)
    if options["sent"] or options["sent_nothing"]:
        if options["sent"] and options["sent_nothing"]:
            args.usage_error("--sent-nothing cannot be combined with --sent", where="--sent")
        then["sent"] = [args.record(t, option="--sent") for t in options["sent"]]
    if then:
        step["then"] = then
    return step


@click.command("timeline")
@click.option("--name", "title", required=True, help="The story it tells; it names the test.")
@click.option(
    "--given",
    multiple=True,
    metavar="'EVENT: {...}'",
    help="A past event of any aggregate, its id field included (repeatable, in order).",
)
@_step_options
@DESCRIPTION
@SPEC_OPTION
@DRY_RUN
@FORMAT
def add_timeline(
    title: str,
    given: tuple[str, ...],
    description: str,
    spec: Path,
    dry_run: bool,
    fmt: str,
    **step: Any,
) -> None:
    """Add a timeline: a story of several steps on the real application, with read models
    updated and automations run between steps; one generated test (tests/test_timelines.py).
    The options after --given make its first step; add more with `add step`.

    \b
    Example:
      eventforge add timeline --name "a cart is filled and submitted" \\
          --given 'CustomerRegistered: {customer_id: ada-1, name: Ada}' \\
          --at 2024-05-01T10:00:00Z \\
          --when 'AddItem: {cart_id: cart-1, sku: tea, quantity: 2}' \\
          --then 'ItemAdded: {quantity: 2}' --then-state 'items: 2' \\
          --rows 'CartItems: {line: cart-1/tea, quantity: 2}'
    """

    def build() -> Operation:
        return partial(
            stories.add_timeline,
            name=title,
            description=description,
            given=[args.record(g, option="--given") for g in given],
            step=_step(step),
        )

    edit(
        "add timeline",
        guarded(build, fmt, "add timeline", spec),
        spec=spec,
        fmt=fmt,
        dry_run=dry_run,
    )


@click.command("step")
@click.argument("timeline")
@_step_options
@SPEC_OPTION
@DRY_RUN
@FORMAT
def add_step(timeline: str, spec: Path, dry_run: bool, fmt: str, **step: Any) -> None:
    """Add a step at the end of TIMELINE (its name): a command, then what it must have done.

    \b
    Example:
      eventforge add step "a cart is filled and submitted" \\
          --when 'SubmitCart: {cart_id: cart-1, customer_id: ada-1}' \\
          --then CartSubmittedByCustomer --sent 'OpenOrder: {order_id: cart-1}'
    """
    operation = guarded(
        lambda: partial(stories.add_step, timeline=timeline, step=_step(step)),
        fmt,
        "add step",
        spec,
    )
    edit("add step", operation, spec=spec, fmt=fmt, dry_run=dry_run)

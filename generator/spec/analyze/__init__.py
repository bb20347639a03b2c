"""The meaning checks of a shape-checked spec (step 2b) and the building of its immutable model
(step 3), one module per concept sharing a Context of what is declared so far and what was found
wrong. It imports only its generator.spec siblings and generator.support.
"""

from __future__ import annotations

import functools
from pathlib import Path

from generator.spec import model as m
from generator.spec.analyze.aggregates import aggregate, aggregate_shell, with_scenarios
from generator.spec.analyze.automation_events import declare_external_events
from generator.spec.analyze.automations import automation, rejected_commands
from generator.spec.analyze.completeness import completeness
from generator.spec.analyze.context import Context
from generator.spec.analyze.declarations import (
    declare_aggregate_modules,
    declare_names,
    package_name,
)
from generator.spec.analyze.read_models import read_model
from generator.spec.analyze.reuse import Reuse, UnitMemo
from generator.spec.analyze.scenarios import aggregate_scenarios
from generator.spec.analyze.shared_types import declare_types
from generator.spec.analyze.timelines import timelines
from generator.spec.diagnostics import Diagnostic, has_errors
from generator.spec.load import LoadedSpec


def analyze(
    spec: LoadedSpec, memo: UnitMemo | None = None
) -> tuple[m.Spec | None, list[Diagnostic]]:
    """Validate the meaning and build the model in one pass over the (shape-checked) data.

    Each check that passes contributes a piece of the immutable model, each that fails adds a
    located diagnostic. When any error was found the model is discarded, so templates only ever
    see a fully valid spec. `memo`: the last analysis's units, reused where everything they read
    is the same (reuse.py); this analysis's units are kept in it.
    """
    ctx = Context(spec=spec, data=spec.data)
    result = _run(ctx, Reuse(memo))
    return (None if has_errors(ctx.diagnostics) else result), ctx.diagnostics


def _run(ctx: Context, reuse: Reuse) -> m.Spec | None:
    domain = str(ctx.data["domain"])
    ctx.package = package_name(ctx, domain)
    declare_names(ctx)
    enums, records = declare_types(ctx)
    for name, body in ctx.data["aggregates"].items():
        aggregate_shell(ctx, name, body or {})
    declare_aggregate_modules(ctx)
    # The costly steps, one unit per aggregate or read model, each reused when what it reads is
    # the same as last time (reuse.py). A unit reads its body through the Context it is given.
    for name in ctx.data["aggregates"]:
        built = reuse.run(ctx, f"aggregate {name}", functools.partial(_aggregate, name=name))
        if built is not None:
            ctx.aggregates[name] = built
    for name in ctx.data["aggregates"]:
        if name in ctx.aggregates:
            scenarios = reuse.run(
                ctx, f"scenarios {name}", functools.partial(_scenarios, name=name)
            )
            ctx.aggregates[name] = with_scenarios(ctx.aggregates[name], scenarios)
    external = declare_external_events(ctx)
    read_models = tuple(
        reuse.run(ctx, f"read model {name}", functools.partial(_read_model, name=name))
        for name in ctx.data.get("read_models") or {}
    )
    automations = tuple(
        automation(ctx, name, body) for name, body in (ctx.data.get("automations") or {}).items()
    )
    listeners = tuple(a for a in automations if a is not None)
    stories = timelines(
        ctx,
        list(ctx.data.get("timelines") or []),
        tuple(r for r in read_models if r is not None),
        tuple(a for a in automations if a is not None),
    )
    if has_errors(ctx.diagnostics):
        return None
    spec = m.Spec(
        domain=domain,
        package=ctx.package,
        description=str(ctx.data.get("description") or ""),
        spec_file=Path(ctx.spec.file).name,
        enums=enums,
        records=records,
        aggregates=tuple(ctx.aggregates.values()),
        read_models=tuple(r for r in read_models if r is not None),
        automations=listeners,
        timelines=stories,
        external_events=external,
        rejected_commands=rejected_commands(ctx, listeners),
    )
    completeness(ctx, spec)
    return spec


def _aggregate(ctx: Context, name: str) -> m.Aggregate | None:
    return aggregate(ctx, name, ctx.data["aggregates"][name] or {})


def _scenarios(ctx: Context, name: str) -> tuple[m.Scenario, ...]:
    body = ctx.data["aggregates"][name] or {}
    return aggregate_scenarios(
        ctx, ctx.aggregates[name], body.get("scenarios") or [], ("aggregates", name)
    )


def _read_model(ctx: Context, name: str) -> m.ReadModel | None:
    return read_model(ctx, name, ctx.data["read_models"][name])

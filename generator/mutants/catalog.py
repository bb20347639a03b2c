"""Every mutant of a spec: each declarative rule of the validated model, changed one way at a
time, in the spec's order (aggregates.py: commands and `apply`; views.py: read models and
automations; values.py: any written value)."""

from __future__ import annotations

from generator.mutants.aggregates import apply_mutants, command_mutants
from generator.mutants.mutant import Mutant, Source
from generator.mutants.views import automation_mutants, read_model_mutants
from generator.spec import model as m
from generator.spec.load import LoadedSpec


def catalog(spec: m.Spec, loaded: LoadedSpec) -> tuple[list[Mutant], list[str]]:
    """The mutants of every rule, and notes on what is left out and why."""
    source = Source(spec, loaded)
    mutants: list[Mutant] = []
    notes: list[str] = []
    for aggregate in spec.aggregates:
        for command in aggregate.commands:
            if command.custom:
                left = "so only its rules are mutated" if command.guards else "not mutated"
                notes.append(
                    f"{command.name}: handler custom, {left} (its decide() is hand-written)"
                )
            mutants += command_mutants(source, aggregate, command)
        mutants += apply_mutants(source, aggregate)
    for read_model in spec.read_models:
        if read_model.custom:
            notes.append(
                f"{read_model.name}: handler custom, not mutated (its update() is hand-written)"
            )
        mutants += read_model_mutants(source, read_model)
    for automation in spec.automations:
        mutants += automation_mutants(source, automation)
    return mutants, notes

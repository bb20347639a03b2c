"""Spec-level mutation analysis (`eventforge mutants`): each declarative rule of the validated
model changed one way at a time (operators.py, catalog.py), the spec's scenarios run against each
change in this process (run.py), and the changes no scenario notices reported with where the rule
is written and the scenario that would notice it (locate.py, suggest.py, report.py).

It imports generator.build, generator.evolution, generator.spec and generator.support, and is
imported by generator.agent (context) and generator.cli only.
"""

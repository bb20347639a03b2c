"""eventforge: generate tested, event-sourced Python packages from a YAML domain spec.

The packages follow the data: spec (load, validate, the model) -> evolution (the lock file) ->
build (plan, render, format, write), with edit and agent tools above and cli on top; each
imports only the packages below it (an import-linter contract in pyproject.toml).
"""

__version__ = "0.1.0"

"""From the model to files on disk: plan (which files, from which template, owned by whom),
render (Jinja2), format (imports tidied, ruff), write (verdicts, atomic writes, the manifest),
the caches, and pipeline.py, which runs them in that order.

It imports generator.evolution, generator.spec and generator.support, never the tools above.
"""

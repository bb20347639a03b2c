"""eventforge: generate tested, event-sourced Python packages from a YAML domain spec.

The pipeline, one module per step:
load -> validate -> model -> plan -> render -> format -> write.
"""

__version__ = "0.1.0"

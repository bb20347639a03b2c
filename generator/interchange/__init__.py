"""The event-modeling exchange format: `eventforge import` and `eventforge export --eventmodelers`.

eventmodelers.py reads a board export into frozen dataclasses; to_spec.py (with to_spec_views.py)
maps it to a spec document that yamltext.py writes with the board's ids as comments; merge.py
lays a re-import over the spec it updates; from_spec.py writes a spec back as a board.
"""

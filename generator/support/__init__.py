"""Small helpers every layer may use: where the packaged templates, schema and examples live, the
pause of the cyclic garbage collector, and JSON indented like json.dumps.

The bottom layer: it imports nothing from eventforge.
"""
